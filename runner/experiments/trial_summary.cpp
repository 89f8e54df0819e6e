// The results of many simulated trials, design by design: power with its
// Wilson interval, type I error, the mean effect, ICC and design effect,
// uptake and cost in each arm; and the table that prints them.
#include "runner/experiments/trial_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace pbsim::runner {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double quantile(std::vector<double> v, double p) {
    std::erase_if(v, [](double x) { return !std::isfinite(x); });
    if (v.empty()) return kNaN;
    std::sort(v.begin(), v.end());
    const double h = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

double finite_mean(const std::vector<double>& v) {
    double sum = 0;
    int n = 0;
    for (double x : v)
        if (std::isfinite(x)) sum += x, ++n;
    return n ? sum / n : kNaN;
}

} // namespace

DesignSummary summarise_design(const TrialSpec& spec,
                               const std::vector<std::vector<TrialResult>>& all, std::size_t d) {
    DesignSummary s;
    const bool ratio = find_outcome(spec.primary)->kind == OutcomeKind::rate;
    std::vector<double> effect, control, intervention, icc, size, up[2], cost[2];
    int hits = 0, null_hits = 0, nulls = 0, n = 0;
    std::vector<int> sec_hits(spec.secondary.size(), 0);
    std::vector<std::vector<double>> sec_effect(spec.secondary.size());
    for (const auto& trial : all) {
        const TrialResult& r = trial[d];
        s.clusters_per_arm = r.clusters_per_arm;
        s.participants_per_cluster = r.participants_per_cluster;
        ++n;
        hits += r.primary.p_value < spec.alpha;
        effect.push_back(ratio ? std::log(r.primary.effect) : r.primary.effect);
        control.push_back(r.primary.control);
        intervention.push_back(r.primary.intervention);
        icc.push_back(r.icc.icc);
        size.push_back(r.mean_cluster_size);
        for (int a = 0; a < 2; ++a)
            up[a].push_back(r.uptake[a]), cost[a].push_back(r.cost[a]);
        if (std::isfinite(r.null_p)) ++nulls, null_hits += r.null_p < spec.alpha;
        for (std::size_t q = 0; q < r.secondary.size(); ++q) {
            sec_hits[q] += r.secondary[q].p_value < spec.alpha;
            const bool sec_ratio = find_outcome(spec.secondary[q])->kind == OutcomeKind::rate;
            sec_effect[q].push_back(sec_ratio ? std::log(r.secondary[q].effect)
                                              : r.secondary[q].effect);
        }
    }
    s.trials = n;
    s.power = analysis::wilson(hits, n);
    s.type_one_error =
        nulls ? analysis::wilson(null_hits, nulls) : analysis::Proportion{kNaN, kNaN, kNaN};
    s.effect = ratio ? std::exp(finite_mean(effect)) : finite_mean(effect);
    s.control = finite_mean(control);
    s.intervention = finite_mean(intervention);
    s.icc = finite_mean(icc);
    s.icc_low = quantile(icc, 0.025);
    s.icc_high = quantile(icc, 0.975);
    s.mean_cluster_size = finite_mean(size);
    s.design_effect = analysis::design_effect(s.mean_cluster_size, s.icc);
    for (int a = 0; a < 2; ++a)
        s.uptake[a] = finite_mean(up[a]), s.cost[a] = finite_mean(cost[a]);
    for (std::size_t q = 0; q < spec.secondary.size(); ++q) {
        const bool sec_ratio = find_outcome(spec.secondary[q])->kind == OutcomeKind::rate;
        s.secondary_effect.push_back(sec_ratio ? std::exp(finite_mean(sec_effect[q]))
                                               : finite_mean(sec_effect[q]));
        s.secondary_power.push_back(analysis::wilson(sec_hits[q], n));
    }
    return s;
}

std::string effect_label(const TrialSpec& spec) {
    return find_outcome(spec.primary)->kind == OutcomeKind::rate ? "rate ratio" : "difference";
}

void print_table(const TrialSpec& spec, const std::vector<DesignSummary>& designs, bool markdown) {
    const bool null_check = spec.null_check;
    const std::string effect = effect_label(spec);
    if (markdown) {
        std::printf(
            "| clusters per arm | participants per cluster (recruited) | power (95%% CI) | %s | "
            "ICC (2.5-97.5%%) | design effect | uptake I | uptake C | cost/participant I | "
            "cost/participant C |%s\n",
            effect.c_str(), null_check ? " type I error |" : "");
        std::printf("|---:|---:|---|---:|---|---:|---:|---:|---:|---:|%s\n",
                    null_check ? "---|" : "");
        for (const auto& d : designs) {
            std::printf(
                "| %d | %d (%.0f) | %.2f (%.2f-%.2f) | %.3f | %.4f (%.4f-%.4f) | %.2f | %.3f | "
                "%.3f | %.0f | %.0f |",
                d.clusters_per_arm, d.participants_per_cluster, d.mean_cluster_size, d.power.share,
                d.power.ci_low, d.power.ci_high, d.effect, d.icc, d.icc_low, d.icc_high,
                d.design_effect, d.uptake[1], d.uptake[0], d.cost[1], d.cost[0]);
            if (null_check)
                std::printf(" %.3f (%.3f-%.3f) |", d.type_one_error.share, d.type_one_error.ci_low,
                            d.type_one_error.ci_high);
            std::printf("\n");
        }
        return;
    }
    std::printf("primary outcome: %s (%s), %s; %d simulated trials per design, alpha %g\n",
                spec.primary.c_str(), std::string(find_outcome(spec.primary)->unit).c_str(),
                effect.c_str(), designs.empty() ? 0 : designs.front().trials, spec.alpha);
    std::printf("%5s %6s %6s %-13s %8s %9s %-17s %6s %8s %8s %9s %9s%s\n", "k/arm", "m", "m_obs",
                "power", "effect", "ctl rate", "ICC (2.5-97.5%)", "DE", "uptakeI", "uptakeC",
                "cost I", "cost C", null_check ? "  type I" : "");
    for (const auto& d : designs) {
        char power[32], icc[40];
        std::snprintf(power, sizeof power, "%.2f[%.2f,%.2f]", d.power.share, d.power.ci_low,
                      d.power.ci_high);
        std::snprintf(icc, sizeof icc, "%.4f[%.3f,%.3f]", d.icc, d.icc_low, d.icc_high);
        std::printf("%5d %6d %6.1f %-13s %8.3f %9.4g %-17s %6.2f %8.3f %8.3f %9.0f %9.0f",
                    d.clusters_per_arm, d.participants_per_cluster, d.mean_cluster_size, power,
                    d.effect, d.control, icc, d.design_effect, d.uptake[1], d.uptake[0], d.cost[1],
                    d.cost[0]);
        if (null_check) std::printf("  %.3f", d.type_one_error.share);
        std::printf("\n");
    }
    for (std::size_t q = 0; q < spec.secondary.size(); ++q) {
        std::printf("secondary %s (%s):", spec.secondary[q].c_str(),
                    find_outcome(spec.secondary[q])->kind == OutcomeKind::rate ? "rate ratio"
                                                                               : "difference");
        for (const auto& d : designs)
            std::printf("  k=%d,m=%d: %.4g (power %.2f)", d.clusters_per_arm,
                        d.participants_per_cluster, d.secondary_effect[q],
                        d.secondary_power[q].share);
        std::printf("\n");
    }
}

} // namespace pbsim::runner
