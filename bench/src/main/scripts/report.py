#!/usr/bin/python3
#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
"""Rows and the report of bench/compare.sh.

Every part of compare.sh appends rows to RESULTS_DIR/PART.tsv: figure<TAB>system<TAB>value<TAB>unit<TAB>note.

  report.py load JSON TSV FIGURE SYSTEM NOTE [--latency]   rows from one load generator report (--out JSON)
  report.py jmh JSON TSV                                   rows from one JMH result file (-rf json)
  report.py report RESULTS_DIR DOCS_DIR                    DOCS_DIR/benchmarks.md and DOCS_DIR/benchmarks/*.png

The report needs python3-matplotlib (Agg backend, no display); the row commands only the standard library.
"""

import json
import os
import re
import statistics
import sys

PARTS = ["udp", "map", "curve", "latency", "jmh", "punt", "netconf", "fleet", "scale"]
PART_TITLES = {
    "udp": "NAT-PMP public address, direct UDP",
    "map": "New PCP MAP requests with 1,000 existing mappings",
    "curve": "New PCP MAP requests against existing mappings",
    "latency": "Latency at a fixed 5,000 requests/s",
    "jmh": "JMH: request engine and port allocation",
    "punt": "Through an Open vSwitch punt path (punt-compare.sh)",
    "netconf": "Rendering to one netconfd gateway (netconf-render.sh)",
    "fleet": "Simulated gateways (fleet.sh)",
    "scale": "A million mappings: memory and restart (scale.sh)",
}
SYSTEMS = ["pcp-controller", "miniupnpd"]
NOT_MEASURED = "not measured"


def text(path):
    with open(path) as f:
        return f.read()


def write_rows(tsv, rows):
    with open(tsv, "a") as out:
        for row in rows:
            out.write("\t".join(str(cell).replace("\t", " ").replace("\n", " ") for cell in row) + "\n")


def ms(micros):
    return "%.2f" % (micros / 1000.0)


def load_rows(path, figure, system, note, latency):
    """Rows of one load generator report: answers/s, and with latency its percentiles in ms."""
    report = json.loads(text(path))
    main = report["main"]
    lat = main.get("latencyMicros") or {}
    codes = ", ".join("%s %d" % item for item in sorted(main.get("resultCodes", {}).items()))
    cpu = main.get("targetCpuSeconds")
    cpu_note = ("; server CPU %.1f us/answer" % (cpu * 1e6 / main["answered"])
                if cpu is not None and main.get("answered") else "")
    lat_note = ("; p50/p99/p99.9 %s/%s/%s ms" % (ms(lat["p50"]), ms(lat["p99"]), ms(lat["p999"]))
                if "p50" in lat else "")
    full = "%s; %d of %d answered, %d lost; %s%s%s; %s" % (
        note, main["answered"], main["sent"], main["lost"], codes or "no answers", lat_note, cpu_note,
        os.path.basename(path))
    rows = [(figure, system, "%.0f" % main["answeredPerSecond"], "answers/s", full)]
    if latency:
        for key, name in (("p50", "p50"), ("p99", "p99"), ("p999", "p99.9")):
            rows.append(("%s %s" % (figure, name), system, ms(lat[key]) if key in lat else "-", "ms",
                         "%s; %s" % (note, os.path.basename(path))))
    return rows


def jmh_rows(path):
    rows = []
    for result in json.loads(text(path)):
        name = result["benchmark"].rsplit(".", 2)
        short = "%s.%s" % (name[-2], name[-1])
        params = " ".join("%s=%s" % item for item in sorted((result.get("params") or {}).items()))
        figure = "JMH %s%s" % (short, " " + params if params else "")
        metric = result["primaryMetric"]
        unit = metric["scoreUnit"]
        error = number(metric.get("scoreError", ""))
        note = "%s mode, %d fork(s) x %d iteration(s)%s" % (
            result["mode"], result.get("forks", 1), result.get("measurementIterations", 0),
            "" if error is None else ", error %.4g" % error)
        rows.append((figure, "pcp-controller", "%.4g" % metric["score"], unit, note))
        percentiles = metric.get("scorePercentiles") or {}
        if result["mode"] == "sample":
            for key, label in (("50.0", "p50"), ("99.0", "p99"), ("99.9", "p99.9")):
                if key in percentiles:
                    rows.append(("%s %s" % (figure, label), "pcp-controller", "%.4g" % percentiles[key], unit,
                                 "sample mode percentile"))
    return rows


# ---------------------------------------------------------------------------------------------------------------
# The report.

def read_rows(results):
    rows = {}
    for part in PARTS:
        path = os.path.join(results, part + ".tsv")
        part_rows = []
        if os.path.exists(path):
            for line in text(path).splitlines():
                cells = line.split("\t")
                if len(cells) >= 3 and cells[0]:
                    cells += [""] * (5 - len(cells))
                    part_rows.append(dict(zip(("figure", "system", "value", "unit", "note"), cells[:5])))
        rows[part] = part_rows
    return rows


def read_status(results):
    status = {}
    path = os.path.join(results, "parts.tsv")
    if os.path.exists(path):
        for line in text(path).splitlines():
            cells = line.split("\t")
            if len(cells) >= 3:
                status[cells[0]] = (cells[1], cells[2])
    return status


def read_machine(results):
    machine = {}
    path = os.path.join(results, "machine.txt")
    if os.path.exists(path):
        for line in text(path).splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                machine[key] = value
    return machine


def number(text):
    try:
        value = float(str(text).replace(",", ""))
    except ValueError:
        return None
    return None if value != value else value


def to_unit(value, unit, wanted):
    """value in unit converted to wanted (bytes, KiB, MiB, GiB; s, ms), or None."""
    scale = {"b": 1, "byte": 1, "bytes": 1, "kib": 2 ** 10, "kb": 2 ** 10, "mib": 2 ** 20, "mb": 2 ** 20,
             "gib": 2 ** 30, "gb": 2 ** 30, "s": 1, "seconds": 1, "ms": 1e-3}
    unit, wanted = unit.strip().lower(), wanted.lower()
    if unit in scale and wanted in scale:
        return value * scale[unit] / scale[wanted]
    return None


def pick(all_rows, system, figure=None, pattern=None):
    """The rows of one system whose figure is figure, or matches pattern (case-insensitive)."""
    found = []
    for part_rows in all_rows.values():
        for row in part_rows:
            if row["system"] != system:
                continue
            if figure is not None and row["figure"] == figure:
                found.append(row)
            elif pattern is not None and re.search(pattern, row["figure"], re.IGNORECASE):
                found.append(row)
    return found


def median(rows, unit=None):
    """(median of the numeric values, number of them), values converted to unit when given."""
    values = []
    for row in rows:
        value = number(row["value"])
        if value is not None and unit is not None and row["unit"] != unit:
            value = to_unit(value, row["unit"], unit)
        if value is not None:
            values.append(value)
    return (statistics.median(values), len(values)) if values else (None, 0)


def fmt(value, unit):
    if value is None:
        return NOT_MEASURED
    if abs(value) < 100:
        return "%.3g%s%s" % (value, "" if unit.startswith("/") else " ", unit)
    return "{:,.0f}{}{}".format(value, "" if unit.startswith("/") else " ", unit)


def show(rows, value, unit):
    """A measured figure with how many runs it is the median of, or why it is missing."""
    if value is not None:
        return fmt(value, unit) + (" (median of %d)" % len(rows) if len(rows) > 1 else "")
    notes = [row["note"] for row in rows if row["note"]]
    return NOT_MEASURED + (" (%s)" % notes[0] if notes else "")


def targets(all_rows):
    """The issue's targets: (figure, incumbent earlier, incumbent now, PCP Controller now, goal, verdict)."""
    table = []

    def min_goal(value, goal):
        if value is None:
            return NOT_MEASURED
        return ("met" if value >= goal else "missed") + " (%.2fx the goal)" % (value / goal)

    def max_goal(value, limit, unit):
        if value is None:
            return NOT_MEASURED
        return ("met" if value <= limit else "missed") + " (%s, %.2fx the limit)" % (fmt(value, unit),
                                                                                      value / limit)

    # public address, direct UDP: a ratio to miniupnpd in the same run
    figure = "NAT-PMP public address, direct UDP"
    pcp_rows, mini_rows = pick(all_rows, "pcp-controller", figure), pick(all_rows, "miniupnpd", figure)
    pcp, _ = median(pcp_rows)
    mini, _ = median(mini_rows)
    verdict = NOT_MEASURED if pcp is None or mini is None or not mini else (
        ("met" if pcp >= 1.5 * mini else "missed") + " (%.2fx miniupnpd, goal 1.5x)" % (pcp / mini))
    table.append(("public-address requests/s, direct UDP", "miniupnpd ~50-67k/s on one core",
                  show(mini_rows, mini, "/s"), show(pcp_rows, pcp, "/s"), ">= 1.5x miniupnpd in the same run",
                  verdict))

    figure = "new PCP MAP at 1000 existing"
    pcp_rows, mini_rows = pick(all_rows, "pcp-controller", figure), pick(all_rows, "miniupnpd", figure)
    refresh_rows = pick(all_rows, "miniupnpd", "PCP MAP refresh at 1000 existing")
    pcp, _ = median(pcp_rows)
    mini, _ = median(mini_rows)
    refresh, _ = median(refresh_rows)
    table.append(("new MAP requests/s with 1,000 existing mappings", "miniupnpd ~110/s creating, ~60/s renewing",
                  "%s creating, %s renewing" % (show(mini_rows, mini, "/s"), show(refresh_rows, refresh, "/s")),
                  show(pcp_rows, pcp, "/s"), ">= 20,000/s, committed before each answer", min_goal(pcp, 20000)))

    figure = "new PCP MAP at 100000 existing"
    pcp_rows, mini_rows = pick(all_rows, "pcp-controller", figure), pick(all_rows, "miniupnpd", figure)
    pcp, _ = median(pcp_rows)
    mini, _ = median(mini_rows)
    table.append(("new MAP requests/s with 100,000 existing mappings", "miniupnpd: not reachable in practice",
                  show(mini_rows, mini, "/s"), show(pcp_rows, pcp, "/s"), ">= 20,000/s (flat)",
                  min_goal(pcp, 20000)))

    pcp_rows = pick(all_rows, "pcp-controller", "latency at 5000/s, PCP MAP new p99")
    pcp, _ = median(pcp_rows)
    table.append(("MAP latency at 5,000 requests/s, datastore ack", "-", "-", show(pcp_rows, pcp, "ms"),
                  "p99 <= 5 ms", max_goal(pcp, 5, "ms")))
    pcp_rows = pick(all_rows, "pcp-controller", "gateway-ack latency p99")
    pcp, _ = median(pcp_rows)
    table.append(("MAP latency, gateway ack (one netconfd gateway)", "-", "-",
                  show(pcp_rows, pcp, "ms") + (" (%s)" % pcp_rows[0]["note"] if pcp_rows else ""),
                  "p99 <= 25 ms", max_goal(pcp, 25, "ms")))

    figure = "requests/s through the OVS punt path, natpmp-address"
    pcp_rows, mini_rows = pick(all_rows, "pcp-controller", figure), pick(all_rows, "miniupnpd", figure)
    pcp, _ = median(pcp_rows)
    mini, _ = median(mini_rows)
    table.append(("requests/s through the OVS punt path (NAT-PMP address)", "miniupnpd via same OVS bridge ~30k/s",
                  show(mini_rows, mini, "/s"), show(pcp_rows, pcp, "/s"), ">= 25,000/s via PACKET_IN/PACKET_OUT",
                  min_goal(pcp, 25000)))

    pcp_rows = pick(all_rows, "pcp-controller", "mappings rendered per second (gateway-ack)")
    pcp, _ = median(pcp_rows)
    table.append(("mappings rendered to one netconfd gateway", "-", "-", show(pcp_rows, pcp, "/s"),
                  ">= 2,000/s with batching", min_goal(pcp, 2000)))

    # scale.sh's figures: "mappings held", "heap used with N mappings", "heap per mapping",
    # "restart to serving with N mappings", "epoch continuity after restart"
    heap_rows = pick(all_rows, "pcp-controller", pattern=r"^heap used")
    heap, _ = median(heap_rows, "GiB")
    held_rows = pick(all_rows, "pcp-controller", pattern=r"mappings (held|active|stored)")
    held, _ = median(held_rows)
    verdict = NOT_MEASURED
    if heap is not None and (held or 0) < 1_000_000:
        verdict = "not at the goal's size (%s heap with %s mappings)" % (fmt(heap, "GiB"),
                                                                        "?" if held is None else "{:,.0f}".format(held))
    elif heap is not None:
        verdict = ("met" if heap <= 4 else "missed") + " (%s heap with {:,.0f} mappings)".format(held) % fmt(
            heap, "GiB")
    table.append(("active mappings in one controller", "-", "-",
                  "%s; heap %s" % (show(held_rows, held, "mappings"), show(heap_rows, heap, "GiB")),
                  "1,000,000 with heap <= 4 GiB", verdict))
    per_rows = pick(all_rows, "pcp-controller", pattern=r"^(heap|bytes) per mapping")
    per, _ = median(per_rows, "bytes")
    table.append(("bytes per mapping", "-", "-", show(per_rows, per, "bytes"), "aim <= 2 KiB",
                  max_goal(per, 2048, "bytes")))
    restart_rows = pick(all_rows, "pcp-controller", pattern=r"^restart to serving")
    restart, _ = median(restart_rows, "s")
    epoch_rows = pick(all_rows, "pcp-controller", pattern=r"^epoch continuity")
    measured = show(restart_rows, restart, "s")
    if restart_rows:
        measured += " (%s)" % restart_rows[0]["figure"]
    if epoch_rows:
        measured += "; epoch continuity: %s (%s)" % (epoch_rows[0]["value"], epoch_rows[0]["note"])
    size = re.search(r"with (\d+) mappings", restart_rows[0]["figure"]) if restart_rows else None
    continued = bool(epoch_rows) and epoch_rows[0]["value"].lower() in ("yes", "ok", "true")
    verdict = max_goal(restart, 60, "s")
    if restart is not None and size and int(size.group(1)) < 1_000_000:
        verdict = "not at the goal's size (%s mappings): %s" % ("{:,}".format(int(size.group(1))), verdict)
    elif restart is not None and not continued:
        verdict = "missed (the epoch did not continue, or was not checked): " + verdict
    table.append(("restart with 1,000,000 mappings", "-", "-", measured,
                  "serving again (same epoch) within 60 s", verdict))

    count_rows = pick(all_rows, "pcp-controller", "gateways connected+reconciled")
    count, _ = median(count_rows)
    time_rows = pick(all_rows, "pcp-controller", pattern=r"^time to reconcile")
    seconds, _ = median(time_rows, "s")
    verdict = NOT_MEASURED
    # fleet.sh's note says how many gateways it simulated: "of N in T s" or "of N; not all within the timeout"
    simulated = re.match(r"of (\d+)", count_rows[0]["note"]) if count_rows else None
    simulated = int(simulated.group(1)) if simulated else count
    if count is not None and simulated is not None and simulated < 1000:
        verdict = "not at the goal's size (%d of %d gateways%s)" % (count, simulated, "" if seconds is None
                                                                  else " in %s" % fmt(seconds, "s"))
    elif count is not None:
        verdict = ("met" if count >= 1000 and seconds is not None and seconds <= 120 else "missed") + (
            " (%d gateways%s)" % (count, "" if seconds is None else " in %s" % fmt(seconds, "s")))
    measured = show(count_rows, count, "gateways")
    if count_rows and count_rows[0]["note"]:
        measured += " (%s)" % count_rows[0]["note"]
    table.append(("simulated gateways on one controller", "-", "-", measured,
                  "1,000 connected and reconciled within 120 s; largest count", verdict))
    return table


def plot_throughput(all_rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    plotted = False
    for system, marker in zip(SYSTEMS, ("o", "s")):
        points = {}
        for part in ("map", "curve"):
            for row in all_rows.get(part, []):
                found = re.match(r"^new PCP MAP at (\d+) existing$", row["figure"])
                value = number(row["value"])
                if found and row["system"] == system and value is not None:
                    points.setdefault(int(found.group(1)), []).append(value)
        if not points:
            continue
        xs = sorted(points)
        ax.plot(xs, [statistics.median(points[x]) for x in xs], marker=marker, label=system)
        for x in xs:
            ax.scatter([x] * len(points[x]), points[x], s=10, color="grey", zorder=3)
        plotted = True
    ax.axhline(20000, linestyle="--", color="green", linewidth=1, label="goal 20,000/s")
    ax.set_xscale("symlog", linthresh=100)
    ax.set_xlim(left=-30)
    ax.set_yscale("log")
    ax.set_xlabel("existing mappings")
    ax.set_ylabel("new PCP MAP answers/s")
    ax.set_title("New mappings per second against existing mappings" + ("" if plotted else " (not measured)"))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_latency(all_rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = {}
    for row in all_rows.get("latency", []):
        found = re.match(r"^latency at 5000/s, (.*) (p50|p99|p99\.9)$", row["figure"])
        value = number(row["value"])
        if found and value is not None:
            groups.setdefault((found.group(1), row["system"]), {})[found.group(2)] = value
    fig, ax = plt.subplots(figsize=(8, 4.5))
    labels = sorted(groups)
    width = 0.25
    for i, percentile in enumerate(("p50", "p99", "p99.9")):
        ax.bar([x + (i - 1) * width for x in range(len(labels))],
               [groups[label].get(percentile, 0) for label in labels], width, label=percentile)
    ax.axhline(5, linestyle="--", color="green", linewidth=1, label="goal: MAP p99 5 ms")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(["%s\n%s" % label for label in labels], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("latency, ms")
    ax.set_title("Latency at 5,000 requests/s" + ("" if labels else " (not measured)"))
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def cell(text):
    return str(text).replace("|", "\\|")


def report(results, docs):
    all_rows = read_rows(results)
    status = read_status(results)
    machine = read_machine(results)
    images = os.path.join(docs, "benchmarks")
    os.makedirs(images, exist_ok=True)
    plot_throughput(all_rows, os.path.join(images, "throughput-vs-mappings.png"))
    plot_latency(all_rows, os.path.join(images, "latency-percentiles.png"))
    commands = text(os.path.join(results, "commands.txt")).strip() \
        if os.path.exists(os.path.join(results, "commands.txt")) else "(no commands recorded)"

    out = []
    quick = machine.get("quick") == "yes"
    out.append("# Benchmarks: PCP Controller and miniupnpd\n")
    out.append("Generated by `bench/compare.sh` (see `bench/README.md`) on %s, commit %s.\n" % (
        machine.get("date", "?"), machine.get("commit", "?")))
    if quick:
        out.append("**This is a quick run (`--quick`): a smoke test of the harness with short durations and small "
                   "counts. Its figures show that every part works, not what the product can do; a full run "
                   "replaces them.**\n")
    out.append("## Machine\n")
    out.append("| | |\n|---|---|")
    for key, label in (("cpu", "CPU"), ("nproc", "nproc"), ("memory", "memory"), ("kernel", "kernel"),
                       ("os", "OS"), ("java", "Java"), ("ovs", "Open vSwitch"), ("miniupnpd", "miniupnpd"),
                       ("netconfd", "netconfd"), ("load_at_start", "load average at start"),
                       ("load_at_end", "load average at end"), ("rounds", "rounds (PCP Controller, then miniupnpd)")):
        out.append("| %s | %s |" % (label, cell(machine.get(key, "?"))))
    out.append("\nThe load generator, both servers and (for the punt path) Open vSwitch share these CPUs, so "
               "every figure includes the cost of the others.\n")

    out.append("## Targets\n")
    out.append("Incumbent and PCP Controller measured in this run; a value that is the median of several runs "
               "says so.\n")
    out.append("| figure | incumbent (earlier) | incumbent (this run) | PCP Controller (this run) | goal | verdict |")
    out.append("|---|---|---|---|---|---|")
    for row in targets(all_rows):
        out.append("| " + " | ".join(cell(c) for c in row) + " |")
    out.append("")
    out.append("![new mappings per second against existing mappings](benchmarks/throughput-vs-mappings.png)\n")
    out.append("![latency percentiles at 5,000 requests/s](benchmarks/latency-percentiles.png)\n")

    out.append("## Parts\n")
    for part in PARTS:
        state, seconds = status.get(part, ("not run", "0"))
        out.append("### %s (`%s`)\n" % (PART_TITLES[part], part))
        out.append("Status: %s%s.\n" % (state, "" if seconds in ("0", "") else ", %s s" % seconds))
        if not all_rows[part]:
            out.append("_%s: no rows._\n" % NOT_MEASURED)
            continue
        out.append("| figure | system | value | unit | note |\n|---|---|---:|---|---|")
        for row in all_rows[part]:
            out.append("| %s | %s | %s | %s | %s |" % tuple(cell(row[k]) for k in
                                                         ("figure", "system", "value", "unit", "note")))
        out.append("")

    out.append("## Commands\n")
    out.append("Every command of the run, in order (paths relative to the repository):\n")
    out.append("```sh\n%s\n```\n" % commands)
    out.append("Raw results (load generator and JMH JSON, logs) were in `%s`.\n" % os.path.relpath(
        results, os.path.dirname(os.path.abspath(docs))))
    with open(os.path.join(docs, "benchmarks.md"), "w") as f:
        f.write("\n".join(out))
    print("wrote %s and %s/*.png" % (os.path.join(docs, "benchmarks.md"), images))


def main(argv):
    if len(argv) >= 7 and argv[1] == "load":
        write_rows(argv[3], load_rows(argv[2], argv[4], argv[5], argv[6], "--latency" in argv[7:]))
    elif len(argv) == 4 and argv[1] == "jmh":
        write_rows(argv[3], jmh_rows(argv[2]))
    elif len(argv) == 4 and argv[1] == "report":
        report(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
