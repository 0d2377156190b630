#!/usr/bin/python3
"""gateway-bench.py: figures of the reference gateway side alone (no controller), see gateway-bench.sh.

Talks NETCONF to the local netconfd the way the controller does (edit-config of up to 1,000 rules to the
candidate + commit, as user pcpgw, so NACM applies), through netconf-subsystem on netconfd's socket
(no SSH: the figures are the gateway's, not the transport's), and watches the kernel with libnftables.

    gateway-bench.py SOCKET NETNS AGENT HELD [--changes N] [--batch-mappings M] [--batches B]

(--target running: edit-config straight to running, netconfd --target=running.)
Fills the gateway to HELD mappings (2 rules each: leased DNAT + ACCEPT), then makes N single changes
(one new mapping each) and reports per change: the time from sending edit-config to the commit's reply,
and the time from that reply until the mapping's DNAT is in the kernel. With --batches, then sends B
batches of M mappings and reports mappings per second until the last one is in the kernel.
Prints one JSON object.
"""
import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import time

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
EOM = b"]]>]]>"


class Client:
    def __init__(self, sock, user):
        env = dict(os.environ, SSH_CONNECTION="127.0.0.1 0 127.0.0.1 830", USER=user)
        self.p = subprocess.Popen(["/usr/sbin/netconf-subsystem", "--ncxserver-sockname=830@" + sock],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.buf = b""
        self.mid = 0
        self.target = "candidate"
        self.write('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
                   '</capability></capabilities></hello>' % NS)
        self.read()

    def write(self, s):
        self.p.stdin.write(s.encode() + EOM)
        self.p.stdin.flush()

    def read(self):
        while EOM not in self.buf:
            r, _, _ = select.select([self.p.stdout], [], [], 600)
            if not r:
                raise RuntimeError("timeout")
            d = os.read(self.p.stdout.fileno(), 1 << 20)
            if not d:
                raise RuntimeError("closed")
            self.buf += d
        m, self.buf = self.buf.split(EOM, 1)
        return m.decode()

    def rpc(self, body):
        self.mid += 1
        self.write('<rpc message-id="%d" xmlns="%s">%s</rpc>' % (self.mid, NS, body))
        r = self.read()
        if "<rpc-error" in r:
            raise RuntimeError(r[:500])
        return r

    def edit_commit(self, rules_xml):
        self.rpc('<edit-config><target><%s/></target><config><netfilter xmlns='
                 '"urn:pcpcontroller:yang:pcp-netfilter">%s</netfilter></config></edit-config>'
                 % (self.target, rules_xml))
        if self.target == "candidate":
            self.rpc("<commit/>")


def mapping_xml(i, expires):
    a = "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
    port = 5000
    ext = 1024 + i % 64000
    ext_addr = "192.0.3.%d" % (1 + i // 64000)
    e = "<expires>%s</expires>" % expires
    return ("<rule><name>map/udp/%s/%d/dnat</name><mapping>bench</mapping><family>ipv4</family><hook>prerouting</hook>"
            "<match><protocol>udp</protocol><destination-address>%s</destination-address><destination-port>%d"
            "</destination-port></match><dnat><to-address>%s</to-address><to-port>%d</to-port></dnat>%s</rule>"
            "<rule><name>map/udp/%s/%d/accept</name><mapping>bench</mapping><family>ipv4</family><hook>forward</hook>"
            "<match><protocol>udp</protocol><destination-address>%s</destination-address><destination-port>%d"
            "</destination-port></match><accept/>%s</rule>") % (a, port, ext_addr, ext, a, port, e, a, port, a, port, e), (
        ext_addr, ext, a, port)


class Kernel:
    """Is a mapping's DNAT in the kernel? One libnftables query per probe, in the gateway's netns."""

    def __init__(self, netns, agent):
        self.agent = agent
        self.netns = netns

    def present(self, m):
        ext_addr, ext, a, port = m
        if self.agent == "sil":
            cmd = ["ip", "netns", "exec", self.netns, "nft", "-j", "get", "element", "inet", "pcp", "dnat4a",
                   "{ %s . udp . %d }" % (ext_addr, ext)]
            return subprocess.run(cmd, capture_output=True).returncode == 0
        out = subprocess.run(["ip", "netns", "exec", self.netns, "nft", "list", "chain", "inet", "pcp",
                              "dnat_prerouting"], capture_output=True, text=True).stdout
        return ('comment "map/udp/%s/%d/dnat"' % (a, port)) in out


def wait_present(k, m, limit=600):
    t0 = time.monotonic()
    while not k.present(m):
        if time.monotonic() - t0 > limit:
            raise RuntimeError("not in the kernel after %d s" % limit)
        time.sleep(0.005)
    return time.monotonic()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("netns")
    ap.add_argument("agent")
    ap.add_argument("held", type=int)
    ap.add_argument("--changes", type=int, default=5)
    ap.add_argument("--batch-mappings", type=int, default=500)
    ap.add_argument("--batches", type=int, default=0)
    ap.add_argument("--target", choices=("candidate", "running"), default="candidate",
                    help="edit the candidate and commit (as the controller with :candidate), or running")
    a = ap.parse_args()
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7200))
    c = Client(a.socket, "pcpgw")
    c.target = a.target
    k = Kernel(a.netns, a.agent)
    res = {"agent": a.agent, "target": a.target, "held": a.held}
    t0 = time.monotonic()
    i = 0
    fill_batch = []
    while i < a.held:
        n = min(500, a.held - i)
        xml, last = "", None
        for j in range(i, i + n):
            x, last = mapping_xml(j, expires)
            xml += x
        tb = time.monotonic()
        c.edit_commit(xml)
        fill_batch.append(time.monotonic() - tb)
        i += n
    if a.held:
        wait_present(k, last)
    res["fill_s"] = round(time.monotonic() - t0, 2)
    res["fill_last_commit_s"] = round(fill_batch[-1], 3) if fill_batch else 0
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
    res["change_reply_ms"] = [round(x, 1) for x in replies]
    res["change_reply_to_kernel_ms"] = [round(x, 1) for x in lags]
    res["change_total_median_ms"] = round(statistics.median([r + l for r, l in zip(replies, lags)]), 1)
    if a.batches:
        t0 = time.monotonic()
        last = None
        for b in range(a.batches):
            xml = ""
            for j in range(a.batch_mappings):
                x, last = mapping_xml(300000 + b * a.batch_mappings + j, expires)
                xml += x
            c.edit_commit(xml)
        t_reply = time.monotonic()
        wait_present(k, last)
        t_end = time.monotonic()
        total = a.batches * a.batch_mappings
        res["batched_mappings"] = total
        res["batched_s"] = round(t_end - t0, 2)
        res["batched_replies_s"] = round(t_reply - t0, 2)
        res["batched_mappings_per_s"] = round(total / (t_end - t0), 1)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
