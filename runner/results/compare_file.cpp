#include "runner/results/compare_file.hpp"

#include "analysis/compare.hpp"

#include "runner/output/h5io.hpp"

#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace pbsim::analysis {

namespace {

struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Column {
    std::string units;
    std::vector<double> values; // one per replication
};

// The summary of one scenario: columns in file order.
struct Summary {
    std::vector<std::string> order;
    std::map<std::string, Column> columns;
};

Summary read_summary(hid_t file, const std::string& group_path) {
    Summary s;
    Id group(H5Gopen2(file, group_path.c_str(), H5P_DEFAULT), H5Gclose);
    if (group < 0) throw InputError("no group '" + group_path + "'");
    H5G_info_t info;
    H5Gget_info(group, &info);
    const H5_index_t index = H5Pget_link_creation_order(Id(H5Gget_create_plist(group), H5Pclose),
                                                        nullptr) >= 0
                                 ? H5_INDEX_CRT_ORDER
                                 : H5_INDEX_NAME;
    for (hsize_t k = 0; k < info.nlinks; ++k) {
        char name[256];
        if (H5Lget_name_by_idx(group, ".", index, H5_ITER_INC, k, name, sizeof name, H5P_DEFAULT) < 0 &&
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, k, name, sizeof name,
                               H5P_DEFAULT) < 0)
            continue;
        Id ds(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
        if (ds < 0) continue;
        Id space(H5Dget_space(ds), H5Sclose);
        const hssize_t n = H5Sget_simple_extent_npoints(space);
        Column col;
        col.values.resize(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
        if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, col.values.data()) < 0)
            continue;
        col.units = read_string_attr(ds, "units");
        s.order.push_back(name);
        s.columns[name] = std::move(col);
    }
    return s;
}

// The run's months (/dims/month, YYYY-MM).
std::vector<std::string> read_months(hid_t file) {
    Id ds(H5Dopen2(file, "/dims/month", H5P_DEFAULT), H5Dclose);
    if (ds < 0) throw InputError("no /dims/month");
    Id type(H5Dget_type(ds), H5Tclose);
    Id space(H5Dget_space(ds), H5Sclose);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    const std::size_t size = H5Tget_size(type);
    if (H5Tis_variable_str(type) > 0 || size == 0) throw InputError("/dims/month is not fixed-length text");
    std::string buffer(n * size, '\0');
    if (H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
        throw InputError("cannot read /dims/month");
    std::vector<std::string> months;
    for (std::size_t i = 0; i < n; ++i) {
        std::string m = buffer.substr(i * size, size);
        months.push_back(m.substr(0, m.find('\0')));
    }
    return months;
}

// National total over councils, per replication, of a [replication, month,
// council] time series in one month.
std::vector<double> national_at(hid_t file, const std::string& path, int month) {
    Id ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (ds < 0) throw InputError("no " + path);
    Id space(H5Dget_space(ds), H5Sclose);
    hsize_t dims[3];
    if (H5Sget_simple_extent_ndims(space) != 3) throw InputError(path + " is not [replication, month, council]");
    H5Sget_simple_extent_dims(space, dims, nullptr);
    const hsize_t start[3] = {0, static_cast<hsize_t>(month), 0}, count[3] = {dims[0], 1, dims[2]};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    Id mem(H5Screate_simple(3, count, nullptr), H5Sclose);
    std::vector<double> values(dims[0] * dims[2]);
    if (H5Dread(ds, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, values.data()) < 0)
        throw InputError("cannot read " + path);
    std::vector<double> out(dims[0], 0.0);
    for (hsize_t r = 0; r < dims[0]; ++r)
        for (hsize_t c = 0; c < dims[2]; ++c) out[r] += values[r * dims[2] + c];
    return out;
}

// Uptake at a chosen month, per replication, from a scenario's time series,
// added to its summary as uptake_share_YYYY_MM and pb_holders_YYYY_MM.
void add_uptake_at(hid_t file, const std::string& prefix, int month, const std::string& label,
                   double to_national, Summary& s) {
    const auto dp = national_at(file, prefix + "/timeseries/holding_dp", month);
    const auto managed = national_at(file, prefix + "/timeseries/holding_managed", month);
    const auto population = national_at(file, prefix + "/timeseries/population", month);
    Column share{"fraction", {}}, holders{"people", {}};
    for (std::size_t r = 0; r < dp.size(); ++r) {
        share.values.push_back((dp[r] + managed[r]) / population[r]);
        holders.values.push_back((dp[r] + managed[r]) * to_national);
    }
    for (auto* col : {&share, &holders}) {
        const std::string name = (col == &share ? "uptake_share_" : "pb_holders_") + label;
        if (!s.columns.count(name)) s.order.push_back(name);
        s.columns[name] = std::move(*col);
    }
}

struct Row {
    std::string scenario, outcome, units;
    PairedDifference d;
};

struct CeRow {
    std::string scenario;
    CostEffectiveness ce;
};

// --- writing /comparison -------------------------------------------------

// The summary columns the cost-effectiveness is computed from.
struct CeColumns {
    std::string cost, qalys, crises;
};

void write_comparison(hid_t file, const std::string& baseline, int replications,
                      const std::vector<Row>& rows, const std::vector<CeRow>& ce,
                      const CeColumns& columns) {
    if (H5Lexists(file, "comparison", H5P_DEFAULT) > 0) H5Ldelete(file, "comparison", H5P_DEFAULT);
    Id group(H5Gcreate2(file, "comparison", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (group < 0) throw std::runtime_error("cannot create /comparison");
    write_attr(group, "baseline", baseline);
    write_attr(group, "note",
               std::string("Paired differences scenario - baseline over replications (common random "
                           "numbers), with 95% t intervals. One row per (scenario, summary column). "
                           "Costs GBP 2012-13."));
    write_attr(group, "cost_column", columns.cost);
    write_attr(group, "qalys_column", columns.qalys);
    write_attr(group, "crises_column", columns.crises);
    write_attr(group, "replications", static_cast<std::int32_t>(replications));
    std::vector<std::string> scen, outc, units;
    std::vector<double> bm, sm, md, sd, lo, hi, n;
    for (const auto& r : rows) {
        scen.push_back(r.scenario), outc.push_back(r.outcome), units.push_back(r.units);
        bm.push_back(r.d.baseline_mean), sm.push_back(r.d.scenario_mean), md.push_back(r.d.mean);
        sd.push_back(r.d.sd), lo.push_back(r.d.ci_low), hi.push_back(r.d.ci_high), n.push_back(r.d.n);
    }
    write_strings(group, "scenario", scen);
    write_strings(group, "outcome", outc);
    write_strings(group, "units", units);
    write_numbers(group, "baseline_mean", bm, "Baseline mean over replications");
    write_numbers(group, "scenario_mean", sm, "Scenario mean over replications");
    write_numbers(group, "mean_difference", md, "Mean paired difference, scenario - baseline");
    write_numbers(group, "sd_difference", sd, "Standard deviation of the paired differences");
    write_numbers(group, "ci_low", lo, "Lower end of the 95% t interval of the mean difference");
    write_numbers(group, "ci_high", hi, "Upper end of the 95% t interval of the mean difference");
    write_numbers(group, "n", n, "Replication pairs");

    Id ceg(H5Gcreate2(group, "cost_effectiveness", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    std::vector<std::string> names;
    std::map<std::string, std::vector<double>> c;
    for (const auto& r : ce) {
        names.push_back(r.scenario);
        c["incremental_cost"].push_back(r.ce.cost.mean);
        c["incremental_cost_low"].push_back(r.ce.cost.ci_low);
        c["incremental_cost_high"].push_back(r.ce.cost.ci_high);
        c["incremental_qalys"].push_back(r.ce.qalys.mean);
        c["incremental_qalys_low"].push_back(r.ce.qalys.ci_low);
        c["incremental_qalys_high"].push_back(r.ce.qalys.ci_high);
        c["icer"].push_back(r.ce.icer);
        for (const auto& a : r.ce.at) {
            const std::string k = std::to_string(static_cast<long>(a.threshold));
            c["nmb_" + k].push_back(a.nmb.mean);
            c["nmb_" + k + "_low"].push_back(a.nmb.ci_low);
            c["nmb_" + k + "_high"].push_back(a.nmb.ci_high);
            c["p_cost_effective_" + k].push_back(a.p_cost_effective);
        }
        c["cost_per_crisis_averted"].push_back(r.ce.cost_per_crisis_averted);
    }
    write_strings(ceg, "scenario", names);
    for (const auto& [key, values] : c) {
        const std::string desc =
            key.starts_with("icer") ? "Incremental cost per QALY gained, GBP (ratio of means)"
            : key.starts_with("nmb") ? "Net monetary benefit at the threshold in the name, GBP"
            : key.starts_with("p_cost") ? "Share of replications with positive net monetary benefit"
            : key.starts_with("cost_per") ? "Incremental cost per crisis averted, GBP"
            : key.find("qalys") != std::string::npos ? "Incremental discounted QALYs"
                                                      : "Incremental discounted cost, GBP";
        write_numbers(ceg, key.c_str(), values, desc);
    }
}

// --- printing ------------------------------------------------------------

std::string num(double v) {
    if (!std::isfinite(v)) return "n/a";
    char buf[32];
    const double a = std::abs(v);
    if (a != 0 && (a >= 1e6 || a < 1e-3))
        std::snprintf(buf, sizeof buf, "%+.3g", v);
    else if (a >= 100)
        std::snprintf(buf, sizeof buf, "%+.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%+.4g", v);
    return buf;
}

std::string plain(double v) {
    std::string s = num(v);
    return s.size() > 1 && s[0] == '+' ? s.substr(1) : s;
}

// The outcomes shown in the printed table (all columns go to the file and CSV):
// uptake, and events, costs and outcomes over the evaluation window (`eval`
// is "eval_", or "" for files without a window, which fall back to the run).
bool shown(const std::string& name, const std::string& eval) {
    if (name == "uptake_share_2014_12" || name == "uptake_share_end" || name == "pb_holders_end")
        return true;
    if (!name.starts_with(eval)) return false;
    const std::string rest = name.substr(eval.size());
    if (!eval.empty() && rest.starts_with("eval_")) return false;
    return rest == (eval.empty() ? "crises_total" : "crises") ||
           rest == (eval.empty() ? "admissions_total" : "admissions") ||
           rest == (eval.empty() ? "bed_days_total" : "bed_days") || rest == "qalys_discounted" ||
           rest == "care_related_qol_years_discounted" ||
           (rest.starts_with("cost_") && rest.ends_with("_discounted"));
}

// The ICER, or the quadrant of the cost-effectiveness plane where a ratio misleads.
std::string icer_text(const CostEffectiveness& ce) {
    const double dc = ce.cost.mean, dq = ce.qalys.mean;
    if (dc <= 0 && dq > 0) return "dominant";    // cheaper and better
    if (dc >= 0 && dq < 0) return "dominated";   // dearer and worse
    if (dc < 0 && dq < 0) return plain(ce.icer) + " saved"; // savings per QALY lost
    return plain(ce.icer);
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

} // namespace

bool needs_comparison(const std::filesystem::path& path, const std::string& baseline) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t raw = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (raw < 0) return false;
    Id file(raw, H5Fclose);
    if (read_string_attr(file, "scenario_names").find(',') == std::string::npos) return false;
    if (H5Lexists(file, "comparison", H5P_DEFAULT) <= 0) return true;
    Id group(H5Gopen2(file, "comparison", H5P_DEFAULT), H5Gclose);
    return !baseline.empty() && read_string_attr(group, "baseline") != baseline;
}

int compare_command(const CompareOptions& o) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.file, ec)) {
        std::cerr << "pbsim: " << o.file.string() << ": no such file\n";
        return 2;
    }
    const hid_t raw = H5Fopen(o.file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (raw < 0) {
        std::cerr << "pbsim: " << o.file.string()
                  << ": cannot open as a writable HDF5 file (is it a pbsim output?)\n";
        return 2;
    }
    Id file(raw, H5Fclose);
    std::vector<std::string> names;
    std::vector<std::string> paths;
    {
        std::stringstream list(read_string_attr(file, "scenario_names"));
        for (std::string name; std::getline(list, name, ',');) {
            names.push_back(name);
            paths.push_back("/scenarios/" + name + "/summary");
        }
    }
    if (names.size() < 2) {
        std::cerr << "pbsim: " << o.file.string()
                  << ": holds one scenario; nothing to compare (run several scenarios together: "
                     "pbsim run baseline.toml policy.toml ...)\n";
        return 2;
    }
    const std::string baseline = o.baseline.empty() ? names.front() : o.baseline;
    std::size_t b = 0;
    while (b < names.size() && names[b] != baseline) ++b;
    if (b == names.size()) {
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
        std::cerr << "pbsim: " << o.file.string() << ": --baseline '" << baseline
                  << "' is not a scenario of the file; it has " << all << "\n";
        return 2;
    }

    std::vector<Summary> summaries;
    try {
        for (const auto& p : paths) summaries.push_back(read_summary(file, p));
    } catch (const InputError& e) {
        std::cerr << "pbsim: " << o.file.string() << ": " << e.what() << "\n";
        return 2;
    }
    // Uptake at the months asked for with --at, from the time series.
    std::set<std::string> chosen;
    if (!o.at.empty()) {
        try {
            const auto months = read_months(file);
            double to_national = 1.0;
            if (H5Aexists(file, "to_national") > 0) {
                Id attr(H5Aopen(file, "to_national", H5P_DEFAULT), H5Aclose);
                H5Aread(attr, H5T_NATIVE_DOUBLE, &to_national);
            }
            for (const auto& m : o.at) {
                const auto it = std::find(months.begin(), months.end(), m);
                if (it == months.end()) {
                    std::cerr << "pbsim: " << o.file.string() << ": --at " << m
                              << " is not a month of the run; accepted YYYY-MM from "
                              << months.front() << " to " << months.back() << "\n";
                    return 2;
                }
                std::string label = m;
                std::replace(label.begin(), label.end(), '-', '_');
                chosen.insert("uptake_share_" + label);
                chosen.insert("pb_holders_" + label);
                for (std::size_t k = 0; k < names.size(); ++k)
                    add_uptake_at(file, "/scenarios/" + names[k], static_cast<int>(it - months.begin()),
                                  label, to_national, summaries[k]);
            }
        } catch (const InputError& e) {
            std::cerr << "pbsim: " << o.file.string() << ": " << e.what() << "\n";
            return 2;
        }
    }
    const Summary& base = summaries[b];
    const int replications = base.order.empty() ? 0 : static_cast<int>(base.columns.at(base.order[0]).values.size());
    auto column = [](const Summary& s, const std::string& name) -> const std::vector<double>& {
        static const std::vector<double> none;
        const auto it = s.columns.find(name);
        return it == s.columns.end() ? none : it->second.values;
    };

    // Cost-effectiveness over the evaluation window (eval_* columns, costs and
    // QALYs discounted to its start) where the file has one, else the whole run.
    const bool windowed = base.columns.count("eval_cost_total_discounted") > 0;
    const std::string eval = windowed ? "eval_" : "";
    const std::string cost_column = eval + "cost_total_discounted";
    const std::string qalys_column = eval + "qalys_discounted";
    const std::string crises_column = windowed ? "eval_crises" : "crises_total";
    std::vector<Row> rows;
    std::vector<CeRow> ce_rows;
    for (std::size_t k = 0; k < names.size(); ++k) {
        if (k == b) continue;
        for (const auto& outcome : base.order)
            rows.push_back({names[k], outcome, base.columns.at(outcome).units,
                            paired_difference(column(base, outcome), column(summaries[k], outcome))});
        ce_rows.push_back(
            {names[k], cost_effectiveness(column(base, cost_column),
                                          column(summaries[k], cost_column),
                                          column(base, qalys_column),
                                          column(summaries[k], qalys_column),
                                          column(base, crises_column),
                                          column(summaries[k], crises_column))});
    }

    try {
        write_comparison(file, baseline, replications, rows, ce_rows,
                         {cost_column, qalys_column, crises_column});
    } catch (const std::exception& e) {
        std::cerr << "pbsim: " << o.file.string() << ": " << e.what() << "\n";
        return 1;
    }

    std::filesystem::path csv = o.csv;
    if (csv.empty())
        csv = o.file.parent_path() / (o.file.stem().string() + "-comparison.csv");
    {
        std::ofstream out(csv);
        out << "scenario,baseline,outcome,units,baseline_mean,scenario_mean,mean_difference,"
               "ci_low,ci_high,n\n";
        out.precision(10);
        for (const auto& r : rows)
            out << csv_field(r.scenario) << ',' << csv_field(baseline) << ',' << r.outcome << ','
                << csv_field(r.units) << ',' << r.d.baseline_mean << ',' << r.d.scenario_mean
                << ',' << r.d.mean << ',' << r.d.ci_low << ',' << r.d.ci_high << ',' << r.d.n
                << '\n';
        if (!out) {
            std::cerr << "pbsim: cannot write " << csv.string() << "\n";
            return 2;
        }
    }

    if (!o.quiet) {
        std::printf("Paired comparison with '%s': %d replications, mean difference (scenario - "
                    "baseline) [95%% t interval]; national, costs GBP 2012-13 discounted at 3.5%%\n",
                    baseline.c_str(), replications);
        for (std::size_t k = 0; k < names.size(); ++k) {
            if (k == b) continue;
            std::printf("\n%s\n", names[k].c_str());
            std::printf("  %-36s %14s %14s   %s\n", "outcome", "baseline", "scenario",
                        "difference [95% CI]");
            for (const auto& r : rows)
                if (r.scenario == names[k] && (shown(r.outcome, eval) || chosen.count(r.outcome)) &&
                    (r.d.baseline_mean != 0 || r.d.scenario_mean != 0))
                    std::printf("  %-36s %14s %14s   %s [%s, %s]\n", r.outcome.c_str(),
                                plain(r.d.baseline_mean).c_str(), plain(r.d.scenario_mean).c_str(),
                                num(r.d.mean).c_str(), num(r.d.ci_low).c_str(),
                                num(r.d.ci_high).c_str());
        }
        std::printf("\nCost-effectiveness against '%s' (%s, %s, crises: %s; NMB = threshold x "
                    "dQALY - dCost)\n",
                    baseline.c_str(), cost_column.c_str(), qalys_column.c_str(),
                    crises_column.c_str());
        std::printf("  %-24s %12s %10s %14s %26s %7s %26s %7s %14s\n", "scenario", "dCost GBP",
                    "dQALY", "ICER", "NMB at 20,000 [95% CI]", "P(CE)", "NMB at 30,000 [95% CI]",
                    "P(CE)", "GBP/crisis");
        for (const auto& r : ce_rows) {
            std::printf("  %-24s %12s %10s %14s", r.scenario.c_str(), num(r.ce.cost.mean).c_str(),
                        num(r.ce.qalys.mean).c_str(), icer_text(r.ce).c_str());
            for (const auto& a : r.ce.at)
                std::printf(" %26s %7.2f",
                            (num(a.nmb.mean) + " [" + num(a.nmb.ci_low) + ", " + num(a.nmb.ci_high) + "]").c_str(),
                            a.p_cost_effective);
            std::printf(" %14s\n", plain(r.ce.cost_per_crisis_averted).c_str());
        }
        std::printf("\nwrote /comparison into %s and %s\n", o.file.string().c_str(),
                    csv.string().c_str());
    }
    return 0;
}

} // namespace pbsim::analysis
