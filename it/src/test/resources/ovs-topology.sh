#!/usr/bin/env bash
# The OpenFlow system test's topology: namespaces "client" (10.0.0.2) and "gw" (10.0.0.1) joined by an Open vSwitch
# bridge on the userspace (netdev) datapath, fail_mode=secure, controlled by the distribution under test.
# Everything is private to DIR (OVS database, sockets, logs, pids) and to ID (namespace, link and bridge names), and
# is stopped by the pids it recorded. Usage:
#   ovs-topology.sh up DIR ID DPID CONTROLLER [CLIENTS]   e.g. up /tmp/x 42 000000000000000a tcp:127.0.0.1:6654
#       CLIENTS extra addresses 10.0.0.10, .11, ... on the client side (load generation), default 0
#   ovs-topology.sh restart-switch DIR ID          kill ovs-vswitchd and start it again (flows are lost)
#   ovs-topology.sh wipe-flows DIR ID              an operator's del-flows on the connected bridge, then their own
#       forwarding flow again (the controller's flows are the controller's to put back)
#   ovs-topology.sh add-bridge DIR ID DPID CONTROLLER   a second, empty bridge pcpbx<ID> with that datapath id
#   ovs-topology.sh protocols DIR ID PROTOCOLS      restart ovs-vswitchd with the bridge offering PROTOCOLS, e.g.
#       OpenFlow14 or OpenFlow13,OpenFlow14,OpenFlow15 (flows are lost: every flow after it came over that version)
#   ovs-topology.sh down DIR ID
set -euo pipefail
cmd=$1 dir=$2 id=$3
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
C=pcpc$id G=pcpg$id BR=pcpbr$id VC=pcpvc$id VG=pcpvg$id

start_switch() {
    ovs-vswitchd "unix:$dir/db.sock" --pidfile="$dir/ovs-vswitchd.pid" --log-file="$dir/ovs-vswitchd.log" \
        -vconsole:off --detach
}

normal_flow() {
    # The operator's own forwarding (cookie 0): PCP Controller must never touch it. OVS keeps no flows across a
    # restart, so it is added again after one, in a version the bridge offers.
    local versions
    versions=$(ovs-vsctl get bridge "$BR" protocols | tr -d '[]" ')
    versions=${versions:-OpenFlow13}
    for _ in $(seq 50); do
        ovs-ofctl -O "$versions" add-flow "$BR" "priority=0,actions=NORMAL" 2>/dev/null && return 0
        sleep 0.1
    done
    ovs-ofctl -O "$versions" add-flow "$BR" "priority=0,actions=NORMAL"
}

stop_pid() {
    local f=$1
    if [ -f "$f" ]; then
        local pid
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        rm -f "$f"
    fi
}

case $cmd in
up)
    dpid=$4 controller=$5
    # a fresh database each time: a left-over one would hold an earlier run's bridge
    rm -f "$dir/conf.db" "$dir/.conf.db.~lock~"
    mkdir -p "$dir"
    ovsdb-tool create "$dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema
    ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" --pidfile="$dir/ovsdb-server.pid" \
        --log-file="$dir/ovsdb-server.log" -vconsole:off --detach
    ovs-vsctl --no-wait init
    start_switch
    ip netns add "$C"
    ip netns add "$G"
    ip -n "$C" link set lo up
    ip -n "$G" link set lo up
    ip link add "$VC" type veth peer name c-eth0 netns "$C"
    ip link add "$VG" type veth peer name g-eth0 netns "$G"
    ip -n "$C" addr add 10.0.0.2/24 dev c-eth0
    ip -n "$G" addr add 10.0.0.1/24 dev g-eth0
    # IPv6 too, without duplicate address detection: the addresses are usable at once
    ip -n "$C" addr add 2001:db8::2/64 dev c-eth0 nodad
    ip -n "$G" addr add 2001:db8::1/64 dev g-eth0 nodad
    ip -n "$C" link set c-eth0 up
    ip -n "$G" link set g-eth0 up
    ip -n "$C" route add default via 10.0.0.1
    for i in $(seq 1 "${6:-0}"); do
        ip -n "$C" addr add "10.0.0.$((9 + i))/24" dev c-eth0
    done
    # A WAN side for a gateway daemon (miniupnpd) to take its external address from; nothing is behind it (a veth
    # pair inside gw: there is no dummy module where the kernel has no modules).
    ip -n "$G" link add g-wan type veth peer name g-wan-end
    ip -n "$G" link set g-wan-end up
    ip -n "$G" addr add 192.0.3.1/24 dev g-wan
    ip -n "$G" link set g-wan up
    # The userspace datapath does not complete checksums a veth left to offload: UDP would arrive corrupt.
    ethtool -K "$VC" tx off >/dev/null
    ethtool -K "$VG" tx off >/dev/null
    ip netns exec "$C" ethtool -K c-eth0 tx off >/dev/null
    ip netns exec "$G" ethtool -K g-eth0 tx off >/dev/null
    ip link set "$VC" up
    ip link set "$VG" up
    # The controller is set in the same transaction as the bridge: adding the first controller flushes all flows.
    ovs-vsctl add-br "$BR" -- set bridge "$BR" datapath_type=netdev protocols=OpenFlow13 fail_mode=secure \
        other-config:datapath-id="$dpid" -- set-controller "$BR" "$controller" \
        -- add-port "$BR" "$VC" -- set interface "$VC" ofport_request=1 \
        -- add-port "$BR" "$VG" -- set interface "$VG" ofport_request=2
    normal_flow
    ;;
add-bridge)
    ovs-vsctl add-br "pcpbx$id" -- set bridge "pcpbx$id" datapath_type=netdev protocols=OpenFlow13 \
        fail_mode=secure other-config:datapath-id="$4" -- set-controller "pcpbx$id" "$5"
    ;;
restart-switch)
    stop_pid "$dir/ovs-vswitchd.pid"
    start_switch
    normal_flow
    ;;
wipe-flows)
    versions=$(ovs-vsctl get bridge "$BR" protocols | tr -d '[]" ')
    ovs-ofctl -O "${versions:-OpenFlow13}" del-flows "$BR"
    normal_flow
    ;;
protocols)
    # set while the switch is down: the controller's flows of the earlier version go with it
    stop_pid "$dir/ovs-vswitchd.pid"
    ovs-vsctl --no-wait set bridge "$BR" protocols="$4"
    start_switch
    normal_flow
    ;;
down)
    ovs-vsctl --if-exists del-br "$BR" 2>/dev/null || true
    ovs-vsctl --if-exists del-br "pcpbx$id" 2>/dev/null || true
    stop_pid "$dir/ovs-vswitchd.pid"
    stop_pid "$dir/ovsdb-server.pid"
    ip netns del "$C" 2>/dev/null || true
    ip netns del "$G" 2>/dev/null || true
    ip link del "$VC" 2>/dev/null || true
    ip link del "$VG" 2>/dev/null || true
    ;;
*)
    echo "unknown command $cmd" >&2
    exit 2
    ;;
esac
