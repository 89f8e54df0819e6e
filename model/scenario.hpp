// A scenario: when the run starts and ends, and every parameter as a function
// of time made of steps and linear ramps. Parsing scenario files is the runner's job; the model
// only sees this validated, fully resolved form.
#pragma once

#include "model/calendar.hpp"
#include "model/parameters.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pbsim {

// A value over time, by dated points sorted by month; the first holds from the
// beginning of time. A point is a step (its value from its month on) or the end
// of a ramp (the value moves linearly, month by month, from the point before
// it to this one, and holds from its month on). Months are whole: in a ramp
// from (m0, a) to (m1, b) month m has a + (b - a) ((m - m0) / (m1 - m0)).
// A ramp may stop early: it follows the line toward `value` in `toward` but
// ends at its own month `from`, holding the value it reached (set_from makes
// these, so that a change from a date leaves every earlier month bit for bit).
struct Timeline {
    struct Step {
        Month from;
        double value;
        bool ramp = false; // reached linearly from the point before
        Month toward{};    // a ramp stopped early: where its line reaches value (else unset)
        Month line_end() const { return toward.index ? toward : from; }
    };
    std::vector<Step> steps;

    double at(Month t) const;
    bool varies() const { return steps.size() > 1; }
    bool ramps() const;
    // From month `from` on the value is `value`. A step leaves earlier months
    // unchanged (a ramp that ran past `from` stops at the month before it); a
    // ramp (`ramp`) replaces what followed the last point before `from`, and
    // runs from it.
    void set_from(Month from, double value, bool ramp = false);
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
    // From this month every council follows the national timeline of the
    // paced parameters (council.adoption_spread); before it, none reads a
    // value dated from it on. Unset: councils keep their own pace throughout.
    std::optional<Month> councils_converge;
    std::vector<Timeline> parameters; // one per registry entry
    std::vector<CouncilOverride> council_overrides;

    // All parameters at their defaults, constant over time.
    static Scenario defaults();

    int months() const { return end - start + 1; }
    Month evaluation_from() const { return evaluation_start.value_or(start); }
    Parameters at(Month t) const;
    void set_constant(std::string_view key, double value); // throws std::invalid_argument
    void set_from(std::string_view key, Month from, double value, bool ramp = false);
};

} // namespace pbsim
