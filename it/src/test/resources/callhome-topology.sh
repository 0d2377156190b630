#!/usr/bin/env bash
# A home gateway behind carrier NAT, for the call-home tests: namespace pcpchg$ID, joined to the current namespace
# by a veth pair (controller side 172.31.253.1, gateway side 172.31.253.2). The gateway can open connections to the
# controller; the controller cannot open any to the gateway: new connections into the gateway are dropped, as a
# carrier NAT drops them, and its sshd listens on the gateway's loopback anyway. The reference gateway
# (gateway/start-gateway.sh: netconfd behind sshd, pcp-nft-apply) runs there with PCPGW_CALL_HOME, so its
# call-home-relay dials the controller's call-home port. Everything is named after ID and stopped by PID.
# Used by impl's CallHomeGatewayTest (the listener alone) and it's CallHomeSystemTest (the distribution).
#   callhome-topology.sh up DIR ID PORT PASSWORD   host key fingerprint -> DIR/host_key_sha256,
#                                                 the controller's key pair -> DIR/client_key(.pub)
#   callhome-topology.sh second-relay DIR ID PORT  another relay of the same gateway (PID -> DIR/relay2.pid)
#   callhome-topology.sh stop-second-relay DIR ID
#   callhome-topology.sh blackhole DIR ID PORT     the relay's connection goes silent in both directions, then the
#                                                 relay's end is closed: the controller is not told, the relay dials
#   callhome-topology.sh down DIR ID
set -euo pipefail
cmd=$1 dir=$2 id=$3
# the callers say where the repository is: the script runs from src/test/resources or a copy in target/test-classes
root=${PCP_ROOT:?PCP_ROOT must name the repository}
G=pcpchg$id V=pcpchc$id
# the gateway's own directory holds netconfd's socket, which the SSH user must reach: not below a 0700 test directory
gwdir=/tmp/pcpchgw-$id
user=pcpchome

relay_pid() {
    awk '$1 == "call-home-relay" { print $2 }' "$gwdir/pids"
}

case $cmd in
up)
    port=$4
    rm -rf "$gwdir"
    mkdir -p "$dir" "$gwdir"
    ip netns add "$G"
    ip -n "$G" link set lo up
    ip link add "$V" type veth peer name wan netns "$G"
    ip addr add 172.31.253.1/30 dev "$V"
    ip -n "$G" addr add 172.31.253.2/30 dev wan
    ip link set "$V" up
    ip -n "$G" link set wan up
    ip netns exec "$G" nft -f - <<'NFT'
table inet cgnat {
    chain input {
        type filter hook input priority filter; policy accept;
        iifname "wan" ct state new drop
    }
}
NFT
    # the host key exists before the gateway starts, so the controller can be told it first (start-gateway.sh keeps
    # an existing one)
    ssh-keygen -q -t ed25519 -N '' -C pcp-gateway -f "$gwdir/ssh_host_ed25519_key"
    ssh-keygen -l -E sha256 -f "$gwdir/ssh_host_ed25519_key.pub" | awk '{ print $2 }' > "$dir/host_key_sha256"
    rm -f "$dir/client_key" "$dir/client_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C pcp-controller -f "$dir/client_key"
    # the relay redials quickly: the tests make it call again and again
    CALL_HOME_MAX_BACKOFF=2 PCPGW_USER=$user PCPGW_PASSWORD=$5 PCPGW_AUTHORIZED_KEYS=$dir/client_key.pub \
        PCPGW_CALL_HOME=172.31.253.1:$port bash "$root/gateway/start-gateway.sh" "$G" "$gwdir"
    ;;
second-relay)
    ip netns exec "$G" env CALL_HOME_MAX_BACKOFF=2 "$root/gateway/call-home-relay" "172.31.253.1:$4" 127.0.0.1:830 \
        </dev/null >>"$gwdir/relay2.log" 2>&1 &
    echo $! > "$dir/relay2.pid"
    ;;
stop-second-relay)
    pid=$(cat "$dir/relay2.pid")
    # the process is still the relay we started (a recycled PID is left alone)
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q call-home-relay; then
        kill -TERM "$pid"
    fi
    ;;
blackhole)
    port=$4
    relay=$(relay_pid)
    lport=$(ip netns exec "$G" ss -Htn state established "( dport = :$port )" | awk '{ print $3 }' | sed 's/.*://' |
        head -1)
    [ -n "$lport" ] || { echo "no call-home connection to blackhole" >&2; exit 1; }
    ip netns exec "$G" nft -f - <<NFT
table inet blackhole {
    chain input {
        type filter hook input priority filter - 1; policy accept;
        tcp dport $lport drop
    }
    chain output {
        type filter hook output priority filter - 1; policy accept;
        tcp sport $lport drop
    }
}
NFT
    # the relay's socat, found as the relay's child, by PID
    for child in $(ps -o pid= --ppid "$relay"); do
        if tr '\0' ' ' < "/proc/$child/cmdline" 2>/dev/null | grep -q '^socat '; then
            kill -TERM "$child"
        fi
    done
    echo "$lport"
    ;;
down)
    [ -f "$dir/relay2.pid" ] && bash "$0" stop-second-relay "$dir" "$id" || true
    [ -d "$gwdir" ] && bash "$root/gateway/stop-gateway.sh" "$gwdir" || true
    if [ -d "$gwdir" ]; then
        mkdir -p "$dir/gw"
        cp "$gwdir"/*.log "$dir/gw/" 2>/dev/null || true
        rm -rf "$gwdir"
    fi
    ip link del "$V" 2>/dev/null || true
    ip netns del "$G" 2>/dev/null || true
    ;;
*)
    echo "unknown command $cmd" >&2
    exit 2
    ;;
esac
