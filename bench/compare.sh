#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
#
# Reproduces every figure of docs/benchmarks.md on this machine: PCP Controller and Debian's miniupnpd
# (miniupnpd-nftables, daemon mode) under the same load in the same run, alternating, then the report.
# Run as root (or through sudo) on Debian 12; it installs what it needs and builds the tree if it is not built.
#
#   sudo bench/compare.sh [--quick] [--only PART,...] [--skip PART,...] [--rounds N] [--no-install] [--no-report]
#
# Parts (in this order; each appends figure<TAB>system<TAB>value<TAB>unit<TAB>note rows to $RESULTS_DIR/PART.tsv):
#   udp      NAT-PMP public-address requests/s over direct UDP, closed loop, both systems
#   map      new PCP MAP requests/s with 1,000 existing mappings, and refreshes of those 1,000, both systems
#   curve    new PCP MAP requests/s against the number of existing mappings (PCP Controller 0..100k,
#            miniupnpd the small sizes it reaches in reasonable time)
#   latency  latency p50/p99/p99.9 at a fixed 5,000 requests/s (PCP MAP new and refresh; NAT-PMP address, both)
#   jmh      the JMH engine and port-allocation benchmarks (org.pcpcontroller.bench.engine)
#   punt     src/main/scripts/punt-compare.sh: both systems through one Open vSwitch bridge (PACKET_IN/OUT)
#   netconf  src/main/scripts/netconf-render.sh: mappings rendered to one netconfd gateway, and its reconcile
#   fleet    src/main/scripts/fleet.sh, if present: simulated gateways connected and reconciled
#   scale    src/main/scripts/scale.sh, if present: a million mappings, heap, restart
# The first four share one topology made here: namespace bnch-client holds the load generator, with a veth to
# bnch-gw (miniupnpd on 10.0.0.1, WAN 192.0.3.1/24, made by miniupnpd-netns.sh) and one to bnch-pcp (a private copy
# of the distribution, UDP ingress on 10.1.0.1). Both servers stay up; each measurement loads one of them while the
# other idles, PCP Controller first, then miniupnpd, --rounds times.
#
# Environment: RESULTS_DIR (default bench/target/compare; emptied first), DOCS_DIR (default docs).
# Writes RESULTS_DIR/{PART.tsv,PART.log,*.json,parts.tsv,commands.txt,machine.txt} and DOCS_DIR/benchmarks.md with
# DOCS_DIR/benchmarks/*.png.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
scripts=$bench/src/main/scripts
all_parts="udp map curve latency jmh punt netconf fleet scale"
invocation="bench/compare.sh $*"
[ "$(id -u)" = 0 ] || exec sudo -E "$0" "$@"

quick="" rounds="" only="" skip="" install=yes report=yes
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=yes ;;
    --rounds) rounds=$2; shift ;;
    --only) only=$2; shift ;;
    --skip) skip=$2; shift ;;
    --no-install) install="" ;;
    --no-report) report="" ;;
    -h|--help) sed -n '10,34p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for part in ${only//,/ } ${skip//,/ }; do
    case " $all_parts " in *" $part "*) ;; *) echo "unknown part $part; parts: $all_parts" >&2; exit 2 ;; esac
done
wanted() {
    [ -n "$only" ] && { case ",$only," in *",$1,"*) ;; *) return 1 ;; esac; }
    case ",$skip," in *",$1,"*) return 1 ;; esac
    return 0
}

# Sizes and durations: a full run takes about 30-45 minutes on 2 vCPUs; --quick is a smoke run of a few minutes.
if [ -n "$quick" ]; then
    rounds=${rounds:-1} duration=3 warmup=1
    map_new=3000 mini_new=50 mini_sizes="0 100" pcp_sizes="0 1000 10000" curve_new=3000
    latency_duration=3 latency_warmup=1
    jmh_engine="-wi 1 -i 1 -w 1 -r 1 -p existing=1000" jmh_alloc="-wi 1 -i 1 -w 1 -r 1"
    punt_args="3 32 256" netconf_args="200 400 256" netconf_wait=120 fleet_args="20 3" scale_args="10000" port_wait=300
else
    rounds=${rounds:-2} duration=10 warmup=3
    map_new=30000 mini_new=200 mini_sizes="0 100 1000 2000" pcp_sizes="0 1000 10000 100000" curve_new=30000
    latency_duration=10 latency_warmup=2
    jmh_engine="" jmh_alloc=""
    punt_args="10 32 256" netconf_args="2000 4000 2048" netconf_wait=300 fleet_args="1000 3" scale_args="1000000" port_wait=900
fi

RESULTS_DIR=${RESULTS_DIR:-$root/bench/target/compare}
DOCS_DIR=${DOCS_DIR:-$root/docs}
export RESULTS_DIR
rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR" "$DOCS_DIR"
# absolute: the scripts of the parts run from other directories
RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)
DOCS_DIR=$(cd "$DOCS_DIR" && pwd)
echo "$invocation" > "$RESULTS_DIR/commands.txt"
: > "$RESULTS_DIR/parts.tsv"

. "$root/scripts/common.sh"
if [ -n "$install" ]; then
    # miniupnpd asks debconf questions and would start at install: install_packages preseeds and blocks that
    install_packages ca-certificates curl unzip procps iproute2 ethtool nftables python3 python3-matplotlib \
        miniupnpd-nftables miniupnpd openvswitch-switch netconfd openssh-server openssh-client sshpass
    if [ ! -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/javac ]; then
        # Temurin is not in Debian: Adoptium's apt repository
        install_packages wget gpg
        wget -qO - https://packages.adoptium.net/artifactory/api/gpg/key/public | gpg --dearmor --yes \
            -o /usr/share/keyrings/adoptium.gpg
        echo "deb [signed-by=/usr/share/keyrings/adoptium.gpg] https://packages.adoptium.net/artifactory/deb" \
            "$(. /etc/os-release && echo "$VERSION_CODENAME") main" > /etc/apt/sources.list.d/adoptium.list
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq temurin-25-jdk
    fi
fi
[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/javac ] && export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
pick_jdk
java=$JAVA_HOME/bin/java
jar=$root/bench/target/benchmarks.jar
assembly=$root/karaf/target/assembly
if [ ! -f "$jar" ] || [ ! -x "$assembly/bin/karaf" ]; then
    echo "== building (the distribution and the benchmarks jar)"
    (cd "$root" && ./mvnw -B -Pq clean install -Dcyclonedx.skip=true)
    echo "(cd $root && ./mvnw -B -Pq clean install -Dcyclonedx.skip=true)" >> "$RESULTS_DIR/commands.txt"
fi

# The report generator first: a broken one would waste the whole run.
/usr/bin/python3 -m unittest discover -s "$bench/src/test/python" 2>&1 | tail -n 3

# The machine, for the report.
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    echo "nproc=$(nproc)"
    echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
    echo "kernel=$(uname -r)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "java=$("$java" -version 2>&1 | sed -n 2p) ($JAVA_HOME)"
    echo "ovs=$(ovs-vswitchd --version 2>/dev/null | head -1 || echo absent)"
    echo "miniupnpd=$(dpkg-query -W -f='${Package} ${Version}' miniupnpd-nftables 2>/dev/null || echo absent)"
    echo "netconfd=$(dpkg-query -W -f='${Package} ${Version}' netconfd 2>/dev/null || echo absent)"
    echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "quick=${quick:-no}"
    echo "rounds=$rounds"
} > "$RESULTS_DIR/machine.txt"

# run_part NAME COMMAND...: runs one part with its output in NAME.log; a failed part is recorded and the run goes on.
run_part() {
    local name=$1 start rc
    shift
    start=$(date +%s)
    echo "==== part $name"
    set +e
    ( set -e; "$@" ) 2>&1 | tee -a "$RESULTS_DIR/$name.log"
    rc=${PIPESTATUS[0]}
    set -e
    printf '%s\t%s\t%s\n' "$name" "$([ "$rc" = 0 ] && echo ok || echo "failed (exit $rc)")" \
        "$(( $(date +%s) - start ))" >> "$RESULTS_DIR/parts.tsv"
}
skipped() {
    printf '%s\t%s\t0\n' "$1" "$2" >> "$RESULTS_DIR/parts.tsv"
}
logged() {  # logged COMMAND...: records the command, then runs it
    printf '%s\n' "$*" | sed "s|$root/||g; s|$JAVA_HOME/bin/java|java|g" >> "$RESULTS_DIR/commands.txt"
    "$@"
}
rows() {  # rows ARGS...: report.py rows, for the load generator's JSON and JMH's
    /usr/bin/python3 "$scripts/report.py" "$@"
}

# ---------------------------------------------------------------------------------------------------------------
# The shared topology of the direct-UDP parts.
pcp_ns=bnch-pcp client_ns=bnch-client
mini_target=10.0.0.1:5351 pcp_target=10.1.0.1:5351
rest=http://localhost:8181/rests
scratch=$RESULTS_DIR/scratch
topology_up=""
karaf_netns=$pcp_ns
. "$scripts/karaf.sh"

cleanup() {
    set +e
    stop_karaf
    if [ -n "$topology_up" ]; then
        BENCH_SCRATCH=$scratch/miniupnpd bash "$scripts/miniupnpd-netns.sh" down
        ip netns del "$pcp_ns" 2>/dev/null
        topology_up=""
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# namespaces_taken: the namespaces of the topology that exist already (another run of this script, or of
# miniupnpd-netns.sh, on this machine). Checked before this run claims them: its cleanup deletes them.
namespaces_taken() {
    local ns
    for ns in bnch-client bnch-gw bnch-wan $pcp_ns; do
        if ip netns list | grep -qw "$ns"; then echo "$ns"; fi
    done
}

topology() {
    mkdir -p "$scratch"
    # 48 client addresses 10.0.0.2..49: prefill, measurement and latency runs each use their own 16
    BENCH_SCRATCH=$scratch/miniupnpd bash "$scripts/miniupnpd-netns.sh" up 48
    ip netns add $pcp_ns
    ip -n $pcp_ns link set lo up
    ip link add bc-pcp netns $client_ns type veth peer name bp-eth0 netns $pcp_ns
    ip -n $pcp_ns addr add 10.1.0.1/16 dev bp-eth0
    ip -n $pcp_ns link set bp-eth0 up
    local i
    for i in $(seq 1 64); do
        ip -n $client_ns addr add 10.1.1.$i/16 dev bc-pcp
    done
    ip -n $client_ns link set bc-pcp up

    start_karaf org.pcpcontroller.ingress.udp
    # this runs in a subshell (run_part): the main shell reads Karaf's PIDs from here, to stop it in the end
    declare -p karaf_launcher karaf_pid > "$scratch/karaf-pids.sh"
    # four external addresses: 100,000 TCP mappings need more than one address's 64,512 ports
    pcp_rest -X PUT "$rest/data/pcp-gateway:gateways/gateway=bench" \
        -d '{"pcp-gateway:gateway":[{"id":"bench",
             "external-address":["192.0.3.1","192.0.3.101","192.0.3.102","192.0.3.103"],
             "internal-prefix":["10.1.0.0/16"],"external-port-range":{"start":1024,"end":65535},
             "udp-ingress":{"listen-address":["10.1.0.1"]},"policy":{"per-client-quota":1000000,"max-mappings":0,"request-rate":4294967295}}]}'
    for i in $(seq 120); do
        ip netns exec $client_ns /usr/bin/python3 - <<'PY' && break
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.1.1.64", 0))
s.settimeout(0.5)
s.sendto(b"\x00\x00", ("10.1.0.1", 5351))
try:
    sys.exit(0 if len(s.recv(64)) == 12 else 1)
except OSError:
    sys.exit(1)
PY
        [ "$i" = 120 ] && { echo "PCP Controller does not answer on $pcp_target" >&2; return 1; }
        sleep 0.5
    done
    echo "PCP Controller pid $karaf_pid on $pcp_target, miniupnpd pid $(mini_pid) on $mini_target"
}

pcp_rest() {
    karaf_in curl -sf -u admin:admin -H 'Content-Type: application/json' "$@"
}
clear_pcp() {
    pcp_rest -X POST -d '{"input":{"gateway-id":"bench"}}' "$rest/operations/pcp-mapping:clear-gateway" >/dev/null
}
reset_mini() {
    BENCH_SCRATCH=$scratch/miniupnpd bash "$scripts/miniupnpd-netns.sh" reset >/dev/null
}
mini_pid() {
    BENCH_SCRATCH=$scratch/miniupnpd bash "$scripts/miniupnpd-netns.sh" pid
}

# load SYSTEM JSON ARGS...: the load generator in the client namespace against SYSTEM (pcp-controller|miniupnpd).
load() {
    local system=$1 out=$2 target pid
    shift 2
    if [ "$system" = pcp-controller ]; then target=$pcp_target pid=$karaf_pid; else target=$mini_target pid=$(mini_pid); fi
    logged ip netns exec $client_ns "$java" -cp "$jar" org.pcpcontroller.bench.load.LoadGenerator \
        --target "$target" --pid "$pid" --out "$RESULTS_DIR/$out" "$@" | grep -E 'answered|answers/s|latency|result' || true
    [ -s "$RESULTS_DIR/$out" ]
}
# client blocks of 16 addresses: PCP Controller 10.1.1.1 / .17 / .33 / .49, miniupnpd 10.0.0.2 / .18 / .34
pcp_clients() { echo "--clients 16 --first-client 10.1.1.$((1 + 16 * $1))"; }
mini_clients() { echo "--clients 16 --first-client 10.0.0.$((2 + 16 * $1))"; }

# New mappings are measured from internal ports 4024 up, split among 16 clients: client i's ports then start 180 or
# more above those of the prefill's client i (ports 1024 up). With up to 2,000 prefilled mappings no new request
# then wants (external port = internal port, no suggestion) an external port the prefill holds: a taken port makes
# miniupnpd search its rule set port by port, a different and far slower case (see bench/README.md).
measure_ports=4024

# prefill SYSTEM COUNT: COUNT mappings made by PCP MAP (TCP, lifetime 2 h, seed 7); PCP Controller spreads them over
# two client blocks, as one block of 16 clients has 64,512 internal ports.
prefill() {
    local system=$1 count=$2 first
    [ "$count" -gt 0 ] || return 0
    if [ "$system" = pcp-controller ]; then
        first=$(( count < 60000 ? count : 60000 ))
        load pcp-controller "prefill-$system-$count-a.json" --mode pcp-map --requests "$first" --window 256 \
            $(pcp_clients 0) --seed 7 --lifetime 7200 --timeout 10s
        if [ "$count" -gt "$first" ]; then
            load pcp-controller "prefill-$system-$count-b.json" --mode pcp-map --requests "$((count - first))" \
                --window 256 $(pcp_clients 1) --seed 8 --lifetime 7200 --timeout 10s
        fi
    else
        load miniupnpd "prefill-$system-$count.json" --mode pcp-map --requests "$count" --window 16 \
            $(mini_clients 0) --seed 7 --lifetime 7200 --timeout 10s
    fi
}

part_udp() {
    local round system
    for round in $(seq "$rounds"); do
        for system in pcp-controller miniupnpd; do
            local clients=pcp_clients
            [ "$system" = miniupnpd ] && clients=mini_clients
            load "$system" "udp-$system-$round.json" --mode natpmp-address --duration "$duration" \
                --warmup "$warmup" --window 64 --threads 2 $($clients 0)
            rows load "$RESULTS_DIR/udp-$system-$round.json" "$RESULTS_DIR/udp.tsv" \
                "NAT-PMP public address, direct UDP" "$system" "round $round, closed loop, window 64, 2 threads"
        done
    done
}

part_map() {
    local round
    for round in $(seq "$rounds"); do
        clear_pcp
        prefill pcp-controller 1000
        load pcp-controller "map-new-pcp-controller-$round.json" --mode pcp-map --requests "$map_new" \
            --window 256 $(pcp_clients 2) --seed 9 --port-base "$measure_ports" --lifetime 7200 --timeout 10s
        rows load "$RESULTS_DIR/map-new-pcp-controller-$round.json" "$RESULTS_DIR/map.tsv" \
            "new PCP MAP at 1000 existing" pcp-controller "round $round, $map_new new, window 256"
        # the prefill again, same clients and nonces: 1,000 refreshes
        load pcp-controller "map-refresh-pcp-controller-$round.json" --mode pcp-map --requests 1000 --window 256 \
            $(pcp_clients 0) --seed 7 --lifetime 7200 --timeout 10s
        rows load "$RESULTS_DIR/map-refresh-pcp-controller-$round.json" "$RESULTS_DIR/map.tsv" \
            "PCP MAP refresh at 1000 existing" pcp-controller "round $round, 1000 refreshes, window 256"

        reset_mini
        prefill miniupnpd 1000
        load miniupnpd "map-new-miniupnpd-$round.json" --mode pcp-map --requests "$mini_new" --window 16 \
            $(mini_clients 1) --seed 9 --port-base "$measure_ports" --lifetime 7200 --timeout 10s
        rows load "$RESULTS_DIR/map-new-miniupnpd-$round.json" "$RESULTS_DIR/map.tsv" \
            "new PCP MAP at 1000 existing" miniupnpd "round $round, $mini_new new, window 16"
        load miniupnpd "map-refresh-miniupnpd-$round.json" --mode pcp-map --requests 1000 --window 16 \
            $(mini_clients 0) --seed 7 --lifetime 7200 --timeout 10s
        rows load "$RESULTS_DIR/map-refresh-miniupnpd-$round.json" "$RESULTS_DIR/map.tsv" \
            "PCP MAP refresh at 1000 existing" miniupnpd "round $round, 1000 refreshes, window 16"
    done
}

part_curve() {
    local size
    for size in $pcp_sizes; do
        clear_pcp
        prefill pcp-controller "$size"
        load pcp-controller "curve-pcp-controller-$size.json" --mode pcp-map --requests "$curve_new" --window 256 \
            $(pcp_clients 2) --seed 9 --port-base "$measure_ports" --lifetime 7200 --timeout 10s
        rows load "$RESULTS_DIR/curve-pcp-controller-$size.json" "$RESULTS_DIR/curve.tsv" \
            "new PCP MAP at $size existing" pcp-controller "$curve_new new, window 256"
    done
    clear_pcp
    for size in $mini_sizes; do
        reset_mini
        prefill miniupnpd "$size"
        load miniupnpd "curve-miniupnpd-$size.json" --mode pcp-map --requests "$mini_new" --window 16 \
            $(mini_clients 1) --seed 9 --port-base "$measure_ports" --lifetime 7200 --timeout 10s
        rows load "$RESULTS_DIR/curve-miniupnpd-$size.json" "$RESULTS_DIR/curve.tsv" \
            "new PCP MAP at $size existing" miniupnpd "$mini_new new, window 16"
    done
    reset_mini
    printf '%s\t%s\t%s\t%s\t%s\n' "new PCP MAP at 100000 existing" miniupnpd "-" "answers/s" \
        "not attempted: at about 100 new mappings/s, and slower as they grow, filling 100,000 takes hours" \
        >> "$RESULTS_DIR/curve.tsv"
}

part_latency() {
    local system clients
    clear_pcp
    prefill pcp-controller 1000
    # new mappings at 5,000/s from one block of 16 clients (64,512 internal ports: enough for 12 s), then the same
    # requests again: refreshes
    load pcp-controller latency-map-new.json --mode pcp-map --rate 5000 --duration "$latency_duration" \
        --warmup "$latency_warmup" --window 2048 $(pcp_clients 3) --seed 11 --lifetime 7200 --timeout 5s
    rows load "$RESULTS_DIR/latency-map-new.json" "$RESULTS_DIR/latency.tsv" "latency at 5000/s, PCP MAP new" \
        pcp-controller "open loop 5,000/s, ${latency_duration} s after ${latency_warmup} s warmup" --latency
    load pcp-controller latency-map-refresh.json --mode pcp-map --rate 5000 --duration "$latency_duration" \
        --warmup "$latency_warmup" --window 2048 $(pcp_clients 3) --seed 11 --lifetime 7200 --timeout 5s
    rows load "$RESULTS_DIR/latency-map-refresh.json" "$RESULTS_DIR/latency.tsv" \
        "latency at 5000/s, PCP MAP refresh" pcp-controller \
        "open loop 5,000/s, ${latency_duration} s after ${latency_warmup} s warmup" --latency
    for system in pcp-controller miniupnpd; do
        clients=pcp_clients
        [ "$system" = miniupnpd ] && clients=mini_clients
        load "$system" "latency-natpmp-address-$system.json" --mode natpmp-address --rate 5000 \
            --duration "$latency_duration" --warmup "$latency_warmup" --window 256 $($clients 2) --timeout 5s
        rows load "$RESULTS_DIR/latency-natpmp-address-$system.json" "$RESULTS_DIR/latency.tsv" \
            "latency at 5000/s, NAT-PMP public address" "$system" \
            "open loop 5,000/s, ${latency_duration} s after ${latency_warmup} s warmup" --latency
    done
    printf '%s\t%s\t%s\t%s\t%s\n' "latency at 5000/s, PCP MAP new p99" miniupnpd "-" ms \
        "not measured: miniupnpd creates about 100 mappings/s, so 5,000/s only measures its queue" \
        >> "$RESULTS_DIR/latency.tsv"
}

part_jmh() {
    logged "$java" -jar "$jar" 'org.pcpcontroller.bench.engine.EngineBenchmark' $jmh_engine \
        -rf json -rff "$RESULTS_DIR/jmh-engine.json" | grep -vE '^(# (Warmup|Measurement|Timeout|Threads|Blackhole|VM|JMH|Run progress)|WARNING|SLF4J)' || true
    rows jmh "$RESULTS_DIR/jmh-engine.json" "$RESULTS_DIR/jmh.tsv"
    logged "$java" -jar "$jar" 'org.pcpcontroller.bench.engine.AllocationBenchmark' $jmh_alloc \
        -rf json -rff "$RESULTS_DIR/jmh-allocation.json" | grep -vE '^(# (Warmup|Measurement|Timeout|Threads|Blackhole|VM|JMH|Run progress)|WARNING|SLF4J)' || true
    rows jmh "$RESULTS_DIR/jmh-allocation.json" "$RESULTS_DIR/jmh.tsv"
}

part_netconf() {
    export PCPGW_TARGET=running RECONCILE_WAIT=$netconf_wait
    logged bash "$scripts/netconf-render.sh" $netconf_args
}

direct=""
for part in udp map curve latency; do wanted $part && direct=yes; done
taken=""
[ -n "$direct" ] && taken=$(namespaces_taken)
if [ -n "$taken" ]; then
    echo "namespaces $(echo $taken) exist: another run of compare.sh or miniupnpd-netns.sh is going on; not touching them" >&2
    for part in topology udp map curve latency; do
        wanted $part || [ $part = topology ] && skipped $part "not run: namespaces $(echo $taken) are in use"
    done
elif [ -n "$direct" ]; then
    topology_up=yes
    run_part topology topology
    [ -f "$scratch/karaf-pids.sh" ] && . "$scratch/karaf-pids.sh"
    if grep -q $'^topology\tok' "$RESULTS_DIR/parts.tsv"; then
        for part in udp map curve latency; do
            if wanted $part; then run_part $part part_$part; else skipped $part skipped; fi
        done
    else
        for part in udp map curve latency; do wanted $part && skipped $part "not run: the topology failed"; done
    fi
    cleanup
else
    for part in udp map curve latency; do skipped $part skipped; done
fi

# punt and netconf start Karaf in this namespace (Open vSwitch reaches it on 127.0.0.1:6654); karaf.sh refuses to
# start while another Karaf holds its ports, so wait a while for one that another user runs on this machine.
wait_free_ports() {
    local i
    for i in $(seq "$1"); do
        ss -Hltn '( sport = :8181 or sport = :6654 or sport = :8101 )' | grep -q . || return 0
        [ "$i" = 1 ] && echo "== waiting up to $1 s for another Karaf to free TCP ports 8181/6654/8101"
        sleep 1
    done
}

if wanted jmh; then run_part jmh part_jmh; else skipped jmh skipped; fi
if wanted punt; then
    wait_free_ports "$port_wait"
    run_part punt logged bash "$scripts/punt-compare.sh" $punt_args
else
    skipped punt skipped
fi
if wanted netconf; then
    wait_free_ports "$port_wait"
    run_part netconf part_netconf
else
    skipped netconf skipped
fi
for part in fleet scale; do
    if ! wanted $part; then
        skipped $part skipped
    elif [ ! -f "$scripts/$part.sh" ]; then
        skipped $part "not run: src/main/scripts/$part.sh does not exist in this tree"
    elif [ $part = fleet ]; then
        run_part fleet logged bash "$scripts/fleet.sh" $fleet_args
    else
        run_part scale logged bash "$scripts/scale.sh" $scale_args
    fi
done

echo "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS_DIR/machine.txt"
if [ -n "$report" ]; then
    logged /usr/bin/python3 "$scripts/report.py" report "$RESULTS_DIR" "$DOCS_DIR"
fi
echo "== parts"
awk -F'\t' '{ printf "%-9s %5s s  %s\n", $1, $3, $2 }' "$RESULTS_DIR/parts.tsv"
