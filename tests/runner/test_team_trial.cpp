// Trials randomising teams of care coordinators (unit = "team"): teams,
// their randomisation and recruitment, an intervention that reaches only the
// users of intervention teams, and `pbsim trial` end to end.
#include "model/population.hpp"
#include "runner/experiments/trial.hpp"
#include "support/h5_support.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <sys/wait.h>

using namespace pbsim;
using namespace pbsim::runner;
using namespace pbsim::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// 4,000 users in 30 councils (about 133 users, 5 coordinator posts each).
const char* kBase = R"(
start = "2001-01"
end = "2004-12"
[population]
users = 4000
councils = 30
[policy]
managed_budgets = 1
active_offer = 0.3
)";

std::string team_trial(const std::string& extra = "") {
    return R"(
description = "team trial"
scenario = "base.toml"
unit = "team"
team_size = 2
clusters_per_arm = [4, 8]
participants_per_cluster = [10, 20]
recruitment = "2003-01"
follow_up_months = 12
stratify = "council"
primary = "crises"
secondary = ["uptake"]
trials = 3
scale = 1
)" + extra +
           R"(
[intervention]
crisis_prevention.coverage = 1
crisis_prevention.effect = 1
)";
}

// The posts of the first `n` teams of council 0.
std::vector<std::uint32_t> posts_of(const std::vector<Team>& teams, int n) {
    std::vector<std::uint32_t> posts;
    for (int q = 0; q < n; ++q)
        for (std::uint32_t p = 0; p < teams[q].post_count; ++p)
            posts.push_back(teams[q].first_post + p);
    return posts;
}

} // namespace

TEST_CASE("teams partition each council's coordinator posts into consecutive groups") {
    const auto councils =
        make_councils(small_scenario(20000, 12).at(Month::from_ym(2001, 1)), 20000);
    for (int size : {1, 3, 8, 1000}) {
        const auto teams = make_teams(councils, size);
        std::vector<int> covered(councils.back().first_post + councils.back().post_count, 0);
        for (const auto& t : teams) {
            const auto& la = councils[t.council];
            CHECK(t.first_post >= la.first_post);
            CHECK(t.first_post + t.post_count <= la.first_post + la.post_count);
            // team_size posts, the last of a council up to twice that, a small council one team
            CHECK((t.post_count >= static_cast<std::uint32_t>(size) ||
                   t.post_count == la.post_count));
            CHECK(t.post_count <
                  2u * size +
                      (la.post_count < static_cast<std::uint32_t>(size) ? la.post_count : 0));
            for (std::uint32_t p = 0; p < t.post_count; ++p)
                ++covered[t.first_post + p];
        }
        CHECK(std::all_of(covered.begin(), covered.end(), [](int n) { return n == 1; }));
        if (size == 1000) CHECK(teams.size() == councils.size()); // one team per council
    }
}

TEST_CASE("team randomisation is balanced, stratified and reproducible") {
    const auto councils =
        make_councils(small_scenario(20000, 12).at(Month::from_ym(2001, 1)), 20000);
    const auto teams = make_teams(councils, 4);
    REQUIRE(teams.size() > 40);
    const int units = static_cast<int>(teams.size());
    const auto order = council_order(units, 7, 0);
    const std::vector<int> clusters(order.begin(), order.begin() + 20);
    std::vector<std::uint32_t> users(teams.size());
    for (std::size_t q = 0; q < teams.size(); ++q)
        users[q] = 30 * teams[q].post_count;
    for (Stratify st : {Stratify::none, Stratify::council, Stratify::dp_culture, Stratify::size}) {
        const auto arm = allocate_team_arms(clusters, teams, councils, users, st, 7, 0, 10);
        CHECK(std::count(arm.begin(), arm.end(), 1) == 10);
        CHECK(arm == allocate_team_arms(clusters, teams, councils, users, st, 7, 0, 10));
        CHECK(arm != allocate_team_arms(clusters, teams, councils, users, st, 7, 1, 10));
    }
    // Stratified by council: within a council the arms differ by at most one
    // team (a pair straddles two councils only where a council has an odd count).
    const auto arm =
        allocate_team_arms(clusters, teams, councils, users, Stratify::council, 7, 0, 10);
    std::vector<int> balance(councils.size(), 0), odd(councils.size(), 0);
    for (std::size_t j = 0; j < clusters.size(); ++j) {
        balance[teams[clusters[j]].council] += arm[j] ? 1 : -1;
        odd[teams[clusters[j]].council] ^= 1;
    }
    for (std::size_t c = 0; c < councils.size(); ++c)
        CHECK(std::abs(balance[c]) <= odd[c]);
    // Every team is in the intervention arm half the time over 2000 trials.
    const int n = 2000;
    std::vector<int> times(clusters.size(), 0);
    for (int t = 0; t < n; ++t) {
        const auto a =
            allocate_team_arms(clusters, teams, councils, users, Stratify::council, 7, t, 10);
        for (std::size_t j = 0; j < clusters.size(); ++j)
            times[j] += a[j];
    }
    for (auto k : times)
        CHECK(std::abs(k / double(n) - 0.5) < 2.576 * std::sqrt(0.25 / n));
}

TEST_CASE("team recruitment takes eligible users of the team's posts only") {
    Scenario s = small_scenario(3000, 5, 6);
    s.set_constant("policy.managed_budgets", 1);
    s.set_constant("policy.active_offer", 1);
    Simulation sim(s, {2, 0, 1.0});
    for (int t = 0; t < 60; ++t)
        sim.step();
    const auto& w = sim.world();
    const auto teams = make_teams(w.councils, 4);
    std::size_t total = 0;
    for (const auto& team : teams) {
        const auto slots = recruit(w, team, 100000, 2, 0);
        total += slots.size();
        for (auto i : slots) {
            CHECK(team.has(w.users.coordinator[i]));
            CHECK(!is_holding(w.users.state[i]));
        }
        if (slots.size() > 10)
            CHECK(recruit(w, team, 10, 2, 0) == std::vector(slots.begin(), slots.begin() + 10));
    }
    std::size_t eligible = 0;
    for (std::uint32_t i = 0; i < w.users.size(); ++i)
        eligible +=
            !is_holding(w.users.state[i]) && w.users.state[i] != PathwayState::support_planning;
    CHECK(total == eligible); // every eligible user is in exactly one team
}

TEST_CASE("a team intervention reaches only users of intervention teams, as they move") {
    // Crisis prevention reaching everyone with effect 1: no crisis is possible
    // in a month spent with an intervention coordinator. Restructuring moves
    // users between posts of their council, so exposure changes; without
    // cross-council ties the other councils cannot tell.
    Scenario s = small_scenario(3000, 4, 4);
    s.set_constant("network.rewiring", 0);
    s.set_constant("workforce.restructuring", 1);
    s.set_constant("workforce.restructuring_reassign", 0.1);
    const RunSettings settings{21, 0, 1.0};
    const ReplicationResult plain = simulate(s, settings);

    Simulation sim(s, settings);
    for (int t = 0; t < 12; ++t)
        sim.step();
    const auto teams = make_teams(sim.world().councils, 4);
    REQUIRE(teams[0].council == 0);
    REQUIRE(teams[1].council == 0);
    const auto posts = posts_of(teams, 1); // council 0's first team
    const std::set<std::uint32_t> in(posts.begin(), posts.end());
    sim.add_post_overrides(
        posts, {{find_parameter("crisis_prevention.coverage"), Timeline{{{Month{0}, 1.0}}}},
                {find_parameter("crisis_prevention.effect"), Timeline{{{Month{0}, 1.0}}}}});
    const auto& u = sim.world().users;
    const auto& la = sim.world().councils[0];
    int exposed_months = 0, control_crises_of_movers = 0, crises_when_exposed = 0;
    std::set<std::uint32_t> ever_exposed;
    while (!sim.done()) {
        sim.step();
        const int t = sim.month() - 1;
        for (std::uint32_t i = la.first_user; i < la.first_user + la.user_count; ++i) {
            const bool exposed = in.count(u.coordinator[i]) > 0;
            const bool crisis = u.last_crisis[i] == t;
            if (exposed)
                ++exposed_months, ever_exposed.insert(i), crises_when_exposed += crisis;
            else if (ever_exposed.count(i))
                control_crises_of_movers += crisis;
        }
    }
    CHECK(exposed_months > 1000);
    CHECK(crises_when_exposed == 0);     // the intervention reaches the team's users
    CHECK(control_crises_of_movers > 0); // and leaves them when they move on
    // Other councils are bit-identical; council 0 has fewer crises.
    const auto& r = sim.result();
    double plain0 = 0, team0 = 0;
    for (int t = 0; t < r.months; ++t) {
        for (int c = 1; c < r.councils; ++c)
            for (std::size_t k = 0; k < kMetricCount; ++k)
                REQUIRE(r.at(static_cast<Metric>(k), t, c) ==
                        plain.at(static_cast<Metric>(k), t, c));
        plain0 += plain.at(Metric::crises, t, 0);
        team0 += r.at(Metric::crises, t, 0);
    }
    CHECK(team0 < plain0);
    // Before the intervention started nothing differed.
    for (int t = 0; t < 12; ++t)
        CHECK(r.at(Metric::crises, t, 0) == plain.at(Metric::crises, t, 0));
}

TEST_CASE("a simulated team trial finds a strong effect, reproducibly") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    const TrialSpec spec = load_trial(dir.write("t.toml", team_trial()));
    CHECK(spec.unit == TrialUnit::team);
    CHECK(spec.team_size == 2);
    Scenario base = spec.base.scenario;
    base.end = spec.follow_up_end();
    // About 5 posts a council: mostly teams of 2 and 3, so about 2 teams a council.
    const int units = count_clusters(spec, base, 1.0);
    CHECK(units >= 55);
    CHECK(units <= 75);
    const auto a = simulate_trial(spec, base, 5, 0, 1.0);
    REQUIRE(a.size() == 4);
    for (const auto& r : a) {
        INFO("k " << r.clusters_per_arm << " m " << r.participants_per_cluster << " control "
                  << r.primary.control << " intervention " << r.primary.intervention << " p "
                  << r.primary.p_value << " size " << r.mean_cluster_size);
        CHECK(r.primary.effect < 0.4);
        // no crisis in intervention teams: half an event per cluster over about
        // 0.9 person-years each (some leave services during follow-up)
        CHECK(r.primary.intervention < 0.5 / (r.mean_cluster_size * 0.8));
        // about 2-4 crises per control cluster: 4 clusters per arm are borderline, 8 are not
        CHECK(r.primary.p_value < (r.clusters_per_arm == 8 ? 0.01 : 0.1));
        CHECK(r.primary.clusters_control == r.clusters_per_arm);
        CHECK(r.mean_cluster_size <= r.participants_per_cluster);
    }
    const auto b = simulate_trial(spec, base, 5, 0, 1.0);
    CHECK(a[3].primary.effect == b[3].primary.effect);
    CHECK(a[3].icc.icc == b[3].icc.icc);
    // The resolved text keeps the unit and team size.
    const TrialSpec c = parse_trial(to_toml(spec), dir / "resolved.toml");
    CHECK(c.unit == TrialUnit::team);
    CHECK(c.team_size == 2);
    CHECK(c.stratify == Stratify::council);
}

TEST_CASE("team trial files: clear messages for unit, team_size, stratify and too many teams") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    auto error_of = [&](const std::string& text) {
        try {
            load_trial(dir.write("bad.toml", text));
        } catch (const ScenarioError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    auto swap = [](std::string text, const std::string& from, const std::string& to) {
        text.replace(text.find(from), from.size(), to);
        return text;
    };
    CHECK_THAT(error_of(swap(team_trial(), "\"team\"", "\"ward\"")),
               Contains("bad.toml:4") && Contains("unit = \"ward\"") &&
                   Contains("\"council\" or \"team\""));
    CHECK_THAT(error_of(swap(team_trial(), "team_size = 2", "team_size = 0")),
               Contains("bad.toml:5") && Contains("team_size = 0") && Contains("1 to 1000"));
    CHECK_THAT(error_of(swap(swap(team_trial(), "\"team\"", "\"council\""), "\"council\"\nprimary",
                             "\"none\"\nprimary")),
               Contains("bad.toml:5") && Contains("team_size applies to unit = \"team\" only"));
    CHECK_THAT(error_of(swap(swap(team_trial(), "\"team\"", "\"council\""), "team_size = 2\n", "")),
               Contains("stratify = \"council\"") && Contains("only with unit = \"team\""));
    CHECK_THAT(error_of(team_trial() + "request.trust_effect = 1\n"),
               Contains("request.trust_effect") && Contains("cannot differ between teams"));

    // More teams than there are: found when the trial runs (the count depends on the scale).
    const TrialSpec spec = load_trial(dir.write("ok.toml", team_trial()));
    Scenario base = spec.base.scenario;
    const int units = count_clusters(spec, base, 1.0);
    const std::string k = std::to_string(units / 2 + 1);
    dir.write("many.toml", swap(team_trial(), "[4, 8]", "[4, " + k + "]"));
    const auto r = run_pbsim("trial many.toml --quiet --out x.h5", dir.path());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("many.toml:6") && Contains("clusters_per_arm = " + k) &&
                          Contains(std::to_string(units) + " teams of team_size = 2") &&
                          Contains("accepted at most " + std::to_string(units / 2)));
    CHECK_FALSE(fs::exists(dir / "x.h5"));
}

TEST_CASE("pbsim trial with unit = team: same results whatever --threads") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    dir.write("t.toml", team_trial("null_check = true\n"));
    REQUIRE(
        run_pbsim("trial t.toml --seed 3 --threads 1 --quiet --out one.h5", dir.path()).status ==
        0);
    REQUIRE(
        run_pbsim("trial t.toml --seed 3 --threads 2 --quiet --out two.h5", dir.path()).status ==
        0);
    for (const char* name :
         {"/trials/effect", "/trials/p_value", "/trials/icc", "/trials/null_p_value",
          "/designs/power", "/designs/cost_intervention"}) {
        const auto x = read_dataset(dir / "one.h5", name), y = read_dataset(dir / "two.h5", name);
        REQUIRE(x.size() == y.size());
        for (std::size_t i = 0; i < x.size(); ++i)
            CHECK((x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i]))));
    }
    const auto effect = read_dataset(dir / "one.h5", "/trials/effect");
    CHECK(effect.size() == 4 * 3);
    for (double e : effect)
        CHECK(e < 0.5);
}
