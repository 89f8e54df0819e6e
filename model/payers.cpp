#include "model/payers.hpp"

namespace pbsim {

namespace {

using P = PayerParams;
constexpr double kNone = 0;

const std::array kRules = {
    PayerRule{Metric::cost_pb_social_care, nullptr, 0.0, true,
              "council, less the holder's charges (payer.person_contribution)"},
    PayerRule{Metric::cost_pb_health_council, nullptr, 0.0, false,
              "council; no charges on health care (NHS care is free at the point of use)"},
    PayerRule{Metric::cost_pb_health_nhs, nullptr, 1.0, false,
              "NHS: personal health budgets and the NHS part of merged budgets"},
    PayerRule{Metric::cost_traditional_services, &P::traditional_services_nhs, kNone, false,
              "payer.traditional_services_nhs"},
    PayerRule{Metric::cost_care_coordination, &P::care_coordination_nhs, kNone, false,
              "payer.care_coordination_nhs"},
    PayerRule{Metric::cost_assessment, &P::assessment_nhs, kNone, false, "payer.assessment_nhs"},
    PayerRule{Metric::cost_health_assessment, &P::health_assessment_nhs, kNone, false,
              "payer.health_assessment_nhs"},
    PayerRule{Metric::cost_support_planning, &P::support_planning_nhs, kNone, false,
              "payer.support_planning_nhs"},
    PayerRule{Metric::cost_contingency_planning, &P::contingency_planning_nhs, kNone, false,
              "payer.contingency_planning_nhs"},
    PayerRule{Metric::cost_reviews, &P::reviews_nhs, kNone, false, "payer.reviews_nhs"},
    PayerRule{Metric::cost_dp_support_service, &P::dp_support_service_nhs, kNone, false,
              "payer.dp_support_service_nhs"},
    PayerRule{Metric::cost_advocacy, &P::advocacy_nhs, kNone, false, "payer.advocacy_nhs"},
    PayerRule{Metric::cost_peer_support, &P::peer_support_nhs, kNone, false,
              "payer.peer_support_nhs"},
    PayerRule{Metric::cost_crisis_prevention, &P::crisis_prevention_nhs, kNone, false,
              "payer.crisis_prevention_nhs"},
    PayerRule{Metric::cost_information_campaign, &P::information_nhs, kNone, false,
              "payer.information_nhs"},
    PayerRule{Metric::cost_information_quality, &P::information_nhs, kNone, false,
              "payer.information_nhs"},
    PayerRule{Metric::cost_coordinator_training, &P::coordinator_training_nhs, kNone, false,
              "payer.coordinator_training_nhs"},
    PayerRule{Metric::cost_home_treatment, &P::home_treatment_nhs, kNone, false,
              "payer.home_treatment_nhs"},
    PayerRule{Metric::cost_a_and_e, &P::a_and_e_nhs, kNone, false, "payer.a_and_e_nhs"},
    PayerRule{Metric::cost_inpatient, &P::inpatient_nhs, kNone, false, "payer.inpatient_nhs"},
};

constexpr std::size_t count_costs() {
    std::size_t n = 0;
    for (const auto& m : kMetrics)
        n += m.kind == MetricKind::cost;
    return n;
}
static_assert(kRules.size() == count_costs(), "every cost category needs a payer rule");

} // namespace

std::span<const PayerRule> payer_rules() {
    return kRules;
}

std::array<double, 3> payer_shares(const PayerRule& rule, const Parameters& p) {
    const double nhs = rule.nhs_share ? p.payer.*rule.nhs_share : rule.fixed_nhs_share;
    const double person = rule.person_contributes ? (1 - nhs) * p.payer.person_contribution : 0;
    return {nhs, 1 - nhs - person, person};
}

void apportion_to_payers(std::array<double, kMetricCount>& metric, const Parameters& p) {
    std::array<double, 3> paid{};
    for (const auto& rule : kRules) {
        const double cost = metric[index(rule.category)];
        const auto share = payer_shares(rule, p);
        for (int k = 0; k < 3; ++k)
            paid[k] += cost * share[k];
    }
    for (int k = 0; k < 3; ++k)
        metric[index(kPayerMetrics[k])] = paid[k];
}

} // namespace pbsim
