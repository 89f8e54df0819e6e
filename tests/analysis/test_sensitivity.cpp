// Sweep designs and sensitivity estimators (analysis/design, analysis/sensitivity),
// checked against their definitions and against analytic test functions.
#include "analysis/design.hpp"
#include "analysis/sensitivity.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace pbsim::analysis;

TEST_CASE("grid design: full factorial, last factor fastest, ends of each range") {
    const Matrix m = grid_design({3, 2, 1});
    REQUIRE(m.rows == 6);
    REQUIRE(m.cols == 3);
    CHECK(m(0, 0) == 0.0);
    CHECK(m(0, 1) == 0.0);
    CHECK(m(1, 1) == 1.0);
    CHECK(m(2, 0) == 0.5);
    CHECK(m(5, 0) == 1.0);
    for (std::size_t r = 0; r < m.rows; ++r)
        CHECK(m(r, 2) == 0.5); // one level: the middle
    std::set<std::pair<double, double>> distinct;
    for (std::size_t r = 0; r < m.rows; ++r)
        distinct.insert({m(r, 0), m(r, 1)});
    CHECK(distinct.size() == 6);
}

TEST_CASE("latin hypercube: one point per stratum in every column; deterministic from the seed") {
    const std::size_t n = 50, k = 4;
    const Matrix m = latin_hypercube(n, k, 7);
    for (std::size_t j = 0; j < k; ++j) {
        std::vector<int> count(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            REQUIRE(m(i, j) > 0.0);
            REQUIRE(m(i, j) < 1.0);
            ++count[static_cast<std::size_t>(m(i, j) * n)];
        }
        CHECK(std::all_of(count.begin(), count.end(), [](int c) { return c == 1; }));
    }
    CHECK(latin_hypercube(n, k, 7).values == m.values);
    CHECK(latin_hypercube(n, k, 8).values != m.values);
}

TEST_CASE("saltelli design: AB_i is A with column i from B") {
    const std::size_t n = 16, k = 3, block = saltelli_block(k);
    const Matrix m = saltelli_design(n, k, 3);
    REQUIRE(m.rows == n * block);
    for (std::size_t j = 0; j < n; ++j) {
        const std::size_t a = j * block, b = a + k + 1;
        for (std::size_t i = 0; i < k; ++i)
            for (std::size_t c = 0; c < k; ++c)
                CHECK(m(a + 1 + i, c) == (c == i ? m(b, c) : m(a, c)));
        for (std::size_t c = 0; c < k; ++c)
            CHECK(m(a, c) != m(b, c));
    }
    CHECK(saltelli_design(n, k, 3).values == m.values);
    CHECK(saltelli_design(n, k, 4).values != m.values);
}

TEST_CASE("morris design: each step moves exactly one factor by delta, inside the unit cube") {
    const std::size_t r = 20, k = 5;
    const int levels = 4;
    const Matrix m = morris_design(r, k, levels, 11);
    REQUIRE(m.rows == r * (k + 1));
    const double delta = morris_delta(levels);
    for (std::size_t t = 0; t < r; ++t) {
        std::set<std::size_t> moved;
        for (std::size_t s = 0; s < k; ++s) {
            const std::size_t row = t * (k + 1) + s;
            int changes = 0;
            for (std::size_t c = 0; c < k; ++c) {
                const double d = m(row + 1, c) - m(row, c);
                if (d != 0) {
                    ++changes;
                    moved.insert(c);
                    CHECK(std::abs(std::abs(d) - delta) < 1e-12);
                }
                CHECK(m(row, c) >= -1e-12);
                CHECK(m(row, c) <= 1 + 1e-12);
            }
            CHECK(changes == 1);
        }
        CHECK(moved.size() == k); // every factor moves once per trajectory
    }
}

TEST_CASE("factor values: ranges, whole numbers and value lists") {
    Factor range{"x", 2, 4, {}, false};
    CHECK(factor_value(range, 0) == 2);
    CHECK(factor_value(range, 0.5) == 3);
    CHECK(factor_value(range, 1) == 4);
    Factor whole{"n", 1, 10, {}, true};
    CHECK(factor_value(whole, 0.49) == std::round(1 + 0.49 * 9));
    Factor list{"v", 0, 0, {0.5, 1.0, 1.5}, false};
    CHECK(factor_value(list, 0) == 0.5);
    CHECK(factor_value(list, 0.5) == 1.0);
    CHECK(factor_value(list, 1) == 1.5);
    // A grid over a list of n values visits each value once.
    const Matrix g = grid_design({3});
    for (std::size_t r = 0; r < 3; ++r)
        CHECK(factor_value(list, g(r, 0)) == list.values[r]);
}

TEST_CASE("sobol indices of the Ishigami function match the analytic values") {
    const std::size_t n = 4096, k = 3;
    const Matrix m = saltelli_design(n, k, 1);
    std::vector<double> y(m.rows);
    for (std::size_t r = 0; r < m.rows; ++r)
        y[r] = ishigami(m(r, 0), m(r, 1), m(r, 2));
    const auto exact = ishigami_indices();
    const auto s = sobol_indices(y, k, 200, 0.95, 1);
    REQUIRE(s.n == n);
    for (std::size_t i = 0; i < k; ++i) {
        INFO("factor " << i);
        CHECK(s.first[i].estimate == Approx(exact.first[i]).margin(0.03));
        CHECK(s.total[i].estimate == Approx(exact.total[i]).margin(0.03));
        CHECK(s.first[i].low <= s.first[i].estimate);
        CHECK(s.first[i].estimate <= s.first[i].high);
        CHECK(s.total[i].high - s.total[i].low < 0.15);
        // The interval covers the truth (with a little room for QMC bias).
        CHECK(s.total[i].low - 0.01 <= exact.total[i]);
        CHECK(exact.total[i] <= s.total[i].high + 0.01);
    }
    CHECK(exact.first[0] == Approx(0.3139).margin(1e-4));
    CHECK(exact.total[2] == Approx(0.2437).margin(1e-4));
    // Determinism: same seed, same intervals.
    const auto again = sobol_indices(y, k, 200, 0.95, 1);
    CHECK(again.first[0].low == s.first[0].low);
}

TEST_CASE("sobol indices: an additive function has S1 = ST, and a dummy factor has none") {
    const std::size_t n = 1024, k = 3;
    const Matrix m = saltelli_design(n, k, 2);
    std::vector<double> y(m.rows);
    for (std::size_t r = 0; r < m.rows; ++r)
        y[r] = 4 * m(r, 0) + 2 * m(r, 1); // variances 16:4
    const auto s = sobol_indices(y, k, 100);
    CHECK(s.first[0].estimate == Approx(0.8).margin(0.02));
    CHECK(s.first[1].estimate == Approx(0.2).margin(0.02));
    CHECK(s.total[0].estimate == Approx(0.8).margin(0.02));
    CHECK(std::abs(s.first[2].estimate) < 1e-12);
    CHECK(std::abs(s.total[2].estimate) < 1e-12);
    // A block with a missing output is dropped, not poisoning the rest.
    y[5] = std::nan("");
    CHECK(sobol_indices(y, k, 10).n == n - 1);
}

TEST_CASE("morris: a linear function gives |coefficient| as mu* and no spread") {
    const std::size_t r = 10, k = 3;
    const Matrix m = morris_design(r, k, 4, 5);
    std::vector<double> y(m.rows);
    for (std::size_t i = 0; i < m.rows; ++i)
        y[i] = 3 * m(i, 0) - 2 * m(i, 1) + 1;
    const auto mi = morris_indices(m, y, 100);
    REQUIRE(mi.trajectories == r);
    CHECK(mi.mu[0] == Approx(3));
    CHECK(mi.mu[1] == Approx(-2));
    CHECK(mi.mu_star[0].estimate == Approx(3));
    CHECK(mi.mu_star[1].estimate == Approx(2));
    CHECK(mi.mu_star[2].estimate == Approx(0).margin(1e-12));
    for (std::size_t i = 0; i < k; ++i)
        CHECK(mi.sigma[i] == Approx(0).margin(1e-9));
}

TEST_CASE("morris: an interaction spreads the elementary effects; ranking of Ishigami") {
    const std::size_t r = 200, k = 3;
    const Matrix m = morris_design(r, k, 4, 9);
    std::vector<double> y(m.rows);
    for (std::size_t i = 0; i < m.rows; ++i)
        y[i] = m(i, 0) * m(i, 1);
    auto mi = morris_indices(m, y, 100);
    CHECK(mi.sigma[0] > 0.1);
    CHECK(mi.sigma[1] > 0.1);
    CHECK(mi.mu_star[2].estimate == 0);
    // Ishigami: x3 acts only through its interaction with x1, so sigma_3 > |mu_3|.
    for (std::size_t i = 0; i < m.rows; ++i)
        y[i] = ishigami(m(i, 0), m(i, 1), m(i, 2));
    mi = morris_indices(m, y, 100);
    CHECK(mi.sigma[2] > std::abs(mi.mu[2]));
    CHECK(mi.mu_star[0].estimate > 0);
    CHECK(mi.mu_star[0].low <= mi.mu_star[0].estimate);
    CHECK(mi.mu_star[0].estimate <= mi.mu_star[0].high);
}
