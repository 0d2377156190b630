#!/usr/bin/env bash
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
# A cluster of PCP Controller members on this one machine, on OpenDaylight's own clustering (Pekko, the
# replicated sharded datastore): each member is a private copy of karaf/target/assembly, booted in a network
# namespace of its own, so that every member has its own address and keeps the standard ports (8181 RESTCONF,
# 2550 Pekko, 5351, 6654) without meeting the others or anything on the host.
#
#   scripts/cluster.sh up DIR          prepare + net-up + start every member + wait until the cluster serves
#   scripts/cluster.sh down DIR        stop every member (by PID) and remove the network
#   scripts/cluster.sh prepare DIR     copy the distribution once per member and write its cluster configuration
#   scripts/cluster.sh net-up DIR      the namespaces, a bridge joining them, and an address for this host on it
#   scripts/cluster.sh net-down DIR
#   scripts/cluster.sh start DIR I     start member I (1..N) and wait until it serves and its shards have leaders
#   scripts/cluster.sh stop DIR I      SIGTERM member I by PID (SIGKILL after 60 s)
#   scripts/cluster.sh kill DIR I      SIGKILL member I by PID: a crash
#   scripts/cluster.sh wait DIR [I]    wait until member I (default: every running member) serves
#   scripts/cluster.sh status DIR      every member: pid, RESTCONF, and which member leads each shard
#   scripts/cluster.sh urls DIR        what an operator points at
#   scripts/cluster.sh url DIR I       member I's RESTCONF root, e.g. http://10.73.0.1:8181/rests
#   scripts/cluster.sh namespace DIR I member I's network namespace
#
# Settings (environment, read by "prepare" and remembered in DIR/cluster.env for the other commands):
#   CLUSTER_MEMBERS  number of members (3)           CLUSTER_SUBNET  first three octets of the /24 (10.73.0)
#   CLUSTER_PREFIX   prefix of namespace and link names (pcpc-)      CLUSTER_HEAP  -Xmx of each member (2g)
# Member I has address $CLUSTER_SUBNET.I; this host reaches them from $CLUSTER_SUBNET.254.
# Needs root (ip netns). JAVA_HOME: a JDK >= 21 (scripts/common.sh pick_jdk chooses one when unset).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/common.sh"

usage() {
    sed -n '/^#   scripts/p' "$0" >&2
    exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2

if [ -f "$dir/cluster.env" ]; then
    . "$dir/cluster.env"
fi
members=${CLUSTER_MEMBERS:-3}
subnet=${CLUSTER_SUBNET:-10.73.0}
prefix=${CLUSTER_PREFIX:-pcpc-}
heap=${CLUSTER_HEAP:-2g}
hub=${prefix}hub
# the host's end of the link into the hub (interface names are at most 15 characters)
uplink=${prefix}up
[ ${#uplink} -le 15 ] && [ ${#hub} -le 15 ] || { echo "CLUSTER_PREFIX $prefix is too long" >&2; exit 2; }

ns() { echo "${prefix}m$1"; }
address() { echo "$subnet.$1"; }
home() { echo "$dir/member-$1"; }
restconf() { echo "http://$(address "$1"):8181/rests"; }
jolokia() { echo "http://$(address "$1"):8181/jolokia"; }

# --- configuration -------------------------------------------------------------------------------------------------

# The cluster configuration ODL reads at boot from configuration/initial/, made the way OpenDaylight's own
# configure_cluster.sh (controller's "scripts" artifact, shipped as bin/configure_cluster.sh in ODL's distribution)
# makes it: start from sal-clustering-config's files (what odl-mdsal-distributed-datastore installs on first boot;
# Karaf keeps a file that is already there), then
#   pekko.conf:         canonical.hostname = this member's address; seed-nodes = every member's
#                       pekko://opendaylight-cluster-data@ADDRESS:2550; roles = ["member-I"]
#   module-shards.conf: every shard replicated on member-1 .. member-N
#   modules.conf:       unchanged (which YANG namespaces get a shard of their own)
configure_member() {
    local i=$1 config template_dir seeds="" members_list="" m
    config=$(home "$i")/configuration/initial
    template_dir=$(ls -d "$(home "$i")"/system/org/opendaylight/controller/sal-clustering-config/*/ | sort -V | tail -1)
    template_dir=${template_dir%/}
    local version=${template_dir##*/}
    for m in $(seq "$members"); do
        seeds="$seeds${seeds:+, }\"pekko://opendaylight-cluster-data@$(address "$m"):2550\""
        members_list="$members_list${members_list:+, }\"member-$m\""
    done
    mkdir -p "$config"
    # A multi-line "key = [ ... ]" is replaced as a whole; comment lines are left alone.
    replace_list() {
        awk -v key="$1" -v value="$2" '
            skipping { if (index($0, "]")) skipping = 0; next }
            $0 !~ /^[ \t]*#/ && $0 ~ "^[ \t]*" key "[ \t]*=" {
                match($0, /^[ \t]*/)
                print substr($0, 1, RLENGTH) key " = [" value "]"
                if (!index($0, "]")) skipping = 1
                next
            }
            { print }'
    }
    sed -e "s/^\([ \t]*canonical\.hostname[ \t]*=\).*/\1 \"$(address "$i")\"/" \
        "$template_dir/sal-clustering-config-$version-pekkoconf.xml" \
        | replace_list seed-nodes "$seeds" | replace_list roles "\"member-$i\"" > "$config/pekko.conf"
    replace_list replicas "$members_list" < "$template_dir/sal-clustering-config-$version-moduleshardconf.xml" \
        > "$config/module-shards.conf"
    cp "$template_dir/sal-clustering-config-$version-moduleconf.xml" "$config/modules.conf"
    # Every member's mapping store writes /mappings, and the commit cohort that refuses writes other than the
    # store's own runs on the shard leader's member, which cannot tell another member's store from RESTCONF: off
    # (docs/model.md). Set in the shipped file, whose other settings stay as they are.
    set_cfg "$(home "$i")/etc/org.pcpcontroller.store.cfg" refuseOthersWrites false
}

prepare() {
    local assembly=$root/karaf/target/assembly i
    [ -x "$assembly/bin/karaf" ] || { echo "No distribution at $assembly: build first (./mvnw -Pq install)" >&2; exit 1; }
    cat > "$dir/cluster.env" <<EOF
CLUSTER_MEMBERS=$members
CLUSTER_SUBNET=$subnet
CLUSTER_PREFIX=$prefix
CLUSTER_HEAP=$heap
EOF
    for i in $(seq "$members"); do
        # a member that exists keeps its data (journal, snapshots), as run.sh's single node does
        if [ ! -x "$(home "$i")/bin/karaf" ]; then
            cp -a "$assembly" "$(home "$i")"
        fi
        configure_member "$i"
    done
}

# --- network ---------------------------------------------------------------------------------------------------------

# hub namespace: bridge br0; member namespace I: eth0 = $subnet.I, its peer "mI" on br0; this host: $uplink =
# $subnet.254, its peer "host" on br0. The bridge lives in a namespace of its own so that the host gets one link and
# one route, nothing more.
net_up() {
    local i
    as_root true
    if ! ip netns list | grep -qx "$hub\( .*\)\?"; then
        ip netns add "$hub"
        ip -n "$hub" link set lo up
        ip -n "$hub" link add br0 type bridge
        ip -n "$hub" link set br0 up
    fi
    for i in $(seq "$members"); do
        if ! ip netns list | grep -qx "$(ns "$i")\( .*\)\?"; then
            ip netns add "$(ns "$i")"
            ip -n "$(ns "$i")" link set lo up
            ip -n "$hub" link add "m$i" type veth peer name eth0 netns "$(ns "$i")"
            ip -n "$hub" link set dev "m$i" master br0 up
            ip -n "$(ns "$i")" addr add "$(address "$i")/24" dev eth0
            ip -n "$(ns "$i")" link set dev eth0 up
        fi
    done
    if ! ip link show "$uplink" > /dev/null 2>&1; then
        ip link add "$uplink" type veth peer name host netns "$hub"
        ip -n "$hub" link set dev host master br0 up
        ip addr add "$subnet.254/24" dev "$uplink"
        ip link set dev "$uplink" up
    fi
}

net_down() {
    local i
    ip link del "$uplink" 2>/dev/null || true
    for i in $(seq "$members"); do
        ip netns del "$(ns "$i")" 2>/dev/null || true
    done
    ip netns del "$hub" 2>/dev/null || true
}

# --- members -------------------------------------------------------------------------------------------------------

# The launcher's pid, if it still runs: the pid file names a process whose command line is this member's bin/karaf
# (a pid left from a crash may have been reused by something else).
pid_of() {
    local f pid
    f=$(home "$1")/launcher.pid
    [ -f "$f" ] || return 1
    pid=$(cat "$f")
    [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(home "$1")/bin/karaf" && echo "$pid"
}

# The launcher (bin/karaf, a shell) and its java child.
pids_of() {
    local launcher
    launcher=$(pid_of "$1") || return 0
    echo "$(ps -o pid= --ppid "$launcher" 2>/dev/null | tr '\n' ' ')$launcher"
}

java_pid_of() {
    local launcher
    launcher=$(pid_of "$1") || return 1
    ps -o pid=,comm= --ppid "$launcher" | awk '$2 == "java" { print $1; exit }'
}

start_member() {
    local i=$1 h
    h=$(home "$i")
    if pid_of "$i" > /dev/null; then
        echo "member-$i already runs (pid $(pid_of "$i"))"
        return 0
    fi
    [ -n "${JAVA_HOME:-}" ] || pick_jdk > /dev/null
    # A session of its own (setsid), so that Ctrl-C in the operator's terminal reaches run.sh, which stops the
    # members in order, and not every JVM at once. bash -c writes its own pid and execs: the pid is the launcher's.
    EXTRA_JAVA_OPTS="-Xmx$heap ${EXTRA_JAVA_OPTS:-}" setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ \
        "$h/launcher.pid" ip netns exec "$(ns "$i")" "$h/bin/karaf" server < /dev/null >> "$h/karaf.out" 2>&1 &
    for _ in $(seq 50); do [ -s "$h/launcher.pid" ] && break; sleep 0.1; done
    echo "member-$i started (pid $(cat "$h/launcher.pid"), namespace $(ns "$i"), address $(address "$i"))"
}

# Signals members I... by PID, all at once, and waits for them (SIGKILL after 60 s). All at once, because a member
# that stays behind alone has no majority for its shards: its shutdown then waits on datastore transactions that
# cannot commit, until the 60 s are up (seen when stopping one after the other).
stop_members() {
    local signal=$1 i pid pids all=""
    shift
    for i in "$@"; do
        pids=$(pids_of "$i")
        if [ -z "$pids" ]; then
            echo "member-$i is not running"
            continue
        fi
        # shellcheck disable=SC2086
        kill -s "$signal" $pids 2>/dev/null || true
        echo "member-$i: SIG$signal to $pids"
        all="$all $pids"
    done
    for pid in $all; do
        for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "pid $pid ignored SIG$signal for 60 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    for i in "$@"; do rm -f "$(home "$i")/launcher.pid"; done
}

# GET through Jolokia: one attribute of one MBean, its "value" printed as JSON.
mbean() {
    curl -sf -m 5 -u admin:admin "$(jolokia "$1")/read/$2" \
        | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d["value"]) if d.get("status") == 200 else "")'
}

# RESTCONF answers, our RPCs are registered (an unknown gateway clears nothing), and the shard manager of each
# datastore reports SyncStatus: every local shard replica has a leader and is in sync with it.
serves() {
    local i=$1 rest ds
    rest=$(restconf "$i")
    curl -sf -m 5 -o /dev/null -u admin:admin "$rest/data/ietf-yang-library:yang-library?fields=content-id" || return 1
    curl -sf -m 10 -o /dev/null -u admin:admin -H 'Content-Type: application/json' \
        -d '{"input":{"gateway-id":"readiness-probe"}}' "$rest/operations/pcp-mapping:clear-gateway" || return 1
    for ds in Config Operational; do
        [ "$(mbean "$i" "org.opendaylight.controller:type=Distributed${ds}Datastore,Category=ShardManager,name=shard-manager-${ds,,}/SyncStatus" 2>/dev/null)" = true ] \
            || return 1
    done
}

wait_member() {
    local i=$1 timeout=${2:-300} start
    start=$(date +%s)
    until serves "$i"; do
        if ! pid_of "$i" > /dev/null; then
            echo "member-$i exited; see $(home "$i")/karaf.out and $(home "$i")/data/log/karaf.log" >&2
            return 1
        fi
        if [ $(( $(date +%s) - start )) -gt "$timeout" ]; then
            echo "member-$i did not serve within $timeout s; see $(home "$i")/data/log/karaf.log" >&2
            return 1
        fi
        sleep 1
    done
    echo "member-$i serves after $(( $(date +%s) - start )) s"
}

status() {
    local i ds shard leader
    for i in $(seq "$members"); do
        if ! pid_of "$i" > /dev/null; then
            echo "member-$i  $(address "$i")  not running"
            continue
        fi
        printf 'member-%s  %s  pid %s  ' "$i" "$(address "$i")" "$(pid_of "$i")"
        if curl -sf -m 5 -o /dev/null -u admin:admin "$(restconf "$i")/data/ietf-yang-library:yang-library?fields=content-id"; then
            echo "RESTCONF up"
        else
            echo "RESTCONF down"
            continue
        fi
        for ds in config operational; do
            for shard in default topology inventory; do
                leader=$(mbean "$i" "org.opendaylight.controller:type=Distributed${ds^}Datastore,Category=Shards,name=member-$i-shard-$shard-$ds/Leader" 2>/dev/null || true)
                printf '    %-11s %-9s leader %s\n' "$ds" "$shard" "${leader:-?}"
            done
        done
    done
}

urls() {
    local i
    for i in $(seq "$members"); do
        echo "  member-$i     RESTCONF $(restconf "$i")  Jolokia $(jolokia "$i")  namespace $(ns "$i"), pid $(pid_of "$i" || echo -)"
    done
    echo "               user admin, password admin; Pekko pekko://opendaylight-cluster-data@ADDRESS:2550"
}

case $cmd in
prepare) prepare ;;
net-up) net_up ;;
net-down) net_down ;;
up)
    pick_jdk
    prepare
    net_up
    begin=$(date +%s)
    for i in $(seq "$members"); do start_member "$i"; done
    for i in $(seq "$members"); do wait_member "$i"; done
    echo "cluster of $members serves after $(( $(date +%s) - begin )) s"
    ;;
down)
    # shellcheck disable=SC2046
    stop_members TERM $(seq "$members")
    net_down
    ;;
start) [ $# -eq 1 ] || usage; start_member "$1"; wait_member "$1" ;;
stop) [ $# -eq 1 ] || usage; stop_members TERM "$1" ;;
kill) [ $# -eq 1 ] || usage; stop_members KILL "$1" ;;
wait)
    if [ $# -eq 1 ]; then wait_member "$1"; else
        for i in $(seq "$members"); do pid_of "$i" > /dev/null && wait_member "$i"; done
    fi
    ;;
java-pid) [ $# -eq 1 ] || usage; java_pid_of "$1" ;;
status) status ;;
urls) urls ;;
url) [ $# -eq 1 ] || usage; restconf "$1" ;;
namespace) [ $# -eq 1 ] || usage; ns "$1" ;;
*) usage ;;
esac
