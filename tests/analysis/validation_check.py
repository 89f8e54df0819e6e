#!/usr/bin/python3
"""analysis/validation.py passes a baseline that meets its targets and fails
(exit 1, naming the target) one that misses; its tolerance reader agrees with
the C++ one (tests/analysis/test_abc.cpp) on the shipped targets.
Run as: /usr/bin/python3 tests/analysis/validation_check.py build/pbsim
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
import validation  # noqa: E402  (analysis/ is on PYTHONPATH: tests/CMakeLists.txt)

SCRIPT = ROOT / "analysis" / "validation.py"


def check(condition, message):
    if not condition:
        sys.exit(f"validation_check: FAIL: {message}")


def validate(run, calibration, tmp):
    res = subprocess.run(["/usr/bin/python3", str(SCRIPT), str(run), "--calibration",
                          str(calibration), "--out", str(tmp / "v.md"), "--figure",
                          str(tmp / "v.png")], capture_output=True, text=True)
    return res


def main(pbsim):
    # The same intervals as the C++ reader on the shipped file.
    _, targets = validation.load_targets(ROOT / "scenarios" / "calibration" / "baseline.toml")
    intervals = {(t["name"], t["period"]): t["interval"] for t in targets}
    check(intervals[("mh_dp_users_england", "2001")] == (25.0, 200.0), "2001 interval")
    lo, hi = intervals[("mh_dp_users_england", "2008")]
    check(abs(lo - 3373 * 0.8) < 1e-9 and abs(hi - 3373 * 1.2) < 1e-9, "2008 interval")
    lo, hi = intervals[("mh_pb_share_of_eligible_england", "2011-12")]
    check(abs(lo - 0.126) < 1e-12 and abs(hi - 0.166) < 1e-12, "2011-12 interval")
    check(intervals[("ld_pb_share_of_eligible_england", "2011-12")] is None, "context row")

    with tempfile.TemporaryDirectory(prefix="pbsim-validation-") as tmp:
        tmp = pathlib.Path(tmp)
        run = tmp / "v.h5"
        scenarios = [ROOT / "scenarios" / "baseline.toml"] + sorted(
            (ROOT / "scenarios" / "validation").glob("*.toml"))
        res = subprocess.run([pbsim, "run", *map(str, scenarios), "--scale", "0.1", "-r", "3",
                              "--seed", "7", "--quiet", "--out", str(run)],
                             capture_output=True, text=True)
        check(res.returncode == 0, f"pbsim run failed: {res.stderr}")

        # Targets with room to spare: passes, and the document has every section.
        cal_dir = tmp / "cal"
        cal_dir.mkdir()
        shutil.copy(ROOT / "scenarios" / "calibration" / "baseline.toml", cal_dir / "c.toml")
        csv = (ROOT / "scenarios" / "calibration" / "targets.csv").read_text()
        wide = csv.replace('"+-20%"', '"+-60%"').replace('"+-0.02"', '"+-0.1"')
        (cal_dir / "targets.csv").write_text(wide)
        res = validate(run, cal_dir / "c.toml", tmp)
        check(res.returncode == 0, f"expected a pass: {res.stdout}{res.stderr}")
        doc = (tmp / "v.md").read_text()
        for heading in ("## Targets", "## Trajectory", "## Mechanism: the gap decomposed",
                        "no_barriers", "![Mental-health DP and PB holders"):
            check(heading in doc, f"{heading!r} missing from the document")
        check((tmp / "v.png").read_bytes()[:4] == b"\x89PNG", "figure not written")

        # The 2008 count ten times higher: missed, exit 1, named.
        (cal_dir / "targets.csv").write_text(wide.replace(",2008,3373,", ",2008,33730,"))
        res = validate(run, cal_dir / "c.toml", tmp)
        check(res.returncode == 1, f"a missed target must fail: exit {res.returncode}")
        check("mh_dp_users_england 2008" in res.stderr, f"unclear failure: {res.stderr}")
        check("**NO**" in (tmp / "v.md").read_text(), "the miss is not marked in the document")

        res = validate(tmp / "missing.h5", cal_dir / "c.toml", tmp)
        check(res.returncode == 2 and "no such file" in res.stderr, "missing run file")
    print("validation_check: OK")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
