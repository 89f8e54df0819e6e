#include "runner/input/scenario_file.hpp"

#include "runner/input/toml_util.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

// Scenario files a chain of `extends` may hold (each level is a nested parse).
constexpr std::size_t kMaxExtendsDepth = 32;

// Range and whole-number check of one value, naming where it was set.
void check_range(const ParameterSpec& spec, double v, const std::string& where,
                 const std::string& when) {
    if (!(v >= spec.min && v <= spec.max) || (spec.integer && v != std::floor(v)))
        throw ScenarioError(where + ": " + std::string(spec.key) + " = " + format_number(v) + when +
                            " is out of range: accepted " + range_text(spec));
}

bool valid_name(const std::string& name) {
    if (name.empty() || name.front() == '.' || name.size() > 100) return false;
    for (char ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.')
            return false;
    return true;
}

std::string read_file(const fs::path& file) {
    return read_text_file(file, "scenario file");
}

std::string string_value(const toml::node& n, const fs::path& file, std::string_view key) {
    if (const auto* s = n.as_string()) return s->get();
    throw ScenarioError(where(file, n) + ": " + std::string(key) + " must be a string, got " +
                        value_text(n));
}

Month month_value(const toml::node& n, const fs::path& file, std::string_view key) {
    const std::string text = string_value(n, file, key);
    if (auto m = parse_month(text)) return *m;
    throw ScenarioError(where(file, n) + ": " + std::string(key) + " = \"" + shorten(text) +
                        "\" is not a month: accepted \"YYYY-MM\" (1900-01 to 2200-12)");
}

// Overlays one parameter value from the file onto the inherited timeline.
void apply_value(Scenario& s, const ParameterSpec& spec, int id, const toml::node& value,
                 const fs::path& file) {
    const std::string key(spec.key);
    if (auto v = as_number(value)) {
        check_range(spec, *v, where(file, value), "");
        s.parameters[id] = Timeline{{{Month{0}, *v}}};
        return;
    }
    const auto* table = value.as_table();
    if (!table)
        throw ScenarioError(where(file, value) + ": " + key + " must be a number or a table of " +
                            "\"YYYY-MM\" = number (a step) or \"YYYY-MM\" = { ramp = number } " +
                            "(reached linearly from the point before), got " + value_text(value));
    if (!spec.time_varying)
        throw ScenarioError(where(file, value) + ": " + key +
                            " is fixed for a run and cannot vary by date; give a single number");
    if (table->empty())
        throw ScenarioError(where(file, value) + ": " + key + " has an empty timeline");
    std::vector<Timeline::Step> steps;
    for (const auto& [date, v] : *table) {
        const auto month = parse_month(date.str());
        if (!month)
            throw ScenarioError(where(file, v) + ": " + key + ": \"" + shorten(date.str()) +
                                "\" is not a month: accepted \"YYYY-MM\"");
        const std::string at = key + " at " + std::string(date.str());
        std::optional<double> number = as_number(v);
        // A named reference: C++20 lets a lambda capture a structured binding,
        // clang 14 (the fuzz build) does not yet.
        const toml::node& given = v;
        const auto not_a_point = [&] {
            return ScenarioError(where(file, given) + ": " + at + " must be a number (a step) or " +
                                 "{ ramp = number } (reached linearly from the point before), " +
                                 "got " + value_text(given));
        };
        bool ramp = false;
        Month toward{};
        if (const auto* point = v.as_table()) {
            const auto* end = point->get("ramp");
            const auto* line = point->get("toward");
            if (!end || point->size() != (line ? 2u : 1u)) throw not_a_point();
            number = as_number(*end);
            ramp = true;
            if (!number)
                throw ScenarioError(where(file, *end) + ": " + at +
                                    ": ramp must be a number, got " + value_text(*end));
            if (line) { // a ramp stopped early (pbsim writes these; see Timeline)
                toward = month_value(*line, file, at + ": toward");
                if (!(toward > *month))
                    throw ScenarioError(
                        where(file, *line) + ": " + at + ": toward = \"" + toward.to_string() +
                        "\" must be after " + month->to_string() +
                        " (a ramp stopped early follows its line to a later month)");
            }
        }
        if (!number) throw not_a_point();
        check_range(spec, *number, where(file, v), " (at " + month->to_string() + ")");
        steps.push_back({*month, *number, ramp, toward});
    }
    std::sort(steps.begin(), steps.end(), [](auto& a, auto& b) { return a.from < b.from; });
    for (const auto& step : steps) {
        s.set_from(key, step.from, step.value, step.ramp);
        if (step.toward.index) {
            auto& points = s.parameters[id].steps;
            std::find_if(points.begin(), points.end(), [&](const Timeline::Step& p) {
                return p.from == step.from;
            })->toward = step.toward;
        }
    }
    // A ramp runs from a dated point: the registry default holds from the
    // beginning of time and cannot start one.
    const auto& points = s.parameters[id].steps;
    for (std::size_t k = 0; k < points.size(); ++k)
        if (points[k].ramp && (k == 0 || points[k - 1].from.index == 0))
            throw ScenarioError(where(file, value) + ": " + key + " at " +
                                points[k].from.to_string() +
                                ": a ramp needs a dated point before it to start from (e.g. \"" +
                                (points[k].from + (-60)).to_string() +
                                "\" = " + format_number(points[k - (k > 0 ? 1 : 0)].value) + ")");
}

LoadedScenario parse_with_chain(std::string_view text, const fs::path& file,
                                std::set<fs::path>& chain) {
    const toml::table doc = parse_toml(text, file);

    LoadedScenario loaded{Scenario::defaults(), file};
    Scenario& s = loaded.scenario;
    if (const auto* ext = doc.get("extends")) {
        const fs::path parent = linked_file(file, *ext, "extends",
                                            string_value(*ext, file, "extends"), "scenario file");
        std::error_code ec;
        const fs::path canonical = fs::weakly_canonical(parent, ec);
        if (chain.count(canonical))
            throw ScenarioError(where(file, *ext) + ": extends \"" +
                                shorten(parent.string(), kShownPathChars) +
                                "\" makes a cycle of scenario files");
        if (chain.size() >= kMaxExtendsDepth)
            throw ScenarioError(
                where(file, *ext) + ": extends \"" + shorten(parent.string(), kShownPathChars) +
                "\" makes a chain of more than " + std::to_string(kMaxExtendsDepth) +
                " scenario files; accepted at most " + std::to_string(kMaxExtendsDepth));
        chain.insert(canonical);
        s = parse_with_chain(read_file(parent), parent, chain).scenario;
        s.description.clear();
    }
    // The default name is the file's stem, made safe for file and group names.
    s.name = file.stem().string();
    for (char& ch : s.name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.')
            ch = '_';

    for (const auto& [k, node] : doc) {
        const std::string key(k.str());
        if (key == "extends") continue;
        if (key == "name") {
            s.name = string_value(node, file, key);
            if (!valid_name(s.name))
                throw ScenarioError(where(file, node) + ": name = \"" + shorten(s.name) +
                                    "\" is not a valid " +
                                    "scenario name: accepted letters, digits, '_', '-' and '.', " +
                                    "not starting with '.' (it names output files and groups)");
        } else if (key == "description")
            s.description = string_value(node, file, key);
        else if (key == "start")
            s.start = month_value(node, file, key);
        else if (key == "end")
            s.end = month_value(node, file, key);
        else if (key == "evaluation_start")
            s.evaluation_start = month_value(node, file, key);
        else if (key == "councils_converge")
            s.councils_converge = month_value(node, file, key);
        else if (const auto* group = node.as_table()) { // [group] or group = { ... }
            for (const auto& [name, value] : *group) {
                const std::string full = key + "." + std::string(name.str());
                const int id = find_parameter(full);
                if (id < 0)
                    throw ScenarioError(where(file, value) + ": unknown key '" + shorten(full) +
                                        "'" + suggestion(full));
                apply_value(s, parameter_registry()[id], id, value, file);
            }
        } else {
            throw ScenarioError(
                where(file, node) + ": unknown key '" + shorten(key) + "'" + suggestion(key) +
                "; top-level keys are name, description, extends, start, end, " +
                "evaluation_start, councils_converge and parameter groups such as [policy]");
        }
    }
    return loaded;
}

} // namespace

void validate(const Scenario& s, std::string_view origin) {
    const std::string where(origin);
    if (s.end < s.start)
        throw ScenarioError(where + ": end = \"" + s.end.to_string() + "\" is before start = \"" +
                            s.start.to_string() + "\"");
    if (s.evaluation_start && (*s.evaluation_start < s.start || *s.evaluation_start > s.end))
        throw ScenarioError(where + ": evaluation_start = \"" + s.evaluation_start->to_string() +
                            "\" is outside the run; accepted a month from start = \"" +
                            s.start.to_string() + "\" to end = \"" + s.end.to_string() + "\"");
    if (s.months() > 1200)
        throw ScenarioError(where + ": the run is " + std::to_string(s.months()) +
                            " months long; accepted at most 1200 (100 years)");
    const auto registry = parameter_registry();
    for (std::size_t i = 0; i < registry.size(); ++i) {
        const auto& spec = registry[i];
        for (const auto& step : s.parameters[i].steps)
            check_range(spec, step.value, where,
                        s.parameters[i].varies() ? " (from " + step.from.to_string() + ")" : "");
    }
    // Rules that involve several parameters. Without ramps parameters change
    // only where a timeline steps, so the start month and the steps within the
    // run stand for every month; with ramps every month is checked (in order:
    // the first month that breaks a rule is named).
    std::set<Month> months{s.start};
    const bool ramps = std::any_of(s.parameters.begin(), s.parameters.end(),
                                   [](const Timeline& t) { return t.ramps(); });
    for (const auto& timeline : s.parameters)
        for (const auto& step : timeline.steps)
            if (step.from > s.start && step.from <= s.end) months.insert(step.from);
    for (Month t = s.start; ramps && t <= s.end; t = t + 1)
        months.insert(t);
    for (const Month t : months) {
        const Parameters p = s.at(t);
        auto fail = [&](const std::string& what) {
            throw ScenarioError(where + ": " + what + " (in " + t.to_string() + ")");
        };
        if (p.population.share_severity_1 + p.population.share_severity_3 > 1)
            fail("population.share_severity_1 + population.share_severity_3 = " +
                 format_number(p.population.share_severity_1 + p.population.share_severity_3) +
                 " exceeds 1");
        if (p.crisis.share_admission + p.crisis.share_home_treatment > 1)
            fail("crisis.share_admission + crisis.share_home_treatment = " +
                 format_number(p.crisis.share_admission + p.crisis.share_home_treatment) +
                 " exceeds 1");
        if (p.population.initial_aware_share + p.population.initial_dp_share > 1)
            fail("population.initial_aware_share + population.initial_dp_share exceeds 1");
    }
}

LoadedScenario parse_scenario(std::string_view text, const fs::path& file) {
    std::set<fs::path> chain;
    std::error_code ec;
    chain.insert(fs::weakly_canonical(file, ec));
    LoadedScenario loaded = parse_with_chain(text, file, chain);
    validate(loaded.scenario, file.string());
    return loaded;
}

LoadedScenario load_scenario(const fs::path& file) {
    return parse_scenario(read_file(file), file);
}

void apply_settings(Scenario& s, const std::vector<std::string>& assignments,
                    std::string_view origin) {
    Scenario changed = s; // s is left as it was if any setting is rejected
    for (const auto& a : assignments)
        apply_setting_unchecked(changed, a, origin);
    std::string all(origin);
    for (const auto& a : assignments)
        all += " " + a;
    validate(changed, all);
    s = std::move(changed);
}

void apply_setting(Scenario& s, std::string_view assignment, std::string_view origin) {
    apply_settings(s, {std::string(assignment)}, origin);
}

void apply_setting_unchecked(Scenario& s, std::string_view assignment, std::string_view origin) {
    const std::string text(assignment);
    const auto eq = text.find('=');
    const std::string head = std::string(origin) + " " + shorten(text);
    if (eq == std::string::npos)
        throw ScenarioError(head + ": expected key=value or key=value@YYYY-MM");
    const std::string key = text.substr(0, eq);
    std::string value = text.substr(eq + 1);
    std::optional<Month> from;
    if (const auto at = value.find('@'); at != std::string::npos) {
        from = parse_month(value.substr(at + 1));
        if (!from)
            throw ScenarioError(head + ": \"" + shorten(value.substr(at + 1)) +
                                "\" is not YYYY-MM");
        value = value.substr(0, at);
    }
    const int id = find_parameter(key);
    if (id < 0)
        throw ScenarioError(head + ": unknown key '" + shorten(key) + "'" + suggestion(key));
    double number = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), number);
    if (r.ec != std::errc{} || r.ptr != value.data() + value.size())
        throw ScenarioError(head + ": \"" + shorten(value) + "\" is not a number");
    const auto& spec = parameter_registry()[id];
    if (from && !spec.time_varying)
        throw ScenarioError(head + ": " + key + " is fixed for a run and cannot vary by date");
    check_range(spec, number, head, from ? " (from " + from->to_string() + ")" : "");
    if (from)
        s.set_from(key, *from, number);
    else
        s.set_constant(key, number);
}

ParameterRef parameter_ref(const Scenario& s, const std::string& name, const std::string& where) {
    ParameterRef ref{name, -1, std::nullopt};
    const auto at = name.find('@');
    const std::string key = name.substr(0, at);
    ref.id = find_parameter(key);
    if (ref.id < 0)
        throw ScenarioError(where + ": unknown parameter '" + shorten(key) + "'" + suggestion(key));
    if (at == std::string::npos) return ref;
    const std::string date = name.substr(at + 1);
    ref.point = parse_month(date);
    if (!ref.point)
        throw ScenarioError(where + ": " + shorten(name) + ": \"" + shorten(date) +
                            "\" is not a month: accepted key@YYYY-MM, a dated point of the "
                            "scenario's timeline of key");
    const auto& points = s.parameters[static_cast<std::size_t>(ref.id)].steps;
    const bool found = std::any_of(points.begin(), points.end(), [&](const Timeline::Step& p) {
        return p.from == *ref.point && p.from.index > 0;
    });
    if (!found) {
        std::string dates;
        for (const auto& p : points)
            if (p.from.index > 0) dates += (dates.empty() ? "" : ", ") + p.from.to_string();
        throw ScenarioError(where + ": " + shorten(name) + ": the scenario's timeline of " + key +
                            " has no point at " + ref.point->to_string() + "; accepted " +
                            (dates.empty() ? "none (it is constant: name " + key + " alone)"
                                           : "a point at one of " + dates));
    }
    return ref;
}

void set_parameter(Scenario& s, const ParameterRef& ref, double value) {
    auto& timeline = s.parameters[static_cast<std::size_t>(ref.id)];
    if (!ref.point) {
        timeline = Timeline{{{Month{0}, value}}};
        return;
    }
    for (auto& p : timeline.steps)
        if (p.from == *ref.point) p.value = value;
}

void check_parameter_value(const ParameterSpec& spec, double value, const std::string& where) {
    check_range(spec, value, where, "");
}

std::string to_toml(const Scenario& s, std::string_view header_comment) {
    std::ostringstream out;
    if (!header_comment.empty()) out << "# " << header_comment << "\n";
    out << toml::table{{"name", s.name}} << "\n";
    out << toml::table{{"description", s.description}} << "\n";
    out << "start = \"" << s.start.to_string() << "\"\nend = \"" << s.end.to_string() << "\"\n";
    if (s.evaluation_start)
        out << "evaluation_start = \"" << s.evaluation_start->to_string() << "\"\n";
    if (s.councils_converge)
        out << "councils_converge = \"" << s.councils_converge->to_string() << "\"\n";
    std::string group;
    const auto registry = parameter_registry();
    for (std::size_t i = 0; i < registry.size(); ++i) {
        const std::string key(registry[i].key);
        const auto dot = key.find('.');
        if (key.substr(0, dot) != group) {
            group = key.substr(0, dot);
            out << "\n[" << group << "]\n";
        }
        // The timeline within the run: earlier points collapse into the value
        // at the start month. A ramp through the start or the end keeps both
        // its points, so every month's value is computed as before, bit for bit.
        const Timeline& timeline = s.parameters[i];
        const auto& points = timeline.steps;
        std::size_t first = 0; // the last point at or before the start
        while (first + 1 < points.size() && points[first + 1].from <= s.start)
            ++first;
        std::vector<Timeline::Step> steps;
        if (first + 1 < points.size() && points[first + 1].ramp)
            steps.push_back({points[first].from, timeline.at(points[first].from)});
        else
            steps.push_back({s.start, timeline.at(s.start)});
        for (std::size_t k = first + 1; k < points.size(); ++k) {
            if (points[k].from > s.end && !points[k].ramp) break;
            steps.push_back(points[k]);
            if (points[k].from > s.end) break;
        }
        out << key.substr(dot + 1) << " = ";
        if (steps.size() == 1) {
            out << format_number(steps[0].value);
        } else {
            out << "{ ";
            for (std::size_t k = 0; k < steps.size(); ++k) {
                out << (k ? ", " : "") << '"' << steps[k].from.to_string() << "\" = ";
                if (steps[k].ramp && steps[k].toward.index)
                    out << "{ ramp = " << format_number(steps[k].value) << ", toward = \""
                        << steps[k].toward.to_string() << "\" }";
                else if (steps[k].ramp)
                    out << "{ ramp = " << format_number(steps[k].value) << " }";
                else
                    out << format_number(steps[k].value);
            }
            out << " }";
            // What each ramp does, in the units a reader checks.
            std::string ramps;
            for (std::size_t k = 1; k < steps.size(); ++k)
                if (steps[k].ramp) {
                    const Month a = steps[k - 1].from, b = steps[k].line_end();
                    const double from_value = timeline.at(a);
                    const double years = (b - a) / 12.0;
                    ramps +=
                        (ramps.empty() ? "" : "; ") + format_number(from_value) + " to " +
                        format_number(steps[k].value) + " over " + a.to_string() + ".." +
                        b.to_string() + " (" +
                        format_number((steps[k].value - from_value) / years) + " a year" +
                        (steps[k].toward.index ? ", stopped at " + steps[k].from.to_string() + ")"
                                               : ")");
                }
            if (!ramps.empty()) out << "  # ramps " << ramps;
        }
        out << "\n";
    }
    return out.str();
}

} // namespace pbsim::runner
