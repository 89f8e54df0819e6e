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

// How far a holder's PB effect has built up in month t (0 at the start, 1 after
// crisis.buildup_months).
inline float built_up(const CouncilMonth& c, std::int32_t held) {
    return c.crisis_buildup_months > 0
               ? std::min(1.0f, static_cast<float>(held) / c.crisis_buildup_months)
               : 1.0f;
}

// The hazard with the PB effect built up to `built` and the continuity factor given.
inline float hazard_with(const World& w, const UserMonth& um, const CouncilMonth& c, float built,
                         float continuity_factor) {
    const auto& u = w.users;
    const std::uint32_t i = um.i;
    float h = c.crisis_rate[u.severity[i] - 1];
    if (is_holding(u.state[i]))
        h *= 1.0f - std::min(1.0f, c.crisis_pb_effect * built * u.pb_effect_scale[i]);
    if (um.services & kCrisisPrevention) h *= c.crisis_prevention_factor;
    h *= continuity_factor;
    return h;
}

inline float hazard(const World& w, const UserMonth& um, const CouncilMonth& c, std::int32_t t) {
    return hazard_with(w, um, c, built_up(c, t - w.users.state_since[um.i]),
                       um.recent_change ? c.crisis_continuity_hr : 1.0f);
}

// The bound from month `from` (um at `from`) until the next visit, in spans
// that end when the continuity factor wears off. A budget's effect only builds
// up further, linearly, so the hazard lies between now's and fully built's.
inline clock::Bound bound(const World& w, const UserMonth& um, const CouncilMonth& c,
                          std::int32_t from) {
    const float continuity = um.recent_change ? c.crisis_continuity_hr : 1.0f;
    const std::int32_t until = um.recent_change ? um.lost_at + c.continuity_window : kNever;
    const float now =
        hazard_with(w, um, c, built_up(c, from - w.users.state_since[um.i]), continuity);
    if (!is_holding(w.users.state[um.i])) return {now, until};
    return {std::max(now, hazard_with(w, um, c, 1.0f, continuity)), until};
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
