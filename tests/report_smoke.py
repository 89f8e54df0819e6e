#!/usr/bin/python3
"""Smoke test for analysis/report.py.

Writes two small synthetic pbsim-like HDF5 files, runs the report on them and
checks the HTML; then checks that a missing file or a non-pbsim HDF5 file
gives exit status 2. Run as: /usr/bin/python3 tests/report_smoke.py
"""
import pathlib
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

REPORT = pathlib.Path(__file__).resolve().parent.parent / "analysis" / "report.py"
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
        check(n_img == 3, f"expected 3 embedded PNG images, found {n_img}")
        for name in ("synthetic_baseline", "synthetic_policy"):
            check(name in page, f"scenario name {name} not in report")
        markup = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]*", "", page)
        check("<script" not in markup and "http" not in markup, "report uses external resources")

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
