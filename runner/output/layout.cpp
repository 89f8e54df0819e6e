#include "runner/output/layout.hpp"

#include "model/metrics.hpp"
#include "model/scenario.hpp"
#include "model/simulation.hpp"

#include <algorithm>
#include <initializer_list>
#include <stdexcept>

namespace pbsim::runner::layout {

namespace {

// Units of the model's dictionary (model/metrics.hpp, model/summary.cpp) in
// UDUNITS form where one exists; GBP, QALY and ASCOT are domain units.
std::string file_units(std::string_view model_unit) {
    static const std::vector<std::string> counts = {
        "people",  "crises", "admissions", "attendances", "episodes",
        "reviews", "staff",  "clusters",   "users",       "posts"};
    std::string u(model_unit);
    std::string per;
    if (const auto slash = u.find('/'); slash != std::string::npos) {
        per = u.substr(slash); // "/month"
        u.resize(slash);
    }
    auto is = [&](std::initializer_list<const char*> names) {
        for (const char* n : names)
            if (u == n) return true;
        return false;
    };
    std::string out;
    if (u.empty() ||
        is({"fraction", "share", "probability", "correlation", "ratio", "multiplier",
            "ASCOT score (0-1)"}) ||
        std::find(counts.begin(), counts.end(), u) != counts.end())
        out = "1";
    else if (is({"QALYs", "QALY"}))
        out = "QALY";
    else if (is({"ASCOT-years"}))
        out = "ASCOT year";
    else if (is({"days", "day"}))
        out = "day";
    else if (is({"months", "month"}))
        out = "month";
    else if (is({"years", "year"}))
        out = "year";
    else
        out = u; // GBP and parameter units pass through
    if (per.empty()) return out;
    return out == "1" ? "1" + per : out + per;
}

// The first clause of a description: a short label for long_name.
std::string short_name(std::string_view description) {
    std::string s(description);
    const auto cut = s.find(", ");
    if (cut != std::string::npos) s.resize(cut);
    return s;
}

Variable coord_replication() {
    return {
        "replication",
        {"replication"},
        Type::i32,
        "1",
        "replication",
        "Replication number (0-based); replication r of every scenario shares its random numbers",
        ""};
}
Variable coord_local_authority() {
    return {"local_authority",
            {"local_authority"},
            Type::str,
            "",
            "local authority",
            "Local authority (council) code, synthetic (LA001...)",
            ""};
}

const char* kind_name(MetricKind k) {
    switch (k) {
    case MetricKind::state:
        return "state";
    case MetricKind::flow:
        return "flow";
    case MetricKind::outcome:
        return "outcome";
    case MetricKind::cost:
        return "cost";
    case MetricKind::payer:
        return "payer";
    }
    return "";
}

std::vector<Variable> summary_variables(const std::vector<SummaryValue>& columns,
                                        const std::vector<std::string>& dims) {
    std::vector<Variable> out;
    for (const auto& c : columns)
        out.push_back({c.name, dims, Type::f64, file_units(c.unit), short_name(c.description),
                       c.description, ""});
    return out;
}

std::vector<SummaryValue> default_summary_columns() {
    Scenario s = Scenario::defaults();
    return summarise(ReplicationResult{}, s, 1.0);
}

Variable f64(std::string name, std::vector<std::string> dims, std::string units,
             std::string long_name, std::string description) {
    return {std::move(name),      std::move(dims),        Type::f64, std::move(units),
            std::move(long_name), std::move(description), ""};
}
Variable text(std::string name, std::vector<std::string> dims, std::string long_name,
              std::string description) {
    return {std::move(name),      std::move(dims),        Type::str, "",
            std::move(long_name), std::move(description), ""};
}
Variable index_coord(std::string name, std::string description) {
    std::string label = name;
    return {std::move(name), {label}, Type::i32, "1", label, std::move(description), ""};
}

const std::string kVarious = "various (see the units column)";

} // namespace

const Variable& Group::at(const std::string& name) const {
    for (const auto& v : variables)
        if (v.name == name) return v;
    throw std::logic_error("variable '" + name + "' is not declared in the layout of " + path);
}

bool Group::has(const std::string& name) const {
    for (const auto& v : variables)
        if (v.name == name) return true;
    return false;
}

std::string type_name(Type t) {
    switch (t) {
    case Type::f64:
        return "float64";
    case Type::i32:
        return "int32";
    case Type::u64:
        return "uint64";
    case Type::str:
        return "string";
    }
    return "?";
}

std::vector<Attribute> common_attributes() {
    return {
        {"Conventions", Type::str,
         "`CF-1.8`: the file follows the netCDF-4 data model and CF conventions"},
        {"title", Type::str, "what the file is (CF)"},
        {"kind", Type::str, "the kind of file: `run`, `sweep`, `trial` or `calibration`"},
        {"source", Type::str, "`pbsim VERSION (REVISION)` (CF)"},
        {"history", Type::str, "`created_utc: command_line` (CF)"},
        {"pbsim_version", Type::str, "version of pbsim that wrote the file"},
        {"source_revision", Type::str, "`git describe` of the source tree it was built from"},
        {"created_utc", Type::str, "creation time, ISO 8601"},
        {"command_line", Type::str, "the command that produced the file"},
    };
}

std::vector<Variable> month_coordinates() {
    return {{"month",
             {"month"},
             Type::i32,
             "days since 1970-01-01",
             "month",
             "First day of each simulated month (CF time: xarray decodes it to datetime64)",
             ""},
            text("month_label", {"month"}, "month", "Simulated month, YYYY-MM")};
}

int days_since_epoch(const std::string& yyyy_mm) {
    if (yyyy_mm.size() != 7 || yyyy_mm[4] != '-')
        throw std::invalid_argument("month '" + yyyy_mm + "' is not YYYY-MM");
    int y = std::stoi(yyyy_mm.substr(0, 4));
    const unsigned m = static_cast<unsigned>(std::stoi(yyyy_mm.substr(5, 2)));
    if (m < 1 || m > 12) throw std::invalid_argument("month '" + yyyy_mm + "' is not YYYY-MM");
    // Days from civil (H. Hinnant), day 1.
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5; // day 1 of the month
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int>(doe) - 719468;
}

// --- run -------------------------------------------------------------------

Group run_timeseries(const std::string& prefix) {
    Group g{prefix + "/timeseries",
            "Time series",
            "Every metric per replication, month and local authority, raw as simulated at the "
            "run's scale: multiply counts and costs by the root attribute to_national for national "
            "figures. States at the end of the month, flows and costs during it (GBP 2012-13, "
            "undiscounted).",
            {}};
    g.variables.push_back(coord_replication());
    for (auto& v : month_coordinates())
        g.variables.push_back(v);
    g.variables.push_back(coord_local_authority());
    for (const auto& m : kMetrics)
        g.variables.push_back({std::string(m.name),
                               {"replication", "month", "local_authority"},
                               Type::f64,
                               file_units(m.unit),
                               short_name(m.description),
                               std::string(m.description),
                               kind_name(m.kind)});
    return g;
}

Group run_summary(const std::string& prefix, const std::vector<SummaryValue>& columns) {
    Group g{
        prefix + "/summary",
        "Summary",
        "One row per replication, one variable per column. Counts and costs are national; "
        "shares and means are scale-free; discounting at outcome.discount_rate from the first "
        "month (eval_*: from the evaluation window's start). A checkpoint outside the run is NaN.",
        {coord_replication()}};
    for (auto& v : summary_variables(columns, {"replication"}))
        g.variables.push_back(v);
    return g;
}

Group run_payers(const std::string& prefix) {
    return {prefix + "/payers",
            "Who pays",
            "The share of each cost category paid by the NHS, the council (adult social care) and "
            "the person (the table of model/payers.cpp under the scenario's payer.* parameters), "
            "at the start of the evaluation window (the first month when there is none). The "
            "time series cost_nhs, cost_council and cost_person are each month's costs "
            "apportioned by these shares; a category's cost paid by a payer is its cost times "
            "share.",
            {text("cost_category", {"cost_category"}, "cost category",
                  "A cost variable of the time series (cost_pb_social_care, ...)"),
             text("payer", {"payer"}, "payer", "nhs, council or person"),
             f64("share", {"cost_category", "payer"}, "1", "payer share",
                 "Share of the category's cost paid by the payer; each row adds up to 1"),
             text("rule", {"cost_category"}, "payment rule",
                  "How the category is paid: the payer.* parameter that sets the NHS share, or "
                  "the mechanism")}};
}

Group run_local_authorities() {
    return {
        "/local_authorities",
        "Councils",
        "One row per local authority. Councils are drawn from council.seed alone, the same in "
        "every replication and every run; users and coordinators as simulated at the run's scale.",
        {coord_local_authority(),
         f64("size_share", {"local_authority"}, "1", "size share",
             "Share of the national service-user population"),
         f64("dp_culture", {"local_authority"}, "1", "direct-payment culture",
             "Direct-payment culture multiplier: > 1 early adopter, < 1 laggard"),
         f64("amount_multiplier", {"local_authority"}, "1", "amount multiplier",
             "Council resource-allocation level"),
         f64("crisis_multiplier", {"local_authority"}, "1", "crisis multiplier",
             "Council crisis hazard relative to England (mean 1; council.crisis_sigma)"),
         {"adoption_lag",
          {"local_authority"},
          Type::i32,
          "months",
          "adoption lag",
          "Months the council is behind the national dates of the paced policies (negative: "
          "ahead; council.adoption_spread, until the scenario's councils_converge)",
          ""},
         {"users",
          {"local_authority"},
          Type::i32,
          "1",
          "users",
          "Service-user slots simulated (at the run's scale)",
          ""},
         {"coordinators",
          {"local_authority"},
          Type::i32,
          "1",
          "coordinators",
          "Care-coordinator posts simulated (at the run's scale)",
          ""}}};
}

File run_file(bool several) {
    File f;
    f.kind = "run";
    f.title = several ? "pbsim run: several scenarios, paired by replication" : "pbsim run";
    f.command = several ? "pbsim run a.toml b.toml ..." : "pbsim run a.toml";
    f.intro =
        several
            ? "Each scenario has a group `/scenarios/<name>/` holding its own `timeseries` and "
              "`summary` and `payers` (the groups of a one-scenario file) and its scenario "
              "attributes "
              "(`scenario_name`, `scenario_file`, `scenario_toml`); the root attribute "
              "`scenario_names` lists them, comma-separated, in command-line order. "
              "`/local_authorities` is shared. Replication *r* of every scenario used the same "
              "random numbers, so differences are paired; a scenario's group holds the same data "
              "as a run of that scenario alone with the same seed."
            : "Time series and summary of one scenario, with the scenario's attributes on the "
              "root.";
    f.attributes = {
        {"seed", Type::u64, "master seed"},
        {"replications", Type::i32, "number of replications R"},
        {"start_month", Type::str, "first simulated month, `YYYY-MM`"},
        {"months", Type::i32, "number of months M"},
        {"scale", Type::f64, "share of the national population simulated"},
        {"to_national", Type::f64,
         "national users over simulated users: time-series counts and costs times this are "
         "national figures (1/`scale` unless the sample is tiny)"},
    };
    if (several)
        f.attributes.push_back(
            {"scenario_names", Type::str, "the scenarios' names, comma-separated"});
    else {
        f.attributes.push_back({"scenario_name", Type::str, "scenario name"});
        f.attributes.push_back(
            {"scenario_file", Type::str, "scenario file as given on the command line"});
        f.attributes.push_back(
            {"scenario_toml", Type::str,
             "the fully resolved scenario; save it as a `.toml` file to rerun exactly"});
    }
    const std::string prefix = several ? "/scenarios/<name>" : "";
    f.groups = {run_timeseries(prefix), run_summary(prefix, default_summary_columns()),
                run_payers(prefix), run_local_authorities()};
    return f;
}

// --- sweep -----------------------------------------------------------------

Group sweep_design(const std::vector<ListFactor>& list_factors) {
    Group g{
        "/design",
        "Design",
        "Row p of `matrix` holds the parameter values of design point p; `unit` the same point "
        "in [0, 1]^k as the design generated it. sobol: rows in blocks of k + 2 (A, AB_1..AB_k, "
        "B); morris: trajectories of k + 1 rows, each moving one parameter. A parameter given "
        "as a list has its values in `values_<key>`, its own dimension.",
        {index_coord("point", "Design point (0-based)"),
         text("parameter", {"parameter"}, "parameter", "Parameter key (docs/parameters.md)")}};
    for (const auto& f : list_factors)
        g.variables.push_back(f64("values_" + f.key, {"values_" + f.key}, file_units(f.unit),
                                  "values of " + f.key, "The list of values of " + f.key));
    g.variables.push_back(text("units", {"parameter"}, "units", "Unit of each parameter"));
    g.variables.push_back(
        text("from", {"parameter"}, "from",
             "Month from which the parameter is set (YYYY-MM), or empty: the whole run"));
    g.variables.push_back(
        f64("low", {"parameter"}, kVarious, "low", "Lowest value of each parameter"));
    g.variables.push_back(
        f64("high", {"parameter"}, kVarious, "high", "Highest value of each parameter"));
    g.variables.push_back(f64("matrix", {"point", "parameter"}, kVarious, "parameter values",
                              "Parameter values of each design point"));
    g.variables.push_back(f64("unit", {"point", "parameter"}, "1", "unit-cube point",
                              "Design points in the unit hypercube"));
    return g;
}

Group sweep_summary(const std::vector<SummaryValue>& columns) {
    Group g{"/summary",
            "Summary",
            "The summary columns of `pbsim run` (national), per design point and replication.",
            {index_coord("point", "Design point (0-based)"), coord_replication()}};
    for (auto& v : summary_variables(columns, {"point", "replication"}))
        g.variables.push_back(v);
    return g;
}

Group sweep_timeseries() {
    Group g{
        "/timeseries",
        "Time series (with `outputs = [\"summary\", \"timeseries\"]`)",
        "National totals (sums over councils) as simulated at the sweep's scale: multiply counts "
        "and costs by 1/scale for national figures.",
        {index_coord("point", "Design point (0-based)"), coord_replication()}};
    for (auto& v : month_coordinates())
        g.variables.push_back(v);
    for (const auto& m : kMetrics)
        g.variables.push_back({std::string(m.name),
                               {"point", "replication", "month"},
                               Type::f64,
                               file_units(m.unit),
                               short_name(m.description),
                               std::string(m.description),
                               kind_name(m.kind)});
    return g;
}

File sweep_file() {
    File f;
    f.kind = "sweep";
    f.title = "pbsim sweep";
    f.command = "pbsim sweep sweep.toml";
    f.intro =
        "Every design point of a sweep, each with its replications (docs/sweeps.md). Replication "
        "r of every point shares its random numbers. Written in one go once every run is in "
        "(journalled to OUT.journal until then).";
    f.attributes = {
        {"sweep_file", Type::str, "sweep file as given"},
        {"sweep_toml", Type::str, "its text"},
        {"base_scenario_file", Type::str, "the base scenario's file"},
        {"base_scenario_toml", Type::str, "the base scenario, resolved, with `--set` applied"},
        {"design", Type::str, "grid, lhs, sobol or morris"},
        {"design_size", Type::i32,
         "the file's `points`: levels, points, base sample or trajectories"},
        {"levels", Type::i32, "morris only: grid levels"},
        {"points", Type::i32, "design points P"},
        {"seed", Type::u64, "seed of the design and the runs"},
        {"replications", Type::i32, "replications per point R"},
        {"scale", Type::f64, "share of the national population simulated"},
        {"start_month", Type::str, "first simulated month"},
        {"months", Type::i32, "number of months"},
        {"mpi_ranks", Type::i32, "processes that ran the sweep"},
    };
    f.groups = {sweep_design({{"<key>", ""}}), sweep_summary(default_summary_columns()),
                sweep_timeseries()};
    return f;
}

// --- trial -----------------------------------------------------------------

Group trial_designs(const std::vector<std::string>& secondary) {
    const std::vector<std::string> d{"design"};
    Group g{
        "/designs",
        "Designs",
        "One row per design (clusters per arm x participants per cluster), in the order of the "
        "printed table.",
        {index_coord("design", "Design (0-based), in the order of the printed table"),
         f64("clusters_per_arm", d, "1", "clusters per arm",
             "Clusters (councils or teams, as the trial file's unit) per arm"),
         f64("participants_per_cluster", d, "1", "participants per cluster",
             "Participants sought per cluster"),
         f64("mean_cluster_size", d, "1", "mean cluster size",
             "Participants recruited per cluster (mean; fewer if a council had too few eligible)"),
         f64("power", d, "1", "power", "Empirical power: share of simulated trials with p < alpha"),
         f64("power_ci_low", d, "1", "power, lower limit",
             "Wilson 95% interval of the power (Monte Carlo)"),
         f64("power_ci_high", d, "1", "power, upper limit",
             "Wilson 95% interval of the power (Monte Carlo)"),
         f64("effect", d, "1", "effect",
             "Mean estimated intention-to-treat effect (geometric mean of rate ratios, or mean "
             "difference, in the primary outcome's unit)"),
         f64("control", d, "1", "control arm",
             "Mean control-arm summary of the primary outcome (in its unit)"),
         f64("intervention", d, "1", "intervention arm",
             "Mean intervention-arm summary of the primary outcome (in its unit)"),
         f64("icc", d, "1", "ICC",
             "Mean ANOVA estimate of the intra-cluster correlation of the primary outcome"),
         f64("icc_low", d, "1", "ICC, 2.5th percentile",
             "2.5th percentile of the ICC estimates over simulated trials"),
         f64("icc_high", d, "1", "ICC, 97.5th percentile",
             "97.5th percentile of the ICC estimates over simulated trials"),
         f64("design_effect", d, "1", "design effect", "1 + (mean cluster size - 1) x mean ICC"),
         f64("uptake_intervention", d, "1", "uptake, intervention",
             "Intervention participants who held a PB during follow-up"),
         f64("uptake_control", d, "1", "uptake, control",
             "Control participants who held a PB during follow-up (contamination and usual care)"),
         f64("cost_intervention", d, "GBP", "cost per intervention participant",
             "Public cost per intervention participant over follow-up (undiscounted)"),
         f64("cost_control", d, "GBP", "cost per control participant",
             "Public cost per control participant over follow-up (undiscounted)"),
         f64("type_one_error", d, "1", "type I error",
             "Share of p < alpha with no intervention anywhere (NaN without null_check)")}};
    for (const auto& name : secondary) {
        g.variables.push_back(f64("secondary_" + name + "_effect", d, "1", "effect on " + name,
                                  "Mean estimated effect on the secondary outcome " + name +
                                      " (ratio or difference)"));
        g.variables.push_back(f64("secondary_" + name + "_power", d, "1", "power on " + name,
                                  "Share of simulated trials with p < alpha on " + name));
    }
    return g;
}

Group trial_trials() {
    const std::vector<std::string> d{"design", "trial"};
    return {
        "/trials",
        "Simulated trials",
        "One value per design and simulated trial.",
        {index_coord("design", "Design (0-based), as in /designs"),
         index_coord("trial", "Simulated trial (0-based); its seeds follow from the master seed"),
         f64("effect", d, "1", "effect",
             "Estimated effect on the primary outcome (ratio or difference)"),
         f64("ci_low", d, "1", "lower confidence limit",
             "Lower confidence limit (level 1 - alpha)"),
         f64("ci_high", d, "1", "upper confidence limit",
             "Upper confidence limit (level 1 - alpha)"),
         f64("p_value", d, "1", "p-value", "Two-sided p-value of the cluster-level t-test"),
         f64("control", d, "1", "control arm",
             "Control-arm summary (geometric mean rate or mean of cluster means)"),
         f64("intervention", d, "1", "intervention arm", "Intervention-arm summary"),
         f64("icc", d, "1", "ICC", "ANOVA estimate of the ICC of the primary outcome within arms"),
         f64("icc_ci_low", d, "1", "ICC, lower limit", "Searle F-based lower limit of the ICC"),
         f64("icc_ci_high", d, "1", "ICC, upper limit", "Searle F-based upper limit of the ICC"),
         f64("mean_cluster_size", d, "1", "mean cluster size",
             "Participants recruited per cluster"),
         f64("uptake_intervention", d, "1", "uptake, intervention",
             "Intervention participants who held a PB"),
         f64("uptake_control", d, "1", "uptake, control", "Control participants who held a PB"),
         f64("cost_intervention", d, "GBP", "cost per intervention participant",
             "Cost per intervention participant over follow-up"),
         f64("cost_control", d, "GBP", "cost per control participant",
             "Cost per control participant over follow-up"),
         f64("null_p_value", d, "1", "null p-value",
             "p-value with no intervention anywhere (NaN without null_check)")}};
}

File trial_file() {
    File f;
    f.kind = "trial";
    f.title = "pbsim trial: virtual cluster randomised trial";
    f.command = "pbsim trial trial.toml";
    f.intro = "The power and estimates of a simulated cluster randomised trial, per design and per "
              "simulated trial (docs/trial.md).";
    f.attributes = {
        {"trial_file", Type::str, "trial file as given"},
        {"trial_text", Type::str, "its text"},
        {"trial_resolved", Type::str, "the trial, resolved (every key)"},
        {"scenario_toml", Type::str, "the base scenario (both arms), resolved"},
        {"seed", Type::u64, "master seed"},
        {"trials", Type::i32, "simulated trials per design"},
        {"scale", Type::f64, "share of the national population simulated"},
    };
    f.groups = {trial_designs({"<outcome>"}), trial_trials()};
    return f;
}

// --- calibration -------------------------------------------------------------

Group calibration_parameters() {
    return {"/parameters",
            "Free parameters",
            "One row per free parameter, with its uniform prior.",
            {text("parameter", {"parameter"}, "parameter",
                  "Free parameter (keys as in docs/parameters.md)"),
             f64("prior_low", {"parameter"}, "various (see docs/parameters.md)", "prior, lower end",
                 "Lower end of the uniform prior"),
             f64("prior_high", {"parameter"}, "various (see docs/parameters.md)",
                 "prior, upper end", "Upper end of the uniform prior")}};
}

Group calibration_targets() {
    const std::vector<std::string> t{"target"};
    return {"/targets",
            "Targets",
            "One row per target, in the order of the calibration file.",
            {index_coord("target", "Target (0-based), in the order of the calibration file"),
             text("name", t, "name", "Target name in the targets file"),
             text("period", t, "period", "Period of the published figure"),
             text("output", t, "output", "Summary column compared with the target"),
             text("unit", t, "unit", "Unit of the published figure"),
             f64("value", t, "various (see unit)", "value", "Published value"),
             f64("low", t, "various (see unit)", "accepted, lower end",
                 "Lower end of the accepted interval (-inf: context row)"),
             f64("high", t, "various (see unit)", "accepted, upper end",
                 "Upper end of the accepted interval (inf: context row)"),
             f64("fitted", t, "1", "fitted", "1 if the target is in the distance, 0 for context")}};
}

Group calibration_generation(const std::string& path) {
    return {
        path,
        "Generations: `/generations/NN`",
        "The accepted particles of generation NN (00 first); attributes epsilon (the tolerance) "
        "and candidates (parameter sets simulated).",
        {index_coord("particle", "Accepted particle (0-based)"),
         text("parameter", {"parameter"}, "parameter", "Free parameter, as in /parameters"),
         index_coord("target", "Target (0-based), as in /targets"),
         f64("theta", {"particle", "parameter"}, "various (see docs/parameters.md)",
             "parameter set", "Accepted parameter sets"),
         f64("weight", {"particle"}, "1", "weight", "Importance weight (sums to 1)"),
         f64("distance", {"particle"}, "1", "distance", "Distance from the targets"),
         f64("outputs", {"particle", "target"}, "various (see /targets/unit)", "model output",
             "Model mean of each target's output")}};
}

Group calibration_posterior() {
    const std::vector<std::string> p{"parameter"};
    const std::string u = "various (see docs/parameters.md)";
    return {
        "/posterior",
        "Posterior",
        "Weighted summaries of the final generation, per free parameter; attribute best_distance.",
        {text("parameter", p, "parameter", "Free parameter, as in /parameters"),
         f64("mean", p, u, "posterior mean", "Weighted posterior mean"),
         f64("sd", p, u, "posterior sd", "Weighted posterior standard deviation"),
         f64("median", p, u, "posterior median", "Weighted posterior median"),
         f64("low", p, u, "posterior 2.5%", "2.5% weighted posterior quantile"),
         f64("high", p, u, "posterior 97.5%", "97.5% weighted posterior quantile"),
         f64("contraction", p, "1", "contraction",
             "1 - posterior variance / prior variance: how far the targets pin the parameter down"),
         f64("best_theta", p, u, "best particle", "The particle closest to the targets")}};
}

Group calibration_fit() {
    const std::vector<std::string> t{"target"};
    const std::string u = "various (see /targets/unit)";
    return {"/fit",
            "Fit",
            "The model against each target at the best particle and over the posterior.",
            {index_coord("target", "Target (0-based), as in /targets"),
             text("name", t, "name", "Target name, as in /targets"),
             f64("best", t, u, "best fit", "Model output at the best particle, per target"),
             f64("best_error", t, "1", "error", "Its error in units of the tolerance"),
             f64("best_within_tolerance", t, "1", "within tolerance", "1 if |error| <= 1"),
             f64("posterior_median", t, u, "posterior median",
                 "Weighted median over the final particles"),
             f64("posterior_low", t, u, "posterior 2.5%",
                 "2.5% weighted quantile over the final particles"),
             f64("posterior_high", t, u, "posterior 97.5%",
                 "97.5% weighted quantile over the final particles")}};
}

File calibration_file() {
    File f;
    f.kind = "calibration";
    f.title = "pbsim calibrate: approximate Bayesian computation";
    f.command = "pbsim calibrate calibration.toml";
    f.intro =
        "The accepted parameter sets of every generation, the posterior and the per-target fit "
        "(docs/calibration.md).";
    f.attributes = {
        {"calibration_file", Type::str, "calibration file as given"},
        {"calibration_toml", Type::str, "its text"},
        {"scenario_file", Type::str, "the calibrated scenario's file"},
        {"scenario_toml", Type::str, "the scenario, resolved"},
        {"targets_file", Type::str, "the targets CSV"},
        {"seed", Type::u64, "seed"},
        {"scale", Type::f64, "share of the national population simulated"},
        {"replications", Type::i32, "replications per parameter set"},
        {"method", Type::str, "abc-smc or rejection"},
        {"particles", Type::i32, "particles per generation"},
        {"stop_reason", Type::str, "why the sampler stopped"},
        {"evaluations", Type::i32, "parameter sets simulated"},
        {"distance", Type::str, "how the distance is defined"},
    };
    f.groups = {calibration_parameters(), calibration_targets(),
                calibration_generation("/generations/NN"), calibration_posterior(),
                calibration_fit()};
    return f;
}

// --- compare and sensitivity -------------------------------------------------

Group comparison() {
    const std::vector<std::string> r{"row"};
    return {
        "/comparison",
        "Comparison",
        "Paired differences scenario - baseline over replications (common random numbers), with "
        "95% t intervals. One row per (scenario, summary column). Costs GBP 2012-13. Attributes "
        "baseline, replications, cost_column, qalys_column, crises_column (the summary columns "
        "the cost-effectiveness uses: the eval_* window where the file has one) and "
        "cost_perspective (\"NHS and personal social services\", the NICE reference case: "
        "cost_column is eval_cost_nhs_pss_discounted; files without payer columns fall back to "
        "all payers).",
        {index_coord("row", "Row (0-based): one per (scenario, summary column)"),
         text("scenario", r, "scenario", "Scenario compared with the baseline"),
         text("outcome", r, "outcome", "Summary column"),
         text("units", r, "units", "Units of the summary column"),
         f64("baseline_mean", r, kVarious, "baseline mean", "Baseline mean over replications"),
         f64("scenario_mean", r, kVarious, "scenario mean", "Scenario mean over replications"),
         f64("mean_difference", r, kVarious, "mean difference",
             "Mean paired difference, scenario - baseline"),
         f64("sd_difference", r, kVarious, "sd of differences",
             "Standard deviation of the paired differences"),
         f64("ci_low", r, kVarious, "95% interval, lower end",
             "Lower end of the 95% t interval of the mean difference"),
         f64("ci_high", r, kVarious, "95% interval, upper end",
             "Upper end of the 95% t interval of the mean difference"),
         f64("n", r, "1", "pairs", "Replication pairs")}};
}

Group comparison_cost_effectiveness(const std::vector<double>& thresholds) {
    const std::vector<std::string> s{"scenario"};
    Group g{
        "/comparison/cost_effectiveness",
        "Cost-effectiveness",
        "One row per scenario against the baseline, over the evaluation window where the file "
        "has one (discounted), costs from the perspective of /comparison's cost_perspective. "
        "NMB = threshold x dQALY - dCost.",
        {text("scenario", s, "scenario", "Scenario compared with the baseline"),
         f64("incremental_cost", s, "GBP", "incremental cost",
             "Incremental discounted cost (mean)"),
         f64("incremental_cost_low", s, "GBP", "incremental cost, lower end",
             "Lower end of its 95% interval"),
         f64("incremental_cost_high", s, "GBP", "incremental cost, upper end",
             "Upper end of its 95% interval"),
         f64("incremental_qalys", s, "QALY", "incremental QALYs",
             "Incremental discounted QALYs (mean)"),
         f64("incremental_qalys_low", s, "QALY", "incremental QALYs, lower end",
             "Lower end of its 95% interval"),
         f64("incremental_qalys_high", s, "QALY", "incremental QALYs, upper end",
             "Upper end of its 95% interval"),
         f64("icer", s, "GBP/QALY", "ICER", "Incremental cost per QALY gained (ratio of means)")}};
    for (double t : thresholds) {
        const std::string k = std::to_string(static_cast<long>(t));
        g.variables.push_back(f64("nmb_" + k, s, "GBP", "net monetary benefit at " + k,
                                  "Net monetary benefit at " + k + " GBP per QALY (mean)"));
        g.variables.push_back(f64("nmb_" + k + "_low", s, "GBP", "NMB at " + k + ", lower end",
                                  "Lower end of its 95% interval"));
        g.variables.push_back(f64("nmb_" + k + "_high", s, "GBP", "NMB at " + k + ", upper end",
                                  "Upper end of its 95% interval"));
        g.variables.push_back(
            f64("p_cost_effective_" + k, s, "1", "P(cost-effective) at " + k,
                "Share of replications with positive net monetary benefit at " + k));
    }
    g.variables.push_back(f64("cost_per_crisis_averted", s, "GBP", "cost per crisis averted",
                              "Incremental cost per crisis averted (NaN if none averted)"));
    return g;
}

Group sensitivity(const std::string& output, bool sobol, const std::string& units) {
    const std::vector<std::string> p{"parameter"};
    Group g{
        "/sensitivity/" + output,
        "Sensitivity: `/sensitivity/<output>`",
        "Indices of one summary column over the sweep's parameters, on the mean of each point's "
        "replications, with 95% bootstrap percentile intervals. Attributes output, units, "
        "method, interval, replications_averaged, table (the printed table); sobol: variance, "
        "base_rows; morris: trajectories.",
        {text("parameter", p, "parameter", "Parameter of the sweep, as in /design/parameter")}};
    if (sobol) {
        g.variables.push_back(f64("first", p, "1", "first-order index",
                                  "First-order Sobol index S1 (Saltelli 2010)"));
        g.variables.push_back(
            f64("first_low", p, "1", "S1, lower end", "Lower end of the 95% interval of S1"));
        g.variables.push_back(
            f64("first_high", p, "1", "S1, upper end", "Upper end of the 95% interval of S1"));
        g.variables.push_back(
            f64("total", p, "1", "total index", "Total Sobol index ST (Jansen 1999)"));
        g.variables.push_back(
            f64("total_low", p, "1", "ST, lower end", "Lower end of the 95% interval of ST"));
        g.variables.push_back(
            f64("total_high", p, "1", "ST, upper end", "Upper end of the 95% interval of ST"));
    } else {
        const std::string u = units.empty() ? "1" : units;
        g.variables.push_back(
            f64("mu_star", p, u, "mu*",
                "Mean absolute elementary effect mu*, per whole range of the parameter"));
        g.variables.push_back(
            f64("mu_star_low", p, u, "mu*, lower end", "Lower end of the 95% interval of mu*"));
        g.variables.push_back(
            f64("mu_star_high", p, u, "mu*, upper end", "Upper end of the 95% interval of mu*"));
        g.variables.push_back(
            f64("mu", p, u, "mu", "Mean elementary effect mu, per whole range of the parameter"));
        g.variables.push_back(
            f64("sigma", p, u, "sigma", "Standard deviation of the elementary effects"));
    }
    return g;
}

File comparison_file() {
    File f;
    f.kind = "run";
    f.title = "pbsim compare: a run file with /comparison";
    f.command = "pbsim compare FILE.h5 [--baseline NAME] [--out NEW.h5]";
    f.intro = "A run of several scenarios with `/comparison` added (the file is copied, the group "
              "added to the copy, and the copy renamed over the file or to `--out`: the run's data "
              "are never opened for writing). The same rows go to `FILE-comparison.csv`.";
    f.groups = {comparison(), comparison_cost_effectiveness({20000, 30000})};
    return f;
}

File sensitivity_file() {
    File f;
    f.kind = "sweep";
    f.title = "pbsim sensitivity: a sweep file with /sensitivity";
    f.command = "pbsim sensitivity FILE.h5 --output COLUMN [--out NEW.h5]";
    f.intro =
        "A sobol or morris sweep with `/sensitivity/<output>` added for each analysed summary "
        "column (written to a copy renamed over the file or to `--out`, like compare).";
    auto sobol = sensitivity("<output>", true, "");
    auto morris = sensitivity("<output>", false, "");
    sobol.title = "Sobol design: `/sensitivity/<output>`";
    morris.title = "Morris design: `/sensitivity/<output>`";
    morris.variables.erase(morris.variables.begin()); // parameter, listed once
    morris.note = "Units of mu*, mu and sigma are those of the output.";
    f.groups = {sobol, morris};
    return f;
}

std::vector<File> all_files() {
    return {run_file(false),    run_file(true), comparison_file(), sweep_file(),
            sensitivity_file(), trial_file(),   calibration_file()};
}

} // namespace pbsim::runner::layout
