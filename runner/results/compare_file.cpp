#include "runner/results/compare_file.hpp"

#include "analysis/compare.hpp"

#include "runner/output/h5.hpp"
#include "runner/output/layout.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace pbsim::analysis {

namespace {

namespace h5 = runner::h5;
using h5::InputError;

struct Column {
    std::string units;
    std::vector<double> values; // one per replication
};

// The summary of one scenario: columns in file order.
struct Summary {
    std::vector<std::string> order;
    std::map<std::string, Column> columns;
};

// A scenario's summary table: every variable but the coordinate is a float64
// column of one value per replication.
Summary read_summary(hid_t file, const std::string& group_path, std::size_t R) {
    Summary s;
    if (!h5::exists(file, group_path))
        throw InputError("no group '" + group_path + "' (the scenario has no summary)");
    for (const auto& name : h5::members(file, group_path)) {
        const std::string path = group_path + "/" + name;
        if (name == "replication") continue;
        std::vector<hsize_t> shape;
        Column col;
        col.values = h5::read_doubles(file, path, shape);
        if (shape.size() != 1 || shape[0] != R)
            throw InputError(
                "dataset '" + path + "' has shape [" +
                (shape.empty() ? std::string() : std::to_string(shape[0])) +
                (shape.size() > 1 ? ", ..." : "") + "], expected [" + std::to_string(R) +
                "] (one value per replication, as the root attribute replications says)");
        h5::Id ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
        col.units = h5::read_string_attr(ds, "units");
        s.order.push_back(name);
        s.columns[name] = std::move(col);
    }
    if (s.order.empty()) throw InputError("group '" + group_path + "' has no summary columns");
    return s;
}

// National total over councils, per replication, of a [replication, month,
// local_authority] time series in one month.
std::vector<double> national_at(hid_t file, const std::string& path, int month, std::size_t R) {
    std::vector<hsize_t> shape;
    const auto all = h5::read_doubles(file, path, shape);
    if (shape.size() != 3 || shape[0] != R || static_cast<hsize_t>(month) >= shape[1])
        throw InputError("dataset '" + path +
                         "' is not [replication, month, local_authority] with " +
                         std::to_string(R) + " replications");
    const std::size_t M = shape[1], C = shape[2];
    std::vector<double> out(R, 0.0);
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t c = 0; c < C; ++c)
            out[r] += all[(r * M + static_cast<std::size_t>(month)) * C + c];
    return out;
}

// Uptake at a chosen month, per replication, from a scenario's time series,
// added to its summary as uptake_share_YYYY_MM and pb_holders_YYYY_MM.
void add_uptake_at(hid_t file, const std::string& prefix, int month, const std::string& label,
                   double to_national, std::size_t R, Summary& s) {
    const auto dp = national_at(file, prefix + "/timeseries/holding_dp", month, R);
    const auto managed = national_at(file, prefix + "/timeseries/holding_managed", month, R);
    const auto population = national_at(file, prefix + "/timeseries/population", month, R);
    Column share{"1", {}}, holders{"1", {}};
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

// The summary columns the cost-effectiveness is computed from, and the
// perspective its costs take.
struct CeColumns {
    std::string cost, qalys, crises, perspective;
};

void write_comparison(h5::AtomicFile& f, const std::string& baseline, int replications,
                      const std::vector<Row>& rows, const std::vector<CeRow>& ce,
                      const CeColumns& columns) {
    std::lock_guard lock(h5::mutex());
    if (H5Lexists(f.root(), "comparison", H5P_DEFAULT) > 0)
        f.check(H5Ldelete(f.root(), "comparison", H5P_DEFAULT), "cannot replace /comparison");
    std::vector<std::string> scen, outc, units;
    std::vector<double> bm, sm, md, sd, lo, hi, n;
    for (const auto& r : rows) {
        scen.push_back(r.scenario), outc.push_back(r.outcome), units.push_back(r.units);
        bm.push_back(r.d.baseline_mean), sm.push_back(r.d.scenario_mean), md.push_back(r.d.mean);
        sd.push_back(r.d.sd), lo.push_back(r.d.ci_low), hi.push_back(r.d.ci_high),
            n.push_back(r.d.n);
    }
    {
        const auto decl = runner::layout::comparison();
        h5::GroupWriter g(f, decl);
        h5::attribute(f, g.id(), "baseline", baseline);
        h5::attribute(f, g.id(), "cost_column", columns.cost);
        h5::attribute(f, g.id(), "cost_perspective", columns.perspective);
        h5::attribute(f, g.id(), "qalys_column", columns.qalys);
        h5::attribute(f, g.id(), "crises_column", columns.crises);
        h5::attribute(f, g.id(), "replications", static_cast<std::int32_t>(replications));
        g.index("row", rows.size());
        g.write("scenario", scen);
        g.write("outcome", outc);
        g.write("units", units);
        g.write("baseline_mean", bm);
        g.write("scenario_mean", sm);
        g.write("mean_difference", md);
        g.write("sd_difference", sd);
        g.write("ci_low", lo);
        g.write("ci_high", hi);
        g.write("n", n);
    }
    std::vector<double> thresholds;
    if (!ce.empty())
        for (const auto& a : ce.front().ce.at)
            thresholds.push_back(a.threshold);
    const auto decl = runner::layout::comparison_cost_effectiveness(thresholds);
    h5::GroupWriter g(f, decl);
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
    g.coordinate("scenario", names);
    for (const auto& v : decl.variables)
        if (!v.coordinate()) g.write(v.name, c[v.name]);
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

// Who pays: the payer columns of the summary (cost_<key>_discounted), in the
// order the printed table shows them.
struct PayerColumn {
    const char* key;
    const char* label;
};
constexpr PayerColumn kPayers[] = {{"nhs", "NHS"},
                                   {"council", "council (social care)"},
                                   {"person", "person (charges)"},
                                   {"nhs_pss", "NHS + PSS (NICE reference case)"},
                                   {"total", "all payers"}};

bool is_payer_column(const std::string& rest) {
    for (const auto& p : kPayers)
        if (rest == std::string("cost_") + p.key + "_discounted") return true;
    return false;
}

// The parts of the printed table (all columns go to the file and CSV):
// uptake and events and outcomes, then costs by category, over the evaluation
// window (`eval` is "eval_", or "" for files without a window, which fall back
// to the run). Costs by payer are printed first, from kPayers.
enum class Part { none, outcome, category };

Part part_of(const std::string& name, const std::string& eval) {
    if (name == "uptake_share_2014_12" || name == "uptake_share_end" || name == "pb_holders_end")
        return Part::outcome;
    if (!name.starts_with(eval)) return Part::none;
    const std::string rest = name.substr(eval.size());
    if (!eval.empty() && rest.starts_with("eval_")) return Part::none;
    if (rest == (eval.empty() ? "crises_total" : "crises") ||
        rest == (eval.empty() ? "admissions_total" : "admissions") ||
        rest == (eval.empty() ? "bed_days_total" : "bed_days") || rest == "qalys_discounted" ||
        rest == "care_related_qol_years_discounted")
        return Part::outcome;
    if (rest.starts_with("cost_") && rest.ends_with("_discounted") && !is_payer_column(rest))
        return Part::category;
    return Part::none;
}

// The cost column of the cost-effectiveness and its perspective: the NICE
// reference case (NHS and personal social services) where the file has it,
// else all payers; over the evaluation window where there is one.
std::pair<std::string, std::string> ce_cost_column(const Summary& base, const std::string& eval) {
    const std::string nhs_pss = eval + "cost_nhs_pss_discounted";
    if (base.columns.count(nhs_pss)) return {nhs_pss, "NHS and personal social services"};
    return {eval + "cost_total_discounted", "all payers (NHS, council and person)"};
}

// The ICER, or the quadrant of the cost-effectiveness plane where a ratio misleads.
std::string icer_text(const CostEffectiveness& ce) {
    const double dc = ce.cost.mean, dq = ce.qalys.mean;
    if (dc <= 0 && dq > 0) return "dominant";               // cheaper and better
    if (dc >= 0 && dq < 0) return "dominated";              // dearer and worse
    if (dc < 0 && dq < 0) return plain(ce.icer) + " saved"; // savings per QALY lost
    return plain(ce.icer);
}

// A column's name without what the section heading already says: the window
// prefix, and for categories the _discounted suffix.
std::string short_name(const std::string& name, const std::string& eval, Part part) {
    std::string s = !eval.empty() && name.starts_with(eval) ? name.substr(eval.size()) : name;
    if (part == Part::category && s.ends_with("_discounted"))
        s.resize(s.size() - std::string("_discounted").size());
    return s;
}

void print_row(const std::string& label, const PairedDifference& d) {
    std::printf("  %-38s %14s %14s   %s [%s, %s]\n", label.c_str(), plain(d.baseline_mean).c_str(),
                plain(d.scenario_mean).c_str(), num(d.mean).c_str(), num(d.ci_low).c_str(),
                num(d.ci_high).c_str());
}

// A payer's row in GBP million, the scale at which payers are compared.
void print_millions(const std::string& label, const PairedDifference& d) {
    auto m = [](double v, const char* format) {
        if (!std::isfinite(v)) return std::string("n/a");
        char buf[32];
        std::snprintf(buf, sizeof buf, format, v / 1e6);
        return std::string(buf);
    };
    std::printf("  %-38s %14s %14s   %s [%s, %s]\n", label.c_str(),
                m(d.baseline_mean, "%.2f").c_str(), m(d.scenario_mean, "%.2f").c_str(),
                m(d.mean, "%+.2f").c_str(), m(d.ci_low, "%+.2f").c_str(),
                m(d.ci_high, "%+.2f").c_str());
}

// One scenario's printed rows: who pays first (every payer, even at zero, so
// the reader sees NHS + council + person = all payers), then the outcomes,
// then the cost categories that are not zero in both.
void print_scenario(const std::string& scenario, const std::vector<Row>& rows,
                    const std::string& eval, const std::set<std::string>& chosen) {
    std::map<std::string, const Row*> by_outcome;
    for (const auto& r : rows)
        if (r.scenario == scenario) by_outcome[r.outcome] = &r;
    std::printf("\n%s\n", scenario.c_str());
    std::printf("  %-38s %14s %14s   %s\n", "cost by payer (GBP million, disc.)", "baseline",
                "scenario", "difference [95% CI]");
    for (const auto& p : kPayers)
        if (const auto it = by_outcome.find(eval + "cost_" + p.key + "_discounted");
            it != by_outcome.end())
            print_millions(p.label, it->second->d);
    for (const Part part : {Part::outcome, Part::category}) {
        std::printf("  %s\n", part == Part::outcome ? "outcomes" : "cost by category (GBP, disc.)");
        for (const auto& r : rows)
            if (r.scenario == scenario &&
                (part_of(r.outcome, eval) == part ||
                 (part == Part::outcome && chosen.count(r.outcome))) &&
                (r.d.baseline_mean != 0 || r.d.scenario_mean != 0))
                print_row("  " + short_name(r.outcome, eval, part), r.d);
    }
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s)
        q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

} // namespace

bool needs_comparison(const std::filesystem::path& path, const std::string& baseline) {
    try {
        h5::Id file = h5::open_readonly(path);
        if (h5::read_string_attr(file, "scenario_names").find(',') == std::string::npos)
            return false;
        if (!h5::exists(file, "/comparison")) return true;
        h5::Id group(H5Gopen2(file, "comparison", H5P_DEFAULT));
        return !baseline.empty() && h5::read_string_attr(group, "baseline") != baseline;
    } catch (const InputError&) {
        return false;
    }
}

int compare_command(const CompareOptions& o) {
    auto bad = [&](const std::string& what) {
        std::cerr << "pbsim: " << o.file.string() << ": " << what << "\n";
        return 2;
    };
    h5::Id file;
    try {
        file = h5::open_readonly(o.file);
    } catch (const InputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return 2;
    }
    const std::string kind = h5::read_string_attr(file, "kind");
    if (kind != "run")
        return bad(kind.empty()
                       ? "not a pbsim run file (no root attribute kind; written by pbsim run?)"
                       : "is a pbsim " + kind +
                             " file, not a run: compare reads the output of "
                             "pbsim run with several scenarios");
    const auto reps = h5::read_number_attr(file, "replications");
    if (!reps || *reps < 1 || *reps != std::floor(*reps))
        return bad("root attribute replications is missing or not a positive whole number");
    const auto R = static_cast<std::size_t>(*reps);
    std::vector<std::string> names;
    std::vector<std::string> paths;
    {
        std::stringstream list(h5::read_string_attr(file, "scenario_names"));
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
    while (b < names.size() && names[b] != baseline)
        ++b;
    if (b == names.size()) {
        std::string all;
        for (const auto& n : names)
            all += (all.empty() ? "" : ", ") + n;
        std::cerr << "pbsim: " << o.file.string() << ": --baseline '" << baseline
                  << "' is not a scenario of the file; it has " << all << "\n";
        return 2;
    }

    std::vector<Summary> summaries;
    try {
        for (const auto& p : paths)
            summaries.push_back(read_summary(file, p, R));
    } catch (const InputError& e) {
        return bad(e.what());
    }
    // Uptake at the months asked for with --at, from the time series.
    std::set<std::string> chosen;
    if (!o.at.empty()) {
        try {
            const auto months =
                h5::read_strings(file, "/scenarios/" + names.front() + "/timeseries/month_label");
            if (months.empty()) throw InputError("the run has no months");
            const double to_national = h5::read_number_attr(file, "to_national").value_or(1.0);
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
                    add_uptake_at(file, "/scenarios/" + names[k],
                                  static_cast<int>(it - months.begin()), label, to_national, R,
                                  summaries[k]);
            }
        } catch (const InputError& e) {
            return bad(e.what());
        }
    }
    // Every scenario must have the baseline's columns (the same model wrote them).
    for (std::size_t k = 0; k < names.size(); ++k)
        for (const auto& name : summaries[b].order)
            if (!summaries[k].columns.count(name))
                return bad("dataset '/scenarios/" + names[k] + "/summary/" + name +
                           "' is missing (the baseline has it)");
    file.close(); // the input is only ever read; the result goes to a copy
    const Summary& base = summaries[b];
    const int replications = static_cast<int>(R);
    auto column = [](const Summary& s, const std::string& name) -> const std::vector<double>& {
        static const std::vector<double> none;
        const auto it = s.columns.find(name);
        return it == s.columns.end() ? none : it->second.values;
    };

    // Cost-effectiveness over the evaluation window (eval_* columns, costs and
    // QALYs discounted to its start) where the file has one, else the whole run.
    const bool windowed = base.columns.count("eval_cost_total_discounted") > 0;
    const std::string eval = windowed ? "eval_" : "";
    const auto [cost_column, perspective] = ce_cost_column(base, eval);
    const std::string qalys_column = eval + "qalys_discounted";
    const std::string crises_column = windowed ? "eval_crises" : "crises_total";
    std::vector<Row> rows;
    std::vector<CeRow> ce_rows;
    for (std::size_t k = 0; k < names.size(); ++k) {
        if (k == b) continue;
        for (const auto& outcome : base.order)
            rows.push_back(
                {names[k], outcome, base.columns.at(outcome).units,
                 paired_difference(column(base, outcome), column(summaries[k], outcome))});
        ce_rows.push_back(
            {names[k],
             cost_effectiveness(column(base, cost_column), column(summaries[k], cost_column),
                                column(base, qalys_column), column(summaries[k], qalys_column),
                                column(base, crises_column), column(summaries[k], crises_column))});
    }

    const std::filesystem::path out = o.out.empty() ? o.file : o.out;
    std::filesystem::path csv = o.csv;
    if (csv.empty()) csv = out.parent_path() / (out.stem().string() + "-comparison.csv");
    try {
        // A copy of the file gets /comparison and is renamed over it (or to
        // --out): a failure or a kill leaves the run's file as it was.
        runner::h5::AtomicFile result(o.file, out);
        write_comparison(result, baseline, replications, rows, ce_rows,
                         {cost_column, qalys_column, crises_column, perspective});
        result.commit();

        std::ostringstream text;
        text << "scenario,baseline,outcome,units,baseline_mean,scenario_mean,mean_difference,"
                "ci_low,ci_high,n\n";
        text.precision(10);
        for (const auto& r : rows)
            text << csv_field(r.scenario) << ',' << csv_field(baseline) << ',' << r.outcome << ','
                 << csv_field(r.units) << ',' << r.d.baseline_mean << ',' << r.d.scenario_mean
                 << ',' << r.d.mean << ',' << r.d.ci_low << ',' << r.d.ci_high << ',' << r.d.n
                 << '\n';
        runner::h5::write_text_file(csv, text.str());
    } catch (const runner::OutputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return 1;
    }

    if (!o.quiet) {
        std::printf(
            "Paired comparison with '%s': %d replications, mean difference (scenario - "
            "baseline) [95%% t interval]\nnational; events, costs and outcomes %s; costs GBP "
            "2012-13 discounted at 3.5%%\n",
            baseline.c_str(), replications,
            windowed ? "over the evaluation window (eval_* columns)" : "over the whole run");
        for (std::size_t k = 0; k < names.size(); ++k)
            if (k != b) print_scenario(names[k], rows, eval, chosen);
        std::printf("\nCost-effectiveness against '%s', perspective: %s (%s; QALYs: %s, "
                    "crises: %s; NMB = threshold x dQALY - dCost)\n",
                    baseline.c_str(), perspective.c_str(), cost_column.c_str(),
                    qalys_column.c_str(), crises_column.c_str());
        std::printf("  %-24s %12s %10s %14s %26s %7s %26s %7s %14s\n", "scenario", "dCost GBP",
                    "dQALY", "ICER", "NMB at 20,000 [95% CI]", "P(CE)", "NMB at 30,000 [95% CI]",
                    "P(CE)", "GBP/crisis");
        for (const auto& r : ce_rows) {
            std::printf("  %-24s %12s %10s %14s", r.scenario.c_str(), num(r.ce.cost.mean).c_str(),
                        num(r.ce.qalys.mean).c_str(), icer_text(r.ce).c_str());
            for (const auto& a : r.ce.at)
                std::printf(
                    " %26s %7.2f",
                    (num(a.nmb.mean) + " [" + num(a.nmb.ci_low) + ", " + num(a.nmb.ci_high) + "]")
                        .c_str(),
                    a.p_cost_effective);
            std::printf(" %14s\n", plain(r.ce.cost_per_crisis_averted).c_str());
        }
        std::printf("\nwrote /comparison into %s and %s\n", out.string().c_str(),
                    csv.string().c_str());
    }
    return 0;
}

} // namespace pbsim::analysis
