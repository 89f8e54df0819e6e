// Population: generation of councils, care coordinators and service users, and
// the entry of a new user into a vacated slot. Everything here draws on
// generation purposes only, so scenarios that share population parameters
// share the same people.
#pragma once

#include "model/council_month.hpp"
#include "model/rng.hpp"
#include "model/world.hpp"

namespace pbsim {

// Councils with their sizes and cultures; users and posts laid out contiguously
// by council. Drawn from council.seed alone: the same in every run, replication
// and scenario unless a council parameter changes.
std::vector<LocalAuthority> make_councils(const Parameters& p, int total_users);

// Fills post `post` with holder number `generation`, hired in month t.
void hire_coordinator(World& w, const Parameters& p, const Rng& rng, std::uint32_t post,
                      std::uint32_t generation, std::int32_t t);

// A new person (number `generation` of the slot) enters slot i in month t,
// unaware, with a coordinator drawn from the council's posts. `calendar_key`
// is the calendar month used to key the coordinator draw.
void enter_user(World& w, const Parameters& p, const Rng& rng, std::uint32_t i,
                std::uint32_t generation, std::int32_t t, std::uint32_t calendar_key);

// The person factors of the request and hand-back hazards (see PersonEffects).
void refresh_person_factors(ServiceUsers& u, std::uint32_t i, const PersonEffects& e);

// Annual budget for a user (lognormal by council and severity, capped).
float draw_amount(const CouncilMonth& cm, const LocalAuthority& la, int severity, double u1,
                  double u2);

// How much a budget of this amount does, relative to a median budget for the
// severity at policy level 1: (amount / median)^elasticity, capped.
float effect_scale(const CouncilMonth& cm, int severity, float amount);

// The health/social care boundary for person i this month: their needs are
// partly health needs; the NHS funds the health part (a personal health
// budget, or its share of a merged budget).
inline bool has_health_needs(const ServiceUsers& u, std::uint32_t i, const CouncilMonth& c) {
    return u.rank_health_need[i] < c.cover_health_need;
}
inline bool nhs_funds_health_part(const ServiceUsers& u, std::uint32_t i, const CouncilMonth& c) {
    return u.rank_nhs_funding[i] < c.cover_nhs_funding;
}

// At a budget's start and at each annual review, from the assessed need
// (pb_need) and this month's rules: the budget's parts and who funds them
// (the health/social care boundary, docs/odd.md 7.9), how much of the holder's
// traditional services it replaces (policy.substitution, capped at the
// package they get), the effect scale of the part that does something new,
// and whether the support plan includes a contingency plan.
void plan_budget_support(ServiceUsers& u, std::uint32_t i, const CouncilMonth& cm);

// Builds the whole world for month 0: councils, coordinators, users in their
// initial states and the peer network.
World generate_world(const Parameters& p, int total_users, const Rng& rng,
                     std::uint32_t calendar_key);

} // namespace pbsim
