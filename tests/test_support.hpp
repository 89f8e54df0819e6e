// Small worlds for fast, exact tests of model behaviour.
#pragma once

#include "model/simulation.hpp"

#include <cmath>
#include <numeric>
#include <vector>

namespace pbsim::testing {

// A small world (default parameters) over a shortened history.
inline Scenario small_scenario(int users = 3000, int councils = 10, int years = 10) {
    Scenario s = Scenario::defaults();
    s.set_constant("population.users", users);
    s.set_constant("population.councils", councils);
    s.start = Month::from_ym(2001, 1);
    s.end = Month::from_ym(2001 + years - 1, 12);
    return s;
}

// National total of a metric over the whole run.
inline double run_total(const ReplicationResult& r, Metric m) {
    double sum = 0;
    for (int t = 0; t < r.months; ++t) sum += r.national(m, t);
    return sum;
}

inline double mean(const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

inline double standard_error(const std::vector<double>& v) {
    const double m = mean(v);
    double ss = 0;
    for (double x : v) ss += (x - m) * (x - m);
    return std::sqrt(ss / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
}

} // namespace pbsim::testing
