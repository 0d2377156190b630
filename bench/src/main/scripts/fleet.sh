#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
#
# A fleet of simulated gateways on one controller (issue 6): how long until N gateways are connected and reconciled.
# The gateways are ODL's NETCONF test tool (org.opendaylight.netconf:netconf-testtool:10.0.2, executable jar from
# Maven Central, sha1 checked) loaded with pcp-netfilter: one JVM, N devices on consecutive ports, each with its own
# in-memory MD-SAL datastore (--md-sal true: edit-config of candidate + commit, get-config of running, all checked
# against the model). Everything runs in a network namespace the script makes, so no port of another Karaf on the
# machine is in the way.
#   1. the test tool starts N devices on 127.0.0.1:FIRST_PORT..; ssh-keyscan reads every device's host key (the tool
#      generates an RSA key per device at its first connection; doing it here keeps that out of the figure) and the
#      controller gets it pinned;
#   2. PCP Controller (a private copy of karaf/target/assembly) gets N gateways in one RESTCONF PATCH, then
#      MAPPINGS_PER_GATEWAY add-mapping RPCs on each of the first MAPPED_GATEWAYS gateways (two rules each);
#   3. one PATCH gives every gateway its NETCONF endpoint; from that write on, the gateways' operational state is
#      polled until every one says connected with a last-reconcile (the controller publishes connected once the
#      reconcile after the session came up is done); the karaf log gives when the last session came up;
#   4. get-config over NETCONF on a sample of devices checks the rules are really there.
# Needs root (the namespace), sshpass, openssh-client, a JDK >= 21 and a built tree (./mvnw -Pq install).
#
#   [RESULTS_DIR=dir] bench/src/main/scripts/fleet.sh [GATEWAYS] [MAPPINGS_PER_GATEWAY]
#     GATEWAYS              simulated gateways (default 1000)
#     MAPPINGS_PER_GATEWAY  mappings on each mapped gateway (default 3)
#   Environment:
#     MAPPED_GATEWAYS   how many gateways get mappings (default all); the others reconcile an empty table
#     FLEET_TIMEOUT     seconds to wait for all gateways (default 600)
#     FIRST_PORT        first device port (default 20000)
#     SAMPLE            devices checked by get-config besides the first and the last (default 10)
#     TESTTOOL_HEAP     test tool -Xmx (default 2g); KARAF_HEAP: Karaf -Xmx (default: the JVM's)
#     RENDER_THREADS    the renderer's shared pool (org.pcpcontroller.render.netfilter threads; default: its own)
#     HOST_KEYS         pin (default) or tofu (trust on first use; the tool then generates keys during the run)
#     FLEET_JFR         1: record a JFR (profile settings) of Karaf from the NETCONF write to the end
#     PCP_BENCH_CACHE   where the test tool jar is kept (default ~/.cache/pcp-bench)
#
# Writes bench/target/fleet/GATEWAYS/{result.json,report.md,scratch/}; with RESULTS_DIR, appends to
# $RESULTS_DIR/fleet.tsv lines of figure<TAB>system<TAB>value<TAB>unit<TAB>note.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
gateways=${1:-1000}
per_gateway=${2:-3}
version=10.0.2
url=https://repo1.maven.org/maven2/org/opendaylight/netconf/netconf-testtool/$version/netconf-testtool-$version-executable.jar

if [ -z "${FLEET_NETNS:-}" ]; then
    # outside: fetch the test tool (the namespace has no route out), then run this script again in a namespace
    [ "$(id -u)" = 0 ] || { echo "run as root (sudo): the fleet runs in a network namespace of its own" >&2; exit 2; }
    for tool in sshpass ssh-keyscan ssh-keygen curl python3 ip; do
        command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
    done
    cache=${PCP_BENCH_CACHE:-$HOME/.cache/pcp-bench}
    jar=$cache/netconf-testtool-$version-executable.jar
    mkdir -p "$cache"
    if [ ! -s "$jar.sha1" ] || [ "$(sha1sum < "$jar" 2>/dev/null | cut -d' ' -f1)" != "$(head -c 40 "$jar.sha1")" ]; then
        echo "== fetching $url"
        curl -sfL -o "$jar.sha1.part" "$url.sha1"
        curl -sfL -o "$jar.part" "$url"
        if [ "$(sha1sum < "$jar.part" | cut -d' ' -f1)" != "$(head -c 40 "$jar.sha1.part")" ]; then
            echo "sha1 of $jar.part does not match Maven Central's $url.sha1" >&2
            rm -f "$jar.part" "$jar.sha1.part"
            exit 1
        fi
        mv "$jar.part" "$jar"
        mv "$jar.sha1.part" "$jar.sha1"
    fi
    ns=pcpfleet$$
    inner=""
    outer_cleanup() {
        set +e
        [ -n "$inner" ] && kill "$inner" 2>/dev/null && wait "$inner"
        ip netns del "$ns" 2>/dev/null
    }
    trap outer_cleanup EXIT
    trap 'exit 130' INT TERM
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    FLEET_NETNS=$ns FLEET_JAR=$jar ip netns exec "$ns" bash "$0" "$@" &
    inner=$!
    rc=0
    wait "$inner" || rc=$?
    inner=""
    exit "$rc"
fi

# inside the namespace
mapped=${MAPPED_GATEWAYS:-$gateways}
[ "$mapped" -le "$gateways" ] || mapped=$gateways
first_port=${FIRST_PORT:-20000}
timeout_s=${FLEET_TIMEOUT:-600}
sample=${SAMPLE:-10}
out=$root/bench/target/fleet/$gateways
scratch=$out/scratch
. "$root/scripts/common.sh"
pick_jdk >/dev/null   # JAVA_HOME >= 21, exported: Karaf needs it too
java=$JAVA_HOME/bin/java
assembly=$root/karaf/target/assembly
rest=http://localhost:8181/rests
py() { python3 "$here/fleet.py" "$@"; }
[ -x "$assembly/bin/karaf" ] || { echo "build first: ./mvnw -B -Pq install" >&2; exit 2; }
[ $((first_port + gateways - 1)) -le 65535 ] || { echo "$gateways devices from port $first_port do not fit" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$scratch/schemas"

. "$here/karaf.sh"
testtool_pid=""
child=""
# step COMMAND...: a long step runs in the background, so that a signal is handled at once (bash runs traps only
# between commands) and the step is stopped by its PID
step() {
    "$@" &
    child=$!
    local rc=0
    wait "$child" || rc=$?
    child=""
    return "$rc"
}
cleanup() {
    set +e
    [ -n "$child" ] && kill "$child" 2>/dev/null
    stop_karaf
    if [ -n "$testtool_pid" ]; then
        kill "$testtool_pid" 2>/dev/null
        wait "$testtool_pid" 2>/dev/null
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== netconf-testtool $version: $gateways devices on 127.0.0.1:$first_port-$((first_port + gateways - 1))"
cp "$root"/yang/src/main/yang/pcp-netfilter@*.yang "$scratch/schemas/"
start=$(date +%s)
"$java" -Xmx"${TESTTOOL_HEAP:-2g}" -jar "$FLEET_JAR" --schemas-dir "$scratch/schemas" --device-count "$gateways" \
    --starting-port "$first_port" --ip 127.0.0.1 --ssh true --md-sal true > "$scratch/testtool.log" 2>&1 &
testtool_pid=$!
for _ in $(seq 600); do
    kill -0 "$testtool_pid" 2>/dev/null || { echo "the test tool exited: $(tail -20 "$scratch/testtool.log")" >&2; exit 1; }
    grep -qs 'simulated devices started\|No simulated devices' "$scratch/testtool.log" && break
    sleep 1
done
grep -q 'All simulated devices started successfully' "$scratch/testtool.log" \
    || { echo "not all devices started: $(grep -m3 'devices\|ERROR' "$scratch/testtool.log")" >&2; exit 1; }
echo "   listening after $(($(date +%s) - start)) s"

: > "$scratch/hostkeys"
if [ "${HOST_KEYS:-pin}" = pin ]; then
    start=$(date +%s)
    seq "$first_port" $((first_port + gateways - 1)) > "$scratch/ports"
    # shellcheck disable=SC2016
    step xargs -P 4 -n 1 -a "$scratch/ports" sh -c \
        'ssh-keyscan -T 60 -t rsa -p "$0" 127.0.0.1 2>/dev/null | ssh-keygen -lf - -E sha256 | cut -d" " -f2 \
         | sed "s/^/$0 /"' > "$scratch/hostkeys"
    echo "   host keys of $(wc -l < "$scratch/hostkeys") devices scanned in $(($(date +%s) - start)) s"
fi

echo "== PCP Controller"
extra_cfg=()
if [ -n "${RENDER_THREADS:-}" ]; then
    echo "threads=$RENDER_THREADS" > "$scratch/org.pcpcontroller.render.netfilter.cfg"
    extra_cfg=("$scratch/org.pcpcontroller.render.netfilter.cfg")
fi
[ -n "${KARAF_HEAP:-}" ] && export EXTRA_JAVA_OPTS="-Xmx$KARAF_HEAP ${EXTRA_JAVA_OPTS:-}"
start_karaf org.pcpcontroller.ingress.udp "${extra_cfg[@]}"
py gateways "$gateways"
step python3 "$here/fleet.py" mappings "$mapped" "$per_gateway"
if [ "${FLEET_JFR:-0}" = 1 ]; then
    "$JAVA_HOME/bin/jcmd" "$karaf_pid" JFR.start name=fleet settings=profile > /dev/null
fi

echo "== $gateways NETCONF endpoints in one write; waiting for every gateway to be connected and reconciled"
read -r t0 t_written < <(py connect "$gateways" "$first_port" "$scratch/hostkeys") || true
[ -n "${t_written:-}" ] || { echo "writing the NETCONF settings failed" >&2; exit 1; }
echo "   the PATCH took $(python3 -c "print(f'{$t_written - $t0:.1f}')") s"
rc=0
step python3 "$here/fleet.py" wait "$gateways" "$t0" "$timeout_s" "$karaf_pid" "$testtool_pid" "$out/result.json" || rc=$?
heap=$("$JAVA_HOME/bin/jcmd" "$karaf_pid" GC.heap_info 2>/dev/null | grep -m1 -o 'used [0-9]*K' | tr -dc 0-9 || true)
if [ "${FLEET_JFR:-0}" = 1 ]; then
    "$JAVA_HOME/bin/jcmd" "$karaf_pid" JFR.stop name=fleet filename="$out/fleet.jfr" > /dev/null
    echo "   JFR recording: $out/fleet.jfr"
fi
verified=$(py verify "$gateways" "$per_gateway" "$mapped" "$first_port" "$sample" || true)
echo "   $verified"
py report "$out/result.json" "$scratch/karaf/data/log" "$t0" "$per_gateway" "$mapped" "${heap:-0}" "$verified" \
    "$out/report.md" "${RESULTS_DIR:+$RESULTS_DIR/fleet.tsv}"
exit "$rc"
