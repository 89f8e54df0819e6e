#include "model/accounts.hpp"

#include <algorithm>
#include <cmath>

namespace pbsim {

void Accounts::reset(std::size_t groups) {
    group_.assign(groups, GroupAccount{});
    ring_.assign(groups * kRing, {0.0, 0.0});
}

void Accounts::clear_group(std::size_t g) {
    group_[g] = GroupAccount{};
    std::fill(ring_.begin() + static_cast<std::ptrdiff_t>(g * kRing),
              ring_.begin() + static_cast<std::ptrdiff_t>((g + 1) * kRing),
              std::array<double, 2>{0.0, 0.0});
}

bool Accounts::same_contributions(const CouncilMonth& a, const CouncilMonth& b) {
    return a.cover_peer_support == b.cover_peer_support &&
           a.cover_crisis_prevention == b.cover_crisis_prevention &&
           a.cover_dp_support == b.cover_dp_support && a.cover_advocacy == b.cover_advocacy &&
           a.traditional_level == b.traditional_level &&
           a.crisis_buildup_months == b.crisis_buildup_months;
}

void Accounts::add(const World& w, std::uint32_t i, std::size_t g, const CouncilMonth& c,
                   std::int32_t t, double sign) {
    const auto& u = w.users;
    GroupAccount& a = group_[g];
    const PathwayState s = u.state[i];
    a.state[static_cast<std::size_t>(s)] += sign;
    a.severity[u.severity[i] - 1] += sign;
    const bool in_hospital = u.hospital_days_left[i] > 0;
    if (in_hospital) a.in_hospital += sign;
    if (u.reach_peer_support[i] < c.cover_peer_support) a.peer_members += sign;
    if (u.reach_crisis_prevention[i] < c.cover_crisis_prevention) a.prevention_reached += sign;
    const bool applying = s == PathwayState::requested || s == PathwayState::in_assessment ||
                          s == PathwayState::support_planning;
    if (!in_hospital && u.reach_dp_support[i] < c.cover_dp_support &&
        (applying || s == PathwayState::holding_dp))
        a.dp_support_users += sign;
    if (!in_hospital && applying && u.reach_advocacy[i] < c.cover_advocacy)
        a.advocacy_users += sign;
    if (!is_holding(s)) return;
    a.amount += sign * u.pb_amount[i];
    a.health += sign * u.pb_health[i];
    a.health_council += sign * u.pb_health_council[i];
    a.contingency += sign * u.has_contingency_plan[i];
    if (u.pb_health[i] > 0) a.nhs_part += sign;
    if (!in_hospital) a.replaced_at_home += sign * std::min(u.pb_replaced[i], c.traditional_level);
    const double scale = u.pb_effect_scale[i];
    a.scale_lo = std::min(a.scale_lo, u.pb_effect_scale[i]);
    a.scale_hi = std::max(a.scale_hi, u.pb_effect_scale[i]);
    const std::int32_t since = u.state_since[i];
    const std::int32_t built_at =
        c.crisis_buildup_months > 0
            ? since + static_cast<std::int32_t>(std::ceil(c.crisis_buildup_months))
            : since;
    if (t < built_at) {
        a.ramp_scale += sign * scale;
        a.ramp_scale_since += sign * scale * since;
        auto& r = ring_[g * kRing + static_cast<std::size_t>(built_at % kRing)];
        r[0] += sign * scale;
        r[1] += sign * scale * since;
    } else {
        a.built_scale += sign * scale;
    }
}

void Accounts::start_month(std::int32_t t) {
    const std::size_t slot = static_cast<std::size_t>(t % kRing);
    for (std::size_t g = 0; g < group_.size(); ++g) {
        group_[g].crises = group_[g].admitted_staying = 0;
        auto& r = ring_[g * kRing + slot];
        if (r[0] == 0 && r[1] == 0) continue;
        group_[g].ramp_scale -= r[0];
        group_[g].ramp_scale_since -= r[1];
        group_[g].built_scale += r[0];
        r = {0.0, 0.0};
    }
}

bool Accounts::linear(std::size_t g, const CouncilMonth& c) const {
    const auto [a_lo, a_hi] = std::minmax({c.ascot[0], c.ascot[1], c.ascot[2]});
    const auto [u_lo, u_hi] = std::minmax({c.utility[0], c.utility[1], c.utility[2]});
    // A holder's gain is gain x built (0-1) x scale, scale in the range held.
    const float lo = group_[g].scale_lo, hi = group_[g].scale_hi;
    auto most = [&](float gain) { return std::max({0.0f, gain * lo, gain * hi}); };
    auto least = [&](float gain) { return std::min({0.0f, gain * lo, gain * hi}); };
    const bool ascot = a_hi + most(c.ascot_gain) - std::min(0.0f, c.ascot_loss) <= 1 &&
                       a_lo + least(c.ascot_gain) - std::max(0.0f, c.ascot_loss) >= 0;
    const bool utility = u_hi + most(c.utility_gain) - std::min(0.0f, c.utility_loss) <= 1;
    return ascot && utility && c.traditional_level >= 0 && c.substitution <= 1;
}

void Accounts::close(std::size_t g, const CouncilMonth& c, std::int32_t t, int days,
                     CouncilTally& tally) const {
    const GroupAccount& a = group_[g];
    double people = 0;
    for (int s = 0; s < kPathwayStates; ++s) {
        tally.metric[index(Metric::unaware) + static_cast<std::size_t>(s)] += a.state[s];
        people += a.state[s];
    }
    const double built =
        a.built_scale + (c.crisis_buildup_months > 0
                             ? (t * a.ramp_scale - a.ramp_scale_since) / c.crisis_buildup_months
                             : 0.0);
    // A crisis this month or a night in hospital at its end costs quality of life.
    const double losses = a.in_hospital + a.crises - a.admitted_staying;
    double ascot = 0, utility = 0;
    for (int k = 0; k < 3; ++k) {
        ascot += a.severity[k] * c.ascot[k];
        utility += a.severity[k] * c.utility[k];
    }
    tally.ascot_sum += ascot + c.ascot_gain * built - c.ascot_loss * losses;
    tally[Metric::qalys] += (utility + c.utility_gain * built - c.utility_loss * losses) / 12.0;
    const double to_month = c.usable_share / 12.0;
    const double nhs = a.health * to_month, council = a.health_council * to_month;
    tally[Metric::cost_pb_health_nhs] += nhs;
    tally[Metric::cost_pb_health_council] += council;
    tally[Metric::cost_pb_social_care] += a.amount * to_month - nhs - council;
    tally[Metric::traditional_packages] +=
        (people - a.in_hospital) * c.traditional_level - a.replaced_at_home;
    tally[Metric::holding_with_contingency_plan] += a.contingency;
    tally[Metric::holding_with_nhs_part] += a.nhs_part;
    tally[Metric::in_hospital] += a.in_hospital;
    // Whole months in hospital (the admission month's and the discharge
    // month's days are counted when they happen).
    tally[Metric::bed_days] += days * (a.in_hospital - a.admitted_staying);
    tally[Metric::dp_support_users] += a.dp_support_users;
    tally[Metric::advocacy_users] += a.advocacy_users;
    tally[Metric::peer_support_members] += a.peer_members;
    tally[Metric::crisis_prevention_reached] += a.prevention_reached;
}

} // namespace pbsim
