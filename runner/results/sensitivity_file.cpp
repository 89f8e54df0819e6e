#include "runner/results/sensitivity_file.hpp"

#include "analysis/design.hpp"
#include "analysis/sensitivity.hpp"

#include "runner/output/h5.hpp"
#include "runner/output/layout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace pbsim::analysis {

namespace {

namespace h5 = runner::h5;
using h5::InputError;

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string w; std::getline(in, w, '_');)
        if (!w.empty()) out.push_back(w);
    return out;
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
    h5::Id file;
    try {
        file = h5::open_readonly(o.file);
    } catch (const InputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return 2;
    }
    const std::string design = h5::read_string_attr(file, "design");
    if (h5::read_string_attr(file, "kind") != "sweep" || design.empty())
        return bad("not the output of pbsim sweep (no sweep design); run pbsim sweep first");
    DesignKind kind{};
    if (!parse_design(design, kind) || (kind != DesignKind::sobol && kind != DesignKind::morris))
        return bad("design '" + design +
                   "' has no sensitivity estimator here: accepted designs are " +
                   "'sobol' (Sobol indices) and 'morris' (elementary effects)");
    const auto seed = h5::read_uint64_attr(file, "seed").value_or(1);
    std::vector<std::string> columns;
    for (const auto& c : h5::members(file, "/summary"))
        if (c != "point" && c != "replication") columns.push_back(c);
    std::vector<std::string> wanted = o.outputs;
    if (wanted.empty()) wanted.push_back("uptake_share_2014_12");

    struct Result {
        std::string column, units, table;
        std::size_t R = 0;
        bool sobol = true;
        std::vector<std::vector<double>> values; // in the declared order of the group's variables
        double variance = 0, base_rows = 0, trajectories = 0;
    };
    std::vector<Result> results;
    std::vector<std::string> params;
    try {
        std::vector<hsize_t> dims;
        params = h5::read_strings(file, "/design/parameter");
        const auto unit_values = h5::read_doubles(file, "/design/unit", dims);
        if (dims.size() != 2 || dims[1] != params.size())
            throw InputError("dataset '/design/unit' has the wrong shape: expected [point, " +
                             std::to_string(params.size()) + "]");
        Matrix unit(dims[0], dims[1]);
        unit.values = unit_values;
        const std::size_t P = unit.rows, k = params.size();
        const auto reps = h5::read_number_attr(file, "replications");

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
            const std::string path = "/summary/" + column;
            const auto raw = h5::read_doubles(file, path, dims);
            if (dims.size() != 2 || dims[0] != P || (reps && dims[1] != *reps))
                throw InputError(
                    "dataset '" + path + "' has the wrong shape: expected [" + std::to_string(P) +
                    " points, " +
                    (reps ? std::to_string(static_cast<long>(*reps)) : std::string("R")) +
                    " replications]");
            Result res;
            res.column = column;
            {
                h5::Id ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
                res.units = h5::read_string_attr(ds, "units");
            }
            // The mean of each point's replications (noise averaged out before the design
            // estimators).
            const std::size_t R = dims[1];
            res.R = R;
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

            std::vector<std::size_t> order(k);
            std::iota(order.begin(), order.end(), 0);
            std::ostringstream table;
            const std::string& units = res.units;
            if (kind == DesignKind::sobol) {
                if (P % (k + 2) != 0)
                    throw InputError("dataset '/design/unit' is not whole Saltelli blocks");
                const auto s = sobol_indices(y, k, o.resamples, 0.95, seed);
                std::vector<double> f, fl, fh, t, tl, th;
                for (std::size_t i = 0; i < k; ++i) {
                    f.push_back(s.first[i].estimate), fl.push_back(s.first[i].low),
                        fh.push_back(s.first[i].high);
                    t.push_back(s.total[i].estimate), tl.push_back(s.total[i].low),
                        th.push_back(s.total[i].high);
                }
                res.values = {f, fl, fh, t, tl, th};
                res.variance = s.variance;
                res.base_rows = static_cast<double>(s.n);
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
                res.sobol = false;
                if (P % (k + 1) != 0)
                    throw InputError("dataset '/design/unit' is not whole Morris trajectories");
                const auto m = morris_indices(unit, y, o.resamples, 0.95, seed);
                std::vector<double> ms, msl, msh;
                for (const auto& x : m.mu_star)
                    ms.push_back(x.estimate), msl.push_back(x.low), msh.push_back(x.high);
                res.values = {ms, msl, msh, m.mu, m.sigma};
                res.trajectories = static_cast<double>(m.trajectories);
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
            res.table = table.str();
            if (!o.quiet) std::cout << res.table << "\n";
            results.push_back(std::move(res));
        }
    } catch (const InputError& e) {
        return bad(e.what());
    }
    file.close(); // only ever read: the results go to a copy

    const std::filesystem::path out = o.out.empty() ? o.file : o.out;
    try {
        h5::AtomicFile f(o.file, out);
        {
            std::lock_guard lock(h5::mutex());
            for (const auto& res : results) {
                const std::string path = "/sensitivity/" + res.column;
                if (h5::exists(f.root(), path))
                    f.check(H5Ldelete(f.root(), path.c_str(), H5P_DEFAULT),
                            "cannot replace '" + path + "'");
                const auto decl = runner::layout::sensitivity(res.column, res.sobol, res.units);
                h5::GroupWriter g(f, decl);
                g.coordinate("parameter", params);
                std::size_t i = 0;
                for (const auto& v : decl.variables)
                    if (!v.coordinate()) g.write(v.name, res.values.at(i++));
                h5::attribute(f, g.id(), "output", res.column);
                h5::attribute(f, g.id(), "units", res.units);
                h5::attribute(
                    f, g.id(), "method",
                    res.sobol ? std::string("Sobol indices: S1 Saltelli (2010), ST Jansen (1999)")
                              : std::string(
                                    "Morris elementary effects: mu, mu* (Campolongo 2007), sigma"));
                h5::attribute(f, g.id(), "interval",
                              "95% bootstrap percentile interval, " + std::to_string(o.resamples) +
                                  " resamples");
                h5::attribute(f, g.id(), "replications_averaged", static_cast<double>(res.R));
                if (res.sobol) {
                    h5::attribute(f, g.id(), "variance", res.variance);
                    h5::attribute(f, g.id(), "base_rows", res.base_rows);
                } else {
                    h5::attribute(f, g.id(), "trajectories", res.trajectories);
                }
                h5::attribute(f, g.id(), "table", res.table);
            }
        }
        f.commit();
        if (!o.quiet) std::cout << "wrote /sensitivity into " << out.string() << "\n";
    } catch (const runner::OutputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

} // namespace pbsim::analysis
