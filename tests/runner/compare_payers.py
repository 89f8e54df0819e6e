#!/usr/bin/python3
"""Who pays and who saves, end to end: a real small run of three shipped scenarios, then
`pbsim compare` and analysis/scenarios_doc.py on it.

compare: every scenario's printed output starts with its cost by payer (NHS, council,
person, NHS + PSS, all payers); the paired payer differences add up to the paired total;
the cost-effectiveness takes the NHS + PSS perspective (cost_perspective and cost_column
of /comparison), and its incremental cost, ICER and NMB are those computed here from
/summary. scenarios_doc: each policy scenario has a payer section whose payer figures add
up to its total, and the categories it names per payer add up to that payer's change.
Usage: compare_payers.py PBSIM_BINARY
"""
import pathlib
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
import pbsim_files as pf  # noqa: E402  (analysis/ is on PYTHONPATH: tests/CMakeLists.txt)
import scenarios_doc  # noqa: E402

POLICIES = ("crisis_prevention", "integrated_budgets")
PAYERS = ("nhs", "council", "person")
PRINTED = ("NHS", "council (social care)", "person (charges)", "NHS + PSS (NICE reference case)",
           "all payers")


def check(condition, message):
    if not condition:
        sys.exit(f"compare_payers: FAIL: {message}")


def printed_sections(stdout):
    """{scenario: [lines]} of compare's per-scenario blocks."""
    blocks, name = {}, None
    for line in stdout.splitlines():
        if line and not line.startswith(" ") and line in POLICIES:
            name = line
            blocks[name] = []
        elif name and not line.strip():
            name = None
        elif name:
            blocks[name].append(line)
    return blocks


def check_compare(pbsim, run):
    done = subprocess.run([pbsim, "compare", str(run)], capture_output=True, text=True)
    check(done.returncode == 0, f"compare failed: {done.stderr}")
    blocks = printed_sections(done.stdout)
    check(sorted(blocks) == sorted(POLICIES), f"scenario blocks {sorted(blocks)}")
    for name, lines in blocks.items():
        # The block opens with the payers, in this order, before outcomes and categories.
        check(lines[0].strip().startswith("cost by payer (GBP million"), f"{name}: {lines[0]}")
        labels = [ln[2:40].strip() for ln in lines[1:1 + len(PRINTED)]]
        check(labels == list(PRINTED), f"{name}: payer rows {labels}")
        check(lines[1 + len(PRINTED)].strip() == "outcomes", f"{name}: no outcomes after payers")
        check(any("cost by category" in ln for ln in lines), f"{name}: no categories")
        # Printed to GBP 0.01 million: NHS + council + person = all payers within rounding.
        diff = [float(re.search(r"([+-][\d.]+) \[", ln).group(1)) for ln in lines[1:6]]
        check(abs(diff[0] + diff[1] + diff[2] - diff[4]) <= 0.016,
              f"{name}: printed payers {diff[:3]} do not add up to {diff[4]}")
    check("perspective: NHS and personal social services (eval_cost_nhs_pss_discounted"
          in done.stdout, "the perspective is not printed")

    with h5py.File(run, "r") as f:
        c = f["comparison"]
        check(c.attrs["cost_perspective"] == "NHS and personal social services",
              f"cost_perspective {c.attrs['cost_perspective']}")
        check(c.attrs["cost_column"] == "eval_cost_nhs_pss_discounted",
              f"cost_column {c.attrs['cost_column']}")
        scen, outc = pf.strings(c["scenario"]), pf.strings(c["outcome"])
        row = {(s, o): i for i, (s, o) in enumerate(zip(scen, outc))}
        md = c["mean_difference"][:]
        base = f["scenarios/baseline/summary"]
        ce = c["cost_effectiveness"]
        names = pf.strings(ce["scenario"])
        for name in POLICIES:
            s = f[f"scenarios/{name}/summary"]
            for window in ("eval_", ""):
                parts = sum(md[row[(name, f"{window}cost_{p}_discounted")]] for p in PAYERS)
                total = md[row[(name, f"{window}cost_total_discounted")]]
                check(np.isclose(parts, total, rtol=1e-9, atol=1.0),
                      f"{name}: {window}payers {parts} != total {total}")
            pss = md[row[(name, "eval_cost_nhs_pss_discounted")]]
            nhs_council = sum(md[row[(name, f"eval_cost_{p}_discounted")]] for p in PAYERS[:2])
            check(np.isclose(pss, nhs_council, atol=1.0), f"{name}: NHS + PSS != NHS + council")
            # The ICER and NMB from /summary's NHS + PSS column, not the all-payer total.
            d_cost = (s["eval_cost_nhs_pss_discounted"][:] - base["eval_cost_nhs_pss_discounted"][:])
            d_qaly = s["eval_qalys_discounted"][:] - base["eval_qalys_discounted"][:]
            k = names.index(name)
            check(np.isclose(ce["incremental_cost"][k], d_cost.mean()),
                  f"{name}: incremental cost {ce['incremental_cost'][k]} != {d_cost.mean()}")
            check(np.isclose(ce["icer"][k], d_cost.mean() / d_qaly.mean()),
                  f"{name}: ICER {ce['icer'][k]} != {d_cost.mean() / d_qaly.mean()}")
            check(np.isclose(ce["nmb_20000"][k], (20000 * d_qaly - d_cost).mean()),
                  f"{name}: NMB at 20,000")
            d_all = s["eval_cost_total_discounted"][:] - base["eval_cost_total_discounted"][:]
            check(not np.isclose(d_all.mean(), d_cost.mean(), rtol=1e-12, atol=0),
                  f"{name}: the person's charges did not change, so this test cannot tell the "
                  "perspectives apart")


def check_scenarios_doc(run):
    done = subprocess.run(["/usr/bin/python3", str(ROOT / "analysis" / "scenarios_doc.py"),
                           str(run)], capture_output=True, text=True)
    check(done.returncode == 0, f"scenarios_doc failed: {done.stderr}")
    doc = done.stdout
    check("| scenario | uptake at end" in doc, "the headline table is gone")
    for name in POLICIES:
        section = doc.split(f"## `{name}`\n", 1)[1].split("\n## ", 1)[0]
        check("### Mechanism and who pays" in section, f"{name}: no payer section")
        check("**Mechanism.**" in section, f"{name}: no mechanism")
        rows = dict(re.findall(r"^\| (NHS|council|person|all payers) \| ([+-][\d,.]+) \[",
                               section, re.M))
        check(sorted(rows) == sorted(["NHS", "council", "person", "all payers"]),
              f"{name}: payer rows {rows}")
        value = {k: float(v.replace(",", "")) for k, v in rows.items()}
        check(abs(value["NHS"] + value["council"] + value["person"] - value["all payers"])
              <= 0.016, f"{name}: payer figures {value} do not add up")
        check("Outcome drivers" in section and "new budgets" in section
              and "crises" in section and "admissions" in section, f"{name}: no drivers")
    # The mechanism comes from the file the run recorded (integrated_budgets has one).
    mech = scenarios_doc.mechanism(ROOT / "scenarios" / "integrated_budgets.toml")
    check(mech and mech[:40] in doc, "integrated_budgets' Mechanism paragraph is not in the doc")
    # The per-payer categories attribute every category by model/payers.cpp's rules: they
    # add up to the payer's own summary column (a rule changed there but not in
    # scenarios_doc fails here).
    with pf.open_file(run, kind="run") as f:
        runs = {s.name: s for s in pf.scenarios(f)}
        for name in POLICIES:
            parts = scenarios_doc.payer_parts(runs["baseline"], runs[name])
            for p in PAYERS:
                col = f"eval_cost_{p}_discounted"
                want = (runs[name].summary[col] - runs["baseline"].summary[col]).mean()
                got = sum(parts[p].values())
                check(np.isclose(got, want, rtol=1e-6, atol=1.0),
                      f"{name}: {p} categories add up to {got}, the payer column to {want}")


def main(pbsim):
    with tempfile.TemporaryDirectory(prefix="pbsim-payers-") as tmp:
        run = pathlib.Path(tmp) / "payers.h5"
        files = [str(ROOT / "scenarios" / f"{n}.toml") for n in ("baseline",) + POLICIES]
        done = subprocess.run([pbsim, "run", *files, "--scale", "0.01", "--replications", "3",
                               "--seed", "5", "--threads", "2", "--quiet", "--out", str(run)],
                              capture_output=True, text=True)
        check(done.returncode == 0, f"pbsim run failed: {done.stderr}")
        check_compare(pbsim, run)
        check_scenarios_doc(run)
    print("compare_payers: OK")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
