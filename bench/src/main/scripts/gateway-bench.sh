#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
# Figures of the reference gateway side alone (docs/gateway.md), for both agents:
#   - the time of one change (one new mapping: edit-config + commit) with 100 / 1,000 / 10,000 mappings
#     held, from sending the edit to the commit's reply and from the reply to the DNAT in the kernel;
#   - mappings per second rendered into a gateway holding 10,000, in batches of 500 mappings (1,000 rules)
#     per edit-config + commit, as the controller batches, counted until the last one is in the kernel.
# Each run is a fresh gateway (start-gateway.sh, candidate target) in a network namespace of its own.
# Needs root and what ./test.sh installs. Usage:
#   [GATEWAY_BENCH_TARGET=running] bench/src/main/scripts/gateway-bench.sh [AGENTS (default "apply sil")] \
#       [HELD (default "100 1000 10000")]
# Writes one JSON line per run to bench/target/gateway-bench/results-<target>.jsonl and prints them.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(cd .. && pwd)
agents=${1:-apply sil}
helds=${2:-100 1000 10000}
batches=${GATEWAY_BENCH_BATCHES:-4}
target=${GATEWAY_BENCH_TARGET:-candidate}   # netconfd --target: candidate (+ commit) or running
out=$root/bench/target/gateway-bench
mkdir -p "$out"
: > "$out/results-$target.jsonl"
ns="" work=""
cleanup() {
    set +e
    [ -n "$work" ] && [ -f "$work/pids" ] && bash "$root/gateway/stop-gateway.sh" "$work" >/dev/null
    [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
    [ -n "$work" ] && rm -rf "$work"
    ns="" work=""
}
trap cleanup EXIT
trap "exit 130" INT TERM
echo "machine: $(nproc) CPUs, $(uname -r), $(nft --version), netconfd $(dpkg-query -W -f='${Version}' netconfd)"
for agent in $agents; do
    for held in $helds; do
        ns=pcpgw-bench-$$-$RANDOM
        work=$(mktemp -d /tmp/pcpgw-bench.XXXXXX)
        chmod 711 "$work"
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        PCPGW_PASSWORD="b-$RANDOM$RANDOM" PCPGW_TARGET=$target PCPGW_AGENT=$agent PCPGW_TABLE=pcp \
            bash "$root/gateway/start-gateway.sh" "$ns" "$work" >/dev/null
        extra=()
        [ "$held" -ge 10000 ] && extra=(--batches "$batches")
        line=$(ip netns exec "$ns" /usr/bin/python3 "$root/bench/src/main/scripts/gateway-bench.py" \
            "$work/ncxserver.sock" "$ns" "$agent" "$held" --target "$target" "${extra[@]}")
        # the agent's own share: pcp-nft-agentd logs each transaction's duration
        if [ "$agent" = sil ]; then
            agentd=$(grep -o 'applied 2 puts.* in [0-9.]* ms' "$work/netconfd.out" | sed 's/.* in \([0-9.]*\) ms/\1/' | tr '\n' ' ')
            line="${line%\}}, \"agentd_single_change_ms\": \"${agentd% }\"}"
        fi
        echo "$line" | tee -a "$out/results-$target.jsonl"
        cleanup
    done
done
