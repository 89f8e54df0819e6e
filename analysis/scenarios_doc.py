#!/usr/bin/python3
"""Write docs/scenarios.md: every policy scenario, its levers and evidence (from
its TOML file and header comment), and its headline result from the latest run
(/comparison of a comparison file written by `pbsim compare`).

Usage: /usr/bin/python3 analysis/scenarios_doc.py outputs/comparison.h5 > docs/scenarios.md
"""
import pathlib
import sys
import tomllib

import numpy as np

import pbsim_files as pf

ROOT = pathlib.Path(__file__).resolve().parent.parent


PAYERS = (("nhs", "NHS"), ("council", "council"), ("person", "person"))
# Outcome drivers shown beside the costs: what the mechanism changes first.
DRIVERS = (("eval_new_pbs", "new budgets"), ("eval_crises", "crises"),
           ("eval_admissions", "admissions"))


def paragraphs(path):
    """The leading comment block of a scenario file, as paragraphs (blank comment
    lines separate them)."""
    out, lines = [], []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        text = line[1:].strip()
        if text:
            lines.append(text)
        elif lines:
            out.append(" ".join(lines))
            lines = []
    if lines:
        out.append(" ".join(lines))
    return out


def mechanism(path):
    """The header's paragraph that begins "Mechanism:", without the label, or None."""
    found = [p for p in paragraphs(path) if p.startswith("Mechanism:")]
    return found[0][len("Mechanism:"):].strip() if found else None


def categories(summary):
    """Cost categories with an evaluation-window column (eval_cost_<c>_discounted), without
    the payer columns and the total."""
    skip = {k for k, _ in PAYERS} | {"nhs_pss", "total"}
    return [k[len("eval_cost_"):-len("_discounted")] for k in summary
            if k.startswith("eval_cost_") and k.endswith("_discounted")
            and k[len("eval_cost_"):-len("_discounted")] not in skip]


def payer_parts(base, scen):
    """Each payer's mean paired change by cost category over the evaluation window:
    {payer key: {category: GBP}}, each scenario's costs split by its own payer shares
    (the file's /payers table, at the evaluation window's start).
    `base` and `scen` are pbsim_files Scenarios."""
    tables = [x.payer_shares() for x in (base, scen)]
    out = {k: {} for k, _ in PAYERS}
    for c in categories(base.summary):
        col = f"eval_cost_{c}_discounted"
        n = min(base.summary[col].size, scen.summary[col].size)
        missing = [x.name for x, t in zip((base, scen), tables) if c not in t]
        if missing:
            raise pf.InputError(f"scenario {missing[0]}: no /payers row for cost_{c} (a run file "
                                "from before payers, or a category without a payer rule)")
        shares = [t[c] for t in tables]
        for j, (k, _) in enumerate(PAYERS):
            d = shares[1][j] * scen.summary[col][:n] - shares[0][j] * base.summary[col][:n]
            out[k][c] = float(np.mean(d))
    return out


def category_words(scen):
    """Each cost category in words, from its time series' long_name; where two share one
    (the two parts of a budget), the first two clauses of the description."""
    meta = {c: pf.attrs(scen.timeseries[f"cost_{c}"]) if f"cost_{c}" in scen.timeseries else {}
            for c in categories(scen.summary)}
    names = {c: str(m.get("long_name", c)) for c, m in meta.items()}
    shared = {n for n in names.values() if list(names.values()).count(n) > 1}
    def two_clauses(c):
        words = ", ".join(str(meta[c].get("description", names[c])).split(", ")[:2])
        return words[:words.rfind("(")].strip() if words.count("(") > words.count(")") else words
    return {c: two_clauses(c) if n in shared else n for c, n in names.items()}


def scenario_file(scen, run_path):
    """The scenario's file: its provenance (scenario_file, as given to pbsim run: tried as
    it is, from the repository root and beside the run file), else scenarios/<name>.toml."""
    given = scen.attrs.get("scenario_file")
    if given:
        given = pathlib.Path(str(given))
        for p in (given, ROOT / given, pathlib.Path(run_path).resolve().parent / given):
            if p.is_file():
                return p
    p = ROOT / "scenarios" / f"{scen.name}.toml"
    return p if p.is_file() else None


def shown_path(p):
    """A scenario file's path from the repository root where it is inside it."""
    p = pathlib.Path(p).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else p.name


def millions(x):
    """GBP million to two decimals, signed (the payer sections add up at this precision)."""
    return f"{x / 1e6:+,.2f}" if np.isfinite(x) else "n/a"


def levers(data):
    """Parameter settings of a scenario file (its difference from what it extends)."""
    out = []
    for group, table in data.items():
        if not isinstance(table, dict):
            continue
        for key, value in table.items():
            if isinstance(value, dict):
                value = ", ".join(f"{v} from {d}" for d, v in value.items())
            out.append(f"`{group}.{key}` = {value}")
    return out


def fmt(x, digits=3):
    if not np.isfinite(x):
        return "n/a"
    if abs(x) >= 1e6:
        return f"{x / 1e6:+,.1f} M"
    if abs(x) >= 100:
        return f"{x:+,.0f}"
    return f"{x:+.{digits}g}"


def main(path):
    try:
        f = pf.open_file(path, kind="run")
    except pf.InputError as exc:
        sys.exit(str(exc))
    with f:
        if "comparison" not in f:
            sys.exit(f"{path}: no /comparison; run `pbsim compare {path}` first")
        c = f["comparison"]
        base = pf.text(c.attrs["baseline"])
        scen = np.array(pf.strings(c["scenario"]))
        outc = np.array(pf.strings(c["outcome"]))
        diff, lo, hi = c["mean_difference"][:], c["ci_low"][:], c["ci_high"][:]
        ce = c["cost_effectiveness"]
        ce_rows = {s: i for i, s in enumerate(pf.strings(ce["scenario"]))}
        ce_cols, _ = pf.table(ce)
        attrs = pf.attrs(f)
        perspective = (pf.text(c.attrs.get("cost_perspective", "all payers")),
                       pf.text(c.attrs.get("cost_column", "")))
        try:
            runs = {r.name: r for r in pf.scenarios(f)}
        except pf.InputError as exc:
            sys.exit(str(exc))
        b = runs[base]
        words = category_words(b)
        months = pf.months(b.timeseries)
        start = tomllib.loads(str(b.attrs.get("scenario_toml", ""))).get("evaluation_start",
                                                                         str(months[0]))
        window = f"{start} to {months[-1]}"
        try:
            parts = {s: payer_parts(b, runs[s]) for s in runs if s != base}
        except pf.InputError as exc:
            sys.exit(f"{path}: {exc}")

    def result(s, outcome, form=fmt):
        k = np.flatnonzero((scen == s) & (outc == outcome))
        if len(k) == 0:
            return "n/a"
        k = k[0]
        return f"{form(diff[k])} [{form(lo[k])}, {form(hi[k])}]"

    def who_pays(s, path):
        """The scenario's mechanism, then its incremental cost payer by payer with the
        categories behind each, then the outcome drivers: all from the numbers."""
        said = mechanism(path) if path else None
        where = f"`{shown_path(path)}`" if path else "its scenario file"
        out = ["### Mechanism and who pays\n",
               (f"**Mechanism.** {said}" if said else
                f"**Mechanism.** Not stated: {where} has no `# Mechanism:` paragraph.") + "\n",
               f"Incremental cost over the evaluation window ({window}), GBP million at 2012-13"
               " prices discounted to its start; paired mean [95% t interval], and for each payer"
               " the cost categories whose change it bears most (its share of each).\n",
               "| payer | incremental cost (GBP million) | largest changes (GBP million) |",
               "|---|---|---|"]
        for k, label in PAYERS:
            top = sorted(((v, c) for c, v in parts[s][k].items() if v != 0),
                         key=lambda e: -abs(e[0]))[:3]
            changes = "; ".join(f"{words[c]} {millions(v)}" for v, c in top) or "none"
            out.append(f"| {label} | {result(s, f'eval_cost_{k}_discounted', millions)} | "
                       f"{changes} |")
        out.append(f"| all payers | {result(s, 'eval_cost_total_discounted', millions)} | |")
        out.append(f"| NHS and personal social services (NICE reference case: NHS + council) | "
                   f"{result(s, 'eval_cost_nhs_pss_discounted', millions)} | |")
        drivers = "; ".join(f"{label} {result(s, o)}" for o, label in DRIVERS)
        out.append(f"\nOutcome drivers over the window (national, paired mean [95% t interval]):"
                   f" {drivers}.\n")
        return "\n".join(out)

    print("# Policy scenarios\n")
    print("<!-- Generated by `analysis/scenarios_doc.py` from the latest main run; do not edit. -->\n")
    print(f"Each scenario extends `scenarios/{base}.toml` and changes only its levers, from April 2015."
          f" Headline results are from `{pathlib.Path(path).name}`: pbsim {attrs.get('pbsim_version')}"
          f" ({attrs.get('source_revision')}), seed {attrs.get('seed')}, {attrs.get('replications')}"
          f" replications at scale {attrs.get('scale')}, created {attrs.get('created_utc')}. They are"
          f" paired differences from the baseline with 95% t intervals: uptake at the end of the"
          f" run (2020-12); crises, admissions, costs and QALYs over the evaluation window from the"
          f" policy start (2015-04 to 2020-12; `eval_*` summary columns), costs in GBP at 2012-13"
          f" prices and costs and QALYs discounted at 3.5% a year to 2015-04. Cost-effectiveness"
          f" (ICER, net monetary benefit) takes the NICE reference case perspective,"
          f" {perspective[0]} (`{perspective[1]}`); each scenario's section below splits"
          f" its cost by payer. The report"
          f" (`outputs/report.html`) has the figures. Reproduce with `./run.sh`.\n")
    print("| scenario | uptake at end (share) | crises 2015-20 | admissions 2015-20 | total cost 2015-20 (disc.) | QALYs 2015-20 (disc.) "
          "| ICER (GBP/QALY, NHS and PSS costs) | NMB at 20,000 | P(cost-effective at 20,000) |")
    print("|---|---|---|---|---|---|---|---|---|")
    files = sorted(p for p in (ROOT / "scenarios").glob("*.toml") if p.stem != base)
    for p in files:
        s = tomllib.loads(p.read_text()).get("name", p.stem)
        i = ce_rows.get(s)
        icer = ce_cols["icer"][i] if i is not None else np.nan
        dc = ce_cols["incremental_cost"][i] if i is not None else np.nan
        dq = ce_cols["incremental_qalys"][i] if i is not None else np.nan
        icer_text = ("dominant" if dc <= 0 < dq else "dominated" if dq < 0 <= dc else
                     f"saves {icer:,.0f} per QALY lost" if dc < 0 and dq < 0 else
                     f"{icer:,.0f}" if np.isfinite(icer) else "n/a")
        nmb = fmt(ce_cols["nmb_20000"][i]) if i is not None else "n/a"
        pce = f"{ce_cols['p_cost_effective_20000'][i]:.2f}" if i is not None else "n/a"
        print(f"| `{s}` | {result(s, 'uptake_share_end')} | {result(s, 'eval_crises')} | "
              f"{result(s, 'eval_admissions')} | {result(s, 'eval_cost_total_discounted')} | "
              f"{result(s, 'eval_qalys_discounted')} | {icer_text} | {nmb} | {pce} |")
    print()
    # Every shipped scenario, then any other the run compared; the run's own record of
    # each scenario's file where it has one.
    sections = [(tomllib.loads(p.read_text()).get("name", p.stem), p) for p in files]
    named = {n for n, _ in sections}
    sections += [(n, None) for n in runs if n != base and n not in named]
    for s, p in sections:
        if s in runs:
            p = scenario_file(runs[s], path) or p
        print(f"## `{s}`\n")
        if p is None:
            print("*The scenario's file was not found.*\n")
        else:
            data = tomllib.loads(p.read_text())
            print(f"*{data.get('description', '')}* (`{shown_path(p)}`)\n")
            for text in paragraphs(p):
                if not text.startswith("Mechanism:"):
                    print(text + "\n")
            print("Levers: " + "; ".join(levers(data)) + ".\n")
        if s in parts:
            print(who_pays(s, p))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
