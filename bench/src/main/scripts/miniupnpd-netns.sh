#!/bin/bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
# miniupnpd (Debian's miniupnpd-nftables 2.3.1, PCP and NAT-PMP) in a network namespace, as a reference
# target for the load generator. Needs root, miniupnpd-nftables and nftables.
#
#   miniupnpd-netns.sh up [CLIENTS]   namespaces bnch-client / bnch-gw / bnch-wan, miniupnpd started in bnch-gw
#   miniupnpd-netns.sh pid            miniupnpd's PID, for --pid
#   miniupnpd-netns.sh reset          empty the rule set and the lease file, restart miniupnpd
#   miniupnpd-netns.sh down           stop miniupnpd (by its PID file), delete the namespaces and the scratch dir
#
# Topology (plain veth pairs, no bridge):
#   bnch-client  bc-eth0 10.0.0.2 .. 10.0.0.(1+CLIENTS)/24
#   bnch-gw      bg-eth0 10.0.0.1/24 (LAN, miniupnpd listens on 10.0.0.1:5351), bg-wan 192.0.3.1/24 (WAN)
#   bnch-wan     bw-eth0 192.0.3.2/24
# The WAN address is 192.0.3.1 because miniupnpd 2.3.1 refuses mappings when its external address is private or
# reserved (the RFC 5737 TEST-NETs included); it exists only inside these namespaces.
set -euo pipefail

SCRATCH=${BENCH_SCRATCH:-/tmp/bench-miniupnpd}
CLIENT=bnch-client GW=bnch-gw WAN=bnch-wan

start_miniupnpd() {
    ip netns exec $GW nft -f "$SCRATCH/gw.nft"
    rm -f "$SCRATCH/leases"
    # daemon mode: -d logs every request, which with no /dev/log costs a syslog open per line
    ip netns exec $GW miniupnpd -f "$SCRATCH/miniupnpd.conf" -P "$SCRATCH/miniupnpd.pid"
    for _ in $(seq 50); do
        [ -s "$SCRATCH/miniupnpd.pid" ] && break
        sleep 0.1
    done
    echo "miniupnpd pid $(cat "$SCRATCH/miniupnpd.pid")"
}

stop_miniupnpd() {
    if [ -s "$SCRATCH/miniupnpd.pid" ]; then
        local pid
        pid=$(cat "$SCRATCH/miniupnpd.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        rm -f "$SCRATCH/miniupnpd.pid"
    fi
}

case "${1:-}" in
up)
    clients=${2:-16}
    mkdir -p "$SCRATCH"
    for ns in $CLIENT $GW $WAN; do
        ip netns add $ns
        ip -n $ns link set lo up
    done
    ip link add bc-eth0 netns $CLIENT type veth peer name bg-eth0 netns $GW
    ip link add bg-wan netns $GW type veth peer name bw-eth0 netns $WAN
    for i in $(seq 2 $((clients + 1))); do
        ip -n $CLIENT addr add 10.0.0.$i/24 dev bc-eth0
    done
    ip -n $CLIENT link set bc-eth0 up
    ip -n $CLIENT route add default via 10.0.0.1
    ip -n $GW addr add 10.0.0.1/24 dev bg-eth0
    ip -n $GW link set bg-eth0 up
    ip -n $GW addr add 192.0.3.1/24 dev bg-wan
    ip -n $GW link set bg-wan up
    ip -n $GW route add default via 192.0.3.2
    ip -n $WAN addr add 192.0.3.2/24 dev bw-eth0
    ip -n $WAN link set bw-eth0 up
    ip netns exec $GW sysctl -qw net.ipv4.ip_forward=1
    cat > "$SCRATCH/gw.nft" <<'EOF'
flush ruleset
table inet filter {
    chain forward {
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        iifname "bg-eth0" oifname "bg-wan" accept
        jump miniupnpd
    }
    chain miniupnpd { }
    chain prerouting {
        type nat hook prerouting priority -100; policy accept;
        jump prerouting_miniupnpd
    }
    chain postrouting {
        type nat hook postrouting priority 100; policy accept;
        jump postrouting_miniupnpd
        oifname "bg-wan" masquerade
    }
    chain prerouting_miniupnpd { }
    chain postrouting_miniupnpd { }
}
EOF
    cat > "$SCRATCH/miniupnpd.conf" <<EOF
ext_ifname=bg-wan
listening_ip=bg-eth0
port=0
enable_natpmp=yes
enable_upnp=no
ipv6_disable=yes
secure_mode=yes
min_lifetime=120
max_lifetime=86400
lease_file=$SCRATCH/leases
uuid=3ded6e02-ae3e-4c6a-9b8f-1b6f7d4f4c02
allow 1024-65535 10.0.0.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
    start_miniupnpd
    ;;
pid)
    cat "$SCRATCH/miniupnpd.pid"
    ;;
reset)
    stop_miniupnpd
    start_miniupnpd
    ;;
down)
    stop_miniupnpd
    for ns in $CLIENT $GW $WAN; do
        ip netns del $ns 2>/dev/null || true
    done
    rm -rf "$SCRATCH"
    ;;
*)
    sed -n '9,16p' "$0"
    exit 2
    ;;
esac
