// The event engine (docs/performance.md): clocked draws, bounds that are
// bounds, accounting from running totals, and the work it saves.
#include "model/clock.hpp"
#include "runner/input/scenario_file.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>

using namespace pbsim;
using namespace pbsim::testing;

namespace {

Scenario shipped(const std::string& name) {
    return runner::load_scenario(PBSIM_SOURCE_DIR "/scenarios/" + name + ".toml").scenario;
}

// What a run gives: the council series and the followed people's totals.
struct Run {
    ReplicationResult result;
    std::vector<FollowedPerson> followed;
};
// Called before each month's step (trials add arms and follow people mid-run).
using Setup = std::function<void(Simulation&, int)>;

Run run(const Scenario& s, const RunSettings& settings, bool every_month, bool reference,
        const Setup& setup = {}) {
    Simulation sim(s, settings);
    sim.set_every_month(every_month);
    sim.set_reference_accounting(reference);
    while (!sim.done()) {
        if (setup) setup(sim, sim.month());
        sim.step();
    }
    return {sim.result(), sim.followed()};
}

// Largest relative difference of a metric's series (and of the followed totals).
double worst_difference(const Run& a, const Run& b, std::size_t m) {
    const std::size_t block = static_cast<std::size_t>(a.result.months) * a.result.councils;
    double worst = 0;
    auto compare = [&](double x, double y) {
        if (x != y) worst = std::max(worst, std::abs(x - y) / std::max(1.0, std::abs(y)));
    };
    for (std::size_t k = m * block; k < (m + 1) * block; ++k)
        compare(a.result.values[k], b.result.values[k]);
    for (std::size_t p = 0; p < a.followed.size() && p < b.followed.size(); ++p)
        compare(a.followed[p].total[m], b.followed[p].total[m]);
    return worst;
}

// Events against every user every month (bit for bit), and pricing from
// totals against user by user (to float rounding).
void require_engine_exact(const Scenario& s, const RunSettings& settings, const Setup& setup = {}) {
    const Run events = run(s, settings, false, false, setup);
    const Run every = run(s, settings, true, false, setup);
    const Run reference = run(s, settings, false, true, setup);
    REQUIRE(events.followed.size() == every.followed.size());
    for (std::size_t m = 0; m < kMetricCount; ++m) {
        INFO(kMetrics[m].name);
        CHECK(worst_difference(events, every, m) == 0);
        // Users are priced in float arithmetic, totals kept in double.
        CHECK(worst_difference(events, reference, m) < 1e-5);
    }
}

// Indices first, first + step, ... below n (slots to follow, posts of an arm).
std::vector<std::uint32_t> every_nth(std::size_t n, std::uint32_t first, std::uint32_t step) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = first; i < n; i += step)
        out.push_back(i);
    return out;
}

// A small busy world: every lever on, high turnover, training and exits.
Scenario busy_world() {
    Scenario s = small_scenario(2000, 4, 6);
    s.set_constant("policy.managed_budgets", 1);
    s.set_constant("policy.active_offer", 1);
    s.set_constant("workforce.restructuring", 1);
    s.set_constant("population.exit_rate", 0.03);
    s.set_constant("coordinator.turnover", 0.05);
    s.set_constant("training.rate", 0.05);
    return s;
}

} // namespace

TEST_CASE("clock: a threshold bounds its hazard, at most 1/256 above it, 0 only for none") {
    CHECK(clock::threshold(0.0f) == 0);
    CHECK(clock::threshold(-1.0f) == 0);
    CHECK(clock::threshold(std::nanf("")) == 0);
    CHECK(clock::threshold(1.0f) == clock::kAll);
    CHECK(clock::threshold(7.0f) == clock::kAll);
    CHECK(clock::threshold(1e-9f) == 1);
    for (float b = 1e-5f; b < 1.0f; b *= 1.07f) {
        const int t = clock::threshold(b);
        INFO("bound " << b << " threshold " << t);
        CHECK(t / 256.0 >= b);
        CHECK(t / 256.0 <= b * 1.0002 + 1.0 / 256);
    }
}

TEST_CASE("clock: a month is a candidate exactly when its draw is below the threshold") {
    const Rng rng(77, 3);
    for (const int t : {1, 2, 3, 17, 64, 128, 200, 255}) {
        int below = 0, months = 0;
        for (std::uint32_t slot = 0; slot < 40; ++slot)
            for (std::uint32_t block = 0; block < 24; ++block) {
                const std::uint32_t mask =
                    clock::below(clock::block_of(rng, Purpose::crisis, slot, block), t);
                REQUIRE(mask < (1u << clock::kBlock));
                for (std::uint32_t j = 0; j < clock::kBlock; ++j) {
                    const std::uint32_t month = clock::kBlock * block + j;
                    const double u = clock::draw(rng, Purpose::crisis, slot, month)[0];
                    const bool candidate = (mask >> j) & 1u;
                    REQUIRE(candidate == (u < t / 256.0));
                    below += candidate;
                    ++months;
                }
            }
        // Binomial(months, t / 256): within 4.5 standard errors.
        const double p = t / 256.0;
        CHECK(std::abs(below - months * p) <= 4.5 * std::sqrt(months * p * (1 - p)) + 1);
    }
}

TEST_CASE("clock: the next candidate is the first month whose draw is below the threshold") {
    const Rng rng(5, 0);
    for (const int t : {1, 5, 40}) {
        for (std::uint32_t slot = 0; slot < 30; ++slot) {
            const std::uint32_t from = 7 * slot % 50 + 290, until = from + 150;
            std::uint32_t expected = until;
            for (std::uint32_t m = from; m < until; ++m)
                if (clock::draw(rng, Purpose::request, slot, m)[0] < t / 256.0) {
                    expected = m;
                    break;
                }
            const auto found = clock::next_candidate(rng, Purpose::request, slot, from, until, t);
            REQUIRE(found.month == expected);
            if (expected < until)
                REQUIRE(found.p == clock::p_of(rng, Purpose::request, slot, expected));
        }
    }
    CHECK(clock::next_candidate(rng, Purpose::request, 1, 10, 20, 0).month == 20);
    CHECK(clock::next_candidate(rng, Purpose::request, 1, 10, 20, clock::kAll).month == 10);
    CHECK(clock::next_candidate(rng, Purpose::request, 1, 20, 20, clock::kAll).month == 20);
}

TEST_CASE("clock: the hazard draw is uniform and its other words are the month's own") {
    const Rng rng(11, 1);
    std::vector<double> u;
    for (std::uint32_t slot = 0; slot < 200; ++slot)
        for (std::uint32_t m = 0; m < 100; ++m) {
            const Draw4 d = clock::draw(rng, Purpose::awareness, slot, m);
            u.push_back(d[0]);
            const auto own = rng.words(Purpose::awareness, slot, m);
            REQUIRE(d.word[1] == own[1]);
            REQUIRE(d.word[3] == own[3]);
        }
    // Kolmogorov-Smirnov distance of 20,000 uniforms: 1.63 / sqrt(n) is the 1% point.
    std::sort(u.begin(), u.end());
    double d = 0;
    for (std::size_t k = 0; k < u.size(); ++k)
        d = std::max({d, std::abs(u[k] - static_cast<double>(k) / u.size()),
                      std::abs(u[k] - static_cast<double>(k + 1) / u.size())});
    CHECK(d < 1.63 / std::sqrt(static_cast<double>(u.size())));
}

TEST_CASE("engine: visiting every user every month gives bit-identical results (the bounds are "
          "bounds), and totals price as users do") {
    const RunSettings settings{2024, 1, 0.01};
    SECTION("baseline") {
        require_engine_exact(shipped("baseline"), settings);
    }
    SECTION("an access lever") {
        require_engine_exact(shipped("dp_support_everywhere"), settings);
    }
    SECTION("crisis prevention") {
        require_engine_exact(shipped("crisis_prevention"), settings);
    }
    SECTION("restructuring and cuts") {
        require_engine_exact(shipped("cuts_and_restructuring"), settings);
    }
    SECTION("a busy small world") {
        require_engine_exact(busy_world(), {9, 0, 1.0});
    }
    SECTION("national timelines that step up and down") {
        Scenario s = busy_world();
        const Month a = s.start + 13, b = s.start + 29, c = s.start + 47;
        s.set_from("workforce.continuity_window_months", a, 12);
        s.set_from("workforce.continuity_window_months", c, 2);
        s.set_from("information.early_months", b, 12);
        s.set_from("crisis.buildup_months", a, 100);
        s.set_from("crisis.buildup_months", c, 3);
        s.set_from("request.coordinator_effect", b, 4);
        s.set_from("request.discouraged_months", a, 1);
        s.set_from("crisis.continuity_hr", b, 5);
        s.set_from("holding.continuity_hr", b, 5);
        s.set_from("population.exit_rate", c, 0.1);
        s.set_from("training.attitude_gain", b, 2);
        s.set_from("crisis.los_median_days", a, 90);
        require_engine_exact(s, {9, 0, 1.0});
    }
    SECTION("national timelines that ramp up and down, every month a new value") {
        Scenario s = busy_world();
        const Month a = s.start + 6, b = s.start + 40, c = s.start + 70;
        auto ramp = [&](const char* key, double from, double to, double back) {
            s.set_from(key, a, from);
            s.set_from(key, b, to, true);
            s.set_from(key, c, back, true);
        };
        ramp("request.base_rate", 0.002, 0.2, 0.01);
        ramp("awareness.background", 0.001, 0.3, 0.0);
        ramp("crisis.rate_severity_2", 0.005, 0.3, 0.02);
        ramp("holding.handback_rate", 0.0, 0.2, 0.01);
        ramp("dp_support_service.coverage", 0.0, 1.0, 0.3);
        ramp("workforce.restructuring", 0.0, 1.0, 0.0);
        ramp("crisis.pb_effect", 0.0, -0.6, -0.1);
        require_engine_exact(s, {9, 0, 1.0});
    }
    SECTION("councils at their own pace: paced steps and ramps on dates of their own") {
        Scenario s = busy_world();
        s.set_constant("council.adoption_spread", 2.0);
        s.councils_converge = s.start + 60;
        s.set_constant("policy.managed_budgets", 0);
        s.set_from("policy.managed_budgets", s.start + 30, 1);
        s.set_constant("policy.active_offer", 0);
        s.set_from("policy.active_offer", s.start + 10, 0.1);
        s.set_from("policy.active_offer", s.start + 50, 1.0, true);
        s.set_from("dp_support_service.coverage", s.start + 20, 0.0);
        s.set_from("dp_support_service.coverage", s.start + 45, 0.9, true);
        s.set_from("policy.application_complexity", s.start + 35, 0.3);
        require_engine_exact(s, {9, 0, 1.0});
    }
    SECTION("extreme hazards, a long build-up, long stays") {
        Scenario s = busy_world();
        s.end = Month::from_ym(2015, 12);
        s.set_constant("crisis.buildup_months", 120); // the totals' 128-month ring
        s.set_constant("crisis.rate_severity_3", 0.9);
        s.set_constant("crisis.rate_severity_1", 1e-7);
        s.set_constant("crisis.los_median_days", 200);
        s.set_constant("crisis.los_sigma", 1.5);
        s.set_from("awareness.background", s.start + 50, 0.9);
        s.set_from("request.base_rate", s.start + 70, 0.9);
        s.set_from("crisis.buildup_months", s.start + 100, 7);
        s.set_from("crisis.pb_effect", s.start + 130, -0.5);
        require_engine_exact(s, {3, 0, 1.0});
    }
    SECTION("a lowered effect-scale cap: budgets keep the scale they were planned with") {
        // Pricing from totals must fall back where old budgets' gains could
        // pass ASCOT's ceiling (found in review: the check used today's cap).
        Scenario s = busy_world();
        s.set_constant("outcome.ascot_pb_gain", 0.2);
        s.set_constant("allocation.effect_elasticity", 3.0);
        s.set_constant("allocation.effect_scale_cap", 10.0);
        s.set_from("allocation.effect_scale_cap", s.start + 36, 1.0);
        require_engine_exact(s, {9, 0, 1.0});
    }
    SECTION("a trial arm of posts and people followed from month 20") {
        const Scenario s = busy_world();
        const Month m = s.start + 20, m2 = s.start + 40;
        require_engine_exact(s, {9, 0, 1.0}, [&](Simulation& sim, int t) {
            if (t != 20) return;
            auto step = [&](const char* key, double before, Month at, double after) {
                return PostOverride{find_parameter(key),
                                    Timeline{{{Month{0}, before}, {at, after}}}};
            };
            sim.add_post_overrides(every_nth(sim.world().coordinators.size(), 0, 2),
                                   {step("request.coordinator_effect", 0.5, m, 3.0),
                                    step("awareness.from_coordinator", 0.05, m2, 0.9),
                                    step("training.rate", 0.05, m, 0.3),
                                    step("coordinator.turnover", 0.05, m, 0.2),
                                    step("crisis.rate_severity_2", 0.01, m2, 0.2),
                                    step("holding.handback_rate", 0.01, m2, 0.3)});
            sim.follow(every_nth(sim.world().users.size(), 0, 7));
        });
    }
    SECTION("council overrides added at month 15, people followed then and from month 40") {
        const Scenario s = busy_world();
        const Month m = s.start + 15, m2 = s.start + 30;
        require_engine_exact(s, {9, 0, 1.0}, [&](Simulation& sim, int t) {
            if (t == 15) {
                auto step = [&](int council, const char* key, double before, Month at,
                                double after) {
                    return CouncilOverride{council, find_parameter(key),
                                           Timeline{{{Month{0}, before}, {at, after}}}};
                };
                sim.add_council_overrides({step(1, "request.coordinator_effect", 0.5, m, 3.0),
                                           step(1, "awareness.from_coordinator", 0.05, m2, 0.9),
                                           step(2, "crisis.rate_severity_2", 0.01, m, 0.3),
                                           step(2, "request.trust_effect", 0.01, m2, 2.0),
                                           step(3, "crisis.buildup_months", 6, m2, 60)});
                sim.follow(every_nth(sim.world().users.size(), 0, 5));
            } else if (t == 40) {
                sim.follow(every_nth(sim.world().users.size(), 1, 3));
            }
        });
    }
}

TEST_CASE("engine: the national baseline visits a fraction of its agent-months") {
    const Scenario s = shipped("baseline");
    Simulation sim(s, {1, 0, 0.02});
    while (!sim.done())
        sim.step();
    const double agent_months = static_cast<double>(sim.world().users.size()) * s.months();
    // About 13% of agent-months have an event; waiting and reviews add some.
    const double share = static_cast<double>(sim.visits()) / agent_months;
    INFO("visits per agent-month " << share);
    CHECK(share > 0.1);
    CHECK(share < 0.35);
}
