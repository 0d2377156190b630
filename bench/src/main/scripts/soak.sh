#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
#
# The soak (not in CI): mixed PCP and NAT-PMP load at a fixed rate for a long time against the distribution with the
# reference netconfd gateway (it/src/test/resources/netconf-topology.sh: clients in the LAN namespace reach the
# controller through the gateway's relay, as in NetconfSystemTest), answer-after gateway-ack. Clients create new
# mappings (PCP 70 %, NAT-PMP 30 %; TCP and UDP; lifetimes 30 s to 10 min), refresh and delete some, and let the rest
# lapse. Every minute the heap is measured after a full GC (Jolokia). At the end, what the clients were told is
# compared with the datastore and with the DNAT the gateway's kernel applies: nothing answered SUCCESS and still
# within its lease may be missing, nothing deleted or lapsed may remain, and the two must agree.
# Needs root, netconfd, openssh-server, nftables, python3 (+ matplotlib for the plot), a JDK >= 21, a built tree.
#
#   bench/src/main/scripts/soak.sh [SECONDS] [RATE]      defaults: 3600 s at 5 requests/s
#
# Writes bench/target/soak/{events.jsonl,heap.csv,report.json,report.md,soak-heap.png}.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(cd .. && pwd)
duration=${1:-3600}
rate=${2:-5}
out=$root/bench/target/soak
scratch=$out/scratch
id=$(( $$ % 100000 ))
topology=$root/it/src/test/resources/netconf-topology.sh
here=$root/bench/src/main/scripts
. "$root/scripts/common.sh"
pick_jdk
assembly=$root/karaf/target/assembly
rest=http://localhost:8181/rests
password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
[ -x "$assembly/bin/karaf" ] || { echo "build first: ./mvnw -B -Pq install" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$scratch"
. "$here/karaf.sh"
heap_pid=""
cleanup() {
    set +e
    touch "$out/stop"
    [ -n "$heap_pid" ] && wait "$heap_pid"
    stop_karaf
    PCP_ROOT=$root bash "$topology" down "$scratch/topology" "$id"
}
trap cleanup EXIT INT TERM

PCP_ROOT=$root bash "$topology" up "$scratch/topology" "$id" "$password"
# forty LAN clients
clients=""
for i in $(seq 10 49); do
    ip -n "pcpnc$id" addr add "10.0.0.$i/24" dev c-lan
    clients=${clients:+$clients,}10.0.0.$i
done
start_karaf org.pcpcontroller.ingress.udp
# key login: the shared pcpgw user's password may be changed by another gateway started on this machine meanwhile
key=$(python3 -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$scratch/topology/client_key")
curl -sf -u admin:admin -X PUT -H 'Content-Type: application/json' "$rest/data/pcp-gateway:gateways/gateway=soak" \
    -d '{"pcp-gateway:gateway":[{"id":"soak","external-address":["192.0.3.1"],"internal-prefix":["10.0.0.0/24"],
         "udp-ingress":{"listen-address":["172.31.254.1"]},
         "policy":{"per-client-quota":100000,"max-mappings":0},
         "render":{"answer-after":"gateway-ack","response-timeout":30000},
         "netconf":{"address":"172.31.254.2","username":"pcpgw","private-key":'"$key"'}}]}'
for _ in $(seq 120); do
    curl -sf -u admin:admin "$rest/data/pcp-gateway:gateways/gateway=soak/state/netconf" | grep -q '"connected"' && break
    sleep 0.5
done
commit=$(git -C "$root" rev-parse --short HEAD)
echo "== soak of $commit: $duration s at $rate requests/s; heap every 60 s"
python3 "$here/soak.py" heap "$out/heap.csv" --rest "$rest" --gateway soak --every 60 --until-file "$out/stop" &
heap_pid=$!
ip netns exec "pcpnc$id" python3 "$here/soak.py" load "$out/events.jsonl" --server 10.0.0.1 --clients "$clients" \
    --rate "$rate" --duration "$duration"
touch "$out/stop"
wait "$heap_pid"
heap_pid=""
status=0
python3 "$here/soak.py" check "$out" --events "$out/events.jsonl" --rest "$rest" --gateway soak \
    --gateway-ns "pcpng$id" || status=$?
python3 "$here/soak.py" plot "$out" || echo "no plot (python3-matplotlib missing?)"
{
    echo "Soak of $commit on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs:"
    echo "bench/src/main/scripts/soak.sh $duration $rate"
    echo
    echo '| minute | heap after GC (MiB) | mappings |'
    echo '|---|---|---|'
    awk -F, 'NR > 1 { printf "| %d | %s | %s |\n", $1 / 60, $2, $3 }' "$out/heap.csv"
    echo
    echo '```'
    cat "$out/report.json"
    echo '```'
} > "$out/report.md"
cat "$out/report.md"
exit $status
