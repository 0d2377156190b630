# Shared by run.sh and test.sh (sourced, not run).

# Picks a JDK >= 21: JAVA_HOME if it is one, else `java` on the PATH, else the newest under /usr/lib/jvm.
pick_jdk() {
    local candidate version
    for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" \
            $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
        candidate=${candidate%/}
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
        version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 \
            | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
        if [ -n "$version" ] && [ "$version" -ge 21 ]; then
            export JAVA_HOME=$candidate
            echo "Using JDK $version at $JAVA_HOME"
            return 0
        fi
    done
    echo "No JDK >= 21 found: set JAVA_HOME to a JDK 21 or newer (Temurin 21 or 25 work)." >&2
    return 1
}

# Runs apt-get as root, or through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages that are missing. Services are not started by their postinst (policy-rc.d).
install_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing ${missing[*]}"
    local added_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod +x /usr/sbin/policy-rc.d
        added_policy=yes
    fi
    echo 'miniupnpd miniupnpd/start_daemon boolean false' | as_root debconf-set-selections 2>/dev/null || true
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    [ -n "$added_policy" ] && as_root rm -f /usr/sbin/policy-rc.d
    return 0
}

# set_cfg FILE KEY VALUE: sets one setting in a Karaf etc/*.cfg file, on the line that holds it, so that the shipped
# file keeps its other settings and its comments (a file or line that is not there yet is added). Written beside the
# file and moved over it: fileinstall, which watches etc/, never reads half a file.
set_cfg() {
    local file=$1 next="$1.next"
    [ -f "$file" ] || : > "$file"
    KEY=$2 VALUE=$3 awk '
        !done && $0 !~ /^[ \t]*([#!]|$)/ {
            key = $0
            sub(/^[ \t]+/, "", key)
            sub(/[ \t=:].*$/, "", key)
            if (key == ENVIRON["KEY"]) { print ENVIRON["KEY"] " = " ENVIRON["VALUE"]; done = 1; next }
        }
        { print }
        END { if (!done) print ENVIRON["KEY"] " = " ENVIRON["VALUE"] }' "$file" > "$next"
    mv "$next" "$file"
}
