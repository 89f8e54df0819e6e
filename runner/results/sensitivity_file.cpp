#include "runner/results/sensitivity_file.hpp"

#include "analysis/design.hpp"
#include "analysis/sensitivity.hpp"

#include "runner/output/h5io.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace pbsim::analysis {

namespace {

struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <class T> T number_attr(hid_t obj, const char* name, hid_t mem_type, T fallback) {
    if (H5Aexists(obj, name) <= 0) return fallback;
    Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    T v = fallback;
    return H5Aread(attr, mem_type, &v) < 0 ? fallback : v;
}

// A float64 dataset and its shape.
std::vector<double> read_doubles(hid_t file, const std::string& path, std::vector<hsize_t>& dims) {
    if (H5Lexists(file, path.c_str(), H5P_DEFAULT) <= 0)
        throw InputError("no dataset '" + path + "'");
    Id ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    Id space(H5Dget_space(ds), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space);
    dims.assign(static_cast<std::size_t>(std::max(rank, 0)), 0);
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    std::vector<double> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
        throw InputError("cannot read '" + path + "'");
    return v;
}

std::vector<std::string> read_strings(hid_t file, const std::string& path) {
    if (H5Lexists(file, path.c_str(), H5P_DEFAULT) <= 0)
        throw InputError("no dataset '" + path + "'");
    Id ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    Id type(H5Dget_type(ds), H5Tclose);
    Id space(H5Dget_space(ds), H5Sclose);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    const std::size_t size = H5Tget_size(type);
    std::string buf(n * size, '\0');
    if (H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
        throw InputError("cannot read '" + path + "'");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        std::string s = buf.substr(i * size, size);
        out.push_back(s.substr(0, s.find('\0')));
    }
    return out;
}

std::vector<std::string> group_members(hid_t file, const char* path) {
    std::vector<std::string> names;
    Id group(H5Gopen2(file, path, H5P_DEFAULT), H5Gclose);
    if (group < 0) return names;
    H5G_info_t info;
    H5Gget_info(group, &info);
    for (hsize_t k = 0; k < info.nlinks; ++k) {
        char name[256];
        if (H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, k, name, sizeof name,
                               H5P_DEFAULT) < 0 &&
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, k, name, sizeof name,
                               H5P_DEFAULT) < 0)
            continue;
        names.push_back(name);
    }
    return names;
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string w; std::getline(in, w, '_');)
        if (!w.empty()) out.push_back(w);
    return out;
}

// --- writing /sensitivity/<output> ----------------------------------------

// The group /sensitivity/<output>, replaced if it exists.
hid_t fresh_group(hid_t file, const std::string& output) {
    if (H5Lexists(file, "sensitivity", H5P_DEFAULT) <= 0) {
        Id g(H5Gcreate2(file, "sensitivity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        if (g < 0) throw std::runtime_error("cannot create /sensitivity");
    }
    const std::string path = "sensitivity/" + output;
    if (H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0) H5Ldelete(file, path.c_str(), H5P_DEFAULT);
    const hid_t g = H5Gcreate2(file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) throw std::runtime_error("cannot create /" + path);
    return g;
}

std::string interval_text(const Interval& x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%7.3f [%6.3f, %6.3f]", x.estimate, x.low, x.high);
    return buf;
}

std::string general_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

} // namespace

std::string match_output(const std::string& wanted, const std::vector<std::string>& columns,
                         std::vector<std::string>& candidates) {
    candidates.clear();
    if (std::find(columns.begin(), columns.end(), wanted) != columns.end()) return wanted;
    const auto need = words(wanted);
    for (const auto& c : columns) {
        const auto have = words(c);
        std::size_t i = 0;
        for (const auto& w : have)
            if (i < need.size() && w == need[i]) ++i;
        if (!need.empty() && i == need.size()) candidates.push_back(c);
    }
    return candidates.size() == 1 ? candidates.front() : std::string();
}

int sensitivity_command(const SensitivityOptions& o) {
    const std::string name = o.file.string();
    auto bad = [&](const std::string& what) {
        std::cerr << "pbsim: " << name << ": " << what << "\n";
        return 2;
    };
    std::error_code ec;
    if (!std::filesystem::exists(o.file, ec)) return bad("file not found");
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (H5Fis_hdf5(o.file.c_str()) <= 0) return bad("not an HDF5 file");
    Id file(H5Fopen(o.file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
    if (file < 0)
        return bad("cannot open for reading and writing (is it read-only or open elsewhere?)");
    const std::string design = read_string_attr(file, "design");
    if (read_string_attr(file, "kind") != "sweep" || design.empty())
        return bad("not the output of pbsim sweep (no sweep design); run pbsim sweep first");
    DesignKind kind{};
    if (!parse_design(design, kind) || (kind != DesignKind::sobol && kind != DesignKind::morris))
        return bad("design '" + design +
                   "' has no sensitivity estimator here: accepted designs are " +
                   "'sobol' (Sobol indices) and 'morris' (elementary effects)");
    const auto seed = number_attr<std::uint64_t>(file, "seed", H5T_NATIVE_UINT64, 1);
    const auto columns = group_members(file, "/summary");
    std::vector<std::string> wanted = o.outputs;
    if (wanted.empty()) wanted.push_back("uptake_share_2014_12");

    try {
        std::vector<hsize_t> dims;
        const auto params = read_strings(file, "/design/parameters");
        const auto unit_values = read_doubles(file, "/design/unit", dims);
        if (dims.size() != 2 || dims[1] != params.size())
            throw InputError("/design/unit has the wrong shape");
        Matrix unit(dims[0], dims[1]);
        unit.values = unit_values;
        const std::size_t P = unit.rows, k = params.size();

        for (const auto& w : wanted) {
            std::vector<std::string> candidates;
            const std::string column = match_output(w, columns, candidates);
            if (column.empty()) {
                std::string list;
                for (const auto& c : candidates.empty() ? columns : candidates)
                    list += (list.empty() ? "" : ", ") + c;
                return bad("--output " + w +
                           (candidates.empty() ? " matches no summary column; accepted: "
                                               : " is ambiguous; it matches: ") +
                           list);
            }
            const auto raw = read_doubles(file, "/summary/" + column, dims);
            if (dims.size() != 2 || dims[0] != P)
                throw InputError("/summary/" + column + " has the wrong shape");
            std::string units;
            {
                Id ds(H5Dopen2(file, ("/summary/" + column).c_str(), H5P_DEFAULT), H5Dclose);
                units = read_string_attr(ds, "units");
            }
            // The mean of each point's replications (noise averaged out before the design
            // estimators).
            const std::size_t R = dims[1];
            std::vector<double> y(P, 0.0);
            for (std::size_t p = 0; p < P; ++p) {
                double sum = 0;
                std::size_t n = 0;
                for (std::size_t r = 0; r < R; ++r)
                    if (std::isfinite(raw[p * R + r])) sum += raw[p * R + r], ++n;
                y[p] = n ? sum / static_cast<double>(n) : std::nan("");
            }

            if (std::count_if(y.begin(), y.end(), [](double v) { return std::isfinite(v); }) < 2)
                return bad("--output " + column + " is missing (NaN) at almost every point, e.g. " +
                           "a checkpoint outside the sweep's period");
            Id group(fresh_group(file, column), H5Gclose);
            write_strings(group, "parameter", params);
            write_attr(group, "output", column);
            write_attr(group, "units", units);
            write_attr(
                group, "method",
                kind == DesignKind::sobol
                    ? std::string("Sobol indices: S1 Saltelli (2010), ST Jansen (1999)")
                    : std::string("Morris elementary effects: mu, mu* (Campolongo 2007), sigma"));
            write_attr(group, "interval",
                       "95% bootstrap percentile interval, " + std::to_string(o.resamples) +
                           " resamples");
            write_attr(group, "replications_averaged", static_cast<double>(R));

            std::vector<std::size_t> order(k);
            std::iota(order.begin(), order.end(), 0);
            std::ostringstream table;
            if (kind == DesignKind::sobol) {
                if (P % (k + 2) != 0) throw InputError("/design/unit is not whole Saltelli blocks");
                const auto s = sobol_indices(y, k, o.resamples, 0.95, seed);
                std::vector<double> f, fl, fh, t, tl, th;
                for (std::size_t i = 0; i < k; ++i) {
                    f.push_back(s.first[i].estimate), fl.push_back(s.first[i].low),
                        fh.push_back(s.first[i].high);
                    t.push_back(s.total[i].estimate), tl.push_back(s.total[i].low),
                        th.push_back(s.total[i].high);
                }
                write_numbers(group, "first", f, "First-order Sobol index S1");
                write_numbers(group, "first_low", fl, "Lower end of the 95% interval of S1");
                write_numbers(group, "first_high", fh, "Upper end of the 95% interval of S1");
                write_numbers(group, "total", t, "Total Sobol index ST");
                write_numbers(group, "total_low", tl, "Lower end of the 95% interval of ST");
                write_numbers(group, "total_high", th, "Upper end of the 95% interval of ST");
                write_attr(group, "variance", s.variance);
                write_attr(group, "base_rows", static_cast<double>(s.n));
                std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                    return (std::isnan(t[b]) ? -1 : t[b]) < (std::isnan(t[a]) ? -1 : t[a]);
                });
                table << "Sobol indices of " << column << " (" << units << "): " << s.n
                      << " base rows x " << k + 2 << " = " << P << " points, mean of " << R
                      << " replication" << (R == 1 ? "" : "s") << " each; output variance "
                      << general_text(s.variance) << "\n95% bootstrap intervals (" << o.resamples
                      << " resamples). Ranked by total index ST.\n";
                char head[160];
                std::snprintf(head, sizeof head, "%4s  %-38s %-26s %-26s\n", "rank", "parameter",
                              "S1 [95% interval]", "ST [95% interval]");
                table << head;
                for (std::size_t r = 0; r < k; ++r) {
                    const std::size_t i = order[r];
                    char line[200];
                    std::snprintf(line, sizeof line, "%4zu  %-38s %-26s %-26s\n", r + 1,
                                  params[i].c_str(), interval_text(s.first[i]).c_str(),
                                  interval_text(s.total[i]).c_str());
                    table << line;
                }
                double sum = 0;
                for (double v : f)
                    sum += std::isfinite(v) ? v : 0;
                table << "sum of S1 = " << general_text(sum)
                      << " (1 - sum is the share of variance from interactions)\n";
            } else {
                if (P % (k + 1) != 0)
                    throw InputError("/design/unit is not whole Morris trajectories");
                const auto m = morris_indices(unit, y, o.resamples, 0.95, seed);
                std::vector<double> ms, msl, msh;
                for (const auto& x : m.mu_star)
                    ms.push_back(x.estimate), msl.push_back(x.low), msh.push_back(x.high);
                write_numbers(
                    group, "mu_star", ms,
                    "Mean absolute elementary effect mu*, per unit of the parameter's range");
                write_numbers(group, "mu_star_low", msl, "Lower end of the 95% interval of mu*");
                write_numbers(group, "mu_star_high", msh, "Upper end of the 95% interval of mu*");
                write_numbers(group, "mu", m.mu,
                             "Mean elementary effect mu, per unit of the parameter's range");
                write_numbers(group, "sigma", m.sigma,
                             "Standard deviation of the elementary effects");
                write_attr(group, "trajectories", static_cast<double>(m.trajectories));
                std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                    return (std::isnan(ms[b]) ? -1 : ms[b]) < (std::isnan(ms[a]) ? -1 : ms[a]);
                });
                table << "Morris elementary effects of " << column << " (" << units
                      << " per whole range of "
                      << "each parameter): " << m.trajectories << " trajectories, mean of " << R
                      << " replication" << (R == 1 ? "" : "s")
                      << " each\n95% bootstrap intervals on mu* (" << o.resamples
                      << " resamples). Ranked by mu*.\n";
                char head[200];
                std::snprintf(head, sizeof head, "%4s  %-38s %-38s %12s %12s\n", "rank",
                              "parameter", "mu* [95% interval]", "mu", "sigma");
                table << head;
                for (std::size_t r = 0; r < k; ++r) {
                    const std::size_t i = order[r];
                    char line[240];
                    std::snprintf(line, sizeof line,
                                  "%4zu  %-38s %12.4g [%10.4g, %10.4g] %12.4g %12.4g\n", r + 1,
                                  params[i].c_str(), m.mu_star[i].estimate, m.mu_star[i].low,
                                  m.mu_star[i].high, m.mu[i], m.sigma[i]);
                    table << line;
                }
            }
            write_attr(group, "table", table.str());
            if (!o.quiet) std::cout << table.str() << "\n";
        }
        if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0) throw std::runtime_error("cannot flush");
        if (!o.quiet) std::cout << "wrote /sensitivity into " << name << "\n";
    } catch (const InputError& e) {
        return bad(e.what());
    } catch (const std::exception& e) {
        std::cerr << "pbsim: " << name << ": " << e.what() << "\n";
        return 1;
    }
    return 0;
}

} // namespace pbsim::analysis
