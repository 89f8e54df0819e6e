// One replication of one scenario: generate the world, then step month by
// month, recording every metric by month and council.
#pragma once

#include "model/accounts.hpp"
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

    // Prices every month user by user (costs::account_user) instead of from
    // the running totals: slower, and the check of the totals in the tests.
    void set_reference_accounting(bool on) { reference_accounting_ = on; }
    // Visits every user every month and makes every clocked draw: slow, and
    // the check in the tests that the event engine's bounds are bounds (the
    // results must be bit-identical).
    void set_every_month(bool on) { every_month_ = on; }
    // Users visited so far (the engine's work, for benchmarks and tests).
    std::uint64_t visits() const { return visits_; }

  private:
    // What the engine knows of one clocked draw of a slot (see model/clock.hpp):
    // no candidate month of `purpose` under `threshold` in [from, cand); if
    // `real`, `cand` is one, with P `p`, and there is none in (cand, after).
    // Facts about the random numbers alone, so they hold whatever happens to
    // the user (and for the slot's next user). Simulation months fit 16 bits
    // (calendar years 1900-2200).
    struct Clock {
        std::int16_t from = 0, cand = 0, after = 0; // empty: nothing known
        std::uint16_t threshold = 0;
        std::uint8_t purpose = 0;
        std::uint8_t real = 0;
        std::uint8_t p = 0;
    };

    // Councils whose parameters changed this month.
    std::vector<int> update_parameters();
    // The date at which council c reads the timelines of paced parameters
    // this month (council.adoption_spread; the national month when unpaced).
    Month paced_date(int council, Month now) const;
    // Parameter `id`'s value from `timeline` in council c this month.
    double council_value(const Timeline& timeline, int id, int council, Month now) const;
    template <bool kPosts> void visit(MonthContext& m, std::uint32_t i);
    template <bool kPosts> void visit_followed(MonthContext& m, std::uint32_t i);
    template <bool kPosts> void visit_month(MonthContext& m);
    // Whether the clocked draw may fall below a hazard bounded by `bound` this month.
    bool may_happen(const Clock& clock, Purpose p, const clock::Bound& bound) const;
    // This month's clocked draw of user i (from what `clock` knows of its P if it can).
    Draw4 draw(const Clock& clock, Purpose p, std::uint32_t i, std::uint32_t key) const;
    // The next candidate month in [from, until) of a clocked draw under one
    // threshold, reusing what `clock` knows; updates it.
    std::int32_t next_candidate(Clock& clock, Purpose p, std::uint32_t i, int threshold,
                                std::int32_t from, std::int32_t until) const;
    // ... reading blocks of draws from month `start` (what the clock knows ends there).
    std::int32_t search(Clock& clock, Purpose p, std::uint32_t i, int threshold, std::int32_t from,
                        std::int32_t start, std::int32_t until) const;
    // The first month in [from, until) in which a clocked draw may fall below
    // its hazard, with `bound_at(t)` the bound from month t, span by span.
    template <class BoundAt>
    std::int32_t first_candidate(Clock& clock, Purpose p, std::uint32_t i, std::int32_t from,
                                 std::int32_t until, const BoundAt& bound_at) const;
    // Works out user i's next visit, in month `from` or later (from the next
    // month after a visit; from this one when something they depend on changed
    // before the month's visits).
    void reschedule(std::uint32_t i, std::int32_t from);
    // The bound of the pathway hazard of a user in state s from month t.
    clock::Bound pathway_bound(PathwayState s, const UserMonth& um, const CouncilMonth& c,
                               std::int32_t t) const;
    // Whether user i's next visit still holds under this month's new
    // coefficients (no bound rose above what their clocks were searched under).
    bool visit_holds(std::uint32_t i) const;
    void admitted(std::uint32_t i);                 // sets the discharge month of a new admission
    void wake(std::uint32_t i, std::int32_t month); // visits user i no later than `month`
    void schedule(std::uint32_t i, std::int32_t month);
    void rebuild_accounts(int council, bool always);
    void close_accounts(int council);
    void move_caseload(std::uint32_t i, std::uint32_t from_post);
    // Whether the person now in slot i is followed (and has not left).
    bool following(std::uint32_t i) const {
        return !follow_index_.empty() && follow_index_[i] >= 0 &&
               followed_[follow_index_[i]].left == kNever;
    }
    std::size_t group(std::uint32_t i) const {
        return post_arm_.empty() ? world_.users.council[i] : arm_index(i);
    }
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
    std::vector<Parameters> previous_;   // last month's
    std::vector<double> month_values_;   // last month's national values and override values
    std::vector<int> paced_;             // registry ids of paced parameters whose timeline varies
    std::vector<std::uint8_t> is_paced_; // by registry id: 1 if paced in this run
    std::vector<CouncilMonth> coefficients_;
    std::vector<std::uint8_t> post_arm_; // by post: 1 in the post arm (empty: none)
    std::vector<PostOverride> post_overrides_;
    std::vector<PersonEffects> person_effects_;
    std::vector<CouncilTally> tally_;
    std::vector<std::uint32_t> holding_changed_;
    std::vector<std::uint32_t> changed_posts_;
    std::vector<std::uint32_t> waiting_; // by council: requests waiting at the month's start
    double sample_fraction_ = 1;         // simulated over national users (scales fixed costs)
    ReplicationResult result_;
    std::vector<FollowedPerson> followed_;
    std::vector<std::int32_t> follow_index_; // by slot: index into followed_, or -1
    bool reference_accounting_ = false;
    bool every_month_ = false;
    bool rebuild_all_ = true; // every council's totals and visits (first month, new arms)

    // The event engine (docs/performance.md): running totals, clocks and the
    // calendar of visits.
    Accounts accounts_;
    std::vector<CouncilMonth> accounts_built_; // by group: coefficients the totals were built with
    std::vector<int> month_days_;              // days in each simulation month
    std::vector<std::int32_t> wake_;           // by slot: month of the next visit (kNever: none)
    std::vector<std::int32_t> discharge_;      // by slot: month a hospital stay ends
    std::vector<Clock> pathway_clock_, crisis_clock_, reassign_clock_;
    std::vector<std::vector<std::uint32_t>> caseload_; // by post: its users' slots
    std::vector<std::uint32_t> caseload_pos_;          // by slot: place in its post's list
    // Visits of the next kWindow months as bitmaps, later ones as lists by month.
    static constexpr int kWindow = 32;
    std::size_t words_ = 0; // 64-bit words per bitmap
    std::vector<std::uint64_t> due_;
    std::vector<std::vector<std::uint32_t>> later_;
    std::uint64_t visits_ = 0;
    double followed_full_bed_days_ = 0;
};

// Runs a whole replication. `on_month(months_done)` is called after each month;
// returning false abandons the run (the result is then incomplete).
ReplicationResult simulate(const Scenario& scenario, const RunSettings& settings,
                           const std::function<bool(int)>& on_month = {});

} // namespace pbsim
