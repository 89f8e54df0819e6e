#!/usr/bin/python3
"""End to end: a real pbsim output file read with h5py and h5dump, no pbsim code.

Checks provenance attributes, dimension scales, units, the summary against the
time series, and that the resolved scenario stored in the file reruns to the
identical time series; then pbsim compare, and that it refuses malformed input
(exit 2, naming the dataset) without changing it.  Usage: e2e_output.py PBSIM_BINARY
"""
import hashlib
import os
import shutil
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
                        "seed", "replications", "start_month", "months", "scale", "created_utc",
                        "Conventions", "title", "source", "history", "kind"]:
                assert key in f.attrs, f"root attribute {key} missing"
            assert f.attrs["scenario_name"] == "tiny"
            assert f.attrs["start_month"] == "2003-01" and f.attrs["months"] == 48
            assert f.attrs["seed"] == 3 and f.attrs["replications"] == 3
            assert f.attrs["Conventions"] == "CF-1.8" and f.attrs["kind"] == "run"
            assert "/dims" not in f, "coordinates belong in each data group"
            months = f["timeseries/month_label"].asstr()[()]
            assert months[0] == "2003-01" and months[-1] == "2006-12"
            days = f["timeseries/month"]
            assert days.attrs["units"] == "days since 1970-01-01"
            assert days.attrs["calendar"] == "standard"
            assert np.array_equal(np.datetime64("1970-01-01") + days[()].astype("timedelta64[D]"),
                                  np.array(months, dtype="datetime64[M]").astype("datetime64[D]"))
            pop = f["timeseries/population"]
            assert pop.shape == (3, 48, 12), pop.shape
            assert pop.attrs["units"] == "1" and pop.attrs["long_name"] == "Active service users"
            assert pop.dims[0][0].name == "/timeseries/replication", "replication scale not attached"
            assert pop.dims[1][0].name == "/timeseries/month", "month scale not attached"
            assert pop.dims[2][0].name == "/timeseries/local_authority"
            assert f["summary/crises_total"].dims[0][0].name == "/summary/replication"
            codes = f["local_authorities/local_authority"]
            assert h5py.check_string_dtype(codes.dtype).length is None, "codes are not variable-length"
            assert codes.asstr()[0] == "LA001"
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
            assert f["scenarios/tiny/timeseries/crises"].dims[1][0].name == \
                "/scenarios/tiny/timeseries/month"
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
            outcome = c["outcome"].asstr()[()]
            k = list(outcome).index("crises_total")
            expect = (f["scenarios/policy/summary/crises_total"][:]
                      - f["scenarios/tiny/summary/crises_total"][:]).mean()
            assert np.isclose(c["mean_difference"][k], expect)
            assert c["ci_low"][k] <= expect <= c["ci_high"][k]
            assert c["cost_effectiveness/scenario"].asstr()[()].tolist() == ["policy"]
            assert c["cost_effectiveness/icer"].attrs["units"] == "GBP/QALY"
            assert c["cost_effectiveness/incremental_qalys"].attrs["units"] == "QALY"
            # Cost-effectiveness uses the evaluation window where the file has one (the
            # tiny scenario has no evaluation_start: the window is the whole run), from the
            # NICE reference case perspective (NHS and PSS: the person's charges left out).
            assert c.attrs["cost_column"] == "eval_cost_nhs_pss_discounted"
            assert c.attrs["cost_perspective"] == "NHS and personal social services"
            summary = f["scenarios/tiny/summary"]
            assert np.allclose(summary["eval_cost_total_discounted"][:],
                               summary["cost_total_discounted"][:])
            d_cost = (f["scenarios/policy/summary/eval_cost_nhs_pss_discounted"][:]
                      - summary["eval_cost_nhs_pss_discounted"][:]).mean()
            assert np.isclose(c["cost_effectiveness/incremental_cost"][0], d_cost)
        with open(csv) as f:
            assert f.readline().startswith("scenario,baseline,outcome")
        # --at: uptake at chosen months from the time series; at the last month it is the
        # summary's end-of-run value, which also checks the stored to_national factor.
        with h5py.File(both, "r") as f:
            last = f["scenarios/tiny/timeseries/month_label"].asstr()[-1]
        done = subprocess.run([pbsim, "compare", both, "--csv", csv, "--at", last, "--at",
                               "2003-06"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        label = last.replace("-", "_")
        with h5py.File(both, "r") as f:
            c = f["comparison"]
            outcome = list(c["outcome"].asstr()[()])
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

        # --out writes a new file and leaves the input alone.
        digest = hashlib.sha256(open(both, "rb").read()).hexdigest()
        other = os.path.join(tmp, "other.h5")
        done = subprocess.run([pbsim, "compare", both, "--out", other, "-q"], capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
        assert hashlib.sha256(open(both, "rb").read()).hexdigest() == digest, "--out changed the input"
        assert os.path.exists(os.path.join(tmp, "other-comparison.csv"))
        with h5py.File(other, "r") as f:
            assert "comparison" in f and f["comparison"].attrs["baseline"] == "tiny"

        # Malformed input: exit 2 naming the problem, the file never created or changed.
        def refused(path, *words):
            before = open(path, "rb").read() if os.path.isfile(path) else None
            done = subprocess.run([pbsim, "compare", path, "-q"], capture_output=True, text=True)
            assert done.returncode == 2, (path, done.returncode, done.stderr)
            for w in words:
                assert w in done.stderr, (w, done.stderr)
            if before is not None:
                assert open(path, "rb").read() == before, f"compare changed {path}"
            assert not [n for n in os.listdir(tmp) if ".partial-" in n], "temporary left behind"
        empty = os.path.join(tmp, "empty.h5")
        open(empty, "wb").close()
        refused(empty, "empty.h5", "empty (0 bytes)")
        assert os.path.getsize(empty) == 0
        folder = os.path.join(tmp, "folder.h5")
        os.mkdir(folder)
        refused(folder, "is a folder")
        mismatch = os.path.join(tmp, "mismatch.h5")
        shutil.copy(both, mismatch)
        with h5py.File(mismatch, "a") as f:
            g = f["scenarios/policy/summary"]
            del g["crises_total"]
            g["crises_total"] = np.zeros(2)  # 2 values, 3 replications
        refused(mismatch, "/scenarios/policy/summary/crises_total", "[2]", "expected [3]")
        nosummary = os.path.join(tmp, "nosummary.h5")
        shutil.copy(both, nosummary)
        with h5py.File(nosummary, "a") as f:
            del f["scenarios/policy/summary"]
        refused(nosummary, "/scenarios/policy/summary")
        text = os.path.join(tmp, "text.h5")
        shutil.copy(both, text)
        with h5py.File(text, "a") as f:
            g = f["scenarios/tiny/summary"]
            del g["crises_total"]
            g["crises_total"] = np.array(["a", "b", "c"], dtype=object)
        refused(text, "/scenarios/tiny/summary/crises_total", "not numeric")
        sweep_like = os.path.join(tmp, "sweep_like.h5")
        shutil.copy(both, sweep_like)
        with h5py.File(sweep_like, "a") as f:
            f.attrs["kind"] = "sweep"
        refused(sweep_like, "pbsim sweep file, not a run")
    print("OK")


if __name__ == "__main__":
    main()
