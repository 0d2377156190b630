"""pcpnft: the pcp-netfilter model as nftables, shared by the two gateway agents (see docs/gateway.md).

- pcp-nft-apply (baseline: netconfd + an external applier) rebuilds the whole table from the running
  configuration with one transaction.
- pcp-nft-agentd (the helper of netconfd's SIL module libpcp-netfilter.so) applies each commit as one
  transaction that adds and deletes single set elements and rules.

Both write the same table layout, so either can take over a table the other made:

- Map-expressible rules become elements of sets and maps with `flags timeout`, so the kernel itself drops
  them when their lease (`expires`) ends, even with every agent and the controller gone:
    DNAT   proto/port match on the destination, no source match, a to-port -> maps dnat4a/dnat4p (addr, port)
    ACCEPT proto/port match on the destination, no source match         -> set accept4
    SNAT   exact 5-tuple (host source prefix), a to-port                -> maps snat4a/snat4p
  (and the same with 6 for IPv6). nft 1.0.6 crashes on JSON nat maps with concatenated data
  (addr . port), so address and port are two maps with the same key, always changed together.
- Everything else (FILTER sources, protocol all, no port, DSCP) is one rule per model rule, found again by
  its handle; a leased one carries `meta time < <expires>`, so the kernel stops matching it at lease end.

Every value is validated here and reaches nft only as a JSON value (libnftables' JSON input), never as
text in an nft script. The table carries an ownership comment; a table of the same name without it is
never adopted, changed or deleted (ForeignTable).
"""

import calendar
import hashlib
import ipaddress
import json
import re
import subprocess
import time
import xml.etree.ElementTree as ET

NS_PCPNF = "urn:pcpcontroller:yang:pcp-netfilter"
MODEL_DEFAULT_TABLE = "pcp-controller"
# The ownership marker: a set of this name in the table. nft 1.0.6 does not show table comments in
# its JSON output, so the comment below is for people and the marker set is what the agents check.
TABLE_COMMENT = "pcp-gateway: owned by PCP Controller via NETCONF pcp-netfilter; do not edit"
OWNER_SET = "pcp_gateway_owned"
PORT_PROTOCOLS = ("tcp", "udp", "dccp", "sctp", "udplite")
PROTOCOLS = PORT_PROTOCOLS + ("all",)
NFT_COMMENT_MAX = 128
NAME_RE = re.compile(r"[A-Za-z0-9._:/-]{1,200}\Z")
TABLE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")

# Chains: (name, nft type, hook, priority). accept_forward runs just before the usual filter priority.
CHAINS = [
    ("dscp_prerouting", "filter", "prerouting", -150),
    ("dnat_prerouting", "nat", "prerouting", -100),
    ("dscp_forward", "filter", "forward", -150),
    ("accept_forward", "filter", "forward", -5),
    ("dscp_postrouting", "filter", "postrouting", -150),
    ("snat_postrouting", "nat", "postrouting", 100),
]
FAMILIES = {"ipv4": ("ip", "ipv4_addr", 4), "ipv6": ("ip6", "ipv6_addr", 6)}


class Invalid(ValueError):
    """A rule (or table name) that the gateway refuses; the message says why."""


class ForeignTable(RuntimeError):
    """The configured table exists and was not created by a PCP gateway agent."""


class NftError(RuntimeError):
    """nft refused a transaction; nothing of it took effect."""


# --------------------------------------------------------------------------------------------
# Reading the model
# --------------------------------------------------------------------------------------------

def _q(tag):
    return "{%s}%s" % (NS_PCPNF, tag)


def _text(el, tag):
    c = el.find(_q(tag))
    return c.text.strip() if c is not None and c.text is not None else (None if c is None else "")


def rule_from_xml(el):
    """A <rule> element (pcp-netfilter namespace) as a flat dict of leaf paths to strings."""
    r = {}
    for tag in ("name", "mapping", "family", "hook", "expires", "comment", "set-dscp"):
        v = _text(el, tag)
        if v is not None:
            r[tag] = v
    if el.find(_q("accept")) is not None:
        r["accept"] = ""
    for cont, leaves in (("match", ("protocol", "source-prefix", "source-port", "destination-address",
                                    "destination-port")),
                         ("dnat", ("to-address", "to-port")), ("snat", ("to-address", "to-port"))):
        c = el.find(_q(cont))
        if c is None:
            continue
        r.setdefault(cont, "")
        for leaf in leaves:
            v = _text(c, leaf)
            if v is not None:
                r["%s/%s" % (cont, leaf)] = v
    return r


def netfilter_from_xml(root):
    """(table or None, owner or None, [rule dicts]) of the first <netfilter> under root."""
    nf = root if root.tag == _q("netfilter") else root.find(".//" + _q("netfilter"))
    if nf is None:
        return None, None, []
    return _text(nf, "table"), _text(nf, "owner"), [rule_from_xml(r) for r in nf.findall(_q("rule"))]


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

def check_table(name):
    if not isinstance(name, str) or not TABLE_RE.match(name):
        raise Invalid("table name %r is not [A-Za-z0-9_-]{1,64}" % (name,))
    return name


def parse_expires(text):
    """RFC 3339 date-and-time -> POSIX seconds (float)."""
    m = DATE_RE.match(text)
    if not m:
        raise Invalid("expires %r is not a date-and-time" % text)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    try:
        t = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))
        time.struct_time((y, mo, d, h, mi, s, 0, 0, 0))
        if not (1 <= mo <= 12 and 1 <= d <= 31 and h <= 23 and mi <= 59 and s <= 60):
            raise ValueError
    except (ValueError, OverflowError):
        raise Invalid("expires %r is not a valid date" % text)
    frac = float(m.group(7)) if m.group(7) else 0.0
    tz = m.group(8)
    off = 0 if tz == "Z" else (1 if tz[0] == "+" else -1) * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    return t + frac - off


def _addr(text, fam, what):
    if "%" in text:
        raise Invalid("%s %s: zone indexes are not supported" % (what, text))
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        raise Invalid("%s %r is not an IP address" % (what, text))
    if a.version != FAMILIES[fam][2]:
        raise Invalid("%s %s is not %s" % (what, text, fam))
    return str(a)


def _prefix(text, fam):
    if "%" in text:
        raise Invalid("source-prefix %s: zone indexes are not supported" % text)
    try:
        p = ipaddress.ip_network(text, strict=True)
    except ValueError:
        raise Invalid("source-prefix %r is not a network prefix (host bits must be zero)" % text)
    if p.version != FAMILIES[fam][2]:
        raise Invalid("source-prefix %s is not %s" % (text, fam))
    return p


def _port(text, what):
    if not isinstance(text, str) or not text.isdigit() or int(text) > 65535:
        raise Invalid("%s %r is not a port number" % (what, text))
    return int(text)


def nft_comment(rule):
    """The rule's nft comment: its name, then the model's comment; at most 128 bytes, unique."""
    text = rule["name"] + ((" " + rule["comment"]) if rule.get("comment") else "")
    data = text.encode()
    if len(data) <= NFT_COMMENT_MAX:
        return text
    digest = hashlib.sha1(rule["name"].encode()).hexdigest()[:16]
    return data[:NFT_COMMENT_MAX - 17].decode(errors="ignore") + "~" + digest


class Plan:
    """What one validated rule becomes: set elements (kind 'elem') or one rule (kind 'rule')."""
    __slots__ = ("name", "kind", "elems", "expires", "chain", "expr", "comment")

    def __init__(self, name, kind, expires):
        self.name, self.kind, self.expires = name, kind, expires
        self.elems = []      # [(set name, key list, data or None)]
        self.chain = self.expr = self.comment = None

    def same(self, other):
        return (self.kind, self.elems, self.expires, self.chain, self.expr, self.comment) == (
            other.kind, other.elems, other.expires, other.chain, other.expr, other.comment)


def plan(rule, accept_mark, use_maps=True):
    """Validate one rule dict and decide how it goes into the kernel (without use_maps: always as a rule
    of its own, as the baseline applier renders). Raises Invalid."""
    name = rule.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise Invalid("rule name %r is not a pcp-netfilter rule-name" % (name,))
    fam, hook = rule.get("family"), rule.get("hook")
    if fam not in FAMILIES:
        raise Invalid("rule %s: family %r" % (name, fam))
    if hook not in ("prerouting", "forward", "postrouting"):
        raise Invalid("rule %s: hook %r" % (name, hook))
    comment = rule.get("comment")
    if comment is not None and (len(comment.encode()) > NFT_COMMENT_MAX
                                or any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in comment)):
        raise Invalid("rule %s: comment longer than 128 bytes or with control characters" % name)
    if "mapping" in rule and len(rule["mapping"]) > 200:
        raise Invalid("rule %s: mapping too long" % name)
    expires = parse_expires(rule["expires"]) if rule.get("expires") is not None else None
    proto = rule.get("match/protocol", "all")
    if proto not in PROTOCOLS:
        raise Invalid("rule %s: protocol %r" % (name, proto))
    ip, atype, _ = FAMILIES[fam]
    src = _prefix(rule["match/source-prefix"], fam) if "match/source-prefix" in rule else None
    sport = _port(rule["match/source-port"], "source-port") if "match/source-port" in rule else None
    dst = _addr(rule["match/destination-address"], fam, "destination-address") \
        if "match/destination-address" in rule else None
    dport = _port(rule["match/destination-port"], "destination-port") if "match/destination-port" in rule else None
    if (sport is not None or dport is not None) and proto == "all":
        raise Invalid("rule %s: a port match needs a protocol" % name)
    actions = [a for a in ("dnat", "snat", "accept", "set-dscp") if a in rule]
    if len(actions) != 1:
        raise Invalid("rule %s: needs exactly one action, has %s" % (name, actions or "none"))
    kind = actions[0]
    to_addr = to_port = dscp = None
    if kind in ("dnat", "snat"):
        want = "prerouting" if kind == "dnat" else "postrouting"
        if hook != want:
            raise Invalid("rule %s: %s needs hook %s, not %s" % (name, kind, want, hook))
        if "%s/to-address" % kind not in rule:
            raise Invalid("rule %s: %s without to-address" % (name, kind))
        to_addr = _addr(rule["%s/to-address" % kind], fam, "to-address")
        if "%s/to-port" % kind in rule:
            to_port = _port(rule["%s/to-port" % kind], "to-port")
            if proto == "all":
                raise Invalid("rule %s: %s to-port needs a protocol" % (name, kind))
    elif kind == "accept":
        if hook != "forward":
            raise Invalid("rule %s: accept needs hook forward, not %s" % (name, hook))
    else:
        v = rule["set-dscp"]
        if not v.isdigit() or int(v) > 63:
            raise Invalid("rule %s: dscp %r is not 0..63" % (name, v))
        dscp = int(v)

    host_src = src is not None and src.prefixlen == src.max_prefixlen
    p = Plan(name, "elem", expires)
    if not use_maps:
        pass
    elif kind == "dnat" and proto != "all" and dst and dport is not None and to_port is not None \
            and src is None and sport is None:
        key = [dst, proto, dport]
        p.elems = [("dnat%da" % FAMILIES[fam][2], key, to_addr), ("dnat%dp" % FAMILIES[fam][2], key, to_port)]
        return p
    elif kind == "accept" and proto != "all" and dst and dport is not None and src is None and sport is None:
        p.elems = [("accept%d" % FAMILIES[fam][2], [dst, proto, dport], None)]
        return p
    elif kind == "snat" and proto != "all" and host_src and sport is not None and dst and dport is not None \
            and to_port is not None:
        key = [str(src.network_address), proto, sport, dst, dport]
        p.elems = [("snat%da" % FAMILIES[fam][2], key, to_addr), ("snat%dp" % FAMILIES[fam][2], key, to_port)]
        return p

    # one rule of its own
    p.kind = "rule"
    expr = [_match({"meta": {"key": "nfproto"}}, fam)]
    if proto != "all":
        expr.append(_match({"meta": {"key": "l4proto"}}, proto))
    if src is not None:
        expr.append(_match(_pl(ip, "saddr"), str(src.network_address) if host_src else
                           {"prefix": {"addr": str(src.network_address), "len": src.prefixlen}}))
    if sport is not None:
        expr.append(_match(_pl("th", "sport"), sport))
    if dst is not None:
        expr.append(_match(_pl(ip, "daddr"), dst))
    if dport is not None:
        expr.append(_match(_pl("th", "dport"), dport))
    if expires is not None:
        # the kernel compares with its wall clock: the rule stops matching at lease end by itself
        expr.append({"match": {"op": "<", "left": {"meta": {"key": "time"}}, "right": int(expires)}})
    if kind in ("dnat", "snat"):
        nat = {"family": ip, "addr": to_addr}
        if to_port is not None:
            nat["port"] = to_port
        expr.append({kind: nat})
        p.chain = "dnat_prerouting" if kind == "dnat" else "snat_postrouting"
    elif kind == "accept":
        expr += _accept(accept_mark)
        p.chain = "accept_forward"
    else:
        expr.append({"mangle": {"key": _pl(ip, "dscp"), "value": dscp}})
        p.chain = "dscp_" + hook
    p.expr = expr
    p.comment = nft_comment(rule)
    return p


def _pl(proto, field):
    return {"payload": {"protocol": proto, "field": field}}


def _match(left, right):
    return {"match": {"op": "==", "left": left, "right": right}}


def _accept(mark):
    out = []
    if mark:
        out.append({"mangle": {"key": {"meta": {"key": "mark"}},
                               "value": {"|": [{"meta": {"key": "mark"}}, mark]}}})
    out.append({"accept": None})
    return out


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------

def skeleton(table, accept_mark):
    """Commands that create the table with its sets, maps, chains and the map rules."""
    T = {"family": "inet", "table": table}
    cmds = [{"add": {"table": {"family": "inet", "name": table, "comment": TABLE_COMMENT}}},
            {"add": {"set": dict(T, name=OWNER_SET, type="mark", comment=TABLE_COMMENT)}}]
    for fam, (ip, atype, v) in FAMILIES.items():
        k3 = [atype, "inet_proto", "inet_service"]
        k5 = [atype, "inet_proto", "inet_service", atype, "inet_service"]
        for name, key, data in (("dnat%da" % v, k3, atype), ("dnat%dp" % v, k3, "inet_service"),
                                ("accept%d" % v, k3, None),
                                ("snat%da" % v, k5, atype), ("snat%dp" % v, k5, "inet_service")):
            obj = dict(T, name=name, type=key, flags=["timeout"])
            if data:
                obj["map"] = data
            cmds.append({"add": {"map" if data else "set": obj}})
    for name, ctype, hook, prio in CHAINS:
        cmds.append({"add": {"chain": dict(T, name=name, type=ctype, hook=hook, prio=prio, policy="accept")}})
    for fam, (ip, atype, v) in FAMILIES.items():
        k3 = {"concat": [_pl(ip, "daddr"), {"meta": {"key": "l4proto"}}, _pl("th", "dport")]}
        k5 = {"concat": [_pl(ip, "saddr"), {"meta": {"key": "l4proto"}}, _pl("th", "sport"), _pl(ip, "daddr"),
                         _pl("th", "dport")]}
        cmds.append({"add": {"rule": dict(T, chain="dnat_prerouting", comment="pcp-gateway: leased DNAT map", expr=[
            {"dnat": {"family": ip, "addr": {"map": {"key": k3, "data": "@dnat%da" % v}},
                      "port": {"map": {"key": k3, "data": "@dnat%dp" % v}}}}])}})
        cmds.append({"add": {"rule": dict(T, chain="accept_forward", comment="pcp-gateway: leased pinhole set",
                                          expr=[_match(k3, "@accept%d" % v)] + _accept(accept_mark))}})
        cmds.append({"add": {"rule": dict(T, chain="snat_postrouting", comment="pcp-gateway: leased SNAT map", expr=[
            {"snat": {"family": ip, "addr": {"map": {"key": k5, "data": "@snat%da" % v}},
                      "port": {"map": {"key": k5, "data": "@snat%dp" % v}}}}])}})
    return cmds


def elem_cmds(verb, table, p, now, with_timeout=True):
    """add/delete commands for a Plan's elements. Returns [] for an add whose lease already ended."""
    out = []
    timeout = None
    if verb == "add" and with_timeout and p.expires is not None:
        timeout = int(-(-(p.expires - now) // 1))   # whole seconds, rounded up
        if timeout <= 0:
            return []
    for setname, key, data in p.elems:
        val = {"concat": list(key)}
        if timeout is not None:
            val = {"elem": {"val": val, "timeout": timeout}}
        e = [val, data] if data is not None else val
        out.append({verb: {"element": {"family": "inet", "table": table, "name": setname, "elem": [e]}}})
    return out


class Nft:
    """libnftables through python3-nftables (JSON in and out), or `nft -j -f -` without it."""

    def __init__(self, nft_binary="nft"):
        self.binary = nft_binary
        try:
            import nftables  # Debian: python3-nftables
            self.lib = nftables.Nftables()
            self.lib.set_json_output(True)
            self.lib.set_handle_output(True)
        except ImportError:
            self.lib = None

    def run(self, cmds, echo=False):
        """Run commands as one transaction; the echoed commands (with handles) when echo."""
        doc = {"nftables": cmds}
        if self.lib is not None:
            self.lib.set_echo_output(echo)
            rc, out, err = self.lib.json_cmd(doc)
            if rc != 0:
                raise NftError((err or "nft failed").strip())
            return (out or {}).get("nftables", []) if isinstance(out, dict) else []
        args = [self.binary, "-j"] + (["-e", "-a"] if echo else []) + ["-f", "-"]
        r = subprocess.run(args, input=json.dumps(doc), capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise NftError(r.stderr.strip() or "nft failed rc=%d" % r.returncode)
        if echo and r.stdout.strip():
            return json.loads(r.stdout).get("nftables", [])
        return []

    def tables(self):
        out = self.run([{"list": {"tables": {"family": "inet"}}}])
        return [o["table"]["name"] for o in out if "table" in o and o["table"].get("family") == "inet"]

    def has_owner_set(self, table):
        try:
            self.run([{"list": {"set": {"family": "inet", "table": table, "name": OWNER_SET}}}])
            return True
        except NftError:
            return False

    def owned_tables(self):
        return [n for n in self.tables() if self.has_owner_set(n)]


def check_owned(nft, table):
    """True if the table exists and is ours, False if absent; ForeignTable if someone else's."""
    if table not in nft.tables():
        return False
    if not nft.has_owner_set(table):
        raise ForeignTable("table inet %s exists and was not created by a PCP gateway agent (no set %s); "
                           "it is left alone: choose another /netfilter/table or remove it by hand"
                           % (table, OWNER_SET))
    return True


def full_build(nft, table, rules, accept_mark, now=None, extra_delete=(), use_maps=True):
    """One transaction that replaces our table with one holding exactly `rules`. Returns
    (plans by name that took effect, [(name, reason) skipped], handles by name)."""
    now = time.time() if now is None else now
    check_table(table)
    exists = check_owned(nft, table)
    cmds = []
    for old in extra_delete:
        if old != table and check_owned(nft, old):
            cmds.append({"delete": {"table": {"family": "inet", "name": old}}})
    if exists:
        cmds.append({"delete": {"table": {"family": "inet", "name": table}}})
    cmds += skeleton(table, accept_mark)
    plans, skipped, keys, rule_names = {}, [], {}, []
    for rule in sorted(rules, key=lambda r: r.get("name") or ""):
        try:
            p = plan(rule, accept_mark, use_maps)
            for setname, key, _ in p.elems:
                k = (setname, tuple(key))
                if k in keys:
                    raise Invalid("rule %s: same match as rule %s" % (p.name, keys[k]))
            for setname, key, _ in p.elems:
                keys[(setname, tuple(key))] = p.name
        except Invalid as e:
            skipped.append((rule.get("name"), str(e)))
            continue
        plans[p.name] = p
        if p.kind == "elem":
            cmds += elem_cmds("add", table, p, now)
        else:
            cmds.append({"add": {"rule": {"family": "inet", "table": table, "chain": p.chain, "expr": p.expr,
                                          "comment": p.comment}}})
            rule_names.append(p.name)
    echoed = nft.run(cmds, echo=bool(rule_names))
    handles = _handles(echoed, table, rule_names, plans)
    return plans, skipped, handles


def _handles(echoed, table, names, plans):
    """Handles of the added per-rule rules, matched by comment among the echoed commands."""
    by_comment = {plans[n].comment: n for n in names}
    out = {}
    for o in echoed:
        r = o.get("add", {}).get("rule")
        if r and r.get("table") == table and r.get("comment") in by_comment and "handle" in r:
            out[by_comment[r["comment"]]] = r["handle"]
    missing = [n for n in names if n not in out]
    if missing:
        raise NftError("nft did not report the handles of %d added rules (e.g. %s)" % (len(missing), missing[0]))
    return out


class Engine:
    """Incremental apply for the SIL agent: one nft transaction per NETCONF commit, touching only the
    elements and rules of the changed model rules. Keeps what it put into the table, by rule name."""

    def __init__(self, nft, table, accept_mark):
        self.nft, self.table, self.accept_mark = nft, check_table(table), accept_mark
        self.plans = {}      # name -> Plan
        self.handles = {}    # name -> handle of a per-rule rule
        self.keys = {}       # (set, key tuple) -> name
        self.rules = {}      # name -> rule dict (for merge edits and rebuilds)
        self.last_undo = None

    def load(self, table, rules):
        """Start-up or table change: rebuild our table from the whole configuration (the one full pass)."""
        table = check_table(table or MODEL_DEFAULT_TABLE)
        old = [self.table] if table != self.table else []
        plans, skipped, handles = full_build(self.nft, table, rules, self.accept_mark, extra_delete=old)
        if skipped:
            raise Invalid("; ".join("%s" % why for _, why in skipped[:5]))
        self.table, self.plans, self.handles = table, plans, handles
        self.rules = {r["name"]: r for r in rules}
        self.keys = {(s, tuple(k)): n for n, p in plans.items() for s, k, _ in p.elems}
        self.last_undo = None
        return len(plans)

    def _remove_cmds(self, name):
        p = self.plans[name]
        if p.kind == "elem":
            # the element may be gone already (its lease ended): add it first, so the delete cannot fail
            return elem_cmds("add", self.table, p, 0, with_timeout=False) + elem_cmds("delete", self.table, p, 0)
        return [{"delete": {"rule": {"family": "inet", "table": self.table, "chain": p.chain,
                                     "handle": self.handles[name]}}}]

    def apply(self, puts, deletes, now=None):
        """One transaction: `puts` (rule dicts, created or replaced) and `deletes` (names)."""
        now = time.time() if now is None else now
        cmds, new_plans, gone = [], {}, set()
        for name in deletes:
            if name in self.plans and name not in gone:
                cmds += self._remove_cmds(name)
                gone.add(name)
        keys = dict(self.keys)
        for name in gone:
            for s, k, _ in self.plans[name].elems:
                keys.pop((s, tuple(k)), None)
        added_rules = []
        for rule in puts:
            p = plan(rule, self.accept_mark)
            if p.name in self.plans and p.name not in gone:
                old = self.plans[p.name]
                cmds += self._remove_cmds(p.name)
                gone.add(p.name)
                for s, k, _ in old.elems:
                    keys.pop((s, tuple(k)), None)
            for s, k, _ in p.elems:
                holder = keys.get((s, tuple(k)))
                if holder is not None and holder != p.name:
                    raise Invalid("rule %s: same match as rule %s" % (p.name, holder))
                keys[(s, tuple(k))] = p.name
            new_plans[p.name] = (p, rule)
            if p.kind == "elem":
                cmds += elem_cmds("add", self.table, p, now)
            else:
                cmds.append({"add": {"rule": {"family": "inet", "table": self.table, "chain": p.chain,
                                              "expr": p.expr, "comment": p.comment}}})
                added_rules.append(p.name)
        if not cmds:
            return 0
        echoed = self.nft.run(cmds, echo=bool(added_rules))
        handles = _handles(echoed, self.table, added_rules, {n: v[0] for n, v in new_plans.items()})
        # remember how to undo this transaction (netconfd may roll a commit back after our apply)
        undo = ([self.rules[n] for n in gone if n in self.rules], [n for n in new_plans])
        for name in gone:
            self.plans.pop(name, None)
            self.handles.pop(name, None)
            self.rules.pop(name, None)
        for name, (p, rule) in new_plans.items():
            self.plans[name] = p
            self.rules[name] = rule
            if name in handles:
                self.handles[name] = handles[name]
        self.keys = keys
        self.last_undo = undo
        return len(cmds)

    def undo(self):
        if self.last_undo is None:
            return
        restore, remove = self.last_undo
        self.last_undo = None
        self.apply(restore, remove)
