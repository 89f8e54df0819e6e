#include "runner/experiments/trial.hpp"

#include "model/population.hpp"
#include "runner/experiments/run.hpp"
#include "runner/output/trial_output.hpp"
#include "runner/output/version.hpp"

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>
#include <numeric>
#include <optional>
#include <unistd.h>

namespace pbsim::runner {

namespace fs = std::filesystem;
using analysis::ClusterRate;
using analysis::ClusterTest;

std::vector<int> council_order(int councils, std::uint64_t seed, std::uint32_t trial) {
    const Rng rng(seed, trial);
    std::vector<double> key(councils);
    for (int c = 0; c < councils; ++c)
        key[c] = rng.uniform(Purpose::trial_randomisation, static_cast<std::uint32_t>(c), 0);
    std::vector<int> order(councils);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return key[a] < key[b]; });
    return order;
}

namespace {

// Half of `clusters` to each arm: a random half, or matched pairs on value(j)
// (stable order among equal values) with a coin for each pair.
template <class Value>
std::vector<int> allocate(const std::vector<int>& clusters, bool stratified, std::uint64_t seed,
                          std::uint32_t trial, std::uint32_t design, Value value) {
    const Rng rng(seed, trial);
    const std::size_t n = clusters.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::vector<int> arm(n, 0);
    if (!stratified) {
        // A random half: the n/2 clusters with the smallest keyed uniforms.
        std::vector<double> key(n);
        for (std::size_t j = 0; j < n; ++j)
            key[j] = rng.uniform(Purpose::trial_randomisation,
                                 static_cast<std::uint32_t>(clusters[j]), 1, design);
        std::sort(order.begin(), order.end(), [&](auto a, auto b) { return key[a] < key[b]; });
        for (std::size_t j = 0; j < n / 2; ++j) arm[order[j]] = 1;
        return arm;
    }
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return value(a) < value(b); });
    for (std::size_t p = 0; p + 1 < n; p += 2) {
        const bool first = rng.uniform(Purpose::trial_randomisation, static_cast<std::uint32_t>(p / 2),
                                       2, design) < 0.5;
        arm[order[p]] = first ? 1 : 0;
        arm[order[p + 1]] = first ? 0 : 1;
    }
    return arm;
}

} // namespace

std::vector<int> allocate_arms(const std::vector<int>& clusters,
                               const std::vector<LocalAuthority>& councils, Stratify stratify,
                               std::uint64_t seed, std::uint32_t trial, std::uint32_t design) {
    return allocate(clusters, stratify != Stratify::none, seed, trial, design, [&](std::size_t j) {
        const auto& la = councils[clusters[j]];
        return stratify == Stratify::dp_culture ? la.dp_culture : static_cast<double>(la.user_count);
    });
}

std::vector<Team> make_teams(const std::vector<LocalAuthority>& councils, int team_size) {
    std::vector<Team> teams;
    const auto size = static_cast<std::uint32_t>(std::max(1, team_size));
    for (std::size_t c = 0; c < councils.size(); ++c) {
        const auto& la = councils[c];
        const std::uint32_t n = std::max<std::uint32_t>(1, la.post_count / size);
        for (std::uint32_t q = 0; q < n; ++q) {
            const std::uint32_t first = la.first_post + q * size;
            const std::uint32_t count = q + 1 < n ? size : la.first_post + la.post_count - first;
            teams.push_back({static_cast<int>(c), first, count});
        }
    }
    return teams;
}

std::vector<int> allocate_team_arms(const std::vector<int>& clusters, const std::vector<Team>& teams,
                                    const std::vector<LocalAuthority>& councils,
                                    const std::vector<std::uint32_t>& users, Stratify stratify,
                                    std::uint64_t seed, std::uint32_t trial, std::uint32_t design) {
    // By council: pairs within each council, then the odd team out of each
    // council with an odd count paired with the next such (sorted after all).
    std::vector<double> council_key(clusters.size());
    if (stratify == Stratify::council) {
        std::vector<int> count(councils.size(), 0), seen(councils.size(), 0);
        for (const int q : clusters) ++count[teams[q].council];
        for (std::size_t j = 0; j < clusters.size(); ++j) {
            const int c = teams[clusters[j]].council;
            const bool odd_one_out = ++seen[c] == count[c] && count[c] % 2 == 1;
            council_key[j] = static_cast<double>(c) + (odd_one_out ? static_cast<double>(councils.size()) : 0.0);
        }
    }
    return allocate(clusters, stratify != Stratify::none, seed, trial, design, [&](std::size_t j) {
        const Team& team = teams[clusters[j]];
        switch (stratify) {
        case Stratify::dp_culture: return councils[team.council].dp_culture;
        case Stratify::size: return static_cast<double>(users[clusters[j]]);
        default: return council_key[j];
        }
    });
}

namespace {

// Eligible users (not holding a budget, not already approved for one) among
// those of a council for whom in(i) holds, in a keyed random order; the first n.
template <class In>
std::vector<std::uint32_t> recruit_where(const World& world, int council, int n, std::uint64_t seed,
                                         std::uint32_t trial, In in) {
    const Rng rng(seed, trial);
    const auto& la = world.councils[council];
    const auto& u = world.users;
    std::vector<std::pair<double, std::uint32_t>> eligible;
    for (std::uint32_t i = la.first_user; i < la.first_user + la.user_count; ++i)
        if (in(i) && !is_holding(u.state[i]) && u.state[i] != PathwayState::support_planning)
            eligible.push_back({rng.uniform(Purpose::trial_recruitment, i, 0), i});
    std::sort(eligible.begin(), eligible.end());
    std::vector<std::uint32_t> slots;
    for (std::size_t k = 0; k < eligible.size() && static_cast<int>(k) < n; ++k)
        slots.push_back(eligible[k].second);
    return slots;
}

} // namespace

std::vector<std::uint32_t> recruit(const World& world, int council, int n, std::uint64_t seed,
                                   std::uint32_t trial) {
    return recruit_where(world, council, n, seed, trial, [](std::uint32_t) { return true; });
}

std::vector<std::uint32_t> recruit(const World& world, const Team& team, int n, std::uint64_t seed,
                                   std::uint32_t trial) {
    const auto& coordinator = world.users.coordinator;
    return recruit_where(world, team.council, n, seed, trial,
                         [&](std::uint32_t i) { return team.has(coordinator[i]); });
}

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
double per_time(const TrialOutcome& o) { return o.name == "ascot" ? 1.0 : 12.0; }

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
            for (const auto* p : clusters[j]) r.events += amount(o, *p), r.person_years += p->months / 12.0;
            by_arm[arm[j]].push_back(r);
        }
        return analysis::cluster_rate_ratio(by_arm[0], by_arm[1], level);
    }
    std::vector<double> by_arm[2];
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        double sum = 0, months = 0, n = 0;
        for (const auto* p : clusters[j]) sum += amount(o, *p), months += p->months, ++n;
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
    std::erase_if(t.steps, [&](const Timeline::Step& s) { return s.from >= spec.recruitment; });
    if (t.steps.empty()) t.steps.push_back({Month{0}, base.parameters[o.parameter].at(base.start)});
    t.steps.push_back({spec.recruitment, o.value});
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
        for (std::uint32_t q = 0; q < team.post_count; ++q) posts.push_back(team.first_post + q);
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
    for (const auto& p : followed) by_slot[p.slot] = &p;
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        const auto& s = slots[clusters[j]];
        for (std::size_t q = 0; q < s.size() && static_cast<int>(q) < m; ++q)
            out[j].push_back(by_slot[s[q]]);
    }
    return out;
}

} // namespace

std::string too_few_clusters(const TrialSpec& spec, int units, double scale) {
    const int k = spec.clusters_per_arm.back();
    const std::string where = spec.clusters_where.empty() ? spec.file.string() : spec.clusters_where;
    if (spec.unit == TrialUnit::council)
        return where + ": clusters_per_arm = " + std::to_string(k) + " needs " +
               std::to_string(2 * k) + " councils but the scenario has " + std::to_string(units) +
               ": accepted at most " + std::to_string(units / 2);
    char scale_text[32];
    std::snprintf(scale_text, sizeof scale_text, "%g", scale);
    return where + ": clusters_per_arm = " + std::to_string(k) + " needs " + std::to_string(2 * k) +
           " teams but there are " + std::to_string(units) + " teams of team_size = " +
           std::to_string(spec.team_size) + " coordinators at scale " + scale_text +
           ": accepted at most " + std::to_string(units / 2) +
           " (or a smaller team_size, or a larger scale)";
}

int count_clusters(const TrialSpec& spec, const Scenario& base, double scale) {
    const Parameters p = base.at(base.start);
    if (spec.unit == TrialUnit::council) return p.population.councils;
    return static_cast<int>(
        make_teams(make_councils(p, simulated_users(base, scale)), spec.team_size).size());
}

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
    const std::vector<Team> teams = by_team ? make_teams(councils, spec.team_size) : std::vector<Team>{};
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
        for (int c : clusters) followed.insert(followed.end(), slots[c].begin(), slots[c].end());
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

// --- the command ---------------------------------------------------------------

namespace {

// One design's results over the simulated trials.
struct DesignSummary {
    int clusters_per_arm = 0, participants_per_cluster = 0, trials = 0;
    analysis::Proportion power, type_one_error;
    double effect = 0;              // geometric mean ratio, or mean difference
    double control = 0, intervention = 0; // mean arm summaries of the primary
    double icc = 0, icc_low = 0, icc_high = 0; // mean estimate; 2.5% and 97.5% over trials
    double mean_cluster_size = 0, design_effect = 0;
    double uptake[2] = {0, 0}, cost[2] = {0, 0};
    std::vector<double> secondary_effect;
    std::vector<analysis::Proportion> secondary_power;
};

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

DesignSummary summarise_design(const TrialSpec& spec, const std::vector<std::vector<TrialResult>>& all,
                               std::size_t d) {
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
        for (int a = 0; a < 2; ++a) up[a].push_back(r.uptake[a]), cost[a].push_back(r.cost[a]);
        if (std::isfinite(r.null_p)) ++nulls, null_hits += r.null_p < spec.alpha;
        for (std::size_t q = 0; q < r.secondary.size(); ++q) {
            sec_hits[q] += r.secondary[q].p_value < spec.alpha;
            const bool sec_ratio = find_outcome(spec.secondary[q])->kind == OutcomeKind::rate;
            sec_effect[q].push_back(sec_ratio ? std::log(r.secondary[q].effect) : r.secondary[q].effect);
        }
    }
    s.trials = n;
    s.power = analysis::wilson(hits, n);
    s.type_one_error = nulls ? analysis::wilson(null_hits, nulls) : analysis::Proportion{kNaN, kNaN, kNaN};
    s.effect = ratio ? std::exp(finite_mean(effect)) : finite_mean(effect);
    s.control = finite_mean(control);
    s.intervention = finite_mean(intervention);
    s.icc = finite_mean(icc);
    s.icc_low = quantile(icc, 0.025);
    s.icc_high = quantile(icc, 0.975);
    s.mean_cluster_size = finite_mean(size);
    s.design_effect = analysis::design_effect(s.mean_cluster_size, s.icc);
    for (int a = 0; a < 2; ++a) s.uptake[a] = finite_mean(up[a]), s.cost[a] = finite_mean(cost[a]);
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
        std::printf("| clusters per arm | participants per cluster (recruited) | power (95%% CI) | %s | "
                    "ICC (2.5-97.5%%) | design effect | uptake I | uptake C | cost/participant I | "
                    "cost/participant C |%s\n",
                    effect.c_str(), null_check ? " type I error |" : "");
        std::printf("|---:|---:|---|---:|---|---:|---:|---:|---:|---:|%s\n", null_check ? "---|" : "");
        for (const auto& d : designs) {
            std::printf("| %d | %d (%.0f) | %.2f (%.2f-%.2f) | %.3f | %.4f (%.4f-%.4f) | %.2f | %.3f | "
                        "%.3f | %.0f | %.0f |",
                        d.clusters_per_arm, d.participants_per_cluster, d.mean_cluster_size, d.power.share, d.power.ci_low,
                        d.power.ci_high, d.effect, d.icc, d.icc_low, d.icc_high, d.design_effect,
                        d.uptake[1], d.uptake[0], d.cost[1], d.cost[0]);
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
                    find_outcome(spec.secondary[q])->kind == OutcomeKind::rate ? "rate ratio" : "difference");
        for (const auto& d : designs)
            std::printf("  k=%d,m=%d: %.4g (power %.2f)", d.clusters_per_arm,
                        d.participants_per_cluster, d.secondary_effect[q], d.secondary_power[q].share);
        std::printf("\n");
    }
}

void write_results(TrialOutput& out, const TrialSpec& spec,
                   const std::vector<std::vector<TrialResult>>& all,
                   const std::vector<DesignSummary>& designs) {
    const std::size_t D = designs.size(), T = all.size();
    // Names, units and descriptions: layout::trial_designs and trial_trials.
    auto per_design = [&](const char* name, auto get) {
        std::vector<double> v;
        for (const auto& d : designs) v.push_back(get(d));
        out.design(name, v);
    };
    per_design("clusters_per_arm", [](auto& d) { return double(d.clusters_per_arm); });
    per_design("participants_per_cluster", [](auto& d) { return double(d.participants_per_cluster); });
    per_design("mean_cluster_size", [](auto& d) { return d.mean_cluster_size; });
    per_design("power", [](auto& d) { return d.power.share; });
    per_design("power_ci_low", [](auto& d) { return d.power.ci_low; });
    per_design("power_ci_high", [](auto& d) { return d.power.ci_high; });
    per_design("effect", [](auto& d) { return d.effect; });
    per_design("control", [](auto& d) { return d.control; });
    per_design("intervention", [](auto& d) { return d.intervention; });
    per_design("icc", [](auto& d) { return d.icc; });
    per_design("icc_low", [](auto& d) { return d.icc_low; });
    per_design("icc_high", [](auto& d) { return d.icc_high; });
    per_design("design_effect", [](auto& d) { return d.design_effect; });
    per_design("uptake_intervention", [](auto& d) { return d.uptake[1]; });
    per_design("uptake_control", [](auto& d) { return d.uptake[0]; });
    per_design("cost_intervention", [](auto& d) { return d.cost[1]; });
    per_design("cost_control", [](auto& d) { return d.cost[0]; });
    per_design("type_one_error", [](auto& d) { return d.type_one_error.share; });
    for (std::size_t q = 0; q < spec.secondary.size(); ++q) {
        const std::string name = spec.secondary[q];
        std::vector<double> e, p;
        for (const auto& d : designs) e.push_back(d.secondary_effect[q]), p.push_back(d.secondary_power[q].share);
        out.design("secondary_" + name + "_effect", e);
        out.design("secondary_" + name + "_power", p);
    }
    auto per_trial = [&](const char* name, auto get) {
        std::vector<double> v(D * T);
        for (std::size_t d = 0; d < D; ++d)
            for (std::size_t t = 0; t < T; ++t) v[d * T + t] = get(all[t][d]);
        out.trial(name, v);
    };
    per_trial("effect", [](const TrialResult& r) { return r.primary.effect; });
    per_trial("ci_low", [](const TrialResult& r) { return r.primary.ci_low; });
    per_trial("ci_high", [](const TrialResult& r) { return r.primary.ci_high; });
    per_trial("p_value", [](const TrialResult& r) { return r.primary.p_value; });
    per_trial("control", [](const TrialResult& r) { return r.primary.control; });
    per_trial("intervention", [](const TrialResult& r) { return r.primary.intervention; });
    per_trial("icc", [](const TrialResult& r) { return r.icc.icc; });
    per_trial("icc_ci_low", [](const TrialResult& r) { return r.icc.ci_low; });
    per_trial("icc_ci_high", [](const TrialResult& r) { return r.icc.ci_high; });
    per_trial("mean_cluster_size", [](const TrialResult& r) { return r.mean_cluster_size; });
    per_trial("uptake_intervention", [](const TrialResult& r) { return r.uptake[1]; });
    per_trial("uptake_control", [](const TrialResult& r) { return r.uptake[0]; });
    per_trial("cost_intervention", [](const TrialResult& r) { return r.cost[1]; });
    per_trial("cost_control", [](const TrialResult& r) { return r.cost[0]; });
    per_trial("null_p_value", [](const TrialResult& r) { return r.null_p; });
}

} // namespace

int trial_command(const TrialOptions& o) {
    TrialSpec spec;
    Scenario base;
    try {
        spec = load_trial(o.file);
        if (o.trials > 0) spec.trials = o.trials;
        if (o.scale > 0) spec.scale = o.scale;
        base = spec.base.scenario;
        if (o.follow_up > 0) {
            spec.follow_up_months = o.follow_up;
            if (spec.follow_up_end() > base.end)
                throw ScenarioError("--follow-up " + std::to_string(o.follow_up) + ": follow-up from " +
                                    spec.recruitment.to_string() + " would end after the scenario (" +
                                    base.end.to_string() + "): accepted at most " +
                                    std::to_string(base.end - spec.recruitment + 1) + " months");
        }
        if (!o.settings.empty()) apply_settings(base, o.settings, "--set");
        base.end = spec.follow_up_end(); // nothing after follow-up is needed
        if (const int units = count_clusters(spec, base, spec.scale); 2 * spec.clusters_per_arm.back() > units)
            throw ScenarioError(too_few_clusters(spec, units, spec.scale));
    } catch (const ScenarioError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
    const fs::path out_path = !o.out.empty() ? o.out : fs::path("outputs") / (spec.name + ".h5");

    TrialProvenance prov;
    prov.pbsim_version = kVersion;
    prov.source_revision = kSourceRevision;
    prov.trial_file = o.file.string();
    prov.trial_text = spec.text;
    prov.trial_resolved = to_toml(spec);
    prov.scenario_toml = to_toml(base, "Base scenario (both arms) resolved by pbsim " +
                                           std::string(kVersion) + " from " + spec.base.file.string());
    prov.seed = o.seed;
    prov.trials = spec.trials;
    prov.scale = spec.scale;
    prov.created_utc = utc_now();
    prov.command_line = o.command_line;
    std::unique_ptr<TrialOutput> output;
    try {
        output = std::make_unique<TrialOutput>(out_path, prov);
    } catch (const OutputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }

    install_stop_handlers();
    const auto start = std::chrono::steady_clock::now();
    const int months_per_trial =
        (spec.recruitment - base.start) +
        spec.follow_up_months * static_cast<int>(spec.clusters_per_arm.size() + spec.null_check);
    const long total_months = static_cast<long>(months_per_trial) * spec.trials;
    std::atomic<long> months_done{0};
    std::atomic<int> trials_done{0};
    std::atomic<bool> stopped{false};
    std::vector<std::vector<TrialResult>> results(spec.trials);
    const bool progress = !o.quiet && isatty(STDERR_FILENO);
    std::mutex print_mutex;
    auto draw = [&] {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const long done = months_done.load();
        const double eta = done > 0 ? elapsed * static_cast<double>(total_months - done) / done : 0;
        std::fprintf(stderr, "\r[pbsim] trial %s: %5.1f%%  %d/%d simulated trials  elapsed %.0fs  ETA %.0fs   ",
                     spec.name.c_str(), 100.0 * done / total_months, trials_done.load(),
                     spec.trials, elapsed, eta);
        std::fflush(stderr);
    };
    try {
        const int threads = o.threads > 0 ? o.threads : tbb::info::default_concurrency();
        tbb::task_arena arena(threads);
        arena.execute([&] {
            tbb::parallel_for(
                tbb::blocked_range<int>(0, spec.trials, 1),
                [&](const tbb::blocked_range<int>& range) {
                    for (int j = range.begin(); j != range.end(); ++j) {
                        if (stopped.load() || stop_requested()) {
                            stopped = true;
                            return;
                        }
                        results[j] = simulate_trial(spec, base, o.seed, static_cast<std::uint32_t>(j),
                                                    spec.scale, [&] {
                                                        months_done.fetch_add(1, std::memory_order_relaxed);
                                                        if (stop_requested()) stopped = true;
                                                        return !stopped.load();
                                                    });
                        if (stopped.load()) return;
                        ++trials_done;
                        if (progress) {
                            std::lock_guard lock(print_mutex);
                            draw();
                        }
                    }
                },
                tbb::simple_partitioner{});
        });
        if (progress) std::fputc('\n', stderr);
        if (stopped.load()) {
            output.reset(); // removes the temporary file
            std::cerr << "pbsim: interrupted; no output written (" << out_path.string()
                      << " left as it was)\n";
            return kExitInterrupted;
        }
        std::vector<DesignSummary> designs;
        for (std::size_t d = 0; d < results.front().size(); ++d)
            designs.push_back(summarise_design(spec, results, d));
        write_results(*output, spec, results, designs);
        output->commit();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!o.quiet || o.markdown) print_table(spec, designs, o.markdown);
        std::printf("%swrote %s: trial '%s', %zu designs x %d simulated trials, scale %g, seed "
                    "%llu, in %.1f s\n",
                    o.markdown ? "\n" : "", out_path.string().c_str(), spec.name.c_str(),
                    designs.size(), spec.trials, spec.scale,
                    static_cast<unsigned long long>(o.seed), seconds);
    } catch (const OutputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "pbsim: trial failed: " << e.what() << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

} // namespace pbsim::runner
