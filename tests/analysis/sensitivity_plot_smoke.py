#!/usr/bin/python3
"""analysis/sensitivity_plot.py draws Sobol and Morris charts of a real sweep
(PNG and HTML fragment) and rejects bad input with status 2.

Usage: sensitivity_plot_smoke.py PBSIM
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PLOT = os.path.join(HERE, "..", "..", "analysis", "sensitivity_plot.py")
BASE = 'name = "tiny"\nstart = "2001-01"\nend = "2014-12"\n[population]\nusers = 2000\ncouncils = 8\n'
PARAMS = ('[parameters]\n"awareness.from_coordinator" = { min = 0.01, max = 0.08 }\n'
          '"coordinator.attitude_mean" = { min = 0.2, max = 0.6 }\n'
          '"population.trust_mean" = { min = 0.3, max = 0.7 }\n')


def run(args, cwd, status=0):
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if p.returncode != status:
        sys.exit(f"FAIL: {' '.join(args)} -> {p.returncode} (expected {status})\n{p.stdout}\n{p.stderr}")
    return p


def main():
    pbsim = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "base.toml"), "w") as f:
            f.write(BASE)
        for design, points in (("sobol", 4), ("morris", 3)):
            with open(os.path.join(d, design + ".toml"), "w") as f:
                f.write(f'base = "base.toml"\ndesign = "{design}"\npoints = {points}\n'
                        f'replications = 1\nseed = 5\nscale = 1\n{PARAMS}')
            out = design + ".h5"
            run([pbsim, "sweep", design + ".toml", "-q", "-t", "2", "-o", out], d)
            # Before any indices are computed the script says what to do.
            p = run(["/usr/bin/python3", PLOT, out, "--out", "x.png"], d, status=2)
            assert "pbsim sensitivity" in p.stderr, p.stderr
            run([pbsim, "sensitivity", out, "--output", "uptake_2014", "--output",
                 "cost_total_discounted", "--bootstrap", "20", "-q"], d)
            run(["/usr/bin/python3", PLOT, out, "--out", design + ".png"], d)
            with open(os.path.join(d, design + ".png"), "rb") as f:
                assert f.read(8) == b"\x89PNG\r\n\x1a\n", "not a PNG"
            run(["/usr/bin/python3", PLOT, out, "--output", "uptake_share_2014_12",
                 "--out", design + ".html"], d)
            with open(os.path.join(d, design + ".html")) as f:
                page = f.read()
            assert page.count("<figure>") == 1 and "data:image/png;base64," in page, page[:200]
            assert "coordinator.attitude_mean" in page  # the ranked table
            # pbsim report on a sweep: a page with one chart per analysed output.
            run([pbsim, "report", out, "--out", design + "-report.html"], d)
            with open(os.path.join(d, design + "-report.html")) as f:
                page = f.read()
            assert page.count("<figure class='figure'><img") == 2, page[:300]
            assert "cost_total_discounted" in page and "Provenance" in page
        p = run(["/usr/bin/python3", PLOT, "sobol.h5", "--output", "happiness", "--out", "y.png"], d, 2)
        assert "happiness" in p.stderr
        p = run(["/usr/bin/python3", PLOT, "missing.h5", "--out", "y.png"], d, 2)
        assert "missing.h5" in p.stderr
    print("OK")


if __name__ == "__main__":
    main()
