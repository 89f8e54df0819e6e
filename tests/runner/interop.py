#!/usr/bin/python3
"""Every kind of pbsim file opens in the tools analysts use, with the values h5py reads:
xarray with both engines (h5netcdf, netcdf4) on every data group, with labelled
coordinates and a decoded time axis; ncdump -h; R (hdf5r, axes reversed); Octave
(netcdf package, ncread). Files: a run of one scenario, a run of two, compare's result,
a sweep, sensitivity's result, a trial and a calibration, all tiny.
Usage: interop.py PBSIM_BINARY
"""
import pathlib
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import xarray as xr

FILES = {
    "tiny.toml": 'name = "tiny"\nstart = "2001-01"\nend = "2002-06"\n'
                 "[population]\nusers = 2000\ncouncils = 6\n",
    "policy.toml": 'extends = "tiny.toml"\nname = "policy"\n'
                   '[crisis_prevention]\ncoverage = { "2002-01" = 1.0 }\n',
    "sweep.toml": 'base = "tiny.toml"\ndesign = "sobol"\npoints = 2\nreplications = 2\nseed = 3\n'
                  'scale = 1\noutputs = ["summary", "timeseries"]\n[parameters]\n'
                  '"awareness.from_coordinator" = { min = 0.01, max = 0.08 }\n'
                  '"coordinator.caseload" = [25, 30]\n',
    "tbase.toml": 'start = "2001-01"\nend = "2003-12"\n[population]\nusers = 3000\ncouncils = 20\n',
    "trial.toml": 'scenario = "tbase.toml"\nclusters_per_arm = [3, 4]\nparticipants_per_cluster = 10\n'
                  'recruitment = "2002-06"\nfollow_up_months = 6\nprimary = "crises"\n'
                  'secondary = ["uptake"]\ntrials = 3\nscale = 1\n[intervention]\npolicy.active_offer = 1\n',
    "s.toml": 'start = "2001-01"\nend = "2002-12"\n[population]\nusers = 20000\ncouncils = 6\n',
    "t.csv": "target,period,value,unit,tolerance,kind,source\n"
             "requests,2002,100,people,+-50%,count,synthetic\n"
             "refusals,2002,10,people,+-50%,count,synthetic\n",
    "cal.toml": 'scenario = "s.toml"\ntargets = "t.csv"\nseed = 5\nscale = 0.05\nreplications = 1\n'
                'particles = 4\ngenerations = 2\n[parameters]\n"request.base_rate" = [0.002, 0.05]\n'
                '"assessment.approval_base" = [-1.0, 4.0]\n'
                '[[target]]\nname = "requests"\nperiod = "2002"\noutput = "new_requests_total"\n'
                '[[target]]\nname = "refusals"\nperiod = "2002"\noutput = "refusals_total"\n',
}


def check(condition, message):
    if not condition:
        sys.exit(f"interop: FAIL: {message}")


def same(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def data_groups(f):
    """Every group holding datasets."""
    out = []
    f.visititems(lambda name, obj: out.append(name) if isinstance(obj, h5py.Group) and any(
        isinstance(v, h5py.Dataset) for v in obj.values()) else None)
    return out


def check_xarray(path, group, f):
    g = f[group]
    for engine in ("h5netcdf", "netcdf4"):
        where = f"{path.name}:{group} ({engine})"
        try:
            ds = xr.open_dataset(path, group=group, engine=engine)
        except Exception as exc:  # noqa: BLE001  (any failure to open is the finding)
            check(False, f"{where}: cannot open: {exc!r}")
        with ds:
            for name, h in g.items():
                if not isinstance(h, h5py.Dataset):
                    continue
                check(name in ds.variables, f"{where}: {name} missing")
                v = ds[name]
                if h.dtype.kind == "O":
                    check(list(v.values.astype(str)) == list(h.asstr()[()]), f"{where}: {name} text differs")
                elif name == "month":
                    check(np.issubdtype(v.dtype, np.datetime64), f"{where}: month is not decoded to time")
                    days = (v.values.astype("datetime64[D]") - np.datetime64("1970-01-01")).astype(int)
                    check(np.array_equal(days, h[()]), f"{where}: month days differ")
                else:
                    check(same(v.values, h[()]), f"{where}: {name} values differ from h5py")
                if h.ndim:
                    for d in v.dims:
                        check(d in ds.coords, f"{where}: {name}: dimension {d} has no coordinate")
                for a in ("long_name", "description"):
                    check(a in v.attrs, f"{where}: {name} has no {a}")
                if h.dtype.kind in "fiu" and name != "month":
                    check(v.attrs.get("units", "") != "", f"{where}: {name} has no units")
            if ds.data_vars:
                frame = ds.to_dataframe()
                check(len(frame) > 0, f"{where}: to_dataframe() is empty")


def main():
    pbsim = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for name, text in FILES.items():
            (tmp / name).write_text(text)

        def pb(*args):
            res = subprocess.run([pbsim, *args], cwd=tmp, capture_output=True, text=True)
            check(res.returncode == 0, f"pbsim {' '.join(args)}: {res.stderr}")

        pb("run", "tiny.toml", "-r", "2", "--quiet", "--out", "one.h5")
        pb("run", "tiny.toml", "policy.toml", "-r", "3", "--quiet", "--out", "two.h5")
        pb("compare", "two.h5", "-q", "--out", "compared.h5")
        pb("sweep", "sweep.toml", "--quiet", "--out", "sweep.h5")
        pb("sensitivity", "sweep.h5", "--output", "cost_total", "--bootstrap", "20", "-q",
           "--out", "sensitivity.h5")
        pb("trial", "trial.toml", "--quiet", "--out", "trial.h5")
        pb("calibrate", "cal.toml", "--quiet", "--out", "cal.h5")
        files = ["one.h5", "two.h5", "compared.h5", "sweep.h5", "sensitivity.h5", "trial.h5", "cal.h5"]
        kinds = {"one.h5": "run", "two.h5": "run", "compared.h5": "run", "sweep.h5": "sweep",
                 "sensitivity.h5": "sweep", "trial.h5": "trial", "cal.h5": "calibration"}

        probes = []  # (file, dataset) read from R and Octave
        for name in files:
            path = tmp / name
            dump = subprocess.run(["ncdump", "-h", str(path)], capture_output=True, text=True)
            check(dump.returncode == 0, f"ncdump -h {name}: {dump.stderr}")
            with h5py.File(path, "r") as f:
                check(f.attrs["kind"] == kinds[name], f"{name}: kind {f.attrs['kind']}")
                check(f.attrs["Conventions"] == "CF-1.8", f"{name}: no Conventions")
                groups = data_groups(f)
                check(groups, f"{name}: no data groups")
                for group in groups:
                    check_xarray(path, group, f)
                # The largest numeric dataset of the file.
                numeric = []
                f.visititems(lambda n, o: numeric.append(n) if isinstance(o, h5py.Dataset)
                             and o.dtype.kind == "f" else None)
                biggest = max(numeric, key=lambda n: (f[n].ndim, f[n].size))
                probes.append((name, "/" + biggest, f[biggest][()]))
        # Add explicit probes of compare's and sensitivity's groups.
        with h5py.File(tmp / "compared.h5", "r") as f:
            probes.append(("compared.h5", "/comparison/mean_difference", f["comparison/mean_difference"][()]))
        with h5py.File(tmp / "sensitivity.h5", "r") as f:
            probes.append(("sensitivity.h5", "/sensitivity/cost_total/total",
                           f["sensitivity/cost_total/total"][()]))

        # R (hdf5r): one line per probe, the dims then the values in R's (column-major) order.
        r_lines = ["library(hdf5r)", "out <- file('r.txt', 'w')"]
        for name, ds, _ in probes:
            r_lines += [f"f <- H5File$new('{name}', mode = 'r')", f"x <- f[['{ds}']]$read()",
                        "d <- if (is.null(dim(x))) length(x) else dim(x)",
                        "writeLines(paste(paste(d, collapse = ','), paste(sprintf('%.17g', as.vector(x)), "
                        "collapse = ' ')), out)", "f$close_all()"]
        r_lines.append("close(out)")
        (tmp / "read.R").write_text("\n".join(r_lines) + "\n")
        res = subprocess.run(["Rscript", "read.R"], cwd=tmp, capture_output=True, text=True)
        check(res.returncode == 0, f"Rscript: {res.stderr}")
        # Octave (netcdf package): ncread, dims reversed likewise.
        o_lines = ["pkg load netcdf", "out = fopen('octave.txt', 'w');"]
        for name, ds, _ in probes:
            o_lines += [f"x = ncread('{name}', '{ds}');", "d = size(x); if isvector(x), d = numel(x); end",
                        "fprintf(out, '%s', strjoin(arrayfun(@num2str, d, 'UniformOutput', false), ','));",
                        "fprintf(out, ' %.17g', x(:)); fprintf(out, '\\n');"]
        o_lines.append("fclose(out);")
        (tmp / "read.m").write_text("\n".join(o_lines) + "\n")
        res = subprocess.run(["octave-cli", "--no-gui", "--quiet", "read.m"], cwd=tmp,
                             capture_output=True, text=True)
        check((tmp / "octave.txt").is_file(), f"octave: {res.stderr}")

        for tool, text in (("R", (tmp / "r.txt").read_text()), ("Octave", (tmp / "octave.txt").read_text())):
            lines = text.strip().split("\n")
            check(len(lines) == len(probes), f"{tool}: {len(lines)} results for {len(probes)} datasets")
            for (name, ds, values), line in zip(probes, lines):
                dims, *numbers = line.split()
                got = np.array([float(v) for v in numbers])
                shape = tuple(int(d) for d in dims.split(","))
                want = values.shape if values.ndim > 1 else (values.size,)
                # R and Octave reverse the axes: their shape is h5py's reversed and their
                # column-major order is h5py's row-major order.
                check(shape == tuple(reversed(want)), f"{tool} {name}:{ds}: shape {shape}, h5py {want}")
                check(same(got, values.reshape(-1)), f"{tool} {name}:{ds}: values differ from h5py")
        print(f"interop: OK ({len(files)} files, {len(probes)} datasets read from R and Octave)")


if __name__ == "__main__":
    main()
