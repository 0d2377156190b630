#!/usr/bin/env bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
# Figures of a three-member cluster (scripts/cluster.sh) on this machine:
#  - boot: from the first member's launch until every member serves and every shard has a leader, fresh copies;
#  - RSS of each member's JVM (VmRSS) and its heap in use after a full GC, idle after the boot and after MAPPINGS
#    PCP MAPs were made on member-1;
#  - failover: ROUNDS times, kill -9 the member that leads the config datastore's default shard (where the
#    mappings and gateways are) and time, from the SIGKILL, until a write on a surviving member commits
#    (RESTCONF PUT of a gateway, each attempt bounded by 30 s); then start the killed member again and time until it
#    serves (it catches up from the new leader);
#  - singleton failover: ROUNDS times, kill -9 the member that runs the cluster singleton "yanglib-mdsal-writer" (one
#    ODL itself runs) and time, from the SIGKILL, until the entity ownership service reports another member as the
#    owner of its cleanup entity, i.e. the new member has started the service (odl-entity-owners:get-entity-owner).
#
#   scripts/cluster-bench.sh DIR [MAPPINGS [ROUNDS]]     (defaults 100000 and 5; DIR must not hold a cluster yet)
#   MAPPINGS 0 leaves out the MAPs; SINGLETON_ROUNDS (default ROUNDS) and FAILOVER_ROUNDS (default ROUNDS) choose
#   how many kills of each kind.
#
# The MAPs come from the load generator (bench/target/benchmarks.jar), run in member-1's namespace against its UDP
# ingress on 127.0.0.1:5351, every answer after the datastore commit. Rows "figure<TAB>value<TAB>unit<TAB>note" go to
# DIR/figures.tsv. Needs root; stops every member it started (by PID) and removes the network at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/common.sh"
dir=$1
mappings=${2:-100000}
rounds=${3:-5}
failover_rounds=${FAILOVER_ROUNDS:-$rounds}
singleton_rounds=${SINGLETON_ROUNDS:-$rounds}
cluster="$root/scripts/cluster.sh"
jar=$root/bench/target/benchmarks.jar

[ -f "$jar" ] || { echo "build first: ./mvnw -B -Pq install" >&2; exit 2; }
[ ! -e "$dir/member-1" ] || { echo "$dir holds a cluster already: give a fresh directory" >&2; exit 2; }
pick_jdk
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
trap '"$cluster" down "$dir"' EXIT

row() {
    printf '%s\t%s\t%s\t%s\n' "$@" >> "$dir/figures.tsv"
    printf '%-44s %s %s (%s)\n' "$1" "$2" "$3" "$4"
}

url() { "$cluster" url "$dir" "$1"; }

rss_mib() {
    local pid
    pid=$("$cluster" java-pid "$dir" "$1")
    awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status"
}

# heap in use after a full collection, MiB (what the data takes, unlike RSS, which follows the committed heap)
heap_mib() {
    local pid
    pid=$("$cluster" java-pid "$dir" "$1")
    "$JAVA_HOME/bin/jcmd" "$pid" GC.run > /dev/null
    "$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info | awk '/used/ && /total/ {
        for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); printf "%d", v / 1024; exit } }'
}

measure_memory() {
    local i
    for i in 1 2 3; do
        row "RSS member-$i $1" "$(rss_mib "$i")" MiB "VmRSS, -Xmx${CLUSTER_HEAP:-2g}"
    done
    for i in 1 2 3; do
        row "heap used member-$i $1" "$(heap_mib "$i")" MiB "after a full GC (jcmd GC.run)"
    done
}

# Which member leads the config datastore's default shard, as member-1..N's shard MBeans see it.
default_leader() {
    local i leader
    for i in $(seq 3); do
        leader=$(curl -sf -m 5 -u admin:admin \
            "http://$(url "$i" | cut -d/ -f3)/jolokia/read/org.opendaylight.controller:type=DistributedConfigDatastore,Category=Shards,name=member-$i-shard-default-config/Leader" \
            | python3 -c 'import json,sys; v=json.load(sys.stdin).get("value"); print(v or "")' 2>/dev/null) || continue
        if [ -n "$leader" ]; then
            echo "$leader" | sed -n 's/^member-\([0-9]*\)-shard-.*/\1/p'
            return 0
        fi
    done
    return 1
}

# A write to the config datastore's default shard: the description of a gateway made before the rounds (a new
# gateway would set every member's engine writing its epoch; a changed description is parsed and left alone).
put_probe() {
    curl -s -o /dev/null -m 30 -w '%{http_code}' -u admin:admin -X PUT -H 'Content-Type: application/json' \
        "$(url "$1")/data/pcp-gateway:gateways/gateway=failover-probe/description" \
        -d '{"pcp-gateway:description":"'"$2"'"}' || true
}

now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }

echo "== boot"
begin=$(now)
"$cluster" up "$dir"
row "boot, 3 members, fresh" "$(since "$begin")" s "launch of member-1 to every member serving with shard leaders"
sleep 30   # let the boot's background work (snapshots, JIT) settle before reading the idle RSS
measure_memory "idle, 30 s after the boot"

if [ "$mappings" -gt 0 ]; then
    echo "== $mappings PCP MAPs on member-1"
    addresses=$(( mappings / 64000 + 2 ))
    external=$(seq -s, -f '"192.0.3.%g"' 1 "$addresses")
    curl -sf -u admin:admin -X PUT -H 'Content-Type: application/json' "$(url 1)/data/pcp-gateway:gateways/gateway=scale" \
        -d '{"pcp-gateway:gateway":[{"id":"scale","external-address":['"$external"'],"internal-prefix":["127.0.0.0/8"],
             "external-port-range":{"start":1024,"end":65535},"udp-ingress":{"listen-address":["127.0.0.1"]},
             "policy":{"per-client-quota":1000000,"max-mappings":0,"request-rate":4294967295}}]}'
    for _ in $(seq 60); do
        ip netns exec "$("$cluster" namespace "$dir" 1)" ss -lun | grep -q '127.0.0.1:5351' && break
        sleep 0.5
    done
    begin=$(now)
    ip netns exec "$("$cluster" namespace "$dir" 1)" "$JAVA_HOME/bin/java" -cp "$jar" \
        org.pcpcontroller.bench.load.LoadGenerator --target 127.0.0.1:5351 --mode pcp-map --requests "$mappings" \
        --window 256 --threads 2 --clients $(( mappings / 64000 + 1 )) --shared-ports --port-base 1024 --lifetime 7200 \
        --timeout 30s --out "$dir/load.json" | tail -n 5
    created=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["main"]["resultCodes"].get("SUCCESS", 0))' \
        "$dir/load.json")
    row "MAPs created on member-1" "$created" MAPs "of $mappings requested, in $(since "$begin") s"
    # every member holds them: count member-3's copy
    count=$(curl -sf -m 120 -u admin:admin "$(url 3)/data/pcp-mapping:mappings/gateway=scale?content=config" \
        | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["pcp-mapping:gateway"][0].get("map", [])))')
    row "MAPs read back on member-3" "$count" MAPs "RESTCONF GET of the gateway's mappings"
    sleep 30
    measure_memory "30 s after the MAPs"
fi
curl -sf -o /dev/null -u admin:admin -X PUT -H 'Content-Type: application/json' \
    "$(url 1)/data/pcp-gateway:gateways/gateway=failover-probe" \
    -d '{"pcp-gateway:gateway":[{"id":"failover-probe","description":"made before the rounds"}]}'
sleep 5

for round in $(seq "$failover_rounds"); do
    echo "== failover $round"
    leader=$(default_leader)
    survivor=$(( leader % 3 + 1 ))
    code=$(put_probe "$survivor" "before-$round")
    case $code in 200|201|204) ;; *) echo "the write before the kill failed: HTTP $code" >&2; exit 1 ;; esac
    begin=$(now)
    "$cluster" kill "$dir" "$leader" > /dev/null
    attempts=0
    while :; do
        attempts=$((attempts + 1))
        code=$(put_probe "$survivor" "round-$round-$attempts")
        case $code in 200|201|204) break ;; esac
        [ "$(since "$begin" | cut -d. -f1)" -lt 120 ] || { echo "no write within 120 s" >&2; exit 1; }
        sleep 0.1
    done
    row "failover $round: write accepted again" "$(since "$begin")" s \
        "kill -9 of member-$leader (default config shard leader), PUT on member-$survivor, $attempts attempt(s)"
    begin=$(now)
    "$cluster" start "$dir" "$leader" > /dev/null
    row "failover $round: member-$leader serves again" "$(since "$begin")" s "restart after the kill -9"
done

owner() {
    curl -sf -m 10 -u admin:admin -X POST -H 'Content-Type: application/json' \
        "$(url "$1")/operations/odl-entity-owners:get-entity-owner" \
        -d '{"input":{"type":"org.opendaylight.mdsal.'"$2"'","name":"yanglib-mdsal-writer"}}' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["odl-entity-owners:output"].get("owner-node", ""))' \
        2>/dev/null || true
}

for round in $(seq "$singleton_rounds"); do
    echo "== singleton failover $round"
    holder=$(owner 1 AsyncServiceCloseEntityType | sed -n 's/^member-//p')
    [ -n "$holder" ] || { echo "nobody runs the yanglib-mdsal-writer singleton" >&2; exit 1; }
    survivor=$(( holder % 3 + 1 ))
    begin=$(now)
    "$cluster" kill "$dir" "$holder" > /dev/null
    while :; do
        new=$(owner "$survivor" AsyncServiceCloseEntityType)
        [ -n "$new" ] && [ "$new" != "member-$holder" ] && break
        [ "$(since "$begin" | cut -d. -f1)" -lt 120 ] || { echo "no new singleton owner within 120 s" >&2; exit 1; }
        sleep 0.2
    done
    row "singleton $round: runs on another member" "$(since "$begin")" s \
        "kill -9 of member-$holder (owner of yanglib-mdsal-writer), now $new, asked on member-$survivor"
    "$cluster" start "$dir" "$holder" > /dev/null
done

python3 - "$dir/figures.tsv" <<'EOF'
import statistics, sys
for label, key in (("datastore failover", ": write accepted again"), ("singleton failover", ": runs on another")):
    times = [float(l.split("\t")[1]) for l in open(sys.argv[1]) if key in l]
    if times:
        print(f"{label}: min {min(times):.1f} s, median {statistics.median(times):.1f} s, max {max(times):.1f} s"
              f" over {len(times)} kills")
EOF
