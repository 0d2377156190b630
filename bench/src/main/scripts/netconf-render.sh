#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
#
# How fast mappings reach one real NETCONF gateway, and how long a reconcile of a full gateway takes.
# The gateway is the reference one (netconfd + sshd + pcp-nft-apply, see docs/gateway.md) in a network namespace;
# PCP Controller answers PCP MAP requests from the load generator on 127.0.0.1:5351 with answer-after gateway-ack,
# so every SUCCESS counted is a mapping netconfd acknowledged. Then the gateway is restarted with an empty
# configuration and the controller's reconcile puts every rule back; its log line gives the time.
# Needs root, netconfd, openssh-server, nftables, a JDK >= 21 and a built tree (./mvnw -Pq install).
#
#   [PCPGW_TARGET=running] [RECONCILE_WAIT=900] bench/src/main/scripts/netconf-render.sh [ACKED] [TOTAL] [WINDOW]
#     ACKED  mappings answered after the gateway's ack (default 2000): mappings rendered per second
#     TOTAL  mappings on the gateway before it is emptied and reconciled (default 10000); the rest are
#            answered after the datastore commit, so that filling the gateway does not take all day
#
# Writes bench/target/netconf-render/{map.json,report.md}; with RESULTS_DIR set (bench/compare.sh), also appends
# figure<TAB>system<TAB>value<TAB>unit<TAB>note rows to $RESULTS_DIR/netconf.tsv and copies map.json there.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(cd .. && pwd)
acked=${1:-2000}
total=${2:-10000}
window=${3:-2048}
out=$root/bench/target/netconf-render
scratch=$out/scratch
id=$(( $$ % 100000 ))
topology=$root/it/src/test/resources/netconf-topology.sh
. "$root/scripts/common.sh"
pick_jdk
java=$JAVA_HOME/bin/java
jar=$root/bench/target/benchmarks.jar
assembly=$root/karaf/target/assembly
rest=http://localhost:8181/rests
password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')

[ -f "$jar" ] && [ -x "$assembly/bin/karaf" ] || { echo "build first: ./mvnw -B -Pq install" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$scratch"
. "$root/bench/src/main/scripts/karaf.sh"
cleanup() {
    set +e
    stop_karaf
    PCP_ROOT=$root bash "$topology" down "$scratch/topology" "$id"
}
trap cleanup EXIT INT TERM

PCP_ROOT=$root bash "$topology" up "$scratch/topology" "$id" "$password"
start_karaf org.pcpcontroller.ingress.udp
curl -sf -u admin:admin -X PUT -H 'Content-Type: application/json' "$rest/data/pcp-gateway:gateways/gateway=bench" \
    -d '{"pcp-gateway:gateway":[{"id":"bench","external-address":["192.0.3.1"],"internal-prefix":["127.0.0.0/8"],
         "external-port-range":{"start":1024,"end":65535},"udp-ingress":{"listen-address":["127.0.0.1"]},
         "policy":{"per-client-quota":1000000,"max-mappings":0,"request-rate":4294967295},
         "render":{"response-timeout":30000},
         "netconf":{"address":"172.31.254.2","username":"pcpgw","password":"'"$password"'",
                    "reconcile-interval":86400}}]}'
for _ in $(seq 120); do
    curl -sf -u admin:admin "$rest/data/pcp-gateway:gateways/gateway=bench/state/netconf" | grep -q '"connected"' && break
    sleep 0.5
done

echo "== $acked PCP MAP requests, answered after netconfd acknowledged the rules"
"$java" -cp "$jar" org.pcpcontroller.bench.load.LoadGenerator --target 127.0.0.1:5351 --mode pcp-map \
    --requests "$acked" --window "$window" --clients 16 --protocol udp --lifetime 7200 --timeout 60s \
    --port-base 1024 --pid "$karaf_pid" --out "$out/map.json" | tail -n 8
rules=$(ip netns exec "pcpng$id" nft list table inet pcp-controller | grep -c 'dnat ip to' || true)
echo "DNAT rules in nftables: $rules"

echo "== filling the gateway to $total mappings, answered after the datastore commit"
curl -sf -u admin:admin -X PATCH -H 'Content-Type: application/json' \
    "$rest/data/pcp-gateway:gateways/gateway=bench/render" -d '{"pcp-gateway:render":{"answer-after":"datastore-commit"}}'
"$java" -cp "$jar" org.pcpcontroller.bench.load.LoadGenerator --target 127.0.0.1:5351 --mode pcp-map \
    --requests "$((total - acked))" --window 256 --clients 16 --first-client 127.0.1.2 --protocol udp \
    --lifetime 7200 --timeout 10s | tail -n 4
for _ in $(seq 1200); do
    held=$(ip netns exec "pcpng$id" nft list table inet pcp-controller | grep -c 'dnat ip to' || true)
    [ "$held" -ge "$total" ] && break
    sleep 1
done
echo "DNAT rules in nftables: $held"
echo "== gateway restarted with an empty configuration; waiting for the reconcile"
log=$scratch/karaf/data/log/karaf.log
before=$(grep -c 'reconciled in' "$log" || true)
PCP_ROOT=$root bash "$topology" restart-gateway "$scratch/topology" "$id"
wait_s=${RECONCILE_WAIT:-900}
for _ in $(seq $((wait_s * 2))); do
    [ "$(grep -c 'reconciled in' "$log" || true)" -gt "$before" ] && break
    sleep 0.5
done
if [ "$(grep -c 'reconciled in' "$log" || true)" -gt "$before" ]; then
    reconcile=$(grep 'reconciled in' "$log" | tail -1 | sed 's/.*Gateway bench: //')
else
    reconcile="not finished within $wait_s s"
fi
echo "$reconcile"
sleep 2
after=$(ip netns exec "pcpng$id" nft list table inet pcp-controller | grep -c 'dnat ip to' || true)
echo "DNAT rules in nftables after the reconcile: $after"

python3 - "$out" "$acked" "$window" "$rules" "$after" "$reconcile" "$held" "${RESULTS_DIR:-}" <<'PY'
import json, os, platform, re, shutil, sys
out, acked, window, rules, after, reconcile, held, results = sys.argv[1:9]
m = json.load(open(os.path.join(out, "map.json")))["main"]
cpu = open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": \t")
lat = m["latencyMicros"]
with open(os.path.join(out, "report.md"), "w") as f:
    f.write(f"Machine: {cpu}, {os.cpu_count()} CPUs, {platform.platform()}\n\n")
    f.write("| figure | value |\n|---|---|\n")
    f.write(f"| MAP requests answered after the gateway's ack | {m['answered']:,} of {m['sent']:,} "
            f"(results {m['resultCodes']}) |\n")
    f.write(f"| mappings rendered per second (window {window}) | {m['answeredPerSecond']:,.0f} |\n")
    f.write(f"| latency p50 / p99 / p99.9 | {lat['p50']/1000:.1f} / {lat['p99']/1000:.1f} / "
            f"{lat['p999']/1000:.1f} ms |\n")
    f.write(f"| DNAT rules in nftables after the load | {rules} |\n")
    f.write(f"| DNAT rules held before the gateway was emptied | {held} |\n")
    f.write(f"| reconcile of the emptied gateway | {reconcile} |\n")
    f.write(f"| DNAT rules in nftables after the reconcile | {after} |\n")
print(open(os.path.join(out, "report.md")).read())
if results:
    shutil.copy(os.path.join(out, "map.json"), os.path.join(results, "netconf-map.json"))
    codes = ", ".join(f"{k} {v}" for k, v in sorted(m["resultCodes"].items()))
    found = re.search(r"reconciled in ([0-9.]+) ?(ms|s)\b", reconcile)
    seconds = "-" if not found else "%.1f" % (float(found.group(1)) / (1000 if found.group(2) == "ms" else 1))
    rows = [
        ("mappings rendered per second (gateway-ack)", "pcp-controller", f"{m['answeredPerSecond']:.0f}",
         "mappings/s", f"{acked} PCP MAP requests answered after netconfd's ack, closed loop, window {window}; "
                       f"{m['answered']} of {m['sent']} answered; {codes}"),
        ("gateway-ack latency p99", "pcp-controller", f"{lat['p99'] / 1000:.1f}", "ms",
         f"closed loop, window {window} (not at 5,000/s); p50 {lat['p50'] / 1000:.1f} ms, "
         f"p99.9 {lat['p999'] / 1000:.1f} ms"),
        ("DNAT rules in nftables after the acked load", "netconfd", rules, "rules", f"after {acked} acked mappings"),
        ("DNAT rules before the gateway was emptied", "netconfd", held, "rules", ""),
        ("reconcile of the emptied gateway", "pcp-controller", seconds, "s", f"{reconcile}; {after} DNAT rules after"),
    ]
    with open(os.path.join(results, "netconf.tsv"), "a") as f:
        for row in rows:
            f.write("\t".join(str(c).replace("\t", " ") for c in row) + "\n")
PY
