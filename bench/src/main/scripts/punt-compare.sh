#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
#
# Requests per second through an Open vSwitch punt path, PCP Controller against Debian's miniupnpd, in one run.
# The same bridge (userspace datapath, fail_mode=secure) joins namespaces client and gw; the same load generator runs
# in client against 10.0.0.1:5351:
#   1. PCP Controller: the bridge punts UDP 5351 to the controller (PACKET_IN) and the answer returns as PACKET_OUT;
#      nothing listens in gw.
#   2. miniupnpd (nftables variant, daemon mode) listening in gw; the punt flows are removed and the bridge forwards
#      normally.
# Needs root, Open vSwitch, miniupnpd-nftables, nftables, a JDK >= 21 and a built tree (./mvnw -Pq install).
#
#   bench/src/main/scripts/punt-compare.sh [DURATION_S] [CLIENTS] [WINDOW]
#
# Writes bench/target/punt-compare/{*.json,report.md}; with RESULTS_DIR set (bench/compare.sh), also appends
# figure<TAB>system<TAB>value<TAB>unit<TAB>note rows to $RESULTS_DIR/punt.tsv and copies the JSON reports there.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(cd .. && pwd)
duration=${1:-10}
clients=${2:-32}
window=${3:-256}
out=$root/bench/target/punt-compare
scratch=$out/scratch
id=$(( $$ % 100000 ))
topology=$root/it/src/test/resources/ovs-topology.sh
. "$root/scripts/common.sh"
pick_jdk   # JAVA_HOME >= 21, exported: Karaf needs it too
java=$JAVA_HOME/bin/java
jar=$root/bench/target/benchmarks.jar
assembly=$root/karaf/target/assembly
bridge=pcpbr$id client=pcpc$id gw=pcpg$id
export OVS_RUNDIR=$scratch/ovs
rest=http://localhost:8181/rests

[ -f "$jar" ] && [ -x "$assembly/bin/karaf" ] || { echo "build first: ./mvnw -B -Pq install" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$scratch"

. "$root/bench/src/main/scripts/karaf.sh"
cleanup() {
    set +e
    stop_karaf
    if [ -s "$scratch/miniupnpd.pid" ]; then kill "$(cat "$scratch/miniupnpd.pid")" 2>/dev/null; fi
    bash "$topology" down "$scratch/ovs" "$id"
}
trap cleanup EXIT INT TERM

echo "== topology: bridge $bridge, namespaces $client / $gw, $clients client addresses"
bash "$topology" up "$scratch/ovs" "$id" 0000000000000001 tcp:127.0.0.1:6654 "$clients"

echo "== PCP Controller"
start_karaf org.pcpcontroller.ingress.openflow
curl -sf -u admin:admin -X PUT -H 'Content-Type: application/json' "$rest/data/pcp-gateway:gateways/gateway=bench" \
    -d '{"pcp-gateway:gateway":[{"id":"bench","external-address":["192.0.3.1"],"internal-prefix":["10.0.0.0/24"],
         "external-port-range":{"start":1024,"end":65535},
         "openflow":{"datapath-id":["00:00:00:00:00:00:00:01"],"punt-meter-rate":1000000},
         "policy":{"per-client-quota":1000000,"max-mappings":0,"request-rate":4294967295}}]}'
for _ in $(seq 100); do
    [ "$(ovs-ofctl -O OpenFlow13 dump-flows "$bridge" | grep -c 'cookie=0x5043010000000000')" = 2 ] && break
    sleep 0.2
done
ovs-ofctl -O OpenFlow13 dump-flows "$bridge"

load() {  # name mode target-pid [extra args]
    local name=$1 mode=$2 pid=$3
    shift 3
    echo "-- $name: $mode"
    ip netns exec "$client" "$java" -cp "$jar" org.pcpcontroller.bench.load.LoadGenerator --target 10.0.0.1:5351 \
        --mode "$mode" --duration "$duration" --warmup 3 --window "$window" --clients "$clients" \
        --first-client 10.0.0.10 --pid "$pid" --out "$out/$name-$mode.json" "$@" | tail -n 12
}

load pcp-controller natpmp-address "$karaf_pid"
load pcp-controller pcp-announce "$karaf_pid"
# miniupnpd needs seconds per MAP under this window: a timeout long enough that its answers count
load pcp-controller pcp-map "$karaf_pid" --protocol udp --lifetime 600 --timeout 10s
ovs-ofctl -O OpenFlow13 dump-flows "$bridge" | grep 5351

echo "== miniupnpd"
stop_karaf
# our punt flows only (by cookie); the bridge keeps forwarding with the operator's NORMAL flow
ovs-ofctl -O OpenFlow13 del-flows "$bridge" "cookie=0x5043010000000000/0xffffff0000000000"
cat > "$scratch/gw.nft" <<'NFT'
flush ruleset
table inet filter {
    chain forward { type filter hook forward priority 0; policy drop; ct state established,related accept; jump miniupnpd; }
    chain miniupnpd { }
    chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
    chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
    chain prerouting_miniupnpd { }
    chain postrouting_miniupnpd { }
}
NFT
ip netns exec "$gw" nft -f "$scratch/gw.nft"
cat > "$scratch/miniupnpd.conf" <<CONF
ext_ifname=g-wan
listening_ip=g-eth0
port=0
enable_natpmp=yes
enable_upnp=no
ipv6_disable=yes
secure_mode=yes
min_lifetime=120
max_lifetime=86400
lease_file=$scratch/leases
uuid=3ded6e02-ae3e-4c6a-9b8f-1b6f7d4f4c03
allow 1024-65535 10.0.0.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
ip netns exec "$gw" miniupnpd -f "$scratch/miniupnpd.conf" -P "$scratch/miniupnpd.pid"
for _ in $(seq 50); do [ -s "$scratch/miniupnpd.pid" ] && break; sleep 0.1; done
mini_pid=$(cat "$scratch/miniupnpd.pid")
load miniupnpd natpmp-address "$mini_pid"
load miniupnpd pcp-announce "$mini_pid"
load miniupnpd pcp-map "$mini_pid" --protocol udp --lifetime 600 --timeout 10s

python3 - "$out" "$duration" "$clients" "$window" "${RESULTS_DIR:-}" <<'PY'
import json, os, platform, shutil, subprocess, sys
out, duration, clients, window, results = sys.argv[1:6]
rows = []
tsv = []
for mode in ("natpmp-address", "pcp-announce", "pcp-map"):
    for name in ("pcp-controller", "miniupnpd"):
        path = os.path.join(out, f"{name}-{mode}.json")
        if not os.path.exists(path):
            continue
        m = json.load(open(path))["main"]
        lat = m["latencyMicros"]
        cpu_us = (f"{m['targetCpuSeconds'] * 1e6 / m['answered']:.1f}"
                  if m.get("targetCpuSeconds") is not None and m["answered"] else "-")
        codes = ", ".join(f"{k} {v}" for k, v in m["resultCodes"].items())
        rows.append(f"| {mode} | {name} | {m['answeredPerSecond']:,.0f} | {m['lost']} | "
                    f"{lat.get('p50', 0):.0f} / {lat.get('p99', 0):.0f} / {lat.get('p999', 0):.0f} | "
                    f"{cpu_us} | {codes} |")
        path_note = "punted to the controller (PACKET_IN/PACKET_OUT)" if name == "pcp-controller" \
            else "forwarded by the bridge to miniupnpd"
        tsv.append((f"requests/s through the OVS punt path, {mode}", name, f"{m['answeredPerSecond']:.0f}",
                    "answers/s", f"{path_note}; {duration} s after 3 s warmup, {clients} clients, window {window}; "
                    f"{m['answered']} of {m['sent']} answered, {m['lost']} lost; {codes}; p50/p99 "
                    f"{lat.get('p50', 0) / 1000:.2f}/{lat.get('p99', 0) / 1000:.2f} ms; server CPU {cpu_us} us/answer"))
        if results:
            shutil.copy(path, os.path.join(results, f"punt-{name}-{mode}.json"))
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True,
                     text=True).stdout.strip()
with open(os.path.join(out, "report.md"), "w") as f:
    f.write(f"Machine: {cpu}, {os.cpu_count()} CPUs, {platform.platform()}\n\n")
    f.write(f"Load: {duration} s after 3 s warmup, {clients} client addresses, window {window}, "
            "through one OVS userspace bridge\n\n")
    f.write("| mode | server | answers/s | lost | latency p50 / p99 / p99.9 µs | server CPU µs/answer | results |\n")
    f.write("|---|---|---:|---:|---|---:|---|\n")
    f.write("\n".join(rows) + "\n")
print(open(os.path.join(out, "report.md")).read())
if results:
    with open(os.path.join(results, "punt.tsv"), "a") as f:
        for row in tsv:
            f.write("\t".join(str(c).replace("\t", " ") for c in row) + "\n")
PY
