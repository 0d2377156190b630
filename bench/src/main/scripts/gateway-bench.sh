#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
# Figures of the reference gateway side alone (docs/gateway.md, "Figures"), for the three agents in one run:
#   apply  netconfd + pcp-nft-apply (the baseline), sil  netconfd + its SIL module, nc  pcp-nc-agent (no netconfd).
# For each agent and each number of mappings held (100 / 1,000 / 10,000, put into the startup configuration, so
# that the gateway starts with them):
#   - the time of one change (one new mapping: edit-config, + commit with a candidate), from sending the edit to the
#     reply and from the reply to the DNAT in the kernel (5 changes; GATEWAY_BENCH_CHANGES);
#   - at 10,000 held: mappings per second rendered in edits of 500 mappings (1,000 rules) sent back to back, as the
#     controller sends a large change, counted until the last one is in the kernel (GATEWAY_BENCH_BATCHES edits,
#     default 4);
#   - at 100 held: the ack (arrival to DNAT in the kernel) of mappings arriving at 100 per second for
#     GATEWAY_BENCH_ACK_SECONDS (default 20), one edit in flight at a time, the oldest leaving so that 100 stay held.
# Each run is a fresh gateway (start-gateway.sh; netconfd with GATEWAY_BENCH_TARGET, default candidate; the nc
# agent has running only) in a network namespace of its own, and is stopped after GATEWAY_BENCH_RUN_TIMEOUT seconds
# (default 2400; the run then reports the timeout). Needs root and what ./test.sh installs. Usage:
#   bench/src/main/scripts/gateway-bench.sh [AGENTS (default "nc sil apply")] [HELD (default "100 1000 10000")]
# Writes one JSON line per run to bench/target/gateway-bench/results.jsonl and prints them.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(cd .. && pwd)
agents=${1:-nc sil apply}
helds=${2:-100 1000 10000}
batches=${GATEWAY_BENCH_BATCHES:-4}
changes=${GATEWAY_BENCH_CHANGES:-5}
ack_seconds=${GATEWAY_BENCH_ACK_SECONDS:-20}
run_timeout=${GATEWAY_BENCH_RUN_TIMEOUT:-2400}
target=${GATEWAY_BENCH_TARGET:-candidate}   # netconfd --target: candidate (+ commit) or running
out=$root/bench/target/gateway-bench
bench=$root/bench/src/main/scripts/gateway-bench.py
mkdir -p "$out"
: > "$out/results.jsonl"
ns="" work=""
cleanup() {
    set +e
    [ -n "$work" ] && [ -f "$work/pids" ] && bash "$root/gateway/stop-gateway.sh" "$work" >/dev/null 2>&1
    [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
    [ -n "$work" ] && rm -rf "$work"
    ns="" work=""
}
trap cleanup EXIT
trap "exit 130" INT TERM
echo "machine: $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $(nft --version)," \
    "netconfd $(dpkg-query -W -f='${Version}' netconfd), libnetconf2 $(dpkg-query -W -f='${Version}' libnetconf2-2)," \
    "libyang2 $(dpkg-query -W -f='${Version}' libyang2)"
expires=$(date -u -d "+4 hours" +%Y-%m-%dT%H:%M:%SZ)
for agent in $agents; do
    for held in $helds; do
        ns=pcpgw-bench-$$-$RANDOM
        work=$(mktemp -d /tmp/pcpgw-bench.XXXXXX)
        chmod 711 "$work"
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        t=$target
        [ "$agent" = nc ] && t=running
        # the held mappings are in the startup configuration: filling a netconfd gateway by edits takes ~20 minutes
        if [ "$agent" = nc ]; then
            /usr/bin/python3 "$bench" seed "$work/startup.xml" "$held" --expires "$expires"
            connect=unix:$work/agent.sock
        else
            PCPGW_TABLE=pcp bash "$root/gateway/nacm-startup.sh" pcpgw > "$work/nacm.xml"
            /usr/bin/python3 "$bench" seed "$work/startup.xml" "$held" --expires "$expires" --template "$work/nacm.xml"
            connect=subsystem:$work/ncxserver.sock
        fi
        PCPGW_PASSWORD="b-$RANDOM$RANDOM" PCPGW_TARGET=$t PCPGW_AGENT=$agent PCPGW_TABLE=pcp \
            bash "$root/gateway/start-gateway.sh" "$ns" "$work" >/dev/null
        extra=()
        [ "$held" -ge 10000 ] && extra+=(--batches "$batches")
        [ "$held" -eq 100 ] && extra+=(--ack-rate 100 --ack-seconds "$ack_seconds")
        if ! line=$(timeout "$run_timeout" ip netns exec "$ns" /usr/bin/python3 "$bench" "$agent" "$held" \
                --connect "$connect" --seeded --expires "$expires" --changes "$changes" "${extra[@]}"); then
            line="{\"agent\": \"$agent\", \"held\": $held, \"target\": \"$t\", \"error\": \"did not finish within $run_timeout s\"}"
        fi
        # the agent's own share of each single change, from its log
        if [ "$agent" = sil ]; then
            own=$(grep -o 'applied 2 puts, 0 deletes.* in [0-9.]* ms' "$work/netconfd.out" | sed 's/.* in \([0-9.]*\) ms/\1/' | tr '\n' ' ')
            line="${line%\}}, \"agentd_single_change_ms\": \"${own% }\"}"
        elif [ "$agent" = nc ]; then
            own=$(grep -o '2 puts, 0 deletes in nftables .* total [0-9.]* ms' "$work/pcp-nc-agent.log" | sed 's/.* total \([0-9.]*\) ms/\1/' | tr '\n' ' ')
            line="${line%\}}, \"agent_single_change_ms\": \"${own% }\"}"
        fi
        echo "$line" | tee -a "$out/results.jsonl"
        cleanup
    done
done
