#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
#
# Sourced by the comparison scripts: a private copy of the distribution, started and stopped by PID.
# Needs $assembly (the built distribution) and $scratch (where the copy goes); sets $karaf_launcher and $karaf_pid.
# With $karaf_netns set, Karaf runs in that network namespace, and RESTCONF is reached from inside it (karaf_in curl).

karaf_launcher=""
karaf_pid=""

# karaf_in COMMAND...: runs COMMAND in Karaf's network namespace, if it has one.
karaf_in() {
    if [ -n "${karaf_netns:-}" ]; then ip netns exec "$karaf_netns" "$@"; else "$@"; fi
}

# start_karaf CONFIG_PID [CFG_FILE...]: boots the copy with the per-client rate limit of CONFIG_PID lifted (the load
# comes from few addresses at a high rate; the limit protects a real fleet) and the settings of the given files set in
# the files of the same name in its etc (set_cfg, scripts/common.sh), and returns once RESTCONF serves.
start_karaf() {
    # another Karaf listening here would answer in this one's place, and take this run's configuration
    local port
    for port in 8181 8101 6654; do
        if karaf_in ss -Hltn "sport = :$port" | grep -q .; then
            echo "TCP port $port is taken${karaf_netns:+ in namespace $karaf_netns} (another Karaf?): not starting" >&2
            exit 1
        fi
    done
    cp -a "$assembly" "$scratch/karaf"
    set_cfg "$scratch/karaf/etc/$1.cfg" clientRate 10000000
    set_cfg "$scratch/karaf/etc/$1.cfg" clientBurst 10000000
    local file key value
    for file in "${@:2}"; do
        while IFS='=' read -r key value || [ -n "$key" ]; do
            key=${key//[[:space:]]/}
            case $key in ''|'#'*|'!'*) continue ;; esac
            set_cfg "$scratch/karaf/etc/$(basename "$file")" "$key" "$(echo "$value" | sed 's/^[[:space:]]*//')"
        done < "$file"
    done
    # ip netns exec execs Karaf's launcher, so $! is the launcher's PID either way
    ${karaf_netns:+ip netns exec "$karaf_netns"} "$scratch/karaf/bin/karaf" server > "$scratch/karaf.out" 2>&1 &
    karaf_launcher=$!
    local i
    for i in $(seq 300); do
        kill -0 "$karaf_launcher" 2>/dev/null || { echo "Karaf exited: $(cat "$scratch/karaf.out")" >&2; exit 1; }
        [ "$i" = 300 ] && { echo "RESTCONF did not come up" >&2; exit 1; }
        karaf_in curl -sf -o /dev/null -u admin:admin -H 'Content-Type: application/json' \
            -d '{"input":{"gateway-id":"probe"}}' "$rest/operations/pcp-mapping:clear-gateway" && break
        sleep 1
    done
    karaf_pid=$(ps -o pid= --ppid "$karaf_launcher" | head -1 | tr -d ' ')
}

# stop_karaf: the JVM and its launcher, by PID; nothing when it is not running.
stop_karaf() {
    if [ -n "$karaf_launcher" ]; then
        kill $(ps -o pid= --ppid "$karaf_launcher") "$karaf_launcher" 2>/dev/null || true
        wait "$karaf_launcher" 2>/dev/null || true
        karaf_launcher=""
    fi
}
