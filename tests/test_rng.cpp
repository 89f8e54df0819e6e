#include "model/rng.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace pbsim;

TEST_CASE("draws are a pure function of their key") {
    const Rng a(42, 3), b(42, 3);
    CHECK(a.uniform4(Purpose::crisis, 4711, 130) == b.uniform4(Purpose::crisis, 4711, 130));
    // Each key component changes the draw.
    const auto base = a.uniform4(Purpose::crisis, 4711, 130);
    CHECK(Rng(43, 3).uniform4(Purpose::crisis, 4711, 130) != base);
    CHECK(Rng(42, 4).uniform4(Purpose::crisis, 4711, 130) != base);
    CHECK(a.uniform4(Purpose::request, 4711, 130) != base);
    CHECK(a.uniform4(Purpose::crisis, 4712, 130) != base);
    CHECK(a.uniform4(Purpose::crisis, 4711, 131) != base);
    CHECK(a.uniform4(Purpose::crisis, 4711, 130, 1) != base);
    // The high half of the seed matters too.
    CHECK(Rng(42 + (1ull << 32), 3).uniform4(Purpose::crisis, 4711, 130) != base);
}

TEST_CASE("uniforms lie in (0, 1) with mean 1/2 and variance 1/12") {
    const Rng rng(7, 0);
    double sum = 0, sum_sq = 0;
    const int n = 200000;
    for (int i = 0; i < n / 4; ++i)
        for (double u : rng.uniform4(Purpose::awareness, static_cast<std::uint32_t>(i), 5)) {
            REQUIRE(u > 0.0);
            REQUIRE(u < 1.0);
            sum += u;
            sum_sq += u * u;
        }
    const double mean = sum / n;
    const double var = sum_sq / n - mean * mean;
    // Standard error of the mean is sqrt(1/12/n) = 0.00065; allow 4 SE.
    CHECK(std::abs(mean - 0.5) < 4 * std::sqrt(1.0 / 12 / n));
    CHECK(std::abs(var - 1.0 / 12) < 0.001);
}

TEST_CASE("standard normals from Box-Muller have mean 0 and variance 1") {
    const Rng rng(11, 0);
    double sum = 0, sum_sq = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
        const auto u = rng.uniform4(Purpose::crisis, static_cast<std::uint32_t>(i), 0);
        const double z = standard_normal(u[0], u[1]);
        sum += z;
        sum_sq += z * z;
    }
    CHECK(std::abs(sum / n) < 4 / std::sqrt(n));
    CHECK(std::abs(sum_sq / n - 1) < 0.02);
}

TEST_CASE("with_replication keeps the seed and changes only the replication") {
    const Rng a(99, 5);
    CHECK(a.with_replication(0).uniform(Purpose::council_generation, 1, 0) ==
          Rng(99, 0).uniform(Purpose::council_generation, 1, 0));
}
