// Sensitivity indices from the outputs of a sweep design (analysis/design.hpp).
// Pure statistics on vectors: reading and writing files is in
// sensitivity_file.cpp.
#pragma once

#include "analysis/design.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pbsim::analysis {

// An estimate with a bootstrap percentile interval.
struct Interval {
    double estimate = 0, low = 0, high = 0;
};

// First-order (S1) and total (ST) Sobol indices of each factor.
struct SobolIndices {
    std::vector<Interval> first, total;
    double variance = 0; // of the output over A and B
    std::size_t n = 0;   // base rows used
};

// From outputs y in the row order of saltelli_design(n, k): Saltelli (2010)
// for S1, Jansen (1999) for ST, each divided by the variance of y over A and
// B. Intervals: `resamples` bootstrap resamples of the base rows (keyed by
// `seed`), percentile interval at `level`. Base rows with any NaN output are
// dropped.
SobolIndices sobol_indices(const std::vector<double>& y, std::size_t k, int resamples = 1000,
                           double level = 0.95, std::uint64_t seed = 1);

// Morris (1991) elementary effects with Campolongo et al. (2007) mu*.
struct MorrisIndices {
    std::vector<double> mu;        // mean elementary effect
    std::vector<Interval> mu_star; // mean absolute elementary effect
    std::vector<double> sigma;     // standard deviation of the elementary effects
    std::size_t trajectories = 0;  // used (those without NaN outputs)
};

// From the unit design of morris_design(r, k, ...) and outputs y by row.
// Effects are per unit of the factor's range (in unit coordinates), so
// factors with different units compare. Intervals on mu* resample trajectories.
MorrisIndices morris_indices(const Matrix& unit_design, const std::vector<double>& y,
                             int resamples = 1000, double level = 0.95, std::uint64_t seed = 1);

// Ishigami function, a standard test of sensitivity estimators, on [-pi, pi]^3
// mapped from the unit cube, with its analytic indices (a = 7, b = 0.1).
double ishigami(double u1, double u2, double u3, double a = 7, double b = 0.1);
struct AnalyticIndices {
    std::vector<double> first, total;
};
AnalyticIndices ishigami_indices(double a = 7, double b = 0.1);

} // namespace pbsim::analysis
