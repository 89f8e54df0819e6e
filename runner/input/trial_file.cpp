#include "runner/input/trial_file.hpp"

#include "runner/input/toml_util.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace pbsim::runner {

namespace fs = std::filesystem;

std::string_view to_string(Stratify s) {
    switch (s) {
    case Stratify::none:
        return "none";
    case Stratify::dp_culture:
        return "dp_culture";
    case Stratify::size:
        return "size";
    case Stratify::council:
        return "council";
    }
    return "none";
}

std::string_view to_string(TrialUnit u) {
    return u == TrialUnit::team ? "team" : "council";
}

const TrialOutcome* find_outcome(std::string_view name) {
    for (const auto& o : kTrialOutcomes)
        if (o.name == name) return &o;
    return nullptr;
}

namespace {

// Limits of the design keys, shown in messages.
constexpr int kMaxClustersPerArm = 500, kMaxParticipants = 100000, kMaxTrials = 1000000,
              kMaxFollowUp = 240;

[[noreturn]] void fail(const fs::path& file, const toml::node& node, const std::string& what) {
    throw ScenarioError(where(file, node) + ": " + what);
}

std::string shown(const toml::node& n) {
    if (const auto* s = n.as_string()) return '"' + shorten(s->get()).append("\"");
    if (const auto* i = n.as_integer()) return std::to_string(i->get());
    if (const auto* f = n.as_floating_point()) {
        std::ostringstream o;
        o << f->get();
        return o.str();
    }
    if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
    if (n.is_array()) return "an array";
    if (n.is_table()) return "a table";
    return "a date/time";
}

std::string string_of(const toml::node& n, const fs::path& file, const std::string& key) {
    if (const auto* s = n.as_string()) return s->get();
    fail(file, n, key + " must be a string, got " + shown(n));
}

int whole_in(const toml::node& n, const fs::path& file, const std::string& key, int lo, int hi) {
    const auto* i = n.as_integer();
    if (!i || i->get() < lo || i->get() > hi)
        fail(file, n,
             key + " = " + shown(n) + " is not accepted: a whole number from " +
                 std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<int>(i->get());
}

double number_in(const toml::node& n, const fs::path& file, const std::string& key, double lo,
                 double hi, bool open_low) {
    double v = NAN;
    if (const auto* i = n.as_integer()) v = static_cast<double>(i->get());
    if (const auto* f = n.as_floating_point()) v = f->get();
    if (!(open_low ? v > lo : v >= lo) || !(v <= hi)) {
        std::ostringstream range;
        range << (open_low ? "(" : "[") << lo << ", " << hi << "]";
        fail(file, n, key + " = " + shown(n) + " is not accepted: a number in " + range.str());
    }
    return v;
}

// A whole number or a non-empty list of them, returned sorted and distinct.
std::vector<int> whole_list(const toml::node& n, const fs::path& file, const std::string& key,
                            int lo, int hi) {
    std::set<int> values;
    if (const auto* a = n.as_array()) {
        if (a->empty()) fail(file, n, key + " is an empty list: give at least one value");
        for (const auto& v : *a)
            values.insert(whole_in(v, file, key, lo, hi));
    } else {
        values.insert(whole_in(n, file, key, lo, hi));
    }
    return {values.begin(), values.end()};
}

Month month_of(const toml::node& n, const fs::path& file, const std::string& key) {
    const std::string text = string_of(n, file, key);
    if (auto m = parse_month(text)) return *m;
    fail(file, n, key + " = \"" + shorten(text) + "\" is not a month: accepted \"YYYY-MM\"");
}

std::string outcome_of(const toml::node& n, const fs::path& file, const std::string& key) {
    const std::string name = string_of(n, file, key);
    if (find_outcome(name)) return name;
    std::string names;
    for (const auto& o : kTrialOutcomes)
        names += (names.empty() ? "" : ", ") + std::string(o.name);
    fail(file, n, key + " = \"" + shorten(name) + "\" is not an outcome: accepted " + names);
}

// Parameters a team intervention cannot change: person effects (a person's
// request and hand-back propensities are the council's) and the council's
// pooled assessment capacity.
bool applies_per_team(int parameter) {
    static constexpr std::string_view council_wide[] = {
        "request.trust_effect", "request.confidence_effect", "request.carer_effect",
        "holding.confidence_effect", "coordinator.assessment_capacity"};
    const auto key = parameter_registry()[parameter].key;
    return std::find(std::begin(council_wide), std::end(council_wide), key) ==
           std::end(council_wide);
}

// [intervention] holds dotted parameter keys, as nested tables in TOML.
void read_intervention(const toml::table& table, const std::string& prefix, const fs::path& file,
                       TrialSpec& t) {
    for (const auto& [k, node] : table) {
        const std::string key =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (const auto* sub = node.as_table(); sub && find_parameter(key) < 0) {
            read_intervention(*sub, key, file, t);
            continue;
        }
        const int id = find_parameter(key);
        if (id < 0)
            fail(file, node,
                 "intervention: unknown key '" + shorten(key) + "'" + suggestion(key) +
                     "; keys are parameters as in docs/parameters.md");
        const auto& spec = parameter_registry()[id];
        if (!spec.time_varying)
            fail(file, node,
                 "intervention: " + key +
                     " is fixed for a run (structural) and cannot differ between arms");
        double v = NAN;
        if (const auto* i = node.as_integer())
            v = static_cast<double>(i->get());
        else if (const auto* f = node.as_floating_point())
            v = f->get();
        else
            fail(file, node,
                 "intervention: " + key +
                     " must be a number (it applies from "
                     "recruitment on), got " +
                     shown(node));
        check_parameter_value(spec, v, where(file, node) + ": intervention");
        t.intervention.push_back({id, v});
    }
}

} // namespace

TrialSpec parse_trial(std::string_view text, const fs::path& file) {
    const toml::table doc = parse_toml(text, file);
    TrialSpec t;
    t.file = file;
    t.text = std::string(text);
    t.name = file.stem().string();
    bool have_recruitment = false;
    const toml::node* scenario_node = nullptr;
    const toml::node* recruitment_node = nullptr;
    const toml::node* stratify_node = nullptr;
    const toml::node* team_size_node = nullptr;
    const toml::node* intervention_node = nullptr;
    for (const auto& [k, node] : doc) {
        const std::string key(k.str());
        if (key == "description")
            t.description = string_of(node, file, key);
        else if (key == "scenario")
            scenario_node = &node;
        else if (key == "unit") {
            const std::string unit = string_of(node, file, key);
            if (unit == "council")
                t.unit = TrialUnit::council;
            else if (unit == "team")
                t.unit = TrialUnit::team;
            else
                fail(file, node,
                     "unit = \"" + shorten(unit) +
                         "\" is not a unit of randomisation: accepted "
                         "\"council\" or \"team\"");
        } else if (key == "team_size") {
            t.team_size = whole_in(node, file, key, 1, kMaxTeamSize);
            team_size_node = &node;
        } else if (key == "clusters_per_arm") {
            t.clusters_per_arm = whole_list(node, file, key, 2, kMaxClustersPerArm);
            t.clusters_where = where(file, node);
        } else if (key == "participants_per_cluster")
            t.participants_per_cluster = whole_list(node, file, key, 2, kMaxParticipants);
        else if (key == "recruitment") {
            t.recruitment = month_of(node, file, key);
            have_recruitment = true;
            recruitment_node = &node;
        } else if (key == "follow_up_months")
            t.follow_up_months = whole_in(node, file, key, 1, kMaxFollowUp);
        else if (key == "stratify") {
            const std::string s = string_of(node, file, key);
            if (s == "none")
                t.stratify = Stratify::none;
            else if (s == "dp_culture")
                t.stratify = Stratify::dp_culture;
            else if (s == "size")
                t.stratify = Stratify::size;
            else if (s == "council")
                t.stratify = Stratify::council;
            else
                fail(file, node,
                     "stratify = \"" + shorten(s) +
                         "\" is not accepted: \"none\", \"dp_culture\", \"size\" or (unit = "
                         "\"team\") \"council\"");
            stratify_node = &node;
        } else if (key == "primary")
            t.primary = outcome_of(node, file, key);
        else if (key == "secondary") {
            const auto* a = node.as_array();
            if (!a)
                fail(file, node, "secondary must be a list of outcome names, got " + shown(node));
            for (const auto& v : *a)
                t.secondary.push_back(outcome_of(v, file, key));
        } else if (key == "trials")
            t.trials = whole_in(node, file, key, 1, kMaxTrials);
        else if (key == "alpha")
            t.alpha = number_in(node, file, key, 0, 0.5, true);
        else if (key == "scale")
            t.scale = number_in(node, file, key, 0, 10, true);
        else if (key == "null_check") {
            const auto* b = node.as_boolean();
            if (!b) fail(file, node, "null_check must be true or false, got " + shown(node));
            t.null_check = b->get();
        } else if (key == "intervention") {
            const auto* table = node.as_table();
            if (!table) fail(file, node, "intervention must be a table of parameter = value");
            read_intervention(*table, "", file, t);
            intervention_node = &node;
        } else {
            fail(file, node,
                 "unknown key '" + shorten(key) +
                     "'; accepted: description, scenario, unit, "
                     "team_size, clusters_per_arm, participants_per_cluster, recruitment, "
                     "follow_up_months, stratify, primary, secondary, trials, alpha, "
                     "scale, null_check, [intervention]");
        }
    }
    auto missing = [&](const char* key, const char* example) {
        throw ScenarioError(file.string() + ": missing key '" + key + "', e.g. " + example);
    };
    if (!scenario_node) missing("scenario", "scenario = \"../baseline.toml\"");
    if (t.clusters_per_arm.empty()) missing("clusters_per_arm", "clusters_per_arm = [10, 20]");
    if (t.participants_per_cluster.empty())
        missing("participants_per_cluster", "participants_per_cluster = 100");
    if (!have_recruitment) missing("recruitment", "recruitment = \"2016-04\"");
    if (t.intervention.empty()) missing("[intervention]", "[intervention] policy.active_offer = 1");

    if (t.unit == TrialUnit::council && t.stratify == Stratify::council)
        fail(file, *stratify_node,
             "stratify = \"council\" pairs teams within councils: accepted "
             "only with unit = \"team\"; with unit = \"council\": \"none\", "
             "\"dp_culture\" or \"size\"");
    if (t.unit == TrialUnit::council && team_size_node)
        fail(file, *team_size_node,
             "team_size applies to unit = \"team\" only (this trial "
             "randomises councils): remove it or set unit = \"team\"");
    if (t.unit == TrialUnit::team)
        for (const auto& o : t.intervention)
            if (!applies_per_team(o.parameter))
                fail(file, *intervention_node,
                     "intervention: " + std::string(parameter_registry()[o.parameter].key) +
                         " acts on the whole council (person effects, pooled assessment "
                         "capacity) and cannot differ between teams: accepted with unit = "
                         "\"council\" only");

    const fs::path base = linked_file(file, *scenario_node, "scenario",
                                      string_of(*scenario_node, file, "scenario"), "scenario file");
    t.base = load_scenario(base);
    const Scenario& s = t.base.scenario;
    if (t.recruitment <= s.start || t.follow_up_end() > s.end)
        fail(file, *recruitment_node,
             "recruitment = \"" + t.recruitment.to_string() +
                 "\" with follow_up_months = " + std::to_string(t.follow_up_months) +
                 " does not fit the scenario: accepted " + "recruitment after " +
                 s.start.to_string() + " and follow-up ending by " + s.end.to_string());
    const int councils = s.at(s.start).population.councils;
    // Teams: their number depends on the scale, checked when the trial runs.
    if (t.unit == TrialUnit::council && 2 * t.clusters_per_arm.back() > councils)
        fail(file, *doc.get("clusters_per_arm"),
             "clusters_per_arm = " + std::to_string(t.clusters_per_arm.back()) + " needs " +
                 std::to_string(2 * t.clusters_per_arm.back()) + " councils but the scenario has " +
                 std::to_string(councils) + ": accepted at most " + std::to_string(councils / 2));
    return t;
}

TrialSpec load_trial(const fs::path& file) {
    return parse_trial(read_text_file(file, "trial file"), file);
}

std::string to_toml(const TrialSpec& t) {
    auto list = [](const std::vector<int>& v) {
        std::string s = "[";
        for (std::size_t i = 0; i < v.size(); ++i)
            s += (i ? ", " : "") + std::to_string(v[i]);
        return s + "]";
    };
    std::ostringstream out;
    out << toml::table{{"description", t.description}} << "\n";
    std::error_code ec; // absolute, so the resolved text loads from anywhere
    out << toml::table{{"scenario", fs::absolute(t.base.file, ec).lexically_normal().string()}}
        << "\n";
    out << "unit = \"" << to_string(t.unit) << "\"\n";
    if (t.unit == TrialUnit::team) out << "team_size = " << t.team_size << "\n";
    out << "clusters_per_arm = " << list(t.clusters_per_arm) << "\n";
    out << "participants_per_cluster = " << list(t.participants_per_cluster) << "\n";
    out << "recruitment = \"" << t.recruitment.to_string() << "\"\n";
    out << "follow_up_months = " << t.follow_up_months << "\n";
    out << "stratify = \"" << to_string(t.stratify) << "\"\n";
    out << "primary = \"" << t.primary << "\"\n";
    out << "secondary = [";
    for (std::size_t i = 0; i < t.secondary.size(); ++i)
        out << (i ? ", " : "") << '"' << t.secondary[i] << '"';
    out << "]\ntrials = " << t.trials << "\nalpha = " << t.alpha << "\nscale = " << t.scale
        << "\nnull_check = " << (t.null_check ? "true" : "false") << "\n\n[intervention]\n";
    for (const auto& o : t.intervention)
        out << parameter_registry()[o.parameter].key << " = " << o.value << "\n";
    return out.str();
}

} // namespace pbsim::runner
