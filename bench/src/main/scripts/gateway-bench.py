#!/usr/bin/python3
"""gateway-bench.py: figures of the reference gateway side alone (no controller), see gateway-bench.sh.

Talks NETCONF to the gateway's NETCONF server the way the controller does (hello with base:1.0 and base:1.1, so
chunked framing; edit-config of up to 1,000 rules with nc:operation="replace" and error-option rollback-on-error,
then <commit> when the server has :candidate), without SSH (the figures are the gateway's, not the transport's):
    --connect subsystem:SOCKET   netconfd through netconf-subsystem on its socket, as user pcpgw (so NACM applies)
    --connect unix:SOCKET        pcp-nc-agent's socket, through socat run as user pcpgw (the relay sshd runs)
and watches the kernel with libnftables (python3-nftables) in the gateway's network namespace.

    gateway-bench.py AGENT HELD --connect ... [--seeded] [--changes N] [--batches B --batch-mappings M]
                     [--ack-rate R --ack-seconds S]

Mappings are 2 rules each (leased DNAT + ACCEPT), numbered as mapping_xml() makes them.
  - HELD mappings held: made by edits of 500 mappings, or already in the startup configuration (--seeded,
    gateway-bench.sh writes them), then waited for in the kernel;
  - N single changes (one new mapping each): the time from sending the edit to the reply (to <commit>'s reply with
    a candidate), and from the reply until the mapping's DNAT is in the kernel;
  - with --batches: B edits of M mappings (2 M rules) back to back, as the controller sends a large change, and the
    mappings per second until the last one is in the kernel;
  - with --ack-rate: new mappings arrive at R per second for S seconds (open loop) while the oldest go, so that HELD
    stay held; like the controller's session, one edit is in flight at a time and the next carries everything that
    arrived meanwhile. A mapping's ack is the time from its arrival until its DNAT is in the kernel (sil, nc: the
    reply, checked in the kernel; apply: seen in the kernel by polling). Reports p50/p99/max.
Prints one JSON object.
"""
import argparse
import collections
import json
import os
import re
import select
import statistics
import subprocess
import time

import nftables

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
NF = "urn:pcpcontroller:yang:pcp-netfilter"
EOM = b"]]>]]>"
CAP_11 = "urn:ietf:params:netconf:base:1.1"
CAP_CANDIDATE = "urn:ietf:params:netconf:capability:candidate:1.0"


class Client:
    """One NETCONF session over a child process's stdin/stdout, with one request in flight at a time."""

    def __init__(self, connect, user="pcpgw"):
        kind, _, sock = connect.partition(":")
        if kind == "subsystem":
            env = dict(os.environ, SSH_CONNECTION="127.0.0.1 0 127.0.0.1 830", USER=user)
            cmd = ["/usr/sbin/netconf-subsystem", "--ncxserver-sockname=830@" + sock]
        else:
            env = dict(os.environ)
            cmd = ["runuser", "-u", user, "--", "socat", "STDIO", "UNIX-CONNECT:" + sock]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.buf = b""
        self.mid = 0
        self.chunked = False
        self.p.stdin.write(('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability>'
                            '<capability>%s</capability></capabilities></hello>' % (NS, CAP_11)).encode() + EOM)
        self.p.stdin.flush()
        hello = self.read(600)
        self.caps = set(re.findall(r"<capability>([^<]*)</capability>", hello))
        self.chunked = CAP_11 in self.caps
        self.candidate = CAP_CANDIDATE in self.caps

    def fileno(self):
        return self.p.stdout.fileno()

    def send(self, body):
        self.mid += 1
        data = ('<rpc message-id="%d" xmlns="%s">%s</rpc>' % (self.mid, NS, body)).encode()
        self.p.stdin.write(b"\n#%d\n%s\n##\n" % (len(data), data) if self.chunked else data + EOM)
        self.p.stdin.flush()

    def _message(self):
        """A whole message from the buffer, or None."""
        if not self.chunked:
            if EOM not in self.buf:
                return None
            m, self.buf = self.buf.split(EOM, 1)
            return m.decode()
        parts, pos = [], 0
        while True:
            m = re.compile(rb"\n#(\d+)\n|\n##\n").match(self.buf, pos)
            if m is None:
                return None
            if m.group(0) == b"\n##\n":
                self.buf = self.buf[m.end():]
                return b"".join(parts).decode()
            n = int(m.group(1))
            if len(self.buf) < m.end() + n:
                return None
            parts.append(self.buf[m.end():m.end() + n])
            pos = m.end() + n

    def poll(self):
        """A message if one is complete now (reads what is there without blocking)."""
        while select.select([self.p.stdout], [], [], 0)[0]:
            d = os.read(self.fileno(), 1 << 20)
            if not d:
                raise RuntimeError("session closed")
            self.buf += d
        return self._message()

    def read(self, timeout=600):
        deadline = time.monotonic() + timeout
        while True:
            m = self._message()
            if m is not None:
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                raise RuntimeError("timeout")
            d = os.read(self.fileno(), 1 << 20)
            if not d:
                raise RuntimeError("session closed")
            self.buf += d

    def rpc(self, body):
        self.send(body)
        r = self.read()
        if "<rpc-error" in r:
            raise RuntimeError(r[:800])
        return r

    def steps(self, rules_xml):
        """The RPC bodies of one batch, as the controller sends them."""
        target = "candidate" if self.candidate else "running"
        edit = ('<edit-config><target><%s/></target><error-option>rollback-on-error</error-option><config>'
                '<netfilter xmlns="%s" xmlns:nc="%s">%s</netfilter></config></edit-config>' % (target, NF, NS, rules_xml))
        return [edit, "<commit/>"] if self.candidate else [edit]

    def edit_commit(self, rules_xml):
        for body in self.steps(rules_xml):
            self.rpc(body)


def mapping_xml(i, expires, op="replace"):
    """Mapping i as its two rules, and the key of its DNAT (external address, port, internal address, port)."""
    a = "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
    port = 5000
    ext = 1024 + i % 64000
    ext_addr = "192.0.3.%d" % (1 + i // 64000)
    e = "<expires>%s</expires>" % expires
    attr = ' nc:operation="%s"' % op if op else ""
    return ("<rule%s><name>map/udp/%s/%d/dnat</name><mapping>bench</mapping><family>ipv4</family>"
            "<hook>prerouting</hook><match><protocol>udp</protocol><destination-address>%s</destination-address>"
            "<destination-port>%d</destination-port></match><dnat><to-address>%s</to-address><to-port>%d</to-port>"
            "</dnat>%s</rule>"
            "<rule%s><name>map/udp/%s/%d/accept</name><mapping>bench</mapping><family>ipv4</family><hook>forward</hook>"
            "<match><protocol>udp</protocol><destination-address>%s</destination-address><destination-port>%d"
            "</destination-port></match><accept/>%s</rule>") % (attr, a, port, ext_addr, ext, a, port, e,
                                                                 attr, a, port, a, port, e), (ext_addr, ext, a, port)


def removal_xml(i):
    a = "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
    return ''.join('<rule nc:operation="remove"><name>map/udp/%s/5000/%s</name></rule>' % (a, r)
                   for r in ("dnat", "accept"))


class Kernel:
    """Is a mapping's DNAT in the kernel? libnftables in this process, in the gateway's network namespace."""

    def __init__(self, agent):
        self.agent = agent
        self.nft = nftables.Nftables()
        self.nft.set_json_output(True)

    def present(self, m):
        ext_addr, ext, a, port = m
        if self.agent != "apply":
            rc, _, _ = self.nft.cmd("get element inet pcp dnat4a { %s . udp . %d }" % (ext_addr, ext))
            return rc == 0
        return ('map/udp/%s/%d/dnat' % (a, port)) in self.dnat_comments()

    def dnat_comments(self):
        rc, out, _ = self.nft.cmd("list chain inet pcp dnat_prerouting")
        return out if rc == 0 else ""


def wait_present(k, m, limit=1800):
    t0 = time.monotonic()
    while not k.present(m):
        if time.monotonic() - t0 > limit:
            raise RuntimeError("not in the kernel after %d s" % limit)
        time.sleep(0.005)
    return time.monotonic()


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else None


def ack_run(c, k, agent, held, rate, seconds, expires, first):
    """Open-loop arrivals at `rate`/s; one batch in flight; acks as the time until in the kernel."""
    n = int(rate * seconds)
    live = collections.deque(range(held))    # the mappings held, oldest first
    t0 = time.monotonic() + 0.2
    arrival = [t0 + i / rate for i in range(n)]
    acked = [None] * n
    pending, inflight, steps, sent_upto = [], None, [], 0
    unseen = []          # apply: replied, not yet seen in the kernel
    batches = []
    last_poll = 0
    while True:
        now = time.monotonic()
        while sent_upto < n and arrival[sent_upto] <= now:
            pending.append(sent_upto)
            sent_upto += 1
        if inflight is None and pending:
            inflight, pending = pending, []
            xml = "".join(mapping_xml(first + i, expires)[0] for i in inflight)
            # keep `held` held: as many of the oldest go in the same edit
            for i in inflight:
                live.append(first + i)
                if len(live) > held:
                    xml += removal_xml(live.popleft())
            steps = c.steps(xml)
            c.send(steps.pop(0))
            batches.append(len(inflight))
        r = c.poll() if inflight is not None else None
        if r is not None:
            if "<rpc-error" in r:
                raise RuntimeError(r[:800])
            if steps:
                c.send(steps.pop(0))
            else:
                tr = time.monotonic()
                if agent == "apply":
                    unseen += inflight
                else:
                    # the reply means "in the kernel": checked for the last of the batch
                    if not k.present(mapping_xml(first + inflight[-1], expires)[1]):
                        raise RuntimeError("mapping %d not in the kernel at the reply" % inflight[-1])
                    for i in inflight:
                        acked[i] = tr - arrival[i]
                inflight = None
        if unseen and now - last_poll >= 0.002:
            last_poll = now
            listing = k.dnat_comments()
            tk = time.monotonic()
            still = []
            for i in unseen:
                m = mapping_xml(first + i, expires)[1]
                if 'map/udp/%s/%d/dnat' % (m[2], m[3]) in listing:
                    acked[i] = tk - arrival[i]
                else:
                    still.append(i)
            unseen = still
        if sent_upto == n and inflight is None and not pending and not unseen:
            break
        wait = 0.001
        if sent_upto < n:
            wait = max(0.0, min(0.05, arrival[sent_upto] - time.monotonic()))
        if inflight is not None and not unseen:
            select.select([c.p.stdout], [], [], wait)
        elif wait > 0:
            time.sleep(min(wait, 0.002))
    ms = [a * 1000 for a in acked]
    return {"ack_rate_per_s": rate, "ack_mappings": n, "ack_p50_ms": round(pct(ms, 0.5), 1),
            "ack_p99_ms": round(pct(ms, 0.99), 1), "ack_max_ms": round(max(ms), 1),
            "ack_batches": len(batches), "ack_largest_batch": max(batches),
            "ack_elapsed_s": round(time.monotonic() - t0, 1)}


def seed(path, held, expires, template):
    """Writes a startup configuration holding mappings 0..held-1: `template` (netconfd's NACM startup, or the nc
    agent's) with the rules put into its <netfilter>."""
    text = open(template).read() if template else (
        '<config xmlns="%s"><netfilter xmlns="%s"><table>pcp</table></netfilter></config>\n' % (NS, NF))
    at = text.rindex("</netfilter>")
    with open(path, "w") as f:
        f.write(text[:at])
        for j in range(held):
            f.write(mapping_xml(j, expires, op=None)[0])
        f.write(text[at:])


def main():
    if len(os.sys.argv) > 1 and os.sys.argv[1] == "seed":
        sp = argparse.ArgumentParser()
        sp.add_argument("cmd")
        sp.add_argument("path")
        sp.add_argument("held", type=int)
        sp.add_argument("--expires", required=True)
        sp.add_argument("--template")
        s = sp.parse_args()
        seed(s.path, s.held, s.expires, s.template)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("agent")
    ap.add_argument("held", type=int)
    ap.add_argument("--connect", required=True)
    ap.add_argument("--seeded", action="store_true", help="the HELD mappings are in the startup configuration")
    ap.add_argument("--expires", help="their expires (gateway-bench.sh wrote it into the startup configuration)")
    ap.add_argument("--changes", type=int, default=5)
    ap.add_argument("--batch-mappings", type=int, default=500)
    ap.add_argument("--batches", type=int, default=0)
    ap.add_argument("--ack-rate", type=float, default=0)
    ap.add_argument("--ack-seconds", type=float, default=20)
    a = ap.parse_args()
    expires = a.expires or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7200))
    k = Kernel(a.agent)
    t0 = time.monotonic()
    res = {"agent": a.agent, "held": a.held}
    if a.seeded and a.held:
        # the startup configuration holds them: wait until the last is in the kernel
        wait_present(k, mapping_xml(a.held - 1, expires)[1])
        res["startup_to_kernel_s"] = round(time.monotonic() - t0, 1)
    c = Client(a.connect)
    res["target"] = "candidate" if c.candidate else "running"
    res["framing"] = "base:1.1" if c.chunked else "base:1.0"
    if not a.seeded:
        i, last = 0, None
        while i < a.held:
            n = min(500, a.held - i)
            c.edit_commit("".join(mapping_xml(j, expires)[0] for j in range(i, i + n)))
            last = mapping_xml(i + n - 1, expires)[1]
            i += n
        if last:
            wait_present(k, last)
        res["fill_s"] = round(time.monotonic() - t0, 2)
    replies, lags = [], []
    for n in range(a.changes):
        x, m = mapping_xml(200000 + n, expires)
        ts = time.monotonic()
        c.edit_commit(x)
        tr = time.monotonic()
        tk = tr if k.present(m) else wait_present(k, m)
        replies.append((tr - ts) * 1000)
        lags.append((tk - tr) * 1000)
        time.sleep(0.3)   # let the baseline applier settle, so that changes do not overlap
    if a.changes:
        res["change_reply_ms"] = [round(x, 1) for x in replies]
        res["change_reply_to_kernel_ms"] = [round(x, 1) for x in lags]
        res["change_total_median_ms"] = round(statistics.median([r + l for r, l in zip(replies, lags)]), 1)
    if a.batches:
        bodies = ["".join(mapping_xml(300000 + b * a.batch_mappings + j, expires)[0] for j in range(a.batch_mappings))
                  for b in range(a.batches)]
        last = mapping_xml(300000 + a.batches * a.batch_mappings - 1, expires)[1]
        t0 = time.monotonic()
        for body in bodies:
            c.edit_commit(body)
        t_reply = time.monotonic()
        wait_present(k, last)
        t_end = time.monotonic()
        total = a.batches * a.batch_mappings
        res["batched_mappings"] = total
        res["batched_s"] = round(t_end - t0, 2)
        res["batched_replies_s"] = round(t_reply - t0, 2)
        res["batched_mappings_per_s"] = round(total / (t_end - t0), 1)
    if a.ack_rate:
        # the held mappings are 0..held-1: new ones continue the numbering
        res.update(ack_run(c, k, a.agent, a.held, a.ack_rate, a.ack_seconds, expires, 400000))
    print(json.dumps(res))


if __name__ == "__main__":
    main()
