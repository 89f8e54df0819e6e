#!/usr/bin/python3
"""Write a self-contained HTML report from one or more pbsim HDF5 outputs.

Usage:
    /usr/bin/python3 analysis/report.py A.h5 [B.h5 ...] --out report.html

The first file is the reference: every other file is compared with it,
paired by replication index. The report holds the provenance of each file,
three figures (PNG, embedded as base64 data URIs) and summary tables.

Files may hold one scenario (at the root) or several (under /scenarios/<name>),
so one comparison file or several single files both work.

Conventions: time-series counts are raw, as simulated; national counts are raw
x national users (population.users in the stored scenario) / simulated users
(the sum of /local_authorities/users); /summary columns are already national.
Exit status: 0 on success, 2 if an input is missing or not a pbsim output.
"""
import argparse
import base64
import html
import io
import pathlib
import sys
import tomllib

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402  (after choosing the backend)
import matplotlib.pyplot as plt  # noqa: E402

REQUIRED_METRICS = ("population", "holding_dp", "holding_managed", "crises", "admissions")
PROVENANCE = ("seed", "replications", "start_month", "months", "scale",
              "pbsim_version", "source_revision", "created_utc")
LO, HI = 2.5, 97.5


class InputError(Exception):
    """An input file is missing or is not a pbsim output."""


def text(value):
    """Return an HDF5 attribute or string element as a plain Python value/str."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(-1)[0]
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", "replace").rstrip("\0")
    if isinstance(value, np.generic):
        return value.item()
    return value


def load(path):
    """Read what the report needs from one pbsim output file: a list with one
    dict per scenario (the root of a single-scenario file, or each group under
    /scenarios of a comparison file)."""
    p = pathlib.Path(path)
    if not p.is_file():
        raise InputError(f"{path}: no such file")
    try:
        f = h5py.File(p, "r")
    except OSError as exc:
        raise InputError(f"{path}: not an HDF5 file ({exc})") from exc
    with f:
        if "timeseries" not in f and "scenarios" not in f:
            raise InputError(f"{path}: not a pbsim output (no /timeseries or /scenarios group)")
        if "dims/month" not in f:
            raise InputError(f"{path}: not a complete pbsim output (missing /dims/month)")
        root_attrs = {k: text(v) for k, v in f.attrs.items()}
        months = np.array([text(m) for m in f["dims/month"][()]], dtype="datetime64[M]")
        simulated = float(f["local_authorities/users"][()].sum()) if "local_authorities/users" in f else None
        groups = [("", f)] if "timeseries" in f else [(f"/scenarios/{n}", g)
                                                       for n, g in f["scenarios"].items()]
        return [load_scenario(p, prefix, g, root_attrs, months, simulated) for prefix, g in groups]


def load_scenario(p, prefix, g, root_attrs, months, simulated):
    """One scenario's time series (national totals) and summary."""
    if "timeseries" not in g:
        raise InputError(f"{p}: {prefix or '/'} has no timeseries group")
    ts = g["timeseries"]
    missing = [m for m in REQUIRED_METRICS if m not in ts]
    if missing:
        raise InputError(f"{p}: not a complete pbsim output (missing "
                         + ", ".join(f"{prefix}/timeseries/{m}" for m in missing) + ")")
    attrs = dict(root_attrs)
    attrs.update({k: text(v) for k, v in g.attrs.items()})
    # Raw counts scale to national by national users / simulated users.
    to_national = 1.0 / float(attrs.get("scale", 1.0) or 1.0)
    try:
        national_users = tomllib.loads(attrs["scenario_toml"])["population"]["users"]
        if simulated:
            to_national = national_users / simulated
    except (KeyError, tomllib.TOMLDecodeError, TypeError):
        pass
    # National totals per [replication, month]: sum over local authorities.
    national = {name: ds[()].sum(axis=2) for name, ds in ts.items()
                if isinstance(ds, h5py.Dataset) and ds.ndim == 3}
    summary, units = {}, {}
    for name, ds in g.get("summary", {}).items():
        summary[name] = np.asarray(ds[()], dtype=float).reshape(-1)
        units[name] = str(text(ds.attrs.get("units", "")))
    return {"path": str(p) + (f":{prefix}" if prefix else ""),
            "name": str(attrs.get("scenario_name", p.stem)), "attrs": attrs,
            "to_national": to_national, "national": national, "summary": summary,
            "units": units, "months": months}


def band(x):
    """Mean and 2.5/97.5 percentiles across replications (axis 0)."""
    return x.mean(axis=0), np.percentile(x, LO, axis=0), np.percentile(x, HI, axis=0)


def png(fig):
    """Render a figure to an <img> tag with an embedded base64 PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def month_axis(ax):
    """Compact, non-overlapping date ticks on the x axis."""
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(alpha=0.3)


def colour(i):
    """The reference (first) scenario in black; the others in distinct colours."""
    return "black" if i == 0 else plt.get_cmap("tab20")((2 * (i - 1)) % 20 + (i - 1) // 10 % 2)


def fig_uptake(runs):
    """Figure 1: national PB uptake share, mean and 95% band over replications."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, r in enumerate(runs):
        n = r["national"]
        holders = n["holding_dp"] + n["holding_managed"]
        share = np.divide(holders, n["population"], out=np.zeros_like(holders, dtype=float),
                          where=n["population"] > 0)
        mean, lo, hi = band(share * 100.0)
        ax.plot(r["months"], mean, label=r["label"], color=colour(i), lw=2 if i == 0 else 1.3)
        ax.fill_between(r["months"], lo, hi, color=colour(i), alpha=0.2, linewidth=0)
    ax.set(title="National personal budget uptake", xlabel="Month",
           ylabel="People holding a PB (% of population)")
    ax.legend(fontsize="small", ncol=2 if len(runs) > 6 else 1)
    month_axis(ax)
    return png(fig)


def fig_events(runs):
    """Figure 2: national crises and admissions per month (mean over replications)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, metric, title in zip(axes, ("crises", "admissions"),
                                 ("Mental health crises", "Psychiatric admissions")):
        for i, r in enumerate(runs):
            ax.plot(r["months"], r["national"][metric].mean(axis=0) * r["to_national"],
                    label=r["label"], color=colour(i), lw=2 if i == 0 else 1)
        ax.set(title=f"{title} per month (national)", xlabel="Month",
               ylabel=f"{metric.capitalize()} per month (people)")
        month_axis(ax)
    axes[0].legend()
    fig.tight_layout()
    return png(fig)


def cost_categories(runs):
    """Summary cost_<category>_total columns of the first file (preferring those
    that match a cost_<category> time series, so aggregate columns are not
    double counted)."""
    cols = [c for c in runs[0]["summary"] if c.startswith("cost_") and c.endswith("_total")
            and "discounted" not in c and c != "cost_total"]
    series = {m for m in runs[0]["national"] if m.startswith("cost_")}
    matched = [c for c in cols if c[:-len("_total")] in series]
    return matched or cols


def fig_costs(runs):
    """Figure 3: cumulative undiscounted cost by category, stacked bars."""
    cats = cost_categories(runs)
    units = runs[0]["units"].get(cats[0], "") if cats else ""
    fig, ax = plt.subplots(figsize=(max(5, 2.2 * len(runs) + 3), 4.5))
    x = np.arange(len(runs))
    bottom = np.zeros(len(runs))
    for cat in cats:
        vals = np.array([r["summary"][cat].mean() if cat in r["summary"] else 0.0
                         for r in runs]) / 1e6
        ax.bar(x, vals, bottom=bottom, label=cat[len("cost_"):-len("_total")].replace("_", " "))
        bottom += vals
    ax.set_xticks(x, [r["label"] for r in runs])
    ax.set(title="Cumulative undiscounted cost by category (national)", xlabel="Scenario",
           ylabel=f"Cost ({units + ', ' if units else ''}millions)")
    if cats:
        ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return png(fig)


def fmt(x):
    """Compact number format for tables."""
    if not np.isfinite(x):
        return str(x)
    if x != 0 and abs(x) < 1e-2:
        return f"{x:.3e}"
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.4g}"


def interval(values):
    """'mean [2.5%, 97.5%]' for a 1-D array across replications."""
    if values.size == 0:
        return "–"
    mean, lo, hi = band(values)
    return f"{fmt(mean)} [{fmt(lo)}, {fmt(hi)}]"


def table(header, rows):
    """An HTML table from a header list and rows of already-escaped cells."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def tables(runs):
    """Summary table per scenario and, for 2+ files, paired differences from the first."""
    esc = html.escape
    cols = list(dict.fromkeys(c for r in runs for c in r["summary"]))
    unit = {c: next((r["units"][c] for r in runs if c in r["units"]), "") for c in cols}
    rows = [[esc(c), esc(unit[c])] +
            [interval(r["summary"][c]) if c in r["summary"] else "–" for r in runs]
            for c in cols]
    out = ["<h2>Summary (national)</h2>",
           "<p class=cap>Mean across replications, with the 2.5–97.5 percentile range "
           "in brackets.</p>",
           table(["Column", "Units"] + [esc(r["label"]) for r in runs], rows)]
    if len(runs) > 1:
        ref = runs[0]
        rows = []
        for c in cols:
            cells = [esc(c), esc(unit[c])]
            for r in runs[1:]:
                if c in ref["summary"] and c in r["summary"]:
                    n = min(ref["summary"][c].size, r["summary"][c].size)
                    cells.append(interval(r["summary"][c][:n] - ref["summary"][c][:n]))
                else:
                    cells.append("–")
            rows.append(cells)
        out += [f"<h2>Difference from {esc(ref['label'])}</h2>",
                "<p class=cap>Per-replication differences (scenario minus reference, paired by "
                "replication index): mean, with the 2.5–97.5 percentile range in brackets.</p>",
                table(["Column", "Units"] + [esc(f"{r['label']} − {ref['label']}")
                                            for r in runs[1:]], rows)]
    return "\n".join(out)


def provenance(runs):
    """Provenance table: one row per input file."""
    rows = [[html.escape(str(v)) for v in
             [r["label"], r["path"]] + [r["attrs"].get(k, "?") for k in PROVENANCE]]
            for r in runs]
    return table(["Scenario", "File"] + list(PROVENANCE), rows)


def render(runs):
    """The whole HTML document."""
    names = ", ".join(html.escape(r["label"]) for r in runs)
    figures = [
        (fig_uptake(runs), "Figure 1. National personal budget uptake share over time.",
         "Read: lines are the mean over replications of (holding_dp + holding_managed) / "
         "population summed over councils; shaded bands span the 2.5–97.5 percentiles."),
        (fig_events(runs), "Figure 2. National crises and admissions per month.",
         "Read: each line is one scenario's mean over replications, scaled to national counts."),
        (fig_costs(runs), "Figure 3. Cumulative undiscounted cost by category.",
         "Read: each bar is one scenario's total cost over the whole run (mean over "
         "replications), split into the categories of the summary cost_*_total columns."),
    ]
    body = "\n".join(f"<figure>{img}<figcaption><b>{t}</b> {c}</figcaption></figure>"
                     for img, t, c in figures)
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;font-size:0.85em;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
             "img{max-width:100%}figure{margin:2em 0}.cap,figcaption{color:#555}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>pbsim report: {names}</title><style>{style}</style></head><body>"
            f"<h1>pbsim report: {names}</h1><h2>Provenance</h2>{provenance(runs)}"
            f"{body}{tables(runs)}</body></html>\n")


def main(argv=None):
    """Parse arguments, load the files and write the report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="pbsim HDF5 output files (first = reference)")
    ap.add_argument("--out", required=True, help="HTML file to write")
    args = ap.parse_args(argv)
    try:
        runs = [run for p in args.files for run in load(p)]
    except InputError as exc:
        print(f"report.py: error: {exc}", file=sys.stderr)
        return 2
    seen = {}
    for r in runs:  # make labels unique if two files share a scenario name
        seen[r["name"]] = seen.get(r["name"], 0) + 1
        r["label"] = r["name"] if seen[r["name"]] == 1 else f"{r['name']} ({r['path']})"
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(runs), encoding="utf-8")
    print(f"report.py: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
