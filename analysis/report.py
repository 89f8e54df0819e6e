#!/usr/bin/python3
"""Write a self-contained HTML report comparing pbsim scenarios.

Usage:
    /usr/bin/python3 analysis/report.py FILE.h5 [MORE.h5 ...] --out report.html

The first scenario is the baseline: every other is compared with it, paired by
replication (common random numbers make replication r of each a pair). A file
of several scenarios (`pbsim run a.toml b.toml ...`) holds them under
/scenarios/<name>; single-scenario files can be given one after another.
When the first file holds /comparison (written by `pbsim compare`), its paired
differences, ICERs and net monetary benefits fill the comparison tables; the
figures are drawn from the per-replication summaries and time series.

Every figure has axis labels with units and a one-line reading drawn from the
data. Images are embedded PNG (base64), so the page needs nothing else.

Conventions: time-series counts are raw, as simulated; national counts are raw
x national users (population.users in the stored scenario) / simulated users
(the sum of /local_authorities/users); /summary columns are already national.
Intervals are 95% t intervals of the mean over replications (scipy.stats.t).
Exit status: 0 on success, 2 if an input is missing or not a pbsim output.
"""
import argparse
import base64
import html
import io
import math
import pathlib
import sys
import tomllib

import matplotlib
import numpy as np
from scipy.stats import t as student_t

import pbsim_files as pf

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402  (after choosing the backend)
import matplotlib.pyplot as plt  # noqa: E402

UPTAKE_METRICS = ("population", "holding_dp", "holding_managed")
PROVENANCE = ("seed", "replications", "start_month", "months", "scale",
              "pbsim_version", "source_revision", "created_utc")
THRESHOLDS = (20000, 30000)  # GBP per QALY (NICE)
# Who pays: the time series of each payer's costs, and the summary columns by
# payer (cost_<key>_discounted) with their labels.
PAYER_SERIES = {"NHS": "cost_nhs", "council": "cost_council", "person": "cost_person"}
PAYER_COLUMNS = (("nhs", "NHS"), ("council", "Council"), ("person", "Person"),
                 ("nhs_pss", "NHS + PSS"), ("total", "All payers"))
PERSPECTIVE = "NHS and personal social services (NICE reference case)"
PRICES = "GBP, 2012-13 prices"


class InputError(Exception):
    """An input file is missing or is not a pbsim output."""


# --- statistics ------------------------------------------------------------

def t975(df):
    """The 97.5% quantile of Student's t with df degrees of freedom."""
    return float(student_t.ppf(0.975, df))


def mean_ci(x, axis=0):
    """Mean over `axis` with its 95% t interval (the mean itself for one value)."""
    x = np.asarray(x, dtype=float)
    n = x.shape[axis]
    mean = x.mean(axis=axis)
    if n < 2:
        return mean, mean, mean
    half = t975(n - 1) * x.std(axis=axis, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def acceptability(d_cost, d_qalys, thresholds):
    """Share of replications with positive net monetary benefit at each threshold."""
    d_cost, d_qalys = np.asarray(d_cost, float), np.asarray(d_qalys, float)
    return np.array([np.mean(t * d_qalys - d_cost > 0) for t in thresholds])


# --- reading ---------------------------------------------------------------

text, strings = pf.text, pf.strings


def load(path):
    """Read what the report needs from one pbsim run file: (scenarios,
    comparison or None, councils or None). Scenarios are dicts, one per
    scenario (the root of a single-scenario file, or each /scenarios group).
    The file is checked first (pbsim_files): kind, groups, shapes and
    replication counts; it is only ever read."""
    try:
        f = pf.open_file(path, kind="run")
    except pf.InputError as exc:
        raise InputError(str(exc)) from None
    with f:
        try:
            councils = pf.councils(f)
            simulated = float(councils["users"].sum()) if councils and "users" in councils else None
            runs = [load_scenario(s, simulated) for s in pf.scenarios(f)]
        except pf.InputError as exc:
            raise InputError(str(exc)) from None
        comparison = load_comparison(f["comparison"]) if "comparison" in f else None
        return runs, comparison, councils


def load_scenario(s, simulated):
    """One scenario: national uptake series, per-council holders and population
    (for the league table), and the per-replication summary."""
    attrs = s.attrs
    scenario = {}
    try:
        scenario = tomllib.loads(attrs["scenario_toml"])
    except (KeyError, tomllib.TOMLDecodeError, TypeError):
        pass
    to_national = 1.0 / float(attrs.get("scale", 1.0) or 1.0)
    national_users = scenario.get("population", {}).get("users")
    if national_users and simulated:
        to_national = national_users / simulated
    ts = s.timeseries
    months = pf.months(ts)
    population = ts["population"][()]
    holders = ts["holding_dp"][()] + ts["holding_managed"][()]
    summary = {k: np.asarray(v, dtype=float).reshape(-1) for k, v in s.summary.items()}
    evaluation_start = scenario.get("evaluation_start", str(months[0]))
    years, payers = payer_years(ts, months, np.datetime64(evaluation_start, "M"), to_national)
    return {"path": s.path, "name": s.name,
            "attrs": attrs, "to_national": to_national, "months": months,
            "population": population.sum(axis=2), "holders": holders.sum(axis=2),
            "council_share_end": np.divide(holders[:, -1, :], population[:, -1, :],
                                           out=np.zeros(population.shape[::2]),
                                           where=population[:, -1, :] > 0),
            "summary": summary, "units": dict(s.units),
            "evaluation_start": np.datetime64(evaluation_start, "M"),
            "years": years, "payers": payers,
            "discount_rate": float(scenario.get("outcome", {}).get("discount_rate", 0.035))}


def payer_years(ts, months, start, to_national):
    """Undiscounted national cost by payer and calendar year, from the policy year
    (that of the evaluation start) to the end: (years, {payer: [replication, year]}),
    or ([], {}) for a file without the payer series. Summed over councils and the
    year's months, then scaled to national as the summary is."""
    if not all(v in ts for v in PAYER_SERIES.values()):
        return [], {}
    year_of = months.astype("datetime64[Y]").astype(int) + 1970
    years = [y for y in range(int(start.astype("datetime64[Y]").astype(int)) + 1970,
                              int(year_of[-1]) + 1)]
    payers = {}
    for payer, name in PAYER_SERIES.items():
        by_month = pf.dataset(ts, name, ndim=3)[()].sum(axis=2) * to_national  # [R, M]
        payers[payer] = np.stack([by_month[:, year_of == y].sum(axis=1) for y in years], axis=1)
    return years, payers


def load_comparison(c):
    """The /comparison group: rows keyed by (scenario, outcome), and the
    cost-effectiveness columns keyed by scenario."""
    scen, outc = strings(c["scenario"]), strings(c["outcome"])
    cols = {k: c[k][()] for k in ("baseline_mean", "scenario_mean", "mean_difference",
                                  "ci_low", "ci_high", "n") if k in c}
    rows = {(s, o): {k: float(v[i]) for k, v in cols.items()} for i, (s, o) in
            enumerate(zip(scen, outc))}
    ce = {}
    if "cost_effectiveness" in c:
        g = c["cost_effectiveness"]
        names = strings(g["scenario"])
        columns, _ = pf.table(g)
        for k, v in columns.items():
            for i, s in enumerate(names):
                ce.setdefault(s, {})[k] = float(v[i])
    return {"rows": rows, "ce": ce, "attrs": pf.attrs(c)}


# --- figures ---------------------------------------------------------------

def png(fig):
    """Render a figure to an <img> tag with an embedded base64 PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def month_axis(ax):
    """Compact, non-overlapping date ticks on the x axis."""
    locator = mdates.AutoDateLocator(maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(alpha=0.3)


def colour(i):
    """The baseline (first) scenario in black; the others in distinct colours."""
    return "black" if i == 0 else plt.get_cmap("tab10")((i - 1) % 10)


def column(run, name):
    """A summary column of a run, or None."""
    return run["summary"].get(name)


def window_name(runs, name):
    """The evaluation-window column (eval_<name>) where the file has one, else
    the whole-run column; with a label for captions."""
    base = runs[0]
    if f"eval_{name}" in base["summary"]:
        start = str(base["evaluation_start"])
        return f"eval_{name}", f"{start} to {str(base['months'][-1])}"
    whole = {"crises": "crises_total", "admissions": "admissions_total",
             "bed_days": "bed_days_total"}.get(name, name)
    return whole, f"{str(base['months'][0])} to {str(base['months'][-1])}"


def paired(runs, i, name):
    """Per-replication differences of a summary column, scenario i - baseline."""
    a, b = column(runs[0], name), column(runs[i], name)
    if a is None or b is None:
        return None
    n = min(a.size, b.size)
    return b[:n] - a[:n]


def fig_uptake(runs):
    """National PB uptake over time: one panel per policy, baseline in each."""
    policies = runs[1:] or runs[:1]
    cols = min(3, len(policies))
    rows = math.ceil(len(policies) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.9 * rows), sharex=True,
                             sharey=True, squeeze=False)
    base = runs[0]

    def share(run):
        return 100.0 * np.divide(run["holders"], run["population"],
                                 out=np.zeros(run["holders"].shape), where=run["population"] > 0)

    base_mean, base_lo, base_hi = mean_ci(share(base))
    for k, ax in enumerate(axes.flat):
        if k >= len(policies):
            ax.set_visible(False)
            continue
        run, i = policies[k], k + 1 if len(runs) > 1 else 0
        ax.fill_between(base["months"], base_lo, base_hi, color="0.6", alpha=0.3, linewidth=0)
        ax.plot(base["months"], base_mean, color="black", lw=1.2, label=base["label"])
        if run is not base:
            mean, lo, hi = mean_ci(share(run))
            ax.fill_between(run["months"], lo, hi, color=colour(i), alpha=0.3, linewidth=0)
            ax.plot(run["months"], mean, color=colour(i), lw=1.5, label=run["label"])
            ax.axvline(base["evaluation_start"], color="0.5", lw=0.8, ls=":")
        ax.set_title(run["label"], fontsize="medium")
        ax.legend(fontsize="x-small", loc="upper left")
        month_axis(ax)
        if k % cols == 0:
            ax.set_ylabel("Holding a PB (% of users)")
        if k // cols == rows - 1:
            ax.set_xlabel("Month")
    fig.suptitle("National personal budget uptake (mean, 95% interval over replications)")
    fig.tight_layout()
    ends = [(mean_ci(share(r)[:, -1])[0], r["label"]) for r in runs]
    best = max(ends[1:] or ends)
    reading = (f"At {base['months'][-1]}, {ends[0][0]:.1f}% of users hold a PB in the baseline; "
               f"the highest is {best[1]} at {best[0]:.1f}%.")
    return png(fig), reading


def cost_categories(runs, prefix, suffix):
    """Cost category columns prefix + cost_<category> + suffix, in file order,
    without the all-costs total and those that are zero in every scenario."""
    # The total and the payer columns are the same money again, not categories.
    not_categories = ({f"{prefix}cost_{k}{suffix}" for k, _ in PAYER_COLUMNS}
                      | {f"{prefix}cost_total"})
    cats = [c for c in runs[0]["summary"] if c.startswith(f"{prefix}cost_") and c.endswith(suffix)
            and c not in not_categories and not c[len(prefix):].startswith("eval_")]
    if not prefix:
        cats = [c for c in cats if not c.startswith("eval_")]
    return [c for c in cats if any(np.any(column(r, c) != 0) for r in runs if c in r["summary"])]


def fig_costs(runs):
    """Costs by category over the evaluation window: stacked totals per scenario,
    and the paired difference from the baseline by category."""
    name, window = window_name(runs, "cost_total_discounted")
    prefix = "eval_" if name.startswith("eval_") else ""
    cats = cost_categories(runs, prefix, "_discounted")
    if not cats:
        cats = cost_categories(runs, "", "_total")
    label = {c: c[len(prefix) + len("cost_"):].rsplit("_", 1)[0].replace("_", " ") for c in cats}
    cmap = plt.get_cmap("tab20")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5.2), sharey=True)
    y = np.arange(len(runs))[::-1]
    left = np.zeros(len(runs))
    for k, c in enumerate(cats):
        vals = np.array([column(r, c).mean() if c in r["summary"] else 0.0 for r in runs]) / 1e6
        ax1.barh(y, vals, left=left, color=cmap(k % 20), label=label[c])
        left += vals
    ax1.set_yticks(y, [r["label"] for r in runs])
    ax1.set(title=f"Cost by category, {window}", xlabel=f"Cost ({PRICES}, millions, discounted)")
    ax1.grid(axis="x", alpha=0.3)
    # Differences: positive categories stack right, negative left.
    pos, neg = np.zeros(len(runs)), np.zeros(len(runs))
    for k, c in enumerate(cats):
        diff = [paired(runs, i, c) for i in range(len(runs))]
        d = np.array([x.mean() if x is not None else 0.0 for x in diff]) / 1e6
        ax2.barh(y, np.where(d > 0, d, 0), left=pos, color=cmap(k % 20))
        ax2.barh(y, np.where(d < 0, d, 0), left=neg, color=cmap(k % 20))
        pos += np.where(d > 0, d, 0)
        neg += np.where(d < 0, d, 0)
    total = f"{prefix}cost_total_discounted"
    diffs = [paired(runs, i, total) if column(runs[0], total) is not None else None
             for i in range(len(runs))]
    for i, d in enumerate(diffs):
        if d is not None and i > 0:
            m, lo, hi = (v / 1e6 for v in mean_ci(d))
            ax2.errorbar(m, y[i], xerr=[[m - lo], [hi - m]], fmt="D", color="black", ms=4,
                         capsize=3, label="net difference (95% CI)" if i == 1 else None)
    ax2.axvline(0, color="black", lw=0.8)
    ax2.set(title="Difference from the baseline by category",
            xlabel=f"Cost difference ({PRICES}, millions, discounted)")
    ax2.grid(axis="x", alpha=0.3)
    if len(runs) > 1:
        ax2.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    fig.legend(*ax1.get_legend_handles_labels(), loc="upper center", ncol=6, fontsize="small",
               bbox_to_anchor=(0.5, 0.0))
    reading = "Only the baseline is present."
    if len(runs) > 1 and diffs[1] is not None:
        means = [(diffs[i].mean(), runs[i]["label"]) for i in range(1, len(runs))]
        hi, lo = max(means), min(means)
        reading = (f"Over {window}, the baseline costs {money(left[0] * 1e6)}; "
                   + (f"{hi[1]} changes that by {money(hi[0], True)}." if len(means) == 1 else
                      f"differences range from {money(lo[0], True)} ({lo[1]}) to "
                      f"{money(hi[0], True)} ({hi[1]})."))
    return png(fig), reading


def fig_events(runs):
    """Crises, admissions and bed-days over the window: paired differences."""
    if len(runs) < 2:
        return None, "Needs a baseline and at least one policy scenario."
    outcomes = [window_name(runs, n) for n in ("crises", "admissions", "bed_days")]
    titles = ("Crises", "Psychiatric admissions", "Inpatient bed-days")
    fig, axes = plt.subplots(1, 3, figsize=(13, 0.42 * len(runs) + 1.6), sharey=True)
    y = np.arange(len(runs) - 1)[::-1]
    results = {}
    for ax, (name, window), title in zip(axes, outcomes, titles):
        for i in range(1, len(runs)):
            d = paired(runs, i, name)
            if d is None:
                continue
            m, lo, hi = mean_ci(d)
            results.setdefault(title, []).append((m, runs[i]["label"]))
            ax.barh(y[i - 1], m, color=colour(i), alpha=0.8)
            ax.errorbar(m, y[i - 1], xerr=[[m - lo], [hi - m]], color="black", capsize=3, lw=1)
        ax.axvline(0, color="black", lw=0.8)
        unit = "bed-days" if title.endswith("bed-days") else "people"
        ax.set(title=f"{title}, {window}", xlabel=f"Difference from baseline ({unit}, national)")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, [r["label"] for r in runs[1:]])
    fig.tight_layout()
    crises = sorted(results.get("Crises", []))
    adm = sorted(results.get("Psychiatric admissions", []))

    def most_averted(rows, what):
        d, name = rows[0]
        return (f"{name} averts the most {what} ({-d:,.0f})" if d < 0 else
                f"no scenario averts {what} ({name} changes them least, {d:+,.0f})")
    reading = "No crisis outcomes in the file."
    if crises and adm:
        reading = (most_averted(crises, "crises") + "; " + most_averted(adm, "admissions")
                   + (f"; {crises[-1][1]} changes crises by {crises[-1][0]:+,.0f}."
                      if len(crises) > 1 else "."))
    return png(fig), reading


def ce_columns(runs):
    """(cost column, QALY column, window label, perspective) for cost-effectiveness: costs
    to the NHS and personal social services where the file has them, as pbsim compare."""
    cost, window = window_name(runs, "cost_nhs_pss_discounted")
    perspective = PERSPECTIVE
    if column(runs[0], cost) is None:
        cost, window = window_name(runs, "cost_total_discounted")
        perspective = "all payers"
    qalys, _ = window_name(runs, "qalys_discounted")
    return cost, qalys, window, perspective


def fig_ce_plane(runs):
    """Cost-effectiveness plane: per-replication and mean incremental cost and QALYs."""
    cost, qalys, window, perspective = ce_columns(runs)
    if len(runs) < 2 or column(runs[0], cost) is None or column(runs[0], qalys) is None:
        return None, "Needs a baseline, a policy scenario and cost and QALY summaries."
    fig, ax = plt.subplots(figsize=(9, 6))
    points = []
    for i in range(1, len(runs)):
        dc, dq = paired(runs, i, cost) / 1e6, paired(runs, i, qalys)
        ax.scatter(dq, dc, color=colour(i), s=12, alpha=0.4)
        mq, lq, hq = mean_ci(dq)
        mc, lc, hc = mean_ci(dc)
        ax.errorbar(mq, mc, xerr=[[mq - lq], [hq - mq]], yerr=[[mc - lc], [hc - mc]],
                    fmt="o", color=colour(i), ms=7, capsize=3, label=runs[i]["label"])
        points.append((dq, dc))
    allq = np.concatenate([p[0] for p in points])
    span = max(np.abs(allq).max(), 1e-9) * 1.15
    q = np.linspace(-span, span, 50)
    for t, style in zip(THRESHOLDS, ("--", ":")):
        ax.plot(q, t * q / 1e6, color="0.3", ls=style, lw=1,
                label=f"{t:,} per QALY threshold")
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-span, span)
    ax.set(title=f"Cost-effectiveness plane against the baseline, {window}\n"
                 f"perspective: {perspective}",
           xlabel="Incremental QALYs (national, discounted)",
           ylabel=f"Incremental cost to {short_perspective(perspective)} ({PRICES}, millions, "
                  "discounted)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left")
    fig.tight_layout()
    quadrants = {"cheaper and better (dominant)": [], "dearer and better": [],
                 "cheaper and worse": [], "dearer and worse (dominated)": []}
    for i, (dq, dc) in enumerate(points, start=1):
        key = (("cheaper" if dc.mean() <= 0 else "dearer") + " and " +
               ("better" if dq.mean() > 0 else "worse"))
        key = next(k for k in quadrants if k.startswith(key))
        quadrants[key].append(runs[i]["label"])
    reading = "; ".join(f"{k}: {', '.join(v)}" for k, v in quadrants.items() if v) + "."
    return png(fig), reading[0].upper() + reading[1:]


def fig_ceac(runs):
    """Cost-effectiveness acceptability curves over willingness-to-pay."""
    cost, qalys, window, perspective = ce_columns(runs)
    if len(runs) < 2 or column(runs[0], cost) is None or column(runs[0], qalys) is None:
        return None, "Needs a baseline, a policy scenario and cost and QALY summaries."
    wtp = np.linspace(0, 100000, 201)
    fig, ax = plt.subplots(figsize=(9, 4.8))
    at = []
    for i in range(1, len(runs)):
        p = acceptability(paired(runs, i, cost), paired(runs, i, qalys), wtp)
        ax.step(wtp / 1000, p, where="post", color=colour(i), label=runs[i]["label"],
                lw=1.5, alpha=0.85)
        at.append((acceptability(paired(runs, i, cost), paired(runs, i, qalys),
                                 [THRESHOLDS[0]])[0], runs[i]["label"]))
    for t in THRESHOLDS:
        ax.axvline(t / 1000, color="0.4", ls=":", lw=1)
    n = min(column(r, cost).size for r in runs)
    ax.set(title=f"Cost-effectiveness acceptability against the baseline, {window}\n"
                 f"perspective: {perspective}",
           xlabel="Willingness to pay (thousand GBP per QALY)",
           ylabel="Probability cost-effective", ylim=(-0.03, 1.03))
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left")
    fig.tight_layout()
    best = max(at)
    if best[0] > 0:
        reading = (f"At {THRESHOLDS[0]:,} per QALY, {best[1]} is most likely cost-effective "
                   f"(in {best[0]:.0%} of {n} paired replications; steps of 1/{n} reflect "
                   f"simulation, not parameter, uncertainty).")
    else:
        reading = (f"At {THRESHOLDS[0]:,} per QALY no scenario is cost-effective in any of the "
                   f"{n} paired replications (on health QALYs alone).")
    return png(fig), reading


def short_perspective(perspective):
    """The perspective in a few words for an axis label."""
    return "NHS and PSS" if perspective == PERSPECTIVE else perspective


def payer_differences(runs, i):
    """Paired differences (scenario i - baseline) of each payer's cost by year:
    {payer: (mean, low, high)} arrays over the years, or {} without payer series."""
    base, run = runs[0], runs[i]
    if not base["payers"] or not run["payers"] or base["years"] != run["years"]:
        return {}
    out = {}
    for payer in PAYER_SERIES:
        a, b = base["payers"][payer], run["payers"][payer]
        n = min(a.shape[0], b.shape[0])
        out[payer] = mean_ci(b[:n] - a[:n])
    return out


def nhs_break_even(years, nhs_mean):
    """The first year by whose end the NHS's cumulative difference from the policy
    year is not above zero (what it spent is saved back), or None."""
    cumulative = np.cumsum(nhs_mean)
    return next((y for y, c in zip(years, cumulative) if c <= 0), None)


def fig_payers(runs):
    """Who pays and who saves: paired difference in undiscounted cost by payer and
    calendar year, one panel per policy; returns (img, reading, table)."""
    if len(runs) < 2:
        return None, "Needs a baseline and at least one policy scenario.", ""
    diffs = [payer_differences(runs, i) for i in range(1, len(runs))]
    if not all(diffs):
        return None, ("The file has no cost_nhs, cost_council and cost_person time series "
                      "(written by an older pbsim)."), ""
    years = runs[0]["years"]
    policies = runs[1:]
    cols = min(3, len(policies))
    rows = math.ceil(len(policies) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, 3.0 * rows), sharex=True,
                             squeeze=False)
    x = np.arange(len(years))
    width = 0.27
    payer_colour = {"NHS": "tab:blue", "council": "tab:orange", "person": "tab:green"}
    for k, ax in enumerate(axes.flat):
        if k >= len(policies):
            ax.set_visible(False)
            continue
        for j, (payer, (m, lo, hi)) in enumerate(diffs[k].items()):
            xs = x + (j - 1) * width
            ax.bar(xs, m / 1e6, width, color=payer_colour[payer], label=payer)
            ax.errorbar(xs, m / 1e6, yerr=[(m - lo) / 1e6, (hi - m) / 1e6], fmt="none",
                        color="black", lw=0.8, capsize=2)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_title(policies[k]["label"], fontsize="medium")
        ax.set_xticks(x, [str(y) for y in years], fontsize="small")
        ax.grid(axis="y", alpha=0.3)
        if k % cols == 0:
            ax.set_ylabel("Difference (GBP million)")
        if k == 0:
            ax.legend(fontsize="x-small", loc="best")
    fig.suptitle(f"Who pays and who saves: cost difference from the baseline by payer and year\n"
                 f"({PRICES}, undiscounted, national; mean, 95% interval)", fontsize="medium")
    fig.tight_layout()
    span = f"{years[0]}-{years[-1]}"
    totals = [(d[payer][0].sum(), payer, policies[k]["label"])
              for k, d in enumerate(diffs) for payer in d]
    saving = min(totals)
    reading = (f"Over {span} the largest saving is to the {saving[1]} under {saving[2]} "
               f"({money(saving[0], True)})" if saving[0] < 0 else
               f"Over {span} no payer saves under any scenario (the smallest change is to the "
               f"{saving[1]} under {saving[2]}, {money(saving[0], True)})")
    even = [(nhs_break_even(years, d["NHS"][0]), policies[k]["label"])
            for k, d in enumerate(diffs)]
    reached = [f"{y} under {name}" for y, name in sorted(even, key=lambda e: (e[0] is None, e[0]))
               if y is not None]
    never = [name for y, name in even if y is None]
    reading += ("; the NHS breaks even (cumulative difference at or below zero) in "
                + ", ".join(reached) if reached else "; the NHS does not break even")
    if never and reached:
        reading += f", and not by {years[-1]} under {', '.join(never)}"
    elif never:
        reading += f" by {years[-1]} under any scenario"
    return png(fig), reading + ".", payer_table(policies, diffs, years)


def payer_table(policies, diffs, years):
    """The figure's numbers: one row per scenario and payer, one column per year."""
    rows = []
    for run, d in zip(policies, diffs):
        for payer, (m, lo, hi) in d.items():
            cells = [html.escape(run["label"]), payer]
            cells += [f"{fmt(m[j], True)}<br><small>[{fmt(lo[j], True)}, {fmt(hi[j], True)}]"
                      "</small>" for j in range(len(years))]
            cells.append(fmt(m.sum(), True))
            rows.append(cells)
    return ("<h2 id='payers'>Who pays and who saves</h2><p class=cap>Paired mean difference "
            f"(scenario − baseline) in undiscounted cost by payer and calendar year, {PRICES}, "
            "national, from the <code>cost_nhs</code>, <code>cost_council</code> and "
            "<code>cost_person</code> time series (summed over councils and months, scaled to "
            "national as the summary is), with 95% t intervals over paired replications; negative "
            "means the payer saves.</p>"
            + table(["Scenario", "Payer"] + [str(y) for y in years] + [f"{years[0]}-{years[-1]}"],
                    rows, "num"))


def fig_councils(runs, councils):
    """League of councils: baseline uptake at the end of the run, sorted."""
    base = runs[0]
    share = base["council_share_end"] * 100.0
    mean, lo, hi = mean_ci(share)
    order = np.argsort(mean)
    codes = np.array(councils["code"] if councils and "code" in councils else
                     [f"council {c + 1}" for c in range(mean.size)])
    fig, ax = plt.subplots(figsize=(12, 4.5))
    x = np.arange(mean.size)
    ax.bar(x, mean[order], color="tab:blue", alpha=0.75, width=0.9)
    ax.errorbar(x, mean[order], yerr=[mean[order] - lo[order], hi[order] - mean[order]],
                fmt="none", color="black", lw=0.6)
    q1, med, q3 = np.percentile(mean, [25, 50, 75])
    national = mean_ci(100.0 * base["holders"][:, -1] / base["population"][:, -1])[0]
    ax.axhline(national, color="tab:red", lw=1, label=f"England {national:.1f}%")
    ax.axhspan(q1, q3, color="0.5", alpha=0.15, label=f"interquartile range {q1:.1f}-{q3:.1f}%")
    step = max(1, mean.size // 30)
    ax.set_xticks(x[::step], codes[order][::step], rotation=90, fontsize="x-small")
    ax.set(title=f"Baseline uptake by council at {base['months'][-1]} (mean, 95% interval)",
           xlabel="Council (sorted by uptake)", ylabel="Holding a PB (% of the council's users)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small", loc="upper left")
    fig.tight_layout()
    reading = (f"Baseline uptake ranges from {mean.min():.1f}% ({codes[order[0]]}) to "
               f"{mean.max():.1f}% ({codes[order[-1]]}) across {mean.size} councils; "
               f"median {med:.1f}%.")
    lag = councils.get("adoption_lag") if councils else None
    if lag is not None and np.any(lag != 0):
        years = np.asarray(lag, dtype=float) / 12
        reading += (f" The paced policies reached councils from {-years.min():.1f} years before "
                    f"the national dates to {years.max():.1f} years after (adoption lag).")
    rows = []
    shown = list(order[::-1][:10]) + list(order[:10][::-1])
    for rank, c in enumerate(shown):
        position = rank + 1 if rank < 10 else mean.size - (len(shown) - 1 - rank)
        cells = [str(position), html.escape(str(codes[c])), f"{mean[c]:.1f}% "
                 f"[{lo[c]:.1f}, {hi[c]:.1f}]"]
        for key, fmt_ in (("users", "{:,.0f}"), ("dp_culture", "{:.2f}"),
                          ("amount_multiplier", "{:.2f}")):
            cells.append(fmt_.format(councils[key][c]) if councils and key in councils else "–")
        cells.append(f"{councils['adoption_lag'][c] / 12:+.1f}" if councils and
                     "adoption_lag" in councils else "–")
        rows.append(cells)
    league = table(["Rank", "Council", "Uptake (95% CI)", "Simulated users", "DP culture",
                    "Allocation level", "Adoption lag (years)"], rows)
    return png(fig), reading, league


# --- tables ----------------------------------------------------------------

def fmt(x, signed=False):
    """Compact number format for tables."""
    if x is None or not np.isfinite(x):
        return "n/a"
    sign = "+" if signed else ""
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:{sign},.1f}m"
    if a >= 100:
        return f"{x:{sign},.0f}"
    if a >= 1 or a == 0:
        return f"{x:{sign}.3g}"
    return f"{x:{sign}.3g}"


def money(x, signed=False):
    """GBP for readings: millions when large, whole pounds otherwise."""
    sign = "+" if signed else ""
    return f"GBP {x / 1e6:{sign},.1f} million" if abs(x) >= 1e6 else f"GBP {x:{sign},.0f}"


def table(header, rows, cls=""):
    """An HTML table from a header list and rows of already-escaped cells."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def icer_text(ce):
    """ICER, or the quadrant where a ratio would mislead."""
    dc, dq, icer = ce.get("incremental_cost"), ce.get("incremental_qalys"), ce.get("icer")
    if dc is None or dq is None:
        return "n/a"
    if dc <= 0 < dq:
        return "dominant"
    if dq < 0 <= dc:
        return "dominated"
    if dc < 0 and dq < 0:
        return f"saves {fmt(icer)} per QALY lost"
    return fmt(icer)


def difference_rows(rows, scen, columns):
    """Table rows of paired differences: one per scenario, a cell per (column, label)
    with the mean and its 95% interval, or n/a."""
    body = []
    for s in scen:
        cells = [html.escape(s)]
        for o, _ in columns:
            r = rows.get((s, o))
            cells.append("n/a" if r is None else
                         f"{fmt(r['mean_difference'], True)}<br><small>[{fmt(r['ci_low'], True)}, "
                         f"{fmt(r['ci_high'], True)}]</small>")
        body.append(cells)
    return body


def comparison_tables(runs, comparison):
    """The comparison and cost-effectiveness tables from /comparison."""
    esc = html.escape
    if comparison is None:
        base = esc(runs[0]["name"])
        return ("<h2 id='comparison'>Comparison</h2><p class=cap>This file has no /comparison "
                f"against {base}: run <code>pbsim compare FILE.h5 --baseline {base}</code> (or "
                "<code>pbsim report</code>, which runs it) to add paired differences and "
                "cost-effectiveness.</p>")
    rows, ce, attrs = comparison["rows"], comparison["ce"], comparison["attrs"]
    base = attrs.get("baseline", runs[0]["name"])
    eval_ = "eval_" if any(o.startswith("eval_") for _, o in rows) else ""
    outcomes = [("uptake_share_end", "Uptake at end (share)"),
                ("pb_holders_end", "PB holders at end"),
                (f"{eval_}crises" if eval_ else "crises_total", "Crises"),
                (f"{eval_}admissions" if eval_ else "admissions_total", "Admissions"),
                (f"{eval_}bed_days" if eval_ else "bed_days_total", "Bed-days"),
                (f"{eval_}cost_total_discounted", "Total cost (disc.)"),
                (f"{eval_}qalys_discounted", "QALYs (disc.)"),
                (f"{eval_}care_related_qol_years_discounted", "ASCOT-years (disc.)")]
    scen = list(dict.fromkeys(s for s, _ in rows))
    body = difference_rows(rows, scen, outcomes)
    n = next(iter(rows.values()))["n"] if rows else 0
    window = (f"from {runs[0]['evaluation_start']} (the evaluation window)" if eval_
              else "over the whole run")
    out = [f"<h2 id='comparison'>Comparison with {esc(base)}</h2>",
           f"<p class=cap>Paired mean differences (scenario − {esc(base)}) over {n:.0f} "
           f"replications with 95% t intervals, from <code>/comparison</code> "
           f"(<code>pbsim compare</code>). Uptake at the end of the run; events, costs and "
           f"outcomes {window}; national; costs {PRICES}, discounted at "
           f"{100 * runs[0]['discount_rate']:.3g}% a year.</p>",
           table(["Scenario"] + [esc(t) for _, t in outcomes], body, "num")]
    out += payer_window_table(rows, scen, eval_, window)
    body = []
    for s in scen:
        c = ce.get(s, {})
        cells = [esc(s), fmt(c.get("incremental_cost"), True) + "<br><small>[" +
                 fmt(c.get("incremental_cost_low"), True) + ", " +
                 fmt(c.get("incremental_cost_high"), True) + "]</small>",
                 fmt(c.get("incremental_qalys"), True) + "<br><small>[" +
                 fmt(c.get("incremental_qalys_low"), True) + ", " +
                 fmt(c.get("incremental_qalys_high"), True) + "]</small>",
                 icer_text(c)]
        for t in THRESHOLDS:
            cells.append(fmt(c.get(f"nmb_{t}"), True) + "<br><small>[" +
                         fmt(c.get(f"nmb_{t}_low"), True) + ", " +
                         fmt(c.get(f"nmb_{t}_high"), True) + "]</small>")
            p = c.get(f"p_cost_effective_{t}")
            cells.append("n/a" if p is None else f"{p:.2f}")
        cells.append(fmt(c.get("cost_per_crisis_averted")))
        body.append(cells)
    header = ["Scenario", "Incremental cost (GBP)", "Incremental QALYs", "ICER (GBP/QALY)"]
    for t in THRESHOLDS:
        header += [f"NMB at {t:,}/QALY (GBP)", f"P(cost-effective at {t:,})"]
    header.append("Cost per crisis averted (GBP)")
    out += ["<h2 id='cost-effectiveness'>Cost-effectiveness</h2>",
            f"<p class=cap>Against {esc(base)}, costs from the perspective of "
            f"<b>{esc(str(attrs.get('cost_perspective', 'all payers')))}</b>: columns "
            f"<code>{esc(str(attrs.get('cost_column', '')))}"
            f"</code> and <code>{esc(str(attrs.get('qalys_column', '')))}</code>. ICER is the ratio "
            "of mean incremental cost to mean incremental QALYs; net monetary benefit (NMB) is "
            "threshold × ΔQALY − Δcost; the probability cost-effective is the share of paired "
            "replications with positive NMB.</p>",
            table(header, body, "num")]
    return "\n".join(out)


def payer_window_table(rows, scen, eval_, window):
    """Incremental discounted cost by payer over the evaluation window, from
    /comparison (nothing for a file without payer columns)."""
    esc = html.escape
    names = [(f"{eval_}cost_{key}_discounted", label) for key, label in PAYER_COLUMNS]
    if not any((s, names[0][0]) in rows for s in scen):
        return []
    body = difference_rows(rows, scen, names)
    return [f"<h3 id='comparison-payers'>Incremental cost by payer</h3><p class=cap>Paired mean "
            f"difference in discounted cost {window}, by who pays ({PRICES}; 95% t intervals). "
            "NHS + council + person = all payers; NHS + PSS (NHS and personal social services, "
            "the NICE reference case) leaves out the person's charges.</p>",
            table(["Scenario"] + [esc(t) for _, t in names], body, "num")]


def summary_table(runs):
    """Every summary column per scenario: mean [95% interval], collapsed by default."""
    esc = html.escape
    cols = list(dict.fromkeys(c for r in runs for c in r["summary"]))
    rows = []
    for c in cols:
        unit = next((r["units"][c] for r in runs if c in r["units"]), "")
        cells = [f"<code>{esc(c)}</code>", esc(unit)]
        for r in runs:
            v = column(r, c)
            if v is None or v.size == 0:
                cells.append("–")
            else:
                m, lo, hi = mean_ci(v)
                cells.append(f"{fmt(m)} <small>[{fmt(lo)}, {fmt(hi)}]</small>")
        rows.append(cells)
    return ("<h2 id='summary'>Summary by scenario</h2><details><summary>Every summary column "
            "(national; mean over replications with 95% t interval)</summary>"
            + table(["Column", "Units"] + [esc(r["label"]) for r in runs], rows, "num")
            + "</details>")


def provenance(runs):
    """Provenance table: one row per scenario."""
    rows = [[html.escape(str(v)) for v in
             [r["label"], r["path"]] + [r["attrs"].get(k, "?") for k in PROVENANCE]]
            for r in runs]
    return table(["Scenario", "File"] + list(PROVENANCE), rows)


def render(runs, comparison, councils):
    """The whole HTML document."""
    base = runs[0]
    figures = []

    def add(fid, title, result, what):
        img, reading = result[0], result[1]
        if img is None:
            figures.append(f"<div class='not-drawn' id='{fid}'><p><b>{title}</b> Not drawn: "
                           f"{html.escape(reading)}</p></div>")
            return
        figures.append(f"<figure id='{fid}' class='figure'>{img}<figcaption><b>{title}</b> "
                       f"{what}<br><span class=reading>Reading: {html.escape(reading)}</span>"
                       f"</figcaption></figure>")

    add("fig-uptake", "Figure 1. Personal budget uptake over time.", fig_uptake(runs),
        "National share of users holding a PB (direct payment or managed budget); lines are "
        "means over replications, bands 95% t intervals; the dotted line marks the policy start.")
    add("fig-costs", "Figure 2. Costs by category.", fig_costs(runs),
        "Left: discounted cost per scenario, stacked by category (mean over replications). "
        "Right: paired difference from the baseline by category; diamonds are the net difference "
        "with its 95% interval.")
    img, reading, payers = fig_payers(runs)
    add("fig-payers", "Figure 3. Who pays and who saves.", (img, reading),
        "Paired difference from the baseline in undiscounted cost by payer (NHS, council, "
        "person) and calendar year from the policy year; bars are means over replications, "
        "whiskers 95% intervals; below zero the payer saves. The numbers are in the table "
        "<a href='#payers'>Who pays and who saves</a>.")
    add("fig-events", "Figure 4. Crises, admissions and bed-days.", fig_events(runs),
        "Paired difference from the baseline over the evaluation window (mean, 95% interval); "
        "negative means averted.")
    add("fig-ce-plane", "Figure 5. Cost-effectiveness plane.", fig_ce_plane(runs),
        "Costs to the NHS and personal social services (the NICE reference case; the person's "
        "charges excluded). Small dots are paired replications, large markers their mean with "
        "95% intervals; below a threshold line a scenario is cost-effective at that threshold.")
    add("fig-ceac", "Figure 6. Cost-effectiveness acceptability curves.", fig_ceac(runs),
        "Costs to the NHS and personal social services. Share of paired replications in which "
        "the scenario has positive net monetary benefit, by willingness to pay per QALY; dotted "
        "lines at 20,000 and 30,000.")
    img, reading, league = fig_councils(runs, councils)
    add("fig-councils", "Figure 7. Council league table (baseline).", (img, reading),
        "Uptake by council at the end of the run, sorted, with 95% intervals over replications; "
        "the red line is England, the band the interquartile range of councils.")
    names = ", ".join(html.escape(r["label"]) for r in runs)
    style = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;font-size:0.8em;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
             "th{background:#f3f3f3}table.num td{white-space:nowrap}"
             "img{max-width:100%}figure{margin:2em 0}.cap,figcaption{color:#444}"
             ".reading{color:#114;font-weight:600}small{color:#666}")
    same_seed = len({str(r["attrs"].get("seed")) for r in runs}) == 1
    pairing = ("paired by common random numbers (one seed)" if same_seed else
               "paired by replication index only (different seeds: not common random numbers, "
               "so differences include chance)")
    intro = (f"<p>Baseline <b>{html.escape(base['label'])}</b> and {len(runs) - 1} policy "
             f"scenario(s), {base['attrs'].get('replications', '?')} replications each at scale "
             f"{base['attrs'].get('scale', '?')}, {pairing}. Sections: "
             "<a href='#figures'>figures</a>, <a href='#payers'>who pays and who saves</a>, "
             "<a href='#comparison'>comparison</a>, "
             "<a href='#cost-effectiveness'>cost-effectiveness</a>, <a href='#league'>council "
             "league table</a>, <a href='#summary'>summary</a>, "
             "<a href='#provenance'>provenance</a>.</p>")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>pbsim report: {names}</title><style>{style}</style></head><body>"
            f"<h1>pbsim: policy scenarios compared with {html.escape(base['label'])}</h1>{intro}"
            f"<h2 id='figures'>Figures</h2>{''.join(figures)}"
            f"{payers}{comparison_tables(runs, comparison)}"
            f"<h2 id='league'>Council league table (baseline, end of run)</h2>"
            f"<p class=cap>The ten councils with the highest and the ten with the lowest uptake."
            f"</p>{league}{summary_table(runs)}"
            f"<h2 id='provenance'>Provenance</h2>{provenance(runs)}</body></html>\n")


def render_sweep(path):
    """The report of a sweep output: its provenance and the sensitivity charts
    (analysis/sensitivity_plot.py) of every output `pbsim sensitivity` analysed."""
    import sensitivity_plot  # same folder; imported only for sweeps
    try:
        results = sensitivity_plot.load(path, [])
    except sensitivity_plot.InputError as exc:
        raise InputError(str(exc)) from exc
    with pf.open_file(path, kind="sweep") as f:
        attrs = pf.attrs(f)
    keys = [k for k in ("design", "points", "replications", "seed", "scale", "pbsim_version",
                        "source_revision", "created_utc", "command_line") if k in attrs]
    prov = table(["Attribute", "Value"], [[html.escape(k), html.escape(str(attrs[k]))]
                                          for k in keys])
    body = sensitivity_plot.html_fragment(path, results).replace("<figure>", "<figure class='figure'>")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>pbsim sweep: "
            f"{html.escape(path)}</title><style>body{{font-family:sans-serif;max-width:1000px;"
            f"margin:2em auto}}img{{max-width:100%}}td,th{{border:1px solid #ccc;padding:3px 6px}}"
            f"table{{border-collapse:collapse;font-size:0.85em}}</style></head><body>"
            f"<h1>pbsim sweep: sensitivity</h1>{body}<h2 id='provenance'>Provenance</h2>{prov}"
            f"</body></html>\n")


def is_sweep(path):
    """True for the output of `pbsim sweep` (root attribute kind = "sweep")."""
    try:
        with pf.open_file(path) as f:
            return pf.file_kind(f) == "sweep"
    except pf.InputError:
        return False


def write_page(out, page):
    """Write the page under a temporary name, then rename it: never half a report."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)


def main(argv=None):
    """Parse arguments, load the files and write the report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="pbsim HDF5 output files (first scenario = baseline)")
    ap.add_argument("--out", required=True, help="HTML file to write")
    ap.add_argument("--baseline", help="scenario every other is compared with "
                    "[default: the baseline of /comparison, else the first scenario]")
    args = ap.parse_args(argv)
    runs, comparison, councils = [], None, None
    out = pathlib.Path(args.out)
    if len(args.files) == 1 and is_sweep(args.files[0]):
        try:
            page = render_sweep(args.files[0])
        except InputError as exc:
            print(f"report.py: error: {exc}", file=sys.stderr)
            return 2
        try:
            write_page(out, page)
        except OSError as exc:
            print(f"report.py: error: cannot write {out}: {exc.strerror}", file=sys.stderr)
            return 2
        print(f"report.py: wrote {out} (sweep sensitivity)")
        return 0
    try:
        for k, p in enumerate(args.files):
            r, c, la = load(p)
            runs += r
            if k == 0:
                comparison, councils = c, la
    except InputError as exc:
        print(f"report.py: error: {exc}", file=sys.stderr)
        return 2
    # Scenarios are paired by replication: every file must have as many.
    reps = {r["path"]: int(r["attrs"].get("replications", 0)) for r in runs}
    if len(set(reps.values())) > 1:
        print("report.py: error: the files have different numbers of replications ("
              + ", ".join(f"{p}: {n}" for p, n in reps.items())
              + "); scenarios are paired by replication, so give runs with the same count",
              file=sys.stderr)
        return 2
    # The baseline comes first: asked for, or the one /comparison was made against.
    baseline = args.baseline or (comparison or {}).get("attrs", {}).get("baseline")
    if baseline:
        names = [r["name"] for r in runs]
        if baseline not in names:
            print(f"report.py: error: --baseline {baseline} is not a scenario of the input; it has "
                  + ", ".join(names), file=sys.stderr)
            return 2
        runs.sort(key=lambda r: r["name"] != baseline)  # stable: the others keep their order
    if comparison and comparison["attrs"].get("baseline") not in (None, runs[0]["name"]):
        comparison = None  # made against another baseline: its tables would not match
    seen = {}
    for r in runs:  # make labels unique if two files share a scenario name
        seen[r["name"]] = seen.get(r["name"], 0) + 1
        r["label"] = r["name"] if seen[r["name"]] == 1 else f"{r['name']} ({r['path']})"
    try:
        write_page(out, render(runs, comparison, councils))
    except OSError as exc:
        print(f"report.py: error: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"report.py: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
