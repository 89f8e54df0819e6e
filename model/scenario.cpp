#include "model/scenario.hpp"

#include <algorithm>
#include <stdexcept>

namespace pbsim {

double Timeline::at(Month t) const {
    // Last step whose start is <= t; steps are few, a linear scan is fastest.
    double v = steps.front().value;
    for (const auto& s : steps) {
        if (s.from > t) break;
        v = s.value;
    }
    return v;
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

void Scenario::set_from(std::string_view key, Month from, double value) {
    auto& steps = parameters[require_parameter(key)].steps;
    std::erase_if(steps,
                  [&](const Timeline::Step& s) { return s.from >= from && s.from.index > 0; });
    steps.push_back({from, value});
    std::sort(steps.begin(), steps.end(),
              [](const auto& a, const auto& b) { return a.from < b.from; });
}

} // namespace pbsim
