#include "model/simulation.hpp"

#include "model/allocation.hpp"
#include "model/assessment.hpp"
#include "model/awareness.hpp"
#include "model/costs.hpp"
#include "model/crisis.hpp"
#include "model/holding.hpp"
#include "model/population.hpp"
#include "model/request.hpp"
#include "model/workforce.hpp"

#include <algorithm>
#include <cmath>

namespace pbsim {

double ReplicationResult::national(Metric metric, int month) const {
    const double* row = series(metric) + static_cast<std::size_t>(month) * councils;
    double sum = 0;
    for (int c = 0; c < councils; ++c)
        sum += row[c];
    return sum;
}

int simulated_users(const Scenario& s, double scale) {
    const Parameters p = s.at(s.start);
    return std::max(p.population.councils,
                    static_cast<int>(std::lround(p.population.users * scale)));
}

Simulation::Simulation(const Scenario& scenario, const RunSettings& settings)
    : scenario_(scenario), settings_(settings), rng_(settings.seed, settings.replication) {
    const Parameters p0 = scenario_.at(scenario_.start);
    world_ = generate_world(p0, simulated_users(scenario_, settings_.scale), rng_,
                            static_cast<std::uint32_t>(scenario_.start.index));
    const int councils = static_cast<int>(world_.councils.size());
    params_.assign(councils, p0);
    coefficients_.resize(councils);
    person_effects_.assign(councils, person_effects(p0));
    tally_.resize(councils);
    result_.resize(scenario_.months(), councils);
    sample_fraction_ = static_cast<double>(world_.users.size()) / p0.population.users;
}

void Simulation::update_parameters() {
    const Month now = scenario_.start + t_;
    const Parameters national = scenario_.at(now);
    const std::size_t councils = world_.councils.size();
    std::fill(params_.begin(), params_.end(), national);
    for (const auto& o : scenario_.council_overrides)
        if (o.council >= 0 && o.council < static_cast<int>(councils))
            for (std::size_t k = o.council; k < params_.size(); k += councils)
                parameter_registry()[o.parameter].set(params_[k], o.timeline.at(now));
    for (const auto& o : post_overrides_)
        for (std::size_t k = councils; k < params_.size(); ++k)
            parameter_registry()[o.parameter].set(params_[k], o.timeline.at(now));
    const bool uniform = scenario_.council_overrides.empty() && post_overrides_.empty();
    const CouncilMonth national_coefficients = derive_council_month(national);
    auto& u = world_.users;
    coefficients_.resize(params_.size());
    for (std::size_t k = 0; k < params_.size(); ++k) {
        const auto& la = world_.councils[k % councils];
        coefficients_[k] = uniform ? national_coefficients : derive_council_month(params_[k]);
        // Early adopters built DP support schemes, laggards did not. Culture
        // shifts coverage but keeps its ends: none stays none, all stays all.
        coefficients_[k].cover_dp_support =
            reach_threshold(council_coverage(params_[k].dp_support_service.coverage, la.dp_culture,
                                             params_[k].council.culture_service_effect));
        // Councils differ in crisis risk (council.crisis_sigma).
        if (la.crisis_multiplier != 1.0)
            for (auto& rate : coefficients_[k].crisis_rate)
                rate = static_cast<float>(rate * la.crisis_multiplier);
        if (k >= councils) continue; // person effects stay the council's
        const PersonEffects e = person_effects(params_[k]);
        if (e == person_effects_[k]) continue;
        person_effects_[k] = e;
        for (std::uint32_t i = la.first_user; i < la.first_user + la.user_count; ++i)
            refresh_person_factors(u, i, e);
    }
}

template <bool kPosts>
[[gnu::always_inline]] inline void Simulation::step_user(MonthContext& m, std::uint32_t i,
                                                         Draw4 pathway, const Draw4& crisis_draw) {
    auto& u = world_.users;
    const int council = u.council[i];
    std::size_t k = static_cast<std::size_t>(council);
    if constexpr (kPosts) k = arm_index(i);
    const CouncilMonth* cm = &coefficients_[k];
    auto& tally = tally_[council];
    if (u.exit_month[i] <= t_) { // 1. exit, and a new user takes the place
        if (is_holding(u.state[i])) holding_changed_.push_back(i);
        tally[Metric::exits] += 1;
        tally[Metric::entries] += 1;
        enter_user(world_, params_[council], rng_, i, u.generation[i] + 1, t_, m.key);
        pathway = Draw4{rng_.words(Purpose::awareness, i, m.key)}; // the newcomer is unaware
    } else if (cm->reassign > 0) {
        workforce::reassign(m, i, *cm);
    }
    if constexpr (kPosts) { // exposure follows the coordinator the user has now
        k = arm_index(i);
        cm = &coefficients_[k];
    }
    const CouncilMonth& c = *cm;
    const UserMonth um = user_month(world_, i, c, t_);
    if (um.continuity_lost_now) tally[Metric::coordinator_changes] += 1;

    bool had_crisis = false;
    if (u.hospital_days_left[i] > 0) { // in hospital: the pathway pauses
        const int days = std::min<int>(u.hospital_days_left[i], m.days);
        tally[Metric::bed_days] += days;
        u.hospital_days_left[i] = static_cast<std::uint16_t>(u.hospital_days_left[i] - days);
        if (is_holding(u.state[i])) holding::review(m, um, c, pathway); // reviews do not wait
    } else {
        switch (u.state[i]) { // 2-6
        case PathwayState::unaware:
            awareness::step(m, um, c, pathway);
            break;
        case PathwayState::aware:
        case PathwayState::handed_back:
            request::step(m, um, c, pathway);
            break;
        case PathwayState::requested:
            assessment::step_waiting(m, um, c, pathway);
            break;
        case PathwayState::in_assessment:
            assessment::step_assessing(m, um, c, pathway);
            break;
        case PathwayState::support_planning:
            allocation::step(m, um, c, pathway);
            break;
        case PathwayState::holding_dp:
        case PathwayState::holding_managed:
            holding::step(m, um, c, pathway);
            break;
        }
        had_crisis = crisis::step(m, um, c, crisis_draw); // 7
    }
    costs::account_user(m, um, c, had_crisis); // 8
}

void Simulation::follow(const std::vector<std::uint32_t>& slots) {
    followed_.clear();
    follow_index_.assign(world_.users.size(), -1);
    for (const auto i : slots) {
        if (i >= follow_index_.size() || follow_index_[i] >= 0) continue;
        follow_index_[i] = static_cast<std::int32_t>(followed_.size());
        followed_.push_back(FollowedPerson{i});
    }
}

void Simulation::add_post_overrides(const std::vector<std::uint32_t>& posts,
                                    const std::vector<PostOverride>& overrides) {
    post_arm_.assign(world_.coordinators.size(), 0);
    for (const auto post : posts)
        if (post < post_arm_.size()) post_arm_[post] = 1;
    post_overrides_.insert(post_overrides_.end(), overrides.begin(), overrides.end());
    const std::size_t councils = world_.councils.size();
    params_.resize(2 * councils, params_.front());
}

void Simulation::add_council_overrides(const std::vector<CouncilOverride>& overrides) {
    scenario_.council_overrides.insert(scenario_.council_overrides.end(), overrides.begin(),
                                       overrides.end());
}

// A followed user's month runs against an empty tally of their council, which
// is then added back: each metric gets at most one addition per user-month,
// so the council's totals are bit-identical to an unfollowed run.
template <bool kPosts>
void Simulation::step_followed(MonthContext& m, std::uint32_t i, Draw4 pathway,
                               const Draw4& crisis_draw) {
    const std::int32_t f = follow_index_[i];
    if (f < 0 || followed_[f].left != kNever) return step_user<kPosts>(m, i, pathway, crisis_draw);
    FollowedPerson& person = followed_[f];
    if (world_.users.exit_month[i] <= t_) { // leaves now: the newcomer is not followed
        person.left = t_;
        return step_user<kPosts>(m, i, pathway, crisis_draw);
    }
    const int council = world_.users.council[i];
    const CouncilTally kept = tally_[council];
    tally_[council] = CouncilTally{};
    step_user<kPosts>(m, i, pathway, crisis_draw);
    CouncilTally own = tally_[council];
    tally_[council] = kept;
    for (std::size_t k = 0; k < kMetricCount; ++k)
        tally_[council].metric[k] += own.metric[k];
    tally_[council].ascot_sum += own.ascot_sum;
    if constexpr (kPosts)
        costs::close_month(own, params_[arm_index(i)], coefficients_[arm_index(i)], 0);
    else // a person carries no fixed costs (sample fraction 0)
        costs::close_month(own, params_[council], coefficients_[council], 0);
    for (std::size_t k = 0; k < kMetricCount; ++k)
        person.total[k] += own.metric[k];
    ++person.months;
}

// 1-8 per user, in the documented order. A user moves at most one step along
// the pathway a month (the step for their state at the start of the month);
// crisis and accounting then see the state after that step. Peers' new
// budgets count from next month.
template <bool kPosts> void Simulation::step_users(const MonthContext& context) {
    MonthContext m = context; // a local copy: its fields stay in registers in the loop
    auto& u = world_.users;
    const std::uint32_t n = static_cast<std::uint32_t>(u.size());
    std::array<std::uint32_t, kPathwayStates> word_of_state;
    for (int s = 0; s < kPathwayStates; ++s)
        word_of_state[s] = Rng::month_word(pathway_purpose(static_cast<PathwayState>(s)), m.key);
    crisis_words_.fill(Rng::month_word(Purpose::crisis, m.key));
    for (std::uint32_t first = 0; first < n; first += kDrawBlock) {
        // This block's pathway and crisis draws, generated together (vectorised).
        const int block = static_cast<int>(std::min<std::uint32_t>(kDrawBlock, n - first));
        for (int j = 0; j < block; ++j)
            pathway_words_[j] = word_of_state[static_cast<int>(u.state[first + j])];
        rng_.fill(pathway_words_.data(), first, block, 0, pathway_draws_);
        rng_.fill(crisis_words_.data(), first, block, 0, crisis_draws_);
        if (followed_.empty())
            for (int j = 0; j < block; ++j)
                step_user<kPosts>(m, first + j, pathway_draws_[j], crisis_draws_[j]);
        else
            for (int j = 0; j < block; ++j)
                step_followed<kPosts>(m, first + j, pathway_draws_[j], crisis_draws_[j]);
    }
}

void Simulation::step() {
    const Month now = scenario_.start + t_;
    update_parameters();
    for (auto& t : tally_)
        t = CouncilTally{};
    holding_changed_.clear();
    MonthContext m{world_,
                   rng_,
                   coefficients_,
                   tally_,
                   t_,
                   static_cast<std::uint32_t>(now.index),
                   now.days(),
                   holding_changed_};

    // 1. Workforce (population turnover happens per user below).
    workforce::step(m, params_, post_arm_);

    // 1-8 per user (see step_users).
    if (post_arm_.empty())
        step_users<false>(m);
    else
        step_users<true>(m);
    auto& u = world_.users;

    // Peer counts change at the end of the month (synchronous update). A user
    // moves at most once a month and a newcomer cannot hold a budget in their
    // first month, so each listed slot changed holding status exactly once.
    for (const auto i : holding_changed_) {
        const int delta = is_holding(u.state[i]) ? 1 : -1;
        for (const auto j : peers_of(world_, i))
            u.peers_holding[j] = static_cast<std::uint16_t>(u.peers_holding[j] + delta);
    }

    const int councils = result_.councils;
    for (int c = 0; c < councils; ++c) {
        costs::close_month(tally_[c], params_[c], coefficients_[c], sample_fraction_);
        for (std::size_t k = 0; k < kMetricCount; ++k)
            result_.values[(k * result_.months + t_) * councils + c] = tally_[c].metric[k];
    }
    ++t_;
}

ReplicationResult simulate(const Scenario& scenario, const RunSettings& settings,
                           const std::function<bool(int)>& on_month) {
    Simulation sim(scenario, settings);
    while (!sim.done()) {
        sim.step();
        if (on_month && !on_month(sim.month())) break;
    }
    return sim.take_result();
}

} // namespace pbsim
