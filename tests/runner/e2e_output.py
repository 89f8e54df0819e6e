#!/usr/bin/python3
"""End to end: a real pbsim output file read with h5py and h5dump, no pbsim code.

Checks provenance attributes, dimension scales, units, the summary against the
time series, and that the resolved scenario stored in the file reruns to the
identical time series.  Usage: e2e_output.py PBSIM_BINARY
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SCENARIO = """\
name = "tiny"
start = "2003-01"
end = "2006-12"
[population]
users = 3000
councils = 12
[policy]
managed_budgets = { "2003-01" = 0, "2004-06" = 1 }
"""


def run(pbsim, scenario, out, seed=3):
    subprocess.run([pbsim, "run", scenario, "-r", "3", "-s", str(seed), "--scale", "0.5",
                    "--quiet", "--out", out], check=True, stdout=subprocess.DEVNULL)


def main():
    pbsim = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        scenario = os.path.join(tmp, "tiny.toml")
        with open(scenario, "w") as f:
            f.write(SCENARIO)
        first = os.path.join(tmp, "first.h5")
        run(pbsim, scenario, first)

        with h5py.File(first, "r") as f:
            for key in ["pbsim_version", "source_revision", "scenario_name", "scenario_toml",
                        "seed", "replications", "start_month", "months", "scale", "created_utc"]:
                assert key in f.attrs, f"root attribute {key} missing"
            assert f.attrs["scenario_name"] == "tiny"
            assert f.attrs["start_month"] == "2003-01" and f.attrs["months"] == 48
            assert f.attrs["seed"] == 3 and f.attrs["replications"] == 3
            months = f["dims/month"][:].astype(str)
            assert months[0] == "2003-01" and months[-1] == "2006-12"
            pop = f["timeseries/population"]
            assert pop.shape == (3, 48, 12), pop.shape
            assert pop.attrs["units"] == "people"
            assert pop.dims[1][0].name == "/dims/month", "month scale not attached"
            assert pop.dims[2][0].name == "/dims/local_authority"
            assert pop.compression == "gzip"
            users = f["local_authorities/users"][:].sum()
            assert users == 1500, users
            assert np.all(pop[:].sum(axis=2) == users), "people not conserved"
            # Summary totals are the time series scaled to national (3000 / 1500).
            crises = f["timeseries/crises"][:].sum(axis=(1, 2)) * 2
            assert np.allclose(f["summary/crises_total"][:], crises)
            assert np.all(f["timeseries/holding_managed"][:, :17, :] == 0), "managed before 2004-06"
            resolved = f.attrs["scenario_toml"]

        # The stored scenario is a complete recipe: rerunning it gives the same data.
        again_toml = os.path.join(tmp, "resolved.toml")
        with open(again_toml, "w") as f:
            f.write(resolved)
        again = os.path.join(tmp, "again.h5")
        run(pbsim, again_toml, again)
        diff = subprocess.run(["h5diff", "-q", first, again, "/timeseries", "/timeseries"])
        assert diff.returncode == 0, "resolved scenario did not reproduce the run"

        dump = subprocess.run(["h5dump", "-H", first], capture_output=True, text=True)
        assert dump.returncode == 0 and "timeseries" in dump.stdout, "h5dump cannot read the file"

        # Several scenarios in one run: one group each, each identical to its own run.
        policy = os.path.join(tmp, "policy.toml")
        with open(policy, "w") as f:
            f.write('extends = "tiny.toml"\nname = "policy"\n'
                    '[crisis_prevention]\ncoverage = { "2005-01" = 1.0 }\n')
        alone = os.path.join(tmp, "policy.h5")
        run(pbsim, policy, alone)
        both = os.path.join(tmp, "both.h5")
        subprocess.run([pbsim, "run", scenario, policy, "-r", "3", "-s", "3", "--scale", "0.5",
                        "--quiet", "--out", both], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(both, "r") as f:
            assert f.attrs["scenario_names"] == "tiny,policy"
            assert "timeseries" not in f, "a comparison file keeps time series per scenario"
            assert list(f["scenarios"]) == ["tiny", "policy"]
            assert f["scenarios/policy"].attrs["scenario_name"] == "policy"
            assert f["scenarios/tiny/timeseries/crises"].dims[1][0].name == "/dims/month"
            base = f["scenarios/tiny/timeseries/crises"][:]
            lever = f["scenarios/policy/timeseries/crises"][:]
            assert np.array_equal(base[:, :24], lever[:, :24]), "paired runs differ before the policy"
            assert lever[:, 24:].sum() < base[:, 24:].sum(), "crisis prevention did not cut crises"
        for name, single in [("tiny", first), ("policy", alone)]:
            diff = subprocess.run(["h5diff", "-q", single, both, "/timeseries",
                                   f"/scenarios/{name}/timeseries"])
            assert diff.returncode == 0, f"scenario {name} differs from its own run"

        # pbsim compare writes /comparison and a CSV; paired differences match the summaries.
        csv = os.path.join(tmp, "cmp.csv")
        done = subprocess.run([pbsim, "compare", both, "--csv", csv], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "Cost-effectiveness" in done.stdout and "policy" in done.stdout
        with h5py.File(both, "r") as f:
            c = f["comparison"]
            assert c.attrs["baseline"] == "tiny"
            outcome = c["outcome"][:].astype(str)
            k = list(outcome).index("crises_total")
            expect = (f["scenarios/policy/summary/crises_total"][:]
                      - f["scenarios/tiny/summary/crises_total"][:]).mean()
            assert np.isclose(c["mean_difference"][k], expect)
            assert c["ci_low"][k] <= expect <= c["ci_high"][k]
            assert c["cost_effectiveness/scenario"][:].astype(str).tolist() == ["policy"]
            # Cost-effectiveness uses the evaluation window where the file has one (the
            # tiny scenario has no evaluation_start: the window is the whole run).
            assert c.attrs["cost_column"] == "eval_cost_total_discounted"
            summary = f["scenarios/tiny/summary"]
            assert np.allclose(summary["eval_cost_total_discounted"][:],
                               summary["cost_total_discounted"][:])
            d_cost = (f["scenarios/policy/summary/eval_cost_total_discounted"][:]
                      - summary["eval_cost_total_discounted"][:]).mean()
            assert np.isclose(c["cost_effectiveness/incremental_cost"][0], d_cost)
        with open(csv) as f:
            assert f.readline().startswith("scenario,baseline,outcome")
        # --at: uptake at chosen months from the time series; at the last month it is the
        # summary's end-of-run value, which also checks the stored to_national factor.
        with h5py.File(both, "r") as f:
            last = f["dims/month"][-1].decode()
        done = subprocess.run([pbsim, "compare", both, "--csv", csv, "--at", last, "--at",
                               "2003-06"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        label = last.replace("-", "_")
        with h5py.File(both, "r") as f:
            c = f["comparison"]
            outcome = list(c["outcome"][:].astype(str))
            for at, end in ((f"pb_holders_{label}", "pb_holders_end"),
                            (f"uptake_share_{label}", "uptake_share_end")):
                assert np.isclose(c["baseline_mean"][outcome.index(at)],
                                  c["baseline_mean"][outcome.index(end)]), at
                assert np.isclose(c["mean_difference"][outcome.index(at)],
                                  c["mean_difference"][outcome.index(end)]), at
            assert "uptake_share_2003_06" in outcome
        bad = subprocess.run([pbsim, "compare", both, "--at", "2031-01"], capture_output=True,
                             text=True)
        assert bad.returncode == 2 and "--at 2031-01 is not a month of the run" in bad.stderr
        doc = subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(__file__), "..", "..",
                              "analysis", "scenarios_doc.py"), both], capture_output=True, text=True)
        assert doc.returncode == 0 and "| scenario | uptake at end" in doc.stdout, doc.stderr
        for bad in ([pbsim, "compare", both, "--baseline", "nope"], [pbsim, "compare", first],
                    [pbsim, "compare", os.path.join(tmp, "missing.h5")]):
            assert subprocess.run(bad, capture_output=True).returncode == 2, bad
    print("OK")


if __name__ == "__main__":
    main()
