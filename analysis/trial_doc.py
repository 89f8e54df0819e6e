#!/usr/bin/python3
"""Write docs/trial.md from real runs of `pbsim trial` (see scripts/trial_example.sh).

Usage: /usr/bin/python3 analysis/trial_doc.py MAIN.h5 FU12.h5 FU24.h5 PB_OFFER.h5 TEAMS.h5 SECONDS [CPU] > docs/trial.md

MAIN is the worked example (scenarios/trials/admissions_20pct.toml), FU12 and FU24
the same trial with 12 and 24 months of follow-up, PB_OFFER the budget alone
(scenarios/trials/pb_offer.toml), TEAMS the same trial randomising teams of care
coordinators (scenarios/trials/admissions_20pct_teams.toml); SECONDS (and CPU
seconds) of the MAIN run.
"""
import pathlib
import sys
import tomllib

import numpy as np

import pbsim_files as pf

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = 0.8


def load(path):
    with pf.open_file(path, kind="trial") as f:
        d, _ = pf.table(pf.group(f, "designs"))
        trials, _ = pf.table(pf.group(f, "trials"))
        attrs = pf.attrs(f)
    spec = tomllib.loads(attrs["trial_resolved"])
    return d, trials, attrs, spec


def f4(x):
    """Four decimals, without a negative zero."""
    text = f"{x:.4f}"
    return "0.0000" if text == "-0.0000" else text


def required_clusters(d, m):
    """Clusters per arm for 80% power at m participants sought: linear
    interpolation of the empirical power between the simulated designs."""
    sel = d["participants_per_cluster"] == m
    k, p = d["clusters_per_arm"][sel], d["power"][sel]
    order = np.argsort(k)
    k, p = k[order], p[order]
    for i in range(len(k)):
        if p[i] >= TARGET:
            if i == 0:
                return f"<= {int(k[0])}", float(k[0])
            k0, k1, p0, p1 = k[i - 1], k[i], p[i - 1], p[i]
            est = k0 + (TARGET - p0) * (k1 - k0) / max(p1 - p0, 1e-9)
            return f"about {int(np.ceil(est))}", float(np.ceil(est))
    return f"> {int(k[-1])}", float("nan")


def power_grid(d):
    ks = sorted(set(int(x) for x in d["clusters_per_arm"]))
    ms = sorted(set(int(x) for x in d["participants_per_cluster"]))
    lines = ["| clusters per arm | " + " | ".join(f"m = {m}" for m in ms) + " |",
             "|---:|" + "---:|" * len(ms)]
    for k in ks:
        row = []
        for m in ms:
            i = np.where((d["clusters_per_arm"] == k) & (d["participants_per_cluster"] == m))[0][0]
            row.append(f"{d['power'][i]:.2f} ({d['power_ci_low'][i]:.2f}-{d['power_ci_high'][i]:.2f})")
        lines.append(f"| {k} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def design_table(d, null_check):
    head = ("| k per arm | m sought (recruited) | power (95% CI) | rate ratio | ICC (2.5-97.5%) | "
            "design effect | uptake I | uptake C | cost per participant I | C |")
    sep = "|---:|---:|---|---:|---|---:|---:|---:|---:|---:|"
    if null_check:
        head += " type I error |"
        sep += "---:|"
    lines = [head, sep]
    for i in range(len(d["power"])):
        row = (f"| {int(d['clusters_per_arm'][i])} | {int(d['participants_per_cluster'][i])} "
               f"({d['mean_cluster_size'][i]:.0f}) | {d['power'][i]:.2f} "
               f"({d['power_ci_low'][i]:.2f}-{d['power_ci_high'][i]:.2f}) | {d['effect'][i]:.3f} | "
               f"{f4(d['icc'][i])} ({f4(d['icc_low'][i])} to {f4(d['icc_high'][i])}) | "
               f"{d['design_effect'][i]:.2f} | {d['uptake_intervention'][i]:.3f} | "
               f"{d['uptake_control'][i]:.3f} | {d['cost_intervention'][i]:,.0f} | "
               f"{d['cost_control'][i]:,.0f} |")
        if null_check:
            row += f" {d['type_one_error'][i]:.3f} |"
        lines.append(row)
    return "\n".join(lines)


def secondary_table(d, spec, unit="councils"):
    """Each secondary outcome's mean estimated effect and power, by design."""
    names = spec.get("secondary", [])
    if not names:
        return ""
    cols = [f"{int(k)}/{int(m)}" for k, m in zip(d["clusters_per_arm"], d["participants_per_cluster"])]
    lines = ["| outcome (effect) | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for name in names:
        kind = "ratio" if name in ("admissions", "crises", "bed_days") else "difference"
        e, p = d[f"secondary_{name}_effect"], d[f"secondary_{name}_power"]
        cells = [f"{x:.3g} ({q:.2f})" for x, q in zip(e, p)]
        lines.append(f"| {name} ({kind}) | " + " | ".join(cells) + " |")
    return (f"Secondary outcomes: mean estimated effect (power) by design, {unit} per arm / "
            "participants sought:\n\n" + "\n".join(lines) + "\n")


def team_section(w, d, spec, m_ref, icc_hat, ratio, upt_c, k80, dt, at, st):
    """Team or council randomisation: the team example against the council one."""
    ms = sorted(set(int(x) for x in dt["participants_per_cluster"]))
    mt = 50 if 50 in ms else ms[len(ms) // 2]
    r = dt["participants_per_cluster"] == mt
    icc_t = max(0.0, float(np.mean(dt["icc"][r])))
    ratio_t = float(np.exp(np.mean(np.log(dt["effect"][r]))))
    upt_ti = float(np.mean(dt["uptake_intervention"][r]))
    upt_tc = float(np.mean(dt["uptake_control"][r]))
    kt_text, kt = required_clusters(dt, mt)
    size = st.get("team_size", 8)
    w("## Team or council randomisation\n")
    w(f"With `unit = \"team\"` the clusters are teams of care coordinators: a council's "
      f"coordinator posts, in order, in groups of `team_size` ({size} by default, about "
      f"{30 * size} users at the default caseload of 30; the last team of a council takes the "
      "remainder, and a council with fewer posts than `team_size` is one team). Posts scale with "
      "the simulated population, so at scale 0.5 the model has half of England's teams, each of "
      "realistic size. A user belongs to the team of their coordinator's post: participants are "
      "recruited among the eligible users of a team at recruitment and analysed in its arm (ITT), "
      "but the intervention reaches a user only in the months their *current* coordinator is in an "
      "intervention team: restructuring moves users between posts of their council, and a "
      "newcomer in a slot is allocated a coordinator, so exposure can change. In the model the "
      "intervention teams' posts get a second set of their council's parameters, chosen per user "
      "by one extra index (`Simulation::add_post_overrides`); coordinators of intervention teams "
      "also tell and encourage as the intervention says (the active offer), and nothing else "
      "changes, so spillover is simulated: most peer ties are within a council, so control teams "
      "share peers (and councils' pooled assessment capacity) with intervention teams. The run "
      "without post overrides is the same code as before (`step_user` is templated on it; "
      "`docs/performance.md`).\n")
    w("`stratify = \"council\"` pairs teams of the same council (then the odd team out of "
      "each council with an odd count with another council's), so each council's crisis risk "
      "is balanced between arms; `\"dp_culture\"` and `\"size\"` pair on the team's council's "
      "culture or on the team's users at recruitment. The analysis is the same cluster-level "
      "analysis with teams as clusters, and the ICC and design effect are per team.\n")
    w(f"*Run*: `{at['command_line']}`, {at['trials']} simulated trials per design, "
      f"`scenarios/trials/admissions_20pct_teams.toml` (the worked example's intervention, teams "
      f"of {size} paired within councils):\n")
    w("```toml\n" + (ROOT / "scenarios/trials/admissions_20pct_teams.toml").read_text() + "```\n")
    w(power_grid(dt) + "\n")
    w("Power by teams per arm (rows) and participants sought per team (columns), with Wilson "
      "95% Monte Carlo intervals.\n")
    w(design_table(dt, np.all(np.isfinite(dt["type_one_error"]))) + "\n")
    w(secondary_table(dt, st, "teams"))
    lines = []
    for m in ms:
        t, _ = required_clusters(dt, m)
        lines.append(f"{m} participants: {t} teams per arm")
    w("Teams per arm for 80% power: " + "; ".join(lines) + ".\n")
    w("| | councils (worked example) | teams |\n|---|---:|---:|")
    w(f"| participants sought per cluster | {m_ref} | {mt} |")
    w(f"| ICC of admission counts | {f4(icc_hat)} | {f4(icc_t)} |")
    w(f"| ITT rate ratio | {ratio:.3f} | {ratio_t:.3f} |")
    w(f"| uptake in control participants | {upt_c:.3f} | {upt_tc:.3f} |")
    w(f"| clusters per arm for 80% power | {required_clusters(d, m_ref)[0]} | {kt_text} |")
    tot_c = 2 * k80 * m_ref if np.isfinite(k80) else float("nan")
    tot_t = 2 * kt * mt if np.isfinite(kt) else float("nan")
    fmt = lambda x: f"about {x:,.0f}" if np.isfinite(x) else "n/a"
    w(f"| participants in all | {fmt(tot_c)} | {fmt(tot_t)} |\n")
    t1 = dt["type_one_error"]
    if upt_tc > upt_c + 0.01:
        contamination = (f"Control teams share their council's peers and services with "
                         f"intervention teams: {100 * upt_tc:.0f}% of control participants held a "
                         f"budget, more than the {100 * upt_c:.0f}% of the council trial.")
    else:
        contamination = (f"Contamination is small in the model: {100 * upt_tc:.0f}% of control "
                         f"participants held a budget, against {100 * upt_c:.0f}% in the council "
                         "trial, although control teams share their council's peers, services "
                         "and (after restructuring) users with intervention teams: what spreads "
                         "between peers is awareness and encouragement, while most of the effect "
                         "on admissions is the crisis plan, which reaches only the users of "
                         "intervention teams.")
    w(f"The ICC per team ({f4(icc_t)}) is about the ICC per council ({f4(icc_hat)}): only "
      "councils differ in crisis risk, and teams of one council share it. So at equal "
      "participants per cluster the design effect is the same, and what a team trial gains is "
      "clusters: England has about 625 teams of 8 coordinators against 152 councils, so it is not "
      f"limited to 76 clusters per arm. {contamination} The ITT rate ratio is {ratio_t:.3f} "
      f"randomising teams against {ratio:.3f} randomising councils. The type I error is at or "
      f"below 5% (mean {np.nanmean(t1):.3f} over designs): pairing teams within councils balances "
      "the arms on council crisis risk, which the unpaired analysis does not use, so it is "
      "conservative; a paired analysis would gain power. Teams are an assumption about "
      "organisation (consecutive posts); a team-level spread of crisis risk would raise the ICC "
      "per team above the council's and is not modelled.\n")


def main():
    main_file, fu12_file, fu24_file, pb_file, team_file, seconds = sys.argv[1:7]
    cpu = float(sys.argv[7]) if len(sys.argv) > 7 else None
    d, trials, attrs, spec = load(main_file)
    d12, _, a12, s12 = load(fu12_file)
    d24, _, a24, s24 = load(fu24_file)
    dpb, _, apb, spb = load(pb_file)
    dtm, _, atm, stm = load(team_file)
    base_scenario = tomllib.loads(attrs["scenario_toml"])
    sigma = float(base_scenario.get("council", {}).get("crisis_sigma", 0.3))
    file_trials = int(tomllib.loads((ROOT / "scenarios/trials/admissions_20pct.toml").read_text())["trials"])
    ms = sorted(set(int(x) for x in d["participants_per_cluster"]))
    minutes = float(seconds) / 60
    m_ref = 100 if 100 in ms else ms[len(ms) // 2]
    ref = d["participants_per_cluster"] == m_ref
    icc_hat = max(0.0, float(np.mean(d["icc"][ref])))
    m_bar = float(np.mean(d["mean_cluster_size"][ref]))
    k80_text, k80 = required_clusters(d, m_ref)
    ratio = float(np.exp(np.mean(np.log(d["effect"][ref]))))
    upt_i = float(np.mean(d["uptake_intervention"][ref]))
    upt_c = float(np.mean(d["uptake_control"][ref]))
    ctl_rate = float(np.mean(d["control"][ref]))
    pb_ratio = float(np.exp(np.mean(np.log(dpb["effect"]))))
    pb_upt_i = float(np.mean(dpb["uptake_intervention"]))
    pb_upt_c = float(np.mean(dpb["uptake_control"]))
    t1 = d["type_one_error"]

    out = []
    w = out.append
    w("# Virtual cluster randomised trials (`pbsim trial`)\n")
    w("<!-- Generated by analysis/trial_doc.py from the runs of scripts/trial_example.sh; "
      "do not edit by hand. -->\n")
    w("Would a cluster randomised controlled trial of personalised care (a personal budget plus "
      "self-directed support) in mental health be feasible, and how should it be designed? "
      "`pbsim trial` answers in silico: it runs the trial many times inside the simulated "
      "England and reports the empirical power of each design, the intra-cluster correlation "
      "(ICC), the design effect, how many of those offered took a budget, how many control "
      "participants took one anyway (contamination), the diluted intention-to-treat (ITT) "
      "effect and the cost per participant in each arm.\n")
    w("```sh\nbuild/pbsim trial scenarios/trials/admissions_20pct.toml            # the worked example below\n"
      "build/pbsim trial scenarios/trials/admissions_20pct.toml -n 50 --scale 0.25   # a quick look\n"
      "build/pbsim trial scenarios/trials/admissions_20pct.toml --follow-up 24 --set crisis.pb_effect=0.4\n"
      "scripts/trial_example.sh                                              # every run on this page, then this page\n```\n")

    w("## The trial file\n")
    w("A trial file is TOML, validated like a scenario file (an unknown key, a value out of range, "
      "a missing base scenario or a follow-up that does not fit gives one message naming the file, "
      "line, key and what is accepted, and exit status 2). The worked example, "
      "`scenarios/trials/admissions_20pct.toml`:\n")
    w("```toml\n" + (ROOT / "scenarios/trials/admissions_20pct.toml").read_text() + "```\n")
    w("| Key | Meaning |\n|---|---|\n"
      "| `scenario` | Base scenario for both arms (relative to the trial file) |\n"
      "| `unit` | Unit of randomisation: `\"council\"` or `\"team\"` (a team of care coordinators: see *Team or council randomisation*) |\n"
      "| `team_size` | Care-coordinator posts per team, `unit = \"team\"` only (1-1000, default 8: about 240 users at the default caseload of 30) |\n"
      "| `clusters_per_arm` | A number or a list of designs to scan (2 to half the councils, or half the teams at the run's scale: checked when the trial starts) |\n"
      "| `participants_per_cluster` | A number or a list: eligible users recruited per cluster |\n"
      "| `recruitment` | First month of the intervention (`\"YYYY-MM\"`); participants are recruited from the state at the end of the month before |\n"
      "| `follow_up_months` | Months of follow-up from recruitment (1-240; must end within the scenario) |\n"
      "| `stratify` | `\"none\"`, or matched pairs on `\"dp_culture\"` or `\"size\"` (of the team's council, or of the team at recruitment), or for teams `\"council\"`: pairs of teams of the same council |\n"
      "| `primary`, `secondary` | Outcomes: `admissions`, `crises`, `bed_days` (rates per person-year), `qalys` (per person-year), `ascot` (mean care-related quality of life, the wellbeing score), `cost` (GBP per person-year), `uptake` (share who held a PB) |\n"
      "| `trials` | Simulated trials per design (`--trials` overrides) |\n"
      "| `alpha` | Two-sided significance level (0.05) |\n"
      "| `scale` | Share of the national population simulated (`--scale` overrides) |\n"
      "| `null_check` | Also follow every trial with no intervention anywhere: the empirical type I error of each design |\n"
      "| `[intervention]` | Parameter overrides (dotted keys of `docs/parameters.md`, time-varying ones only) applied in intervention clusters from recruitment on; for teams, not the council-wide person effects (`request.trust_effect`, `request.confidence_effect`, `request.carer_effect`, `holding.confidence_effect`) or `coordinator.assessment_capacity` (pooled by council) |\n")

    w("## What one simulated trial does\n")
    w("1. **History.** Replication *j* of the base scenario runs from its start to the month before "
      "recruitment (the same history for every design of trial *j*).\n"
      "2. **Clusters.** The councils are put in a random order keyed by (seed, *j*); a design with "
      "*k* clusters per arm takes the first 2*k*. Without stratification a random half gets the "
      "intervention; with `stratify` the 2*k* councils are sorted by DP culture (or size) into "
      "matched pairs and a coin decides which of each pair gets it. Every draw is counter-based "
      "(`Purpose::trial_randomisation`), so the allocation is reproducible and independent of threads.\n"
      "3. **Participants.** In each trial council, the eligible users (not holding a budget and not "
      "already approved for one) are put in a keyed random order and the first *m* recruited (all of "
      "them if fewer are eligible: the table shows the mean recruited). Smaller *m* are nested in "
      "larger, so the participant counts of a scan share one simulation.\n"
      "4. **Follow-up.** A copy of the world at recruitment is run for the follow-up with the "
      "intervention as council overrides (`Scenario::council_overrides`) in the intervention "
      "councils only (for teams: `Simulation::add_post_overrides`, below). Everything else is simulated as in any run: peers who hold a budget raise "
      "awareness and requests of their ties in other councils (spillover; with the default network "
      "about 1% of ties cross councils, `network.rewiring` x `network.cross_council_share`), and "
      "control councils carry on with usual care. Each participant's crises, "
      "admissions, bed-days, QALYs, ASCOT, months holding a budget and every cost category are "
      "accumulated individually by `Simulation::follow()` (costs priced with their council's "
      "parameters). A participant who leaves services (discharge, moving away, death) is followed "
      "until they leave and analysed in their arm (ITT with censoring): rates and means use the "
      "person-time observed; the newcomer who takes the slot is not a participant. Following "
      "changes nothing in the simulation (a test checks the council series are bit-identical).\n"
      "5. **Analysis, as the trial would do it** (Hayes & Moulton, *Cluster Randomised Trials*, "
      "2nd ed. 2017, analysis based on cluster-level summaries): a cluster-level analysis, robust with few clusters. For a rate, each "
      "cluster's log rate log((events + 0.5) / person-years) (half an event so that a cluster "
      "without events counts), a two-sample t-test on 2*k* - 2 degrees of freedom, and the ratio of "
      "geometric means with its interval. For a mean or a share, the difference of cluster means, "
      "same test. The matched-pair stratification is ignored in the analysis, which is slightly "
      "conservative. The ICC of the primary outcome (per-participant counts over follow-up for "
      "rates) is the one-way ANOVA estimator with arms removed (unequal sizes through n0), with "
      "Searle's F-based interval; the design effect is 1 + (m - 1) ICC with m the mean recruited "
      "cluster size.\n"
      "6. **Designs.** Power is the share of simulated trials with p < alpha, with a Wilson 95% "
      "Monte Carlo interval; the ITT effect is the geometric mean of the estimated rate ratios; "
      "the ICC is the mean estimate, with the 2.5-97.5% range of the estimates over trials (how "
      "precisely one trial would estimate it).\n")
    w("Model code: `model/simulation.hpp` (`follow`, `add_council_overrides`, `add_post_overrides`); statistics "
      "(pure functions, unit-tested on synthetic clustered data with known effect and ICC): "
      "`analysis/cluster_trial.hpp`; the trial: `runner/trial.cpp`, `runner/trial_file.cpp`.\n")

    w("## Worked example: how many councils per arm for a 20% reduction in admissions?\n")
    w(f"*Question*: how many councils per arm would a trial need to detect a 20% relative "
      f"reduction in admissions over {spec['follow_up_months']} months with 80% power (two-sided "
      f"alpha {spec['alpha']})?\n")
    w(f"*Run*: `{attrs['command_line']}`, pbsim {attrs['pbsim_version']} ({attrs['source_revision']}), "
      f"{attrs['trials']} simulated trials per design at scale {attrs['scale']} (75,000 users, about "
      f"490 per council on average; the smallest councils have fewer than 200 eligible users, "
      f"hence the recruited means below), seed "
      f"{attrs['seed']}, {attrs['created_utc']}. It took **{minutes:.1f} minutes** wall time on a "
      f"2-core machine shared with other work"
      + (f" ({cpu / 60:.1f} CPU-minutes, so about {cpu / 120:.1f} minutes on 2 free cores)" if cpu else "")
      + f", for {len(d['power'])} designs: one history to recruitment and one follow-up per "
      "cluster count (and one null follow-up) per simulated trial."
      + (f" (The trial file asks for {file_trials} simulated trials; `scripts/trial_example.sh` "
         f"runs {attrs['trials']} by default to fit a working session, with wider Monte Carlo "
         f"intervals: `TRIALS={file_trials} scripts/trial_example.sh` for the file's number.)"
         if file_trials != int(attrs["trials"]) else "") + "\n")
    w("*Intervention*: personalised care in the intervention councils from 2016-04: an active "
      "offer of a budget to everyone, DP support and advocacy for all, a named coordinator, and a "
      "personalised care plan with a crisis plan (crisis prevention reaching everyone; its "
      "effect, 0.2, was chosen so that the ITT reduction is close to 20%). Control councils: the "
      "baseline, which already has the duty to offer (active offer 0.8 from 2013).\n")
    w(f"**Answer.** The simulated ITT rate ratio of admissions is {ratio:.3f} "
      f"(a {100 * (1 - ratio):.0f}% reduction), from a control rate of {ctl_rate:.3f} admissions "
      f"per person-year. With {m_ref} participants sought per council, 80% power needs "
      f"**{k80_text} councils per arm**:\n")
    w(power_grid(d) + "\n")
    w("Power by clusters per arm (rows) and participants sought per cluster (columns), with "
      "Wilson 95% Monte Carlo intervals.\n")
    lines = []
    for m in ms:
        t, _ = required_clusters(d, m)
        lines.append(f"{m} participants: {t} councils per arm")
    m_top = ms[-1]
    top = d["participants_per_cluster"] == m_top
    w("Councils per arm for 80% power: " + "; ".join(lines) + f". The simulated ICC of admission "
      f"counts is {f4(icc_hat)} (design effect {np.mean(d['design_effect'][ref]):.2f} at m = "
      f"{m_ref}, {np.mean(d['design_effect'][top]):.2f} at m = {m_top}): councils differ in "
      "crisis risk (`council.crisis_sigma`, see *With the ICC*), so more participants per "
      "council buy less and less, and beyond a point only more councils help. England has 152 "
      "councils, 76 per arm at most.\n")
    w("Every design in full (I = intervention arm, C = control; uptake is the share of "
      "participants who held a budget at some time in follow-up, so C is contamination plus usual "
      "care; cost is public cost per participant over follow-up, GBP 2012-13, undiscounted; type I "
      "error is the rejection rate when no council gets the intervention):\n")
    w(design_table(d, np.all(np.isfinite(t1))) + "\n")
    w(secondary_table(d, spec))
    if np.all(np.isfinite(t1)):
        n = int(attrs["trials"])
        half = 2.576 * np.sqrt(0.05 * 0.95 / n)
        w(f"The type I error stays near 5% (99% Monte Carlo band {0.05 - half:.3f}-"
          f"{0.05 + half:.3f} for {n} trials: {int(np.sum(np.abs(t1 - 0.05) <= half))} of "
          f"{len(t1)} designs inside it), so the cluster-level test keeps its size in the model's "
          f"clustered data.\n")

    ks = d["clusters_per_arm"][ref]
    c_lo = float(d["uptake_control"][ref][np.argmin(ks)])
    c_hi = float(d["uptake_control"][ref][np.argmax(ks)])
    w("**Dilution.** Only part of the intervention arm takes a budget within follow-up "
      f"({100 * upt_i:.0f}% of participants held one at some time) and {100 * upt_c:.0f}% of "
      "control participants did too. That is usual care (which already offers budgets), not "
      "spillover: control uptake is the same whether "
      f"{int(ks.min())} or {int(ks.max())} councils per arm get the intervention "
      f"({c_lo:.3f} and {c_hi:.3f}), because few peer ties cross councils. "
      "Most of the 20% comes from the crisis plan, "
      "which reaches every participant from the first month: the same package without it "
      f"(below) reduces admissions by {100 * (1 - pb_ratio):.1f}%. The budget acts only on "
      "those who take it, after assessment and planning (about four months) and a six-month "
      "build-up of its effect.\n")

    w("## How the answer changes\n")
    w("### With the ICC\n")
    lam = ctl_rate * spec["follow_up_months"] / 12  # expected admissions per participant
    between = lam * (np.exp(sigma ** 2) - 1)
    w(f"The ICC comes from councils' different crisis risk: each council's crisis rates are "
      f"multiplied by a lognormal factor with `council.crisis_sigma` = {sigma:g}, drawn once from "
      "`council.seed` (the same in every replication and scenario, and normalised so that the "
      "national rate does not move; `/local_authorities/crisis_multiplier` in every run's output). "
      "The value is an assumption: mental-health admission rates are taken to vary roughly "
      "two-fold between areas of England, and 0.3 puts the ratio of the 90th to the 10th percentile "
      "council at exp(2.56 x 0.3) = 2.2 (not in the project's evidence notes, which have no area-level figure; see "
      "`docs/parameters.md`). With it the mean ICC estimate of admission counts over "
      f"{spec['follow_up_months']} months is {f4(icc_hat)} at m = {m_ref} (one trial's estimate "
      f"ranges {f4(np.mean(d['icc_low'][ref]))} to {f4(np.mean(d['icc_high'][ref]))}), the low end "
      "of the 0.01-0.05 reported for such outcomes in cluster trials; with councils alike in crisis "
      "risk (`--set council.crisis_sigma=0`, as in earlier versions of this page) it is about 0. "
      "Admissions are rare, so even a two-fold spread of the rate gives a small ICC for counts: "
      f"with {lam:.2f} expected admissions per participant over follow-up, the between-council "
      f"variance of the expected count is about {lam:.2f}^2 x (exp(sigma^2) - 1) against a "
      f"within-council variance of at least {lam:.2f} (Poisson), an ICC of roughly "
      f"{between / (1 + between):.3f} (the simulated one is lower because repeated crises and the "
      "severity mix add within-council variance). Real councils and trusts also differ in case mix "
      "and services, so a trial may meet a larger ICC. The number of clusters scales with the "
      "design effect, so for the same effect and participants:\n")
    w("| assumed ICC | design effect (m = %d) | councils per arm for 80%% power |" % m_ref)
    w("|---:|---:|---:|")
    for rho in [icc_hat, 0.005, 0.01, 0.02, 0.05]:
        de = 1 + (m_bar - 1) * rho
        de_hat = 1 + (m_bar - 1) * icc_hat
        need = k80 * de / de_hat if np.isfinite(k80) else float("nan")
        label = f"{f4(rho)} (simulated)" if rho == icc_hat else f"{rho:.3f}"
        need_text = f"about {int(np.ceil(need))}" if np.isfinite(need) else "n/a"
        if np.isfinite(need) and need > 76:
            need_text += " (more than England has)"
        w(f"| {label} | {de:.2f} | {need_text} |")
    w(f"\n(Scaled from the simulated answer by the ratio of design effects with m = {m_bar:.0f} "
      "recruited: the variance of a cluster summary is proportional to 1 + (m - 1) ICC. An "
      "approximation; to simulate it directly, raise the heterogeneity: "
      "`--set council.crisis_sigma=0.6`, say.) With an ICC of 0.02 or more, recruiting more per council buys little and the trial "
      "needs many councils.\n")

    w("### With follow-up\n")
    w("| follow-up | rate ratio (m = %d) | uptake I | uptake C | councils per arm for 80%% power (m = %d) |"
      % (m_ref, m_ref))
    w("|---:|---:|---:|---:|---:|")
    for label, dd in [("12 months", d12), (f"{spec['follow_up_months']} months", d), ("24 months", d24)]:
        r = dd["participants_per_cluster"] == m_ref
        w(f"| {label} | {np.exp(np.mean(np.log(dd['effect'][r]))):.3f} | "
          f"{np.mean(dd['uptake_intervention'][r]):.3f} | {np.mean(dd['uptake_control'][r]):.3f} | "
          f"{required_clusters(dd, m_ref)[0]} |")
    w(f"\n(12 and 24 months: `--follow-up 12` and `--follow-up 24`, {a12['trials']} simulated "
      "trials per design.) Longer follow-up gives more admissions per council, so more power "
      "for the same effect, and more time for budgets to be taken up and to work.\n")

    w("### With uptake: the budget alone\n")
    w(f"`scenarios/trials/pb_offer.toml` is the same trial without the crisis plan: any effect on "
      f"admissions comes through the budgets taken up (and the named coordinator). "
      f"{100 * pb_upt_i:.0f}% of intervention participants and {100 * pb_upt_c:.0f}% of control "
      f"participants held a budget; the ITT rate ratio is {pb_ratio:.3f}, a "
      f"{100 * (1 - pb_ratio):.1f}% reduction ({apb['trials']} simulated trials per design):\n")
    w(design_table(dpb, False) + "\n")
    best = int(np.argmax(dpb["power"]))
    w("At the model's PB effect on crises (`crisis.pb_effect` 0.2 for a fully usable budget, "
      f"0.14 in practice) and an uptake difference of {100 * (pb_upt_i - pb_upt_c):.0f} percentage "
      f"points, the ITT effect of offering budgets on admissions is {100 * (1 - pb_ratio):.1f}%: the best design "
      f"here ({int(dpb['clusters_per_arm'][best])} councils per arm, "
      f"{int(dpb['participants_per_cluster'][best])} participants each) has power "
      f"{dpb['power'][best]:.2f}. A 20% ITT reduction through budgets alone would need both a much larger "
      "uptake difference and a much larger effect in those who take one (ITT effect ~ uptake "
      "difference x effect in takers: 0.2 = 0.4 x 0.5, say). Uptake itself and cost are "
      "easy to power; care-related quality of life is not, because the gain of a budget is "
      "averaged over everyone recruited, most of whom do not take one:\n")
    w(secondary_table(dpb, spb))

    team_section(w, d, spec, m_ref, icc_hat, ratio, upt_c, k80, dtm, atm, stm)

    w("## Output\n")
    w("One HDF5 file in the netCDF-4 data model (temporary name, renamed when complete; Ctrl-C "
      "leaves nothing that looks finished): `/designs` has one row per design in the printed "
      "order, `/trials` is [design, simulated trial], each group with its own coordinates, so "
      "`xarray.open_dataset(FILE, group=\"designs\").to_dataframe()` is the table above. Every "
      "variable, its units and description, and the root attributes: "
      "[docs/hdf5-schema.md](hdf5-schema.md#pbsim-trial-virtual-cluster-randomised-trial), "
      "generated from the declared layout.\n")
    w("## Limits\n")
    w("* Teams are fixed groups of consecutive posts; real teams are also organised by locality "
      "and function, and a council's posts do not differ otherwise than by their holders. No "
      "team-level heterogeneity of crisis risk is modelled (only councils differ), so the ICC per "
      "team is that of the council heterogeneity alone. Team interventions cannot change "
      "council-wide person effects or the pooled assessment capacity (rejected with a message); "
      "council time series are priced with the council's usual-care parameters.\n"
      "* Cluster counts of a scan are separate follow-ups of one shared history per simulated "
      "trial (common random numbers across designs), so designs are positively correlated: "
      "differences between designs are estimated more precisely than each power on its own.\n"
      "* Councils differ in size, DP culture, allocation level and crisis risk (docs/odd.md); the "
      "ICC of admissions follows from `council.crisis_sigma`, an assumption. Check a design "
      "against larger ICCs (the table above, or `--set council.crisis_sigma=...`).\n"
      "* The analysis is unadjusted and ignores the matched pairs; baseline-adjusted or "
      "pair-matched analyses would gain some power.\n"
      "* Scale 0.5 (half the national population) keeps councils large enough to recruit 200 "
      "eligible users; at smaller scales small councils recruit fewer (see the recruited column).\n")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
