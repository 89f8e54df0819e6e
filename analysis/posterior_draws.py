#!/usr/bin/python3
"""Write one scenario file per draw from a calibration posterior, for a
posterior-predictive run of the baseline.

Usage:
    /usr/bin/python3 analysis/posterior_draws.py CAL.h5 --baseline scenarios/baseline.toml \\
        --draws 40 --out-dir outputs/posterior
    build/pbsim run outputs/posterior/*.toml --replications 1 --scale 0.25 \\
        --out outputs/posterior.h5

CAL.h5 is the output of `pbsim calibrate` (docs/hdf5-schema.md). The draws are
particles of its last generation resampled by weight (systematic resampling,
seeded), so together they stand for the weighted posterior, joint values kept
together (never independent marginals). Each file `extends` the baseline and
sets the draw's values; a free parameter that is a point of a timeline
("policy.active_offer@2007-12") is written as the baseline's whole timeline of
that key with the point's value replaced (a step stays a step, a ramp a ramp).
The calibration file is only read; exit status 2 for bad input.
"""
import argparse
import pathlib
import sys
import tomllib

import numpy as np

import pbsim_files as pf  # noqa: E402  (analysis/, beside this script)


class InputError(Exception):
    """Missing or malformed input."""


def posterior(path):
    """(names, theta [particle, parameter], normalised weights, generation) of the last generation."""
    with pf.open_file(path, kind="calibration") as f:
        gens = sorted(f["generations"])
        if not gens:
            raise InputError(f"{path}: no generations")
        last = f["generations"][gens[-1]]
        names = pf.strings(last["parameter"])
        theta = last["theta"][()]
        w = last["weight"][()].astype(float)
    if theta.ndim != 2 or theta.shape != (len(w), len(names)):
        raise InputError(f"{path}: generations/{gens[-1]}: theta is {theta.shape}, expected "
                         f"({len(w)}, {len(names)})")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise InputError(f"{path}: generations/{gens[-1]}/weight: weights must be finite, "
                         "non-negative and not all 0")
    return names, theta, w / w.sum(), gens[-1]


def systematic(weights, n, seed):
    """n particle indices, each drawn in proportion to its weight (systematic resampling)."""
    rng = np.random.default_rng(seed)
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), len(weights) - 1)


def effective_sample_size(weights):
    return 1.0 / float(np.sum(weights ** 2))


def number(x):
    return repr(float(x))


def timeline_text(points):
    """A TOML inline table of dated points (a number: a step; {ramp = v[, toward]}: a ramp)."""
    cells = []
    for date, v in points.items():
        if isinstance(v, dict):
            inner = f"ramp = {number(v['ramp'])}"
            if "toward" in v:
                inner += f", toward = \"{v['toward']}\""
            cells.append(f'"{date}" = {{ {inner} }}')
        else:
            cells.append(f'"{date}" = {number(v)}')
    return "{ " + ", ".join(cells) + " }"


def scenario_text(baseline_path, baseline, names, values, label):
    groups = {}
    for name, v in zip(names, values):
        key, _, point = name.partition("@")
        group, _, field = key.partition(".")
        if not point:
            groups.setdefault(group, {})[field] = number(v)
            continue
        current = groups.get(group, {}).get(field)
        if current is None:
            timeline = baseline.get(group, {}).get(field)
            if not isinstance(timeline, dict) or point not in timeline:
                raise InputError(f"{baseline_path}: {key} has no point at {point} (the "
                                 f"posterior's parameter {name})")
            current = dict(timeline)
        old = current[point]
        current[point] = dict(old, ramp=float(v)) if isinstance(old, dict) else float(v)
        groups.setdefault(group, {})[field] = current
    lines = [f"# {label}; written by analysis/posterior_draws.py, do not edit.",
             f'extends = "{baseline_path.resolve()}"',
             f'name = "{label.split(":")[0]}"',
             f'description = "{label}"']
    for group, fields in groups.items():
        lines.append(f"\n[{group}]")
        for field, v in fields.items():
            lines.append(f"{field} = {timeline_text(v) if isinstance(v, dict) else v}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("calibration", help="HDF5 output of pbsim calibrate")
    ap.add_argument("--baseline", required=True, help="the calibrated scenario file")
    ap.add_argument("--draws", type=int, default=40, help="number of draws (default 40)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the resampling (default 1)")
    ap.add_argument("--out-dir", required=True, help="directory for draw_NNN.toml")
    args = ap.parse_args(argv)
    try:
        if args.draws < 1 or args.draws > 100000:
            raise InputError(f"--draws {args.draws}: accepted 1 to 100000")
        names, theta, w, gen = posterior(args.calibration)
        base_path = pathlib.Path(args.baseline)
        baseline = tomllib.loads(base_path.read_text())
        picks = systematic(w, args.draws, args.seed)
        texts = [scenario_text(base_path, baseline, names, theta[p],
                               f"draw_{k:03d}: posterior draw {k} (particle {p} of generation "
                               f"{gen})") for k, p in enumerate(picks)]
    except (InputError, pf.InputError, OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        print(f"posterior_draws.py: error: {exc}", file=sys.stderr)
        return 2
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("draw_*.toml"):
        old.unlink()
    for k, text in enumerate(texts):
        (out / f"draw_{k:03d}.toml").write_text(text, encoding="utf-8")
    print(f"posterior_draws.py: wrote {len(texts)} draws to {out} ({len(set(picks.tolist()))} "
          f"distinct particles; effective sample size of the posterior {effective_sample_size(w):.0f} "
          f"of {len(w)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
