#!/usr/bin/python3
"""analysis/report.py's 95% intervals use the exact t quantile.

Checked against closed forms independent of scipy: for 1 degree of freedom
t(0.975) = tan(0.475 pi); for 2, 0.95 / sqrt(2 * 0.975 * 0.025); for many, the
normal quantile. Run as: /usr/bin/python3 tests/analysis/report_t_quantile.py
"""
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "analysis"))
import report  # noqa: E402

cases = {
    1: math.tan(0.475 * math.pi),                 # 12.7062...
    2: 0.95 / math.sqrt(2 * 0.975 * 0.025),       # 4.30265...
    4: 2.7764451051977987,                        # as the C++ t_quantile test
    100000: 1.959963984540054,                    # the normal quantile, nearly
}
for df, expected in cases.items():
    got = report.t975(df)
    tolerance = 1e-4 if df == 100000 else 1e-9
    assert abs(got - expected) < tolerance * expected, f"t975({df}) = {got}, expected {expected}"

# mean_ci of two values a, b: mean (a+b)/2, half width t(0.975, 1) * |a-b| / 2.
mean, lo, hi = report.mean_ci([1.0, 3.0])
assert mean == 2.0
assert abs((hi - lo) / 2 - math.tan(0.475 * math.pi)) < 1e-9, (lo, hi)
mean, lo, hi = report.mean_ci([5.0])
assert mean == lo == hi == 5.0
print("ok: report.t975 and mean_ci")
