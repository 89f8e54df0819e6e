// Process 8's monthly accounting kept as running totals per coefficient group
// (a council, or a council's post arm in a trial), so that a month costs
// nothing for the users nothing happens to. A user's contribution (state,
// severity, budget, services reached, whether in hospital) is removed when the
// engine visits them and added back after; the month is then priced from the
// totals with that month's coefficients. The PB effect that builds up over a
// budget's first months is kept as sums of effect scale and of scale x start
// month, moved to "built up" on the month it completes. Exact while no clamp of
// a user's ASCOT (0-1) or utility (<= 1) can bind (linear()); otherwise, and to
// check it, costs::account_user prices user by user as before.
#pragma once

#include "model/month.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace pbsim {

struct GroupAccount {
    std::array<double, kPathwayStates> state{};
    std::array<double, 3> severity{};
    double in_hospital = 0, contingency = 0, nhs_part = 0;
    double peer_members = 0, prevention_reached = 0, dp_support_users = 0, advocacy_users = 0;
    double amount = 0, health = 0, health_council = 0; // GBP/year of budgets held
    double replaced_at_home = 0; // share of packages replaced, holders not in hospital
    double built_scale = 0;      // effect scale of holders whose effect has built up
    double ramp_scale = 0, ramp_scale_since = 0; // ... and of those still building up
    // The range of effect scales held since the group was last rebuilt (a
    // budget keeps the scale set when it was planned, under that day's cap).
    float scale_lo = 0, scale_hi = 0;
    // This month's events that the pricing needs by group.
    double crises = 0, admitted_staying = 0; // crises; admissions still in hospital at the end
};

class Accounts {
  public:
    static constexpr int kRing = 128; // > crisis.buildup_months (at most 120)

    void reset(std::size_t groups);
    void clear_group(std::size_t g);
    // Adds (sign +1) or removes (-1) user i's contribution to group g in month t.
    void add(const World& w, std::uint32_t i, std::size_t g, const CouncilMonth& c, std::int32_t t,
             double sign);
    // Starts month t: clears the month's event counts and moves the effect
    // scale of budgets whose effect completes in month t.
    void start_month(std::int32_t t);
    GroupAccount& operator[](std::size_t g) { return group_[g]; }
    const GroupAccount& operator[](std::size_t g) const { return group_[g]; }

    // Whether a user's contribution is the same under coefficients a and b
    // (add() reads only these), so totals built under one serve the other.
    static bool same_contributions(const CouncilMonth& a, const CouncilMonth& b);
    // Whether pricing group g from totals is exact for these coefficients.
    bool linear(std::size_t g, const CouncilMonth& c) const;
    // Adds group g's month t to its council's tally (days: days in the month).
    void close(std::size_t g, const CouncilMonth& c, std::int32_t t, int days,
               CouncilTally& tally) const;

  private:
    std::vector<GroupAccount> group_;
    std::vector<std::array<double, 2>> ring_; // [group][month % kRing]: scale, scale x since
};

} // namespace pbsim
