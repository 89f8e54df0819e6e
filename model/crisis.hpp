// Process 7, crisis: a monthly hazard by severity, lowered for PB holders (the
// effect builds up linearly over the first months of holding and scales with
// the usable share and the size of the budget), lowered by a crisis prevention service that
// reaches the user, raised after a change of coordinator. A crisis resolves as
// home treatment, an A&E attendance or an admission with a lognormal length of
// stay; the admission starts mid-month. A holder with a contingency plan has a
// lower share of crises ending in admission (the rest go to home treatment).
#pragma once

#include "model/month.hpp"

#include <algorithm>
#include <cmath>

namespace pbsim::crisis {

inline float hazard(const World& w, const UserMonth& um, const CouncilMonth& c, std::int32_t t) {
    const auto& u = w.users;
    const std::uint32_t i = um.i;
    float h = c.crisis_rate[u.severity[i] - 1];
    if (is_holding(u.state[i])) {
        const float held = static_cast<float>(t - u.state_since[i]);
        const float built =
            c.crisis_buildup_months > 0 ? std::min(1.0f, held / c.crisis_buildup_months) : 1.0f;
        h *= 1.0f - std::min(1.0f, c.crisis_pb_effect * built * u.pb_effect_scale[i]);
    }
    if (um.services & kCrisisPrevention) h *= c.crisis_prevention_factor;
    if (um.recent_change) h *= c.crisis_continuity_hr;
    return h;
}

// Returns true if the user had a crisis this month.
inline bool step(MonthContext& m, const UserMonth& um, const CouncilMonth& c, const Draw4& r) {
    auto& u = m.world.users;
    const std::uint32_t i = um.i;
    if (r[0] >= hazard(m.world, um, c, m.t)) return false;
    auto& tally = m.tally[u.council[i]];
    tally[Metric::crises] += 1;
    u.last_crisis[i] = m.t;
    const float admission = u.has_contingency_plan[i] // only holders have one
                                ? c.share_admission * c.contingency_admission_hr
                                : c.share_admission;
    if (r[1] < admission) {
        tally[Metric::admissions] += 1;
        const double los = c.los_median * std::exp(c.los_sigma * standard_normal(r[2], r[3]));
        const int stay = static_cast<int>(std::clamp(std::ceil(los), 1.0, 65535.0));
        const int now = std::min(stay, m.days / 2);
        tally[Metric::bed_days] += now;
        u.hospital_days_left[i] = static_cast<std::uint16_t>(stay - now);
    } else if (r[1] < c.share_admission + c.share_home_treatment) {
        tally[Metric::home_treatments] += 1;
    } else {
        tally[Metric::a_and_e_attendances] += 1;
    }
    return true;
}

} // namespace pbsim::crisis
