#!/usr/bin/python3
"""Sensitivity charts of a pbsim sweep: Sobol index bars or Morris mu* tornado.

Reads the /sensitivity/<output> groups that `pbsim sensitivity` writes into a
sweep file and draws, for each output, a horizontal bar chart ranked by the
index: Sobol first-order (S1) and total (ST) indices with their 95% bootstrap
intervals, or Morris mu* with its interval and sigma. Writes a PNG, or an HTML
fragment (a <figure> per output with an embedded PNG and the table) that the
report can include.

    build/pbsim sensitivity outputs/barriers_sobol.h5 --output uptake_2014 \\
        --output cost_total_discounted
    /usr/bin/python3 analysis/sensitivity_plot.py outputs/barriers_sobol.h5 --out fig.png
    /usr/bin/python3 analysis/sensitivity_plot.py outputs/barriers_sobol.h5 --out part.html

Needs only h5py, numpy and matplotlib (Debian python3-h5py, -numpy, -matplotlib).
Exit status: 0 success, 2 bad input (missing file, not a sweep, no indices).
"""

import argparse
import base64
import html
import io
import sys

import numpy as np
import matplotlib

import pbsim_files as pf

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


InputError = pf.InputError


def text(value):
    return str(pf.text(value))


def load(path, wanted):
    """Each analysed output: name, units, method kind, parameters and columns."""
    f = pf.open_file(path)
    with f:
        if pf.file_kind(f) != "sweep":
            f.close()
            raise InputError(f"{path}: not the output of pbsim sweep")
        if "sensitivity" not in f:
            raise InputError(f"{path}: no /sensitivity group; run "
                             f"`pbsim sensitivity {path} --output NAME` first")
        names = list(f["sensitivity"].keys())
        if wanted:
            missing = [w for w in wanted if w not in names]
            if missing:
                raise InputError(f"{path}: no indices for {', '.join(missing)}; "
                                 f"analysed outputs: {', '.join(names)}")
            names = wanted
        results = []
        for name in names:
            g = f["sensitivity"][name]
            cols, _ = pf.table(g)
            cols["parameter"] = pf.strings(pf.dataset(g, "parameter", numeric=False, ndim=1))
            results.append({
                "output": name,
                "units": text(g.attrs.get("units", "")),
                "kind": "sobol" if "total" in cols else "morris",
                "cols": cols,
                "table": text(g.attrs.get("table", "")),
            })
        return results


def draw(ax, r):
    c = r["cols"]
    params = c["parameter"]
    if r["kind"] == "sobol":
        order = np.argsort(np.nan_to_num(c["total"], nan=-1.0))  # smallest at the bottom
        y = np.arange(len(order))
        h = 0.38
        for shift, key, label, colour in ((h / 2, "total", "total (ST)", "#1f77b4"),
                                          (-h / 2, "first", "first-order (S1)", "#ff7f0e")):
            est = c[key][order]
            err = np.vstack([est - c[key + "_low"][order], c[key + "_high"][order] - est])
            ax.barh(y + shift, est, height=h, color=colour, label=label,
                    xerr=np.clip(err, 0, None), capsize=2, error_kw={"lw": 0.8})
        ax.set_xlabel("Sobol index (share of output variance), 95% bootstrap interval")
        ax.axvline(0, color="black", lw=0.6)
    else:
        order = np.argsort(np.nan_to_num(c["mu_star"], nan=-1.0))
        y = np.arange(len(order))
        est = c["mu_star"][order]
        err = np.vstack([est - c["mu_star_low"][order], c["mu_star_high"][order] - est])
        ax.barh(y, est, height=0.6, color="#1f77b4", label="mu* (mean |effect|)",
                xerr=np.clip(err, 0, None), capsize=2, error_kw={"lw": 0.8})
        ax.plot(c["sigma"][order], y, "D", color="#d62728", ms=4, label="sigma (interactions)")
        ax.set_xlabel(f"elementary effect over each parameter's range ({r['units']})")
    ax.set_yticks(y)
    ax.set_yticklabels([params[i] for i in order], fontsize=8)
    ax.set_title(f"{r['output']} ({r['units']})", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", alpha=0.3)


def figure(results):
    fig, axes = plt.subplots(len(results), 1, figsize=(7.5, 0.45 * sum(
        len(r["cols"]["parameter"]) for r in results) + 1.6 * len(results)), squeeze=False)
    for ax, r in zip(axes[:, 0], results):
        draw(ax, r)
    fig.tight_layout()
    return fig


def png_bytes(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def html_fragment(path, results):
    parts = [f'<section class="sensitivity"><h2>Sensitivity of the sweep {html.escape(path)}</h2>']
    for r in results:
        data = base64.b64encode(png_bytes(figure([r]))).decode("ascii")
        parts.append(
            f'<figure><img alt="sensitivity of {html.escape(r["output"])}" '
            f'src="data:image/png;base64,{data}"><figcaption><pre>'
            f'{html.escape(r["table"])}</pre></figcaption></figure>')
    parts.append("</section>\n")
    return "\n".join(parts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep", help="sweep output with /sensitivity (from pbsim sensitivity)")
    ap.add_argument("--output", action="append", default=[],
                    help="analysed output to draw (repeatable; default: all)")
    ap.add_argument("--out", required=True, help="PNG file, or .html for an HTML fragment")
    a = ap.parse_args(argv)
    try:
        results = load(a.sweep, a.output)
        if a.out.endswith((".html", ".htm")):
            content = html_fragment(a.sweep, results).encode()
        else:
            content = png_bytes(figure(results))
        try:
            with open(a.out, "wb") as f:
                f.write(content)
        except OSError as e:
            raise InputError(f"{a.out}: cannot write ({e.strerror})")
    except InputError as e:
        print(f"sensitivity_plot: {e}", file=sys.stderr)
        return 2
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
