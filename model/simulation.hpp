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

// One person followed individually (e.g. a trial participant): every metric
// summed over the months they were followed, as if they were a council of
// one, costs priced with their council's parameters. Slots are refilled when
// a person leaves, so following stops at exit (`left`, the month they left).
struct FollowedPerson {
    std::uint32_t slot = 0;
    std::int32_t months = 0;    // months followed
    std::int32_t left = kNever; // simulation month the person left services, if they did
    std::array<double, kMetricCount> total{}; // state metrics are person-months in the state

    double operator[](Metric m) const { return total[index(m)]; }
};

// A parameter overridden for the users of some care-coordinator posts (a
// trial's intervention teams), on top of any council overrides.
struct PostOverride {
    int parameter; // index into parameter_registry()
    Timeline timeline;
};

class Simulation {
  public:
    Simulation(const Scenario& scenario, const RunSettings& settings);

    void step(); // advance one month
    bool done() const { return t_ >= scenario_.months(); }
    int month() const { return t_; }
    const World& world() const { return world_; }

    // Follows the people now in `slots` from the next month on (replacing any
    // earlier list). Following does not change what is simulated.
    void follow(const std::vector<std::uint32_t>& slots);
    const std::vector<FollowedPerson>& followed() const { return followed_; }

    // Adds council overrides from now on (a policy introduced part-way through
    // a run, e.g. a trial's intervention from recruitment). Their timelines
    // should not change months already simulated.
    void add_council_overrides(const std::vector<CouncilOverride>& overrides);

    // Adds overrides, from now on, for the users whose *current* coordinator
    // holds one of `posts` (an intervention arm of care-coordinator teams): a
    // user moved to another post changes exposure. The coordinator-level
    // factors of those posts (awareness, encouragement, turnover, training)
    // use the overridden parameters too. Parameters of person effects
    // (request.trust_effect, ...) and of population entry stay the council's;
    // council series are priced with the council's parameters, followed people
    // with those of their coordinator's arm. Only one such arm is kept: a
    // second call replaces the posts and adds the overrides.
    void add_post_overrides(const std::vector<std::uint32_t>& posts,
                            const std::vector<PostOverride>& overrides);
    const ReplicationResult& result() const { return result_; }
    ReplicationResult take_result() { return std::move(result_); }

  private:
    void update_parameters();
    template <bool kPosts>
    void step_user(MonthContext& m, std::uint32_t i, Draw4 pathway, const Draw4& crisis);
    template <bool kPosts>
    void step_followed(MonthContext& m, std::uint32_t i, Draw4 pathway, const Draw4& crisis);
    template <bool kPosts> void step_users(const MonthContext& m);
    // Index into params_/coefficients_ of user i this month: their council,
    // plus the council count if their coordinator's post is in the post arm.
    std::size_t arm_index(std::uint32_t i) const {
        return world_.users.council[i] +
               world_.councils.size() * post_arm_[world_.users.coordinator[i]];
    }

    Scenario scenario_; // a copy: small, and safe against temporaries
    RunSettings settings_;
    Rng rng_;
    World world_;
    int t_ = 0;
    // This month's parameters and coefficients by council; with post overrides,
    // followed by the same for the post arm of each council.
    std::vector<Parameters> params_;
    std::vector<CouncilMonth> coefficients_;
    std::vector<std::uint8_t> post_arm_; // by post: 1 in the post arm (empty: none)
    std::vector<PostOverride> post_overrides_;
    std::vector<PersonEffects> person_effects_;
    std::vector<CouncilTally> tally_;
    std::vector<std::uint32_t> holding_changed_;
    double sample_fraction_ = 1; // simulated over national users (scales fixed costs)
    std::array<std::uint32_t, kDrawBlock> pathway_words_, crisis_words_;
    DrawBlock pathway_draws_, crisis_draws_;
    ReplicationResult result_;
    std::vector<FollowedPerson> followed_;
    std::vector<std::int32_t> follow_index_; // by slot: index into followed_, or -1
};

// Runs a whole replication. `on_month(months_done)` is called after each month;
// returning false abandons the run (the result is then incomplete).
ReplicationResult simulate(const Scenario& scenario, const RunSettings& settings,
                           const std::function<bool(int)>& on_month = {});

} // namespace pbsim
