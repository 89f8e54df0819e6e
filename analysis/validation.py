#!/usr/bin/python3
"""Write docs/validation.md: the baseline against England's published figures,
its trajectory, and the gap decomposed barrier by barrier.

Usage:
    /usr/bin/python3 analysis/validation.py RUN.h5 --calibration CAL.toml
        [--calibration-output CAL.h5] --out docs/validation.md --figure docs/validation.png

RUN.h5 is one run of the baseline (first) and the counterfactuals of
scenarios/validation/ (each with one barrier removed, and all removed):
    pbsim run scenarios/baseline.toml scenarios/validation/*.toml --out RUN.h5
CAL.toml maps each target row of its targets CSV to a summary column (the
calibration file); CAL.h5, the output of `pbsim calibrate`, adds the fitted
parameters and how far the targets pin each down.

Exit status: 0 if every fitted target is within tolerance and the trajectory
is plausible (DP users grow year on year through the 2000s; PB holders grow
faster after the April 2013 duty to offer than before); 1 otherwise (the
document is still written, with the failures marked); 2 for bad input.
"""
import argparse
import csv
import math
import pathlib
import re
import sys
import tomllib

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import pbsim_files as pf  # noqa: E402  (analysis/, beside this script)
from report import mean_ci  # noqa: E402

strings, text = pf.strings, pf.text

ROOT = pathlib.Path(__file__).resolve().parent.parent


class InputError(Exception):
    """Missing or malformed input."""


def tolerance_interval(tolerance, value):
    """(low, high) accepted for a target, or None for a context row; the same
    forms as the C++ reader (analysis/targets.cpp): 'A to B', '+-X%', '+-X'."""
    t = tolerance.split("(")[0].strip()
    if t == "context":
        return None
    m = re.fullmatch(r"(?:\+-|±)\s*([0-9.eE+-]+)\s*(%?)", t)
    if m:
        half = abs(value) * float(m.group(1)) / 100 if m.group(2) else float(m.group(1))
        return value - half, value + half
    m = re.fullmatch(r"([0-9.eE+-]+)\s+to\s+([0-9.eE+-]+)", t)
    if m:
        return float(m.group(1)), float(m.group(2))
    raise InputError(f"tolerance {tolerance!r} is not understood")


def load_targets(calibration):
    """The [[target]] rows of a calibration file joined with its targets CSV."""
    cal_path = pathlib.Path(calibration)
    if not cal_path.is_file():
        raise InputError(f"{calibration}: no such file")
    cal = tomllib.loads(cal_path.read_text())
    csv_path = cal_path.parent / cal["targets"]
    with open(csv_path, newline="") as f:
        rows = {(r["target"], r["period"]): r for r in csv.DictReader(f)}
    out = []
    for t in cal.get("target", []):
        row = rows.get((t["name"], t["period"]))
        if row is None:
            raise InputError(f"{calibration}: no row {t['name']} {t['period']} in {csv_path}")
        value = float(row["value"])
        out.append({"name": t["name"], "period": t["period"], "output": t["output"],
                    "value": value, "unit": row["unit"], "tolerance": row["tolerance"],
                    "interval": tolerance_interval(row["tolerance"], value),
                    "source": row["source"]})
    # Context shares of other client groups in the CSV that the file does not map:
    # they are compared with the model's share of the same period.
    mapped = {(t["name"], t["period"]) for t in out}
    share_output = next((t["output"] for t in out if t["unit"] == "fraction"), None)
    for (name, period), row in rows.items():
        if (name, period) not in mapped and row["unit"] == "fraction" and share_output and \
                row["tolerance"].strip() == "context" and period == "2011-12":
            out.append({"name": name, "period": period, "output": share_output,
                        "value": float(row["value"]), "unit": "fraction",
                        "tolerance": "context", "interval": None, "source": row["source"]})
    return cal, out


def load_run(path):
    """Scenarios of a run file: name -> {summary, national series, description}."""
    with pf.open_file(path, kind="run") as f:
        if "scenarios" not in f:
            raise InputError(f"{path}: not a run of several scenarios (no /scenarios)")
        attrs = pf.attrs(f)
        simulated = float(pf.dataset(f["local_authorities"], "users", ndim=1)[()].sum())
        scenarios = pf.scenarios(f)
        months = pf.months(scenarios[0].timeseries)
        names = [s.name for s in scenarios]
        runs = {}
        for s in scenarios:
            scenario = tomllib.loads(s.attrs["scenario_toml"])
            to_national = scenario["population"]["users"] / simulated
            ts = s.timeseries
            # National [replication, month] series, each dataset read once.
            dp = ts["holding_dp"][()].sum(axis=2)
            pb = dp + ts["holding_managed"][()].sum(axis=2)
            runs[s.name] = {
                "description": scenario.get("description", s.name),
                "summary": dict(s.summary),
                "dp": dp * to_national,
                "pb": pb * to_national,
                "share": pb / ts["population"][()].sum(axis=2),
            }
    return attrs, months, names, runs


def fmt(x, unit=""):
    if not np.isfinite(x):
        return "n/a"
    if unit == "fraction" or abs(x) < 1:
        return f"{x:.3f}"
    return f"{x:,.0f}"


def december(months, year):
    return int(np.flatnonzero(months == np.datetime64(f"{year}-12", "M"))[0])


def check_trajectory(months, base):
    """(lines, ok): DP users grow year on year 2001-2010; PB holders grow
    faster in the two years after April 2013 than in the two years before."""
    lines, ok = [], True
    years = [y for y in range(2001, 2011) if np.datetime64(f"{y}-12", "M") in months]
    dec = [base["dp"][:, december(months, y)].mean() for y in years]
    dips = [(years[i], years[i + 1]) for i in range(len(dec) - 1) if dec[i + 1] < dec[i]]
    grow = not dips
    ok &= grow
    lines.append(f"| DP users grow every year, 2001-2010 (December, national) | "
                 f"{' → '.join(f'{v:,.0f}' for v in dec)} | {'yes' if grow else 'NO: falls ' + str(dips)} |")
    i = {m: int(np.flatnonzero(months == np.datetime64(m, "M"))[0])
         for m in ("2011-03", "2013-03", "2015-03")}
    before = (base["pb"][:, i["2013-03"]] - base["pb"][:, i["2011-03"]]).mean() / 24
    after = (base["pb"][:, i["2015-03"]] - base["pb"][:, i["2013-03"]]).mean() / 24
    faster = after > before
    ok &= faster
    lines.append(f"| PB holders grow faster after the April 2013 duty to offer | "
                 f"{before:,.0f} a month in 2011-13 → {after:,.0f} a month in 2013-15 | "
                 f"{'yes' if faster else 'NO'} |")
    return lines, ok


def figure(months, runs, names, targets, path):
    base = runs[names[0]]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 4.8))
    for key, label, colour in (("dp", "direct payments", "tab:blue"),
                               ("pb", "all personal budgets (DP or managed)", "tab:green")):
        m, lo, hi = mean_ci(base[key])
        a1.fill_between(months, np.maximum(lo, 1), hi, color=colour, alpha=0.25, linewidth=0)
        a1.plot(months, np.maximum(m, 1), color=colour, label=f"model: {label}")
    for t in targets:
        if t["unit"] == "people" and t["interval"]:
            x = np.datetime64(f"{t['period'][:4]}-12", "M")
            lo, hi = t["interval"]
            a1.errorbar(x, t["value"], yerr=[[t["value"] - lo], [hi - t["value"]]], fmt="o",
                        color="black", capsize=4, label="published (tolerance)"
                        if t is next(u for u in targets if u["unit"] == "people") else None)
    a1.set_yscale("log")
    a1.set(title="Mental-health DP and PB holders, England", xlabel="Month",
           ylabel="People holding (national, log scale)")
    a1.grid(alpha=0.3, which="both")
    a1.legend(fontsize="small", loc="lower right")
    for n, style in ((names[0], "-"), ("no_barriers", "--")):
        if n not in runs:
            continue
        m, lo, hi = mean_ci(100 * runs[n]["share"])
        a2.fill_between(months, lo, hi, color="tab:green", alpha=0.25, linewidth=0)
        a2.plot(months, m, "tab:green", ls=style,
                label="model baseline" if n == names[0] else "model, every barrier removed")
    markers = iter("sD^v")
    for t in targets:
        if t["unit"] == "fraction":
            x = np.datetime64("2012-03", "M")
            if t["interval"]:
                lo, hi = t["interval"]
                a2.errorbar(x, 100 * t["value"], yerr=[[100 * (t["value"] - lo)],
                                                       [100 * (hi - t["value"])]],
                            fmt="o", color="black", capsize=4, label="mental health, published")
            else:
                group = t["name"].split("_")[0]
                label = {"ld": "learning disability", "pd": "physical disability",
                         "older": "older people"}.get(group, group)
                a2.plot(x, 100 * t["value"], next(markers), color="0.4", label=f"{label} (context)")
    a2.set(title="Share of eligible users holding a PB", xlabel="Month",
           ylabel="Holding a PB (% of eligible users)")
    a2.grid(alpha=0.3)
    a2.legend(fontsize="small", loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def calibration_section(path, baseline_toml):
    """The fitted parameters: prior, posterior, value in the baseline, contraction."""
    if not path or not pathlib.Path(path).is_file():
        return [f"The calibration output ({path or 'not given'}) is missing; run `pbsim calibrate "
                "scenarios/calibration/baseline.toml` and pass `--calibration-output`."]
    with pf.open_file(path, kind="calibration") as f:
        names = strings(f["parameters/parameter"])
        lo, hi = f["parameters/prior_low"][()], f["parameters/prior_high"][()]
        post = {k: f[f"posterior/{k}"][()] for k in ("median", "low", "high", "contraction",
                                                       "best_theta")}
        attrs = pf.attrs(f)
        gens = sorted(f["generations"])
        last = f["generations"][gens[-1]]
        theta, outputs = last["theta"][()], last["outputs"][()]
        target_names = [f"{n} {p}" for n, p in zip(strings(f["targets/name"]),
                                                     strings(f["targets/period"]))]
        fitted = f["targets/fitted"][()]
    scenario = tomllib.loads(pathlib.Path(baseline_toml).read_text())
    lines = [f"Fitted by `{attrs.get('command_line', 'pbsim calibrate')}` ({attrs.get('method')}, "
             f"{attrs.get('particles')} particles, {len(gens)} generations, "
             f"{attrs.get('replications')} replications per parameter set at scale "
             f"{attrs.get('scale')}, seed {attrs.get('seed')}; {attrs.get('evaluations')} "
             f"parameter sets simulated; pbsim {attrs.get('pbsim_version')} "
             f"({attrs.get('source_revision')}); stop: {attrs.get('stop_reason')}). "
             "The baseline carries the best particle (the one closest to the targets).", "",
             "| parameter | prior | posterior median [95%] | in `baseline.toml` | contraction |",
             "|---|---|---|---|---|"]
    order = np.argsort(-post["contraction"])
    for k in order:
        group, key = names[k].split(".", 1)
        value = scenario.get(group, {}).get(key, "default")
        lines.append(f"| `{names[k]}` | {lo[k]:.4g} to {hi[k]:.4g} | {post['median'][k]:.4g} "
                     f"[{post['low'][k]:.4g}, {post['high'][k]:.4g}] | {value} | "
                     f"{post['contraction'][k]:.2f} |")
    lines += ["", "**Sensitivity.** Contraction is 1 − posterior variance / prior variance: near 1 "
              "the targets pin the parameter down, near 0 they say little about it. Rows are "
              "ranked by it. The correlations below (accepted particles of the last generation) "
              "show which parameter moves which target; a strong pair of opposite-signed "
              "parameters marks a ridge, where the data fix a combination rather than each.", ""]
    header = "| parameter | " + " | ".join(t for t, fit in zip(target_names, fitted) if fit) + " |"
    lines += [header, "|---|" + "---|" * int(sum(fitted))]
    for k in order:
        cells = []
        for j, fit in enumerate(fitted):
            if fit:
                x, y = theta[:, k], outputs[:, j]
                r = np.corrcoef(x, y)[0, 1] if x.std() > 0 and y.std() > 0 else float("nan")
                cells.append(f"{r:+.2f}")
        lines.append(f"| `{names[k]}` | " + " | ".join(cells) + " |")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", help="run of the baseline and scenarios/validation/*.toml")
    ap.add_argument("--calibration", required=True, help="calibration file (target mapping)")
    ap.add_argument("--calibration-output", help="HDF5 output of pbsim calibrate")
    ap.add_argument("--out", required=True, help="markdown file to write")
    ap.add_argument("--figure", required=True, help="PNG to write (linked from the markdown)")
    args = ap.parse_args(argv)
    try:
        cal, targets = load_targets(args.calibration)
        attrs, months, names, runs = load_run(args.run)
    except (InputError, pf.InputError, OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        print(f"validation.py: error: {exc}", file=sys.stderr)
        return 2
    base = runs[names[0]]
    failures = []

    lines = ["# Validation of the baseline", "",
             "<!-- Generated by `analysis/validation.py` from a fresh run; do not edit. -->", "",
             f"From `{pathlib.Path(args.run).name}`: pbsim {attrs.get('pbsim_version')} "
             f"({attrs.get('source_revision')}), seed {attrs.get('seed')}, "
             f"{attrs.get('replications')} replications at scale {attrs.get('scale')}, created "
             f"{attrs.get('created_utc')}. Reproduce with `./run.sh` (which runs "
             f"`pbsim run scenarios/baseline.toml scenarios/validation/*.toml` and this script). "
             "Intervals are 95% t intervals of the mean over replications.", "",
             "## Targets", "",
             "| target | period | published | accepted | model mean [95% CI] | within tolerance |",
             "|---|---|---|---|---|---|"]
    for t in targets:
        col = base["summary"].get(t["output"])
        if col is None:
            print(f"validation.py: error: {args.run}: no summary column {t['output']}",
                  file=sys.stderr)
            return 2
        m, lo, hi = mean_ci(col)
        if t["interval"]:
            a, b = t["interval"]
            ok = a <= m <= b
            if not ok:
                failures.append(f"{t['name']} {t['period']}: model {fmt(m, t['unit'])} outside "
                                f"{fmt(a, t['unit'])} to {fmt(b, t['unit'])}")
            verdict, accepted = ("yes" if ok else "**NO**"), f"{fmt(a, t['unit'])} to {fmt(b, t['unit'])}"
        else:
            verdict, accepted = "context (not fitted)", "–"
        lines.append(f"| `{t['name']}` | {t['period']} | {fmt(t['value'], t['unit'])} | {accepted} | "
                     f"{fmt(m, t['unit'])} [{fmt(lo, t['unit'])}, {fmt(hi, t['unit'])}] "
                     f"(`{t['output']}`) | {verdict} |")
    lines += ["", "Counts are national (scaled up from the simulated sample). The 2011-12 share "
              "is read at the end of the financial year (March 2012).", "",
              "## Trajectory", "", "| check | model | plausible |", "|---|---|---|"]
    try:
        traj, ok = check_trajectory(months, base)
    except IndexError:
        print(f"validation.py: error: {args.run} does not cover 2001-01 to 2015-03, which the "
              "trajectory checks need", file=sys.stderr)
        return 2
    lines += traj
    if not ok:
        failures.append("implausible trajectory (see the table)")
    fig_path = pathlib.Path(args.figure)
    figure(months, runs, names, targets, fig_path)
    lines += ["", f"![Mental-health DP and PB holders 2001-2020 with the published figures]({fig_path.name})",
              "", "*Left: national DP and PB holders (mean and 95% interval over replications) with "
              "the published counts and their tolerances. Right: the share of eligible users "
              "holding a PB, with the mental-health target and, for contrast, other client "
              "groups in 2011-12; the dashed line is the model with every barrier removed.*", ""]

    # The gap, barrier by barrier.
    share_col, late_col = "uptake_share_2012_03", "uptake_share_2014_12"
    b12 = base["summary"][share_col]
    context = [t["value"] for t in targets if t["unit"] == "fraction" and not t["interval"]]
    others = float(np.mean(context)) if context else float("nan")
    lines += ["## Mechanism: the gap decomposed", "",
              "Each counterfactual removes one barrier from 2001 and keeps everything else, with "
              "the same random numbers as the baseline (paired replications). The gap is "
              f"between the baseline's 2011-12 share ({b12.mean():.3f}) and the mean of the "
              f"other client groups ({others:.3f}; "
              + ", ".join(f"{t['name'].split('_')[0]} {t['value']:.3f}"
                          for t in targets if t["unit"] == "fraction" and not t["interval"])
              + ").", "",
              "| counterfactual | what changes | share 2011-12 [95% CI] | difference [95% CI] | "
              "share of the gap | share 2014-12 |", "|---|---|---|---|---|---|"]
    singles = 0.0
    for n in names[1:]:
        r = runs[n]
        s = r["summary"][share_col]
        m, lo, hi = mean_ci(s)
        d, dlo, dhi = mean_ci(s - b12)
        if n != "no_barriers":
            singles += d
        gap = (others - b12.mean())
        lines.append(f"| `{n}` | {r['description'].removeprefix('Counterfactual: ')} | {m:.3f} "
                     f"[{lo:.3f}, {hi:.3f}] | {d:+.3f} [{dlo:+.3f}, {dhi:+.3f}] | "
                     f"{100 * d / gap:.0f}% | {r['summary'][late_col].mean():.3f} |")
    if "no_barriers" in runs:
        together = (runs["no_barriers"]["summary"][share_col] - b12).mean()
        all_removed = runs["no_barriers"]["summary"][share_col].mean()
        lines += ["", f"Removed one at a time the barriers add {singles:+.3f} to the 2011-12 share; "
                  f"removed together, {together:+.3f}: they "
                  + ("reinforce each other (a user must hear of budgets, ask, and be approved, "
                     "so lifting one barrier helps more when the others are gone too)."
                     if together > singles else "overlap.")
                  + f" With every barrier removed the share is {all_removed:.3f}, against "
                  f"{min(context):.3f}-{max(context):.3f} for other client groups: "
                  + ("it reaches their range, so the modelled mechanisms, not a fitted "
                     "constant, account for the low uptake in mental health."
                     if all_removed >= min(context) else
                     f"the modelled mechanisms close {100 * together / (others - b12.mean()):.0f}% "
                     "of the gap to their mean; the rest is left to differences the model does "
                     "not represent (for example what other groups' budgets buy, and their "
                     "longer history of direct payments).")]
    lines += ["", "## Calibration", ""] + calibration_section(args.calibration_output,
                                                               ROOT / "scenarios" / "baseline.toml")
    if failures:
        lines += ["", "## Failures", ""] + [f"- {x}" for x in failures]
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for x in failures:
        print(f"validation.py: FAIL: {x}", file=sys.stderr)
    print(f"validation.py: wrote {out} and {fig_path}"
          + (f"; {len(failures)} failure(s)" if failures else "; every target within tolerance"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
