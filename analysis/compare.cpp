#include "analysis/compare.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <limits>

namespace pbsim::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

double t_quantile(double p, int df) {
    if (df < 1) return kNaN;
    return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

PairedDifference paired_difference(const std::vector<double>& baseline,
                                   const std::vector<double>& scenario, double level) {
    PairedDifference out;
    double sum_b = 0, sum_s = 0, sum_d = 0;
    std::vector<double> d;
    for (std::size_t r = 0; r < std::min(baseline.size(), scenario.size()); ++r) {
        if (!std::isfinite(baseline[r]) || !std::isfinite(scenario[r])) continue;
        sum_b += baseline[r];
        sum_s += scenario[r];
        d.push_back(scenario[r] - baseline[r]);
        sum_d += d.back();
    }
    out.n = static_cast<int>(d.size());
    if (out.n == 0) {
        out.baseline_mean = out.scenario_mean = out.mean = out.sd = out.ci_low = out.ci_high = kNaN;
        return out;
    }
    out.baseline_mean = sum_b / out.n;
    out.scenario_mean = sum_s / out.n;
    out.mean = sum_d / out.n;
    if (out.n < 2) {
        out.sd = out.ci_low = out.ci_high = kNaN;
        return out;
    }
    double ss = 0;
    for (double x : d)
        ss += (x - out.mean) * (x - out.mean);
    out.sd = std::sqrt(ss / (out.n - 1));
    const double half = t_quantile(0.5 + level / 2, out.n - 1) * out.sd / std::sqrt(out.n);
    out.ci_low = out.mean - half;
    out.ci_high = out.mean + half;
    return out;
}

CostEffectiveness
cost_effectiveness(const std::vector<double>& base_cost, const std::vector<double>& scen_cost,
                   const std::vector<double>& base_qalys, const std::vector<double>& scen_qalys,
                   const std::vector<double>& base_crises, const std::vector<double>& scen_crises,
                   const std::vector<double>& thresholds) {
    CostEffectiveness ce;
    ce.cost = paired_difference(base_cost, scen_cost);
    ce.qalys = paired_difference(base_qalys, scen_qalys);
    ce.icer = ce.qalys.mean != 0 ? ce.cost.mean / ce.qalys.mean : kNaN;
    const std::size_t n =
        std::min({base_cost.size(), scen_cost.size(), base_qalys.size(), scen_qalys.size()});
    for (double lambda : thresholds) {
        // NMB per replication as a paired difference against zero.
        std::vector<double> zero(n, 0.0), nmb(n);
        int positive = 0, counted = 0;
        for (std::size_t r = 0; r < n; ++r) {
            nmb[r] = lambda * (scen_qalys[r] - base_qalys[r]) - (scen_cost[r] - base_cost[r]);
            if (std::isfinite(nmb[r])) {
                ++counted;
                positive += nmb[r] > 0;
            }
        }
        ce.at.push_back({lambda, paired_difference(zero, nmb),
                         counted > 0 ? static_cast<double>(positive) / counted : kNaN});
    }
    const PairedDifference crises = paired_difference(base_crises, scen_crises);
    ce.cost_per_crisis_averted = crises.mean < 0 ? ce.cost.mean / -crises.mean : kNaN;
    return ce;
}

} // namespace pbsim::analysis
