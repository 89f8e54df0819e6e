// Paired comparison of scenarios against a baseline, replication by
// replication (common random numbers make replication r of each scenario a
// pair). Pure statistics on vectors: reading and writing files is in
// compare_file.cpp.
#pragma once

#include <string>
#include <vector>

namespace pbsim::analysis {

// Mean of the paired differences (scenario - baseline) with a t interval.
struct PairedDifference {
    int n = 0;
    double baseline_mean = 0, scenario_mean = 0;
    double mean = 0, sd = 0, ci_low = 0, ci_high = 0; // of the differences
};

// 95% (or `level`) t interval over the paired differences; NaN pairs are dropped.
PairedDifference paired_difference(const std::vector<double>& baseline,
                                   const std::vector<double>& scenario, double level = 0.95);

// Two-sided t quantile, e.g. t_quantile(0.975, 4) = 2.776.
double t_quantile(double p, int df);

struct CostEffectiveness {
    PairedDifference cost;  // incremental discounted cost, GBP
    PairedDifference qalys; // incremental discounted QALYs
    double icer = 0;        // mean incremental cost / mean incremental QALYs (GBP per QALY)
    struct AtThreshold {
        double threshold;        // GBP per QALY
        PairedDifference nmb;    // net monetary benefit: threshold x dQALY - dCost
        double p_cost_effective; // share of replications with NMB > 0
    };
    std::vector<AtThreshold> at;
    double cost_per_crisis_averted = 0; // mean dCost / mean crises averted (NaN if none averted)
};

CostEffectiveness
cost_effectiveness(const std::vector<double>& base_cost, const std::vector<double>& scen_cost,
                   const std::vector<double>& base_qalys, const std::vector<double>& scen_qalys,
                   const std::vector<double>& base_crises, const std::vector<double>& scen_crises,
                   const std::vector<double>& thresholds = {20000, 30000});

} // namespace pbsim::analysis
