// Model parameters: plain structs grouped by process, one field per parameter.
//
// Defaults, units, ranges, descriptions and sources live in one place, the
// registry in parameters.cpp; the scenario validator and docs/parameters.md are
// both generated from it. Field paths (`awareness.from_peer`) are the TOML keys.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace pbsim {

struct PopulationParams {
    int users;                  // eligible service users at national scale
    int councils;               // local authorities with social services duties
    double council_size_sigma;  // lognormal spread of council sizes
    double exit_rate;           // monthly probability of leaving (discharge, move, death)
    double share_severity_1;    // least severe
    double share_severity_3;    // most severe; severity 2 takes the rest
    double confidence_mean;     // confidence to manage money and support, 0-1
    double trust_mean;          // trust in services, 0-1
    double attribute_sd;        // spread of confidence and trust on the logit scale
    double carer_share;         // share with an informal carer
    double initial_aware_share; // aware of direct payments at the start
    double initial_dp_share;    // holding a direct payment at the start
};

struct NetworkParams {
    int mean_degree;            // peer ties per user (even)
    double rewiring;            // small-world rewiring probability
    double cross_council_share; // share of rewired ties that leave the council
};

struct CouncilParams {
    int seed;                // seed of the synthetic councils, fixed whatever the run's --seed
    double dp_culture_sigma; // lognormal spread of council DP culture (early adopters vs laggards)
    double amount_sigma;     // lognormal spread of council resource-allocation levels
    double culture_service_effect; // DP support coverage in a council = 1 - (1 -
                                   // coverage)^(culture^this)
    double crisis_sigma;           // lognormal spread of council crisis-hazard multipliers (mean 1)
    double adoption_spread;        // years: SD of a council's lag behind the national dates of
                                   // paced policies (early adopters lead, laggards follow)
};

struct CoordinatorParams {
    int caseload;               // users per care coordinator
    double attitude_mean;       // mean attitude to PBs of new staff (0 sceptic, 1 champion)
    double attitude_sd;         // spread of attitude, logit scale
    double culture_effect;      // shift of attitude logit per unit log council DP culture
    double risk_aversion_mean;  // mean risk aversion, 0-1
    double risk_aversion_sd;    // spread of risk aversion, logit scale
    double knowledge_new;       // knowledge of PBs of a new coordinator, 0-1
    double assessment_capacity; // assessments a coordinator can start per month
    double turnover;            // monthly probability a coordinator leaves
};

struct WorkforceParams {
    double restructuring;          // restructuring intensity, 0 none, 1 major (time-varying)
    double restructuring_turnover; // turnover multiplier at intensity 1
    double restructuring_reassign; // monthly probability a user is moved to another coordinator at
                                   // intensity 1
    double lost_request_on_change; // probability a pending request is lost when the coordinator
                                   // changes
    double continuity_window_months; // months after a change of coordinator that count as lost
                                     // continuity
};

struct TrainingParams {
    double rate;           // monthly probability a coordinator is trained (lever)
    double knowledge_gain; // knowledge added by training
    double attitude_gain;  // attitude logit added by training
};

struct AwarenessParams {
    double background; // monthly probability from general sources
    double
        from_coordinator; // monthly probability from a coordinator with attitude 1 and knowledge 1
    double from_peer;     // monthly probability per peer holding a PB
    double from_peer_group; // monthly probability for a member of a peer-support group
    double from_campaign;   // monthly probability at campaign intensity 1
    double from_voluntary;  // monthly probability at voluntary-sector strength 1
    double from_advocate;   // monthly probability for a user an advocate reaches
};

struct RequestParams {
    double base_rate;           // monthly request probability at reference values
    double burden_effect;       // log hazard ratio per unit of unhelped application burden
    double trust_effect;        // log hazard ratio per unit of trust above 0.5
    double confidence_effect;   // log hazard ratio per unit of confidence above 0.5
    double carer_effect;        // log hazard ratio for having an informal carer
    double coordinator_effect;  // log hazard ratio per unit of coordinator attitude above 0.5
    double peer_effect;         // log hazard ratio per peer holding a PB (up to 3)
    double recent_crisis_hr;    // hazard ratio within 3 months of a crisis
    double handed_back_hr;      // hazard ratio after having handed a budget back
    double active_offer_effect; // log hazard ratio at active-offer level 1
    double generosity_effect;   // log hazard ratio per log of allocation.amount_multiplier
    double discouraged_months;  // months a refusal deters a new request
};

struct AssessmentParams {
    double mean_months;     // mean duration of an assessment
    double approval_base;   // approval log-odds at reference values
    double attitude_effect; // log-odds per unit of coordinator attitude above 0.5
    double
        risk_aversion_effect; // log-odds lost per unit risk aversion x severity above 1 (per level)
    double eligibility_effect;     // log-odds lost per unit eligibility threshold
    double budget_pressure_effect; // log-odds lost per unit budget pressure
    double active_offer_effect;    // log-odds gained at active-offer level 1
};

struct SupportPlanningParams {
    double mean_months;        // mean duration of support planning
    double dp_share;           // share choosing a DP (not a managed budget) without support
    double dp_support_dp_gain; // share added for users a DP support service reaches
};

struct AllocationParams {
    double median_severity_1; // median annual PB, GBP, by severity
    double median_severity_2;
    double median_severity_3;
    double sigma;             // lognormal spread within council and severity
    double max_amount;        // cap on an annual PB, GBP
    double amount_multiplier; // policy multiplier on amounts (integrated budgets)
    double effect_elasticity; // PB effects scale with (amount / reference median)^this
    double effect_scale_cap;  // ...up to this multiple
};

struct HoldingParams {
    double handback_rate;          // monthly hand-back probability at reference values
    double burden_effect;          // log hazard ratio per unit application complexity, DP holders
    double confidence_effect;      // log hazard ratio per unit of confidence above 0.5
    double dp_support_hr;          // hazard ratio for DP holders a DP support service reaches
    double peer_support_hr;        // hazard ratio for peer-group members
    double continuity_hr;          // hazard ratio after a change of coordinator
    double review_end;             // probability an annual review ends the budget
    double review_pressure_effect; // relative rise of review_end per unit budget pressure
};

struct CrisisParams {
    double rate_severity_1; // monthly crisis probability by severity
    double rate_severity_2;
    double rate_severity_3;
    double pb_effect;            // relative reduction for PB holders once built up
    double buildup_months;       // months of holding for the PB effect to build up fully
    double continuity_hr;        // hazard ratio after a change of coordinator
    double share_admission;      // share of crises resolved by an inpatient admission
    double share_home_treatment; // share resolved by crisis resolution / home treatment
    double los_median_days;      // median inpatient length of stay
    double los_sigma;            // lognormal spread of length of stay
};

struct PolicyParams {
    double managed_budgets;        // 1 once managed personal budgets exist (2008), else DPs only
    double active_offer;           // strength of the duty to offer a PB to all eligible, 0-1
    double application_complexity; // burden of the application, 1 = status quo
    double eligibility_threshold;  // strictness of eligibility, 0-1
    double budget_pressure;        // financial pressure on the council, 0-1
    double market_development;     // share of a budget that can actually be spent as planned
    double substitution;      // share of a budget's spend that replaces the holder's traditional
                              // services, set at the budget's start and at each annual review
    double traditional_level; // traditional community services provided, 1 = the full package
    double merged_budgets;    // 1: health and social care budgets merged (one assessment, plan)
    double nhs_pooling;       // share of merged budgets into which the NHS pays the health part
};

// The health/social care boundary (Glendinning et al. 2008: "difficulties of
// deciding which are health and which are social care needs").
struct BoundaryParams {
    double health_need_share; // share of users whose needs are partly health needs
    double health_part;       // share of such a person's assessed need that is a health need
    double refusal;           // split funding: probability such a request is refused as health
    double second_assessment_months; // split funding: extra months for a second (NHS) assessment
    double phb_access; // split funding: probability the health part comes as a personal health
                       // budget (NHS) after the second assessment
};

// Contingency (crisis) plans in support plans (SCIE 2011).
struct ContingencyParams {
    double coverage;       // share of new or reviewed support plans with a contingency plan
    double admission_hr;   // relative share of a holder's crises that end in admission, with a plan
    double handback_hr;    // hand-back hazard ratio for holders with a plan
    double planning_hours; // coordinator hours to write a contingency plan
};

// A support service reaching a share of users (coverage) at a unit cost.
// Costed by use: a unit cost per user using it in a month plus a fixed cost per
// council where it runs (coverage above zero).
struct ServiceParams {
    double coverage;   // share of users the service reaches, 0-1
    double effect;     // reduction in application burden (or crisis hazard) for those reached
    double cost;       // GBP per user using the service per month
    double fixed_cost; // GBP per council-month where the service runs
};

struct InformationParams {
    double campaign_intensity; // information campaign intensity, 0-1 (lever)
    double campaign_cost;      // GBP per user per month at intensity 1
    double voluntary_strength; // voluntary-sector strength, 0-1
    double quality;            // quality of information (accessible, accurate, honest about risk)
    double quality_cost;       // GBP per user per month at quality 1
    double request_effect;     // log hazard ratio of requesting per unit of quality
    double early_handback_excess; // extra hand-back hazard in the first months at quality 0
    double early_months;          // months of holding that count as early
};

// Support from traditional services: a shortfall (1 - policy.traditional_level)
// raises the crisis hazard and lowers quality of life.
struct ServicesParams {
    double crisis_shortfall_effect; // relative rise of the crisis hazard per unit of shortfall
    double ascot_shortfall_loss;    // ASCOT lost per unit of shortfall
    double utility_shortfall_loss;  // EQ-5D lost per unit of shortfall
};

// Who pays each cost category: the NHS share (the council pays the rest). A
// budget's two parts are paid by mechanism (see allocation.hpp); the holder
// pays a share of the council part through charges. The table that maps
// categories to these fields is in payers.cpp.
struct PayerParams {
    double traditional_services_nhs;
    double care_coordination_nhs;
    double assessment_nhs;
    double health_assessment_nhs;
    double support_planning_nhs;
    double contingency_planning_nhs;
    double reviews_nhs;
    double dp_support_service_nhs;
    double advocacy_nhs;
    double peer_support_nhs;
    double crisis_prevention_nhs;
    double information_nhs;
    double coordinator_training_nhs;
    double home_treatment_nhs;
    double a_and_e_nhs;
    double inpatient_nhs;
    double person_contribution; // share of the council part of budgets paid by the holder
};

struct CostParams {
    double hourly_rate;            // GBP per hour of care-coordinator time
    double coordination_hours;     // hours per user per month of routine care coordination
    double assessment_hours;       // hours per PB assessment (each of two under split funding)
    double support_planning_hours; // hours per support plan
    double review_hours;           // hours per annual PB review
    double training;               // GBP per coordinator trained
    double traditional_services;   // GBP per user per month of traditional community services
    double bed_day;                // GBP per inpatient bed-day
    double home_treatment;         // GBP per crisis resolution / home treatment episode
    double a_and_e;                // GBP per A&E attendance
};

struct OutcomeParams {
    double ascot_severity_1; // care-related quality of life (ASCOT, 0-1) by severity
    double ascot_severity_2;
    double ascot_severity_3;
    double ascot_pb_gain;      // ASCOT gain once a PB has built up
    double ascot_crisis_loss;  // ASCOT loss in a month with a crisis or in hospital
    double utility_severity_1; // health utility (EQ-5D) by severity
    double utility_severity_2;
    double utility_severity_3;
    double utility_pb_gain;     // utility gain from a PB (small and uncertain)
    double utility_crisis_loss; // utility loss in a month with a crisis or in hospital
    double discount_rate;       // annual discount rate for costs and outcomes
};

struct Parameters {
    PopulationParams population;
    NetworkParams network;
    CouncilParams council;
    CoordinatorParams coordinator;
    WorkforceParams workforce;
    TrainingParams training;
    AwarenessParams awareness;
    RequestParams request;
    AssessmentParams assessment;
    SupportPlanningParams support_planning;
    AllocationParams allocation;
    HoldingParams holding;
    CrisisParams crisis;
    PolicyParams policy;
    BoundaryParams boundary;
    ContingencyParams contingency;
    ServiceParams dp_support_service;
    ServiceParams advocacy;
    ServiceParams peer_support;
    ServiceParams crisis_prevention;
    InformationParams information;
    ServicesParams services;
    CostParams cost;
    OutcomeParams outcome;
    PayerParams payer;
};

// One row of the registry.
struct ParameterSpec {
    std::string_view key; // dotted path, also the TOML key
    std::string_view unit;
    double default_value;
    double min;
    double max;
    bool integer;      // value must be a whole number
    bool time_varying; // may change by date in a scenario; structural parameters may not
    // A policy each council takes up at its own pace: it reads the timeline at
    // its own date, shifted by its adoption lag (council.adoption_spread).
    bool paced;
    std::string_view description;
    std::string_view source;
    double* (*real)(Parameters&); // exactly one of real / whole is set
    int* (*whole)(Parameters&);

    double get(const Parameters& p) const;
    void set(Parameters& p, double value) const;
};

std::span<const ParameterSpec> parameter_registry();
// Index into parameter_registry(), or -1.
int find_parameter(std::string_view key);
Parameters default_parameters();

} // namespace pbsim
