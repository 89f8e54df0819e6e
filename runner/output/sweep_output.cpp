#include "runner/output/sweep_output.hpp"

#include "model/metrics.hpp"
#include "runner/output/run_output.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

// Writes one file; every failure throws OutputError naming it.
class Writer {
  public:
    Writer(fs::path final_path, fs::path temp_path)
        : final_(std::move(final_path)), temp_(std::move(temp_path)) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        file_ = H5Fcreate(temp_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        if (file_ < 0) fail("cannot create (as '" + temp_.string() + "')");
        str_ = H5Tcopy(H5T_C_S1);
        H5Tset_size(str_, H5T_VARIABLE);
        H5Tset_cset(str_, H5T_CSET_UTF8);
    }
    ~Writer() {
        close();
        if (!committed_) {
            std::error_code ec;
            fs::remove(temp_, ec);
        }
    }

    hid_t root() const { return file_; }

    [[noreturn]] void fail(const std::string& what) const {
        throw OutputError("output file '" + final_.string() + "': " + what);
    }
    hid_t check(hid_t id, const std::string& what) const {
        if (id < 0) fail(what);
        return id;
    }

    hid_t group(hid_t parent, const char* name) {
        const hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
        H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
        const hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
        H5Pclose(gcpl);
        groups_.push_back(check(g, std::string("cannot create group '") + name + "'"));
        return g;
    }

    void attr(hid_t obj, const char* name, const std::string& value) {
        const char* p = value.c_str();
        attr_raw(obj, name, str_, str_, &p);
    }
    void attr(hid_t obj, const char* name, std::int32_t v) {
        attr_raw(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &v);
    }
    void attr(hid_t obj, const char* name, std::uint64_t v) {
        attr_raw(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
    }
    void attr(hid_t obj, const char* name, double v) {
        attr_raw(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
    }

    // A float64 dataset of the given shape; deflated in chunks if large.
    hid_t doubles(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims,
                  const double* data, const std::string& units, const std::string& description) {
        const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
        const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        hsize_t total = 1;
        for (hsize_t d : dims)
            total *= d;
        if (dims.size() >= 3 && total > 4096) { // time series
            std::vector<hsize_t> chunk = dims;
            chunk[0] = 1; // one design point per chunk
            H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, 4);
        }
        const hid_t ds =
            H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        H5Pclose(dcpl);
        H5Sclose(space);
        check(ds, "cannot create dataset '" + name + "'");
        datasets_.push_back(ds);
        if (H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
            fail("cannot write dataset '" + name + "'");
        attr(ds, "units", units);
        attr(ds, "description", description);
        return ds;
    }

    hid_t ints(hid_t parent, const char* name, const std::vector<std::int32_t>& v) {
        const hsize_t dims[1] = {v.size()};
        const hid_t space = H5Screate_simple(1, dims, nullptr);
        const hid_t ds =
            H5Dcreate2(parent, name, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Sclose(space);
        check(ds, std::string("cannot create dataset '") + name + "'");
        datasets_.push_back(ds);
        if (H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
            fail(std::string("cannot write dataset '") + name + "'");
        return ds;
    }

    hid_t strings(hid_t parent, const char* name, const std::vector<std::string>& v) {
        std::size_t size = 1;
        for (const auto& s : v)
            size = std::max(size, s.size());
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, size);
        H5Tset_cset(type, H5T_CSET_UTF8);
        H5Tset_strpad(type, H5T_STR_NULLPAD);
        std::vector<char> buf(v.size() * size, '\0');
        for (std::size_t i = 0; i < v.size(); ++i)
            std::memcpy(buf.data() + i * size, v[i].data(), v[i].size());
        const hsize_t dims[1] = {v.size()};
        const hid_t space = H5Screate_simple(1, dims, nullptr);
        const hid_t ds =
            H5Dcreate2(parent, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Sclose(space);
        if (ds >= 0) datasets_.push_back(ds);
        const bool ok =
            ds >= 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) >= 0;
        H5Tclose(type);
        if (!ok) fail(std::string("cannot write dataset '") + name + "'");
        return ds;
    }

    void scale(hid_t ds, const char* name) {
        if (H5DSset_scale(ds, name) < 0) fail(std::string("cannot make dimension scale ") + name);
    }
    void attach(hid_t ds, hid_t scale, unsigned idx, const char* label) {
        if (H5DSattach_scale(ds, scale, idx) < 0 || H5DSset_label(ds, idx, label) < 0)
            fail(std::string("cannot attach dimension scale ") + label);
    }

    void commit() {
        if (H5Fflush(file_, H5F_SCOPE_GLOBAL) < 0) fail("cannot flush '" + temp_.string() + "'");
        if (!close()) fail("cannot close '" + temp_.string() + "'");
        std::error_code ec;
        fs::rename(temp_, final_, ec);
        if (ec) {
            committed_ = true; // keep the only copy
            fail("cannot rename '" + temp_.string() + "' to it: " + ec.message() +
                 "; the complete results are in '" + temp_.string() + "'");
        }
        committed_ = true;
    }

  private:
    void attr_raw(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, const void* v) {
        const hid_t space = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
        H5Sclose(space);
        const bool ok = a >= 0 && H5Awrite(a, mem_type, v) >= 0;
        if (a >= 0) H5Aclose(a);
        if (!ok) fail(std::string("cannot write attribute '") + name + "'");
    }
    bool close() {
        bool ok = true;
        for (hid_t d : datasets_)
            ok = H5Dclose(d) >= 0 && ok;
        for (hid_t g : groups_)
            ok = H5Gclose(g) >= 0 && ok;
        datasets_.clear();
        groups_.clear();
        if (str_ >= 0) H5Tclose(str_), str_ = -1;
        if (file_ >= 0) ok = H5Fclose(file_) >= 0 && ok, file_ = -1;
        return ok;
    }

    fs::path final_, temp_;
    hid_t file_ = -1, str_ = -1;
    std::vector<hid_t> datasets_, groups_;
    bool committed_ = false;
};

} // namespace

void write_sweep_file(const fs::path& out, const SweepProvenance& prov, const SweepResults& res) {
    fs::path temp = out;
    temp += ".partial-" + std::to_string(::getpid());
    Writer w(out, temp);
    const hid_t root = w.root();
    const std::size_t P = res.unit.rows, K = res.factors.size(),
                      R = static_cast<std::size_t>(prov.replications), M = res.month_labels.size();

    w.attr(root, "pbsim_version", prov.pbsim_version);
    w.attr(root, "source_revision", prov.source_revision);
    w.attr(root, "kind", std::string("sweep"));
    w.attr(root, "sweep_file", prov.sweep_file);
    w.attr(root, "sweep_toml", prov.sweep_toml);
    w.attr(root, "base_scenario_file", prov.base_scenario_file);
    w.attr(root, "base_scenario_toml", prov.base_scenario_toml);
    w.attr(root, "design", prov.design);
    w.attr(root, "design_size", static_cast<std::int32_t>(prov.design_size));
    w.attr(root, "levels", static_cast<std::int32_t>(prov.levels));
    w.attr(root, "points", static_cast<std::int32_t>(P));
    w.attr(root, "seed", prov.seed);
    w.attr(root, "replications", static_cast<std::int32_t>(prov.replications));
    w.attr(root, "scale", prov.scale);
    w.attr(root, "start_month", prov.start_month);
    w.attr(root, "months", static_cast<std::int32_t>(prov.months));
    w.attr(root, "created_utc", prov.created_utc);
    w.attr(root, "command_line", prov.command_line);
    w.attr(root, "mpi_ranks", static_cast<std::int32_t>(prov.mpi_ranks));

    // Dimension scales.
    const hid_t dims = w.group(root, "dims");
    std::vector<std::int32_t> points(P), reps(R);
    for (std::size_t p = 0; p < P; ++p)
        points[p] = static_cast<std::int32_t>(p);
    for (std::size_t r = 0; r < R; ++r)
        reps[r] = static_cast<std::int32_t>(r);
    const hid_t dim_point = w.ints(dims, "point", points);
    const hid_t dim_rep = w.ints(dims, "replication", reps);
    std::vector<std::string> keys;
    for (const auto& f : res.factors)
        keys.push_back(f.key);
    const hid_t dim_param = w.strings(dims, "parameter", keys);
    w.scale(dim_point, "point");
    w.scale(dim_rep, "replication");
    w.scale(dim_param, "parameter");

    // The design.
    const hid_t design = w.group(root, "design");
    w.attr(design, "design", prov.design);
    w.attr(design, "note",
           "Row p of matrix holds the parameter values of design point p (columns as in "
           "/design/parameters); unit holds the same point in [0, 1]^k as the design "
           "generated it. sobol: rows come in blocks of k + 2 (A, AB_1..AB_k, B); morris: "
           "trajectories of k + 1 rows, each moving one parameter.");
    w.strings(design, "parameters", keys);
    std::vector<std::string> units, from;
    std::vector<double> low, high;
    for (const auto& f : res.factors) {
        units.push_back(f.unit);
        from.push_back(f.from);
        low.push_back(f.low);
        high.push_back(f.high);
    }
    w.strings(design, "units", units);
    w.strings(design, "from", from);
    const hid_t ds_low =
        w.doubles(design, "low", {K}, low.data(), "", "Lowest value of each parameter");
    const hid_t ds_high =
        w.doubles(design, "high", {K}, high.data(), "", "Highest value of each parameter");
    const hid_t ds_matrix = w.doubles(design, "matrix", {P, K}, res.values.values.data(), "",
                                      "Parameter values of each design point");
    const hid_t ds_unit = w.doubles(design, "unit", {P, K}, res.unit.values.data(), "fraction",
                                    "Design points in the unit hypercube");
    for (std::size_t j = 0; j < K; ++j)
        if (!res.factors[j].values.empty()) {
            const std::string name = "values_" + keys[j];
            w.doubles(design, name, {res.factors[j].values.size()}, res.factors[j].values.data(),
                      res.factors[j].unit, "The list of values of " + keys[j]);
        }
    w.attach(ds_low, dim_param, 0, "parameter");
    w.attach(ds_high, dim_param, 0, "parameter");
    for (hid_t ds : {ds_matrix, ds_unit}) {
        w.attach(ds, dim_point, 0, "point");
        w.attach(ds, dim_param, 1, "parameter");
    }

    // Per point, per replication summaries.
    const hid_t summary = w.group(root, "summary");
    w.attr(summary, "layout", std::string("[point, replication]"));
    for (std::size_t c = 0; c < res.columns.size(); ++c) {
        const hid_t ds =
            w.doubles(summary, res.columns[c].name, {P, R}, res.summary.data() + c * P * R,
                      res.columns[c].unit, res.columns[c].description);
        w.attach(ds, dim_point, 0, "point");
        w.attach(ds, dim_rep, 1, "replication");
    }

    if (res.timeseries) {
        const hid_t dim_month = w.strings(dims, "month", res.month_labels);
        w.scale(dim_month, "month");
        const hid_t series = w.group(root, "timeseries");
        w.attr(series, "layout", std::string("[point, replication, month]"));
        w.attr(series, "note",
               std::string("National totals (sums over councils) as simulated at the sweep's "
                           "scale; multiply counts and costs by 1/scale for national figures."));
        for (std::size_t k = 0; k < kMetricCount; ++k) {
            const hid_t ds = w.doubles(
                series, std::string(kMetrics[k].name), {P, R, M}, res.series.data() + k * P * R * M,
                std::string(kMetrics[k].unit), std::string(kMetrics[k].description));
            w.attach(ds, dim_point, 0, "point");
            w.attach(ds, dim_rep, 1, "replication");
            w.attach(ds, dim_month, 2, "month");
        }
    }
    w.commit();
}

} // namespace pbsim::runner
