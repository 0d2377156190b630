#!/bin/bash
# stop-gateway.sh WORKDIR
#
# Stops exactly the processes that start-gateway.sh recorded in WORKDIR/pids (never by name),
# in reverse order of start: call-home-relay, pcp-nft-apply, sshd, netconfd or pcp-nc-agent. The nftables table stays as it is:
# the mappings remain in force while the gateway side is down (delete it with
# `nft delete table inet <table>` if that is what you want).
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 WORKDIR" >&2; exit 1; }
WORKDIR=$1
PIDS=$WORKDIR/pids
[ -f "$PIDS" ] || { echo "stop-gateway: no $PIDS, nothing to stop"; exit 0; }

# the process still is the one we started (guards against a recycled PID)
ours() {
  local name=$1 pid=$2 cmd
  cmd=$( { tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  case "$name" in
    netconfd) [[ $cmd == *netconfd* ]] ;;
    sshd) [[ $cmd == *sshd* ]] ;;
    pcp-nft-apply) [[ $cmd == *pcp-nft-apply* ]] ;;
    pcp-nc-agent) [[ $cmd == *pcp-nc-agent* ]] ;;
    call-home-relay) [[ $cmd == *call-home-relay* ]] ;;
    *) return 1 ;;
  esac
}

mapfile -t entries < <(tac "$PIDS")
for e in "${entries[@]}"; do
  read -r name pid <<< "$e"
  if ours "$name" "$pid"; then
    kill -TERM "$pid" && echo "stop-gateway: SIGTERM $name (PID $pid)"
  fi
done
# netconfd needs about 3 s after SIGTERM
for e in "${entries[@]}"; do
  read -r name pid <<< "$e"
  for _ in $(seq 100); do ours "$name" "$pid" || break; sleep 0.1; done
  if ours "$name" "$pid"; then
    kill -KILL "$pid" && echo "stop-gateway: SIGKILL $name (PID $pid), it ignored SIGTERM for 10 s"
  fi
done
rm -f "$PIDS" "$WORKDIR/ncxserver.sock" "$WORKDIR/agent.sock"
if [ -f "$WORKDIR/keydir" ]; then
  kd=$(cat "$WORKDIR/keydir")
  case "$kd" in /run/pcp-gateway/?*) rm -f "$kd/authorized_keys"; rmdir "$kd" 2>/dev/null ;; esac
  rm -f "$WORKDIR/keydir"
fi
echo "stop-gateway: stopped"
