// The HDF5 output file (schema: docs/hdf5-schema.md), written with the HDF5 C
// API. The Debian HDF5 library is not thread-safe, so every HDF5 call made here
// holds one mutex.
#include "runner/output/run_output.hpp"

#include "model/metrics.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <string_view>
#include <system_error>
#include <utility>

namespace pbsim::runner {

namespace {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
  public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
    Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), closer_(o.closer_) {}
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
            closer_ = o.closer_;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }
    // Closes now; returns false if HDF5 reported an error.
    bool close() {
        if (id_ < 0) return true;
        const herr_t status = closer_(std::exchange(id_, H5I_INVALID_HID));
        return status >= 0;
    }
    void reset() { close(); }

  private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

// HDF5's global state is shared by every file in the process, so the lock is
// process-wide: two outputs written from different threads stay safe too.
std::mutex& hdf5_mutex() {
    static std::mutex m;
    return m;
}

// The most specific message on HDF5's error stack, on one line.
std::string hdf5_reason() {
    std::string reason;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
            if (n == 0 && err != nullptr && err->desc != nullptr)
                *static_cast<std::string*>(data) = err->desc;
            return 0;
        },
        &reason);
    H5Eclear2(H5E_DEFAULT);
    std::replace(reason.begin(), reason.end(), '\n', ' ');
    std::replace(reason.begin(), reason.end(), '\r', ' ');
    return reason.empty() ? std::string("HDF5 error") : "HDF5: " + reason;
}

std::string metric_kind_name(MetricKind k) {
    switch (k) {
    case MetricKind::state:
        return "state";
    case MetricKind::flow:
        return "flow";
    case MetricKind::outcome:
        return "outcome";
    case MetricKind::cost:
        return "cost";
    }
    return "unknown";
}

} // namespace

void check_output_path(const std::filesystem::path& final_path) {
    std::filesystem::path dir = final_path.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    const auto st = std::filesystem::status(dir, ec);
    std::string reason;
    if (!std::filesystem::exists(st))
        reason = std::strerror(ENOENT);
    else if (!std::filesystem::is_directory(st))
        reason = std::strerror(ENOTDIR);
    else if (::access(dir.c_str(), W_OK | X_OK) != 0)
        reason = std::strerror(errno);
    if (!reason.empty())
        throw OutputError("cannot create output file '" + final_path.string() + "': " + reason);
    if (std::filesystem::is_directory(final_path, ec))
        throw OutputError("cannot create output file '" + final_path.string() +
                          "': " + std::strerror(EISDIR));
}

struct H5Output::Impl {
    std::filesystem::path final_path;
    std::filesystem::path temp_path;
    bool created = false;   // the temporary file exists and is ours
    bool committed = false; // renamed to final_path
    std::size_t R = 0, M = 0, C = 0;
    std::vector<std::string> summary_names;

    Handle file;
    Handle vlen_str;             // variable-length UTF-8 string type
    struct ScenarioDatasets {
        std::string prefix;          // "" at the root, else "/scenarios/<name>"
        std::vector<Handle> series;  // <prefix>/timeseries/<metric>, in kMetrics order
        std::vector<Handle> summary; // <prefix>/summary/<name>, in layout order
    };
    std::vector<ScenarioDatasets> scenarios;

    ~Impl() {
        std::lock_guard lock(hdf5_mutex());
        close_all();
        if (created && !committed) {
            std::error_code ec;
            std::filesystem::remove(temp_path, ec);
        }
    }

    // --- errors -------------------------------------------------------------

    [[noreturn]] void fail(const std::string& what) const {
        throw OutputError("output file '" + final_path.string() + "': " + what);
    }
    [[noreturn]] void fail_hdf5(const std::string& what) const {
        fail(what + ": " + hdf5_reason());
    }

    hid_t check(hid_t id, const std::string& what) const {
        if (id < 0) fail_hdf5(what);
        return id;
    }
    void check(herr_t status, const char* what, const std::string& object) const {
        if (status < 0) fail_hdf5(std::string(what) + " '" + object + "'");
    }

    // Closes every handle (datasets first, then the file); false on any error.
    bool close_all() {
        bool ok = true;
        for (auto& sc : scenarios) {
            for (auto& h : sc.series) ok = h.close() && ok;
            for (auto& h : sc.summary) ok = h.close() && ok;
        }
        ok = vlen_str.close() && ok;
        ok = file.close() && ok;
        scenarios.clear();
        return ok;
    }

    // --- small builders -----------------------------------------------------

    Handle make_vlen_string_type() const {
        Handle t(check(H5Tcopy(H5T_C_S1), "cannot create string type"), H5Tclose);
        check(H5Tset_size(t.get(), H5T_VARIABLE), "cannot set size of", "string type");
        check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "cannot set character set of", "string type");
        return t;
    }

    Handle make_fixed_string_type(std::size_t size) const {
        Handle t(check(H5Tcopy(H5T_C_S1), "cannot create string type"), H5Tclose);
        check(H5Tset_size(t.get(), size), "cannot set size of", "string type");
        check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "cannot set character set of", "string type");
        check(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), "cannot set padding of", "string type");
        return t;
    }

    Handle make_space(std::initializer_list<hsize_t> dims) const {
        const std::vector<hsize_t> d(dims);
        return Handle(check(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr),
                            "cannot create dataspace"),
                      H5Sclose);
    }

    // A group whose links list in creation order (h5py iterates them so), so
    // its datasets read back in the order of kMetrics or of the layout.
    Handle make_group(hid_t parent, const std::string& name) const {
        Handle gcpl(check(H5Pcreate(H5P_GROUP_CREATE), "cannot create property list"), H5Pclose);
        check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
              "cannot configure group", name);
        return Handle(check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                            "cannot create group '" + name + "'"),
                      H5Gclose);
    }

    void write_attr(hid_t obj, const char* name, hid_t file_type, hid_t mem_type,
                    const void* value) const {
        Handle space(check(H5Screate(H5S_SCALAR), "cannot create dataspace"), H5Sclose);
        Handle attr(check(H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                          std::string("cannot create attribute '") + name + "'"),
                    H5Aclose);
        check(H5Awrite(attr.get(), mem_type, value), "cannot write attribute", name);
        if (!attr.close()) fail_hdf5(std::string("cannot close attribute '") + name + "'");
    }

    void write_attr(hid_t obj, const char* name, std::string_view value) const {
        const std::string s(value);
        const char* p = s.c_str();
        write_attr(obj, name, vlen_str.get(), vlen_str.get(), &p);
    }

    void write_units(hid_t obj, std::string_view units, std::string_view description) const {
        write_attr(obj, "units", units);
        write_attr(obj, "description", description);
    }

    // A fixed-length string dataset of one dimension, NUL-padded to `size`.
    Handle write_fixed_strings(hid_t parent, const char* name, const std::vector<std::string>& v,
                               std::size_t size) const {
        Handle type = make_fixed_string_type(size);
        std::vector<char> buf(v.size() * size, '\0');
        for (std::size_t i = 0; i < v.size(); ++i)
            std::memcpy(buf.data() + i * size, v[i].data(), std::min(size, v[i].size()));
        Handle space = make_space({v.size()});
        Handle ds(check(H5Dcreate2(parent, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                   H5P_DEFAULT),
                        std::string("cannot create dataset '") + name + "'"),
                  H5Dclose);
        check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()),
              "cannot write dataset", name);
        return ds;
    }

    template <class T>
    Handle write_numbers(hid_t parent, const char* name, hid_t file_type, hid_t mem_type,
                         const std::vector<T>& v) const {
        Handle space = make_space({v.size()});
        Handle ds(check(H5Dcreate2(parent, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                   H5P_DEFAULT),
                        std::string("cannot create dataset '") + name + "'"),
                  H5Dclose);
        check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
              "cannot write dataset", name);
        return ds;
    }

    // Attaches a dimension scale and labels the dimension with the scale's name.
    void attach(hid_t ds, hid_t scale, unsigned idx, const char* label,
                const std::string& what) const {
        check(H5DSattach_scale(ds, scale, idx), "cannot attach dimension scale to", what);
        check(H5DSset_label(ds, idx, label), "cannot label dimension of", what);
    }

    // --- creation -----------------------------------------------------------

    void check_directory() const { check_output_path(final_path); }

    void write_scenario_attrs(hid_t where, const ScenarioInfo& sc) {
        write_attr(where, "scenario_name", sc.name);
        write_attr(where, "scenario_file", sc.file);
        write_attr(where, "scenario_toml", sc.toml);
    }

    // The time series and summary datasets of one scenario under `base`.
    void create_scenario(hid_t base, const std::string& prefix, const OutputLayout& layout,
                         hid_t dim_rep, hid_t dim_month, hid_t dim_la) {
        ScenarioDatasets out;
        out.prefix = prefix;
        // Time series [replication, month, local_authority].
        {
            Handle group = make_group(base, "timeseries");
            write_attr(group.get(), "layout", "[replication, month, local_authority]");
            write_attr(group.get(), "note",
                       "Counts and costs are raw, as simulated at the run's scale. For national "
                       "figures multiply by national users (population.users in scenario_toml) "
                       "over simulated users (the sum of /local_authorities/users), which is "
                       "1/scale unless the sample is tiny. Summary counts and costs are already "
                       "national.");
            Handle space = make_space({R, M, C});
            Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "cannot create property list"),
                        H5Pclose);
            const hsize_t chunk[3] = {1, M, C};
            const double nan = std::numeric_limits<double>::quiet_NaN();
            check(H5Pset_chunk(dcpl.get(), 3, chunk), "cannot configure", "time series chunks");
            check(H5Pset_shuffle(dcpl.get()), "cannot configure", "time series shuffle");
            check(H5Pset_deflate(dcpl.get(), 4), "cannot configure", "time series deflate");
            check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), "cannot configure",
                  "time series fill value");
            for (const auto& spec : kMetrics) {
                const std::string name(spec.name);
                Handle ds(check(H5Dcreate2(group.get(), name.c_str(), H5T_IEEE_F64LE, space.get(),
                                           H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                "cannot create dataset '" + prefix + "/timeseries/" + name + "'"),
                          H5Dclose);
                write_attr(ds.get(), "units", spec.unit);
                write_attr(ds.get(), "description", spec.description);
                write_attr(ds.get(), "kind", metric_kind_name(spec.kind));
                const std::string path = prefix + "/timeseries/" + name;
                attach(ds.get(), dim_rep, 0, "replication", path);
                attach(ds.get(), dim_month, 1, "month", path);
                attach(ds.get(), dim_la, 2, "local_authority", path);
                out.series.push_back(std::move(ds));
            }
        }

        // Per-replication summary [replication].
        {
            Handle group = make_group(base, "summary");
            write_attr(group.get(), "note",
                       "One value per replication. Counts and costs are national (scaled by "
                       "national over simulated users); shares and means are scale-free.");
            Handle space = make_space({R});
            Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "cannot create property list"),
                        H5Pclose);
            const hsize_t chunk[1] = {std::min<hsize_t>(R, 1024)};
            const double nan = std::numeric_limits<double>::quiet_NaN();
            check(H5Pset_chunk(dcpl.get(), 1, chunk), "cannot configure", "summary chunks");
            check(H5Pset_deflate(dcpl.get(), 4), "cannot configure", "summary deflate");
            check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), "cannot configure",
                  "summary fill value");
            for (const auto& col : layout.summary_columns) {
                const std::string path = prefix + "/summary/" + col.name;
                Handle ds(check(H5Dcreate2(group.get(), col.name.c_str(), H5T_IEEE_F64LE,
                                           space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                "cannot create dataset '" + path + "'"),
                          H5Dclose);
                write_units(ds.get(), col.unit, col.description);
                attach(ds.get(), dim_rep, 0, "replication", path);
                out.summary.push_back(std::move(ds));
            }
        }

        scenarios.push_back(std::move(out));
    }

    void create(const Provenance& prov, const OutputLayout& layout) {
        std::lock_guard lock(hdf5_mutex());
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); // errors become exceptions, not stderr noise

        R = prov.replications > 0 ? static_cast<std::size_t>(prov.replications) : 0;
        M = layout.month_labels.size();
        C = layout.councils.size();
        if (R == 0) fail("the number of replications must be positive");
        if (M == 0) fail("the run has no months");
        if (C == 0) fail("the run has no local authorities");
        if (prov.months != static_cast<int>(M))
            fail("provenance gives " + std::to_string(prov.months) + " months but the layout has " +
                 std::to_string(M) + " month labels");
        for (const auto& label : layout.month_labels)
            if (label.size() != 7) fail("month label '" + label + "' is not YYYY-MM");
        if (prov.scenarios.empty()) fail("the run has no scenario");
        for (std::size_t i = 0; i < prov.scenarios.size(); ++i) {
            const std::string& name = prov.scenarios[i].name;
            if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
                fail("invalid scenario name '" + name + "'");
            for (std::size_t j = 0; j < i; ++j)
                if (prov.scenarios[j].name == name)
                    fail("two scenarios are both named '" + name + "'");
        }
        for (const auto& col : layout.summary_columns) {
            if (col.name.empty() || col.name == "." || col.name.find('/') != std::string::npos)
                fail("invalid summary column name '" + col.name + "'");
            summary_names.push_back(col.name);
        }

        check_directory();
        if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Zfilter_avail(H5Z_FILTER_SHUFFLE) <= 0)
            fail("the HDF5 library lacks the deflate or shuffle filter");

        {
            Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "cannot create property list"), H5Pclose);
            check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "cannot configure",
                  "file access");
            const hid_t f = H5Fcreate(temp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
            if (f < 0)
                throw OutputError("cannot create output file '" + final_path.string() + "' (as '" +
                                  temp_path.string() + "'): " + hdf5_reason());
            file = Handle(f, H5Fclose);
            created = true;
        }
        vlen_str = make_vlen_string_type();
        const hid_t root = file.get();

        // Root attributes.
        write_attr(root, "pbsim_version", prov.pbsim_version);
        write_attr(root, "source_revision", prov.source_revision);
        write_attr(root, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &prov.seed);
        const std::int32_t reps = prov.replications, months = prov.months;
        write_attr(root, "replications", H5T_STD_I32LE, H5T_NATIVE_INT32, &reps);
        write_attr(root, "start_month", prov.start_month);
        write_attr(root, "months", H5T_STD_I32LE, H5T_NATIVE_INT32, &months);
        write_attr(root, "scale", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &prov.scale);
        write_attr(root, "to_national", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &prov.to_national);
        write_attr(root, "created_utc", prov.created_utc);
        write_attr(root, "command_line", prov.command_line);

        // Dimension scales.
        Handle dims = make_group(root, "dims");
        std::vector<std::int32_t> rep_index(R);
        for (std::size_t r = 0; r < R; ++r)
            rep_index[r] = static_cast<std::int32_t>(r);
        Handle dim_rep =
            write_numbers(dims.get(), "replication", H5T_STD_I32LE, H5T_NATIVE_INT32, rep_index);
        Handle dim_month = write_fixed_strings(dims.get(), "month", layout.month_labels, 7);
        std::vector<std::string> codes;
        std::size_t code_size = 1;
        for (const auto& la : layout.councils) {
            codes.push_back(la.code);
            code_size = std::max(code_size, la.code.size());
        }
        Handle dim_la = write_fixed_strings(dims.get(), "local_authority", codes, code_size);
        check(H5DSset_scale(dim_rep.get(), "replication"), "cannot make dimension scale",
              "/dims/replication");
        check(H5DSset_scale(dim_month.get(), "month"), "cannot make dimension scale",
              "/dims/month");
        check(H5DSset_scale(dim_la.get(), "local_authority"), "cannot make dimension scale",
              "/dims/local_authority");
        write_units(dim_rep.get(), "", "Replication number (0-based); seeds differ by replication");
        write_units(dim_month.get(), "", "Simulation month, YYYY-MM");
        write_units(dim_la.get(), "", "Local authority (council) code");

        // Each scenario's time series and summary: at the root for one
        // scenario, under /scenarios/<name> for several.
        if (prov.scenarios.size() == 1) {
            write_scenario_attrs(root, prov.scenarios[0]);
            create_scenario(root, "", layout, dim_rep.get(), dim_month.get(), dim_la.get());
        } else {
            std::string names;
            for (const auto& sc : prov.scenarios) names += (names.empty() ? "" : ",") + sc.name;
            write_attr(root, "scenario_names", names);
            Handle all = make_group(root, "scenarios");
            write_attr(all.get(), "note",
                       "One group per scenario, in the order given on the command line, each with "
                       "the layout of a single-scenario file (timeseries, summary). Replication r "
                       "of every scenario used the same random numbers: differences are paired.");
            for (const auto& sc : prov.scenarios) {
                Handle group = make_group(all.get(), sc.name.c_str());
                write_scenario_attrs(group.get(), sc);
                create_scenario(group.get(), "/scenarios/" + sc.name, layout, dim_rep.get(),
                                dim_month.get(), dim_la.get());
            }
        }

        // Local authority table, one dataset per column.
        {
            Handle group = make_group(root, "local_authorities");
            write_attr(group.get(), "note",
                       "One dataset per column, indexed like /dims/local_authority. Users and "
                       "coordinators are counts as simulated at the run's scale.");
            std::vector<double> size_share, dp_culture, amount, crisis;
            std::vector<std::int32_t> users, posts;
            for (const auto& la : layout.councils) {
                size_share.push_back(la.size_share);
                dp_culture.push_back(la.dp_culture);
                amount.push_back(la.amount_multiplier);
                crisis.push_back(la.crisis_multiplier);
                users.push_back(static_cast<std::int32_t>(la.user_count));
                posts.push_back(static_cast<std::int32_t>(la.post_count));
            }
            const hid_t g = group.get();
            struct Column {
                Handle ds;
                const char* name;
                const char* units;
                const char* description;
            };
            std::vector<Column> cols;
            cols.push_back({write_fixed_strings(g, "code", codes, code_size), "code", "",
                            "Local authority (council) code"});
            cols.push_back(
                {write_numbers(g, "size_share", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, size_share),
                 "size_share", "fraction", "Share of the national service-user population"});
            cols.push_back(
                {write_numbers(g, "dp_culture", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dp_culture),
                 "dp_culture", "multiplier",
                 "Direct-payment culture: > 1 early adopter, < 1 laggard"});
            cols.push_back(
                {write_numbers(g, "amount_multiplier", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, amount),
                 "amount_multiplier", "multiplier", "Council resource-allocation level"});
            cols.push_back(
                {write_numbers(g, "crisis_multiplier", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, crisis),
                 "crisis_multiplier", "multiplier",
                 "Council crisis hazard relative to England (mean 1; council.crisis_sigma)"});
            cols.push_back({write_numbers(g, "users", H5T_STD_I32LE, H5T_NATIVE_INT32, users),
                            "users", "people",
                            "Service-user slots simulated (at the run's scale)"});
            cols.push_back(
                {write_numbers(g, "coordinators", H5T_STD_I32LE, H5T_NATIVE_INT32, posts),
                 "coordinators", "posts", "Care-coordinator posts simulated (at the run's scale)"});
            for (auto& col : cols) {
                write_units(col.ds.get(), col.units, col.description);
                attach(col.ds.get(), dim_la.get(), 0, "local_authority",
                       std::string("/local_authorities/") + col.name);
            }
        }
    }

    // --- writing ------------------------------------------------------------

    void write(int s, int r, const ReplicationResult& result,
               const std::vector<SummaryValue>& values) {
        std::lock_guard lock(hdf5_mutex());
        std::string which = "replication " + std::to_string(r);
        if (!file.valid()) fail("cannot write " + which + ": the file is already closed");
        if (s < 0 || static_cast<std::size_t>(s) >= scenarios.size())
            fail("cannot write " + which + ": no scenario number " + std::to_string(s));
        const auto& series = scenarios[s].series;
        const auto& summary = scenarios[s].summary;
        if (scenarios.size() > 1) which += " of scenario " + scenarios[s].prefix;
        if (r < 0 || static_cast<std::size_t>(r) >= R)
            fail("cannot write " + which + ": out of range 0.." + std::to_string(R - 1));
        if (result.months != static_cast<int>(M) || result.councils != static_cast<int>(C) ||
            result.values.size() != kMetricCount * M * C)
            fail("cannot write " + which + ": result has " + std::to_string(result.months) +
                 " months x " + std::to_string(result.councils) + " councils, expected " +
                 std::to_string(M) + " x " + std::to_string(C));
        if (values.size() != summary.size())
            fail("cannot write " + which + ": " + std::to_string(values.size()) +
                 " summary values, expected " + std::to_string(summary.size()));
        for (std::size_t i = 0; i < values.size(); ++i)
            if (values[i].name != summary_names[i])
                fail("cannot write " + which + ": summary value " + std::to_string(i) + " is '" +
                     values[i].name + "', expected '" + summary_names[i] + "'");

        const hsize_t ru = static_cast<hsize_t>(r);
        {
            const hsize_t start[3] = {ru, 0, 0}, count[3] = {1, M, C};
            Handle mem = make_space({M * C});
            for (std::size_t k = 0; k < kMetricCount; ++k) {
                const hid_t ds = series[k].get();
                Handle fspace(check(H5Dget_space(ds), "cannot get dataspace"), H5Sclose);
                check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count,
                                          nullptr),
                      "cannot select", which);
                check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, mem.get(), fspace.get(), H5P_DEFAULT,
                               result.series(static_cast<Metric>(k))),
                      "cannot write time series", std::string(kMetrics[k].name) + "' of '" + which);
            }
        }
        {
            const hsize_t start[1] = {ru}, count[1] = {1};
            Handle mem = make_space({1});
            for (std::size_t i = 0; i < summary.size(); ++i) {
                const hid_t ds = summary[i].get();
                Handle fspace(check(H5Dget_space(ds), "cannot get dataspace"), H5Sclose);
                check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count,
                                          nullptr),
                      "cannot select", which);
                check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, mem.get(), fspace.get(), H5P_DEFAULT,
                               &values[i].value),
                      "cannot write summary", summary_names[i] + "' of '" + which);
            }
        }
    }

    void commit() {
        std::lock_guard lock(hdf5_mutex());
        if (committed) fail("already committed");
        if (!file.valid()) fail("cannot commit: the file is already closed");
        if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) {
            const std::string reason = hdf5_reason();
            close_all();
            fail("cannot flush '" + temp_path.string() + "': " + reason);
        }
        if (!close_all()) fail("cannot close '" + temp_path.string() + "': " + hdf5_reason());
        std::error_code ec;
        std::filesystem::rename(temp_path, final_path, ec);
        if (ec) {
            committed = true; // complete: keep the only copy of the results
            throw OutputError("cannot rename '" + temp_path.string() + "' to output file '" +
                              final_path.string() + "': " + ec.message() +
                              "; the complete results are left in '" + temp_path.string() + "'");
        }
        committed = true;
    }
};

H5Output::H5Output(std::filesystem::path final_path, const Provenance& provenance,
                   const OutputLayout& layout)
    : impl_(std::make_unique<Impl>()) {
    impl_->final_path = std::move(final_path);
    impl_->temp_path = impl_->final_path;
    impl_->temp_path += ".partial-" + std::to_string(::getpid());
    impl_->create(provenance, layout); // on throw, ~Impl closes and removes the temporary file
}

H5Output::~H5Output() = default;

void H5Output::write_replication(int s, int r, const ReplicationResult& result,
                                 const std::vector<SummaryValue>& summary) {
    impl_->write(s, r, result, summary);
}

void H5Output::commit() {
    impl_->commit();
}

const std::filesystem::path& H5Output::temporary_path() const {
    return impl_->temp_path;
}

} // namespace pbsim::runner
