#!/usr/bin/python3
"""analysis/posterior_draws.py: draws are joint particles in proportion to their weights, each
written as a valid scenario that sets exactly the particle's values (a timeline point in place,
the rest of the timeline as the baseline's); bad input exits 2; the posterior file is unchanged.
Run as: /usr/bin/python3 tests/analysis/posterior_draws_check.py build/pbsim
"""
import hashlib
import pathlib
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
import posterior_draws  # noqa: E402  (analysis/ is on PYTHONPATH: tests/CMakeLists.txt)

SCRIPT = ROOT / "analysis" / "posterior_draws.py"


def check(condition, message):
    if not condition:
        sys.exit(f"posterior_draws_check: FAIL: {message}")


def main(pbsim):
    # Systematic resampling: every particle drawn floor(n w) or ceil(n w) times.
    w = np.array([0.5, 0.25, 0.125, 0.0625, 0.0625])
    for seed in range(20):
        counts = np.bincount(posterior_draws.systematic(w, 64, seed), minlength=len(w))
        check(np.all(np.abs(counts - 64 * w) < 1 + 1e-9), f"systematic counts {counts}")
    check(abs(posterior_draws.effective_sample_size(np.full(10, 0.1)) - 10) < 1e-9, "ESS")

    with tempfile.TemporaryDirectory(prefix="pbsim-draws-") as tmp:
        tmp = pathlib.Path(tmp)
        base = tmp / "base.toml"
        base.write_text('start = "2001-01"\nend = "2004-12"\n[population]\nusers = 3000\n'
                        "councils = 10\n[policy]\n"
                        'active_offer = { "2001-01" = 0, "2002-01" = 0, '
                        '"2003-06" = { ramp = 0.3 }, "2004-01" = 0.6 }\n')
        targets = tmp / "targets.csv"
        targets.write_text("target,period,value,unit,tolerance,kind,source\n"
                           "dp,2001,100,people,+-50%,count,test\n")
        cal = tmp / "cal.toml"
        cal.write_text('scenario = "base.toml"\ntargets = "targets.csv"\nend = "2002-12"\n'
                       "seed = 3\nscale = 1\nreplications = 1\nparticles = 6\ngenerations = 2\n"
                       '[parameters]\n"request.base_rate" = [0.001, 0.05]\n'
                       '"policy.active_offer@2003-06" = [0.1, 0.9]\n'
                       '[[target]]\nname = "dp"\nperiod = "2001"\noutput = "dp_holders_2001_12"\n')
        out = tmp / "cal.h5"
        res = subprocess.run([pbsim, "calibrate", str(cal), "-q", "--out", str(out)],
                             capture_output=True, text=True)
        check(res.returncode == 0, f"pbsim calibrate failed: {res.stderr}")
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        draws = tmp / "draws"
        res = subprocess.run(["/usr/bin/python3", str(SCRIPT), str(out), "--baseline", str(base),
                              "--draws", "12", "--seed", "5", "--out-dir", str(draws)],
                             capture_output=True, text=True)
        check(res.returncode == 0, f"posterior_draws.py failed: {res.stderr}")
        check(hashlib.sha256(out.read_bytes()).hexdigest() == digest, "posterior file changed")
        files = sorted(draws.glob("draw_*.toml"))
        check(len(files) == 12, f"{len(files)} draw files")
        with h5py.File(out) as f:
            last = f["generations"][sorted(f["generations"])[-1]]
            theta = last["theta"][()]
            names = [n.decode() if isinstance(n, bytes) else str(n) for n in last["parameter"][()]]
        theta = theta[:, [names.index("request.base_rate"),
                          names.index("policy.active_offer@2003-06")]]
        for path in files:
            res = subprocess.run([pbsim, "validate", str(path), "--print"], capture_output=True,
                                 text=True)
            check(res.returncode == 0, f"{path.name} invalid: {res.stderr}")
            text = res.stdout
            rate = float(text.split("\nbase_rate = ")[1].split()[0])
            offer = text.split("\nactive_offer = ")[1].split("\n")[0]
            point = float(offer.split('"2003-06" = { ramp = ')[1].split()[0])
            # Exactly one particle's values, jointly.
            check(any(np.isclose(rate, t[0], rtol=1e-12) and np.isclose(point, t[1], rtol=1e-12)
                      for t in theta), f"{path.name}: ({rate}, {point}) is no particle")
            check('"2002-01" = 0' in offer and '"2004-01" = 0.6' in offer,
                  f"{path.name}: the rest of the timeline lost: {offer}")

        res = subprocess.run(["/usr/bin/python3", str(SCRIPT), str(tmp / "none.h5"), "--baseline",
                              str(base), "--out-dir", str(draws)], capture_output=True, text=True)
        check(res.returncode == 2 and "no such file" in res.stderr, f"missing file: {res.stderr}")
        res = subprocess.run(["/usr/bin/python3", str(SCRIPT), str(out), "--baseline", str(base),
                              "--draws", "0", "--out-dir", str(draws)], capture_output=True,
                             text=True)
        check(res.returncode == 2 and "--draws 0" in res.stderr, f"bad --draws: {res.stderr}")
    print("posterior_draws_check: OK")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
