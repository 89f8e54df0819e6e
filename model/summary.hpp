// The per-replication summary: uptake at checkpoint dates, and totals of
// flows, costs and outcomes over the run, undiscounted and discounted.
// Counts and costs are scaled up to national figures (national users over
// simulated users, which is 1/scale unless the sample is tiny);
// shares and means are scale-free.
#pragma once

#include "model/scenario.hpp"
#include "model/simulation.hpp"

#include <string>
#include <vector>

namespace pbsim {

struct SummaryValue {
    std::string name;
    std::string unit;
    std::string description;
    double value;
};

// Checkpoint dates reported in every summary (NaN where outside the run).
inline constexpr const char* kCheckpoints[] = {"2001-12", "2008-12", "2012-03", "2014-12"};

// Discount factor of simulation month t at an annual rate (month 0 undiscounted).
double discount_factor(double annual_rate, int t);

std::vector<SummaryValue> summarise(const ReplicationResult& r, const Scenario& s, double scale);

} // namespace pbsim
