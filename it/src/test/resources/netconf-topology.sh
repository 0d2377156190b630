#!/usr/bin/env bash
# The NETCONF system test's topology: a Linux gateway in namespace "gw" between "client" (LAN 10.0.0.0/24) and
# "wan" (192.0.3.0/24), running the reference gateway (gateway/start-gateway.sh: netconfd behind sshd on port 830,
# and pcp-nft-apply, which applies the pcp-netfilter configuration to nftables). A management link joins the host
# (172.31.254.1) to gw (172.31.254.2): the controller reaches sshd over it, and gw relays PCP/NAT-PMP from its LAN
# to the controller's UDP ingress on 172.31.254.1:5351 (a destination NAT, so the controller sees the client's own
# address). Everything is named after ID and stopped by PID. Usage:
#   netconf-topology.sh up DIR ID PASSWORD        the controller's SSH key pair goes to DIR/client_key
#   netconf-topology.sh restart-gateway DIR ID     netconfd comes back with an empty configuration
#   netconf-topology.sh stop-gateway DIR ID
#   netconf-topology.sh rekey-gateway DIR ID       the gateway comes back with a new SSH host key
#   netconf-topology.sh restore-host-key DIR ID    ... and with its first host key again
#   netconf-topology.sh up-second DIR ID           a second reference gateway in namespace pcpnh, sshd on 172.31.253.2
#   netconf-topology.sh freeze-second DIR ID       its netconfd stops (SIGSTOP): sessions stay up, nothing answers
#   netconf-topology.sh thaw-second DIR ID         ... and goes on (SIGCONT)
#   netconf-topology.sh down-second DIR ID
#   netconf-topology.sh down DIR ID
set -euo pipefail
cmd=$1 dir=$2 id=$3
here=$(cd "$(dirname "$0")" && pwd)
root=${PCP_ROOT:-$(cd "$here/../../.." && pwd)}
C=pcpnc$id G=pcpng$id W=pcpnw$id M=pcpm$id H=pcpnh$id HM=pcpmh$id
# The gateway's own directory holds netconfd's socket, which the SSH user's netconf-subsystem must reach: every
# directory above it must be traversable by that user, which a test directory (mktemp -d is 0700) may not be.
gwdir=/tmp/pcpgw-$id
hdir=/tmp/pcpgh-$id

start_gateway() {
    # both password and key login, as the controller may be given either
    PCPGW_LISTEN=172.31.254.2 PCPGW_PASSWORD=$(cat "$dir/password") PCPGW_AUTHORIZED_KEYS=$dir/client_key.pub \
        bash "$root/gateway/start-gateway.sh" "$G" "$gwdir"
}

# the second gateway's netconfd, as start-gateway.sh recorded it, if it still is that process
second_netconfd() {
    local pid
    pid=$(awk '$1 == "netconfd" { print $2 }' "$hdir/pids")
    [[ -n $pid && $(tr '\0' ' ' < "/proc/$pid/cmdline") == *netconfd* ]] || { echo "no netconfd of $hdir" >&2; exit 1; }
    echo "$pid"
}

down_second() {
    if [ -f "$hdir/pids" ]; then
        kill -CONT "$(second_netconfd)" 2>/dev/null || true
        bash "$root/gateway/stop-gateway.sh" "$hdir"
    fi
    rm -rf "$hdir"
    ip link del "$HM" 2>/dev/null || true
    ip netns del "$H" 2>/dev/null || true
}

case $cmd in
up-second)
    rm -rf "$hdir"
    mkdir -p "$hdir"
    ip netns add "$H"
    ip -n "$H" link set lo up
    ip link add "$HM" type veth peer name h-mgmt netns "$H"
    ip -n "$H" addr add 172.31.253.2/30 dev h-mgmt
    ip addr add 172.31.253.1/30 dev "$HM"
    ip -n "$H" link set h-mgmt up
    ip link set "$HM" up
    PCPGW_LISTEN=172.31.253.2 PCPGW_PASSWORD=$(cat "$dir/password") bash "$root/gateway/start-gateway.sh" "$H" "$hdir"
    ;;
freeze-second)
    kill -STOP "$(second_netconfd)"
    ;;
thaw-second)
    kill -CONT "$(second_netconfd)"
    ;;
down-second)
    down_second
    ;;
up)
    # a fresh gateway: no configuration, logs or host key left from an earlier run
    rm -rf "$dir/gw" "$gwdir"
    mkdir -p "$dir" "$gwdir"
    ln -s "$gwdir" "$dir/gw"
    printf '%s' "$4" > "$dir/password"
    chmod 600 "$dir/password"
    rm -f "$dir/client_key" "$dir/client_key.pub"
    ssh-keygen -q -t rsa -b 3072 -N '' -C pcp-controller -f "$dir/client_key"
    for ns in "$C" "$G" "$W"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done
    ip link add c-lan netns "$C" type veth peer name g-lan netns "$G"
    ip link add g-wan netns "$G" type veth peer name w-wan netns "$W"
    ip link add "$M" type veth peer name g-mgmt netns "$G"
    ip -n "$C" addr add 10.0.0.2/24 dev c-lan
    ip -n "$G" addr add 10.0.0.1/24 dev g-lan
    ip -n "$G" addr add 192.0.3.1/24 dev g-wan
    ip -n "$W" addr add 192.0.3.2/24 dev w-wan
    ip -n "$G" addr add 172.31.254.2/30 dev g-mgmt
    ip addr add 172.31.254.1/30 dev "$M"
    for link in "$C c-lan" "$G g-lan" "$G g-wan" "$W w-wan" "$G g-mgmt"; do
        set -- $link
        ip -n "$1" link set "$2" up
    done
    ip link set "$M" up
    ip -n "$C" route add default via 10.0.0.1
    ip -n "$W" route add 10.0.0.0/24 via 192.0.3.1
    # answers from the controller to LAN clients go back through gw, which undoes its relay NAT
    ip route add 10.0.0.0/24 via 172.31.254.2 dev "$M"
    ip netns exec "$G" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$G" nft -f - <<'NFT'
table ip relay {
    chain prerouting {
        type nat hook prerouting priority dstnat - 10; policy accept;
        iifname "g-lan" udp dport 5351 dnat to 172.31.254.1:5351
    }
}
NFT
    start_gateway
    ;;
restart-gateway)
    bash "$root/gateway/stop-gateway.sh" "$gwdir"
    # an empty configuration; the host key stays, as it would on a real gateway
    rm -f "$gwdir/startup.xml"
    start_gateway
    ;;
rekey-gateway)
    bash "$root/gateway/stop-gateway.sh" "$gwdir"
    # start-gateway.sh makes a new host key when there is none; the first one is kept aside for restore-host-key
    for f in ssh_host_ed25519_key ssh_host_ed25519_key.pub; do mv "$gwdir/$f" "$gwdir/$f.first"; done
    start_gateway
    ;;
restore-host-key)
    bash "$root/gateway/stop-gateway.sh" "$gwdir"
    for f in ssh_host_ed25519_key ssh_host_ed25519_key.pub; do mv "$gwdir/$f.first" "$gwdir/$f"; done
    start_gateway
    ;;
stop-gateway)
    bash "$root/gateway/stop-gateway.sh" "$gwdir"
    ;;
down)
    down_second
    [ -d "$gwdir" ] && bash "$root/gateway/stop-gateway.sh" "$gwdir" || true
    # keep the gateway's logs with the test's files
    if [ -d "$gwdir" ]; then
        rm -f "$dir/gw"
        mkdir -p "$dir/gw"
        cp "$gwdir"/*.log "$dir/gw/" 2>/dev/null || true
        rm -rf "$gwdir"
    fi
    ip link del "$M" 2>/dev/null || true
    for ns in "$C" "$G" "$W"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    ;;
*)
    echo "unknown command $cmd" >&2
    exit 2
    ;;
esac
