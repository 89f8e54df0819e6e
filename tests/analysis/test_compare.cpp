// Paired comparison statistics against hand-computed values.
#include "analysis/compare.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace pbsim::analysis;

TEST_CASE("t quantiles match tables") {
    CHECK(t_quantile(0.975, 3) == Approx(3.182446).epsilon(1e-6));
    CHECK(t_quantile(0.975, 4) == Approx(2.776445).epsilon(1e-6));
    CHECK(t_quantile(0.975, 1000) == Approx(1.962339).epsilon(1e-6));
}

TEST_CASE("paired difference: mean, sd and t interval by hand") {
    // d = {1, 2, 2, 3}: mean 2, sd sqrt(2/3), SE sqrt(2/3)/2, t(0.975, 3) = 3.182446.
    const auto d = paired_difference({1, 2, 3, 4}, {2, 4, 5, 7});
    CHECK(d.n == 4);
    CHECK(d.baseline_mean == Approx(2.5));
    CHECK(d.scenario_mean == Approx(4.5));
    CHECK(d.mean == Approx(2.0));
    CHECK(d.sd == Approx(std::sqrt(2.0 / 3.0)));
    const double half = 3.182446 * std::sqrt(2.0 / 3.0) / 2.0;
    CHECK(d.ci_low == Approx(2.0 - half).epsilon(1e-6));
    CHECK(d.ci_high == Approx(2.0 + half).epsilon(1e-6));
}

TEST_CASE("paired difference drops incomplete pairs and handles tiny samples") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto d = paired_difference({1, nan, 3}, {2, 5, 4});
    CHECK(d.n == 2);
    CHECK(d.mean == Approx(1.0));
    const auto one = paired_difference({1}, {3});
    CHECK(one.mean == 2.0);
    CHECK(std::isnan(one.ci_low)); // no interval from one pair
}

TEST_CASE("cost-effectiveness: ICER, net monetary benefit, probability, cost per crisis") {
    const auto ce =
        cost_effectiveness({100, 100, 100, 100}, {110, 120, 130, 140}, {1, 1, 1, 1},
                           {1.001, 1.002, 1.003, 1.004}, {10, 10, 10, 10}, {9, 8, 9, 8});
    CHECK(ce.cost.mean == Approx(25));
    CHECK(ce.qalys.mean == Approx(0.0025));
    CHECK(ce.icer == Approx(10000));
    REQUIRE(ce.at.size() == 2);
    // NMB at 20,000: {10, 20, 30, 40}; at 30,000: {20, 40, 60, 80}.
    CHECK(ce.at[0].threshold == 20000);
    CHECK(ce.at[0].nmb.mean == Approx(25));
    CHECK(ce.at[0].p_cost_effective == 1.0);
    CHECK(ce.at[1].nmb.mean == Approx(50));
    CHECK(ce.cost_per_crisis_averted == Approx(25 / 1.5));
    // Half the replications cost-effective.
    const auto mixed =
        cost_effectiveness({0, 0, 0, 0}, {10, 30, 10, 30}, {0, 0, 0, 0},
                           {0.001, 0.001, 0.001, 0.001}, {1, 1, 1, 1}, {1, 1, 1, 1}, {20000});
    CHECK(mixed.at[0].p_cost_effective == 0.5);
    CHECK(std::isnan(mixed.cost_per_crisis_averted)); // no crisis averted
}
