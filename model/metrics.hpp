// The output dictionary: every per-council monthly metric, with its unit and
// meaning. The HDF5 writer and docs/hdf5-schema.md are generated from this table.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace pbsim {

// cost: one category of spending (they add up to the total); payer: the same
// month's costs as paid by one payer (they add up to the same total).
enum class MetricKind { state, flow, outcome, cost, payer };

#define PBSIM_METRICS(X)                                                                           \
    /* pathway state counts at the end of the month */                                             \
    X(population, state, "people", "Active service users")                                         \
    X(unaware, state, "people", "Users who have not heard of personal budgets")                    \
    X(aware, state, "people", "Users aware of PBs who have not (yet) requested one")               \
    X(requested, state, "people", "Users waiting for an assessment")                               \
    X(in_assessment, state, "people", "Users being assessed")                                      \
    X(support_planning, state, "people", "Users approved and planning their support")              \
    X(holding_dp, state, "people", "Users holding a direct payment")                               \
    X(holding_managed, state, "people", "Users holding a managed personal budget")                 \
    X(handed_back, state, "people", "Users who returned a budget to traditional services")         \
    X(in_hospital, state, "people", "Users in an inpatient bed at the end of the month")           \
    /* flows during the month */                                                                   \
    X(entries, flow, "people/month", "New users entering services")                                \
    X(exits, flow, "people/month", "Users leaving (discharge, moving away, death)")                \
    X(became_aware, flow, "people/month", "Users who heard of PBs this month")                     \
    X(new_requests, flow, "people/month", "Requests for a PB")                                     \
    X(assessments_started, flow, "people/month", "Assessments started from the queue")             \
    X(approvals, flow, "people/month", "Assessments approved")                                     \
    X(refusals, flow, "people/month", "Assessments refused (user discouraged for some months)")    \
    X(boundary_refusals, flow, "people/month",                                                     \
      "Refusals because the need was judged a health need (split funding; part of refusals)")      \
    X(health_assessments, flow, "people/month",                                                    \
      "Second (NHS) assessments of people with health needs under split funding")                  \
    X(lost_requests, flow, "people/month",                                                         \
      "Requests or assessments lost on a change of coordinator")                                   \
    X(new_pbs, flow, "people/month", "Budgets starting (DP or managed)")                           \
    X(new_dps, flow, "people/month", "Budgets starting as a direct payment")                       \
    X(hand_backs, flow, "people/month", "Budgets handed back by the user")                         \
    X(review_endings, flow, "people/month", "Budgets ended at an annual review")                   \
    X(reviews, flow, "reviews/month", "Annual PB reviews")                                         \
    X(contingency_plans, flow, "plans/month",                                                      \
      "Contingency plans written (in a new support plan or at a review)")                          \
    X(crises, flow, "crises/month", "Mental health crises")                                        \
    X(home_treatments, flow, "episodes/month",                                                     \
      "Crises resolved by crisis resolution / home treatment")                                     \
    X(a_and_e_attendances, flow, "attendances/month", "Crises resolved at A&E")                    \
    X(admissions, flow, "admissions/month", "Crises resolved by an inpatient admission")           \
    X(bed_days, flow, "days/month", "Inpatient bed-days used")                                     \
    X(coordinator_changes, flow, "people/month", "Users whose care coordinator changed")           \
    X(coordinators_leaving, flow, "staff/month", "Care coordinators who left")                     \
    X(coordinators_trained, flow, "staff/month", "Care coordinators trained")                      \
    X(dp_support_users, state, "people",                                                           \
      "Users of a DP support service: reached and requesting, in assessment, planning or holding " \
      "a DP")                                                                                      \
    X(advocacy_users, state, "people",                                                             \
      "Users of advocacy: reached and requesting, in assessment or planning")                      \
    X(peer_support_members, state, "people", "Members of peer-support groups")                     \
    X(crisis_prevention_reached, state, "people", "Users a crisis prevention service reaches")     \
    X(holding_with_contingency_plan, state, "people", "Budget holders with a contingency plan")    \
    X(holding_with_nhs_part, state, "people", "Budget holders whose budget has an NHS part")       \
    X(traditional_packages, state, "packages",                                                     \
      "Traditional service packages provided (users in the community x level, net of the share "   \
      "budgets replace)")                                                                          \
    /* outcomes */                                                                                 \
    X(qalys, outcome, "QALYs/month", "Health-related QALYs accrued (undiscounted)")                \
    X(care_related_qol, outcome, "ASCOT score (0-1)",                                              \
      "Mean care-related quality of life of active users")                                         \
    /* costs, GBP 2012-13, undiscounted */                                                         \
    X(cost_pb_social_care, cost, "GBP/month",                                                      \
      "Personal budget spend, social-care part, usable share of allocations")                      \
    X(cost_pb_health_council, cost, "GBP/month",                                                   \
      "Personal budget spend, health part funded by the council (merged budgets)")                 \
    X(cost_pb_health_nhs, cost, "GBP/month",                                                       \
      "Personal budget spend, health part funded by the NHS (personal health budgets, merged)")    \
    X(cost_traditional_services, cost, "GBP/month",                                                \
      "Traditional community services, net of the share budgets replace")                          \
    X(cost_care_coordination, cost, "GBP/month", "Routine care-coordinator time")                  \
    X(cost_assessment, cost, "GBP/month", "PB assessments")                                        \
    X(cost_health_assessment, cost, "GBP/month", "Second (NHS) assessments under split funding")   \
    X(cost_support_planning, cost, "GBP/month", "Support planning")                                \
    X(cost_contingency_planning, cost, "GBP/month", "Contingency plans")                           \
    X(cost_reviews, cost, "GBP/month", "Annual PB reviews")                                        \
    X(cost_dp_support_service, cost, "GBP/month", "DP support services")                           \
    X(cost_advocacy, cost, "GBP/month", "Advocacy")                                                \
    X(cost_peer_support, cost, "GBP/month", "Peer-support groups")                                 \
    X(cost_crisis_prevention, cost, "GBP/month", "Crisis prevention services")                     \
    X(cost_information_campaign, cost, "GBP/month", "Information campaigns")                       \
    X(cost_information_quality, cost, "GBP/month",                                                 \
      "Information (quality of materials and advice)")                                             \
    X(cost_coordinator_training, cost, "GBP/month", "Coordinator training")                        \
    X(cost_home_treatment, cost, "GBP/month", "Crisis resolution / home treatment")                \
    X(cost_a_and_e, cost, "GBP/month", "A&E attendances")                                          \
    X(cost_inpatient, cost, "GBP/month", "Inpatient bed-days")                                     \
    /* the same costs by payer (payers.cpp) */                                                     \
    X(cost_nhs, payer, "GBP/month", "Costs paid by the NHS")                                       \
    X(cost_council, payer, "GBP/month", "Costs paid by the council (adult social care)")           \
    X(cost_person, payer, "GBP/month", "Costs paid by the person (charges towards their budget)")

enum class Metric : int {
#define PBSIM_METRIC_ENUM(name, kind, unit, desc) name,
    PBSIM_METRICS(PBSIM_METRIC_ENUM)
#undef PBSIM_METRIC_ENUM
};

struct MetricSpec {
    std::string_view name;
    MetricKind kind;
    std::string_view unit;
    std::string_view description;
};

inline constexpr std::array kMetrics = {
#define PBSIM_METRIC_SPEC(name, kind, unit, desc) MetricSpec{#name, MetricKind::kind, unit, desc},
    PBSIM_METRICS(PBSIM_METRIC_SPEC)
#undef PBSIM_METRIC_SPEC
};

inline constexpr std::size_t kMetricCount = kMetrics.size();

constexpr std::size_t index(Metric m) {
    return static_cast<std::size_t>(m);
}

} // namespace pbsim
