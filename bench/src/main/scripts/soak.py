#!/usr/bin/env python3
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
"""The soak of soak.sh: mixed PCP and NAT-PMP load at a fixed rate, heap after GC over time, and at the end the
agreement of what clients were told, the datastore and the gateway's kernel.

Two roles, because the clients live in the LAN namespace and the controller in another:
  soak.py load OUT.jsonl --server 10.0.0.1 --clients 10.0.0.10,... --rate R --duration S
      runs in the clients' namespace; sends new MAPs, refreshes, deletes (the rest lapse), retransmits like the
      RFCs' clients, and writes one JSON line per request with its outcome (and, at the end, what it holds).
  soak.py check OUT_DIR --events OUT.jsonl --rest URL --gateway ID --gateway-ns NS
      runs beside the controller; reads the datastore and the gateway's nftables and writes report.json/report.md.
  soak.py heap OUT.csv --rest URL --every S --until-file F
      samples heap after a full GC (Jolokia) every S seconds until F exists.
  soak.py plot OUT_DIR
"""
import argparse
import base64
import ipaddress
import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request

PCP_VERSION = 2
OP_MAP = 1
PROTO = {"tcp": 6, "udp": 17}
PROTO_NAME = {6: "tcp", 17: "udp"}
LIFETIMES = (30, 60, 120, 300, 600)


# ---------------------------------------------------------------------------------------------------------------
# Wire formats (RFC 6887 sections 7.1, 7.2, 11.1; RFC 6886 sections 3.3, 3.4)
# ---------------------------------------------------------------------------------------------------------------

def pcp_map(client, nonce, proto, internal_port, lifetime, suggested_port=0):
    mapped = ipaddress.IPv6Address("::ffff:" + client).packed
    header = struct.pack("!BBHI", PCP_VERSION, OP_MAP, 0, lifetime) + mapped
    body = nonce + struct.pack("!B3xHH", PROTO[proto], internal_port, suggested_port) + bytes(16)
    return header + body


def parse_pcp(data):
    """(result, lifetime, epoch, external port) of a MAP response, or None for anything else."""
    if len(data) < 60 or data[0] != PCP_VERSION or data[1] != 0x80 | OP_MAP:
        return None
    result = data[3]
    lifetime, epoch = struct.unpack("!II", data[4:12])
    external_port = struct.unpack("!H", data[42:44])[0]
    return result, lifetime, epoch, external_port


def natpmp_map(proto, internal_port, lifetime, suggested_port):
    return struct.pack("!BBHHHI", 0, 1 if proto == "udp" else 2, 0, internal_port, suggested_port, lifetime)


def parse_natpmp(data, proto):
    if len(data) < 16 or data[0] != 0 or data[1] != 128 + (1 if proto == "udp" else 2):
        return None
    result, epoch, _internal, external_port, lifetime = struct.unpack("!HIHHI", data[2:16])
    return result, lifetime, epoch, external_port


# ---------------------------------------------------------------------------------------------------------------
# load
# ---------------------------------------------------------------------------------------------------------------

class Held:
    __slots__ = ("kind", "client", "proto", "port", "nonce", "external", "expires", "busy")

    def __init__(self, kind, client, proto, port, nonce):
        self.kind, self.client, self.proto, self.port, self.nonce = kind, client, proto, port, nonce
        self.external, self.expires, self.busy = 0, 0.0, False


def exchange(client, server, request, parse, tries, timeout):
    """Sends until an answer that parses comes back: RFC 6887 section 8.1.1 retransmits the same request (a fixed
    interval here, simpler than its back-off and as safe for the server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((client, 0))
        sock.settimeout(timeout)
        for attempt in range(tries):
            sock.sendto(request, (server, 5351))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    data, _ = sock.recvfrom(1100)
                except socket.timeout:
                    break
                answer = parse(data)
                if answer is not None:
                    return answer, attempt + 1
    return None, tries


def load(args):
    clients = args.clients.split(",")
    rng = random.Random(args.seed)
    lock = threading.Lock()
    held = {}                    # (client, proto, port) -> Held
    used_ports = set()
    out = open(args.out, "w", buffering=1)
    inflight = threading.Semaphore(args.window)
    start = time.time()

    def record(**event):
        event["t"] = time.time()
        with lock:
            out.write(json.dumps(event) + "\n")

    def run(entry, op, lifetime):
        try:
            if entry.kind == "pcp":
                request = pcp_map(entry.client, entry.nonce, entry.proto, entry.port, lifetime,
                                  entry.external if op == "refresh" else 0)
                answer, tries = exchange(entry.client, args.server, request, parse_pcp, args.tries, args.timeout)
            else:
                suggested = 0 if op == "delete" else entry.external
                request = natpmp_map(entry.proto, entry.port, lifetime, suggested)
                answer, tries = exchange(entry.client, args.server, request,
                                         lambda d: parse_natpmp(d, entry.proto), args.tries, args.timeout)
            sent = time.time()
            key = (entry.client, entry.proto, entry.port)
            if answer is None:
                record(op=op, kind=entry.kind, client=entry.client, proto=entry.proto, port=entry.port,
                       lifetime=lifetime, answered=False, tries=tries)
                # unknown outcome: the mapping is left out of the final comparison until its longest possible end
                with lock:
                    entry.expires = max(entry.expires, sent + max(lifetime, 0))
                    entry.busy = False
                return
            result, granted, epoch, external = answer
            record(op=op, kind=entry.kind, client=entry.client, proto=entry.proto, port=entry.port,
                   lifetime=lifetime, answered=True, tries=tries, result=result, granted=granted, epoch=epoch,
                   external=external)
            with lock:
                entry.busy = False
                if result != 0:
                    if op == "new":
                        held.pop(key, None)
                    return
                if op == "delete" or granted == 0:
                    held.pop(key, None)
                else:
                    entry.external = external
                    entry.expires = time.time() + granted
        finally:
            inflight.release()

    interval = 1.0 / args.rate
    next_send = time.monotonic()
    end = next_send + args.duration
    threads = []
    while time.monotonic() < end:
        now = time.monotonic()
        if now < next_send:
            time.sleep(next_send - now)
        next_send += interval
        inflight.acquire()
        roll = rng.random()
        with lock:
            wall = time.time()
            candidates = [h for h in held.values() if not h.busy and h.external and h.expires > wall + 2]
            if roll < 0.45 or not candidates:
                client = rng.choice(clients)
                proto = rng.choice(("tcp", "udp"))
                port = rng.randrange(1024, 65536)
                while (client, proto, port) in used_ports:
                    port = rng.randrange(1024, 65536)
                used_ports.add((client, proto, port))
                entry = Held("pcp" if rng.random() < 0.7 else "natpmp", client, proto, port, rng.randbytes(12))
                held[(client, proto, port)] = entry
                op, lifetime = "new", rng.choice(LIFETIMES)
            else:
                entry = rng.choice(candidates)
                op, lifetime = ("refresh", rng.choice(LIFETIMES)) if roll < 0.8 else ("delete", 0)
            entry.busy = True
        thread = threading.Thread(target=run, args=(entry, op, lifetime), daemon=True)
        thread.start()
        threads.append(thread)
        threads = [t for t in threads if t.is_alive()]
    for thread in threads:
        thread.join()
    with lock:
        out.write(json.dumps({"end": time.time(), "start": start}) + "\n")
    out.close()


# ---------------------------------------------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------------------------------------------

def rest_get(url, path):
    request = urllib.request.Request(url + path, headers={
        "Authorization": "Basic " + base64.b64encode(b"admin:admin").decode(), "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return {}
        raise


def expected(events, now, slack):
    """From the clients' point of view at time now: what must exist, what must not, what is uncertain.
    Keys are (protocol, internal address, internal port)."""
    last = {}
    for event in events:
        if "op" in event:
            last.setdefault((event["proto"], event["client"], event["port"]), []).append(event)
    must, must_not, uncertain = {}, set(), set()
    for key, history in last.items():
        state, ends, unsure = None, 0.0, False
        for event in history:
            if not event["answered"]:
                unsure = True
                ends = max(ends, event["t"] + event["lifetime"])
                continue
            if event["result"] != 0:
                # a refused refresh leaves what was there; a refused new creates nothing
                continue
            if event["op"] == "delete" or event["granted"] == 0:
                state, ends = None, event["t"]
                unsure = False
            else:
                state, ends = event["external"], event["t"] + event["granted"]
                unsure = False
        if unsure or abs(ends - now) < slack:
            uncertain.add(key)
        elif state is not None and ends > now:
            must[key] = state
        else:
            must_not.add(key)
    return must, must_not, uncertain


def datastore(rest, gateway):
    data = rest_get(rest, "/data/pcp-mapping:mappings/gateway=" + gateway + "?content=config")
    maps = {}
    for gw in data.get("pcp-mapping:gateway", []):
        for entry in gw.get("map", []):
            proto = entry["protocol"]
            proto = PROTO_NAME.get(proto, proto) if isinstance(proto, int) else proto
            maps[(proto, entry["internal-address"], int(entry["internal-port"]))] = int(entry["external-port"])
    return maps


def gateway_dnat(namespace, table):
    """(protocol, internal address, internal port) -> external port of every DNAT the gateway's kernel applies now:
    rules of their own (without a lapsed 'meta time <' lease) and elements of the dnat maps."""
    text = subprocess.run(["ip", "netns", "exec", namespace, "nft", "-j", "list", "table", "inet", table],
                          check=True, capture_output=True, text=True).stdout
    items = json.loads(text)["nftables"]
    now_ns = time.time_ns()
    dnat, maps = {}, {}
    for item in items:
        if "map" in item and item["map"]["name"] in ("dnat4a", "dnat4p"):
            for elem in item["map"].get("elem", []):
                key, value = elem
                if isinstance(key, dict) and "elem" in key:
                    key = key["elem"]["val"]
                maps.setdefault(item["map"]["name"], {})[json.dumps(key["concat"])] = value
        elif "rule" in item:
            proto = port = address = to_port = None
            live = True
            for expr in item["rule"]["expr"]:
                match = expr.get("match")
                if match:
                    left = match["left"]
                    if left.get("meta", {}).get("key") == "l4proto":
                        proto = match["right"]
                    elif left.get("payload", {}).get("field") == "dport":
                        # nft lists 'meta l4proto tcp th dport N' as 'tcp dport N'
                        port = match["right"]
                        if left["payload"].get("protocol") in PROTO:
                            proto = left["payload"]["protocol"]
                    elif left.get("meta", {}).get("key") == "time" and match["op"] == "<":
                        live = lease_end_ns(match["right"]) > now_ns
                if "dnat" in expr:
                    address, to_port = expr["dnat"].get("addr"), expr["dnat"].get("port")
            if address is not None and live and proto in PROTO and to_port is not None:
                dnat[(proto, address, int(to_port))] = int(port)
    for key, address in maps.get("dnat4a", {}).items():
        to_port = maps.get("dnat4p", {}).get(key)
        _ext, proto, port = json.loads(key)
        if to_port is not None:
            dnat[(proto, address, int(to_port))] = int(port)
    return dnat


def lease_end_ns(value):
    """nft -j prints a 'meta time' operand as nanoseconds or as local time text ('2026-12-05 14:19:57')."""
    if isinstance(value, int) or str(value).isdigit():
        return int(value)
    return int(time.mktime(time.strptime(value, "%Y-%m-%d %H:%M:%S")) * 1e9)


def check(args):
    events = [json.loads(line) for line in open(args.events)]
    ops = [e for e in events if "op" in e]
    t1 = time.time()
    stored = datastore(args.rest, args.gateway)
    kernel = gateway_dnat(args.gateway_ns, args.table)
    t2 = time.time()
    must, must_not, uncertain = expected(ops, (t1 + t2) / 2, args.slack + (t2 - t1))
    lost_store = sorted(k for k in must if stored.get(k) != must[k])
    lost_gateway = sorted(k for k in must if kernel.get(k) != must[k])
    extra_store = sorted(k for k in must_not if k in stored)
    extra_gateway = sorted(k for k in must_not if k in kernel)
    # the datastore and the gateway agree on everything but what is ending right now
    disagree = sorted(k for k in set(stored) | set(kernel) if k not in uncertain and stored.get(k) != kernel.get(k))
    results = {}
    for e in ops:
        name = e["op"] + " " + (str(e["result"]) if e["answered"] else "unanswered")
        results[name] = results.get(name, 0) + 1
    epochs = sorted((e["t"], e["epoch"]) for e in ops if e.get("answered") and e["kind"] == "pcp")
    regressions = sum(1 for (ta, ea), (tb, eb) in zip(epochs, epochs[1:]) if eb + 1 < ea)
    end = next(e for e in events if "end" in e)
    report = {
        "duration_s": round(end["end"] - end["start"]), "requests": len(ops), "results": results,
        "retransmitted": sum(1 for e in ops if e["tries"] > 1),
        "held_at_end_expected": len(must), "datastore_at_end": len(stored), "gateway_dnat_at_end": len(kernel),
        "uncertain_at_end": len(uncertain), "expired_or_deleted_checked": len(must_not),
        "acknowledged_missing_in_datastore": [list(k) for k in lost_store],
        "acknowledged_missing_on_gateway": [list(k) for k in lost_gateway],
        "ended_still_in_datastore": [list(k) for k in extra_store],
        "ended_still_on_gateway": [list(k) for k in extra_gateway],
        "datastore_gateway_disagree": [list(k) for k in disagree],
        "pcp_epoch_regressions": regressions,
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report, indent=1))
    bad = lost_store or lost_gateway or extra_store or extra_gateway or disagree or regressions
    return 1 if bad else 0


# ---------------------------------------------------------------------------------------------------------------
# heap
# ---------------------------------------------------------------------------------------------------------------

def jolokia(rest_root, body):
    request = urllib.request.Request(rest_root + "/jolokia", data=json.dumps(body).encode(), headers={
        "Authorization": "Basic " + base64.b64encode(b"admin:admin").decode(), "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def heap(args):
    root = args.rest.rsplit("/rests", 1)[0]
    start = time.time()
    with open(args.out, "w", buffering=1) as out:
        out.write("seconds,heap_used_mb,mappings\n")
        while not os.path.exists(args.until_file):
            try:
                # the distribution runs with -XX:+DisableExplicitGC, which makes java.lang:type=Memory gc() a no-op;
                # the diagnostic command (jcmd GC.run) still collects the whole heap
                jolokia(root, {"type": "exec", "mbean": "com.sun.management:type=DiagnosticCommand",
                               "operation": "gcRun"})
                used = jolokia(root, {"type": "read", "mbean": "java.lang:type=Memory",
                                      "attribute": "HeapMemoryUsage"})["value"]["used"]
                held = len(datastore(args.rest, args.gateway))
                out.write("%d,%.1f,%d\n" % (time.time() - start, used / 2 ** 20, held))
            except (OSError, ValueError, KeyError) as error:
                print("heap sample failed: %s" % error, file=sys.stderr)
            for _ in range(int(args.every)):
                if os.path.exists(args.until_file):
                    break
                time.sleep(1)


def plot(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = [line.split(",") for line in open(os.path.join(args.out, "heap.csv")).read().split("\n")[1:] if line]
    minutes = [int(r[0]) / 60 for r in rows]
    fig, left = plt.subplots(figsize=(8, 4))
    left.plot(minutes, [float(r[1]) for r in rows], label="heap after GC (MiB)")
    left.set_xlabel("minutes")
    left.set_ylabel("heap used after a full GC, MiB")
    left.set_ylim(bottom=0)
    right = left.twinx()
    right.plot(minutes, [int(r[2]) for r in rows], color="tab:orange", label="mappings held")
    right.set_ylabel("mappings in the datastore")
    right.set_ylim(bottom=0)
    fig.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "soak-heap.png"), dpi=100)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("load")
    p.add_argument("out")
    p.add_argument("--server", required=True)
    p.add_argument("--clients", required=True)
    p.add_argument("--rate", type=float, default=5)
    p.add_argument("--duration", type=float, default=3600)
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--tries", type=int, default=10)
    p.add_argument("--timeout", type=float, default=4)
    p.add_argument("--seed", type=int, default=6887)
    p = sub.add_parser("check")
    p.add_argument("out")
    p.add_argument("--events", required=True)
    p.add_argument("--rest", required=True)
    p.add_argument("--gateway", required=True)
    p.add_argument("--gateway-ns", required=True)
    p.add_argument("--table", default="pcp-controller")
    p.add_argument("--slack", type=float, default=10)
    p = sub.add_parser("heap")
    p.add_argument("out")
    p.add_argument("--rest", required=True)
    p.add_argument("--gateway", required=True)
    p.add_argument("--every", type=float, default=60)
    p.add_argument("--until-file", required=True)
    p = sub.add_parser("plot")
    p.add_argument("out")
    args = parser.parse_args()
    sys.exit({"load": load, "check": check, "heap": heap, "plot": plot}[args.cmd](args) or 0)


if __name__ == "__main__":
    main()
