#!/bin/bash
# nacm-startup.sh CONTROLLER_USER [LOCAL_READER]
#
# Prints a netconfd startup configuration that holds only NACM (RFC 8341, ietf-netconf-acm), so that
# the controller's NETCONF user can do exactly its job and nothing else:
#   - data: read and write /pcp-netfilter:netfilter; nothing of any other module (read-default and
#     write-default deny: /nacm itself stays invisible and unwritable to it);
#   - operations: get-config, get, edit-config, commit, discard-changes, validate, lock, unlock,
#     get-schema (exec-default deny: no kill-session, delete-config, copy-config, ...).
# LOCAL_READER (default pcp-nft-apply, the name the baseline applier gives netconfd) may read
# pcp-netfilter and subscribe to the change notifications. No user is netconfd's superuser.
# PCPGW_TABLE: the initial /netfilter/table (default pcp-controller, the model's default).
# The user names must be NETCONF user names (the SSH login).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 CONTROLLER_USER [LOCAL_READER]" >&2; exit 1; }
ctl=$1 reader=${2:-pcp-nft-apply} table=${PCPGW_TABLE:-pcp-controller}
[[ $table =~ ^[A-Za-z0-9_-]{1,64}$ ]] || { echo "nacm-startup: bad table name $table" >&2; exit 1; }
for u in "$ctl" "$reader"; do
  [[ $u =~ ^[A-Za-z_][A-Za-z0-9._-]{0,31}$ ]] || { echo "nacm-startup: bad user name $u" >&2; exit 1; }
done
rpc() {  # rule name, module, rpc
  printf '      <rule><name>%s</name><module-name>%s</module-name><rpc-name>%s</rpc-name>' "$1" "$2" "$3"
  printf '<access-operations>exec</access-operations><action>permit</action></rule>\n'
}
cat <<XML
<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
  <nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm">
    <enable-nacm>true</enable-nacm>
    <read-default>deny</read-default>
    <write-default>deny</write-default>
    <exec-default>deny</exec-default>
    <enable-external-groups>false</enable-external-groups>
    <groups>
      <group><name>pcp-controller</name><user-name>$ctl</user-name></group>
      <group><name>pcp-gateway-local</name><user-name>$reader</user-name></group>
    </groups>
    <rule-list>
      <name>pcp-controller</name>
      <group>pcp-controller</group>
      <!-- netconfd 2.13 ignores module rules (module-name without a path; "TODO: Not ready" in
           agt_acm.c). A path rule covers the nodes it selects in the existing configuration and their
           descendants, so /netfilter must exist before the first write: see the end of this file. -->
      <rule><name>pcp-netfilter-data</name><module-name>pcp-netfilter</module-name>
        <path xmlns:pcpnf="urn:pcpcontroller:yang:pcp-netfilter">/pcpnf:netfilter</path>
        <access-operations>*</access-operations><action>permit</action></rule>
$(for op in get-config get edit-config commit discard-changes validate lock unlock; do rpc "op-$op" ietf-netconf "$op"; done)
$(rpc op-get-schema ietf-netconf-monitoring get-schema)
    </rule-list>
    <rule-list>
      <name>pcp-gateway-local</name>
      <group>pcp-gateway-local</group>
      <rule><name>pcp-netfilter-read</name><module-name>pcp-netfilter</module-name>
        <path xmlns:pcpnf="urn:pcpcontroller:yang:pcp-netfilter">/pcpnf:netfilter</path>
        <access-operations>read</access-operations><action>permit</action></rule>
$(rpc op-get-config ietf-netconf get-config)
$(rpc op-subscribe notifications create-subscription)
      <rule><name>config-change</name><module-name>ietf-netconf-notifications</module-name>
        <notification-name>netconf-config-change</notification-name>
        <access-operations>read</access-operations><action>permit</action></rule>
    </rule-list>
  </nacm>
  <!-- the container the controller's data rule selects (its table leaf at the model's default) -->
  <netfilter xmlns="urn:pcpcontroller:yang:pcp-netfilter"><table>${table}</table></netfilter>
</config>
XML
