// Process 4, assessment and gatekeeping. Requests queue on the assessment
// capacity of the council's coordinators (each waiting request starts with
// probability capacity / queue length); an assessment ends each month with probability 1 / mean
// duration and is approved with log-odds set by eligibility, budget pressure, the duty to offer,
// the coordinator's attitude, and their risk aversion against the user's severity. A change of
// coordinator can lose a pending request.
//
// The health/social care boundary: under split funding a person whose needs
// are partly health needs faces a second (NHS) assessment, which takes longer,
// and an approved request may still be refused because the need is judged a
// health need. A merged budget needs one assessment and has no such refusal.
#pragma once

#include "model/clock.hpp"
#include "model/month.hpp"
#include "model/population.hpp"

namespace pbsim::assessment {

// Returns true if the request was lost on a change of coordinator.
// DP support and advocacy keep an application going through the change.
inline bool lose_on_change(MonthContext& m, const UserMonth& um, const CouncilMonth& c, double u) {
    if (!um.continuity_lost_now ||
        u >= c.lost_request_by_help[um.services & (kDpSupport | kAdvocacy)])
        return false;
    m.move(um.i, PathwayState::aware);
    m.tally[m.world.users.council[um.i]][Metric::lost_requests] += 1;
    return true;
}

inline void step_waiting(MonthContext& m, const UserMonth& um, const CouncilMonth& c,
                         const Draw4& r) {
    const auto& u = m.world.users;
    const std::uint32_t i = um.i;
    if (lose_on_change(m, um, c, r[1])) return;
    if (r[0] < m.world.assessment_start_p[u.council[i]]) {
        m.move(i, PathwayState::in_assessment);
        m.tally[u.council[i]][Metric::assessments_started] += 1;
    }
}

inline double approval_probability(const World& w, std::uint32_t i, const CouncilMonth& c) {
    const auto post = w.users.coordinator[i];
    return logistic(
        c.approval_logit_base + c.approval_attitude * (w.coordinators.attitude[post] - 0.5) -
        c.approval_risk * w.coordinators.risk_aversion[post] * (w.users.severity[i] - 1));
}

// The probability an assessment ends this month (whatever its outcome).
inline float completion(const World& w, std::uint32_t i, const CouncilMonth& c) {
    return has_health_needs(w.users, i, c) ? c.assessment_complete_health : c.assessment_complete;
}

// The bound of step_assessing's hazard until the user's next visit: its
// completion (a request lost on a change of coordinator is decided in a month
// the user is visited anyway, see docs/odd.md).
inline clock::Bound bound_assessing(const World& w, const UserMonth& um, const CouncilMonth& c) {
    return {completion(w, um.i, c), kNever};
}

inline void step_assessing(MonthContext& m, const UserMonth& um, const CouncilMonth& c,
                           const Draw4& r) {
    auto& u = m.world.users;
    const std::uint32_t i = um.i;
    if (lose_on_change(m, um, c, r[1])) return;
    const bool health = has_health_needs(u, i, c);
    if (r[0] >= completion(m.world, i, c)) return;
    auto& tally = m.tally[u.council[i]];
    if (health && !c.merged) tally[Metric::health_assessments] += 1;
    const bool approved = r[2] < approval_probability(m.world, i, c);
    // Refused as a health need, unless the NHS funds the health part (a PHB).
    const bool boundary_refused =
        approved && health && !nhs_funds_health_part(u, i, c) && r[3] < c.boundary_refusal;
    if (boundary_refused) tally[Metric::boundary_refusals] += 1;
    if (approved && !boundary_refused) {
        m.move(i, PathwayState::support_planning);
        tally[Metric::approvals] += 1;
    } else {
        m.move(i, PathwayState::aware);
        u.discouraged_until[i] = m.t + c.discouraged_months + 1; // no request for that many months
        tally[Metric::refusals] += 1;
    }
}

} // namespace pbsim::assessment
