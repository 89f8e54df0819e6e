#include "model/simulation.hpp"

#include "model/allocation.hpp"
#include "model/assessment.hpp"
#include "model/awareness.hpp"
#include "model/clock.hpp"
#include "model/costs.hpp"
#include "model/crisis.hpp"
#include "model/holding.hpp"
#include "model/population.hpp"
#include "model/request.hpp"
#include "model/workforce.hpp"

#include <algorithm>
#include <bit>
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
    is_paced_.assign(parameter_registry().size(), 0);
    if (p0.council.adoption_spread > 0)
        for (std::size_t id = 0; id < is_paced_.size(); ++id)
            if (parameter_registry()[id].paced) {
                is_paced_[id] = 1;
                if (scenario_.parameters[id].varies()) paced_.push_back(static_cast<int>(id));
            }
    coefficients_.resize(councils);
    person_effects_.assign(councils, person_effects(p0));
    tally_.resize(councils);
    result_.resize(scenario_.months(), councils);
    sample_fraction_ = static_cast<double>(world_.users.size()) / p0.population.users;

    const int months = scenario_.months();
    month_days_.resize(months);
    for (int t = 0; t < months; ++t)
        month_days_[t] = (scenario_.start + t).days();
    const std::size_t n = world_.users.size();
    wake_.assign(n, kNever);
    discharge_.assign(n, kLongAgo);
    pathway_clock_.assign(n, Clock{});
    crisis_clock_.assign(n, Clock{});
    reassign_clock_.assign(n, Clock{});
    caseload_.assign(world_.coordinators.size(), {});
    caseload_pos_.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        auto& list = caseload_[world_.users.coordinator[i]];
        caseload_pos_[i] = static_cast<std::uint32_t>(list.size());
        list.push_back(i);
    }
    words_ = (n + 63) / 64;
    due_.assign(words_ * kWindow, 0);
    later_.resize(static_cast<std::size_t>(months) + 1);
    waiting_.assign(councils, 0);
    accounts_.reset(static_cast<std::size_t>(councils));
}

Month Simulation::paced_date(int council, Month now) const {
    // Within the run: a laggard reads the start month's values until its own
    // date reaches it (not what the timeline held before the run), and an
    // early adopter nothing past the end.
    const Month date =
        std::clamp(now + (-world_.councils[static_cast<std::size_t>(council)].adoption_lag),
                   scenario_.start, scenario_.end);
    const auto& converge = scenario_.councils_converge;
    if (!converge) return date;
    if (now >= *converge) return now;
    return std::min(date, *converge + (-1)); // an early adopter reads nothing dated from it on
}

double Simulation::council_value(const Timeline& timeline, int id, int council, Month now) const {
    if (!is_paced_[static_cast<std::size_t>(id)]) return timeline.at(now);
    // An override's own change (a trial's intervention from recruitment, its
    // last point) starts on its date in every council: only the months before
    // it follow the council's pace.
    const Month own = timeline.steps.back().from;
    if (now >= own) return timeline.at(now);
    return timeline.at(std::min(paced_date(council, now), own + (-1)));
}

std::vector<int> Simulation::update_parameters() {
    const Month now = scenario_.start + t_;
    const Parameters national = scenario_.at(now);
    const std::size_t councils = world_.councils.size();
    // Most months nothing changes: the national values, each council's paced
    // values and every override's value are as last month's.
    std::vector<double> values;
    for (const auto& spec : parameter_registry())
        values.push_back(spec.get(national));
    // Each paced parameter's value in each council, [paced id][council], kept
    // in `values` and set from there.
    const std::size_t paced_at = values.size();
    for (const int id : paced_)
        for (std::size_t c = 0; c < councils; ++c)
            values.push_back(scenario_.parameters[static_cast<std::size_t>(id)].at(
                paced_date(static_cast<int>(c), now)));
    // Overrides of a paced parameter are read at the council's own date too,
    // so a trial arm's history before recruitment is its council's.
    for (const auto& o : scenario_.council_overrides)
        values.push_back(o.council >= 0 && o.council < static_cast<int>(councils)
                             ? council_value(o.timeline, o.parameter, o.council, now)
                             : o.timeline.at(now));
    for (const auto& o : post_overrides_)
        for (std::size_t c = 0; c < (is_paced_[o.parameter] ? councils : 1); ++c)
            values.push_back(council_value(o.timeline, o.parameter, static_cast<int>(c), now));
    if (!rebuild_all_ && values == month_values_) return {};
    month_values_ = std::move(values);

    std::fill(params_.begin(), params_.end(), national);
    for (std::size_t k = 0; k < params_.size(); ++k)
        for (std::size_t j = 0; j < paced_.size(); ++j)
            parameter_registry()[paced_[j]].set(
                params_[k], month_values_[paced_at + j * councils + k % councils]);
    for (const auto& o : scenario_.council_overrides)
        if (o.council >= 0 && o.council < static_cast<int>(councils))
            for (std::size_t k = o.council; k < params_.size(); k += councils)
                parameter_registry()[o.parameter].set(
                    params_[k], council_value(o.timeline, o.parameter, o.council, now));
    for (const auto& o : post_overrides_)
        for (std::size_t k = councils; k < params_.size(); ++k)
            parameter_registry()[o.parameter].set(
                params_[k],
                council_value(o.timeline, o.parameter, static_cast<int>(k % councils), now));
    const bool uniform =
        scenario_.council_overrides.empty() && post_overrides_.empty() && paced_.empty();
    const CouncilMonth national_coefficients = derive_council_month(national);
    auto& u = world_.users;
    coefficients_.resize(params_.size());
    std::vector<std::uint8_t> changed(councils, 0);
    for (std::size_t k = 0; k < params_.size(); ++k) {
        const auto& la = world_.councils[k % councils];
        CouncilMonth c = uniform ? national_coefficients : derive_council_month(params_[k]);
        // Early adopters built DP support schemes, laggards did not. Culture
        // shifts coverage but keeps its ends: none stays none, all stays all.
        c.cover_dp_support =
            reach_threshold(council_coverage(params_[k].dp_support_service.coverage, la.dp_culture,
                                             params_[k].council.culture_service_effect));
        // Councils differ in crisis risk (council.crisis_sigma).
        if (la.crisis_multiplier != 1.0)
            for (auto& rate : c.crisis_rate)
                rate = static_cast<float>(rate * la.crisis_multiplier);
        coefficients_[k] = c;
        // Coefficients and person effects follow from the parameters, and some
        // parameters reach the processes directly (the workforce step's,
        // entry's): a council changed if any of its parameters did.
        if (k >= previous_.size())
            changed[k % councils] = 1;
        else
            for (const auto& spec : parameter_registry())
                if (spec.get(params_[k]) != spec.get(previous_[k])) {
                    changed[k % councils] = 1;
                    break;
                }
        if (k >= councils) continue; // person effects stay the council's
        const PersonEffects e = person_effects(params_[k]);
        if (e == person_effects_[k]) continue;
        person_effects_[k] = e;
        for (std::uint32_t i = la.first_user; i < la.first_user + la.user_count; ++i)
            refresh_person_factors(u, i, e);
    }
    previous_ = params_;
    std::vector<int> out;
    for (std::size_t c = 0; c < councils; ++c)
        if (changed[c] || rebuild_all_) out.push_back(static_cast<int>(c));
    rebuild_all_ = false;
    return out;
}

void Simulation::schedule(std::uint32_t i, std::int32_t month) {
    const std::int32_t old = wake_[i];
    // Unchanged: nothing to do (and no stale entry left in a later list).
    if (old == month || (old == kNever && month >= scenario_.months())) return;
    // The old month's bit or list entry stays: a visit is made only if it is
    // the user's month in wake_, and a month's bits are cleared as it is run.
    if (month >= scenario_.months()) {
        wake_[i] = kNever;
        return;
    }
    wake_[i] = month;
    if (month < t_ + kWindow)
        due_[static_cast<std::size_t>(month % kWindow) * words_ + i / 64] |= 1ull << (i % 64);
    else
        later_[static_cast<std::size_t>(month)].push_back(i);
}

void Simulation::wake(std::uint32_t i, std::int32_t month) {
    if (month < wake_[i]) schedule(i, month);
}

bool Simulation::may_happen(const Clock& clock, Purpose p, const clock::Bound& bound) const {
    if (every_month_) return true;
    const int threshold = clock::threshold(bound.value);
    if (threshold == 0) return false; // a hazard of 0
    // Ruled out only if this month is known to be no candidate under a
    // threshold at least as high as this month's.
    if (clock.purpose != static_cast<std::uint8_t>(p) || threshold > clock.threshold ||
        t_ < clock.from)
        return true;
    if (t_ < clock.cand) return false;
    return !(clock.real && clock.cand < t_ && t_ < clock.after);
}

// Inlined into reschedule: most calls are answered from what the clock knows.
[[gnu::always_inline]] inline std::int32_t
Simulation::next_candidate(Clock& clock, Purpose p, std::uint32_t i, int threshold,
                           std::int32_t from, std::int32_t until) const {
    if (threshold <= 0 || from >= until) return until;
    std::int32_t start = from;
    if (clock.purpose == static_cast<std::uint8_t>(p) && threshold <= clock.threshold &&
        clock.from <= from && from <= (clock.real ? clock.after : clock.cand)) {
        // Nothing in [from, clock.cand) under a threshold as high, so nothing under this one.
        if (from <= clock.cand) {
            if (clock.real && clock.p < threshold) { // clock.cand is a candidate under it too
                clock.threshold = static_cast<std::uint16_t>(threshold);
                return std::min<std::int32_t>(clock.cand, until);
            }
            start = clock.real ? clock.after : clock.cand;
        } else {
            start = clock.after; // and nothing in (clock.cand, clock.after)
        }
        if (start >= until) return until;
    }
    return search(clock, p, i, threshold, from, start, until);
}

std::int32_t Simulation::search(Clock& clock, Purpose p, std::uint32_t i, int threshold,
                                std::int32_t from, std::int32_t start, std::int32_t until) const {
    const std::int32_t base = scenario_.start.index;
    const clock::Scan found = clock::scan(rng_, p, i, static_cast<std::uint32_t>(base + start),
                                          static_cast<std::uint32_t>(base + until), threshold);
    const auto month = static_cast<std::int16_t>(static_cast<std::int32_t>(found.month) - base);
    const auto after = static_cast<std::int16_t>(static_cast<std::int32_t>(found.after) - base);
    clock = Clock{
        static_cast<std::int16_t>(from), month,      after,  static_cast<std::uint16_t>(threshold),
        static_cast<std::uint8_t>(p),    found.real, found.p};
    return std::min<std::int32_t>(month, until);
}

Draw4 Simulation::draw(const Clock& clock, Purpose p, std::uint32_t i, std::uint32_t key) const {
    if (clock.purpose == static_cast<std::uint8_t>(p) && clock.real && clock.cand == t_)
        return clock::draw(rng_, p, i, key, clock.p);
    return clock::draw(rng_, p, i, key);
}

template <class BoundAt>
[[gnu::always_inline]] inline std::int32_t
Simulation::first_candidate(Clock& clock, Purpose p, std::uint32_t i, std::int32_t from,
                            std::int32_t until, const BoundAt& bound_at) const {
    while (from < until) {
        const clock::Bound b = bound_at(from);
        const std::int32_t end = std::min(until, std::max(b.until, from + 1));
        const std::int32_t found =
            next_candidate(clock, p, i, clock::threshold(b.value), from, end);
        if (found < end) return found;
        from = end;
    }
    return until;
}

clock::Bound Simulation::pathway_bound(PathwayState s, const UserMonth& um, const CouncilMonth& c,
                                       std::int32_t t) const {
    switch (s) {
    case PathwayState::unaware:
        return awareness::bound(world_, um, c);
    case PathwayState::in_assessment:
        return assessment::bound_assessing(world_, um, c);
    case PathwayState::support_planning:
        return allocation::bound(um, c);
    case PathwayState::aware:
    case PathwayState::handed_back:
        return request::bound(world_, um, c, t);
    case PathwayState::requested: // visited every month
        return {1.0f, kNever};
    default:
        return holding::bound(world_, um, c, t);
    }
}

bool Simulation::visit_holds(std::uint32_t i) const {
    const auto& u = world_.users;
    const std::int32_t wake = wake_[i];
    if (wake == t_) return true; // visited this month anyway
    if (wake == kNever || u.hospital_days_left[i] > 0) return false;
    const PathwayState s = u.state[i];
    if (s == PathwayState::requested) return false;
    const CouncilMonth& c = coefficients_[group(i)];
    // Each clock's search covered [t_, wake) under a threshold at least as high
    // as its new bound, which holds in one span through the wake month.
    const auto covered = [&](const Clock& clock, Purpose p, const clock::Bound& b) {
        if (b.until <= wake) return false;
        const int threshold = clock::threshold(b.value);
        if (threshold == 0) return true;
        return clock.purpose == static_cast<std::uint8_t>(p) && clock.from <= t_ &&
               clock.cand >= wake && threshold <= clock.threshold;
    };
    if (c.reassign > 0 && !covered(reassign_clock_[i], Purpose::reassignment,
                                   workforce::reassignment_bound(world_, i, c)))
        return false;
    const UserMonth um = user_month(world_, i, c, t_);
    return covered(pathway_clock_[i], pathway_purpose(s), pathway_bound(s, um, c, t_)) &&
           covered(crisis_clock_[i], Purpose::crisis, crisis::bound(world_, um, c, t_));
}

void Simulation::reschedule(std::uint32_t i, std::int32_t from) {
    const auto& u = world_.users;
    if (every_month_) return schedule(i, from);
    std::int32_t wake = std::min(u.exit_month[i], scenario_.months());
    const bool paused = u.hospital_days_left[i] > 0;
    const std::int32_t resume = paused ? discharge_[i] + 1 : from; // pathway and crises run again
    if (paused) wake = std::min(wake, discharge_[i]);
    const PathwayState s = u.state[i];
    if (is_holding(s)) wake = std::min(wake, holding::next_review(u.state_since[i], from));
    const bool clocked = s != PathwayState::requested;
    if (!paused && !clocked) wake = from; // waiting: the queue can move every month
    if (following(i)) wake = from;
    // The clocked draws, searched no further than the visit already due, and
    // through its month: then every clock knows whether that month is one of
    // its candidates (and its P) when the user is visited.
    const std::int32_t months = scenario_.months();
    const auto through = [months](std::int32_t month) { return std::min(month + 1, months); };
    const CouncilMonth& c = coefficients_[group(i)];
    if (c.reassign > 0)
        wake =
            std::min(wake, first_candidate(reassign_clock_[i], Purpose::reassignment, i, from,
                                           through(wake), [&](std::int32_t) {
                                               return workforce::reassignment_bound(world_, i, c);
                                           }));
    if (resume > wake) return schedule(i, wake);
    // What the bounds need of the user, worked out once: only continuity
    // depends on the month.
    const unsigned services = services_of(world_, i, c);
    const std::int32_t lost = continuity_lost_at(world_, i);
    if (clocked)
        wake =
            std::min(wake, first_candidate(pathway_clock_[i], pathway_purpose(s), i, resume,
                                           through(wake), [&](std::int32_t t) {
                                               return pathway_bound(
                                                   s, user_month_at(i, services, lost, c, t), c, t);
                                           }));
    wake = std::min(
        wake, first_candidate(
                  crisis_clock_[i], Purpose::crisis, i, resume, through(wake), [&](std::int32_t t) {
                      return crisis::bound(world_, user_month_at(i, services, lost, c, t), c, t);
                  }));
    schedule(i, wake);
}

void Simulation::admitted(std::uint32_t i) {
    auto& u = world_.users;
    int left = u.hospital_days_left[i];
    std::int32_t d = t_ + 1;
    while (d < scenario_.months() && left > month_days_[d])
        left -= month_days_[d++];
    discharge_[i] = d < scenario_.months() ? d : kNever;
    u.hospital_days_left[i] = static_cast<std::uint16_t>(left);
}

void Simulation::move_caseload(std::uint32_t i, std::uint32_t from_post) {
    const std::uint32_t to_post = world_.users.coordinator[i];
    if (to_post == from_post) return;
    auto& from = caseload_[from_post];
    const std::uint32_t pos = caseload_pos_[i];
    from[pos] = from.back();
    caseload_pos_[from[pos]] = pos;
    from.pop_back();
    caseload_pos_[i] = static_cast<std::uint32_t>(caseload_[to_post].size());
    caseload_[to_post].push_back(i);
}

// One user's month, in the documented order (1-8): exit or reassignment, then
// in hospital the pause (and any review), otherwise the step for their state
// and a possible crisis; then their totals are updated and their next visit
// worked out. A clocked draw is only made where it may fall below its hazard.
template <bool kPosts> void Simulation::visit(MonthContext& m, std::uint32_t i) {
    ++visits_;
    auto& u = world_.users;
    const int council = u.council[i];
    auto& tally = tally_[council];
    std::size_t g = group(i);
    accounts_.add(world_, i, g, coefficients_[g], t_, -1);
    if (u.exit_month[i] <= t_) { // 1. exit, and a new user takes the place
        if (is_holding(u.state[i])) holding_changed_.push_back(i);
        tally[Metric::exits] += 1;
        tally[Metric::entries] += 1;
        const std::uint32_t post = u.coordinator[i];
        enter_user(world_, params_[council], rng_, i, u.generation[i] + 1, t_, m.key);
        move_caseload(i, post);
        discharge_[i] = kLongAgo;
    } else {
        const CouncilMonth& c0 = coefficients_[g];
        if (c0.reassign > 0 && may_happen(reassign_clock_[i], Purpose::reassignment,
                                          workforce::reassignment_bound(world_, i, c0))) {
            const std::uint32_t post = u.coordinator[i];
            if (workforce::reassign(m, i, c0,
                                    draw(reassign_clock_[i], Purpose::reassignment, i, m.key)))
                move_caseload(i, post);
        }
    }
    if constexpr (kPosts) g = arm_index(i); // exposure follows the coordinator the user has now
    const CouncilMonth& c = coefficients_[g];
    const UserMonth um = user_month(world_, i, c, t_);
    if (um.continuity_lost_now) tally[Metric::coordinator_changes] += 1;

    bool had_crisis = false;
    if (u.hospital_days_left[i] > 0) { // in hospital: the pathway pauses
        if (t_ == discharge_[i]) {
            tally[Metric::bed_days] += u.hospital_days_left[i];
            u.hospital_days_left[i] = 0;
        } else {
            followed_full_bed_days_ += m.days; // counted from the totals for the council
        }
        if (is_holding(u.state[i])) // reviews do not wait
            holding::review(m, um, c, Draw4{rng_.words(Purpose::holding, i, m.key)});
    } else {
        const PathwayState s = u.state[i];
        const Purpose p = pathway_purpose(s);
        auto& pc = pathway_clock_[i];
        // Whether the pathway draw may fall below its hazard (not used while
        // waiting in the queue, whose chance is the council's each month).
        const bool may = may_happen(pc, p, pathway_bound(s, um, c, t_));
        switch (s) { // 2-6
        case PathwayState::unaware:
            if (may) awareness::step(m, um, c, draw(pc, p, i, m.key));
            break;
        case PathwayState::aware:
        case PathwayState::handed_back:
            if (may) request::step(m, um, c, draw(pc, p, i, m.key));
            break;
        case PathwayState::requested:
            assessment::step_waiting(m, um, c, Draw4{rng_.words(p, i, m.key)});
            break;
        case PathwayState::in_assessment:
            if (may || um.continuity_lost_now)
                assessment::step_assessing(m, um, c, draw(pc, p, i, m.key));
            break;
        case PathwayState::support_planning:
            if (may) allocation::step(m, um, c, draw(pc, p, i, m.key));
            break;
        case PathwayState::holding_dp:
        case PathwayState::holding_managed:
            if (may)
                holding::step(m, um, c, draw(pc, p, i, m.key));
            else
                holding::review(m, um, c, Draw4{rng_.words(p, i, m.key)});
            break;
        }
        // 7. crisis, with the state after the step
        if (may_happen(crisis_clock_[i], Purpose::crisis, crisis::bound(world_, um, c, t_)))
            had_crisis = crisis::step(m, um, c, draw(crisis_clock_[i], Purpose::crisis, i, m.key));
    }
    if (had_crisis) {
        accounts_[g].crises += 1;
        if (u.hospital_days_left[i] > 0) {
            admitted(i);
            accounts_[g].admitted_staying += 1;
        }
    }
    accounts_.add(world_, i, g, c, t_, +1); // 8
    reschedule(i, t_ + 1);
}

void Simulation::follow(const std::vector<std::uint32_t>& slots) {
    followed_.clear();
    follow_index_.assign(world_.users.size(), -1);
    for (const auto i : slots) {
        if (i >= follow_index_.size() || follow_index_[i] >= 0) continue;
        follow_index_[i] = static_cast<std::int32_t>(followed_.size());
        followed_.push_back(FollowedPerson{i});
        wake(i, t_);
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
    accounts_.reset(2 * councils);
    rebuild_all_ = true;
}

void Simulation::add_council_overrides(const std::vector<CouncilOverride>& overrides) {
    scenario_.council_overrides.insert(scenario_.council_overrides.end(), overrides.begin(),
                                       overrides.end());
}

// A followed user's month runs against an empty tally of their council, which
// is then added back, so the council's totals are those of an unfollowed run;
// their own month is then priced user by user, as if a council of one.
template <bool kPosts> void Simulation::visit_followed(MonthContext& m, std::uint32_t i) {
    if (!following(i)) return visit<kPosts>(m, i);
    FollowedPerson& person = followed_[follow_index_[i]];
    if (world_.users.exit_month[i] <= t_) { // leaves now: the newcomer is not followed
        person.left = t_;
        return visit<kPosts>(m, i);
    }
    const int council = world_.users.council[i];
    const CouncilTally kept = tally_[council];
    tally_[council] = CouncilTally{};
    followed_full_bed_days_ = 0;
    visit<kPosts>(m, i);
    CouncilTally own = tally_[council];
    for (std::size_t k = 0; k < kMetricCount; ++k)
        tally_[council].metric[k] = kept.metric[k] + own.metric[k];
    tally_[council].ascot_sum = kept.ascot_sum + own.ascot_sum;
    // The person's own accounting.
    const std::size_t arm = kPosts ? arm_index(i) : static_cast<std::size_t>(council);
    const CouncilMonth& c = coefficients_[arm];
    const CouncilTally council_now = tally_[council];
    tally_[council] = own;
    costs::account_user(m, user_month(world_, i, c, t_), c, world_.users.last_crisis[i] == t_);
    own = tally_[council];
    tally_[council] = council_now;
    own[Metric::bed_days] += followed_full_bed_days_;
    costs::close_month(own, params_[arm], c, 0); // a person carries no fixed costs
    for (std::size_t k = 0; k < kMetricCount; ++k)
        person.total[k] += own.metric[k];
    ++person.months;
}

template <bool kPosts> void Simulation::visit_month(MonthContext& m) {
    // The month entering the window of bitmaps.
    const std::int32_t entering = t_ + kWindow - 1;
    if (entering < scenario_.months()) {
        auto& list = later_[static_cast<std::size_t>(entering)];
        for (const auto i : list)
            if (wake_[i] == entering)
                due_[static_cast<std::size_t>(entering % kWindow) * words_ + i / 64] |= 1ull
                                                                                        << (i % 64);
        std::vector<std::uint32_t>().swap(list);
    }
    std::uint64_t* due = due_.data() + static_cast<std::size_t>(t_ % kWindow) * words_;
    for (std::size_t w = 0; w < words_; ++w) {
        std::uint64_t bits = due[w];
        due[w] = 0;
        while (bits) {
            const auto i = static_cast<std::uint32_t>(64 * w + std::countr_zero(bits));
            bits &= bits - 1;
            if (wake_[i] != t_) continue;
            if (followed_.empty())
                visit<kPosts>(m, i);
            else
                visit_followed<kPosts>(m, i);
        }
    }
}

void Simulation::rebuild_accounts(int council, bool always) {
    const auto& la = world_.councils[council];
    const std::size_t councils = world_.councils.size();
    // New coefficients that leave every user's contribution as it was (a
    // ramp of a hazard, say) keep the totals.
    accounts_built_.resize(coefficients_.size());
    const bool arms = !post_arm_.empty();
    if (!always && Accounts::same_contributions(accounts_built_[council], coefficients_[council]) &&
        (!arms || Accounts::same_contributions(accounts_built_[council + councils],
                                               coefficients_[council + councils])))
        return;
    accounts_built_[council] = coefficients_[council];
    if (arms) accounts_built_[council + councils] = coefficients_[council + councils];
    accounts_.clear_group(council);
    if (!post_arm_.empty()) accounts_.clear_group(council + councils);
    for (std::uint32_t i = la.first_user; i < la.first_user + la.user_count; ++i) {
        const std::size_t g = group(i);
        accounts_.add(world_, i, g, coefficients_[g], t_, +1);
    }
}

void Simulation::close_accounts(int council) {
    const std::size_t councils = world_.councils.size();
    const bool arms = !post_arm_.empty();
    bool linear = accounts_.linear(council, coefficients_[council]);
    if (arms)
        linear = linear && accounts_.linear(council + councils, coefficients_[council + councils]);
    const int days = month_days_[t_];
    auto& tally = tally_[council];
    if (linear && !reference_accounting_) {
        accounts_.close(council, coefficients_[council], t_, days, tally);
        if (arms)
            accounts_.close(council + councils, coefficients_[council + councils], t_, days, tally);
        return;
    }
    // User by user, as costs::account_user prices a followed person.
    const auto& u = world_.users;
    const auto& la = world_.councils[council];
    MonthContext m{world_, rng_, coefficients_, tally_, t_, 0u, days, holding_changed_};
    for (std::uint32_t i = la.first_user; i < la.first_user + la.user_count; ++i) {
        const CouncilMonth& c = coefficients_[group(i)];
        costs::account_user(m, user_month(world_, i, c, t_), c, u.last_crisis[i] == t_);
        if (u.hospital_days_left[i] > 0 && u.last_crisis[i] != t_) tally[Metric::bed_days] += days;
    }
}

void Simulation::step() {
    const Month now = scenario_.start + t_;
    const std::size_t councils = world_.councils.size();
    accounts_.start_month(t_);
    const bool rebuild_all = rebuild_all_; // first month, new arms: totals from scratch
    const std::vector<int> changed = update_parameters();
    for (const int c : changed)
        rebuild_accounts(c, rebuild_all); // new coefficients: new totals
    for (auto& t : tally_)
        t = CouncilTally{};
    holding_changed_.clear();
    changed_posts_.clear();
    MonthContext m{world_,
                   rng_,
                   coefficients_,
                   tally_,
                   t_,
                   static_cast<std::uint32_t>(now.index),
                   now.days(),
                   holding_changed_};

    // 1. Workforce (population turnover happens per user below). Users whose
    // coordinator left are visited this month (they lose continuity); those
    // whose coordinator was trained have their next visit worked out anew.
    for (std::size_t c = 0; c < councils; ++c) {
        double waiting = accounts_[c].state[static_cast<int>(PathwayState::requested)];
        if (!post_arm_.empty())
            waiting += accounts_[c + councils].state[static_cast<int>(PathwayState::requested)];
        waiting_[c] = static_cast<std::uint32_t>(std::lround(waiting));
    }
    workforce::step(m, params_, post_arm_, waiting_, changed_posts_);
    // Everyone's bounds anew where the month's parameters changed (with the
    // coordinator factors the workforce step derives from them).
    for (const int c : changed) {
        const auto& la = world_.councils[c];
        for (std::uint32_t i = la.first_user; i < la.first_user + la.user_count; ++i)
            if (!visit_holds(i)) reschedule(i, t_);
    }
    for (const auto post : changed_posts_) {
        const bool left = world_.coordinators.in_post_since[post] == t_;
        for (const auto i : caseload_[post]) {
            if (left)
                wake(i, t_);
            else
                reschedule(i, t_);
        }
    }

    // 1-8 for the users something may happen to (see visit).
    if (post_arm_.empty())
        visit_month<false>(m);
    else
        visit_month<true>(m);
    auto& u = world_.users;

    // Peer counts change at the end of the month (synchronous update). A user
    // moves at most once a month and a newcomer cannot hold a budget in their
    // first month, so each listed slot changed holding status exactly once.
    // The next visits of peers whose hazards depend on it are worked out anew.
    // A count that falls lowers no hazard: the next visit stays right (early
    // at worst), so only peers whose hazard one more holder raises are looked at.
    for (const auto i : holding_changed_) {
        const int delta = is_holding(u.state[i]) ? 1 : -1;
        for (const auto j : peers_of(world_, i)) {
            const int before = u.peers_holding[j];
            u.peers_holding[j] = static_cast<std::uint16_t>(before + delta);
            if (delta < 0) continue;
            const CouncilMonth& c = coefficients_[group(j)];
            const PathwayState s = u.state[j];
            if ((s == PathwayState::unaware && awareness::raised_by_peer(c, before)) ||
                ((s == PathwayState::aware || s == PathwayState::handed_back) &&
                 request::raised_by_peer(c, before)))
                reschedule(j, t_ + 1);
        }
    }

    const int n = result_.councils;
    for (int c = 0; c < n; ++c) {
        close_accounts(c);
        costs::close_month(tally_[c], params_[c], coefficients_[c], sample_fraction_);
        for (std::size_t k = 0; k < kMetricCount; ++k)
            result_.values[(k * result_.months + t_) * n + c] = tally_[c].metric[k];
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
