#
# Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
#
"""report.py on a fixture RESULTS_DIR: rows from the load generator's and JMH's JSON, and the report, in which
parts that did not run show as not measured. Run by bench/compare.sh before anything else:
    python3 -m unittest discover -s bench/src/test/python
"""

import importlib.util
import json
import os
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location(
    "report", os.path.join(HERE, "..", "..", "main", "scripts", "report.py"))
report = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(report)

LOAD = {"mode": "pcp-map", "main": {
    "sent": 1000, "answered": 1000, "lost": 0, "answeredPerSecond": 25000.4,
    "resultCodes": {"SUCCESS": 1000}, "targetCpuSeconds": 0.2,
    "latencyMicros": {"p50": 1500.0, "p99": 4000.0, "p999": 9000.0, "max": 12000.0, "mean": 1800.0}}}
JMH = [{"benchmark": "org.pcpcontroller.bench.engine.EngineBenchmark.mapNewLatency", "mode": "sample",
        "forks": 1, "measurementIterations": 3, "params": {"existing": "1000"},
        "primaryMetric": {"score": 812.5, "scoreError": 40.0, "scoreUnit": "us/op",
                          "scorePercentiles": {"50.0": 700.0, "99.0": 2100.0, "99.9": 5000.0}}}]


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.results = os.path.join(self.tmp.name, "results")
        os.makedirs(self.results)
        with open(os.path.join(self.results, "load.json"), "w") as f:
            json.dump(LOAD, f)
        with open(os.path.join(self.results, "jmh.json"), "w") as f:
            json.dump(JMH, f)

    def tearDown(self):
        self.tmp.cleanup()

    def test_load_rows(self):
        rows = report.load_rows(os.path.join(self.results, "load.json"), "latency at 5000/s, PCP MAP new",
                                "pcp-controller", "note", True)
        self.assertEqual(("latency at 5000/s, PCP MAP new", "pcp-controller", "25000", "answers/s"), rows[0][:4])
        self.assertIn("1000 of 1000 answered", rows[0][4])
        self.assertEqual([("latency at 5000/s, PCP MAP new p50", "1.50"), ("latency at 5000/s, PCP MAP new p99", "4.00"),
                          ("latency at 5000/s, PCP MAP new p99.9", "9.00")], [(r[0], r[2]) for r in rows[1:]])

    def test_jmh_rows(self):
        rows = report.jmh_rows(os.path.join(self.results, "jmh.json"))
        self.assertEqual(("JMH EngineBenchmark.mapNewLatency existing=1000", "pcp-controller", "812.5", "us/op"),
                         rows[0][:4])
        self.assertEqual(["p50", "p99", "p99.9"], [r[0].rsplit(" ", 1)[1] for r in rows[1:]])

    def test_targets_met_missed_and_not_measured(self):
        tsv = os.path.join(self.results, "udp.tsv")
        report.write_rows(tsv, [("NAT-PMP public address, direct UDP", "pcp-controller", "90000", "answers/s", ""),
                                ("NAT-PMP public address, direct UDP", "miniupnpd", "50000", "answers/s", "")])
        report.write_rows(os.path.join(self.results, "map.tsv"),
                          [("new PCP MAP at 1000 existing", "pcp-controller", "10000", "answers/s", "")])
        report.write_rows(os.path.join(self.results, "scale.tsv"),
                          [("mappings held", "pcp-controller", "1000000", "mappings", ""),
                           ("heap used with 1000000 mappings", "pcp-controller", "3072", "MiB", ""),
                           ("heap per mapping", "pcp-controller", "2500", "bytes", ""),
                           ("restart to serving with 1000000 mappings", "pcp-controller", "45", "s", ""),
                           ("epoch continuity after restart", "pcp-controller", "ok", "", "")])
        table = {row[0]: row for row in report.targets(report.read_rows(self.results))}
        self.assertTrue(table["active mappings in one controller"][5].startswith("met (3 GiB heap with 1,000,000"))
        self.assertTrue(table["bytes per mapping"][5].startswith("missed (2,500 bytes"))
        self.assertTrue(table["restart with 1,000,000 mappings"][5].startswith("met (45 s"))
        self.assertIn("epoch continuity: ok", table["restart with 1,000,000 mappings"][3])
        self.assertTrue(table["public-address requests/s, direct UDP"][5].startswith("met (1.80x"))
        self.assertTrue(table["new MAP requests/s with 1,000 existing mappings"][5].startswith("missed (0.50x"))
        self.assertEqual(report.NOT_MEASURED, table["simulated gateways on one controller"][5])

    def test_figures_below_the_goals_size_are_not_verdicts(self):
        report.write_rows(os.path.join(self.results, "scale.tsv"),
                          [("mappings held", "pcp-controller", "10000", "mappings", ""),
                           ("heap used with 10000 mappings", "pcp-controller", "83", "MiB", ""),
                           ("restart to serving with 10000 mappings", "pcp-controller", "31.5", "s", ""),
                           ("epoch continuity after restart", "pcp-controller", "yes", "", "")])
        report.write_rows(os.path.join(self.results, "fleet.tsv"),
                          [("gateways connected+reconciled", "pcp-controller", "20", "gateways", "of 20 in 9.5 s"),
                           ("time to reconcile 20 gateways", "pcp-controller", "9.5", "s", "")])
        table = {row[0]: row for row in report.targets(report.read_rows(self.results))}
        for target in ("active mappings in one controller", "restart with 1,000,000 mappings",
                       "simulated gateways on one controller"):
            self.assertTrue(table[target][5].startswith("not at the goal's size"), table[target][5])

    def test_report_shows_parts_that_did_not_run(self):
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            self.skipTest("python3-matplotlib is not installed")
        report.write_rows(os.path.join(self.results, "curve.tsv"),
                          [("new PCP MAP at 0 existing", "pcp-controller", "12000", "answers/s", ""),
                           ("new PCP MAP at 0 existing", "miniupnpd", "250", "answers/s", "")])
        with open(os.path.join(self.results, "parts.tsv"), "w") as f:
            f.write("curve\tok\t12\npunt\tfailed (exit 1)\t30\n")
        docs = os.path.join(self.tmp.name, "docs")
        report.report(self.results, docs)
        text = report.text(os.path.join(docs, "benchmarks.md"))
        self.assertIn("Status: failed (exit 1), 30 s.", text)
        self.assertIn("| new MAP requests/s with 100,000 existing mappings |", text)
        self.assertIn(report.NOT_MEASURED, text)
        for png in ("throughput-vs-mappings.png", "latency-percentiles.png"):
            self.assertGreater(os.path.getsize(os.path.join(docs, "benchmarks", png)), 1000)


if __name__ == "__main__":
    unittest.main()
