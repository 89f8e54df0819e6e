#!/usr/bin/python3
"""The report as a reader sees it: a real (small) run of three scenarios, then
`pbsim report --screenshot`, then the page opened in headless Chromium.

Checks that the page loads without console errors, that every figure is there
and decoded to a picture, that the screenshot was written, and that the
acceptability curve agrees with `pbsim compare`'s probability cost-effective.
A deliberately broken page must fail the same checks (so they can fail).
Run as: /usr/bin/python3 tests/analysis/report_browser.py build/pbsim
"""
import pathlib
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
import browser  # noqa: E402  (analysis/ is on PYTHONPATH: tests/CMakeLists.txt)
import report  # noqa: E402

FIGURES = ("fig-uptake", "fig-costs", "fig-payers", "fig-events", "fig-ce-plane", "fig-ceac",
           "fig-councils")


def check(condition, message):
    if not condition:
        sys.exit(f"report_browser: FAIL: {message}")


def main(pbsim):
    with tempfile.TemporaryDirectory(prefix="pbsim-report-") as tmp:
        tmp = pathlib.Path(tmp)
        h5, page, shot = tmp / "c.h5", tmp / "report.html", tmp / "report.png"
        scenarios = [ROOT / "scenarios" / f"{n}.toml"
                     for n in ("baseline", "crisis_prevention", "cuts_and_restructuring")]
        res = subprocess.run([pbsim, "run", *map(str, scenarios), "--scale", "0.02", "-r", "3",
                              "--seed", "11", "--threads", "2", "--quiet", "--out", str(h5)],
                             capture_output=True, text=True)
        check(res.returncode == 0, f"pbsim run failed: {res.stderr}")
        res = subprocess.run([pbsim, "report", str(h5), "--out", str(page), "--screenshot",
                              str(shot)], capture_output=True, text=True)
        check(res.returncode == 0, f"pbsim report failed ({res.returncode}): {res.stderr}")
        check(page.is_file() and shot.is_file(), "report or screenshot not written")
        check(shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG")

        result = browser.inspect(page)
        bad = browser.failures(result, FIGURES)
        check(not bad, "the report fails in the browser:\n  " + "\n  ".join(bad))
        ids = [f["id"] for f in result["figures"]]
        check(ids == list(FIGURES), f"figures {ids}, expected {list(FIGURES)}")
        for f in result["figures"]:
            check(all(i["width"] >= 400 and i["height"] >= 200 for i in f["images"]),
                  f"figure {f['id']} is implausibly small: {f['images']}")

        # Who pays: the figure's table by year, the window's table by payer from /comparison,
        # and cost-effectiveness stated from the NHS and PSS perspective.
        html = page.read_text()
        check("<h2 id='payers'>Who pays and who saves</h2>" in html, "no who-pays table")
        check("<h3 id='comparison-payers'>Incremental cost by payer</h3>" in html,
              "no incremental cost by payer in the comparison tables")
        check("<b>NHS and personal social services</b>: columns <code>eval_cost_nhs_pss_discounted"
              in html, "the cost-effectiveness table does not state its perspective")

        # The acceptability curve at 20,000 is compare's probability cost-effective.
        with h5py.File(h5, "r") as f:
            check("comparison" in f, "pbsim report did not run pbsim compare")
            ce = f["comparison/cost_effectiveness"]
            cost = f["comparison"].attrs["cost_column"]
            qalys = f["comparison"].attrs["qalys_column"]
            for i, name in enumerate(s.decode() for s in ce["scenario"][:]):
                base, scen = f["scenarios/baseline/summary"], f[f"scenarios/{name}/summary"]
                p = report.acceptability(scen[cost][:] - base[cost][:],
                                         scen[qalys][:] - base[qalys][:], [20000])[0]
                check(np.isclose(p, ce["p_cost_effective_20000"][i]),
                      f"{name}: CEAC {p} != compare {ce['p_cost_effective_20000'][i]}")

        # One scenario: the comparison figures are explained, not drawn, and the page passes.
        single = tmp / "one.h5"
        res = subprocess.run([pbsim, "run", str(scenarios[0]), "--scale", "0.02", "-r", "2",
                              "--quiet", "--out", str(single)], capture_output=True, text=True)
        check(res.returncode == 0, f"pbsim run failed: {res.stderr}")
        res = subprocess.run([pbsim, "report", str(single), "--out", str(tmp / "one.html"),
                              "--screenshot", str(tmp / "one.png")], capture_output=True, text=True)
        check(res.returncode == 0, f"one-scenario report failed the browser check: {res.stderr}")
        check("Not drawn" in (tmp / "one.html").read_text(), "missing figures not explained")

        # Negative control: a console error, an image that does not decode and
        # a missing figure are all caught.
        broken = tmp / "broken.html"
        broken.write_text("<!DOCTYPE html><html><body><figure id='fig-uptake'>"
                          "<img src='data:image/png;base64,AAAA'></figure>"
                          "<script>console.error('boom')</script></body></html>")
        bad = browser.failures(browser.inspect(broken), FIGURES)
        check(any("boom" in b for b in bad), f"console error not caught: {bad}")
        check(any("did not load" in b for b in bad), f"broken image not caught: {bad}")
        check(any("#fig-ceac is missing" in b for b in bad), f"missing figure not caught: {bad}")
    print("report_browser: OK")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
