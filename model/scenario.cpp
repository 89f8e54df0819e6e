#include "model/scenario.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <stdexcept>

namespace pbsim {

double Timeline::at(Month t) const {
    // Points are few: a scan, carrying the value held from the last point
    // passed (a ramp stopped early holds the value its line reached).
    Month m = steps.front().from;
    double v = steps.front().value;
    for (std::size_t k = 1; k < steps.size(); ++k) {
        const Step& s = steps[k];
        if (!s.ramp) {
            if (s.from > t) return v;
            v = s.value;
        } else {
            const Month end = s.line_end();
            const auto line = [&](Month u) {
                return v +
                       (s.value - v) * (static_cast<double>(u - m) / static_cast<double>(end - m));
            };
            if (s.from > t) return m > t ? v : line(t);
            v = end == s.from ? s.value : line(s.from);
        }
        m = s.from;
    }
    return v;
}

bool Timeline::ramps() const {
    return std::any_of(steps.begin(), steps.end(), [](const Step& s) { return s.ramp; });
}

void Timeline::set_from(Month from, double value, bool ramp) {
    // A step: a ramp into a point after `from` keeps its earlier months, and
    // stops at the month before. A new ramp starts from the point before it.
    std::optional<Step> cut;
    const auto next =
        std::find_if(steps.begin(), steps.end(), [&](const Step& s) { return s.from >= from; });
    if (!ramp && next != steps.end() && next->ramp && next != steps.begin() &&
        std::prev(next)->from < from + (-1))
        cut = Step{from + (-1), next->value, true, next->line_end()};
    std::erase_if(steps, [&](const Step& s) { return s.from >= from && s.from.index > 0; });
    if (cut) steps.push_back(*cut);
    steps.push_back({from, value, ramp});
    std::sort(steps.begin(), steps.end(),
              [](const auto& a, const auto& b) { return a.from < b.from; });
}

Scenario Scenario::defaults() {
    Scenario s;
    for (const auto& spec : parameter_registry())
        s.parameters.push_back(Timeline{{{Month{0}, spec.default_value}}});
    return s;
}

Parameters Scenario::at(Month t) const {
    Parameters p{};
    const auto registry = parameter_registry();
    for (std::size_t i = 0; i < registry.size(); ++i)
        registry[i].set(p, parameters[i].at(t));
    return p;
}

static int require_parameter(std::string_view key) {
    const int id = find_parameter(key);
    if (id < 0) throw std::invalid_argument("unknown parameter '" + std::string(key) + "'");
    return id;
}

void Scenario::set_constant(std::string_view key, double value) {
    parameters[require_parameter(key)] = Timeline{{{Month{0}, value}}};
}

void Scenario::set_from(std::string_view key, Month from, double value, bool ramp) {
    parameters[require_parameter(key)].set_from(from, value, ramp);
}

} // namespace pbsim
