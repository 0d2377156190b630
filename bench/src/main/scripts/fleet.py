#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
"""The RESTCONF and NETCONF side of fleet.sh (Python 3 standard library only).

  fleet.py gateways  N                         # gateways fleet-00001.. without NETCONF
  fleet.py mappings  N M                        # M add-mapping RPCs on each of the first N gateways
  fleet.py connect   N FIRST_PORT HOSTKEYS      # one PATCH: a NETCONF endpoint for every gateway; prints its time
  fleet.py wait      N T0 TIMEOUT KARAF_PID TESTTOOL_PID OUT_JSON
  fleet.py verify    N M MAPPED FIRST_PORT SAMPLE
  fleet.py report    RESULT_JSON KARAF_LOG_DIR T0 M MAPPED HEAP_KIB VERIFIED REPORT_MD [TSV]
"""
import base64
import concurrent.futures
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from datetime import datetime

REST = os.environ.get("FLEET_REST_HOST", "127.0.0.1"), int(os.environ.get("FLEET_REST_PORT", "8181"))
AUTH = "Basic " + base64.b64encode(b"admin:admin").decode()
PASSWORD = "fleet"  # the testtool accepts any password
TICK = os.sysconf("SC_CLK_TCK")


def gateway_id(i):
    return "fleet-%05d" % i


def request(method, path, body=None, conn=None, timeout=600):
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(*REST, timeout=timeout)
    headers = {"Authorization": AUTH, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, "/rests" + path, body=data, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    if own:
        conn.close()
    return response.status, text


def host_keys(path):
    keys = {}
    if path and os.path.exists(path):
        for line in open(path):
            port, fingerprint = line.split()
            keys[int(port)] = fingerprint
    return keys


def gateways(count):
    """All gateways in one PATCH, without NETCONF: address plan only."""
    entries = []
    for i in range(1, count + 1):
        entries.append({
            "id": gateway_id(i),
            # every home has its own public address; the LANs all look the same
            "external-address": ["100.%d.%d.%d" % (64 + i // 65536, i // 256 % 256, i % 256)],
            "internal-prefix": ["192.168.1.0/24"],
            "external-port-range": {"start": 1024, "end": 65535},
        })
    start = time.monotonic()
    status, text = request("PATCH", "/data/pcp-gateway:gateways", {"pcp-gateway:gateways": {"gateway": entries}})
    if status not in (200, 204):
        sys.exit("writing %d gateways failed: HTTP %d %s" % (count, status, text[:500]))
    # the controller takes a gateway on from its configuration asynchronously: add-mapping needs it known
    while True:
        status, text = request("GET", "/data/pcp-gateway:gateways?content=nonconfig")
        known = len(json.loads(text).get("pcp-gateway:gateways", {}).get("gateway", [])) if status == 200 else 0
        if known >= count:
            break
        if time.monotonic() - start > 300:
            sys.exit("only %d of %d gateways have a state after 300 s" % (known, count))
        time.sleep(0.5)
    print("%d gateways written and known in %.1f s" % (count, time.monotonic() - start))


def mappings(count, per_gateway):
    """Operator mappings through add-mapping, 4 connections in parallel."""
    if count == 0 or per_gateway == 0:
        return
    work = [(i, j) for i in range(1, count + 1) for j in range(per_gateway)]
    local = threading.local()
    failures = []

    def add(item):
        i, j = item
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(*REST, timeout=120)
        status, text = request("POST", "/operations/pcp-mapping:add-mapping", {"input": {
            "gateway-id": gateway_id(i), "protocol": "udp", "internal-address": "192.168.1.%d" % (2 + j % 250),
            "internal-port": 5000 + j, "description": "fleet"}}, conn=local.conn)
        if status != 200:
            failures.append("%s/%d: HTTP %d %s" % (gateway_id(i), j, status, text[:200]))

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(add, work))
    print("%d add-mapping RPCs in %.1f s, %d failed" % (len(work), time.monotonic() - start, len(failures)))
    if failures:
        sys.exit("add-mapping failed: " + "; ".join(failures[:5]))


def connect(count, first_port, keys_file):
    """One PATCH gives every gateway its NETCONF endpoint: device i listens on FIRST_PORT + i - 1."""
    keys = host_keys(keys_file)
    entries = []
    for i in range(1, count + 1):
        port = first_port + i - 1
        netconf = {"address": "127.0.0.1", "port": port, "username": "pcpgw", "password": PASSWORD,
                   "reconcile-interval": 86400}
        if port in keys:
            netconf["host-key-sha256"] = keys[port]
        entries.append({"id": gateway_id(i), "render": {"response-timeout": 30000}, "netconf": netconf})
    t0 = time.time()
    status, text = request("PATCH", "/data/pcp-gateway:gateways", {"pcp-gateway:gateways": {"gateway": entries}})
    if status not in (200, 204):
        sys.exit("writing the NETCONF settings failed: HTTP %d %s" % (status, text[:500]))
    print("%.3f %.3f" % (t0, time.time()))


def cpu_seconds(pid):
    with open("/proc/%s/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mib(pid):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def iso_seconds(value):
    # 2026-11-29T20:30:01.123Z or with an offset
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def wait(count, t0, timeout, karaf_pid, testtool_pid, out):
    """Polls the gateways' operational state until every gateway is connected and reconciled, or the timeout."""
    cpu0 = {"karaf": cpu_seconds(karaf_pid), "testtool": cpu_seconds(testtool_pid)}
    timeline = []
    peak = {"karaf": 0.0, "testtool": 0.0}
    conn = http.client.HTTPConnection(*REST, timeout=60)
    done_at = None
    states = {}
    while True:
        now = time.time()
        try:
            status, text = request("GET", "/data/pcp-gateway:gateways?content=nonconfig", conn=conn)
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            conn = http.client.HTTPConnection(*REST, timeout=60)
            status, text = 0, str(e)
        if status == 200:
            states = {}
            for gw in json.loads(text).get("pcp-gateway:gateways", {}).get("gateway", []):
                states[gw["id"]] = gw.get("state", {}).get("netconf", {})
        elif status not in (0, 404):
            print("state GET: HTTP %d %s" % (status, text[:200]), file=sys.stderr)
        reconciled = sum(1 for s in states.values()
                         if s.get("connection-status") == "connected" and "last-reconcile" in s)
        by_status = {}
        for s in states.values():
            by_status[s.get("connection-status", "none")] = by_status.get(s.get("connection-status", "none"), 0) + 1
        for name, pid in (("karaf", karaf_pid), ("testtool", testtool_pid)):
            peak[name] = max(peak[name], rss_mib(pid))
        timeline.append({"t": round(now - t0, 2), "reconciled": reconciled, "status": by_status})
        if len(timeline) % 10 == 1 or reconciled == count:
            print("  %6.1f s: %d of %d connected and reconciled %s" % (now - t0, reconciled, count, by_status),
                  flush=True)
        if reconciled == count:
            done_at = now
            break
        if now - t0 > timeout:
            break
        time.sleep(max(0.0, 1.0 - (time.time() - now)))
    cpu = {name: cpu_seconds(pid) - cpu0[name] for name, pid in (("karaf", karaf_pid), ("testtool", testtool_pid))}
    # the controller replaces a password written in clear by its encrypted form
    status, text = request("GET", "/data/pcp-gateway:gateways?content=config", conn=conn)
    cleartext = len(re.findall(r'"password":\s*"(?!aaa-encrypted:)', text)) if status == 200 else -1
    last_reconcile = [iso_seconds(s["last-reconcile"]) for s in states.values() if "last-reconcile" in s]
    connected_since = [iso_seconds(s["connected-since"]) for s in states.values() if "connected-since" in s]
    failures = {}
    for gw, s in states.items():
        if s.get("connection-status") != "connected":
            failures[gw] = "%s: %s" % (s.get("connection-status"), s.get("last-error"))
    result = {
        "gateways": count,
        "reconciled": sum(1 for s in states.values()
                          if s.get("connection-status") == "connected" and "last-reconcile" in s),
        "seconds_to_all_reconciled_polled": None if done_at is None else round(done_at - t0, 1),
        # the state's own timestamps: the latest reconcile completion, relative to the configuration write
        "seconds_to_last_reconcile": round(max(last_reconcile) - t0, 1) if len(last_reconcile) == count else None,
        "seconds_to_first_reconcile": round(min(last_reconcile) - t0, 1) if last_reconcile else None,
        "seconds_to_last_connected_since": round(max(connected_since) - t0, 1) if connected_since else None,
        "reconnects": sum(int(s.get("reconnects", 0)) for s in states.values()),
        "edits_sent": sum(int(s.get("edits-sent", 0)) for s in states.values()),
        "edits_failed": sum(int(s.get("edits-failed", 0)) for s in states.values()),
        "karaf_cpu_seconds": round(cpu["karaf"], 1),
        "testtool_cpu_seconds": round(cpu["testtool"], 1),
        "karaf_rss_mib": round(rss_mib(karaf_pid)),
        "karaf_peak_rss_mib": round(peak["karaf"]),
        "testtool_rss_mib": round(rss_mib(testtool_pid)),
        "testtool_peak_rss_mib": round(peak["testtool"]),
        "not_connected": len(failures),
        "cleartext_passwords": cleartext,
        "failure_sample": dict(list(failures.items())[:5]),
        "timeline": timeline,
    }
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    return 0 if done_at is not None else 1


HELLO = ('<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
         '<capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>')
GET_CONFIG = ('<rpc message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><get-config><source><running/>'
              '</source><filter type="subtree"><netfilter xmlns="urn:pcpcontroller:yang:pcp-netfilter"/></filter>'
              '</get-config></rpc>]]>]]>')


def get_config(port):
    """The pcp-netfilter running configuration of one simulated device, over its own SSH NETCONF session."""
    cmd = ["sshpass", "-p", PASSWORD, "ssh", "-q", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
           "-o", "PubkeyAuthentication=no", "-o", "ConnectTimeout=20", "-p", str(port), "-s", "check@127.0.0.1",
           "netconf"]
    # stdin stays open until the reply is in: the device closes the session on end of input
    with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        timer = threading.Timer(60, proc.kill)
        timer.start()
        try:
            proc.stdin.write((HELLO + GET_CONFIG).encode())
            proc.stdin.flush()
            received = b""
            while received.count(b"]]>]]>") < 2:
                chunk = proc.stdout.read1(65536)
                if not chunk:
                    raise RuntimeError("no reply from port %d: %s" % (port, proc.stderr.read().decode()[:200]))
                received += chunk
        finally:
            timer.cancel()
            proc.kill()
    return received.decode().split("]]>]]>")[1]


def verify(count, per_gateway, mapped, first_port, sample):
    """get-config on a sample of devices: a mapped gateway holds a DNAT and an ACCEPT rule per mapping."""
    picks = sorted({1, count, mapped} | set(random.sample(range(1, count + 1), min(sample, count))) - {0})
    bad = []
    for i in picks:
        try:
            reply = get_config(first_port + i - 1)
        except (RuntimeError, OSError) as e:
            bad.append("%s: %s" % (gateway_id(i), e))
            continue
        names = set(re.findall(r"<name>([^<]+)</name>", reply))
        expected = set()
        if i <= mapped:
            for j in range(per_gateway):
                for role in ("dnat", "accept"):
                    expected.add("map/udp/192.168.1.%d/%d/%s" % (2 + j % 250, 5000 + j, role))
        if names != expected:
            bad.append("%s (port %d): %d rules, expected %d" % (gateway_id(i), first_port + i - 1, len(names),
                                                                 len(expected)))
    print("verified %d devices by get-config: %d as expected%s" % (len(picks), len(picks) - len(bad),
                                                                    "" if not bad else "; " + "; ".join(bad)))
    return 1 if bad else 0


def sessions_up(log_dir, t0):
    """Seconds from the configuration write to each 'NETCONF session up' in the karaf log (local time stamps)."""
    seen = []
    for name in sorted(os.listdir(log_dir)):
        if not name.startswith("karaf.log"):
            continue
        with open(os.path.join(log_dir, name), errors="replace") as f:
            for line in f:
                if "NETCONF session up" in line:
                    stamp = time.mktime(time.strptime(line[:19], "%Y-%m-%dT%H:%M:%S")) + int(line[20:23]) / 1000
                    seen.append(stamp - t0)
    return seen


def report(result_file, log_dir, t0, per_gateway, mapped, heap_kib, verified, out, tsv):
    result = json.load(open(result_file))
    count = result["gateways"]
    up = sessions_up(log_dir, t0)
    # a session that came up again after a failure is counted once per gateway at most by the state; the log has all
    last_up = max(up) if len(up) >= count else None
    reconciled = result["reconciled"]
    done = result["seconds_to_last_reconcile"] if reconciled == count else None
    heap_mib = round(int(heap_kib) / 1024)
    rows = [
        ("gateways connected+reconciled", "pcp-controller", reconciled, "gateways",
         "of %d in %s s" % (count, done) if done is not None
         else "of %d; not all within the timeout" % count),
        ("time to connect %d gateways" % count, "pcp-controller", "-" if last_up is None else "%.1f" % last_up, "s",
         "config write to the last 'NETCONF session up' (%d sessions up in the log)" % len(up)),
        ("time to reconcile %d gateways" % count, "pcp-controller", "-" if done is None else done, "s",
         "config write to the last last-reconcile; %d mappings on %d gateways, %d rules each"
         % (per_gateway, mapped, 2 * per_gateway)),
        ("controller CPU while connecting", "pcp-controller", result["karaf_cpu_seconds"], "s",
         "CPU seconds of the Karaf JVM from the write to the end of the wait"),
        ("controller heap used", "pcp-controller", heap_mib, "MiB", "jcmd GC.heap_info after the wait"),
        ("controller RSS", "pcp-controller", result["karaf_peak_rss_mib"], "MiB", "peak while waiting"),
        ("testtool RSS", "netconf-testtool", result["testtool_peak_rss_mib"], "MiB",
         "%d simulated devices, peak while waiting" % count),
        ("testtool CPU while connecting", "netconf-testtool", result["testtool_cpu_seconds"], "s",
         "CPU seconds from the write to the end of the wait"),
        ("reconnects", "pcp-controller", result["reconnects"], "count", "sum over the gateways' state"),
        ("gateways not connected", "pcp-controller", result["not_connected"], "gateways",
         "; ".join("%s %s" % item for item in result["failure_sample"].items())[:300]),
        ("gateways with a clear-text password", "pcp-controller", result.get("cleartext_passwords", "-"), "gateways",
         "configuration datastore after the wait; the controller should have encrypted every one"),
        ("devices with the expected rules (get-config)", "netconf-testtool",
         (re.findall(r": (\d+) as expected", verified) or ["-"])[0], "devices", verified or "check failed"),
    ]
    cpu = open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": \t")
    with open(out, "w") as f:
        f.write("Machine: %s, %d CPUs, %d GiB\n\n" % (cpu, os.cpu_count(),
                os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**30))
        f.write("| figure | system | value | unit | note |\n|---|---|---:|---|---|\n")
        for row in rows:
            f.write("| %s |\n" % " | ".join(str(c) for c in row))
    print(open(out).read())
    if tsv:
        with open(tsv, "a") as f:
            for row in rows:
                f.write("\t".join(str(c).replace("\t", " ") for c in row) + "\n")


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "gateways":
        gateways(int(args[0]))
    elif command == "mappings":
        mappings(int(args[0]), int(args[1]))
    elif command == "connect":
        connect(int(args[0]), int(args[1]), args[2])
    elif command == "wait":
        return wait(int(args[0]), float(args[1]), float(args[2]), args[3], args[4], args[5])
    elif command == "report":
        report(args[0], args[1], float(args[2]), int(args[3]), int(args[4]), args[5], args[6], args[7],
               args[8] if len(args) > 8 else "")
    elif command == "verify":
        return verify(int(args[0]), int(args[1]), int(args[2]), int(args[3]), int(args[4]))
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
