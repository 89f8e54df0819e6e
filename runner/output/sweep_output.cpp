#include "runner/output/sweep_output.hpp"

#include "model/metrics.hpp"
#include "runner/output/h5.hpp"
#include "runner/output/layout.hpp"

#include <mutex>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

// Everything but the commit (which takes the HDF5 lock itself).
void write_contents(h5::AtomicFile& file, const SweepProvenance& prov, const SweepResults& res) {
    const std::size_t P = res.unit.rows, R = static_cast<std::size_t>(prov.replications),
                      M = res.month_labels.size();
    std::lock_guard lock(h5::mutex());
    const hid_t root = file.root();
    h5::write_provenance(
        file, layout::sweep_file(),
        {prov.pbsim_version, prov.source_revision, prov.created_utc, prov.command_line});
    h5::attribute(file, root, "sweep_file", prov.sweep_file);
    h5::attribute(file, root, "sweep_toml", prov.sweep_toml);
    h5::attribute(file, root, "base_scenario_file", prov.base_scenario_file);
    h5::attribute(file, root, "base_scenario_toml", prov.base_scenario_toml);
    h5::attribute(file, root, "design", prov.design);
    h5::attribute(file, root, "design_size", static_cast<std::int32_t>(prov.design_size));
    h5::attribute(file, root, "levels", static_cast<std::int32_t>(prov.levels));
    h5::attribute(file, root, "points", static_cast<std::int32_t>(P));
    h5::attribute(file, root, "seed", prov.seed);
    h5::attribute(file, root, "replications", static_cast<std::int32_t>(prov.replications));
    h5::attribute(file, root, "scale", prov.scale);
    h5::attribute(file, root, "start_month", prov.start_month);
    h5::attribute(file, root, "months", static_cast<std::int32_t>(prov.months));
    h5::attribute(file, root, "mpi_ranks", static_cast<std::int32_t>(prov.mpi_ranks));

    std::vector<std::string> keys, units, from;
    std::vector<double> low, high;
    std::vector<layout::ListFactor> lists;
    for (const auto& f : res.factors) {
        keys.push_back(f.key);
        units.push_back(f.unit);
        from.push_back(f.from);
        low.push_back(f.low);
        high.push_back(f.high);
        if (!f.values.empty()) lists.push_back({f.key, f.unit});
    }

    {
        const layout::Group decl = layout::sweep_design(lists);
        h5::GroupWriter g(file, decl);
        h5::attribute(file, g.id(), "design", prov.design);
        g.index("point", P);
        g.coordinate("parameter", keys);
        for (const auto& f : res.factors)
            if (!f.values.empty()) g.coordinate("values_" + f.key, f.values);
        g.write("units", units);
        g.write("from", from);
        g.write("low", low);
        g.write("high", high);
        g.write("matrix", res.values.values);
        g.write("unit", res.unit.values);
    }
    {
        const layout::Group decl = layout::sweep_summary(res.columns);
        h5::GroupWriter g(file, decl);
        g.index("point", P);
        g.index("replication", R);
        for (std::size_t c = 0; c < res.columns.size(); ++c)
            g.write(res.columns[c].name,
                    std::vector<double>(res.summary.begin() + static_cast<long>(c * P * R),
                                        res.summary.begin() + static_cast<long>((c + 1) * P * R)));
    }
    if (res.timeseries) {
        const layout::Group decl = layout::sweep_timeseries();
        h5::GroupWriter g(file, decl);
        g.index("point", P);
        g.index("replication", R);
        g.months(res.month_labels);
        const hsize_t n = P * R * M;
        for (std::size_t k = 0; k < kMetricCount; ++k) {
            h5::Id ds = g.create(std::string(kMetrics[k].name), n > 4096);
            file.check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                res.series.data() + k * n),
                       "cannot write '/timeseries/" + std::string(kMetrics[k].name) + "'");
        }
    }
}

} // namespace

void write_sweep_file(const fs::path& out, const SweepProvenance& prov, const SweepResults& res) {
    const std::size_t P = res.unit.rows, K = res.factors.size(),
                      R = static_cast<std::size_t>(prov.replications), M = res.month_labels.size();
    if (res.values.rows != P || res.values.cols != K || res.unit.cols != K)
        throw OutputError("output file '" + out.string() +
                          "': the design matrices do not match the factors");
    if (res.summary.size() != res.columns.size() * P * R)
        throw OutputError("output file '" + out.string() + "': the summary has the wrong size");
    if (res.timeseries && res.series.size() != kMetricCount * P * R * M)
        throw OutputError("output file '" + out.string() +
                          "': the time series have the wrong size");

    h5::AtomicFile file(out);
    write_contents(file, prov, res);
    file.commit();
}

} // namespace pbsim::runner
