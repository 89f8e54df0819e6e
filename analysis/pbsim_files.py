"""Reading pbsim output files (layout: docs/hdf5-schema.md), for every analysis script.

One place that knows the layout: the kind of file, where each scenario's groups are, the
month axis (a CF time coordinate beside YYYY-MM labels), strings, tables and their units.
Every check raises InputError with a message naming the file and the dataset; files are only
ever opened read-only and never created (a zero-byte file or a folder is refused before h5py
sees it).

    import pbsim_files as pf
    with pf.open_file("outputs/comparison.h5", kind="run") as f:
        for s in pf.scenarios(f):
            print(s.name, pf.months(s.timeseries)[-1], s.summary["cost_total"].mean())

Needs h5py and numpy only (Debian python3-h5py, python3-numpy).
"""
import os
import pathlib
import stat

import h5py
import numpy as np

EPOCH = np.datetime64("1970-01-01", "D")


class InputError(Exception):
    """A file is missing, is not a pbsim output of the kind needed, or is malformed."""


def text(value):
    """An HDF5 attribute or string element as a plain Python value or str."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(-1)[0]
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", "replace").rstrip("\0")
    if isinstance(value, np.generic):
        return value.item()
    return value


def strings(ds):
    """A dataset of strings as a list of str."""
    return [text(v) for v in np.asarray(ds[()]).reshape(-1)]


def attrs(obj):
    """Every attribute of a file, group or dataset as plain Python values."""
    return {k: text(v) for k, v in obj.attrs.items()}


def check_path(path):
    """Refuse, naming the path, what is not a readable, non-empty regular file."""
    p = pathlib.Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder, not a pbsim output file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: not a regular file")
    if st.st_size == 0:
        raise InputError(f"{path}: is empty (0 bytes), not an HDF5 file")
    if not os.access(p, os.R_OK):
        raise InputError(f"{path}: cannot read (permission denied)")
    return p


def file_kind(f):
    """The root attribute kind: run, sweep, trial or calibration ("" if absent)."""
    return str(text(f.attrs.get("kind", "")))


def open_file(path, kind=None):
    """Open a pbsim output read-only, after checking it is one (of `kind`, if given)."""
    p = check_path(path)
    if not h5py.is_hdf5(p):
        raise InputError(f"{path}: not an HDF5 file")
    try:
        f = h5py.File(p, "r")
    except OSError as exc:
        raise InputError(f"{path}: cannot open as HDF5 ({exc})") from None
    found = file_kind(f)
    if kind is not None and found != kind:
        f.close()
        if not found:
            raise InputError(f"{path}: not a pbsim output (no root attribute kind)")
        raise InputError(f"{path}: a pbsim {found} file, not a {kind} file")
    return f


def dataset(group, name, ndim=None, numeric=True, shape=None):
    """group[name] as a dataset, checked: present, numeric (or text), of ndim and shape
    (None entries match any length); InputError names the dataset otherwise."""
    path = f"{group.name.rstrip('/')}/{name}"
    where = f"{group.file.filename}: dataset {path}"
    if name not in group:
        raise InputError(f"{where} is missing")
    ds = group[name]
    if not isinstance(ds, h5py.Dataset):
        raise InputError(f"{where} is a group, not a dataset")
    if numeric and ds.dtype.kind not in "fiu":
        raise InputError(f"{where} is not numeric ({ds.dtype})")
    if not numeric and ds.dtype.kind not in "OSU":
        raise InputError(f"{where} is not text ({ds.dtype})")
    if ndim is not None and ds.ndim != ndim:
        raise InputError(f"{where} has {ds.ndim} dimensions, expected {ndim}")
    if shape is not None:
        if len(shape) != ds.ndim or any(s is not None and s != d for s, d in zip(shape, ds.shape)):
            want = ", ".join("*" if s is None else str(s) for s in shape)
            raise InputError(f"{where} has shape {list(ds.shape)}, expected [{want}]")
    return ds


def group(parent, name):
    """parent[name] as a group, or InputError naming it."""
    if name not in parent or not isinstance(parent[name], h5py.Group):
        raise InputError(f"{parent.file.filename}: group {parent.name.rstrip('/')}/{name} is missing")
    return parent[name]


def coordinates(g):
    """Names of the coordinate variables (dimension scales) of a group."""
    return [k for k, v in g.items()
            if isinstance(v, h5py.Dataset) and h5py.h5ds.is_scale(v.id)]


def table(g, numeric_only=False):
    """A table group as {column: numpy array} without its coordinates, in file order,
    and {column: units}."""
    coords = set(coordinates(g))
    columns, units = {}, {}
    for k, ds in g.items():
        if k in coords or not isinstance(ds, h5py.Dataset):
            continue
        if ds.dtype.kind in "OSU":
            if numeric_only:
                continue
            columns[k] = np.array(strings(ds), dtype=object)
        else:
            columns[k] = ds[()]
        units[k] = str(text(ds.attrs.get("units", "")))
    return columns, units


def months(g):
    """The month axis of a group as datetime64[M]: from the CF coordinate `month` (days since
    1970-01-01) or, failing that, the YYYY-MM labels."""
    if "month" in g and g["month"].dtype.kind in "iuf":
        ds = g["month"]
        units = str(text(ds.attrs.get("units", "")))
        if not units.startswith("days since 1970-01-01"):
            raise InputError(f"{g.file.filename}: dataset {ds.name} has units {units!r}, "
                             "expected 'days since 1970-01-01'")
        return (EPOCH + ds[()].astype("timedelta64[D]")).astype("datetime64[M]")
    if "month_label" in g:
        return np.array(strings(g["month_label"]), dtype="datetime64[M]")
    raise InputError(f"{g.file.filename}: {g.name} has no month coordinate")


class Scenario:
    """One scenario of a run file: its name, group prefix, attributes and groups."""

    def __init__(self, f, name, prefix, g):
        self.name, self.prefix, self.group = name, prefix, g
        self.attrs = attrs(f)
        self.attrs.update(attrs(g) if prefix else {})
        self.timeseries = group(g, "timeseries")
        self.summary_group = group(g, "summary")
        self.summary, self.units = table(self.summary_group, numeric_only=True)

    @property
    def path(self):
        return str(self.group.file.filename) + (f":{self.prefix}" if self.prefix else "")

    def payer_shares(self):
        """Who pays each cost category: {category without "cost_": (NHS, council, person)}
        from the scenario's /payers table (model/payers.cpp), or {} in files without one."""
        if "payers" not in self.group:
            return {}
        g = self.group["payers"]
        share = dataset(g, "share", ndim=2)[()]
        payers = strings(g["payer"])
        if payers != ["nhs", "council", "person"]:
            raise InputError(f"{g.file.filename}: {g.name}/payer is {payers}, "
                             "expected nhs, council, person")
        cats = strings(g["cost_category"])
        if share.shape != (len(cats), 3):
            raise InputError(f"{g.file.filename}: {g.name}/share has shape {share.shape}, "
                             f"expected ({len(cats)}, 3)")
        return {c[len("cost_"):]: tuple(float(x) for x in row) for c, row in zip(cats, share)}


def scenarios(f, validate=True):
    """The scenarios of a run file, in command-line order: the root of a one-scenario file,
    or each /scenarios/<name>. With `validate`, checks what every reader relies on: both
    groups, a non-empty summary, and R replications everywhere (the root attribute)."""
    if "timeseries" in f:
        out = [Scenario(f, str(text(f.attrs.get("scenario_name", pathlib.Path(f.filename).stem))),
                        "", f)]
    elif "scenarios" in f:
        names = [n for n in str(text(f.attrs.get("scenario_names", ""))).split(",") if n]
        missing = [n for n in names if n not in f["scenarios"]]
        if missing:
            raise InputError(f"{f.filename}: group /scenarios/{missing[0]} is missing "
                             "(named in the root attribute scenario_names)")
        names = names or list(f["scenarios"])
        out = [Scenario(f, n, f"/scenarios/{n}", f["scenarios"][n]) for n in names]
    else:
        raise InputError(f"{f.filename}: not a pbsim run (no /timeseries or /scenarios group)")
    if validate:
        reps = f.attrs.get("replications")
        if reps is None:
            raise InputError(f"{f.filename}: root attribute replications is missing")
        reps = int(text(reps))
        for s in out:
            if not s.summary:
                raise InputError(f"{f.filename}: group {s.summary_group.name} has no summary columns")
            for k in s.summary:
                dataset(s.summary_group, k, shape=(reps,))
            for m in ("population", "holding_dp", "holding_managed"):
                dataset(s.timeseries, m, shape=(reps, None, None))
    return out


def councils(f):
    """The /local_authorities table ({column: array}, codes under local_authority), or None."""
    if "local_authorities" not in f:
        return None
    g = f["local_authorities"]
    cols, _ = table(g)
    if "local_authority" in g:
        cols["code"] = np.array(strings(g["local_authority"]), dtype=object)
    return cols
