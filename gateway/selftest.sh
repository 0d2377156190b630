#!/bin/bash
# selftest.sh: end-to-end check of the reference gateway integration.
#
# For each netconfd target (candidate, then running; override with SELFTEST_TARGETS) it creates a
# network namespace of its own, starts the gateway side with start-gateway.sh, and over SSH on
# port 830 (the NETCONF subsystem, as the controller does):
#   1. pushes three pcp-netfilter rules (DNAT and forward accept for 192.0.3.1:40000/udp ->
#      10.0.0.2:5000, and a PEER-style SNAT) and checks that `nft list table inet pcp` shows each
#      of them, with its name as comment, within 5 s;
#   2. deletes the SNAT rule and checks that it is gone within 5 s and the other two stay;
# then stops exactly the processes it started and deletes the namespace.
# Exit 0 only if every check passed. Needs root, netconfd, openssh-server, nftables, python3;
# uses sshpass for password login when installed, else (or with SELFTEST_AUTH=key) an SSH key
# made for the test. SELFTEST_APPLY_ARGS is passed to pcp-nft-apply (e.g. "--poll").
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TARGETS=${SELFTEST_TARGETS:-candidate running}
FAILS=0
CHECKS=0
say() { echo "selftest: $*"; }
pass() { CHECKS=$((CHECKS + 1)); say "PASS $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); say "FAIL $*"; }

[ "$(id -u)" -eq 0 ] || { say "SKIP: needs root"; exit 77; }
for b in /usr/sbin/netconfd /usr/sbin/netconf-subsystem /usr/sbin/sshd /usr/bin/ssh /usr/bin/python3; do
  [ -x "$b" ] || { say "SKIP: $b missing (apt-get install -y netconfd openssh-server openssh-client)"; exit 77; }
done
command -v nft >/dev/null || { say "SKIP: nft missing (apt-get install -y nftables)"; exit 77; }

NS=""
WORK=""
cleanup() {
  if [ -n "$WORK" ] && [ -f "$WORK/pids" ]; then "$HERE/stop-gateway.sh" "$WORK" | sed 's/^/  /'; fi
  if [ -n "$NS" ]; then ip netns del "$NS" 2>/dev/null && say "deleted netns $NS"; fi
  if [ -n "$WORK" ]; then
    if [ "$FAILS" -eq 0 ]; then rm -rf "$WORK"; else say "kept $WORK for inspection"; fi
  fi
  NS=""; WORK=""
}
trap cleanup EXIT

# wait_table SECONDS PRESENT... -- ABSENT...: the table shows every PRESENT and no ABSENT string
wait_table() {
  local limit=$1; shift
  local present=() absent=() mode=p s ok t0
  for s in "$@"; do
    if [ "$s" = "--" ]; then mode=a; continue; fi
    if [ $mode = p ]; then present+=("$s"); else absent+=("$s"); fi
  done
  t0=$(date +%s.%N)
  while :; do
    TABLE=$(ip netns exec "$NS" nft list table inet pcp 2>&1)
    ok=1
    for s in "${present[@]}"; do grep -qF -- "$s" <<< "$TABLE" || ok=0; done
    for s in "${absent[@]}"; do grep -qF -- "$s" <<< "$TABLE" && ok=0; done
    ELAPSED=$(printf '%.2f' "$(echo "$(date +%s.%N) - $t0" | bc)")
    [ $ok = 1 ] && return 0
    (( $(echo "$ELAPSED > $limit" | bc) )) && return 1
    sleep 0.1
  done
}

R_DNAT='map/udp/10.0.0.2/5000/dnat'
R_ACCEPT='map/udp/10.0.0.2/5000/accept'
R_SNAT='peer/udp/10.0.0.2/5000/192.0.3.2/6000/snat'

run_one() {
  local target=$1
  NS="pcpgw-selftest-$$-$RANDOM"
  WORK=$(mktemp -d /tmp/pcpgw-selftest.XXXXXX)
  say "=== target $target: netns $NS, workdir $WORK"
  ip netns add "$NS" || { fail "create netns $NS"; return; }
  ip -n "$NS" link set lo up

  local auth=() user=pcpgw
  ssh-keygen -q -t ed25519 -N '' -C selftest -f "$WORK/client_key"
  if [ "${SELFTEST_AUTH:-}" != key ] && command -v sshpass >/dev/null; then
    export PCPGW_PASSWORD="st-$RANDOM$RANDOM-$$"
    unset PCPGW_AUTHORIZED_KEYS
    auth=(sshpass -e ssh -o PubkeyAuthentication=no -o PreferredAuthentications=password)
    export SSHPASS=$PCPGW_PASSWORD
    say "login: user $user with a password (sshpass)"
  else
    unset PCPGW_PASSWORD
    export PCPGW_AUTHORIZED_KEYS=$WORK/client_key.pub
    auth=(ssh -i "$WORK/client_key" -o BatchMode=yes -o IdentitiesOnly=yes)
    say "login: user $user with an SSH key made for the test"
  fi
  if ! PCPGW_USER=$user PCPGW_TARGET=$target PCPGW_APPLY_ARGS=${SELFTEST_APPLY_ARGS:-} "$HERE/start-gateway.sh" "$NS" "$WORK" | sed 's/^/  /'; then
    fail "start-gateway.sh $NS $WORK"; return
  fi
  [ -f "$WORK/pids" ] && [ "$(wc -l < "$WORK/pids")" -eq 3 ] && pass "start-gateway.sh started netconfd, sshd and pcp-nft-apply" \
    || { fail "start-gateway.sh did not record 3 PIDs"; return; }

  local sshcmd=(ip netns exec "$NS" "${auth[@]}" -p 830 -o StrictHostKeyChecking=no
                -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -s "$user@127.0.0.1" netconf)

  cat > "$WORK/edit-add.xml" <<EOF
<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
  <netfilter xmlns="urn:pcpcontroller:yang:pcp-netfilter">
    <table>pcp</table>
    <rule>
      <name>$R_DNAT</name><mapping>map/udp/10.0.0.2/5000</mapping>
      <family>ipv4</family><hook>prerouting</hook>
      <match><protocol>udp</protocol><destination-address>192.0.3.1</destination-address>
        <destination-port>40000</destination-port></match>
      <dnat><to-address>10.0.0.2</to-address><to-port>5000</to-port></dnat>
    </rule>
    <rule>
      <name>$R_ACCEPT</name><mapping>map/udp/10.0.0.2/5000</mapping>
      <family>ipv4</family><hook>forward</hook>
      <match><protocol>udp</protocol><destination-address>10.0.0.2</destination-address>
        <destination-port>5000</destination-port></match>
      <accept/>
    </rule>
    <rule>
      <name>$R_SNAT</name><mapping>peer/udp/10.0.0.2/5000/192.0.3.2/6000</mapping>
      <family>ipv4</family><hook>postrouting</hook>
      <match><protocol>udp</protocol><source-prefix>10.0.0.2/32</source-prefix><source-port>5000</source-port>
        <destination-address>192.0.3.2</destination-address><destination-port>6000</destination-port></match>
      <snat><to-address>192.0.3.1</to-address><to-port>40001</to-port></snat>
    </rule>
  </netfilter>
</config>
EOF
  cat > "$WORK/edit-del.xml" <<EOF
<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">
  <netfilter xmlns="urn:pcpcontroller:yang:pcp-netfilter">
    <rule nc:operation="delete"><name>$R_SNAT</name></rule>
  </netfilter>
</config>
EOF

  # 1. add three rules
  local out
  out=$(/usr/bin/python3 "$HERE/nc-ssh" --edit "$WORK/edit-add.xml" -- "${sshcmd[@]}" 2>&1)
  local rc=$?
  sed 's/^/  /' <<< "$out"
  if [ $rc -eq 0 ]; then pass "edit-config over SSH port 830 ($(grep -o 'target [a-z+]*' <<< "$out"))"
  else fail "edit-config over SSH port 830 (rc $rc)"; return; fi
  if wait_table 5 "comment \"$R_DNAT\"" "comment \"$R_ACCEPT\"" "comment \"$R_SNAT\""; then
    pass "nft list table inet pcp shows the 3 rules with their comments after $ELAPSED s"
  else
    fail "the 3 rules did not show in table inet pcp within 5 s"
  fi
  sed 's/^/    | /' <<< "$TABLE"
  grep -qE 'ip daddr 192\.0\.3\.1 udp dport 40000 dnat ip to 10\.0\.0\.2:5000 comment' <<< "$TABLE" &&
    pass "DNAT 192.0.3.1:40000/udp -> 10.0.0.2:5000 rendered in the prerouting nat chain" ||
    fail "DNAT rule not rendered as expected"
  grep -qE 'ip daddr 10\.0\.0\.2 udp dport 5000 meta mark set meta mark \| 0x00800000 accept comment' <<< "$TABLE" &&
    pass "forward accept for 10.0.0.2:5000/udp rendered (with the accept mark)" ||
    fail "accept rule not rendered as expected"
  grep -qE 'snat ip to 192\.0\.3\.1:40001 comment' <<< "$TABLE" &&
    pass "SNAT 10.0.0.2:5000 -> 192.0.3.1:40001 rendered in the postrouting nat chain" ||
    fail "SNAT rule not rendered as expected"

  # 2. delete one rule
  out=$(/usr/bin/python3 "$HERE/nc-ssh" --edit "$WORK/edit-del.xml" -- "${sshcmd[@]}" 2>&1)
  rc=$?
  sed 's/^/  /' <<< "$out"
  if [ $rc -eq 0 ]; then pass "delete of $R_SNAT over SSH"; else fail "delete over SSH (rc $rc)"; fi
  if wait_table 5 "comment \"$R_DNAT\"" "comment \"$R_ACCEPT\"" -- "$R_SNAT"; then
    pass "$R_SNAT gone from table inet pcp after $ELAPSED s, the other 2 rules remain"
  else
    fail "after the delete, table inet pcp is not as expected within 5 s"
    sed 's/^/    | /' <<< "$TABLE"
  fi

  say "pcp-nft-apply log:"
  sed 's/^/    | /' "$WORK/pcp-nft-apply.log"
  cleanup
}

for t in $TARGETS; do run_one "$t"; done
say "$((CHECKS - FAILS))/$CHECKS checks passed"
[ "$FAILS" -eq 0 ] && [ "$CHECKS" -gt 0 ]
