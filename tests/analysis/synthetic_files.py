"""Synthetic pbsim files for the analysis tests, in the layout of docs/hdf5-schema.md:
every data group defines its coordinates (HDF5 dimension scales), months are a CF time
coordinate beside YYYY-MM labels, strings are variable-length UTF-8."""
import h5py
import numpy as np

EPOCH = np.datetime64("1970-01-01", "D")


def month_days(labels):
    """Days since 1970-01-01 of the first day of each YYYY-MM month."""
    return (np.array(labels, dtype="datetime64[M]").astype("datetime64[D]") - EPOCH).astype("i4")


def table(parent, path, coords, columns):
    """A group at `path` with coordinate variables `coords` {name: values} and variables
    `columns` {name: (dims, values, units)}; strings are stored variable-length UTF-8."""
    g = parent.require_group(path)
    scales = {}
    for name, values in coords.items():
        values = np.asarray(values)
        if values.dtype.kind in "USO":
            ds = g.create_dataset(name, data=values.astype(object), dtype=h5py.string_dtype())
        else:
            ds = g.create_dataset(name, data=values)
            ds.attrs["units"] = "1"
        ds.make_scale(name)
        scales[name] = ds
    for name, (dims, values, units) in columns.items():
        values = np.asarray(values)
        if values.dtype.kind in "USO":
            ds = g.create_dataset(name, data=values.astype(object), dtype=h5py.string_dtype())
        else:
            ds = g.create_dataset(name, data=values)
            ds.attrs["units"] = units
        for i, d in enumerate(dims):
            ds.dims[i].attach_scale(scales[d])
    return g


def timeseries(parent, path, months, codes, series):
    """A time-series group: series {metric: ([R, M, C] array, units)}."""
    reps = next(iter(series.values()))[0].shape[0]
    g = table(parent, path, {"replication": np.arange(reps, dtype="i4"),
                             "month": month_days(months), "local_authority": list(codes)},
              {k: (("replication", "month", "local_authority"), v, u) for k, (v, u) in series.items()})
    g["month"].attrs["units"] = "days since 1970-01-01"
    g["month"].attrs["calendar"] = "standard"
    ml = g.create_dataset("month_label", data=np.array(months, dtype=object), dtype=h5py.string_dtype())
    ml.dims[0].attach_scale(g["month"])
    return g


def summary(parent, path, columns):
    """A summary group: columns {name: ([R] array, units)}."""
    reps = len(next(iter(columns.values()))[0])
    return table(parent, path, {"replication": np.arange(reps, dtype="i4")},
                 {k: (("replication",), v, u) for k, (v, u) in columns.items()})
