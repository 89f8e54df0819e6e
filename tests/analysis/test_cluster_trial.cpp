// Cluster-trial statistics on synthetic clustered data with a known effect and
// a known ICC. Monte Carlo checks use fixed seeds and tolerances from the
// binomial or normal sampling error of the simulation itself.
#include "analysis/cluster_trial.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace pbsim::analysis;

namespace {

// Portable draws: std's distributions differ between libraries, mt19937_64 does not.
struct Draws {
    std::mt19937_64 gen;
    explicit Draws(std::uint64_t seed) : gen(seed) {}
    double uniform() { return (static_cast<double>(gen() >> 11) + 0.5) * 0x1p-53; }
    double normal() {
        return std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
    }
    int poisson(double mean) { // inversion; means here are small
        double p = std::exp(-mean), cdf = p, u = uniform();
        int k = 0;
        while (u > cdf && k < 10000)
            p *= mean / ++k, cdf += p;
        return k;
    }
};

// A trial with k clusters per arm of m people followed for `years`: Poisson
// counts with rate `rate` x exp(sd_between z_cluster), times `ratio` in the
// intervention arm.
void rate_trial(Draws& d, int k, int m, double years, double rate, double sd_between, double ratio,
                std::vector<ClusterRate>& control, std::vector<ClusterRate>& intervention) {
    control.clear();
    intervention.clear();
    for (int arm = 0; arm < 2; ++arm)
        for (int j = 0; j < k; ++j) {
            const double lambda = rate * std::exp(sd_between * d.normal()) * (arm ? ratio : 1.0);
            ClusterRate c;
            for (int i = 0; i < m; ++i)
                c.events += d.poisson(lambda * years);
            c.person_years = m * years;
            (arm ? intervention : control).push_back(c);
        }
}

// Normal outcome with ICC rho (total variance 1) in clusters of size m.
std::vector<std::vector<double>> normal_clusters(Draws& d, int clusters, int m, double rho,
                                                 double shift = 0) {
    std::vector<std::vector<double>> out(clusters);
    for (auto& c : out) {
        const double b = std::sqrt(rho) * d.normal() + shift;
        for (int i = 0; i < m; ++i)
            c.push_back(b + std::sqrt(1 - rho) * d.normal());
    }
    return out;
}

// 99% binomial Monte Carlo interval around p for n trials.
bool within_binomial(int hits, int n, double p) {
    const double half = 2.576 * std::sqrt(p * (1 - p) / n);
    const double share = static_cast<double>(hits) / n;
    INFO("share " << share << ", expected " << p << " +- " << half);
    return std::abs(share - p) <= half;
}

} // namespace

TEST_CASE("cluster difference: t-test by hand") {
    // Means 2 and 5; pooled variance (2 + 2) / 4 = 1; SE sqrt(2/3); t = 3.674 on 4 df.
    const auto r = cluster_difference({1, 2, 3}, {4, 5, 6});
    CHECK(r.clusters_control == 3);
    CHECK(r.effect == Approx(3.0));
    const double half = 2.776445 * std::sqrt(2.0 / 3.0);
    CHECK(r.ci_low == Approx(3.0 - half).epsilon(1e-6));
    CHECK(r.ci_high == Approx(3.0 + half).epsilon(1e-6));
    CHECK(r.p_value == Approx(0.021312).epsilon(1e-3));
    CHECK(std::isnan(cluster_difference({}, {1, 2}).effect));
}

TEST_CASE("rate ratio: geometric means of (events + 0.5) / person-years") {
    const auto r = cluster_rate_ratio({{9.5, 10}, {39.5, 10}}, {{4.5, 10}, {19.5, 10}});
    // log rates: control log 1, log 4; intervention log 0.5, log 2: ratio exactly 0.5.
    CHECK(r.control == Approx(2.0));
    CHECK(r.intervention == Approx(1.0));
    CHECK(r.effect == Approx(0.5));
    CHECK(r.ci_low < 0.5);
    CHECK(r.ci_high > 0.5);
}

TEST_CASE("cluster-level rate analysis has nominal type I error under no effect") {
    // 2000 simulated trials, 8 clusters per arm of 60 people, 1.5 years, 0.1
    // admissions per person-year, between-cluster sd 0.2 on the log scale.
    Draws d(20260601);
    std::vector<ClusterRate> c, i;
    int rejected = 0;
    const int n = 2000;
    for (int t = 0; t < n; ++t) {
        rate_trial(d, 8, 60, 1.5, 0.1, 0.2, 1.0, c, i);
        rejected += cluster_rate_ratio(c, i).p_value < 0.05;
    }
    CHECK(within_binomial(rejected, n, 0.05));
}

TEST_CASE("cluster-level analysis recovers a known rate ratio with nominal coverage") {
    // Large clusters, so the half-event correction moves log ratio by < 0.002.
    Draws d(7);
    std::vector<ClusterRate> c, i;
    const double truth = 0.7;
    const int n = 500;
    std::vector<double> logs;
    int covered = 0, rejected = 0;
    for (int t = 0; t < n; ++t) {
        rate_trial(d, 10, 400, 1.5, 0.3, 0.15, truth, c, i);
        const auto r = cluster_rate_ratio(c, i);
        logs.push_back(std::log(r.effect));
        covered += r.ci_low <= truth && truth <= r.ci_high;
        rejected += r.p_value < 0.05;
    }
    double mean = 0, ss = 0;
    for (double x : logs)
        mean += x / n;
    for (double x : logs)
        ss += (x - mean) * (x - mean);
    const double se = std::sqrt(ss / (n - 1) / n);
    INFO("mean log ratio " << mean << " (truth " << std::log(truth) << "), MC SE " << se);
    CHECK(std::abs(mean - std::log(truth)) < 3 * se + 0.002);
    CHECK(within_binomial(covered, n, 0.95));
    // Power, from the normal approximation with the cluster-level variance
    // 0.15^2 + 1 / (400 x 1.5 x rate) per arm: about 0.998 here.
    CHECK(rejected > 0.97 * n);
}

TEST_CASE("cluster difference has nominal type I error on normal clustered data") {
    Draws d(99);
    const int n = 2000;
    int rejected = 0;
    for (int t = 0; t < n; ++t) {
        std::vector<double> a, b;
        for (auto& cl : normal_clusters(d, 6, 20, 0.05)) {
            double s = 0;
            for (double y : cl)
                s += y;
            a.push_back(s / 20);
        }
        for (auto& cl : normal_clusters(d, 6, 20, 0.05)) {
            double s = 0;
            for (double y : cl)
                s += y;
            b.push_back(s / 20);
        }
        rejected += cluster_difference(a, b).p_value < 0.05;
    }
    CHECK(within_binomial(rejected, n, 0.05));
}

TEST_CASE("ANOVA ICC by hand") {
    // Means 2 and 5, grand 3.5: MSB = 3 x 4.5 = 13.5, MSW = 4 / 4 = 1, n0 = 3.
    const auto r = anova_icc({{1, 2, 3}, {4, 5, 6}});
    CHECK(r.msb == Approx(13.5));
    CHECK(r.msw == Approx(1.0));
    CHECK(r.n0 == Approx(3.0));
    CHECK(r.icc == Approx(12.5 / 15.5));
    // Unequal sizes: n0 = (N - sum n^2 / N) / (J - 1) = (5 - 13/5) / 1 = 2.4.
    CHECK(anova_icc({{1, 2}, {4, 5, 6}}).n0 == Approx(2.4));
    // Removing arm means: a shifted arm does not change the ICC within arms.
    const std::vector<std::vector<double>> same{{1, 2, 3}, {2, 3, 5}, {1, 2, 3}, {2, 3, 5}};
    const std::vector<std::vector<double>> shifted{
        {1, 2, 3}, {2, 3, 5}, {11, 12, 13}, {12, 13, 15}};
    CHECK(anova_icc(shifted, {0, 0, 1, 1}).icc == Approx(anova_icc(same, {0, 0, 1, 1}).icc));
}

TEST_CASE("ANOVA ICC is unbiased and its Searle interval covers at the nominal rate") {
    Draws d(314);
    const double rho = 0.05;
    const int n = 1000;
    double sum = 0, ss = 0;
    int covered = 0;
    for (int t = 0; t < n; ++t) {
        const auto r = anova_icc(normal_clusters(d, 30, 40, rho));
        sum += r.icc;
        ss += r.icc * r.icc;
        covered += r.ci_low <= rho && rho <= r.ci_high;
    }
    const double mean = sum / n, se = std::sqrt((ss / n - mean * mean) / (n - 1));
    INFO("mean ICC " << mean << ", MC SE " << se);
    // The ANOVA estimator's bias is O(1/clusters), well under 3 SE here.
    CHECK(std::abs(mean - rho) < 3 * se);
    CHECK(within_binomial(covered, n, 0.95)); // exact for balanced normal data
    // No clustering: the estimate is near 0 and the design effect near 1.
    const auto none = anova_icc(normal_clusters(d, 200, 40, 0.0));
    CHECK(std::abs(none.icc) < 0.02);
    CHECK(design_effect(40, 0.05) == Approx(2.95));
}

TEST_CASE("Wilson interval") {
    const auto p = wilson(8, 10);
    CHECK(p.share == 0.8);
    CHECK(p.ci_low == Approx(0.4902).epsilon(1e-3));
    CHECK(p.ci_high == Approx(0.9433).epsilon(1e-3));
}
