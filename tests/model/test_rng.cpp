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

TEST_CASE("block draws equal Random123's Philox4x32-10, lane by lane") {
    const Rng rng(0x123456789abcdefull, 9);
    std::uint32_t words[kDrawBlock];
    const Purpose purposes[] = {Purpose::awareness, Purpose::request, Purpose::crisis,
                                Purpose::holding};
    for (int j = 0; j < kDrawBlock; ++j)
        words[j] = Rng::month_word(purposes[j % 4], 24123);
    for (int n : {1, 7, kDrawBlock}) {
        DrawBlock block;
        rng.fill(words, 1000, n, 3, block);
        for (int j = 0; j < n; ++j) {
            const auto expect = rng.words(purposes[j % 4], 1000 + j, 24123, 3);
            REQUIRE(block[j].word == expect);
        }
    }
    // And Rng::words is Random123's generator with our counter layout.
    r123::Philox4x32 philox;
    const auto r =
        philox({{5, Rng::month_word(Purpose::crisis, 7), 9, 0}}, {{0x89abcdefu, 0x01234567u}});
    CHECK(rng.words(Purpose::crisis, 5, 7) == std::array<std::uint32_t, 4>{r[0], r[1], r[2], r[3]});
}
