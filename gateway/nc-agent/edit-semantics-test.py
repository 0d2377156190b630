#!/usr/bin/python3
"""edit-semantics-test.py: the nc agent's NETCONF behaviour, checked with a real client (Debian's python3-ncclient)
over the gateway's own sshd, and the kernel checked with nft after every reply.

    edit-semantics-test.py --port 830 --user pcpgw --password PW [--table pcp]

Runs inside the gateway's network namespace against a gateway started with PCPGW_AGENT=nc (gateway/selftest.sh does
this). Edits rules named test/..., and at the end removes them. Prints PASS/FAIL per check and exits 0 only if all
passed. What it checks: the hello (capabilities), edit-config merge/replace/create/delete/remove on rules, leaves,
containers and /netfilter/owner, the action choice, default-operation none, all-or-nothing batches with invalid
values, rules the kernel cannot take, unknown elements and namespaces, missing mandatory leaves, subtree filters,
lock/unlock and their release when a session ends or is killed, kill-session, and what is not supported.
"""
import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

from ncclient import manager
from ncclient.operations import RPCError

NS = "urn:pcpcontroller:yang:pcp-netfilter"
BASE = "urn:ietf:params:xml:ns:netconf:base:1.0"
ARGS = None
RESULTS = [0, 0]


def check(what, ok, detail=""):
    RESULTS[0 if ok else 1] += 1
    print("edit-semantics: %s %s%s" % ("PASS" if ok else "FAIL", what, "" if ok or not detail else ": %s" % detail))
    sys.stdout.flush()
    return ok


def connect():
    return manager.connect(host="127.0.0.1", port=ARGS.port, username=ARGS.user, password=ARGS.password,
                           hostkey_verify=False, allow_agent=False, look_for_keys=False, timeout=20)


def cfg(body, op=None):
    return '<config xmlns="%s" xmlns:nc="%s"><netfilter xmlns="%s"%s>%s</netfilter></config>' % (
        BASE, BASE, NS, ' nc:operation="%s"' % op if op else "", body)


def rule(name, dport=40000, daddr="192.0.3.77", to="10.0.0.2", to_port=5000, expires=None, op=None, extra="",
         hook="prerouting", action=None, proto="tcp"):
    act = action if action is not None else \
        "<dnat><to-address>%s</to-address><to-port>%d</to-port></dnat>" % (to, to_port)
    return ('<rule%s><name>%s</name><mapping>test</mapping><family>ipv4</family><hook>%s</hook>'
            '<match><protocol>%s</protocol><destination-address>%s</destination-address>'
            '<destination-port>%d</destination-port></match>%s%s%s</rule>') % (
        ' nc:operation="%s"' % op if op else "", name, hook, proto, daddr, dport, act,
        "<expires>%s</expires>" % expires if expires else "", extra)


def edit(m, body, **kw):
    """None on ok, else the RPCError."""
    try:
        m.edit_config(target="running", config=body, **kw)
        return None
    except RPCError as e:
        return e


def err_tag(e):
    return e.tag if e is not None else "ok"


def app_tag(e):
    try:
        x = ET.fromstring(e.xml) if isinstance(e.xml, str) else e.xml
        t = x.find("{%s}error-app-tag" % BASE)
        return t.text if t is not None else None
    except Exception:  # noqa: BLE001
        return None


def rules(m, flt=None):
    """{name: {leaf path: value}} of the running configuration (through a subtree filter)."""
    f = flt if flt is not None else '<netfilter xmlns="%s"/>' % NS
    data = ET.fromstring(m.get_config(source="running", filter=("subtree", f)).data_xml)
    out = {}
    for r in data.iter("{%s}rule" % NS):
        leaves = {}
        for el in r.iter():
            if el is r:
                continue
            tag = el.tag.split("}")[1]
            if len(el) == 0:
                parent = [p for p in r.iter() if el in list(p)][0]
                key = tag if parent is r else "%s/%s" % (parent.tag.split("}")[1], tag)
                leaves[key] = el.text or ""
        out[leaves.get("name")] = leaves
    return out


def nft_elem(setname, key):
    r = subprocess.run(["nft", "-j", "list", "map" if not setname.startswith("accept") else "set", "inet", ARGS.table,
                        setname], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    for o in json.loads(r.stdout)["nftables"]:
        s = o.get("map") or o.get("set")
        for e in (s or {}).get("elem", []):
            k = e[0] if isinstance(e, list) else e
            t = None
            if isinstance(k, dict) and "elem" in k:
                t = k["elem"].get("timeout")
                k = k["elem"]["val"]
            if [str(x) for x in k["concat"]] == [str(x) for x in key]:
                return {"timeout": t, "data": e[1] if isinstance(e, list) else None}
    return None


def nft_table():
    return subprocess.run(["nft", "list", "table", "inet", ARGS.table], capture_output=True, text=True).stdout


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=830)
    ap.add_argument("--user", default="pcpgw")
    ap.add_argument("--password", required=True)
    ap.add_argument("--table", default="pcp")
    ARGS = ap.parse_args()

    m = connect()
    caps = set(m.server_capabilities)
    check("hello: base:1.1", "urn:ietf:params:netconf:base:1.1" in caps)
    check("hello: pcp-netfilter with its revision",
          "urn:pcpcontroller:yang:pcp-netfilter?module=pcp-netfilter&revision=2026-11-23" in caps)
    check("hello: writable-running and rollback-on-error, no candidate",
          "urn:ietf:params:netconf:capability:writable-running:1.0" in caps
          and "urn:ietf:params:netconf:capability:rollback-on-error:1.0" in caps
          and not any(":candidate" in c for c in caps), sorted(caps))

    exp = "2031-01-01T00:00:00Z"
    owner = ET.fromstring(m.get_config(source="running", filter=(
        "subtree", '<netfilter xmlns="%s"><owner/></netfilter>' % NS)).data_xml).findtext(".//{%s}owner" % NS)
    # the controller's own request shape (NetfilterXml.editConfig): owner, replace, remove, rollback-on-error
    e = edit(m, cfg("<owner>edit-semantics/test</owner>" + rule("test/a/dnat", expires=exp, op="replace")
                    + '<rule nc:operation="remove"><name>test/never-there</name></rule>'),
             error_option="rollback-on-error")
    check("controller's edit (owner, replace, remove of an absent rule, rollback-on-error) is ok", e is None, e)
    got = rules(m).get("test/a/dnat", {})
    check("get-config returns the rule as written (expires stays %s)" % exp, got.get("expires") == exp
          and got.get("dnat/to-port") == "5000" and got.get("match/destination-port") == "40000", got)
    el = nft_elem("dnat4p", ["192.0.3.77", "tcp", 40000])
    check("in the kernel at the reply: map element with the lease as timeout", el is not None
          and el["data"] == 5000 and el["timeout"] and el["timeout"] > 3600, el)

    # merge of one leaf into an existing entry
    e = edit(m, cfg('<rule><name>test/a/dnat</name><expires>2031-06-01T00:00:00Z</expires></rule>'))
    got = rules(m).get("test/a/dnat", {})
    check("merge of expires alone keeps the other leaves", e is None and got.get("expires") == "2031-06-01T00:00:00Z"
          and got.get("dnat/to-address") == "10.0.0.2", (e, got))
    t2 = (nft_elem("dnat4a", ["192.0.3.77", "tcp", 40000]) or {}).get("timeout")
    check("refreshed lease in the kernel (timeout grew)", t2 and el and t2 > el["timeout"], (el, t2))

    # create / delete / remove
    e = edit(m, cfg(rule("test/a/dnat", expires=exp, op="create")))
    check("create of an existing rule: data-exists", err_tag(e) == "data-exists", err_tag(e))
    e = edit(m, cfg('<rule nc:operation="delete"><name>test/not-there</name></rule>'))
    check("delete of an absent rule: data-missing", err_tag(e) == "data-missing", err_tag(e))
    e = edit(m, cfg('<rule><name>test/a/dnat</name><comment nc:operation="delete"/></rule>'))
    check("delete of an absent leaf: data-missing", err_tag(e) == "data-missing", err_tag(e))
    e = edit(m, cfg('<rule><name>test/a/dnat</name><comment>first</comment></rule>'))
    e2 = edit(m, cfg('<rule><name>test/a/dnat</name><comment nc:operation="remove"/></rule>'))
    check("merge then remove of a leaf", e is None and e2 is None and "comment" not in rules(m)["test/a/dnat"],
          (e, e2))

    # replace drops what the new content does not have
    edit(m, cfg('<rule><name>test/a/dnat</name><comment>to go</comment></rule>'))
    e = edit(m, cfg(rule("test/a/dnat", to_port=5001, expires=exp, op="replace")))
    got = rules(m)["test/a/dnat"]
    check("replace of a rule: new content only", e is None and "comment" not in got and got["dnat/to-port"] == "5001",
          got)
    check("replace in the kernel: the map element points at the new port",
          (nft_elem("dnat4p", ["192.0.3.77", "tcp", 40000]) or {}).get("data") == 5001)

    # the action choice: a node of another case removes the old case
    e = edit(m, cfg('<rule><name>test/b/dscp</name><mapping>test</mapping><family>ipv4</family><hook>forward</hook>'
                    '<match><protocol>udp</protocol><destination-address>10.0.0.9</destination-address>'
                    '<destination-port>7000</destination-port></match><set-dscp>46</set-dscp></rule>'))
    check("a DSCP rule (a rule of its own in the kernel)", e is None and 'comment "test/b/dscp"' in nft_table(), e)
    e = edit(m, cfg('<rule><name>test/b/dscp</name><accept/></rule>'))
    got = rules(m)["test/b/dscp"]
    check("merge of <accept/> into it removes set-dscp (YANG choice)", e is None and "set-dscp" not in got
          and "accept" in got, (e, got))
    check("... and the kernel follows: pinhole element, no DSCP rule",
          nft_elem("accept4", ["10.0.0.9", "udp", 7000]) is not None and "test/b/dscp" not in nft_table())

    # a lease that already ended: accepted, held, not in the kernel
    e = edit(m, cfg(rule("test/e/ended", dport=40030, expires="2020-01-01T00:00:00Z")))
    check("a rule whose lease already ended is accepted and held", e is None and "test/e/ended" in rules(m), e)
    check("... but not put into the kernel", nft_elem("dnat4a", ["192.0.3.77", "tcp", 40030]) is None)

    # all or nothing
    before = rules(m)
    e = edit(m, cfg(rule("test/c/ok1", dport=40010) + rule("test/c/bad", dport=70000) + rule("test/c/ok2", dport=40011)))
    check("invalid value (port 70000): invalid-value with an error-path", err_tag(e) == "invalid-value"
          and e.path and "destination-port" in e.path, (err_tag(e), getattr(e, "path", None)))
    check("... and nothing of the batch is in the datastore", rules(m) == before)
    check("... or in the kernel", nft_elem("dnat4a", ["192.0.3.77", "tcp", 40010]) is None)
    e = edit(m, cfg(rule("test/c/ok1", dport=40010) + rule("test/c/fwd", dport=40012, hook="forward")))
    check("a rule the kernel cannot take (dnat in forward): refused, app-tag pcp-netfilter-nft",
          err_tag(e) == "invalid-value" and app_tag(e) == "pcp-netfilter-nft" and "needs hook prerouting" in e.message,
          (err_tag(e), app_tag(e), getattr(e, "message", None)))
    check("... and nothing of the batch is in the kernel", nft_elem("dnat4a", ["192.0.3.77", "tcp", 40010]) is None)
    e = edit(m, cfg(rule("test/c/dup", dport=40000, to_port=6000)))
    check("a second rule with the same map key is refused", err_tag(e) == "invalid-value"
          and "same match as rule test/a/dnat" in (e.message or ""), getattr(e, "message", e))
    e = edit(m, cfg(rule("test/c/zone", to="fe80::1%eth0")))
    check("an address with a zone index is refused", e is not None, e)
    e = edit(m, cfg('<rule><name>test/c/nofamily</name><mapping>test</mapping><hook>forward</hook><accept/></rule>'))
    check("a rule without its mandatory family: data-missing", err_tag(e) == "data-missing", err_tag(e))
    e = edit(m, cfg('<rule><name>test/c/noaction</name><mapping>test</mapping><family>ipv4</family>'
                    '<hook>forward</hook></rule>'))
    check("a rule without an action: data-missing, missing-choice", err_tag(e) == "data-missing"
          and app_tag(e) == "missing-choice", (err_tag(e), app_tag(e)))
    e = edit(m, cfg('<rule><mapping>x</mapping></rule>'))
    check("a rule without its key: missing-element", err_tag(e) == "missing-element", err_tag(e))
    e = edit(m, cfg('<rule><name>test/a/dnat</name><colour>blue</colour></rule>'))
    check("an element the model does not have: unknown-element", err_tag(e) == "unknown-element", err_tag(e))
    e = edit(m, '<config xmlns="%s"><nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm">'
                '<enable-nacm>false</enable-nacm></nacm></config>' % BASE)
    check("another module's data (ietf-netconf-acm): unknown-namespace", err_tag(e) == "unknown-namespace", err_tag(e))
    e = edit(m, cfg('<rule nc:operation="frobnicate"><name>test/a/dnat</name></rule>'))
    check("an operation that does not exist: bad-attribute", err_tag(e) == "bad-attribute", err_tag(e))
    check("after all these refusals the datastore is as before", rules(m) == before)

    # default-operation none: only nodes with their own operation change
    e = edit(m, cfg('<rule><name>test/a/dnat</name><comment nc:operation="merge">via none</comment></rule>'),
             default_operation="none")
    check("default-operation none with an operation on one leaf", e is None
          and rules(m)["test/a/dnat"].get("comment") == "via none", e)
    e = edit(m, cfg('<rule><name>test/not-there</name><comment nc:operation="merge">x</comment></rule>'),
             default_operation="none")
    check("default-operation none on an absent rule: data-missing", err_tag(e) == "data-missing", err_tag(e))

    # owner
    e = edit(m, cfg('<owner nc:operation="delete"/>'))
    e2 = edit(m, cfg('<owner nc:operation="delete"/>'))
    check("delete of owner, then again: ok, then data-missing", e is None and err_tag(e2) == "data-missing",
          (e, err_tag(e2)))

    # subtree filters
    only = rules(m, '<netfilter xmlns="%s"><rule><name>test/a/dnat</name></rule></netfilter>' % NS)
    check("filter: content match on the key selects one whole rule", list(only) == ["test/a/dnat"]
          and only["test/a/dnat"].get("dnat/to-port") == "5001", only)
    part = rules(m, '<netfilter xmlns="%s"><rule><name>test/a/dnat</name><expires/></rule></netfilter>' % NS)
    check("filter: selection of one leaf (and the key)", part == {"test/a/dnat": {"name": "test/a/dnat",
                                                                                  "expires": exp}}, part)
    data = m.get_config(source="running", filter=("subtree", '<netfilter xmlns="%s"><table/></netfilter>' % NS)).data_xml
    check("filter: the table leaf alone", ">%s</table>" % ARGS.table in data and "<rule" not in data, data)
    data = m.get_config(source="running", filter=(
        "subtree", '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm"/>')).data_xml
    check("filter: another module selects nothing", "nacm" not in data and "netfilter" not in data, data)
    data = m.get(filter=("subtree", '<netfilter xmlns="%s"><rule><name>test/a/dnat</name></rule></netfilter>' % NS))
    check("<get> with a filter", "test/a/dnat" in data.data_xml)

    # locks
    m2 = connect()
    m.lock("running")
    e = edit(m2, cfg(rule("test/d/locked", dport=40020)))
    check("while A holds the lock, B's edit is refused: in-use", err_tag(e) == "in-use", err_tag(e))
    try:
        m2.lock("running")
        check("B's lock is refused: lock-denied", False, "granted")
    except RPCError as x:
        check("B's lock is refused: lock-denied", x.tag == "lock-denied", x.tag)
    check("A, holding the lock, edits", edit(m, cfg(rule("test/d/locked", dport=40020))) is None)
    m.close_session()
    try:
        m2.lock("running")
        check("the lock is released when its session closes: B gets it", True)
    except RPCError as x:
        check("the lock is released when its session closes: B gets it", False, x.tag)
    m3 = connect()
    m3.kill_session(m2.session_id)
    check("kill-session of B releases B's lock: C edits",
          edit(m3, cfg('<rule nc:operation="remove"><name>test/d/locked</name></rule>')) is None)
    try:
        m3.kill_session(m3.session_id)
        check("a session cannot kill itself", False)
    except RPCError as x:
        check("a session cannot kill itself", x.tag == "invalid-value", x.tag)
    for what, call in (("copy-config", lambda: m3.copy_config(source="running", target="running")),
                       ("delete-config", lambda: m3.delete_config(target="running"))):
        try:
            call()
            check("%s is not supported" % what, False, "ok")
        except RPCError as x:
            check("%s is not supported: %s" % (what, x.tag), x.tag in ("operation-not-supported", "operation-failed"))

    # removal of what this test wrote; the kernel follows
    e = edit(m3, cfg("".join('<rule nc:operation="remove"><name>%s</name></rule>' % n for n in rules(m3)
                             if n.startswith("test/"))))
    check("remove of the test rules", e is None and not [n for n in rules(m3) if n.startswith("test/")], e)
    check("... and out of the kernel", nft_elem("dnat4a", ["192.0.3.77", "tcp", 40000]) is None
          and nft_elem("accept4", ["10.0.0.9", "udp", 7000]) is None)
    if owner is not None:
        check("owner as it was before the test", edit(m3, cfg("<owner>%s</owner>" % owner)) is None)
    m3.close_session()
    print("edit-semantics: %d passed, %d failed" % tuple(RESULTS))
    return 0 if RESULTS[1] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
