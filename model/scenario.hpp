// A scenario: when the run starts and ends, and every parameter as a step
// function of time. Parsing scenario files is the runner's job; the model only
// sees this validated, fully resolved form.
#pragma once

#include "model/calendar.hpp"
#include "model/parameters.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pbsim {

// Value from each change point on; `steps` is sorted by month, the first step
// holds from the beginning of time.
struct Timeline {
    struct Step {
        Month from;
        double value;
    };
    std::vector<Step> steps;

    double at(Month t) const;
    bool varies() const { return steps.size() > 1; }
};

// A parameter overridden in one council only (used by trials and tests).
struct CouncilOverride {
    int council;
    int parameter; // index into parameter_registry()
    Timeline timeline;
};

struct Scenario {
    std::string name = "unnamed";
    std::string description;
    Month start = Month::from_ym(2001, 1);
    Month end = Month::from_ym(2020, 12); // last simulated month, inclusive
    // First month of the policy evaluation window (the summary's eval_* columns
    // count from it and discount to it); unset means the whole run.
    std::optional<Month> evaluation_start;
    std::vector<Timeline> parameters; // one per registry entry
    std::vector<CouncilOverride> council_overrides;

    // All parameters at their defaults, constant over time.
    static Scenario defaults();

    int months() const { return end - start + 1; }
    Month evaluation_from() const { return evaluation_start.value_or(start); }
    Parameters at(Month t) const;
    void set_constant(std::string_view key, double value); // throws std::invalid_argument
    void set_from(std::string_view key, Month from, double value);
};

} // namespace pbsim
