#!/usr/bin/env bash
# ClientLibrariesSystemTest's topology: a client namespace pcpcl$ID behind a veth pcplh$ID. The host end is
# 10.77.0.1/24, where the controller's UDP ingress listens; the client end is 10.77.0.2/24 and the client's
# default route points at 10.77.0.1, so libraries that ask the default gateway find the controller.
#   client-ns.sh up ID | client-ns.sh down ID
set -euo pipefail
cmd=$1 id=$2
ns=pcpcl$id host=pcplh$id
case $cmd in
up)
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip link add "$host" type veth peer name eth0 netns "$ns"
    ip addr add 10.77.0.1/24 dev "$host"
    ip link set "$host" up
    ip -n "$ns" addr add 10.77.0.2/24 dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via 10.77.0.1
    ;;
down)
    ip link del "$host" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    ;;
esac
