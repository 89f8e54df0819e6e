// One simulated trial: the history to recruitment, the follow-up of each
// design with the intervention in its intervention clusters, and the
// cluster-level analysis of each design (analysis/cluster_trial.hpp).
#include "runner/experiments/trial_simulation.hpp"

#include "runner/input/scenario_file.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace pbsim::runner {

using analysis::ClusterRate;
using analysis::ClusterTest;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double cost_of(const FollowedPerson& p) {
    double sum = 0;
    for (std::size_t k = 0; k < kMetricCount; ++k)
        if (kMetrics[k].kind == MetricKind::cost) sum += p.total[k];
    return sum;
}

bool took_budget(const FollowedPerson& p) {
    return p[Metric::holding_dp] + p[Metric::holding_managed] > 0;
}

// The outcome's quantity summed over a participant's follow-up (events,
// QALYs, ASCOT-months, GBP, or 0/1 for a share).
double amount(const TrialOutcome& o, const FollowedPerson& p) {
    if (o.name == "admissions") return p[Metric::admissions];
    if (o.name == "crises") return p[Metric::crises];
    if (o.name == "bed_days") return p[Metric::bed_days];
    if (o.name == "qalys") return p[Metric::qalys];
    if (o.name == "ascot") return p[Metric::care_related_qol];
    if (o.name == "cost") return cost_of(p);
    return took_budget(p) ? 1 : 0; // uptake
}

// Per person-year, except ASCOT (a mean score per month followed) and shares.
double per_time(const TrialOutcome& o) {
    return o.name == "ascot" ? 1.0 : 12.0;
}

// A participant's value for the ICC: counts over follow-up for rates (what a
// trial observes), the per-time value for means (those followed at least a
// month), 0/1 for shares.
bool individual_value(const TrialOutcome& o, const FollowedPerson& p, double& y) {
    if (o.kind == OutcomeKind::rate || o.kind == OutcomeKind::share) {
        y = amount(o, p);
        return true;
    }
    if (p.months == 0) return false;
    y = amount(o, p) * per_time(o) / p.months;
    return true;
}

using Cluster = std::vector<const FollowedPerson*>;

// Cluster-level analysis of one outcome, as described in docs/trial.md.
ClusterTest analyse(const TrialOutcome& o, const std::vector<Cluster>& clusters,
                    const std::vector<int>& arm, double level) {
    if (o.kind == OutcomeKind::rate) {
        std::vector<ClusterRate> by_arm[2];
        for (std::size_t j = 0; j < clusters.size(); ++j) {
            ClusterRate r;
            for (const auto* p : clusters[j])
                r.events += amount(o, *p), r.person_years += p->months / 12.0;
            by_arm[arm[j]].push_back(r);
        }
        return analysis::cluster_rate_ratio(by_arm[0], by_arm[1], level);
    }
    std::vector<double> by_arm[2];
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        double sum = 0, months = 0, n = 0;
        for (const auto* p : clusters[j])
            sum += amount(o, *p), months += p->months, ++n;
        if (o.kind == OutcomeKind::share) {
            if (n > 0) by_arm[arm[j]].push_back(sum / n);
        } else if (months > 0) {
            by_arm[arm[j]].push_back(sum * per_time(o) / months);
        }
    }
    return analysis::cluster_difference(by_arm[0], by_arm[1], level);
}

TrialResult analyse_design(const TrialSpec& spec, const std::vector<Cluster>& clusters,
                           const std::vector<int>& arm, int k, int m) {
    TrialResult r;
    r.clusters_per_arm = k;
    r.participants_per_cluster = m;
    const double level = 1 - spec.alpha;
    const TrialOutcome& primary = *find_outcome(spec.primary);
    r.primary = analyse(primary, clusters, arm, level);
    std::vector<std::vector<double>> values(clusters.size());
    double people[2] = {0, 0}, took[2] = {0, 0}, cost[2] = {0, 0}, recruited = 0;
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        for (const auto* p : clusters[j]) {
            double y;
            if (individual_value(primary, *p, y)) values[j].push_back(y);
            people[arm[j]] += 1;
            took[arm[j]] += took_budget(*p);
            cost[arm[j]] += cost_of(*p);
        }
        recruited += static_cast<double>(clusters[j].size());
    }
    r.mean_cluster_size = recruited / static_cast<double>(clusters.size());
    r.icc = analysis::anova_icc(values, arm, level);
    for (int a = 0; a < 2; ++a) {
        r.uptake[a] = people[a] > 0 ? took[a] / people[a] : kNaN;
        r.cost[a] = people[a] > 0 ? cost[a] / people[a] : kNaN;
    }
    for (const auto& name : spec.secondary)
        r.secondary.push_back(analyse(*find_outcome(name), clusters, arm, level));
    return r;
}

// An intervention parameter's timeline: the base scenario's until
// recruitment, the intervention's value from then on.
Timeline intervention_timeline(const TrialSpec& spec, const Scenario& base,
                               const TrialSpec::Override& o) {
    Timeline t = base.parameters[o.parameter];
    t.set_from(spec.recruitment, o.value);
    return t;
}

// The intervention as council overrides from recruitment on.
std::vector<CouncilOverride> intervention_overrides(const TrialSpec& spec, const Scenario& base,
                                                    const std::vector<int>& clusters,
                                                    const std::vector<int>& arm) {
    std::vector<CouncilOverride> out;
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        if (arm[j] != 1) continue;
        for (const auto& o : spec.intervention)
            out.push_back({clusters[j], o.parameter, intervention_timeline(spec, base, o)});
    }
    return out;
}

// Applies the intervention to the intervention clusters of a design.
void apply_intervention(Simulation& sim, const TrialSpec& spec, const Scenario& base,
                        const std::vector<Team>& teams, const std::vector<int>& clusters,
                        const std::vector<int>& arm) {
    if (spec.unit == TrialUnit::council) {
        sim.add_council_overrides(intervention_overrides(spec, base, clusters, arm));
        return;
    }
    std::vector<std::uint32_t> posts;
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        if (arm[j] != 1) continue;
        const Team& team = teams[clusters[j]];
        for (std::uint32_t q = 0; q < team.post_count; ++q)
            posts.push_back(team.first_post + q);
    }
    std::vector<PostOverride> overrides;
    for (const auto& o : spec.intervention)
        overrides.push_back({o.parameter, intervention_timeline(spec, base, o)});
    sim.add_post_overrides(posts, overrides);
}

// Steps a simulation through the follow-up; false if abandoned.
bool follow_up(Simulation& sim, int months, const std::function<bool()>& on_month) {
    for (int t = 0; t < months; ++t) {
        sim.step();
        if (on_month && !on_month()) return false;
    }
    return true;
}

// The followed participants of each cluster, in recruitment order, first m.
std::vector<Cluster> clusters_of(const Simulation& sim, const std::vector<int>& clusters,
                                 const std::vector<std::vector<std::uint32_t>>& slots, int m) {
    std::vector<Cluster> out(clusters.size());
    const auto& followed = sim.followed();
    std::vector<const FollowedPerson*> by_slot(sim.world().users.size(), nullptr);
    for (const auto& p : followed)
        by_slot[p.slot] = &p;
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        const auto& s = slots[clusters[j]];
        for (std::size_t q = 0; q < s.size() && static_cast<int>(q) < m; ++q)
            out[j].push_back(by_slot[s[q]]);
    }
    return out;
}

} // namespace

std::vector<TrialResult> simulate_trial(const TrialSpec& spec, const Scenario& base,
                                        std::uint64_t seed, std::uint32_t trial, double scale,
                                        const std::function<bool()>& on_month) {
    Simulation history(base, {seed, trial, scale});
    const int before = spec.recruitment - base.start;
    if (!follow_up(history, before, on_month)) return {};

    const World& world = history.world();
    const auto& councils = world.councils;
    const int k_max = spec.clusters_per_arm.back();
    const int m_max = spec.participants_per_cluster.back();
    const bool by_team = spec.unit == TrialUnit::team;
    const std::vector<Team> teams =
        by_team ? make_teams(councils, spec.team_size) : std::vector<Team>{};
    const int units = by_team ? static_cast<int>(teams.size()) : static_cast<int>(councils.size());
    if (2 * k_max > units) throw ScenarioError(too_few_clusters(spec, units, scale));
    std::vector<std::uint32_t> team_users(teams.size(), 0); // users by team at recruitment
    for (std::size_t q = 0; q < teams.size(); ++q)
        for (std::uint32_t i = councils[teams[q].council].first_user;
             i < councils[teams[q].council].first_user + councils[teams[q].council].user_count; ++i)
            team_users[q] += teams[q].has(world.users.coordinator[i]);
    const std::vector<int> order = council_order(units, seed, trial);
    std::vector<std::vector<std::uint32_t>> slots(units);
    std::vector<std::uint32_t> everyone;
    for (int q = 0; q < 2 * k_max; ++q) {
        slots[order[q]] = by_team ? recruit(world, teams[order[q]], m_max, seed, trial)
                                  : recruit(world, order[q], m_max, seed, trial);
        everyone.insert(everyone.end(), slots[order[q]].begin(), slots[order[q]].end());
    }

    // The null world (no intervention anywhere) is the same for every design.
    std::optional<Simulation> null_world;
    if (spec.null_check) {
        null_world.emplace(history);
        null_world->follow(everyone);
        if (!follow_up(*null_world, spec.follow_up_months, on_month)) return {};
    }

    std::vector<TrialResult> results;
    for (const int k : spec.clusters_per_arm) {
        const std::vector<int> clusters(order.begin(), order.begin() + 2 * k);
        const auto design = static_cast<std::uint32_t>(k);
        const std::vector<int> arm =
            by_team ? allocate_team_arms(clusters, teams, councils, team_users, spec.stratify, seed,
                                         trial, design)
                    : allocate_arms(clusters, councils, spec.stratify, seed, trial, design);
        Simulation sim(history);
        apply_intervention(sim, spec, base, teams, clusters, arm);
        std::vector<std::uint32_t> followed;
        for (int c : clusters)
            followed.insert(followed.end(), slots[c].begin(), slots[c].end());
        sim.follow(followed);
        if (!follow_up(sim, spec.follow_up_months, on_month)) return {};
        for (const int m : spec.participants_per_cluster) {
            TrialResult r = analyse_design(spec, clusters_of(sim, clusters, slots, m), arm, k, m);
            if (null_world) {
                const TrialOutcome& primary = *find_outcome(spec.primary);
                r.null_p = analyse(primary, clusters_of(*null_world, clusters, slots, m), arm,
                                   1 - spec.alpha)
                               .p_value;
            }
            results.push_back(std::move(r));
        }
    }
    return results;
}

} // namespace pbsim::runner

namespace pbsim::runner {

namespace {

constexpr std::size_t kTestValues = 8, kIccValues = 8;

std::size_t design_record_size(std::size_t secondary) {
    return 3 + kTestValues + kIccValues + 4 + kTestValues * secondary + 1;
}

void put(const ClusterTest& t, double*& p) {
    for (double v : {double(t.clusters_control), double(t.clusters_intervention), t.control,
                     t.intervention, t.effect, t.ci_low, t.ci_high, t.p_value})
        *p++ = v;
}

ClusterTest take_test(const double*& p) {
    ClusterTest t;
    t.clusters_control = static_cast<int>(p[0]);
    t.clusters_intervention = static_cast<int>(p[1]);
    t.control = p[2], t.intervention = p[3], t.effect = p[4];
    t.ci_low = p[5], t.ci_high = p[6], t.p_value = p[7];
    p += kTestValues;
    return t;
}

} // namespace

std::size_t trial_record_size(const TrialSpec& spec) {
    return spec.clusters_per_arm.size() * spec.participants_per_cluster.size() *
           design_record_size(spec.secondary.size());
}

void encode_trial(const std::vector<TrialResult>& results, std::vector<double>& record) {
    double* p = record.data();
    for (const auto& r : results) {
        *p++ = r.clusters_per_arm;
        *p++ = r.participants_per_cluster;
        *p++ = r.mean_cluster_size;
        put(r.primary, p);
        for (double v : {r.icc.icc, r.icc.ci_low, r.icc.ci_high, r.icc.msb, r.icc.msw, r.icc.n0,
                         double(r.icc.clusters), double(r.icc.people)})
            *p++ = v;
        for (double v : {r.uptake[0], r.uptake[1], r.cost[0], r.cost[1]})
            *p++ = v;
        for (const auto& t : r.secondary)
            put(t, p);
        *p++ = r.null_p;
    }
}

std::vector<TrialResult> decode_trial(const TrialSpec& spec, const std::vector<double>& record) {
    const std::size_t designs = spec.clusters_per_arm.size() * spec.participants_per_cluster.size();
    std::vector<TrialResult> out(designs);
    const double* p = record.data();
    for (auto& r : out) {
        r.clusters_per_arm = static_cast<int>(*p++);
        r.participants_per_cluster = static_cast<int>(*p++);
        r.mean_cluster_size = *p++;
        r.primary = take_test(p);
        r.icc.icc = p[0], r.icc.ci_low = p[1], r.icc.ci_high = p[2], r.icc.msb = p[3];
        r.icc.msw = p[4], r.icc.n0 = p[5];
        r.icc.clusters = static_cast<int>(p[6]), r.icc.people = static_cast<int>(p[7]);
        p += kIccValues;
        r.uptake[0] = p[0], r.uptake[1] = p[1], r.cost[0] = p[2], r.cost[1] = p[3];
        p += 4;
        for (std::size_t q = 0; q < spec.secondary.size(); ++q)
            r.secondary.push_back(take_test(p));
        r.null_p = *p++;
    }
    return out;
}

} // namespace pbsim::runner
