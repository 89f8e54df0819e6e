// The mechanisms of who pays and what budgets replace: payers add up, the
// health/social care boundary, traditional services that do something,
// substitution at reviews, services costed by use, contingency plans and
// information quality. Paired runs with common random numbers, as in
// test_levers.cpp; exact checks where the accounting is closed-form.
#include "model/payers.hpp"
#include "model/simulation.hpp"
#include "model/summary.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

using namespace pbsim;
using namespace pbsim::testing;

namespace {

// Budgets in play, and every service running somewhere.
Scenario budget_world() {
    Scenario s = small_scenario(4000, 8, 10);
    s.set_constant("policy.managed_budgets", 1);
    s.set_constant("information.campaign_intensity", 0.3);
    s.set_constant("request.base_rate", 0.03);
    return s;
}

std::vector<double> paired(const Scenario& base, const std::string& key, double lo, double hi,
                           const Outcome& outcome, int replications = 6) {
    return paired_lever(base, key, lo, hi, outcome, replications, 99);
}

double cost_sum(const ReplicationResult& r, int t, int c) {
    double sum = 0;
    for (std::size_t k = 0; k < kMetricCount; ++k)
        if (kMetrics[k].kind == MetricKind::cost) sum += r.at(static_cast<Metric>(k), t, c);
    return sum;
}

} // namespace

TEST_CASE("payers: every cost category has one rule, and shares add up to one") {
    std::vector<int> seen(kMetricCount, 0);
    Parameters p = default_parameters();
    p.payer.person_contribution = 0.3;
    p.payer.traditional_services_nhs = 0.25;
    for (const auto& rule : payer_rules()) {
        ++seen[index(rule.category)];
        const auto s = payer_shares(rule, p);
        REQUIRE(s[0] + s[1] + s[2] == Approx(1.0).margin(1e-12));
        for (double x : s)
            REQUIRE((x >= 0 && x <= 1));
    }
    for (std::size_t k = 0; k < kMetricCount; ++k)
        REQUIRE(seen[k] == (kMetrics[k].kind == MetricKind::cost ? 1 : 0));
    // The holder pays charges only on the social-care part of their budget,
    // never on health care, whoever funds it.
    for (const auto& rule : payer_rules()) {
        const auto shares = payer_shares(rule, p);
        if (rule.category == Metric::cost_pb_social_care)
            REQUIRE(shares[2] == Approx(0.3 * (1 - shares[0])));
        else
            REQUIRE(shares[2] == 0);
    }
    const auto council_health =
        std::find_if(payer_rules().begin(), payer_rules().end(),
                     [](auto& r) { return r.category == Metric::cost_pb_health_council; });
    REQUIRE(council_health != payer_rules().end());
    REQUIRE(payer_shares(*council_health, p)[1] == 1);
}

TEST_CASE("payers: NHS, council and person costs add up to the total in every council-month") {
    Scenario s = budget_world();
    s.set_constant("payer.person_contribution", 0.1);
    s.set_constant("payer.traditional_services_nhs", 0.4);
    s.set_constant("boundary.phb_access", 0.5);
    const auto r = simulate(s, {3, 0, 1.0});
    double nhs = 0;
    for (int t = 0; t < r.months; ++t)
        for (int c = 0; c < r.councils; ++c) {
            const double paid = r.at(Metric::cost_nhs, t, c) + r.at(Metric::cost_council, t, c) +
                                r.at(Metric::cost_person, t, c);
            REQUIRE(paid == Approx(cost_sum(r, t, c)).epsilon(1e-12));
            nhs += r.at(Metric::cost_nhs, t, c);
        }
    REQUIRE(nhs > 0);
    REQUIRE(run_total(r, Metric::cost_person) > 0);
    // The summary's payer totals add up too, and NHS + PSS leaves out the person.
    const auto summary = summarise(r, s, 1.0);
    auto column = [&](const std::string& name) {
        for (const auto& v : summary)
            if (v.name == name) return v.value;
        FAIL("no summary column " << name);
        return 0.0;
    };
    for (std::string suffix : {"_total", "_discounted"}) {
        const double sum = column("cost_nhs" + suffix) + column("cost_council" + suffix) +
                           column("cost_person" + suffix);
        const std::string all = suffix == "_total" ? "cost_total" : "cost_total_discounted";
        REQUIRE(sum == Approx(column(all)).epsilon(1e-12));
        REQUIRE(column("cost_nhs_pss" + suffix) ==
                Approx(sum - column("cost_person" + suffix)).epsilon(1e-12));
    }
}

TEST_CASE("the health/social care boundary refuses and cuts back; merged budgets do not") {
    const Scenario s = budget_world();
    SECTION("split funding refuses some requests as health needs") {
        const auto r = simulate(s, {5, 0, 1.0});
        REQUIRE(run_total(r, Metric::boundary_refusals) > 0);
        REQUIRE(run_total(r, Metric::boundary_refusals) <= run_total(r, Metric::refusals));
        REQUIRE(run_total(r, Metric::health_assessments) > 0);
    }
    SECTION("merging removes the refusals and the second assessments, and adds budgets") {
        Scenario m = s;
        m.set_constant("policy.merged_budgets", 1);
        const auto r = simulate(m, {5, 0, 1.0});
        REQUIRE(run_total(r, Metric::boundary_refusals) == 0);
        REQUIRE(run_total(r, Metric::health_assessments) == 0);
        require_increase(paired(s, "policy.merged_budgets", 0, 1, total(Metric::new_pbs)));
    }
    SECTION("a stricter boundary means fewer budgets") {
        require_decrease(paired(s, "boundary.refusal", 0, 0.8, total(Metric::new_pbs)));
    }
    SECTION("personal health budgets put NHS money into budgets") {
        Scenario none = s;
        none.set_constant("boundary.phb_access", 0);
        REQUIRE(run_total(simulate(none, {5, 0, 1.0}), Metric::cost_pb_health_nhs) == 0);
        require_increase(paired(s, "boundary.phb_access", 0, 1, total(Metric::cost_pb_health_nhs)));
    }
}

TEST_CASE("traditional services do something: cutting them without a budget worsens outcomes") {
    Scenario s = small_scenario(4000, 8, 10); // few budgets: nothing takes their place
    SECTION("crises rise") {
        require_increase(paired(s, "policy.traditional_level", 1, 0.6, total(Metric::crises)));
    }
    SECTION("care-related quality of life and QALYs fall") {
        require_decrease(
            paired(s, "policy.traditional_level", 1, 0.6, total(Metric::care_related_qol)));
        require_decrease(paired(s, "policy.traditional_level", 1, 0.6, total(Metric::qalys)));
    }
    SECTION("and the saving is the services not provided") {
        require_decrease(paired(s, "policy.traditional_level", 1, 0.6,
                                total(Metric::cost_traditional_services)));
    }
}

TEST_CASE("substitution saves only by taking support away, and only at starts and reviews") {
    const Scenario s = budget_world();
    SECTION("a saving on traditional services comes with less from budgets") {
        require_decrease(
            paired(s, "policy.substitution", 0, 0.6, total(Metric::cost_traditional_services)));
        require_decrease(paired(s, "policy.substitution", 0, 0.6, total(Metric::care_related_qol)));
        require_increase(paired(s, "policy.substitution", 0, 0.6, total(Metric::crises)));
    }
    SECTION("where budgets add nothing, substitution saves exactly the services it replaces") {
        // With no PB effects there is no added support to lose: substitution
        // changes no outcome, and what it saves is exactly the traditional
        // services the budget now pays for, the budget itself unchanged.
        Scenario z = s;
        z.set_constant("crisis.pb_effect", 0);
        z.set_constant("outcome.ascot_pb_gain", 0);
        z.set_constant("outcome.utility_pb_gain", 0);
        Scenario a = z, b = z;
        a.set_constant("policy.substitution", 0);
        b.set_constant("policy.substitution", 0.6);
        const auto ra = simulate(a, {8, 0, 1.0}), rb = simulate(b, {8, 0, 1.0});
        REQUIRE(run_total(ra, Metric::crises) == run_total(rb, Metric::crises));
        REQUIRE(run_total(ra, Metric::qalys) == run_total(rb, Metric::qalys));
        REQUIRE(run_total(ra, Metric::cost_pb_social_care) ==
                Approx(run_total(rb, Metric::cost_pb_social_care)).epsilon(1e-9));
        const double packages = run_total(rb, Metric::traditional_packages) -
                                run_total(ra, Metric::traditional_packages);
        REQUIRE(packages < 0);
        const double traditional = run_total(rb, Metric::cost_traditional_services) -
                                   run_total(ra, Metric::cost_traditional_services);
        const double unit = z.at(z.start).cost.traditional_services;
        REQUIRE(traditional == Approx(unit * packages).epsilon(1e-9));
        double all_a = 0, all_b = 0;
        for (std::size_t k = 0; k < kMetricCount; ++k)
            if (kMetrics[k].kind == MetricKind::cost) {
                all_a += run_total(ra, static_cast<Metric>(k));
                all_b += run_total(rb, static_cast<Metric>(k));
            }
        REQUIRE(all_b - all_a == Approx(traditional).epsilon(1e-6));
    }
    SECTION("substitution starting mid-run reaches holders only as budgets start or are reviewed") {
        const int from = 60;
        Scenario a = s, b = s;
        a.set_constant("policy.substitution", 0);
        b.set_constant("policy.substitution", 0);
        b.set_from("policy.substitution", s.start + from, 0.8);
        const auto ra = simulate(a, {4, 0, 1.0}), rb = simulate(b, {4, 0, 1.0});
        for (int t = 0; t < from; ++t)
            REQUIRE(ra.national(Metric::traditional_packages, t) ==
                    rb.national(Metric::traditional_packages, t));
        const double replaced = ra.national(Metric::traditional_packages, from) -
                                rb.national(Metric::traditional_packages, from);
        const double changed =
            rb.national(Metric::new_pbs, from) + rb.national(Metric::reviews, from);
        const double holders =
            rb.national(Metric::holding_dp, from) + rb.national(Metric::holding_managed, from);
        INFO("replaced " << replaced << " packages; " << changed << " budgets started or reviewed; "
                         << holders << " holders");
        REQUIRE(replaced > 0);
        REQUIRE(replaced <= changed + 1e-9); // at most one package per budget started or reviewed
        REQUIRE(changed < holders / 4);      // relabelling every holder would replace far more
    }
}

TEST_CASE("DP support and advocacy act where they are charged: applications kept, plans sooner") {
    Scenario s = budget_world();
    s.set_constant("workforce.restructuring", 1); // changes of coordinator lose applications
    s.set_constant("workforce.lost_request_on_change", 0.8);
    // Rates, since the services also bring more people into the pathway.
    const Outcome lost_per_application = [](const ReplicationResult& r) {
        return run_total(r, Metric::lost_requests) /
               (run_total(r, Metric::requested) + run_total(r, Metric::in_assessment));
    };
    const Outcome plans_done_per_month = [](const ReplicationResult& r) {
        return run_total(r, Metric::new_pbs) / run_total(r, Metric::support_planning);
    };
    for (const char* service : {"advocacy.coverage", "dp_support_service.coverage"}) {
        INFO(service);
        require_decrease(paired(s, service, 0, 1, lost_per_application));
        require_increase(paired(s, service, 0, 1, plans_done_per_month));
    }
}

TEST_CASE("merged budgets reach existing holders at their review, with the whole need") {
    Scenario split = budget_world(), merged = budget_world();
    merged.set_from("policy.merged_budgets", merged.start + 60, 1);
    const auto a = simulate(split, {12, 0, 1.0}), b = simulate(merged, {12, 0, 1.0});
    // Split funding never has the council fund a health part; once merged, it
    // does for new budgets and, at their review, for those already held.
    REQUIRE(run_total(a, Metric::cost_pb_health_council) == 0);
    double later = 0;
    for (int t = 72; t < b.months; ++t)
        later += b.national(Metric::cost_pb_health_council, t);
    REQUIRE(later > 0);
    // Someone who held a cut-back budget before the merger gets the whole
    // need at their first review after it.
    Simulation sim(merged, {12, 0, 1.0});
    while (sim.month() < 60)
        sim.step();
    const auto& u = sim.world().users;
    std::vector<std::uint32_t> cut_back;
    std::vector<std::int32_t> since;
    for (std::uint32_t i = 0; i < u.size(); ++i)
        if (is_holding(u.state[i]) && u.pb_amount[i] < u.pb_need[i] * 0.999f) {
            cut_back.push_back(i);
            since.push_back(u.state_since[i]);
        }
    REQUIRE(cut_back.size() > 5);
    while (sim.month() < 72)
        sim.step();
    int topped_up = 0, still_holding = 0;
    for (std::size_t k = 0; k < cut_back.size(); ++k) {
        const auto i = cut_back[k];
        if (!is_holding(u.state[i]) || u.state_since[i] != since[k]) continue; // not the same spell
        INFO("slot " << i << " holding since " << since[k] << ", last crisis " << u.last_crisis[i]
                     << ", amount " << u.pb_amount[i] << " of need " << u.pb_need[i]);
        CHECK(u.pb_amount[i] == Approx(u.pb_need[i]));
        ++still_holding;
        topped_up += u.pb_amount[i] == Approx(u.pb_need[i]) ? 1 : 0;
    }
    REQUIRE(still_holding > 0);
    REQUIRE(topped_up == still_holding);
    // No refusal as a health need once merged, and none of someone the NHS funds.
    for (int t = 60; t < b.months; ++t)
        REQUIRE(b.national(Metric::boundary_refusals, t) == 0);
    Scenario all_phb = budget_world();
    all_phb.set_constant("boundary.phb_access", 1);
    REQUIRE(run_total(simulate(all_phb, {12, 0, 1.0}), Metric::boundary_refusals) == 0);
}

TEST_CASE("every annual review happens, in hospital too") {
    // No hand-backs and no exits, so every holder whose 12th, 24th, ... month
    // of holding comes is reviewed; many are in hospital then.
    Scenario s = budget_world();
    s.set_constant("holding.handback_rate", 0);
    s.set_constant("population.exit_rate", 0);
    s.set_constant("crisis.rate_severity_1", 0.05);
    s.set_constant("crisis.share_admission", 1);
    s.set_constant("crisis.los_median_days", 60);
    Simulation sim(s, {21, 0, 1.0});
    double due = 0, due_in_hospital = 0;
    const auto& u = sim.world().users;
    while (!sim.done()) {
        const int t = sim.month();
        for (std::uint32_t i = 0; i < u.size(); ++i) {
            const int held = t - u.state_since[i];
            if (!is_holding(u.state[i]) || held <= 0 || held % 12 != 0) continue;
            ++due;
            due_in_hospital += u.hospital_days_left[i] > 0;
        }
        sim.step();
    }
    INFO(due << " reviews due, " << due_in_hospital << " of them in hospital");
    REQUIRE(due_in_hospital > 10);
    REQUIRE(run_total(sim.result(), Metric::reviews) == due);
}

TEST_CASE("support services are costed by use, plus a fixed cost where they run") {
    Scenario s = budget_world();
    s.set_constant("dp_support_service.coverage", 0.5);
    s.set_constant("council.culture_service_effect", 0); // the same coverage in every council
    s.set_constant("advocacy.coverage", 0.5);
    const auto r = simulate(s, {6, 0, 1.0});
    const Parameters p = s.at(s.start);
    const double fraction = static_cast<double>(simulated_users(s, 1.0)) / p.population.users;
    for (int t = 0; t < r.months; ++t)
        for (int c = 0; c < r.councils; ++c) {
            const double applying = r.at(Metric::requested, t, c) +
                                    r.at(Metric::in_assessment, t, c) +
                                    r.at(Metric::support_planning, t, c);
            REQUIRE(r.at(Metric::dp_support_users, t, c) <=
                    applying + r.at(Metric::holding_dp, t, c));
            REQUIRE(r.at(Metric::advocacy_users, t, c) <= applying);
            REQUIRE(r.at(Metric::cost_dp_support_service, t, c) ==
                    Approx(p.dp_support_service.cost * r.at(Metric::dp_support_users, t, c) +
                           p.dp_support_service.fixed_cost * fraction));
            REQUIRE(r.at(Metric::cost_advocacy, t, c) ==
                    Approx(p.advocacy.cost * r.at(Metric::advocacy_users, t, c) +
                           p.advocacy.fixed_cost * fraction));
        }
    SECTION("more people served cost more, by the unit cost") {
        require_increase(
            paired(s, "request.base_rate", 0.01, 0.05, total(Metric::dp_support_users)));
        require_increase(
            paired(s, "request.base_rate", 0.01, 0.05, total(Metric::cost_dp_support_service)));
    }
    SECTION("the national fixed cost does not depend on the scale") {
        Scenario f = small_scenario(20000, 8, 2);
        f.set_constant("advocacy.cost", 0);
        auto national = [&](double scale) {
            const auto rr = simulate(f, {1, 0, scale});
            for (const auto& v : summarise(rr, f, scale))
                if (v.name == "cost_advocacy_total") return v.value;
            return -1.0;
        };
        const double expected = f.at(f.start).advocacy.fixed_cost * 8 * 24;
        REQUIRE(national(1.0) == Approx(expected).epsilon(1e-9));
        REQUIRE(national(0.1) == Approx(expected).epsilon(1e-9));
        for (double coverage : {0.0, 0.009}) { // below 1%: the service does not run
            Scenario none = f;
            none.set_constant("advocacy.coverage", coverage);
            const auto rr = simulate(none, {1, 0, 1.0});
            REQUIRE(run_total(rr, Metric::cost_advocacy) == 0);
        }
    }
}

TEST_CASE("contingency plans lower admissions and hand-backs") {
    Scenario s = budget_world();
    s.set_constant("crisis.rate_severity_1", 0.03); // enough holders' crises to see it
    require_increase(paired(s, "contingency.coverage", 0, 1, total(Metric::contingency_plans)));
    require_decrease(paired(s, "contingency.coverage", 0, 1, total(Metric::admissions)));
    require_increase(paired(s, "contingency.coverage", 0, 1, total(Metric::home_treatments)));
    require_decrease(paired(s, "contingency.coverage", 0, 1, total(Metric::hand_backs)));
}

TEST_CASE("information quality raises requests and lowers early hand-backs") {
    const Scenario s = budget_world();
    require_increase(paired(s, "information.quality", 0, 1, total(Metric::new_requests)));
    SECTION("hand-backs fall with the same requests (no request effect)") {
        Scenario n = s;
        n.set_constant("information.request_effect", 0);
        require_decrease(paired(n, "information.quality", 0, 1, total(Metric::hand_backs)));
    }
}
