// Invariants, limiting cases and statistical properties of the model.
#include "model/council_month.hpp"
#include "model/population.hpp"
#include "model/simulation.hpp"
#include "model/summary.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

using namespace pbsim;
using namespace pbsim::testing;

namespace {

// A history with every pathway in use: managed budgets and some campaign.
Scenario busy_scenario() {
    Scenario s = small_scenario(3000, 10, 10);
    s.set_constant("policy.managed_budgets", 1);
    s.set_constant("information.campaign_intensity", 0.5);
    s.set_from("workforce.restructuring", Month::from_ym(2005, 1), 1);
    s.set_from("workforce.restructuring", Month::from_ym(2007, 1), 0);
    return s;
}

} // namespace

TEST_CASE("people are conserved and states are legal every month") {
    const Scenario s = busy_scenario();
    Simulation sim(s, {3, 0, 1.0});
    const auto n_users = static_cast<double>(sim.world().users.size());
    while (!sim.done()) {
        sim.step();
        const auto& r = sim.result();
        const int t = sim.month() - 1;
        double in_states = 0;
        for (int k = 0; k < kPathwayStates; ++k)
            in_states += r.national(static_cast<Metric>(index(Metric::unaware) + k), t);
        REQUIRE(r.national(Metric::population, t) == n_users);
        REQUIRE(in_states == n_users);
        REQUIRE(r.national(Metric::entries, t) == r.national(Metric::exits, t));
        const auto& u = sim.world().users;
        for (std::uint32_t i = 0; i < u.size(); ++i) {
            REQUIRE(static_cast<int>(u.state[i]) < kPathwayStates);
            REQUIRE((u.severity[i] >= 1 && u.severity[i] <= 3));
            const auto& la = sim.world().councils[u.council[i]];
            REQUIRE(u.coordinator[i] >= la.first_post);
            REQUIRE(u.coordinator[i] < la.first_post + la.post_count);
            REQUIRE(is_holding(u.state[i]) == (u.pb_amount[i] > 0)); // a budget only while held
        }
    }
    // Every pathway state was actually visited.
    const auto& r = sim.result();
    for (Metric m :
         {Metric::aware, Metric::requested, Metric::in_assessment, Metric::support_planning,
          Metric::holding_dp, Metric::holding_managed, Metric::handed_back})
        CHECK(run_total(r, m) > 0);
    for (Metric m : {Metric::refusals, Metric::hand_backs, Metric::lost_requests,
                     Metric::review_endings, Metric::admissions})
        CHECK(run_total(r, m) > 0);
}

TEST_CASE("every metric is finite and non-negative; costs too") {
    const Scenario s = busy_scenario();
    const auto r = simulate(s, {5, 1, 1.0});
    for (std::size_t k = 0; k < kMetricCount; ++k)
        for (int t = 0; t < r.months; ++t)
            for (int c = 0; c < r.councils; ++c) {
                const double v = r.at(static_cast<Metric>(k), t, c);
                INFO(kMetrics[k].name << " month " << t << " council " << c);
                REQUIRE(std::isfinite(v));
                REQUIRE(v >= 0);
            }
}

TEST_CASE("peer counts kept incrementally equal a recount from the network") {
    Simulation sim(busy_scenario(), {9, 0, 1.0});
    while (!sim.done())
        sim.step();
    const auto& w = sim.world();
    std::vector<int> recount(w.users.size(), 0);
    for (std::uint32_t i = 0; i < w.users.size(); ++i)
        if (is_holding(w.users.state[i]))
            for (auto j : peers_of(w, i))
                ++recount[j];
    for (std::uint32_t i = 0; i < w.users.size(); ++i)
        REQUIRE(w.users.peers_holding[i] == recount[i]);
}

TEST_CASE("the peer network is symmetric, loop-free and mostly within councils") {
    Scenario s = small_scenario(40000, 10, 1);
    const Parameters p = s.at(s.start);
    const World w = generate_world(p, 40000, Rng(1, 0), s.start.index);
    std::size_t ties = 0, within = 0;
    for (std::uint32_t i = 0; i < w.users.size(); ++i)
        for (auto j : peers_of(w, i)) {
            REQUIRE(j != i);
            const auto back = peers_of(w, j);
            REQUIRE(std::find(back.begin(), back.end(), i) != back.end());
            ++ties;
            within += w.users.council[i] == w.users.council[j];
        }
    const double mean_degree = static_cast<double>(ties) / w.users.size();
    CHECK(mean_degree == Approx(p.network.mean_degree).epsilon(0.05));
    // Rewired ties leave the council with probability rewiring x cross_council_share
    // (times 9/10: a random target is in another of the 10 councils); 240,000 ties
    // give a binomial SE of about 0.0002 on the expected 0.009.
    const double expected = p.network.rewiring * p.network.cross_council_share * 0.9;
    REQUIRE(expected > 0.005);
    CHECK(1.0 - static_cast<double>(within) / ties == Approx(expected).epsilon(0.15));
}

TEST_CASE("limiting case: with no awareness channels nobody requests") {
    Scenario s = small_scenario();
    for (const char* key :
         {"awareness.background", "awareness.from_coordinator", "awareness.from_peer",
          "awareness.from_peer_group", "awareness.from_campaign", "awareness.from_voluntary",
          "awareness.from_advocate", "population.initial_aware_share",
          "population.initial_dp_share"})
        s.set_constant(key, 0);
    s.set_constant("policy.active_offer", 1); // even the duty to offer cannot act without a channel
    const auto r = simulate(s, {1, 0, 1.0});
    CHECK(run_total(r, Metric::became_aware) == 0);
    CHECK(run_total(r, Metric::new_requests) == 0);
    CHECK(run_total(r, Metric::new_pbs) == 0);
    CHECK(run_total(r, Metric::cost_pb_social_care) == 0);
}

TEST_CASE("limiting case: zero crisis hazard means no crises, admissions or bed-days") {
    Scenario s = small_scenario();
    for (const char* key :
         {"crisis.rate_severity_1", "crisis.rate_severity_2", "crisis.rate_severity_3"})
        s.set_constant(key, 0);
    const auto r = simulate(s, {1, 0, 1.0});
    CHECK(run_total(r, Metric::crises) == 0);
    CHECK(run_total(r, Metric::admissions) == 0);
    CHECK(run_total(r, Metric::bed_days) == 0);
    CHECK(run_total(r, Metric::cost_inpatient) == 0);
}

TEST_CASE("limiting case: no exits means nobody enters or leaves") {
    Scenario s = small_scenario();
    s.set_constant("population.exit_rate", 0);
    const auto r = simulate(s, {1, 0, 1.0});
    CHECK(run_total(r, Metric::exits) == 0);
    CHECK(run_total(r, Metric::entries) == 0);
}

TEST_CASE("exits happen at the exit rate") {
    Scenario s = small_scenario(20000, 10, 10);
    const double rate = s.at(s.start).population.exit_rate;
    const auto r = simulate(s, {2, 0, 1.0});
    const double user_months = 20000.0 * r.months;
    const double exits = run_total(r, Metric::exits);
    // Binomial: SE of the rate is sqrt(p(1-p)/n); allow 4 SE.
    CHECK(std::abs(exits / user_months - rate) < 4 * std::sqrt(rate * (1 - rate) / user_months));
}

TEST_CASE("crises happen at the severity-weighted hazard when nothing modifies it") {
    Scenario s = small_scenario(20000, 10, 5);
    // Switch off everything that changes the hazard: no budgets, services or turnover.
    for (const char* key :
         {"population.initial_dp_share", "awareness.background", "awareness.from_coordinator",
          "awareness.from_voluntary", "awareness.from_advocate", "awareness.from_campaign",
          "awareness.from_peer_group", "population.initial_aware_share",
          "crisis_prevention.coverage", "coordinator.turnover"})
        s.set_constant(key, 0);
    const Parameters p = s.at(s.start);
    const auto r = simulate(s, {4, 0, 1.0});
    // Expected crises: the hazard of every user not in hospital at the start of
    // their month. Nobody ever holds a budget, so nothing modifies the hazard.
    double expected = 0;
    Simulation sim(s, {4, 0, 1.0});
    const auto& u = sim.world().users;
    const double rates[3] = {p.crisis.rate_severity_1, p.crisis.rate_severity_2,
                             p.crisis.rate_severity_3};
    while (!sim.done()) {
        for (std::uint32_t i = 0; i < u.size(); ++i)
            if (u.hospital_days_left[i] == 0) expected += rates[u.severity[i] - 1];
        sim.step();
    }
    REQUIRE(run_total(sim.result(), Metric::new_pbs) == 0);
    const double crises = run_total(r, Metric::crises);
    // Poisson-binomial: SD below sqrt(expected); allow 4 SD.
    CHECK(std::abs(crises - expected) < 4 * std::sqrt(expected));
}

TEST_CASE("admissions have the configured lognormal length of stay") {
    Scenario s = small_scenario(20000, 10, 20);
    const Parameters p = s.at(s.start);
    const auto r = simulate(s, {6, 0, 1.0});
    // Bed-days per admission approach the lognormal mean, less the stays still
    // running at the end (a small share over 20 years) and the ceiling to whole days.
    const double mean_los =
        p.crisis.los_median_days * std::exp(p.crisis.los_sigma * p.crisis.los_sigma / 2);
    const double per_admission = run_total(r, Metric::bed_days) / run_total(r, Metric::admissions);
    CHECK(per_admission == Approx(mean_los + 0.5).epsilon(0.06));
    // Crisis types split as configured.
    const double crises = run_total(r, Metric::crises);
    CHECK(run_total(r, Metric::admissions) / crises ==
          Approx(p.crisis.share_admission).margin(0.01));
    CHECK(run_total(r, Metric::home_treatments) / crises ==
          Approx(p.crisis.share_home_treatment).margin(0.01));
}

TEST_CASE("managed budgets appear only once the policy allows them") {
    Scenario s = small_scenario(5000, 10, 10);
    s.set_constant("policy.managed_budgets", 0);
    s.set_from("policy.managed_budgets", Month::from_ym(2006, 1), 1);
    const auto r = simulate(s, {2, 0, 1.0});
    const int switch_month = Month::from_ym(2006, 1) - s.start;
    for (int t = 0; t < switch_month; ++t)
        REQUIRE(r.national(Metric::holding_managed, t) == 0);
    CHECK(r.national(Metric::holding_managed, r.months - 1) > 0);
}

TEST_CASE("same seed gives identical results; another seed or replication differs") {
    const Scenario s = busy_scenario();
    const auto a = simulate(s, {21, 0, 1.0});
    const auto b = simulate(s, {21, 0, 1.0});
    REQUIRE(a.values.size() == b.values.size());
    CHECK(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) == 0);
    CHECK(simulate(s, {22, 0, 1.0}).values != a.values);
    CHECK(simulate(s, {21, 1, 1.0}).values != a.values);
}

TEST_CASE("the population is shared by scenarios that differ only in behaviour") {
    Scenario a = busy_scenario();
    Scenario b = busy_scenario();
    b.set_constant("request.base_rate", 0.2);
    b.set_constant("crisis.pb_effect", 0.9);
    const auto ra = simulate(a, {4, 2, 1.0});
    const auto rb = simulate(b, {4, 2, 1.0});
    // Exits are drawn at entry from population purposes only: identical month by month.
    for (int t = 0; t < ra.months; ++t)
        for (int c = 0; c < ra.councils; ++c)
            REQUIRE(ra.at(Metric::exits, t, c) == rb.at(Metric::exits, t, c));
    CHECK(run_total(ra, Metric::new_requests) != run_total(rb, Metric::new_requests));
}

TEST_CASE("common random numbers: a lever in one council leaves isolated councils bit-identical") {
    Scenario base = busy_scenario();
    base.set_constant("network.cross_council_share", 0); // councils do not share peers
    Scenario lever = base;
    lever.council_overrides.push_back(
        {0, find_parameter("crisis_prevention.coverage"), Timeline{{{Month{0}, 1.0}}}});
    const auto a = simulate(base, {8, 0, 1.0});
    const auto b = simulate(lever, {8, 0, 1.0});
    // Council 0 changes...
    double diff0 = 0;
    for (int t = 0; t < a.months; ++t)
        diff0 += std::abs(a.at(Metric::crises, t, 0) - b.at(Metric::crises, t, 0));
    CHECK(diff0 > 0);
    // ...every other council's every metric is unchanged.
    for (std::size_t k = 0; k < kMetricCount; ++k)
        for (int t = 0; t < a.months; ++t)
            for (int c = 1; c < a.councils; ++c)
                REQUIRE(a.at(static_cast<Metric>(k), t, c) == b.at(static_cast<Metric>(k), t, c));
}

TEST_CASE("scale samples the population; councils are fixed by council.seed alone") {
    Scenario s = small_scenario(10000, 10, 1);
    CHECK(simulated_users(s, 0.5) == 5000);
    CHECK(simulated_users(s, 1e-6) == 10); // at least one user per council
    Parameters p = s.at(s.start);
    const auto a = make_councils(p, 5000);
    // Whatever the run's seed or replication, the world has the same councils.
    const World w1 = generate_world(p, 5000, Rng(3, 0), s.start.index);
    const World w2 = generate_world(p, 5000, Rng(4, 7), s.start.index);
    for (std::size_t c = 0; c < a.size(); ++c) {
        CHECK(w1.councils[c].size_share == a[c].size_share);
        CHECK(w2.councils[c].dp_culture == a[c].dp_culture);
    }
    CHECK(w1.users.severity != w2.users.severity); // but different people
    p.council.seed = 2;
    CHECK(make_councils(p, 5000)[0].dp_culture != a[0].dp_culture);
    std::uint32_t total = 0;
    for (const auto& la : a)
        total += la.user_count;
    CHECK(total == 5000);
}

TEST_CASE("summary eval_* columns cover the evaluation window, discounted to its start") {
    Scenario s = busy_scenario();
    const double scale = 0.02;
    const auto r = simulate(s, {3, 0, scale});
    const int t0 = 36;
    s.evaluation_start = s.start + t0;
    const auto whole = summarise(r, busy_scenario(), scale), window = summarise(r, s, scale);
    auto value = [](const std::vector<SummaryValue>& summary, std::string_view name) {
        for (const auto& v : summary)
            if (v.name == name) return v.value;
        FAIL("no summary column " << name);
        return 0.0;
    };
    const double rate = s.at(s.start).outcome.discount_rate;
    double crises = 0, inpatient = 0, qalys = 0;
    for (int t = t0; t < r.months; ++t) {
        crises += r.national(Metric::crises, t);
        inpatient += r.national(Metric::cost_inpatient, t) * discount_factor(rate, t - t0);
        qalys += r.national(Metric::qalys, t) * discount_factor(rate, t - t0);
    }
    REQUIRE(crises > 0);
    CHECK(value(window, "eval_crises") == Approx(crises / scale));
    CHECK(value(window, "eval_cost_inpatient_discounted") == Approx(inpatient / scale));
    CHECK(value(window, "eval_qalys_discounted") == Approx(qalys / scale));
    // A window from the first month is the whole run.
    CHECK(value(whole, "eval_crises") == Approx(value(whole, "crises_total")));
    CHECK(value(whole, "eval_cost_total_discounted") ==
          Approx(value(whole, "cost_total_discounted")));
    CHECK(value(whole, "eval_care_related_qol_years_discounted") ==
          Approx(value(whole, "care_related_qol_years_discounted")));
    double categories = 0; // cost categories only: the payer columns are the same money again
    for (const auto& m : kMetrics)
        if (m.kind == MetricKind::cost)
            categories += value(window, "eval_" + std::string(m.name) + "_discounted");
    CHECK(value(window, "eval_cost_total_discounted") == Approx(categories));
    CHECK(value(window, "eval_cost_total_discounted") < value(whole, "eval_cost_total_discounted"));
}

TEST_CASE("summary totals equal the sums of the time series, scaled to national") {
    const Scenario s = busy_scenario();
    const double scale = 0.02; // 3000 users stand for 150,000
    const auto r = simulate(s, {3, 0, scale});
    const auto summary = summarise(r, s, scale);
    auto value = [&](std::string_view name) {
        for (const auto& v : summary)
            if (v.name == name) return v.value;
        FAIL("no summary column " << name);
        return 0.0;
    };
    CHECK(value("crises_total") == Approx(run_total(r, Metric::crises) / scale));
    CHECK(value("cost_inpatient_total") == Approx(run_total(r, Metric::cost_inpatient) / scale));
    CHECK(value("cost_inpatient_discounted") < value("cost_inpatient_total"));
    const int end = r.months - 1;
    CHECK(value("uptake_share_end") ==
          Approx((r.national(Metric::holding_dp, end) + r.national(Metric::holding_managed, end)) /
                 r.national(Metric::population, end)));
    CHECK(std::isnan(value("uptake_share_2014_12"))); // the run ends in 2010
    double total = 0;
    for (const auto& m : kMetrics)
        if (m.kind == MetricKind::cost) total += value(std::string(m.name) + "_total");
    CHECK(value("cost_total") == Approx(total));
    CHECK(value("cost_nhs_total") + value("cost_council_total") + value("cost_person_total") ==
          Approx(total));
}

TEST_CASE("discounting follows the 3.5% annual rate") {
    CHECK(discount_factor(0.035, 0) == 1.0);
    CHECK(discount_factor(0.035, 12) == Approx(1 / 1.035));
    CHECK(discount_factor(0.035, 120) == Approx(std::pow(1.035, -10)));
}

TEST_CASE("every parameter struct field is in the registry") {
    // Fill with a byte pattern no default produces, then apply the registry:
    // any 8-byte word left untouched is a field the registry does not know.
    // Works in 4-byte words (ints are 4 bytes), skipping the padding after an
    // int that is followed by a double.
    Parameters p;
    std::memset(static_cast<void*>(&p), 0xA5, sizeof p);
    for (const auto& spec : parameter_registry())
        spec.set(p, spec.default_value);
    const auto* base = reinterpret_cast<const unsigned char*>(&p);
    std::vector<bool> field_start(sizeof p / 4 + 1, false), int_field(sizeof p / 4 + 1, false);
    for (const auto& spec : parameter_registry()) {
        const auto offset = static_cast<std::size_t>(
            spec.real ? reinterpret_cast<unsigned char*>(spec.real(p)) - base
                      : reinterpret_cast<unsigned char*>(spec.whole(p)) - base);
        field_start[offset / 4] = true;
        int_field[offset / 4] = spec.whole != nullptr;
    }
    for (std::size_t w = 0; w < sizeof p / 4; ++w) {
        const bool padding = w > 0 && int_field[w - 1] && !field_start[w] && (w % 2 == 1);
        if (padding) continue;
        bool untouched = true;
        for (std::size_t k = 0; k < 4; ++k)
            untouched &= base[4 * w + k] == 0xA5;
        INFO("untouched bytes at offset " << 4 * w);
        CHECK_FALSE(untouched);
    }
    // And every key is unique and found.
    for (const auto& spec : parameter_registry())
        CHECK(&parameter_registry()[find_parameter(spec.key)] == &spec);
}

TEST_CASE("council coverage: culture shifts a service's reach but keeps none and all") {
    for (double culture : {0.05, 0.5, 1.0, 2.0, 20.0}) {
        CHECK(council_coverage(0.0, culture, 2.5) == 0.0);
        CHECK(council_coverage(1.0, culture, 2.5) == 1.0); // "everywhere" means everyone
    }
    CHECK(council_coverage(0.3, 1.0, 2.5) == Approx(0.3)); // culture 1 is the reference
    CHECK(council_coverage(0.3, 2.0, 2.5) > 0.3);          // early adopters reach more
    CHECK(council_coverage(0.3, 0.5, 2.5) < 0.3);          // laggards fewer
    CHECK(council_coverage(0.3, 0.5, 0.0) == Approx(0.3)); // no effect: the same everywhere
}

TEST_CASE("results do not depend on --scale beyond sampling noise") {
    // A world where the assessment queue binds: everyone is offered a budget.
    Scenario s = small_scenario(150000, 152, 10);
    s.set_constant("policy.managed_budgets", 1);
    s.set_constant("policy.active_offer", 1);
    auto uptake = [&](double scale) {
        double sum = 0;
        for (std::uint32_t r = 0; r < 2; ++r) {
            const auto res = simulate(s, {13, r, scale});
            const int t = res.months - 1;
            sum +=
                (res.national(Metric::holding_dp, t) + res.national(Metric::holding_managed, t)) /
                res.national(Metric::population, t);
        }
        return sum / 2;
    };
    // At scale 0.1 (15,000 users) the binomial SE of the mean of two is about 0.003.
    CHECK(uptake(0.1) == Approx(uptake(1.0)).margin(0.015));
}

TEST_CASE("a budget of nothing does nothing; scores stay in range") {
    Scenario s = small_scenario();
    const CouncilMonth c = derive_council_month(s.at(s.start));
    CHECK(effect_scale(c, 1, 0.0f) == 0.0f);
    CHECK(effect_scale(c, 1, static_cast<float>(c.reference_amount[0])) == Approx(1.0));
    CHECK(effect_scale(c, 1, 1e9f) == Approx(s.at(s.start).allocation.effect_scale_cap));
    Parameters zero = s.at(s.start);
    zero.allocation.median_severity_1 = 0;
    CHECK(effect_scale(derive_council_month(zero), 1, 0.0f) == 0.0f);
    // Extreme but accepted gains cannot push scores above 1.
    for (const char* key :
         {"outcome.ascot_pb_gain", "outcome.utility_pb_gain", "policy.market_development"})
        s.set_constant(key, 1);
    s.set_constant("allocation.effect_scale_cap", 10);
    s.set_constant("allocation.effect_elasticity", 3);
    s.set_constant("policy.managed_budgets", 1);
    const auto r = simulate(s, {2, 0, 1.0});
    for (int t = 0; t < r.months; ++t)
        for (int c2 = 0; c2 < r.councils; ++c2) {
            REQUIRE(r.at(Metric::care_related_qol, t, c2) <= 1.0);
            REQUIRE(r.at(Metric::qalys, t, c2) <= r.at(Metric::population, t, c2) / 12.0 + 1e-9);
        }
}

// --- council heterogeneity of the crisis hazard (council.crisis_sigma) ------

TEST_CASE("crisis_sigma 0 makes councils alike in crisis risk and leaves the rest untouched") {
    Scenario s = busy_scenario();
    s.set_constant("council.crisis_sigma", 0);
    Scenario spread = s;
    spread.set_constant("council.crisis_sigma", 0.5);
    const auto p0 = s.at(s.start), p1 = spread.at(s.start);
    const auto a = make_councils(p0, 3000), b = make_councils(p1, 3000);
    bool differ = false;
    for (std::size_t c = 0; c < a.size(); ++c) {
        CHECK(a[c].crisis_multiplier == 1.0); // exactly: the coefficients are the national ones
        differ |= b[c].crisis_multiplier != 1.0;
        // its own draws: sizes, culture and allocation levels do not move
        CHECK(a[c].user_count == b[c].user_count);
        CHECK(a[c].dp_culture == b[c].dp_culture);
        CHECK(a[c].amount_multiplier == b[c].amount_multiplier);
    }
    CHECK(differ);
    // The multiplier acts on crises only: with no crises the runs are identical.
    for (Scenario* x : {&s, &spread})
        for (const char* key :
             {"crisis.rate_severity_1", "crisis.rate_severity_2", "crisis.rate_severity_3"})
            x->set_constant(key, 0);
    CHECK(simulate(s, {4, 0, 1.0}).values == simulate(spread, {4, 0, 1.0}).values);
}

TEST_CASE("crisis_sigma spreads council crisis rates lognormally around the same national rate") {
    const double sigma = 0.5;
    Scenario s = small_scenario(60000, 300, 5);
    s.set_constant("council.crisis_sigma", sigma);
    const auto councils = make_councils(s.at(s.start), 60000);
    double mean = 0, sum = 0, sum2 = 0;
    for (const auto& la : councils) {
        mean += la.crisis_multiplier * static_cast<double>(la.user_count) / 60000.0;
        sum += std::log(la.crisis_multiplier);
        sum2 += std::log(la.crisis_multiplier) * std::log(la.crisis_multiplier);
    }
    const double n = static_cast<double>(councils.size());
    const double sd = std::sqrt((sum2 - sum * sum / n) / (n - 1));
    CHECK(mean == Approx(1).epsilon(0.01));  // weighted by size share, so by users up to rounding
    CHECK(sd == Approx(sigma).epsilon(0.1)); // sd of a sample of 300: about 4% of sigma

    // Simulated crisis rates per council follow: the log rates have sd about
    // sqrt(sigma^2 + Poisson noise) and track the multipliers.
    Scenario alike = s;
    alike.set_constant("council.crisis_sigma", 0);
    const auto r = simulate(s, {6, 0, 1.0});
    const auto r0 = simulate(alike, {6, 0, 1.0});
    std::vector<double> log_rate, log_mult;
    double events = 0;
    for (int c = 0; c < r.councils; ++c) {
        double crises = 0, person_months = 0;
        for (int t = 0; t < r.months; ++t) {
            crises += r.at(Metric::crises, t, c);
            person_months += r.at(Metric::population, t, c);
        }
        events += crises;
        log_rate.push_back(std::log(crises / person_months));
        log_mult.push_back(std::log(councils[c].crisis_multiplier));
    }
    auto stats = [](const std::vector<double>& x, const std::vector<double>& y) {
        const double m = static_cast<double>(x.size());
        double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
        for (std::size_t i = 0; i < x.size(); ++i)
            mx += x[i] / m, my += y[i] / m;
        for (std::size_t i = 0; i < x.size(); ++i)
            sxx += (x[i] - mx) * (x[i] - mx), syy += (y[i] - my) * (y[i] - my),
                sxy += (x[i] - mx) * (y[i] - my);
        return std::pair{std::sqrt(sxx / (m - 1)), sxy / std::sqrt(sxx * syy)};
    };
    const auto [sd_rate, correlation] = stats(log_rate, log_mult);
    const double poisson = std::sqrt(n / events); // about 1 / sqrt(crises per council)
    CHECK(sd_rate == Approx(std::sqrt(sigma * sigma + poisson * poisson)).epsilon(0.12));
    CHECK(correlation > 0.9);
    // The national crisis rate stays about the same (within 3%).
    CHECK(run_total(r, Metric::crises) == Approx(run_total(r0, Metric::crises)).epsilon(0.03));
}

TEST_CASE("timelines: steps hold, ramps move linearly month by month, set_from keeps the past") {
    const Month m0 = Month::from_ym(2003, 4), m1 = Month::from_ym(2013, 4);
    Timeline t{{{Month{0}, 0.1}, {m0, 0.0}, {m1, 0.8, true}}};
    CHECK(t.ramps());
    CHECK(t.at(m0 + (-1)) == 0.1);
    CHECK(t.at(m0) == 0.0);
    // 120 months: 0.8 / 120 a month, exactly the closed form.
    for (int k = 0; k <= 120; ++k)
        CHECK(t.at(m0 + k) == 0.0 + 0.8 * (static_cast<double>(k) / 120.0));
    CHECK(t.at(m0 + 60) == Approx(0.4).epsilon(1e-15));
    CHECK(t.at(m1 + 50) == 0.8);
    SECTION("a step inside a ramp cuts it at the month before, values before unchanged") {
        Timeline cut = t;
        const Month at = m0 + 30;
        cut.set_from(at, 0.5);
        for (Month m = m0 + (-5); m < at; m = m + 1)
            CHECK(cut.at(m) == t.at(m));
        CHECK(cut.at(at) == 0.5);
        CHECK(cut.at(m1 + 3) == 0.5);
    }
    SECTION("a new ramp end replaces the old one and keeps its start") {
        Timeline longer = t;
        longer.set_from(m1, 0.4, true);
        CHECK(longer.at(m0 + 60) == Approx(0.2).epsilon(1e-15));
        CHECK(longer.at(m1) == 0.4);
    }
    SECTION("a ramp down") {
        const Timeline down{{{Month{0}, 1.0}, {m0, 1.0}, {m0 + 4, 0.0, true}}};
        CHECK(down.at(m0 + 1) == 0.75);
        CHECK(down.at(m0 + 2) == 0.5);
        CHECK(down.at(m0 + 3) == 0.25);
        CHECK(down.at(m0 + 4) == 0.0);
    }
}

TEST_CASE("paced policies: each council takes a change up at its own date, early adopters first, "
          "all on the national date from councils_converge") {
    Scenario s = small_scenario(8000, 12, 10);
    const Month national = Month::from_ym(2006, 1), converge = Month::from_ym(2008, 1);
    s.set_constant("policy.managed_budgets", 0);
    s.set_from("policy.managed_budgets", national, 1);
    s.set_constant("council.adoption_spread", 1.5);
    s.councils_converge = converge;
    Simulation sim(s, {2, 0, 1.0});
    const auto& las = sim.world().councils;
    int early = 0, late = 0;
    for (const auto& la : las) {
        // 1.5 years per standard deviation of culture, early adopters ahead.
        CHECK(la.adoption_lag == std::lround(-18 * std::clamp(la.culture_z, -2.5, 2.5)));
        CHECK((la.dp_culture > 1) == (la.adoption_lag <= 0 && la.culture_z > 0));
        early += la.adoption_lag < 0;
        late += la.adoption_lag > 0;
    }
    REQUIRE(early > 0);
    REQUIRE(late > 0);
    while (!sim.done())
        sim.step();
    const auto& r = sim.result();
    for (int c = 0; c < r.councils; ++c) {
        INFO("council " << c << ", lag " << las[c].adoption_lag);
        const Month own = std::min(national + las[c].adoption_lag, converge);
        const int first = own - s.start;
        for (int t = 0; t < first; ++t)
            REQUIRE(r.series(Metric::holding_managed)[t * r.councils + c] == 0);
        // Adoption opens the door: budgets follow within a year or two.
        CHECK(r.series(Metric::holding_managed)[(r.months - 1) * r.councils + c] > 0);
    }
    SECTION("a laggard reads the start month's values, not the timeline before the run") {
        // The registry default (0.15) holds before 2001-01; none from the start.
        s.set_from("dp_support_service.coverage", s.start, 0.0);
        const auto lagged = simulate(s, {2, 0, 1.0});
        for (int t = 0; t < lagged.months; ++t)
            REQUIRE(lagged.national(Metric::dp_support_users, t) == 0);
    }
    SECTION("without a spread every council is on the national date") {
        s.set_constant("council.adoption_spread", 0);
        const auto flat = simulate(s, {2, 0, 1.0});
        for (int t = 0; t < national - s.start; ++t)
            REQUIRE(flat.national(Metric::holding_managed, t) == 0);
        CHECK(flat.national(Metric::holding_managed, national - s.start + 12) > 0);
    }
}

TEST_CASE("summary history figures: concentration, approval share and growth jump in closed form") {
    Scenario s = Scenario::defaults();
    s.start = Month::from_ym(2001, 1);
    s.end = Month::from_ym(2014, 12);
    s.set_constant("population.councils", 20);
    ReplicationResult r;
    r.resize(s.months(), 20);
    // DP holders: council c holds c + 1 (1..20, total 210) at the end of 2005; the top 11
    // (10..20) hold 165.
    const int mid = Month::from_ym(2005, 12) - s.start;
    for (int c = 0; c < 20; ++c)
        r.series(Metric::holding_dp)[mid * 20 + c] = c + 1;
    // National DP holders each December 2001-2008 grow 100%, then 50% x 5, then 20%:
    // the largest year (100%) over the median of the others (50%) is 2.
    const double dec[] = {100, 200, 300, 450, 675, 1012.5, 1518.75, 1822.5};
    for (int y = 2001; y <= 2008; ++y) {
        const int t = Month::from_ym(y, 12) - s.start;
        if (t == mid) continue; // 2005: the council pattern above, total 210 (set below)
        r.series(Metric::holding_dp)[t * 20] = dec[y - 2001];
    }
    // 2005 must total 675 for the growth series: scale the council pattern.
    for (int c = 0; c < 20; ++c)
        r.series(Metric::holding_dp)[mid * 20 + c] *= 675.0 / 210.0;
    // Approvals 30 a month, refusals 50 (20 of them at the boundary, counted in both), April
    // 2012 to March 2013: 30 of 80 decisions approved.
    for (int t = Month::from_ym(2012, 4) - s.start; t <= Month::from_ym(2013, 3) - s.start; ++t) {
        r.series(Metric::approvals)[t * 20 + 3] = 30;
        r.series(Metric::refusals)[t * 20 + 5] = 50;
        r.series(Metric::boundary_refusals)[t * 20 + 7] = 20;
    }
    // A month outside the window does not count.
    r.series(Metric::approvals)[(Month::from_ym(2013, 4) - s.start) * 20] = 1000;
    const auto summary = summarise(r, s, 1.0);
    auto value = [&](std::string_view name) {
        for (const auto& v : summary)
            if (v.name == name) return v.value;
        FAIL("no summary column " << name);
        return 0.0;
    };
    CHECK(value("dp_top11_council_share_2005_12") == Approx(165.0 / 210.0).epsilon(1e-12));
    CHECK(value("assessment_approval_share_2012_13") == Approx(0.375).epsilon(1e-12));
    CHECK(value("dp_growth_jump_2002_2008") == Approx(2.0).epsilon(1e-12));
    SECTION("a run that ends before the window gives NaN, not a number") {
        s.end = Month::from_ym(2004, 12);
        ReplicationResult short_run;
        short_run.resize(s.months(), 20);
        const auto early = summarise(short_run, s, 1.0);
        for (const auto* name : {"dp_top11_council_share_2005_12",
                                 "assessment_approval_share_2012_13", "dp_growth_jump_2002_2008"})
            for (const auto& v : early)
                if (v.name == name) CHECK(std::isnan(v.value));
    }
}
