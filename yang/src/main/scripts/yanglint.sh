#!/bin/sh
# Lints every YANG module with libyang's yanglint (Debian: libyang2-tools) and checks that the tree
# diagrams in docs/yang/ are current. Any yanglint output, warnings included, fails the build.
#   yanglint.sh YANG_DIR DOCS_DIR [--update]
set -eu
yang_dir=$1
docs_dir=$2
if ! command -v yanglint >/dev/null 2>&1; then
    echo "yanglint not found: install libyang2-tools (./test.sh does), or build with -Dyanglint.skip" >&2
    exit 1
fi
status=0
for module in "$yang_dir"/*.yang; do
    name=$(basename "$module" .yang)
    name=${name%@*}
    out=$(yanglint -p "$yang_dir" "$module" 2>&1) || { echo "$out" >&2; status=1; continue; }
    if [ -n "$out" ]; then
        echo "yanglint $name:" >&2
        echo "$out" >&2
        status=1
        continue
    fi
    tree=$(yanglint -p "$yang_dir" -f tree "$module")
    if [ "${3:-}" = "--update" ]; then
        printf '%s\n' "$tree" > "$docs_dir/$name.tree"
    elif [ "$tree" != "$(cat "$docs_dir/$name.tree" 2>/dev/null)" ]; then
        echo "$docs_dir/$name.tree is out of date: run $0 $yang_dir $docs_dir --update" >&2
        status=1
    fi
done
[ $status -eq 0 ] && echo "yanglint: $(ls "$yang_dir"/*.yang | wc -l) modules clean, tree diagrams current"
exit $status
