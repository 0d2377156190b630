#!/usr/bin/env bash
# Starts PCP Controller in the foreground: builds the distribution if needed, boots Karaf with
# RESTCONF and odl-pcp-controller, configures a demo gateway, and prints where everything is.
# Ctrl-C stops it. State (mappings, gateways) is kept in run/karaf/data between runs.
#   ./run.sh             build if needed, then run
#   ./run.sh --rebuild   rebuild (quick profile) and start from a fresh copy (state is lost)
#   ./run.sh --cluster [--rebuild]
#                        three members on OpenDaylight's clustering, each in a network namespace of its own
#                        (10.73.0.1-3 by default, reachable from this host), state in run/cluster; needs root (scripts/cluster.sh)
set -euo pipefail
cd "$(dirname "$0")"
. scripts/common.sh

cluster= rebuild=
for arg in "$@"; do
    case $arg in
    --cluster) cluster=yes ;;
    --rebuild) rebuild=yes ;;
    *) sed -n 's/^#   //p' "$0" >&2; exit 2 ;;
    esac
done

install_packages ca-certificates curl unzip
[ -z "$cluster" ] || install_packages iproute2 procps python3
pick_jdk

assembly=karaf/target/assembly
home=run/karaf
[ -z "$cluster" ] || home=run/cluster
if [ -n "$rebuild" ] || [ ! -x "$assembly/bin/karaf" ]; then
    echo "Building the distribution (quick profile; ./test.sh runs the full build)..."
    ./mvnw -B -q clean install -Pq
    rm -rf "$home"
fi

# The demo gateway: datapath id 1 punts for it, LAN 10.0.0.0/24, and loopback for the UDP ingress.
demo_gateway='{"pcp-gateway:gateway":[{
      "id":"demo",
      "description":"Demo gateway configured by run.sh",
      "external-address":["192.0.3.1"],
      "internal-prefix":["10.0.0.0/24","127.0.0.0/8"],
      "external-port-range":{"start":1024,"end":65535},
      "openflow":{"datapath-id":["00:00:00:00:00:00:00:01"]},
      "udp-ingress":{"listen-address":["127.0.0.1"]}
    }]}'

if [ -n "$cluster" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "./run.sh --cluster needs root: every member runs in a network namespace of its own" >&2
        exit 1
    fi
    stop_cluster() {
        local status=$?
        trap - INT TERM EXIT
        # A member can take up to the 60 s grace before its SIGKILL: ODL's cluster singleton service waits on its
        # peers while they leave too (docs/clustering-design.md, "Operating notes").
        echo; echo "Stopping the cluster (up to a minute)..."
        scripts/cluster.sh down "$home"
        exit "$status"
    }
    trap stop_cluster INT TERM EXIT
    echo "Booting three members (logs: $home/member-*/data/log/karaf.log)..."
    start=$(date +%s)
    scripts/cluster.sh up "$home"
    # Written on member-1, read back from the others: the datastore replicates.
    curl -sf -o /dev/null -u admin:admin -X PUT -H 'Content-Type: application/json' \
        "$(scripts/cluster.sh url "$home" 1)/data/pcp-gateway:gateways/gateway=demo" -d "$demo_gateway"
    for i in 2 3; do
        curl -sf -o /dev/null -u admin:admin \
            "$(scripts/cluster.sh url "$home" "$i")/data/pcp-gateway:gateways/gateway=demo?content=config" \
            || { echo "member-$i does not see the demo gateway written on member-1" >&2; exit 1; }
    done
    cat <<EOT

PCP Controller cluster is up after $(( $(date +%s) - start )) s (Java: $JAVA_HOME).
$(scripts/cluster.sh urls "$home")
  gateways     curl -u admin:admin '$(scripts/cluster.sh url "$home" 2)/data/pcp-gateway:gateways'
  demo gateway 'demo', written on member-1 and read back on member-2 and member-3
  shards       scripts/cluster.sh status $home       (which member leads each shard, through Jolokia)
  a crash      scripts/cluster.sh kill $home 3; scripts/cluster.sh start $home 3
  UDP ingress  127.0.0.1:5351 inside each member's namespace, e.g.
               ip netns exec $(scripts/cluster.sh namespace "$home" 1) natpmpc -g 127.0.0.1 -a 40000 4000 udp 3600
  Note: per-gateway ownership is not built yet: every member serves every gateway on its own
Press Ctrl-C to stop.
EOT
    # The members are not children of this shell (scripts/cluster.sh started them in sessions of their own);
    # stay until Ctrl-C, or until every member has gone.
    while [ -n "$(for i in 1 2 3; do [ -f "$home/member-$i/launcher.pid" ] \
            && kill -0 "$(cat "$home/member-$i/launcher.pid")" 2>/dev/null && echo "$i"; done)" ]; do
        sleep 2
    done
    echo "Every member has exited; see $home/member-*/data/log/karaf.log" >&2
    exit 1
fi
if [ ! -x "$home/bin/karaf" ]; then
    mkdir -p run
    cp -a "$assembly" "$home"
fi

if (exec 3<>/dev/tcp/127.0.0.1/8181) 2>/dev/null; then
    echo "Port 8181 is already in use: is another controller running?" >&2
    exit 1
fi

"$home/bin/karaf" server > "$home/karaf.out" 2>&1 &
launcher=$!
stop() {
    trap - INT TERM EXIT
    echo; echo "Stopping PCP Controller (pid $launcher)..."
    # SIGTERM the JVM and its launcher by PID; Karaf shuts down cleanly on it
    children=$(ps -o pid= --ppid "$launcher" 2>/dev/null || true)
    kill $children "$launcher" 2>/dev/null || true
    wait "$launcher" 2>/dev/null || true
}
trap stop INT TERM EXIT

rest=http://localhost:8181/rests
echo "Booting Karaf (logs: $home/data/log/karaf.log)..."
start=$(date +%s)
until curl -sf -o /dev/null -u admin:admin "$rest/data/ietf-yang-library:yang-library?fields=content-id" \
    && curl -sf -o /dev/null -u admin:admin -H 'Content-Type: application/json' \
        -d '{"input":{"gateway-id":"readiness-probe"}}' "$rest/operations/pcp-mapping:clear-gateway"; do
    if ! kill -0 "$launcher" 2>/dev/null; then
        echo "Karaf exited; see $home/karaf.out and $home/data/log/karaf.log" >&2
        exit 1
    fi
    if [ $(( $(date +%s) - start )) -gt 300 ]; then
        echo "RESTCONF did not come up within 300 s; see $home/data/log/karaf.log" >&2
        exit 1
    fi
    sleep 1
done

curl -sf -o /dev/null -u admin:admin -X PUT -H 'Content-Type: application/json' \
    "$rest/data/pcp-gateway:gateways/gateway=demo" -d "$demo_gateway"

cat <<EOT

PCP Controller is up after $(( $(date +%s) - start )) s (Java: $JAVA_HOME).
  RESTCONF     $rest   user admin, password admin
  gateways     curl -u admin:admin '$rest/data/pcp-gateway:gateways'
  mappings     curl -u admin:admin '$rest/data/pcp-mapping:mappings'
  demo gateway 'demo': external 192.0.3.1, internal 10.0.0.0/24 and 127.0.0.0/8, datapath id 1
  UDP ingress  127.0.0.1:5351 (PCP and NAT-PMP), e.g. natpmpc -g 127.0.0.1 -a 40000 4000 udp 3600
  OpenFlow     tcp:127.0.0.1:6654, OpenFlow 1.3-1.5; a bridge with other-config:datapath-id=0000000000000001
               punts for 'demo' (docs/openflow.md); switches: curl -u admin:admin '$rest/data/pcp-gateway:switches'
  logs         $home/data/log/karaf.log
Press Ctrl-C to stop.
EOT
wait "$launcher"
