#!/usr/bin/python3
"""Smoke test for analysis/report.py.

Writes two small synthetic pbsim-like HDF5 files, runs the report on them and
checks the HTML; then checks that a missing file or a non-pbsim HDF5 file
gives exit status 2. Run as: /usr/bin/python3 tests/analysis/report_smoke.py
"""
import pathlib
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

import synthetic_files as sf  # tests/analysis (PYTHONPATH set by ctest)

REPORT = pathlib.Path(__file__).resolve().parents[2] / "analysis" / "report.py"
R, M, C = 3, 24, 4  # replications, months, local authorities


def write_output(path, name, seed, uplift, R=R):
    """Write a synthetic file following the pbsim output schema (R replications)."""
    rng = np.random.default_rng(seed)
    months = [f"{2014 + m // 12}-{m % 12 + 1:02d}" for m in range(M)]
    with h5py.File(path, "w") as f:
        for key, value in dict(kind="run", scenario_name=name, seed=seed, replications=R,
                               start_month=months[0], months=M, scale=0.5,
                               pbsim_version="0.0.0-test", source_revision="deadbeef",
                               created_utc="2026-04-01T00:00:00Z").items():
            f.attrs[key] = value
        codes = [f"E0600000{i}" for i in range(C)]
        sf.table(f, "local_authorities", {"local_authority": codes}, {})
        pop = np.full((R, M, C), 1000.0)
        ramp = np.linspace(0.01, 0.2 + uplift, M)[None, :, None]
        series = {
            "population": (pop, "people"),
            "holding_dp": (pop * ramp * 0.4 + rng.uniform(0, 5, (R, M, C)), "people"),
            "holding_managed": (pop * ramp * 0.6, "people"),
            "crises": (rng.poisson(20, (R, M, C)).astype(float), "people"),
            "admissions": (rng.poisson(5, (R, M, C)).astype(float), "people"),
            "cost_pb_spend": (rng.uniform(1e4, 2e4, (R, M, C)), "GBP"),
            "cost_inpatient": (rng.uniform(5e4, 6e4, (R, M, C)), "GBP"),
        }
        # Who pays (as pbsim writes them): inpatient care is the NHS's, budgets the
        # council's less the holders' 5% charges.
        series["cost_nhs"] = (series["cost_inpatient"][0], "GBP/month")
        series["cost_council"] = (series["cost_pb_spend"][0] * 0.95, "GBP/month")
        series["cost_person"] = (series["cost_pb_spend"][0] * 0.05, "GBP/month")
        sf.timeseries(f, "timeseries", months, codes, series)
        summary = {
            "uptake_share_end": (rng.uniform(0.1, 0.3, R) + uplift, "share"),
            "crises_total": (rng.uniform(9e3, 1e4, R), "people"),
            "cost_pb_spend_total": (rng.uniform(1e8, 2e8, R), "GBP"),
            "cost_inpatient_total": (rng.uniform(5e8, 6e8, R), "GBP"),
            "cost_total_discounted": (rng.uniform(6e8, 7e8, R), "GBP"),
        }
        summary["cost_nhs_total"] = (summary["cost_inpatient_total"][0], "GBP")
        summary["cost_council_total"] = (summary["cost_pb_spend_total"][0] * 0.95, "GBP")
        summary["cost_person_total"] = (summary["cost_pb_spend_total"][0] * 0.05, "GBP")
        sf.summary(f, "summary", summary)


def write_comparison_file(path):
    """Two scenarios under /scenarios with hand-chosen evaluation-window
    summaries, so the report's readings can be checked by hand."""
    months = [f"{2014 + m // 12}-{m % 12 + 1:02d}" for m in range(M)]
    with h5py.File(path, "w") as f:
        for key, value in dict(kind="run", scenario_names="base,policy", seed=1, replications=R,
                               start_month=months[0], months=M, scale=1.0,
                               pbsim_version="0.0.0-test", source_revision="deadbeef",
                               created_utc="2026-04-01T00:00:00Z").items():
            f.attrs[key] = value
        codes = [f"LA00{i}" for i in range(C)]
        sf.table(f, "local_authorities", {"local_authority": codes},
                 {"users": (("local_authority",), np.full(C, 1000, dtype="i4"), "1")})
        pop = np.full((R, M, C), 1000.0)
        # Council c holds (c + 1) x 5% at the end in the baseline.
        holders = {"base": pop * (np.arange(C)[None, None, :] + 1) * 0.05,
                   "policy": pop * 0.3}
        d_cost = np.array([1000.0, 5000.0, -500.0])
        d_qalys = np.array([0.1, 0.2, -0.1])
        # Of d_cost, the person pays 2,000 more in replication 1 and the NHS the rest, so
        # the NHS + PSS perspective differs from all payers: (1000, 3000, -500).
        d_person = np.array([0.0, 2000.0, 0.0])
        # Who pays by month (per council, GBP): baseline NHS 100, council 50, person 5; the
        # policy costs the NHS 10 more a month in 2014 and saves it 30 a month in 2015, and
        # costs the council 5 more a month throughout.
        year2015 = (np.arange(M) >= 12)[None, :, None]
        payer_series = {
            "base": {"cost_nhs": np.full((R, M, C), 100.0), "cost_council": np.full((R, M, C), 50.0),
                     "cost_person": np.full((R, M, C), 5.0)},
            "policy": {"cost_nhs": np.where(year2015, 70.0, 110.0) + np.zeros((R, M, C)),
                       "cost_council": np.full((R, M, C), 55.0),
                       "cost_person": np.full((R, M, C), 5.0)}}
        for name in ("base", "policy"):
            g = f.create_group(f"scenarios/{name}")
            g.attrs["scenario_name"] = name
            g.attrs["scenario_toml"] = ('evaluation_start = "2014-06"\n'
                                        "[population]\nusers = 4000\n")
            sf.timeseries(g, "timeseries", months, codes,
                          {"population": (pop, "1"), "holding_dp": (holders[name] * 0.5, "1"),
                           "holding_managed": (holders[name] * 0.5, "1"),
                           **{k: (v, "GBP/month") for k, v in payer_series[name].items()}})
            policy = name == "policy"
            summary = {
                "uptake_share_end": np.full(R, 0.125 if not policy else 0.3),
                "eval_crises": np.array([100.0, 110.0, 120.0]) - (10 if policy else 0),
                "eval_admissions": np.array([50.0, 55.0, 60.0]) - (5 if policy else 0),
                "eval_bed_days": np.array([500.0, 550.0, 600.0]),
                "eval_cost_pb_spend_discounted": np.full(R, 1e6) + (d_cost if policy else 0),
                "eval_cost_inpatient_discounted": np.full(R, 2e6),
                "eval_cost_total_discounted": np.full(R, 3e6) + (d_cost if policy else 0),
                "eval_qalys_discounted": np.full(R, 1000.0) + (d_qalys if policy else 0),
                "eval_cost_nhs_discounted": np.full(R, 2e6) + (d_cost - d_person if policy else 0),
                "eval_cost_council_discounted": np.full(R, 0.9e6),
                "eval_cost_person_discounted": np.full(R, 0.1e6) + (d_person if policy else 0),
                "eval_cost_nhs_pss_discounted": np.full(R, 2.9e6) + (d_cost - d_person
                                                                      if policy else 0),
            }
            sf.summary(g, "summary", {k: (v, "GBP" if "cost" in k else "1")
                                      for k, v in summary.items()})


def run(*args):
    """Run report.py with the current interpreter; return the completed process."""
    return subprocess.run(["/usr/bin/python3", str(REPORT), *map(str, args)],
                          capture_output=True, text=True, check=False)


def check(condition, message):
    """Fail the test with a message."""
    if not condition:
        sys.exit(f"report_smoke: FAIL: {message}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        a, b, out = tmp / "a.h5", tmp / "b.h5", tmp / "sub" / "report.html"
        write_output(a, "synthetic_baseline", 1, 0.0)
        write_output(b, "synthetic_policy", 2, 0.1)

        res = run(a, b, "--out", out)
        check(res.returncode == 0, f"exit {res.returncode}\n{res.stdout}{res.stderr}")
        check(out.is_file(), "report HTML not written")
        page = out.read_text(encoding="utf-8")
        n_img = page.count("data:image/png;base64,")
        # No QALYs in these files: the two cost-effectiveness figures say why they are absent
        # (uptake, costs, who pays, events and councils are drawn).
        check(n_img == 5, f"expected 5 embedded PNG images, found {n_img}")
        check(page.count("Not drawn: Needs a baseline, a policy scenario and cost and QALY") == 2,
              "missing cost-effectiveness figures not explained")
        for name in ("synthetic_baseline", "synthetic_policy"):
            check(name in page, f"scenario name {name} not in report")
        markup = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]*", "", page)
        check("<script" not in markup and "http" not in markup, "report uses external resources")

        # A comparison file: every figure drawn, readings computed from the data.
        comp, out = tmp / "comparison.h5", tmp / "comparison.html"
        write_comparison_file(comp)
        res = run(comp, "--out", out)
        check(res.returncode == 0, f"comparison file: exit {res.returncode}\n{res.stderr}")
        page = out.read_text(encoding="utf-8")
        for fid in ("fig-uptake", "fig-costs", "fig-payers", "fig-events", "fig-ce-plane",
                    "fig-ceac", "fig-councils"):
            check(re.search(f"<figure id='{fid}' class='figure'><img", page),
                  f"figure {fid} not drawn")
        readings = re.findall(r"<span class=reading>Reading: ([^<]*)</span>", page)
        check(len(readings) == 7, f"expected 7 readings, found {len(readings)}")
        # Hand-computed from the NHS + PSS costs (the person's charges left out): NMB at
        # 20,000 = 20000 dQ - dC = (2000 - 1000, 4000 - 3000, -2000 + 500): 2 in 3 positive
        # (with all payers' costs it would be 1 in 3).
        check(any("policy is most likely cost-effective (in 67% of 3 paired" in r
                  for r in readings), f"CEAC reading wrong: {readings}")
        # Who pays, by year from the policy year (2014 here) with 4 councils: the NHS pays
        # 12 x 4 x 10 = 480 more in 2014 and saves 12 x 4 x 30 = 1,440 in 2015, so it saves
        # 960 in all and breaks even in 2015; the council pays 480 more in 2014-2015.
        check(any("the largest saving is to the NHS under policy (GBP -960); the NHS breaks "
                  "even (cumulative difference at or below zero) in 2015 under policy." in r
                  for r in readings), f"payers reading wrong: {readings}")
        payers = page.split("<h2 id='payers'>", 1)[1].split("</table>", 1)[0]
        for cells in (("NHS", "+480", "-1,440", "-960"), ("council", "+240", "+240", "+480"),
                      ("person", "+0", "+0", "+0")):
            row = re.search(f"<td>policy</td><td>{cells[0]}</td>(.*?)</tr>", payers)
            check(row, f"no {cells[0]} row in the payers table")
            values = re.findall(r"<td>([^<]*)", row.group(1))
            check(values == list(cells[1:]), f"{cells[0]} by year {values}, expected {cells[1:]}")
        # Crises averted: 10 in every replication; the window is named.
        check(any("policy averts the most crises (10)" in r for r in readings),
              f"events reading wrong: {readings}")
        check("2014-06 to 2015-12" in page, "evaluation window not named")
        # Mean incremental cost (1000 + 5000 - 500) / 3 = GBP 1,833.
        check(any("policy changes that by GBP +1,833" in r for r in readings),
              f"cost reading wrong: {readings}")
        # Councils hold 5, 10, 15, 20% at the end.
        check(any("ranges from 5.0% (LA000) to 20.0% (LA003)" in r for r in readings),
              f"council reading wrong: {readings}")
        check("no /comparison against base" in page, "missing /comparison not explained")
        # Another baseline puts that scenario first everywhere (figures and readings).
        res = run(comp, "--out", out, "--baseline", "policy")
        check(res.returncode == 0, f"--baseline: exit {res.returncode}\n{res.stderr}")
        page = out.read_text(encoding="utf-8")
        check("compared with policy</h1>" in page, "--baseline not used in the title")
        check("no scenario averts crises (base changes them least, +10)" in page,
              "--baseline not used in the readings")
        res = run(comp, "--out", out, "--baseline", "nope")
        check(res.returncode == 2 and "--baseline nope" in res.stderr, "unknown --baseline")

        res = run(tmp / "does_not_exist.h5", "--out", tmp / "x.html")
        check(res.returncode == 2, f"missing file: expected exit 2, got {res.returncode}")
        check("no such file" in res.stderr, f"missing file: unclear message: {res.stderr!r}")

        with h5py.File(tmp / "other.h5", "w") as f:
            f["something"] = np.zeros(3)
        res = run(tmp / "other.h5", "--out", tmp / "y.html")
        check(res.returncode == 2, f"non-pbsim file: expected exit 2, got {res.returncode}")
        check("not a pbsim output" in res.stderr, f"non-pbsim file: unclear message: {res.stderr!r}")

        # Readers validate structure and never create or change what they read.
        empty = tmp / "empty.h5"
        empty.write_bytes(b"")
        res = run(empty, "--out", tmp / "e.html")
        check(res.returncode == 2 and "empty" in res.stderr, f"zero-byte file: {res.stderr!r}")
        check(empty.stat().st_size == 0, "zero-byte file was changed")
        folder = tmp / "folder.h5"
        folder.mkdir()
        res = run(folder, "--out", tmp / "d.html")
        check(res.returncode == 2 and "is a folder" in res.stderr, f"folder: {res.stderr!r}")
        six = tmp / "six.h5"
        write_output(six, "six", 3, 0.0, R=6)
        res = run(a, six, "--out", tmp / "six.html")
        check(res.returncode == 2 and "different numbers of replications" in res.stderr
              and "six.h5: 6" in res.stderr, f"3 vs 6 replications: {res.stderr!r}")
        no_summary = tmp / "no_summary.h5"
        write_comparison_file(no_summary)
        with h5py.File(no_summary, "a") as f:
            del f["scenarios/policy/summary"]
        res = run(no_summary, "--out", tmp / "ns.html")
        check(res.returncode == 2 and "/scenarios/policy/summary is missing" in res.stderr,
              f"scenario without summary: {res.stderr!r}")
        short = tmp / "short.h5"
        write_comparison_file(short)
        with h5py.File(short, "a") as f:
            del f["scenarios/policy/summary/eval_crises"]
            g = f["scenarios/policy/summary"]
            g["eval_crises"] = np.zeros(2)
        res = run(short, "--out", tmp / "short.html")
        check(res.returncode == 2 and "/scenarios/policy/summary/eval_crises has shape [2]" in res.stderr,
              f"summary column of the wrong length: {res.stderr!r}")
    print("report_smoke: OK")


if __name__ == "__main__":
    main()
