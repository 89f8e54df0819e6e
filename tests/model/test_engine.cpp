// The event engine (docs/performance.md): clocked draws, bounds that are
// bounds, accounting from running totals, and the work it saves.
#include "model/clock.hpp"
#include "runner/input/scenario_file.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using namespace pbsim;
using namespace pbsim::testing;

namespace {

Scenario shipped(const std::string& name) {
    return runner::load_scenario(PBSIM_SOURCE_DIR "/scenarios/" + name + ".toml").scenario;
}

// The same scenario run event by event and with every user visited every month.
void require_every_month_identical(const Scenario& s, const RunSettings& settings) {
    const ReplicationResult events = simulate(s, settings);
    Simulation sim(s, settings);
    sim.set_every_month(true);
    while (!sim.done())
        sim.step();
    for (std::size_t m = 0; m < kMetricCount; ++m) {
        INFO(kMetrics[m].name);
        const std::size_t block = static_cast<std::size_t>(events.months) * events.councils;
        const bool same =
            std::equal(events.values.begin() + m * block, events.values.begin() + (m + 1) * block,
                       sim.result().values.begin() + m * block);
        CHECK(same);
    }
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
            for (std::uint32_t block = 0; block < 12; ++block) {
                const std::uint32_t mask = clock::candidates(rng, Purpose::crisis, slot, block, t);
                for (std::uint32_t j = 0; j < 32; ++j) {
                    const double u = clock::draw(rng, Purpose::crisis, slot, 32 * block + j)[0];
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
            REQUIRE(clock::next_candidate(rng, Purpose::request, slot, from, until, t) == expected);
        }
    }
    CHECK(clock::next_candidate(rng, Purpose::request, 1, 10, 20, 0) == 20);
    CHECK(clock::next_candidate(rng, Purpose::request, 1, 10, 20, clock::kAll) == 10);
    CHECK(clock::next_candidate(rng, Purpose::request, 1, 20, 20, clock::kAll) == 20);
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
          "bounds)") {
    const RunSettings settings{2024, 1, 0.01};
    SECTION("baseline") {
        require_every_month_identical(shipped("baseline"), settings);
    }
    SECTION("an access lever") {
        require_every_month_identical(shipped("dp_support_everywhere"), settings);
    }
    SECTION("crisis prevention") {
        require_every_month_identical(shipped("crisis_prevention"), settings);
    }
    SECTION("restructuring and cuts") {
        require_every_month_identical(shipped("cuts_and_restructuring"), settings);
    }
    SECTION("a small world with every lever on and high hazards") {
        Scenario s = small_scenario(2000, 4, 6);
        s.set_constant("policy.managed_budgets", 1);
        s.set_constant("policy.active_offer", 1);
        s.set_constant("workforce.restructuring", 1);
        s.set_constant("population.exit_rate", 0.03);
        require_every_month_identical(s, {9, 0, 1.0});
    }
}

TEST_CASE("engine: pricing from running totals equals pricing user by user") {
    const Scenario s = shipped("baseline");
    const RunSettings settings{31, 0, 0.01};
    const ReplicationResult totals = simulate(s, settings);
    Simulation sim(s, settings);
    sim.set_reference_accounting(true);
    while (!sim.done())
        sim.step();
    const ReplicationResult& reference = sim.result();
    for (std::size_t m = 0; m < kMetricCount; ++m) {
        INFO(kMetrics[m].name);
        const std::size_t block = static_cast<std::size_t>(totals.months) * totals.councils;
        double worst = 0;
        for (std::size_t k = m * block; k < (m + 1) * block; ++k) {
            const double a = totals.values[k], b = reference.values[k];
            // Users are priced in float arithmetic, totals kept in double.
            worst = std::max(worst, std::abs(a - b) / std::max(1.0, std::abs(b)));
        }
        CHECK(worst < 1e-5);
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
