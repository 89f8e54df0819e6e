// One replication of one scenario: generate the world, then step month by
// month, recording every metric by month and council.
#pragma once

#include "model/month.hpp"
#include "model/scenario.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace pbsim {

// Metrics of one replication, laid out [metric][month][council] so each
// metric is one contiguous block (one HDF5 hyperslab).
struct ReplicationResult {
    int months = 0;
    int councils = 0;
    std::vector<double> values;

    void resize(int m, int c) {
        months = m;
        councils = c;
        values.assign(kMetricCount * static_cast<std::size_t>(m) * c, 0.0);
    }
    double* series(Metric metric) {
        return values.data() + index(metric) * static_cast<std::size_t>(months) * councils;
    }
    const double* series(Metric metric) const {
        return values.data() + index(metric) * static_cast<std::size_t>(months) * councils;
    }
    double at(Metric metric, int month, int council) const {
        return series(metric)[static_cast<std::size_t>(month) * councils + council];
    }
    // National total (sum over councils) of a metric in a month.
    double national(Metric metric, int month) const;
};

struct RunSettings {
    std::uint64_t seed = 1;
    std::uint32_t replication = 0;
    double scale = 1.0; // share of the national population simulated
};

// Users simulated for a scenario at a scale (at least one per council).
int simulated_users(const Scenario& s, double scale);

class Simulation {
  public:
    Simulation(const Scenario& scenario, const RunSettings& settings);

    void step(); // advance one month
    bool done() const { return t_ >= scenario_.months(); }
    int month() const { return t_; }
    const World& world() const { return world_; }
    const ReplicationResult& result() const { return result_; }
    ReplicationResult take_result() { return std::move(result_); }

  private:
    void update_parameters();
    void step_user(MonthContext& m, std::uint32_t i, Draw4 pathway, const Draw4& crisis);

    const Scenario scenario_; // a copy: small, and safe against temporaries
    RunSettings settings_;
    Rng rng_;
    World world_;
    int t_ = 0;
    std::vector<Parameters> params_; // this month's parameters, by council
    std::vector<CouncilMonth> coefficients_;
    std::vector<PersonEffects> person_effects_;
    std::vector<CouncilTally> tally_;
    std::vector<std::uint32_t> holding_changed_;
    std::vector<float> traditional_services_, substitution_; // by council, this month
    std::array<std::uint32_t, kDrawBlock> pathway_words_, crisis_words_;
    DrawBlock pathway_draws_, crisis_draws_;
    ReplicationResult result_;
};

// Runs a whole replication. `on_month(months_done)` is called after each month;
// returning false abandons the run (the result is then incomplete).
ReplicationResult simulate(const Scenario& scenario, const RunSettings& settings,
                           const std::function<bool(int)>& on_month = {});

} // namespace pbsim
