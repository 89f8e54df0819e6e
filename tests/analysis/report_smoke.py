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

REPORT = pathlib.Path(__file__).resolve().parents[2] / "analysis" / "report.py"
R, M, C = 3, 24, 4  # replications, months, local authorities


def write_output(path, name, seed, uplift):
    """Write a synthetic file following the pbsim output schema."""
    rng = np.random.default_rng(seed)
    months = [f"{2014 + m // 12}-{m % 12 + 1:02d}" for m in range(M)]
    with h5py.File(path, "w") as f:
        for key, value in dict(scenario_name=name, seed=seed, replications=R,
                               start_month=months[0], months=M, scale=0.5,
                               pbsim_version="0.0.0-test", source_revision="deadbeef",
                               created_utc="2026-04-01T00:00:00Z").items():
            f.attrs[key] = value
        f["dims/month"] = np.array(months, dtype="S7")
        f["local_authorities/code"] = np.array([f"E0600000{i}" for i in range(C)], dtype="S9")
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
        for metric, (data, units) in series.items():
            f[f"timeseries/{metric}"] = data
            f[f"timeseries/{metric}"].attrs["units"] = units
        summary = {
            "uptake_share_end": (rng.uniform(0.1, 0.3, R) + uplift, "share"),
            "crises_total": (rng.uniform(9e3, 1e4, R), "people"),
            "cost_pb_spend_total": (rng.uniform(1e8, 2e8, R), "GBP"),
            "cost_inpatient_total": (rng.uniform(5e8, 6e8, R), "GBP"),
            "cost_total_discounted": (rng.uniform(6e8, 7e8, R), "GBP"),
        }
        for column, (data, units) in summary.items():
            f[f"summary/{column}"] = data
            f[f"summary/{column}"].attrs["units"] = units


def write_comparison_file(path):
    """Two scenarios under /scenarios with hand-chosen evaluation-window
    summaries, so the report's readings can be checked by hand."""
    months = [f"{2014 + m // 12}-{m % 12 + 1:02d}" for m in range(M)]
    with h5py.File(path, "w") as f:
        for key, value in dict(scenario_names="base,policy", seed=1, replications=R,
                               start_month=months[0], months=M, scale=1.0,
                               pbsim_version="0.0.0-test", source_revision="deadbeef",
                               created_utc="2026-04-01T00:00:00Z").items():
            f.attrs[key] = value
        f["dims/month"] = np.array(months, dtype="S7")
        f["local_authorities/code"] = np.array([f"LA00{i}" for i in range(C)], dtype="S5")
        f["local_authorities/users"] = np.full(C, 1000, dtype="i4")
        pop = np.full((R, M, C), 1000.0)
        # Council c holds (c + 1) x 5% at the end in the baseline.
        holders = {"base": pop * (np.arange(C)[None, None, :] + 1) * 0.05,
                   "policy": pop * 0.3}
        d_cost = np.array([1000.0, 5000.0, -500.0])
        d_qalys = np.array([0.1, 0.2, -0.1])
        for name in ("base", "policy"):
            g = f.create_group(f"scenarios/{name}")
            g.attrs["scenario_name"] = name
            g.attrs["scenario_toml"] = ('evaluation_start = "2014-06"\n'
                                        "[population]\nusers = 4000\n")
            g["timeseries/population"] = pop
            g["timeseries/holding_dp"] = holders[name] * 0.5
            g["timeseries/holding_managed"] = holders[name] * 0.5
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
            }
            for column, data in summary.items():
                g[f"summary/{column}"] = data
                g[f"summary/{column}"].attrs["units"] = "GBP" if "cost" in column else "people"


def run(*args):
    """Run report.py with the current interpreter; return the completed process."""
    return subprocess.run([sys.executable, str(REPORT), *map(str, args)],
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
        # No QALYs in these files: the two cost-effectiveness figures say why they are absent.
        check(n_img == 4, f"expected 4 embedded PNG images, found {n_img}")
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
        for fid in ("fig-uptake", "fig-costs", "fig-events", "fig-ce-plane", "fig-ceac",
                    "fig-councils"):
            check(re.search(f"<figure id='{fid}' class='figure'><img", page),
                  f"figure {fid} not drawn")
        readings = re.findall(r"<span class=reading>Reading: ([^<]*)</span>", page)
        check(len(readings) == 6, f"expected 6 readings, found {len(readings)}")
        # Hand-computed: NMB at 20,000 = 20000 dQ - dC = (1000, -1000, -1500): 1 in 3 positive.
        check(any("policy is most likely cost-effective (in 33% of 3 paired" in r
                  for r in readings), f"CEAC reading wrong: {readings}")
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
        check("/timeseries" in res.stderr, f"non-pbsim file: unclear message: {res.stderr!r}")
    print("report_smoke: OK")


if __name__ == "__main__":
    main()
