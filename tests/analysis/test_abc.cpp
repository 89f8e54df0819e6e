// Calibration machinery on problems with known answers: the targets file and
// its tolerances, and ABC-SMC against an analytic posterior.
#include "analysis/abc.hpp"
#include "analysis/targets.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

using namespace pbsim::analysis;
using Catch::Matchers::Contains;

namespace {

std::string shipped_targets() {
    std::ifstream in(std::string(PBSIM_SOURCE_DIR) + "/scenarios/calibration/targets.csv");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string error_of(const std::string& csv) {
    try {
        parse_targets(csv, "t.csv");
    } catch (const TargetError& e) {
        return e.what();
    }
    FAIL("expected a TargetError");
    return {};
}

constexpr const char* kHeader = "target,period,value,unit,tolerance,kind,source\n";

} // namespace

TEST_CASE("targets: the shipped file, its tolerance forms and context rows") {
    const auto t = parse_targets(shipped_targets(), "targets.csv");
    REQUIRE(t.size() == 7);
    CHECK(t[0].name == "mh_dp_users_england");
    CHECK(t[0].period == "2001");
    CHECK(t[0].low == 25);
    CHECK(t[0].high == 200);
    CHECK(t[1].low == Approx(3373 * 0.8));
    CHECK(t[1].high == Approx(3373 * 1.2));
    CHECK(t[2].low == Approx(0.126));
    CHECK(t[2].high == Approx(0.166));
    int fitted = 0;
    for (const auto& x : t)
        fitted += x.fitted;
    CHECK(fitted == 3);
    CHECK_FALSE(t[3].fitted); // learning disability: context for the contrast
    CHECK(t[3].value == Approx(0.588));
    CHECK_THAT(t[0].source, Contains("Norah Fry"));
}

TEST_CASE("targets: normalised errors are 0 at the value and +-1 at each end of the interval") {
    const auto t =
        parse_targets(std::string(kHeader) + "a,2001,50,people,25 to 200,count,s\n", "x")[0];
    CHECK(normalised_error(t, 50) == 0);
    CHECK(normalised_error(t, 200) == Approx(1));
    CHECK(normalised_error(t, 25) == Approx(-1));
    CHECK(normalised_error(t, 125) == Approx(0.5));
    CHECK(normalised_error(t, 12.5) == Approx(-1.5));
    CHECK(std::isinf(normalised_error(t, std::nan(""))));
    CHECK(distance({0.0, 3.0, 4.0}) == Approx(std::sqrt(25.0 / 3)));
}

TEST_CASE("targets: bad files give one line naming the file, the line and what is accepted") {
    CHECK_THAT(error_of("name,value\n"), Contains("t.csv:1: header must be"));
    CHECK_THAT(error_of(std::string(kHeader) + "a,2001,lots,people,+-5%,count,s\n"),
               Contains("t.csv:2: value \"lots\" of a is not a number"));
    const auto what =
        error_of(std::string(kHeader) + "a,2001,1,p,+-5,c,s\nb,2002,1,p,roughly,c,s\n");
    CHECK_THAT(what, Contains("t.csv:3"));
    CHECK_THAT(what, Contains("\"roughly\""));
    CHECK_THAT(what, Contains("\"A to B\""));
    CHECK_THAT(error_of(std::string(kHeader) + "a,2001,1,p,5 to 9,c,s\n"), Contains("5 to 9"));
    CHECK_THAT(error_of(std::string(kHeader) + "a,2001,1,p,+-5\n"), Contains("expected 7"));
}

// y ~ N(theta, 1), one observation y = 1, flat prior on [-10, 10]: the
// posterior is N(1, 1). ABC with distance |y_sim - y| and a shrinking tolerance
// must approach it; wrong importance weights would bias the spread.
TEST_CASE("ABC-SMC recovers an analytic posterior; results do not depend on the batch size") {
    const UniformPrior prior{{"theta"}, {-10}, {10}};
    auto make_evaluate = [](long& calls) {
        return [&calls](const std::vector<std::vector<double>>& thetas) {
            std::vector<Evaluation> out;
            for (const auto& th : thetas) {
                // Noise keyed by the proposal itself, so any batching gives the same draws.
                std::mt19937_64 rng(std::hash<double>{}(th[0]));
                const double y = th[0] + std::normal_distribution<double>(0, 1)(rng);
                out.push_back({std::abs(y - 1.0), {y}});
                ++calls;
            }
            return out;
        };
    };
    AbcSettings s;
    s.particles = 1000;
    s.generations = 8;
    s.seed = 42;
    long calls = 0;
    const auto r = abc(prior, s, make_evaluate(calls));
    REQUIRE(r.generations.size() == 8);
    const auto& post = r.posterior();
    CHECK(post.epsilon < 0.1);
    double wsum = 0;
    for (const auto& p : post.particles) {
        wsum += p.weight;
        CHECK(p.distance <= post.epsilon);
        CHECK(p.theta[0] >= -10);
        CHECK(p.theta[0] <= 10);
    }
    CHECK(wsum == Approx(1));
    const auto sum = summarise(post, prior);
    // Monte Carlo error of the mean with ~1000 weighted particles is about 0.05.
    CHECK(sum.mean[0] == Approx(1.0).margin(0.2));
    CHECK(sum.sd[0] == Approx(1.0).margin(0.2));
    CHECK(sum.low[0] == Approx(1.0 - 1.96).margin(0.35));
    CHECK(sum.high[0] == Approx(1.0 + 1.96).margin(0.35));
    CHECK(sum.contraction[0] > 0.9); // sd 1 against a prior sd of 5.8
    // Tolerances shrink generation by generation.
    for (std::size_t g = 2; g < r.generations.size(); ++g)
        CHECK(r.generations[g].epsilon <= r.generations[g - 1].epsilon);

    long calls2 = 0;
    s.batch = 137;
    const auto again = abc(prior, s, make_evaluate(calls2));
    REQUIRE(again.generations.size() == r.generations.size());
    for (std::size_t g = 0; g < r.generations.size(); ++g) {
        CHECK(again.generations[g].epsilon == r.generations[g].epsilon);
        CHECK(again.generations[g].candidates == r.generations[g].candidates);
        for (std::size_t i = 0; i < r.generations[g].particles.size(); ++i)
            REQUIRE(again.generations[g].particles[i].theta == r.generations[g].particles[i].theta);
    }
    s.seed = 43;
    long calls3 = 0;
    CHECK(abc(prior, s, make_evaluate(calls3)).posterior().particles[0].theta !=
          post.particles[0].theta);
}

TEST_CASE("rejection ABC keeps the closest draws; bad settings are refused") {
    const UniformPrior prior{{"a", "b"}, {0, 0}, {1, 1}};
    AbcSettings s;
    s.method = AbcSettings::Method::rejection;
    s.particles = 50;
    s.quantile = 0.1; // 500 prior draws
    long calls = 0;
    const auto r = abc(prior, s, [&](const std::vector<std::vector<double>>& th) {
        std::vector<Evaluation> out;
        for (const auto& t : th)
            out.push_back({std::hypot(t[0] - 0.3, t[1] - 0.7), {}}), ++calls;
        return out;
    });
    CHECK(calls == 500);
    REQUIRE(r.generations.size() == 1);
    const auto& g = r.posterior();
    REQUIRE(g.particles.size() == 50);
    for (const auto& p : g.particles)
        CHECK(p.distance <= g.epsilon);
    // 50 of 500 uniform draws within radius eps of (0.3, 0.7): pi eps^2 ~ 0.1, eps ~ 0.18.
    CHECK(g.epsilon == Approx(std::sqrt(0.1 / M_PI)).margin(0.05));
    const auto sum = summarise(g, prior);
    CHECK(sum.mean[0] == Approx(0.3).margin(0.05));
    CHECK(sum.mean[1] == Approx(0.7).margin(0.05));

    // Distances that are never finite (an output the run never reaches): both
    // methods fail with a message instead of looping or keeping infinities.
    auto never = [](const std::vector<std::vector<double>>& th) {
        return std::vector<Evaluation>(th.size(), Evaluation{INFINITY, {}});
    };
    CHECK_THROWS_WITH(abc(prior, s, never), Contains("finite distance"));
    AbcSettings smc;
    smc.particles = 10;
    CHECK_THROWS_WITH(abc(prior, smc, never), Contains("finite distance"));

    auto nothing = [](const std::vector<std::vector<double>>& th) {
        return std::vector<Evaluation>(th.size(), Evaluation{0, {}});
    };
    s.particles = 1;
    CHECK_THROWS_WITH(abc(prior, s, nothing), Contains("particles"));
    s.particles = 10;
    s.quantile = 1.5;
    CHECK_THROWS_WITH(abc(prior, s, nothing), Contains("quantile"));
    CHECK_THROWS_WITH(abc({{"a"}, {1}, {1}}, AbcSettings{}, nothing),
                      Contains("low must be below high"));
}
