#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
#
# One controller holding many mappings: the heap they take, and how long a restart takes until the controller
# serves again with the same epoch and the same mappings.
#
#   [HEAP=4g] [FAMILY=ipv4|ipv6] bench/src/main/scripts/scale.sh [MAPPINGS]      (default 1000000)
#
# FAMILY=ipv6 makes the mappings IPv6 firewall pinholes instead (external endpoint = internal endpoint), from
# MAPPINGS/10 client addresses of 2001:db8:1::/64 with 10 pinholes each (PINHOLES per client), to [::1]:5351: the
# clients sit on an AnyIP route on the namespace's loopback. Every pinhole has an external address of its own, so this
# is where a per-address structure shows in the heap per mapping.
#
# A private copy of the distribution boots, in a network namespace of its own, with -Xmx$HEAP and one gateway with enough external addresses
# (192.0.3.1, .2, ...: 64,512 TCP ports each). The load generator creates MAPPINGS PCP MAPs (TCP, lifetime 2 h,
# every answer after the datastore commit) from 127/8 client addresses on the UDP ingress. Then:
#  - heap: used heap after a full GC (jcmd GC.run; GC.heap_info), before the load and after it; the difference per
#    mapping, and the class histogram's top entries;
#  - restart: Karaf is stopped (SIGTERM) and started again on the same data; timed from the launch to RESTCONF up,
#    to the store's "Loaded N mappings" log line, and to the first answer on the UDP ingress. A probe mapping made
#    before the stop must come back with the same external port, and the PCP epoch time must have continued
#    (RFC 6887 section 8.5: no more than the elapsed time plus 1 s, no less than it minus 2 s).
# Writes bench/target/scale/{load.json,report.md,histogram.txt}, and when RESULTS_DIR is set, rows
# "figure<TAB>system<TAB>value<TAB>unit<TAB>note" to $RESULTS_DIR/scale.tsv.
set -euo pipefail
cd "$(dirname "$0")/../../../.."

# Everything runs in a network namespace of its own, so that the controller's ports (8181, 2550, 5351, 6654...)
# cannot meet another controller's on this machine, and the load stays on that namespace's loopback.
if [ -z "${SCALE_NETNS:-}" ]; then
    ns=pcpscale$$
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    trap 'ip netns del "$ns"' EXIT
    status=0
    SCALE_NETNS=$ns ip netns exec "$ns" "$0" "$@" || status=$?
    exit "$status"
fi
root=$(pwd)
mappings=${1:-1000000}
heap=${HEAP:-4g}
family=${FAMILY:-ipv4}
pinholes=${PINHOLES:-10}
out=$root/bench/target/scale
scratch=$out/scratch
. "$root/scripts/common.sh"
pick_jdk
java=$JAVA_HOME/bin/java
jcmd=$JAVA_HOME/bin/jcmd
jar=$root/bench/target/benchmarks.jar
assembly=$root/karaf/target/assembly
rest=http://localhost:8181/rests

[ -f "$jar" ] && [ -x "$assembly/bin/karaf" ] || { echo "build first: ./mvnw -B -Pq install" >&2; exit 2; }
if (exec 3<>/dev/tcp/127.0.0.1/8181) 2>/dev/null; then
    echo "port 8181 is in use: stop the other controller first" >&2
    exit 2
fi
rm -rf "$out"
mkdir -p "$scratch"
. "$root/bench/src/main/scripts/karaf.sh"
trap stop_karaf EXIT INT TERM
export EXTRA_JAVA_OPTS="-Xmx$heap ${EXTRA_JAVA_OPTS:-}"

# PCP over UDP from python: "announce" prints the epoch time of the answer; "map PORT NONCE_HEX" prints
# "RESULT EXTERNAL_PORT EPOCH" for a TCP MAP of 127.0.0.250:PORT.
probe() {
    python3 - "$@" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.250", 0))
s.settimeout(5.0)
client = socket.inet_pton(socket.AF_INET6, "::ffff:127.0.0.250")
if sys.argv[1] == "announce":
    request = struct.pack("!BBHI", 2, 0, 0, 0) + client
else:
    port, nonce = int(sys.argv[2]), bytes.fromhex(sys.argv[3])
    request = struct.pack("!BBHI", 2, 1, 0, 7200) + client + nonce + struct.pack("!B3xHH", 6, port, 0) + bytes(16)
s.sendto(request, ("127.0.0.1", 5351))
answer = s.recv(1100)
result, epoch = answer[3], struct.unpack("!I", answer[8:12])[0]
if sys.argv[1] == "announce":
    print(result, epoch)
else:
    print(result, struct.unpack("!H", answer[42:44])[0], epoch)
EOF
}

# used heap after a full collection, in bytes
used_heap() {
    "$jcmd" "$karaf_pid" GC.run > /dev/null
    "$jcmd" "$karaf_pid" GC.heap_info | awk '/used/ && /total/ {
        for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); print v * 1024; exit } }'
}

# A - B with one decimal
minus() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'
}

row() {
    [ -n "${RESULTS_DIR:-}" ] && printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RESULTS_DIR/scale.tsv"
    printf '%s: %s %s (%s)\n' "$1" "$3" "$4" "$5"
}

addresses=$(( mappings / 64000 + 2 ))
external=$(seq -s, -f '"192.0.3.%g"' 1 "$addresses")
case $family in
    ipv4)
        clients=$(( mappings / 64000 + 1 ))
        target=127.0.0.1:5351
        first_client=127.0.0.2
        ;;
    ipv6)
        clients=$(( (mappings + pinholes - 1) / pinholes ))
        target=[::1]:5351
        first_client=2001:db8:1::2
        # every address of the /64 is local on lo (AnyIP), and may be bound without being configured one by one
        ip -6 route add local 2001:db8:1::/64 dev lo
        sysctl -qw net.ipv6.ip_nonlocal_bind=1
        # one socket per client
        ulimit -n $(( clients + 4096 ))
        ;;
    *) echo "FAMILY is ipv4 or ipv6, not $family" >&2; exit 2 ;;
esac

start_karaf org.pcpcontroller.ingress.udp
# the gateway holds every mapping (max-mappings 0: no limit) and takes the whole load (request-rate: the most the
# model allows); its IPv6 clients are counted per /64, so the quota is the one limit they share
curl -sf -u admin:admin -X PUT -H 'Content-Type: application/json' "$rest/data/pcp-gateway:gateways/gateway=scale" \
    -d '{"pcp-gateway:gateway":[{"id":"scale","external-address":['"$external"'],
         "internal-prefix":["127.0.0.0/8","2001:db8:1::/64"],
         "external-port-range":{"start":1024,"end":65535},"udp-ingress":{"listen-address":["127.0.0.1","::1"]},
         "policy":{"per-client-quota":'"$(( mappings + 1000000 ))"',"max-mappings":0,
                   "request-rate":4294967295}}]}'
for _ in $(seq 60); do
    probe announce > /dev/null 2>&1 && break
    sleep 0.5
done
before=$(used_heap)
echo "heap used before the load: $((before / 1048576)) MiB"

nonce=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
read -r result probe_port _ < <(probe map 4242 "$nonce")
[ "$result" = 0 ] || { echo "probe MAP refused: result $result" >&2; exit 1; }

echo "== $mappings PCP MAPs ($family) from $clients clients"
"$java" -cp "$jar" org.pcpcontroller.bench.load.LoadGenerator --target "$target" --mode pcp-map \
    --requests "$mappings" --window 512 --threads 2 --clients "$clients" --first-client "$first_client" \
    --shared-ports --port-base 1024 \
    --lifetime 7200 --timeout 30s --pid "$karaf_pid" --out "$out/load.json" | tail -n 5
created=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["main"]["resultCodes"].get("SUCCESS", 0))' \
    "$out/load.json")
rate=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["main"]["answeredPerSecond"]))' \
    "$out/load.json")
# the gateway's state is republished every few seconds
for _ in $(seq 30); do
    count=$(curl -sf -u admin:admin "$rest/data/pcp-gateway:gateways/gateway=scale/state/mapping-count" \
        | grep -o '[0-9]*' | tail -1 || echo "?")
    [ "$count" = "$((created + 1))" ] && break
    sleep 1
done
after=$(used_heap)
"$jcmd" "$karaf_pid" GC.class_histogram | head -n 25 > "$out/histogram.txt"
held=$((created + 1))
per=$(( (after - before) / held ))
row "mappings held" pcp-controller "$held" mappings "created at $rate/s; gateway state says $count"
row "heap used with $held mappings" pcp-controller "$((after / 1048576))" MiB "after full GC, -Xmx$heap"
label=""
[ "$family" = ipv6 ] && label=" (IPv6 pinholes)"
row "heap per mapping$label" pcp-controller "$per" bytes "($((after / 1048576)) - $((before / 1048576)) MiB) / $held"

echo "== restart"
read -r _ epoch1 < <(probe announce)
stop_at=$(date +%s.%N)
kill "$karaf_pid" 2>/dev/null || true
wait "$karaf_launcher" 2>/dev/null || true
stopped=$(date +%s.%N)
echo "stopped in $(minus "$stopped" "$stop_at") s"
# the first boot's log says "Loaded 0 mappings": keep it apart
mv "$scratch/karaf/data/log/karaf.log" "$scratch/karaf/data/log/karaf-first-boot.log"
launch=$(date +%s.%N)
"$scratch/karaf/bin/karaf" server > "$scratch/karaf-restart.out" 2>&1 &
karaf_launcher=$!
restconf="" loaded="" serving=""
deadline=$(( $(date +%s) + 600 ))
while [ -z "$serving" ] || [ -z "$loaded" ] || [ -z "$restconf" ]; do
    kill -0 "$karaf_launcher" 2>/dev/null || { echo "Karaf exited" >&2; exit 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "not serving 600 s after the restart" >&2; break; }
    now=$(date +%s.%N)
    if [ -z "$restconf" ] && curl -sf -o /dev/null -u admin:admin "$rest/data/pcp-gateway:gateways/gateway=scale/id"
    then
        restconf=$(minus "$now" "$launch")
    fi
    if [ -z "$loaded" ] && grep -qs "Loaded [0-9]* mappings" "$scratch/karaf/data/log/karaf.log"; then
        loaded=$(minus "$now" "$launch")
    fi
    if [ -z "$serving" ] && probe announce > /dev/null 2>&1; then
        serving=$(minus "$(date +%s.%N)" "$launch")
    fi
    sleep 0.2
done
karaf_pid=$(ps -o pid= --ppid "$karaf_launcher" | head -1 | tr -d ' ')
read -r result port2 epoch2 < <(probe map 4242 "$nonce")
elapsed=$(minus "$(date +%s.%N)" "$stop_at")
log_line=$(grep -o "Loaded [0-9]* mappings" "$scratch/karaf/data/log/karaf.log" | tail -1)
continuity=$(python3 -c "import sys; e1, e2, t = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]);
print('yes' if t - 2 <= e2 - e1 <= t + 1 + 1 else 'no')" "$epoch1" "$epoch2" "$elapsed")
same=$([ "$result" = 0 ] && [ "$port2" = "$probe_port" ] && echo yes || echo no)
row "restart to serving with $held mappings" pcp-controller "${serving:-not serving}" s \
    "RESTCONF ${restconf:-?} s, store '$log_line' at ${loaded:-?} s"
row "epoch continuity after restart" pcp-controller "$continuity" "" \
    "epoch $epoch1 -> $epoch2 over $elapsed s; probe mapping kept its port: $same"

{
    echo "# Scale: $held mappings in one controller ($(date -u +%F))"
    echo
    echo "Command: \`HEAP=$heap FAMILY=$family bench/src/main/scripts/scale.sh $mappings\`; machine: $(nproc) vCPUs," \
        "$(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -1)"
    echo
    echo "| figure | value |"
    echo "|---|---|"
    echo "| mappings created | $created at $rate/s (gateway state: $count) |"
    echo "| heap used before / after (after full GC) | $((before / 1048576)) / $((after / 1048576)) MiB |"
    echo "| heap per mapping | $per bytes |"
    echo "| restart: RESTCONF / store loaded / UDP answering | $restconf / $loaded / $serving s |"
    echo "| epoch continuity; probe mapping same port | $continuity ($epoch1 -> $epoch2 over $elapsed s); $same |"
    echo
    echo '```'
    cat "$out/histogram.txt"
    echo '```'
} > "$out/report.md"
echo "report: $out/report.md"
