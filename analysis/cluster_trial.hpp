// Statistics of a cluster randomised trial, as the trial itself would analyse
// it: a cluster-level analysis (one summary per cluster, compared between arms
// with a two-sample t-test on 2k - 2 degrees of freedom; Hayes & Moulton,
// Cluster Randomised Trials, 2017), the intra-cluster correlation by one-way
// ANOVA with its F-based interval (Searle 1971), and the design effect. Pure
// functions on vectors: the simulation that produces the data is in runner/.
#pragma once

#include <vector>

namespace pbsim::analysis {

// One cluster's data for a rate outcome: events over person-time.
struct ClusterRate {
    double events = 0;
    double person_years = 0;
};

// The estimated effect of the intervention with its interval and p-value.
struct ClusterTest {
    int clusters_control = 0, clusters_intervention = 0;
    double control = 0, intervention = 0; // arm summaries (means, or geometric mean rates)
    double effect = 0;                    // intervention - control, or a ratio
    double ci_low = 0, ci_high = 0;
    double p_value = 1;
};

// Difference of means of cluster means (continuous outcomes: QALYs, ASCOT,
// costs), pooled-variance t-test. NaN fields if an arm has no clusters or
// there are fewer than 3 clusters in all.
ClusterTest cluster_difference(const std::vector<double>& control,
                               const std::vector<double>& intervention, double level = 0.95);

// Rate ratio from the log cluster rates log((events + 0.5) / person-years):
// t-test on the logs, ratio of geometric means with its interval. Half an
// event is added to every cluster so a cluster without events has a finite
// log; it pulls the ratio slightly towards 1 (conservative).
ClusterTest cluster_rate_ratio(const std::vector<ClusterRate>& control,
                               const std::vector<ClusterRate>& intervention, double level = 0.95);

// One-way ANOVA estimate of the intra-cluster correlation of an individual
// outcome. `arm` (one entry per cluster, or empty) removes the arm means
// first, so the between-cluster variance is within arms (df = clusters -
// arms). Unequal sizes use n0 = (N - sum_arms sum n_j^2 / N_arm) / df_between.
// The interval is Searle's, from F = MSB / MSW and the F(df_b, df_w)
// quantiles, exact for balanced normal data; estimates below zero are kept
// (truncate them at 0 when reporting if you wish).
struct IccEstimate {
    double icc = 0, ci_low = 0, ci_high = 0;
    double msb = 0, msw = 0, n0 = 0;
    int clusters = 0, people = 0;
};
IccEstimate anova_icc(const std::vector<std::vector<double>>& clusters,
                      const std::vector<int>& arm = {}, double level = 0.95);

// Design effect of clusters of mean size m: 1 + (m - 1) ICC.
inline double design_effect(double mean_cluster_size, double icc) {
    return 1 + (mean_cluster_size - 1) * icc;
}

// Two-sided p-value of a t statistic, and an F quantile (Boost.Math).
double t_two_sided_p(double t, int df);
double f_quantile(double p, int df1, int df2);

// Share of `hits` among `n` with a Wilson score interval (for empirical power).
struct Proportion {
    double share = 0, ci_low = 0, ci_high = 0;
};
Proportion wilson(int hits, int n, double level = 0.95);

} // namespace pbsim::analysis
