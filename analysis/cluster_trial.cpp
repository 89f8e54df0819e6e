#include "analysis/cluster_trial.hpp"

#include "analysis/compare.hpp"

#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <limits>

namespace pbsim::analysis {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct MeanVar {
    double mean = 0, ss = 0; // sum of squared deviations
    int n = 0;
};

MeanVar mean_var(const std::vector<double>& v) {
    MeanVar m;
    for (double x : v)
        m.mean += x, ++m.n;
    if (m.n == 0) return m;
    m.mean /= m.n;
    for (double x : v)
        m.ss += (x - m.mean) * (x - m.mean);
    return m;
}

// Pooled-variance two-sample t-test of b - a.
ClusterTest two_sample(const std::vector<double>& a, const std::vector<double>& b, double level) {
    ClusterTest out;
    const MeanVar ma = mean_var(a), mb = mean_var(b);
    out.clusters_control = ma.n;
    out.clusters_intervention = mb.n;
    out.control = ma.n ? ma.mean : kNaN;
    out.intervention = mb.n ? mb.mean : kNaN;
    const int df = ma.n + mb.n - 2;
    if (ma.n == 0 || mb.n == 0 || df < 1) {
        out.effect = out.ci_low = out.ci_high = out.p_value = kNaN;
        return out;
    }
    out.effect = mb.mean - ma.mean;
    const double pooled = (ma.ss + mb.ss) / df;
    const double se = std::sqrt(pooled * (1.0 / ma.n + 1.0 / mb.n));
    const double half = t_quantile(0.5 + level / 2, df) * se;
    out.ci_low = out.effect - half;
    out.ci_high = out.effect + half;
    out.p_value = se > 0 ? t_two_sided_p(out.effect / se, df) : (out.effect == 0 ? 1.0 : 0.0);
    return out;
}

std::vector<double> log_rates(const std::vector<ClusterRate>& clusters) {
    std::vector<double> v;
    for (const auto& c : clusters)
        if (c.person_years > 0) v.push_back(std::log((c.events + 0.5) / c.person_years));
    return v;
}

} // namespace

double t_two_sided_p(double t, int df) {
    if (df < 1 || !std::isfinite(t)) return kNaN;
    return 2 * boost::math::cdf(boost::math::complement(
                   boost::math::students_t_distribution<double>(df), std::abs(t)));
}

double f_quantile(double p, int df1, int df2) {
    if (df1 < 1 || df2 < 1) return kNaN;
    return boost::math::quantile(boost::math::fisher_f_distribution<double>(df1, df2), p);
}

ClusterTest cluster_difference(const std::vector<double>& control,
                               const std::vector<double>& intervention, double level) {
    return two_sample(control, intervention, level);
}

ClusterTest cluster_rate_ratio(const std::vector<ClusterRate>& control,
                               const std::vector<ClusterRate>& intervention, double level) {
    ClusterTest out = two_sample(log_rates(control), log_rates(intervention), level);
    out.control = std::exp(out.control);
    out.intervention = std::exp(out.intervention);
    out.effect = std::exp(out.effect);
    out.ci_low = std::exp(out.ci_low);
    out.ci_high = std::exp(out.ci_high);
    return out;
}

IccEstimate anova_icc(const std::vector<std::vector<double>>& clusters, const std::vector<int>& arm,
                      double level) {
    IccEstimate out;
    // Arm (group) totals, so the between-cluster sum of squares is within arms.
    int groups = 0;
    for (std::size_t j = 0; j < clusters.size(); ++j)
        groups = std::max(groups, (arm.empty() ? 0 : arm[j]) + 1);
    std::vector<double> g_sum(groups, 0.0), g_n(groups, 0.0), g_n2(groups, 0.0);
    int nonempty = 0;
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        const int g = arm.empty() ? 0 : arm[j];
        const double n = static_cast<double>(clusters[j].size());
        if (n == 0) continue;
        ++nonempty;
        for (double y : clusters[j])
            g_sum[g] += y;
        g_n[g] += n;
        g_n2[g] += n * n;
        out.people += static_cast<int>(n);
    }
    int used_groups = 0;
    for (double n : g_n)
        used_groups += n > 0;
    out.clusters = nonempty;
    const int df_b = nonempty - used_groups, df_w = out.people - nonempty;
    if (df_b < 1 || df_w < 1) {
        out.icc = out.ci_low = out.ci_high = out.msb = out.msw = out.n0 = kNaN;
        return out;
    }
    double ssb = 0, ssw = 0;
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        if (clusters[j].empty()) continue;
        const int g = arm.empty() ? 0 : arm[j];
        const double grand = g_sum[g] / g_n[g];
        double mean = 0;
        for (double y : clusters[j])
            mean += y;
        mean /= static_cast<double>(clusters[j].size());
        ssb += static_cast<double>(clusters[j].size()) * (mean - grand) * (mean - grand);
        for (double y : clusters[j])
            ssw += (y - mean) * (y - mean);
    }
    double n0 = out.people;
    for (int g = 0; g < groups; ++g)
        if (g_n[g] > 0) n0 -= g_n2[g] / g_n[g];
    n0 /= df_b;
    out.n0 = n0;
    out.msb = ssb / df_b;
    out.msw = ssw / df_w;
    if (out.msw <= 0) {
        out.icc = out.ci_low = out.ci_high = kNaN;
        return out;
    }
    out.icc = (out.msb - out.msw) / (out.msb + (n0 - 1) * out.msw);
    const double F = out.msb / out.msw;
    const double alpha = 1 - level;
    const double f_lo = F / f_quantile(1 - alpha / 2, df_b, df_w);
    const double f_hi = F / f_quantile(alpha / 2, df_b, df_w);
    out.ci_low = (f_lo - 1) / (f_lo + n0 - 1);
    out.ci_high = (f_hi - 1) / (f_hi + n0 - 1);
    return out;
}

Proportion wilson(int hits, int n, double level) {
    if (n <= 0) return {kNaN, kNaN, kNaN};
    const double z =
        boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + level / 2);
    const double p = static_cast<double>(hits) / n, z2n = z * z / n;
    const double centre = (p + z2n / 2) / (1 + z2n);
    const double half = z * std::sqrt(p * (1 - p) / n + z2n / (4.0 * n)) / (1 + z2n);
    return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

} // namespace pbsim::analysis
