#!/usr/bin/python3
"""Rewrite a calibration output of the first layout (dimension-less tables, fixed-length
strings, no `kind`) in today's netCDF-4 layout, values unchanged. The committed posterior
(scenarios/calibration/baseline-posterior.h5) took 30 minutes to compute; this keeps it
instead of recomputing it when the layout changed.

The layout is taken from a TEMPLATE: any calibration file today's pbsim writes for the same
calibration (a tiny one does), e.g.

    build/pbsim calibrate scenarios/calibration/baseline.toml --particles 4 --generations 1 \\
        -r 1 --scale 0.01 -q -o /tmp/template.h5
    /usr/bin/python3 scripts/upgrade_calibration.py OLD.h5 /tmp/template.h5 NEW.h5

Every group, coordinate, variable and attribute (units, long_name, description) of the
template is written, with the data of OLD; the provenance of OLD is kept and the conversion
added to `history`. Written to NEW.partial and renamed when complete.
"""
import datetime
import os
import sys

import h5py
import numpy as np

TEXT = h5py.string_dtype("utf-8")
SKIP = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"}


def text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def is_scale(ds):
    return ds.attrs.get("CLASS", b"") in (b"DIMENSION_SCALE", "DIMENSION_SCALE")


def copy_group(tpl, new, data, group_attrs):
    """Build `new` like `tpl`: scales first, then variables; data(name) gives the values."""
    scales = {}
    for name, ds in tpl.items():
        if isinstance(ds, h5py.Dataset) and is_scale(ds):
            values = data(name)
            out = new.create_dataset(name, data=values, dtype=TEXT if ds.dtype.kind == "O" else ds.dtype)
            out.make_scale(name)
            scales[name] = out
    for name, ds in tpl.items():
        if not isinstance(ds, h5py.Dataset) or name in scales:
            continue
        values = data(name)
        out = new.create_dataset(name, data=values, dtype=TEXT if ds.dtype.kind == "O" else ds.dtype)
        for i, dim in enumerate(ds.dims):
            out.dims[i].attach_scale(scales[dim[0].name.rsplit("/", 1)[-1]])
    for name, ds in tpl.items():
        if isinstance(ds, h5py.Dataset):
            for k, v in ds.attrs.items():
                if k not in SKIP:
                    new[name].attrs[k] = v
    for k, v in tpl.attrs.items():
        new.attrs[k] = v
    for k, v in group_attrs.items():
        new.attrs[k] = v


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    old_path, tpl_path, out_path = sys.argv[1:]
    partial = out_path + ".partial"
    with h5py.File(old_path, "r") as old, h5py.File(tpl_path, "r") as tpl, \
            h5py.File(partial, "w", track_order=True) as new:
        if "kind" in old.attrs:
            sys.exit(f"{old_path}: already in today's layout (kind = {old.attrs['kind']})")
        parameters = text(old["parameters/name"][()])
        targets = len(old["targets/name"])
        coords = {"parameter": parameters, "target": np.arange(targets, dtype=np.int32)}
        for k, v in old.attrs.items():
            new.attrs[k] = v
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for k in ("Conventions", "title", "distance"):
            if k in tpl.attrs and k not in old.attrs:
                new.attrs[k] = tpl.attrs[k]
        new.attrs["kind"] = "calibration"
        new.attrs["source"] = f"pbsim {old.attrs['pbsim_version']} ({old.attrs['source_revision']})"
        new.attrs["history"] = (f"{old.attrs['created_utc']}: {old.attrs['command_line']}\n"
                                f"{now}: rewritten in the netCDF-4 layout by "
                                "scripts/upgrade_calibration.py, values unchanged")

        def from_old(group, renames=None):
            def data(name):
                if name in coords and f"{group}/{name}" not in old:
                    return coords[name]
                source = (renames or {}).get(name, name)
                values = old[f"{group}/{source}"][()]
                return text(values) if values.dtype.kind == "S" else values
            return data

        copy_group(tpl["parameters"], new.create_group("parameters", track_order=True),
                   from_old("parameters", {"parameter": "name"}), {})
        copy_group(tpl["targets"], new.create_group("targets", track_order=True),
                   from_old("targets"), {})
        gens = new.create_group("generations", track_order=True)
        for k, v in tpl["generations"].attrs.items():
            gens.attrs[k] = v
        template_generation = tpl["generations"][sorted(tpl["generations"])[0]]
        for g in sorted(old["generations"]):
            particles = len(old[f"generations/{g}/weight"])
            coords["particle"] = np.arange(particles, dtype=np.int32)
            copy_group(template_generation, gens.create_group(g, track_order=True),
                       from_old(f"generations/{g}"), dict(old[f"generations/{g}"].attrs))
        copy_group(tpl["posterior"], new.create_group("posterior", track_order=True),
                   from_old("posterior"), dict(old["posterior"].attrs))
        fit_names = text(old["targets/name"][()])
        fit = from_old("fit")
        copy_group(tpl["fit"], new.create_group("fit", track_order=True),
                   lambda name: fit_names if name == "name" else fit(name), {})
    os.replace(partial, out_path)
    print(f"wrote {out_path} from {old_path} (layout of {tpl_path})")


if __name__ == "__main__":
    main()
