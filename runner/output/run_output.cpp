// The run file, written through the one HDF5 layer (runner/output/h5.hpp) from
// the declared layout (runner/output/layout.hpp). Replications arrive from
// worker threads; every HDF5 call holds h5::mutex().
#include "runner/output/run_output.hpp"

#include "model/payers.hpp"

#include "model/metrics.hpp"
#include "runner/output/h5.hpp"
#include "runner/output/layout.hpp"

#include <mutex>
#include <utility>

namespace pbsim::runner {

struct H5Output::Impl {
    std::filesystem::path final_path;
    std::unique_ptr<h5::AtomicFile> file;
    std::size_t R = 0, M = 0, C = 0;
    std::vector<std::string> summary_names;
    bool committed = false;

    struct ScenarioDatasets {
        std::string prefix;          // "" at the root, else "/scenarios/<name>"
        std::vector<h5::Id> series;  // <prefix>/timeseries/<metric>, in kMetrics order
        std::vector<h5::Id> summary; // <prefix>/summary/<name>, in layout order
    };
    std::vector<ScenarioDatasets> scenarios;

    ~Impl() {
        {
            std::lock_guard lock(h5::mutex());
            scenarios.clear(); // close the datasets before the file
        }
        file.reset(); // without commit: closes and removes the temporary file
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw OutputError("output file '" + final_path.string() + "': " + what);
    }

    void validate(const Provenance& prov, const OutputLayout& layout) {
        R = prov.replications > 0 ? static_cast<std::size_t>(prov.replications) : 0;
        M = layout.month_labels.size();
        C = layout.councils.size();
        if (R == 0) fail("the number of replications must be positive");
        if (M == 0) fail("the run has no months");
        if (C == 0) fail("the run has no local authorities");
        if (prov.months != static_cast<int>(M))
            fail("provenance gives " + std::to_string(prov.months) + " months but the layout has " +
                 std::to_string(M) + " month labels");
        for (const auto& label : layout.month_labels) {
            bool ok = label.size() == 7 && label[4] == '-';
            if (ok) try {
                    layout::days_since_epoch(label);
                } catch (const std::exception&) {
                    ok = false;
                }
            if (!ok) fail("month label '" + label + "' is not YYYY-MM");
        }
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
            for (const auto& seen : summary_names)
                if (seen == col.name) fail("two summary columns are both named '" + col.name + "'");
            summary_names.push_back(col.name);
        }
    }

    void scenario_attrs(hid_t obj, const ScenarioInfo& sc) {
        h5::attribute(*file, obj, "scenario_name", sc.name);
        h5::attribute(*file, obj, "scenario_file", sc.file);
        h5::attribute(*file, obj, "scenario_toml", sc.toml);
    }

    void write_payers(const std::string& prefix, const ScenarioInfo& sc) {
        const layout::Group decl = layout::run_payers(prefix);
        h5::GroupWriter g(*file, decl);
        std::vector<std::string> categories, rules;
        std::vector<double> shares;
        for (const auto& rule : payer_rules()) {
            categories.emplace_back(kMetrics[index(rule.category)].name);
            rules.emplace_back(rule.rule);
            for (const double x : payer_shares(rule, sc.at_evaluation_start))
                shares.push_back(x);
        }
        g.coordinate("cost_category", categories);
        g.coordinate("payer", std::vector<std::string>{"nhs", "council", "person"});
        g.write("share", shares);
        g.write("rule", rules);
    }

    void create_scenario(const std::string& prefix, const OutputLayout& layout,
                         const std::vector<std::string>& codes) {
        ScenarioDatasets out;
        out.prefix = prefix;
        {
            const layout::Group decl = layout::run_timeseries(prefix);
            h5::GroupWriter g(*file, decl);
            g.index("replication", R);
            g.months(layout.month_labels);
            g.coordinate("local_authority", codes);
            for (const auto& m : kMetrics)
                out.series.push_back(g.create(std::string(m.name), true));
        }
        {
            const layout::Group decl = layout::run_summary(prefix, layout.summary_columns);
            h5::GroupWriter g(*file, decl);
            g.index("replication", R);
            for (const auto& name : summary_names)
                out.summary.push_back(g.create(name, false));
        }
        scenarios.push_back(std::move(out));
    }

    void create(const Provenance& prov, const OutputLayout& layout) {
        validate(prov, layout);
        h5::init();
        if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Zfilter_avail(H5Z_FILTER_SHUFFLE) <= 0)
            fail("the HDF5 library lacks the deflate or shuffle filter");
        file = std::make_unique<h5::AtomicFile>(final_path);
        std::lock_guard lock(h5::mutex());
        const hid_t root = file->root();
        const bool several = prov.scenarios.size() > 1;
        h5::write_provenance(
            *file, layout::run_file(several),
            {prov.pbsim_version, prov.source_revision, prov.created_utc, prov.command_line});
        h5::attribute(*file, root, "seed", prov.seed);
        h5::attribute(*file, root, "replications", static_cast<std::int32_t>(prov.replications));
        h5::attribute(*file, root, "start_month", prov.start_month);
        h5::attribute(*file, root, "months", static_cast<std::int32_t>(prov.months));
        h5::attribute(*file, root, "scale", prov.scale);
        h5::attribute(*file, root, "to_national", prov.to_national);

        std::vector<std::string> codes;
        for (const auto& la : layout.councils)
            codes.push_back(la.code);

        if (!several) {
            scenario_attrs(root, prov.scenarios[0]);
            create_scenario("", layout, codes);
            write_payers("", prov.scenarios[0]);
        } else {
            std::string names;
            for (const auto& sc : prov.scenarios)
                names += (names.empty() ? "" : ",") + sc.name;
            h5::attribute(*file, root, "scenario_names", names);
            h5::Id all = h5::create_group(*file, root, "scenarios");
            h5::attribute(
                *file, all, "note",
                "One group per scenario, in the order given on the command line, each with "
                "the groups of a single-scenario file (timeseries, summary). Replication r "
                "of every scenario used the same random numbers: differences are paired.");
            for (const auto& sc : prov.scenarios) {
                h5::Id group = h5::create_group(*file, all, sc.name);
                scenario_attrs(group, sc);
                group.close();
                create_scenario("/scenarios/" + sc.name, layout, codes);
                write_payers("/scenarios/" + sc.name, sc);
            }
        }

        const layout::Group decl = layout::run_local_authorities();
        h5::GroupWriter g(*file, decl);
        g.coordinate("local_authority", codes);
        std::vector<double> size_share, dp_culture, amount, crisis;
        std::vector<std::int32_t> users, posts, lag;
        for (const auto& la : layout.councils) {
            lag.push_back(la.adoption_lag);
            size_share.push_back(la.size_share);
            dp_culture.push_back(la.dp_culture);
            amount.push_back(la.amount_multiplier);
            crisis.push_back(la.crisis_multiplier);
            users.push_back(static_cast<std::int32_t>(la.user_count));
            posts.push_back(static_cast<std::int32_t>(la.post_count));
        }
        g.write("size_share", size_share);
        g.write("dp_culture", dp_culture);
        g.write("amount_multiplier", amount);
        g.write("crisis_multiplier", crisis);
        g.write("adoption_lag", lag);
        g.write("users", users);
        g.write("coordinators", posts);
    }

    void write(int s, int r, const ReplicationResult& result,
               const std::vector<SummaryValue>& values) {
        std::lock_guard lock(h5::mutex());
        std::string which = "replication " + std::to_string(r);
        if (committed || !file || !file->open())
            fail("cannot write " + which + ": the file is already closed");
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
        auto write_row = [&](hid_t ds, const hsize_t* start, const hsize_t* count, int rank,
                             hsize_t n, const double* data, const std::string& what) {
            h5::Id fspace(file->check(H5Dget_space(ds), "cannot get dataspace"));
            file->check(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr),
                        "cannot select " + which);
            h5::Id mem(file->check(H5Screate_simple(1, &n, nullptr), "cannot create dataspace"));
            (void)rank;
            file->check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, mem, fspace, H5P_DEFAULT, data),
                        "cannot write " + what + " of " + which);
        };
        const hsize_t start3[3] = {ru, 0, 0}, count3[3] = {1, M, C};
        for (std::size_t k = 0; k < kMetricCount; ++k)
            write_row(series[k], start3, count3, 3, M * C, result.series(static_cast<Metric>(k)),
                      "time series '" + std::string(kMetrics[k].name) + "'");
        const hsize_t start1[1] = {ru}, count1[1] = {1};
        for (std::size_t i = 0; i < summary.size(); ++i)
            write_row(summary[i], start1, count1, 1, 1, &values[i].value,
                      "summary '" + summary_names[i] + "'");
    }

    void commit() {
        if (committed) fail("already committed");
        if (!file || !file->open()) fail("cannot commit: the file is already closed");
        {
            std::lock_guard lock(h5::mutex());
            // Each HDF5 call clears the error stack: keep the first failure's reason.
            std::string why;
            for (auto& sc : scenarios) {
                for (auto& h : sc.series)
                    if (!h.close() && why.empty()) why = h5::reason();
                for (auto& h : sc.summary)
                    if (!h.close() && why.empty()) why = h5::reason();
            }
            scenarios.clear();
            if (!why.empty())
                file->fail("cannot write '" + file->temporary_path().string() + "': " + why);
        }
        file->commit();
        committed = true;
    }
};

H5Output::H5Output(std::filesystem::path final_path, const Provenance& provenance,
                   const OutputLayout& layout)
    : impl_(std::make_unique<Impl>()) {
    impl_->final_path = std::move(final_path);
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
    return impl_->file->temporary_path();
}

} // namespace pbsim::runner
