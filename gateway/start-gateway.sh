#!/bin/bash
# start-gateway.sh NETNS WORKDIR
#
# Starts the reference PCP gateway side inside network namespace NETNS ("-" = the current one):
#   netconfd (yuma123) with the pcp-netfilter module, on a private socket in WORKDIR;
#   sshd on port 830 whose only purpose is the NETCONF subsystem, for user $PCPGW_USER;
#   and the agent that puts the configuration into nftables, one of (PCPGW_AGENT):
#     apply  pcp-nft-apply, a separate daemon that re-applies the whole running configuration after
#            every change notification (the baseline; the default);
#     sil    netconfd's SIL module gateway/agent/build/libpcp-netfilter.so (built here with make) and its
#            helper pcp-nft-agentd: every commit goes into nftables inside the commit, incrementally.
#     nc     no netconfd: gateway/nc-agent/build/pcp-nc-agent (built here with make), a NETCONF server for
#            pcp-netfilter alone on libnetconf2 + libyang + libnftables, behind the same sshd (its netconf
#            subsystem relays to the agent's unix socket with socat); writable running, every edit one nft
#            transaction and one journal record before the reply.
# With netconfd, the controller's user gets rights on pcp-netfilter through NACM (ietf-netconf-acm), not as
# superuser; the nc agent serves nothing but pcp-netfilter, to the SSH user (and root) only.
# Every process is started in the foreground of a background job, so its PID is exact; the PIDs
# go to WORKDIR/pids and stop-gateway.sh WORKDIR kills exactly those.
#
# Environment (all optional):
#   PCPGW_USER             NETCONF/SSH user, created as a system user if absent (default pcpgw)
#   PCPGW_PASSWORD         password for that user; if unset, password login stays disabled
#   PCPGW_AUTHORIZED_KEYS  file with public keys allowed to log in as that user
#   PCPGW_LISTEN           sshd ListenAddress (default 127.0.0.1; a gateway uses its management address)
#   PCPGW_PORT             sshd port (default 830)
#   PCPGW_TARGET           netconfd --target: candidate (default) or running (the nc agent: running only)
#   PCPGW_MODULE           the YANG module (default: pcp-netfilter@2026-11-23.yang of this repository)
#   PCPGW_APPLY_ARGS       extra arguments for pcp-nft-apply (e.g. "--poll --poll-interval 2")
#   PCPGW_APPLY_READY_TIMEOUT  seconds to wait for pcp-nft-apply's first apply (default 90)
#   PCPGW_AGENT            apply (default), sil or nc, see above
#   PCPGW_NC_ARGS          extra arguments for pcp-nc-agent (e.g. "--no-sync --resync-interval 5")
#   PCPGW_CALL_HOME        HOST:PORT of a controller's call-home listener (RFC 8071, port 4334): also start
#                          call-home-relay, which dials it and splices the connection to this sshd
#   PCPGW_SUPERUSER        a netconfd --superuser (default none: everything goes through NACM)
set -euo pipefail

die() { echo "start-gateway: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: $0 NETNS WORKDIR"
NETNS=$1
WORKDIR=$2
[ "$(id -u)" -eq 0 ] || die "must run as root"

HERE=$(cd "$(dirname "$0")" && pwd)
USER_NAME=${PCPGW_USER:-pcpgw}
LISTEN=${PCPGW_LISTEN:-127.0.0.1}
PORT=${PCPGW_PORT:-830}
AGENT=${PCPGW_AGENT:-apply}
if [ "$AGENT" = nc ]; then
  [ "${PCPGW_TARGET:-running}" = running ] || { echo "start-gateway: the nc agent serves running only (:writable-running), not ${PCPGW_TARGET}" >&2; exit 1; }
  PCPGW_TARGET=running
fi
TARGET=${PCPGW_TARGET:-candidate}
MODULE=${PCPGW_MODULE:-$HERE/../yang/src/main/yang/pcp-netfilter@2026-11-23.yang}
NETCONFD=/usr/sbin/netconfd
SUBSYS=/usr/sbin/netconf-subsystem
SSHD=/usr/sbin/sshd

case "$TARGET" in candidate|running) ;; *) die "PCPGW_TARGET must be candidate or running" ;; esac
case "$AGENT" in apply|sil|nc) ;; *) die "PCPGW_AGENT must be apply, sil or nc" ;; esac
if [ "$AGENT" = nc ]; then
  for b in "$SSHD" /usr/bin/ssh-keygen /usr/bin/socat; do
    [ -x "$b" ] || die "$b not found (apt-get install -y openssh-server socat)"
  done
else
  for b in "$NETCONFD" "$SUBSYS" "$SSHD" /usr/bin/ssh-keygen /usr/bin/python3; do
    [ -x "$b" ] || die "$b not found (apt-get install -y netconfd openssh-server python3)"
  done
fi
command -v nft >/dev/null || die "nft not found (apt-get install -y nftables)"
[ -f "$MODULE" ] || die "YANG module $MODULE not found"
MODULE=$(readlink -f "$MODULE")

if [ "$NETNS" = "-" ]; then
  NSEXEC=()
else
  ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$NETNS" || die "network namespace $NETNS does not exist"
  NSEXEC=(ip netns exec "$NETNS")
fi

mkdir -p "$WORKDIR"
WORKDIR=$(readlink -f "$WORKDIR")
# the SSH user's netconf-subsystem must reach the socket in here: traverse, but no listing
chmod 711 "$WORKDIR"
SOCK=$WORKDIR/ncxserver.sock
PIDS=$WORKDIR/pids

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
if [ -f "$PIDS" ]; then
  while read -r _ pid; do
    alive "$pid" && die "a gateway from $WORKDIR is still running (PID $pid); run stop-gateway.sh $WORKDIR"
  done < "$PIDS"
  rm -f "$PIDS"
fi

# -- user ----------------------------------------------------------------------------------------
if ! id "$USER_NAME" >/dev/null 2>&1; then
  # a real shell: sshd starts the subsystem through it; ForceCommand below allows nothing else
  useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh "$USER_NAME"
  echo "start-gateway: created system user $USER_NAME"
fi
PASSAUTH=no
if [ -n "${PCPGW_PASSWORD:-}" ]; then
  echo "$USER_NAME:$PCPGW_PASSWORD" | chpasswd
  PASSAUTH=yes
fi
# sshd (StrictModes) refuses an authorized_keys file below a directory that others may write,
# such as /tmp; so the keys live under /run/pcp-gateway/<id of WORKDIR>/, owned by root.
KEYDIR=/run/pcp-gateway/$(printf '%s' "$WORKDIR" | sha1sum | cut -c1-16)
KEYS=$KEYDIR/authorized_keys
mkdir -p "$KEYDIR" && chmod 755 /run/pcp-gateway "$KEYDIR"
: > "$KEYS"
if [ -n "${PCPGW_AUTHORIZED_KEYS:-}" ]; then
  cat "$PCPGW_AUTHORIZED_KEYS" > "$KEYS"
fi
chmod 644 "$KEYS"
echo "$KEYDIR" > "$WORKDIR/keydir"
if [ "$PASSAUTH" = no ] && [ ! -s "$KEYS" ]; then
  die "set PCPGW_PASSWORD or PCPGW_AUTHORIZED_KEYS, or nobody can log in"
fi

# -- pcp-nc-agent (agent nc: no netconfd) ----------------------------------------------------------
start_nc_agent() {
  make -s -C "$HERE/nc-agent" >&2 ||
    die "building pcp-nc-agent failed (apt-get install -y build-essential libnetconf2-dev libyang2-dev libnftables-dev libjansson-dev)"
  [ -f /usr/share/yuma/modules/ietf/ietf-netconf@2011-06-01.yang ] ||
    die "ietf-netconf.yang not found in /usr/share/yuma/modules/ietf (apt-get install -y libyuma-base)"
  # the persisted running configuration: a snapshot (startup.xml, as netconfd's) and the journal of later edits;
  # a new one names the table, as nacm-startup.sh does for netconfd
  if [ ! -s "$WORKDIR/startup.xml" ]; then
    rm -f "$WORKDIR/startup.journal"
    [[ ${PCPGW_TABLE:-pcp-controller} =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die "bad PCPGW_TABLE"
    printf '<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><netfilter xmlns="urn:pcpcontroller:yang:pcp-netfilter"><table>%s</table></netfilter></config>\n' \
      "${PCPGW_TABLE:-pcp-controller}" > "$WORKDIR/startup.xml"
  fi
  SOCK=$WORKDIR/agent.sock
  rm -f "$SOCK"
  # shellcheck disable=SC2086 # PCPGW_NC_ARGS is a list of words
  "${NSEXEC[@]}" "$HERE/nc-agent/build/pcp-nc-agent" --socket "$SOCK" --startup "$WORKDIR/startup.xml" \
    --module "$MODULE" --user "$USER_NAME" --log "$WORKDIR/pcp-nc-agent.log" ${PCPGW_NC_ARGS:-} \
    </dev/null >>"$WORKDIR/pcp-nc-agent.out" 2>&1 &
  echo "pcp-nc-agent $!" >> "$PIDS"
  local pid=$!
  for _ in $(seq 100); do
    [ -S "$SOCK" ] && return 0
    alive "$pid" || { tail -20 "$WORKDIR/pcp-nc-agent.log" >&2; die "pcp-nc-agent exited"; }
    sleep 0.1
  done
  die "pcp-nc-agent did not create $SOCK within 10 s"
}

# -- netconfd (agents apply and sil) ------------------------------------------------------------------------------------
# An empty startup file is fatal to netconfd 2.13; an existing one keeps the committed config.
# It starts with the NACM rules (RFC 8341) that confine the controller's user to pcp-netfilter.
start_netconfd() {
  [ -s "$WORKDIR/startup.xml" ] || "$HERE/nacm-startup.sh" "$USER_NAME" > "$WORKDIR/startup.xml"
  rm -f "$SOCK"   # netconfd leaves its socket behind and cannot bind over it
  NETCONFD_ARGS=(--module="$MODULE")
  NETCONFD_ENV=()
  if [ "$AGENT" = sil ]; then
    # netconfd loads a module's SIL (lib<module>.so from YUMA_RUNPATH) only when the module is named, not
    # given as a path: so the module goes by name, from its directory on the module path
    make -s -C "$HERE/agent" >&2 || die "building the SIL module failed (apt-get install -y build-essential libyuma-dev)"
    MODNAME=$(basename "$MODULE" .yang); MODNAME=${MODNAME%%@*}
    NETCONFD_ARGS=(--module="$MODNAME" --modpath="$(dirname "$MODULE"):/usr/share/yuma/modules")
    NETCONFD_ENV=(env YUMA_RUNPATH="$HERE/agent/build" PCPNF_AGENTD="$HERE/pcp-nft-agentd")
    /usr/bin/python3 -c 'import nftables' 2>/dev/null ||
      echo "start-gateway: python3-nftables missing; pcp-nft-agentd falls back to running nft -j" >&2
  fi
  # netconfd's default superuser is the user named "superuser", and an empty --superuser= is a CLI error
  # in 2.13: so without PCPGW_SUPERUSER the superuser is a name that no system user has (checked here)
  SUPERUSER=${PCPGW_SUPERUSER:-pcp-no-superuser}
  if [ -z "${PCPGW_SUPERUSER:-}" ] && id "$SUPERUSER" >/dev/null 2>&1; then
    die "a system user $SUPERUSER exists; it would be netconfd's superuser"
  fi
  NETCONFD_ARGS+=(--superuser="$SUPERUSER")
  "${NSEXEC[@]}" "${NETCONFD_ENV[@]}" "$NETCONFD" \
    "${NETCONFD_ARGS[@]}" \
    --startup="$WORKDIR/startup.xml" \
    --target="$TARGET" \
    --ncxserver-sockname="$SOCK" \
    --log="$WORKDIR/netconfd.log" --log-level=info \
    </dev/null >"$WORKDIR/netconfd.out" 2>&1 &
  echo "netconfd $!" >> "$PIDS"
  local NETCONFD_PID=$!
  # it loads the whole startup configuration first: with 10,000 mappings held that took more than 5 s (load 20)
  for _ in $(seq 1200); do
    [ -S "$SOCK" ] && break
    alive "$NETCONFD_PID" || { tail -20 "$WORKDIR/netconfd.log" >&2; die "netconfd exited"; }
    sleep 0.1
  done
  [ -S "$SOCK" ] || die "netconfd did not create $SOCK within 120 s"
}
if [ "$AGENT" = nc ]; then start_nc_agent; else start_netconfd; fi

# -- sshd ----------------------------------------------------------------------------------------
[ -f "$WORKDIR/ssh_host_ed25519_key" ] ||
  ssh-keygen -q -t ed25519 -N '' -C "pcp-gateway" -f "$WORKDIR/ssh_host_ed25519_key"
mkdir -p /run/sshd
if [ "$AGENT" = nc ]; then
  # a relay into the agent's socket; the agent takes the relay's uid (the SSH login) as the NETCONF user
  SUBSYSTEM_CMD="/usr/bin/socat STDIO UNIX-CONNECT:$SOCK"
else
  # netconf-subsystem picks the socket PORT@PATH whose PORT is sshd's port (from SSH_CONNECTION)
  SUBSYSTEM_CMD="$SUBSYS --ncxserver-sockname=$PORT@$SOCK"
fi
cat > "$WORKDIR/sshd_config" <<EOF
# generated by start-gateway.sh: an sshd that serves only NETCONF
ListenAddress $LISTEN
Port $PORT
HostKey $WORKDIR/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile $KEYS
PasswordAuthentication $PASSAUTH
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
PermitRootLogin no
AllowUsers $USER_NAME
DisableForwarding yes
PermitTTY no
LogLevel VERBOSE
Subsystem netconf $SUBSYSTEM_CMD
Match User $USER_NAME
  ForceCommand $SUBSYSTEM_CMD
EOF
"${NSEXEC[@]}" "$SSHD" -t -f "$WORKDIR/sshd_config" || die "sshd rejects $WORKDIR/sshd_config"
"${NSEXEC[@]}" "$SSHD" -D -f "$WORKDIR/sshd_config" -E "$WORKDIR/sshd.log" </dev/null >"$WORKDIR/sshd.out" 2>&1 &
echo "sshd $!" >> "$PIDS"

# -- pcp-nft-apply (baseline agent) ---------------------------------------------------------------
if [ "$AGENT" = apply ]; then
  # shellcheck disable=SC2086 # PCPGW_APPLY_ARGS is a list of words
  "${NSEXEC[@]}" /usr/bin/python3 "$HERE/pcp-nft-apply" --socket "$SOCK" --subsystem "$SUBSYS" \
    ${PCPGW_APPLY_ARGS:-} </dev/null >>"$WORKDIR/pcp-nft-apply.out" 2>>"$WORKDIR/pcp-nft-apply.log" &
  echo "pcp-nft-apply $!" >> "$PIDS"
  # ready once it has read the running configuration and put it into nftables (its "startup:" line): edits
  # before that are not lost (the first sync applies them), but a caller checking the kernel would race it.
  # Under load netconfd has left the applier's first rpc unanswered (seen in the selftest at load 14 on 2 CPUs);
  # the applier then reconnects after its RPC timeout (--timeout, 30 s), hence the long bound.
  apid=$! ready=${PCPGW_APPLY_READY_TIMEOUT:-90}
  for _ in $(seq 1 $((ready * 5))); do
    grep -q ' startup: ' "$WORKDIR/pcp-nft-apply.log" 2>/dev/null && break
    alive "$apid" || { tail -20 "$WORKDIR/pcp-nft-apply.log" >&2; die "pcp-nft-apply exited"; }
    sleep 0.2
  done
  grep -q ' startup: ' "$WORKDIR/pcp-nft-apply.log" || die "pcp-nft-apply did not apply the running configuration within $ready s"
fi

# -- call home (RFC 8071) -------------------------------------------------------------------------
if [ -n "${PCPGW_CALL_HOME:-}" ]; then
  "${NSEXEC[@]}" "$HERE/call-home-relay" "$PCPGW_CALL_HOME" "$LISTEN:$PORT" \
    </dev/null >>"$WORKDIR/call-home-relay.log" 2>&1 &
  echo "call-home-relay $!" >> "$PIDS"
fi

sleep 0.3
while read -r name pid; do
  alive "$pid" || die "$name (PID $pid) exited at once; see $WORKDIR/$name.log"
done < "$PIDS"
echo "start-gateway: netns ${NETNS} workdir $WORKDIR target $TARGET agent $AGENT ssh $LISTEN:$PORT user $USER_NAME"
sed 's/^/start-gateway:   /' "$PIDS"
