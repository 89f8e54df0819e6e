#include "model/parameters.hpp"

#include <array>
#include <cmath>

namespace pbsim {

namespace {

// R: a real parameter; I: a whole-number parameter. The member path is the key.
// F ("fixed") marks structural parameters that cannot change by date.
#define PBSIM_R(path, unit, def, lo, hi, varying, desc, src)                                       \
    ParameterSpec {                                                                                \
#path, unit, def, lo, hi, false, (varying) != F, (varying) == P, desc, src,                \
            [](Parameters & p) -> double* { return &p.path; }, nullptr                             \
    }
#define PBSIM_I(path, unit, def, lo, hi, desc, src)                                                \
    ParameterSpec {                                                                                \
#path, unit, def, lo, hi, true, false, false, desc, src, nullptr,                          \
            [](Parameters & p) -> int* { return &p.path; }                                         \
    }
// Source of the parameters fitted by `pbsim calibrate` (docs/calibration.md).
#define PBSIM_CALIBRATED                                                                           \
    "calibrated (ABC-SMC, scenarios/calibration/baseline.toml); fitted value in "                  \
    "scenarios/baseline.toml"

constexpr int F = 0; // fixed for the run
constexpr int V = 1; // may vary by date
constexpr int P = 2; // may vary by date, each council at its own pace (council.adoption_spread)

const std::array kRegistry = {
    // --- population (generation of the synthetic population: fixed for a run) ---
    PBSIM_I(population.users, "people", 150000, 1, 10000000,
            "Eligible adults with severe mental health problems known to secondary services, at "
            "national scale (scaled by --scale)",
            "evidence.md: working figure about 150,000 (E); 14.6% held a PB in 2011-12"),
    PBSIM_I(population.councils, "councils", 152, 1, 1000,
            "Local authorities with adult social services responsibilities",
            "evidence.md: 152 since April 2009 (M)"),
    PBSIM_R(population.council_size_sigma, "log scale", 0.5, 0.0, 3.0, F,
            "Lognormal spread of council population sizes", "assumption"),
    PBSIM_R(population.exit_rate, "probability/month", 0.012, 0.0, 0.5, F,
            "Monthly probability a user leaves (discharge, moving away, death); the place is taken "
            "by a new user",
            "assumption: mean stay about 7 years"),
    PBSIM_R(population.share_severity_1, "fraction", 0.40, 0.0, 1.0, F,
            "Share of users at severity 1 (least severe)", "assumption"),
    PBSIM_R(population.share_severity_3, "fraction", 0.20, 0.0, 1.0, F,
            "Share of users at severity 3 (most severe); severity 2 takes the rest", "assumption"),
    PBSIM_R(population.confidence_mean, "0-1", 0.5, 0.01, 0.99, F,
            "Mean confidence to manage money and support", "assumption"),
    PBSIM_R(population.trust_mean, "0-1", 0.5, 0.01, 0.99, F,
            "Mean trust in services (fear of 'the small print' when low)", "assumption"),
    PBSIM_R(population.attribute_sd, "logit scale", 1.0, 0.0, 5.0, F,
            "Spread of confidence and trust between users", "assumption"),
    PBSIM_R(population.carer_share, "fraction", 0.4, 0.0, 1.0, F,
            "Share of users with an informal carer", "assumption"),
    PBSIM_R(population.initial_aware_share, "fraction", 0.02, 0.0, 1.0, F,
            "Share aware of direct payments at the start (2001)", "assumption, hand-tuned"),
    PBSIM_R(population.initial_dp_share, "fraction", 0.0004, 0.0, 1.0, F,
            "Share holding a direct payment at the start (2001)",
            PBSIM_CALIBRATED "; targets.csv: about 50-200 MH DP users in 2001 (M)"),

    // --- peer network ---
    PBSIM_I(network.mean_degree, "ties", 6, 0, 100,
            "Mean number of peer ties per user (rounded down to even)", "assumption"),
    PBSIM_R(network.rewiring, "probability", 0.1, 0.0, 1.0, F,
            "Small-world rewiring probability of each tie", "assumption"),
    PBSIM_R(network.cross_council_share, "fraction", 0.1, 0.0, 1.0, F,
            "Share of rewired ties that go to a user in another council", "assumption"),

    // --- councils ---
    PBSIM_I(council.seed, "seed", 1, 0, 2147483647,
            "Seed of the synthetic councils (sizes, DP culture, allocation levels): they stand for "
            "England's 152 councils, so they stay the same whatever the run's --seed",
            "design choice"),
    PBSIM_R(council.dp_culture_sigma, "log scale", 1.8, 0.0, 4.0, F,
            "Spread of council DP culture; high values concentrate uptake in a few early-adopter "
            "councils",
            "evidence.md: 11 councils made over half of MH DPs in the mid-2000s (M); hand-tuned"),
    PBSIM_R(council.amount_sigma, "log scale", 0.25, 0.0, 2.0, F,
            "Spread of council resource-allocation levels", "assumption"),
    PBSIM_R(council.culture_service_effect, "exponent", 2.5, 0.0, 4.0, F,
            "Early adopters built DP support schemes: a council's DP support coverage is 1 - (1 - "
            "c)^(dp_culture^this), where c is dp_support_service.coverage (the coverage of a "
            "council of culture 1)",
            "assumption, hand-tuned; Hasler 2003: two councils with over 600 DP users each in 2002 "
            "(M)"),
    PBSIM_R(council.crisis_sigma, "log scale", 0.3, 0.0, 2.0, F,
            "Spread of council crisis hazards: each council's crisis rates are multiplied by "
            "exp(sigma z - sigma^2/2), z standard normal drawn from council.seed, divided by the "
            "population-weighted mean of these over the councils (so the national rate does not "
            "move); the same in every replication and scenario; 0 makes councils alike. It sets "
            "how much crises and admissions cluster by council (the ICC of docs/trial.md)",
            "assumption: admission rates vary about two-fold between areas of England (10th to "
            "90th percentile ratio exp(2.56 sigma) = 2.2 at 0.3), giving an ICC of admissions of "
            "about 0.01, the low end of the 0.01-0.05 seen in trials; not in evidence.md"),
    PBSIM_R(council.adoption_spread, "years", 0.0, 0.0, 10.0, F,
            "How far councils are from the national dates of the paced policies (self-directed "
            "support, managed budgets, the active offer, DP support schemes): a council of DP "
            "culture z standard deviations above the mean takes each change this times z years "
            "early (z within +-2.5; laggards late), until the scenario's councils_converge "
            "month; 0 puts every council on the national dates",
            "assumption: early adopters years before laggards (In Control pilots from 2003, the "
            "Individual Budgets pilot in 13 councils 2005-07; MODEL.md: 11 councils made over "
            "half of MH DPs in the mid-2000s); calibrated to that concentration"),

    // --- care coordinators ---
    PBSIM_I(coordinator.caseload, "users", 30, 1, 500, "Users per care coordinator",
            "evidence.md: about 30 per full-time key worker (Greenwood et al. 2000, M; use 25-35)"),
    PBSIM_R(coordinator.attitude_mean, "0-1", 0.4, 0.01, 0.99, V,
            "Mean attitude to PBs of newly hired coordinators (0 sceptic, 1 champion)",
            "assumption, hand-tuned; risk-averse culture (Mind/UCLan 2015, Q)"),
    PBSIM_R(coordinator.attitude_sd, "logit scale", 1.0, 0.0, 5.0, F,
            "Spread of coordinator attitudes", "assumption"),
    PBSIM_R(coordinator.culture_effect, "logit per log-unit", 0.7, 0.0, 5.0, F,
            "Shift of coordinator attitude per unit of log council DP culture",
            "assumption, hand-tuned"),
    PBSIM_R(coordinator.risk_aversion_mean, "0-1", 0.6, 0.01, 0.99, F,
            "Mean risk aversion of coordinators", "assumption; 'risk-averse culture' (Q)"),
    PBSIM_R(coordinator.risk_aversion_sd, "logit scale", 0.8, 0.0, 5.0, F,
            "Spread of risk aversion", "assumption"),
    PBSIM_R(coordinator.knowledge_new, "0-1", 0.3, 0.0, 1.0, V,
            "Knowledge of PBs of a newly hired coordinator", "assumption"),
    PBSIM_R(coordinator.assessment_capacity, "assessments/month", 1.0, 0.0, 100.0, V,
            "PB assessments a coordinator can start per month", "assumption"),
    PBSIM_R(coordinator.turnover, "probability/month", 0.012, 0.0, 1.0, V,
            "Monthly probability a coordinator leaves (about 14%/year)", "assumption"),

    // --- workforce: restructuring and continuity ---
    PBSIM_R(workforce.restructuring, "0-1", 0.0, 0.0, 1.0, V,
            "Restructuring intensity (lever; baseline 2011-2013)",
            "Mind/UCLan 2015: restructuring and staff loss as barriers (Q)"),
    PBSIM_R(workforce.restructuring_turnover, "multiplier", 3.0, 1.0, 20.0, V,
            "Turnover multiplier at restructuring intensity 1", "assumption"),
    PBSIM_R(
        workforce.restructuring_reassign, "probability/month", 0.03, 0.0, 1.0, V,
        "Monthly probability a user is moved to another coordinator at restructuring intensity 1",
        "assumption"),
    PBSIM_R(
        workforce.lost_request_on_change, "probability", 0.5, 0.0, 1.0, V,
        "Probability a pending request or assessment is lost when the user's coordinator changes",
        "assumption; SCIE 2011 (Q)"),
    PBSIM_R(workforce.continuity_window_months, "months", 6, 0.0, 120.0, F,
            "Months after a change of coordinator that count as lost continuity", "assumption"),

    // --- coordinator training (lever) ---
    PBSIM_R(training.rate, "probability/month", 0.0, 0.0, 1.0, V,
            "Monthly probability a coordinator attends PB training (lever)", "assumption"),
    PBSIM_R(training.knowledge_gain, "0-1", 0.5, 0.0, 1.0, V,
            "Knowledge added by training (capped at 1)", "assumption"),
    PBSIM_R(training.attitude_gain, "logit", 0.7, 0.0, 5.0, V, "Attitude logit added by training",
            "assumption"),

    // --- awareness channels (combined as 1 - prod(1 - p)) ---
    PBSIM_R(awareness.background, "probability/month", 0.001, 0.0, 1.0, V,
            "Monthly probability of hearing of PBs from general sources", "assumption, hand-tuned"),
    PBSIM_R(awareness.from_coordinator, "probability/month", 0.04, 0.0, 1.0, V,
            "Monthly probability of hearing from a coordinator with attitude 1 and knowledge 1",
            PBSIM_CALIBRATED),
    PBSIM_R(awareness.from_peer, "probability/month", 0.03, 0.0, 1.0, V,
            "Monthly probability of hearing from each peer who holds a PB",
            "assumption, hand-tuned"),
    PBSIM_R(awareness.from_peer_group, "probability/month", 0.03, 0.0, 1.0, V,
            "Monthly probability of hearing in a peer-support group, for members", "assumption"),
    PBSIM_R(awareness.from_campaign, "probability/month", 0.02, 0.0, 1.0, V,
            "Monthly probability of hearing from an information campaign at intensity 1",
            "assumption"),
    PBSIM_R(awareness.from_voluntary, "probability/month", 0.005, 0.0, 1.0, V,
            "Monthly probability of hearing from voluntary organisations at strength 1",
            "assumption"),
    PBSIM_R(awareness.from_advocate, "probability/month", 0.03, 0.0, 1.0, V,
            "Monthly probability of hearing from an advocate, for users advocacy reaches",
            "assumption"),

    // --- request (proportional-hazards form) ---
    PBSIM_R(request.base_rate, "probability/month", 0.012, 0.0, 1.0, V,
            "Monthly request probability of an aware user at reference values", PBSIM_CALIBRATED),
    PBSIM_R(request.burden_effect, "log HR per unit", 1.2, 0.0, 10.0, V,
            "Log hazard ratio lost per unit of application burden not offset by help",
            "assumption, hand-tuned; application process as barrier (Mind/UCLan 2015, Q)"),
    PBSIM_R(request.trust_effect, "log HR per unit", 1.5, 0.0, 10.0, V,
            "Log hazard ratio per unit of trust above 0.5", "assumption"),
    PBSIM_R(request.confidence_effect, "log HR per unit", 1.5, 0.0, 10.0, V,
            "Log hazard ratio per unit of confidence above 0.5", "assumption"),
    PBSIM_R(request.carer_effect, "log HR", 0.3, -5.0, 5.0, V,
            "Log hazard ratio for users with an informal carer", "assumption"),
    PBSIM_R(request.coordinator_effect, "log HR per unit", 2.0, 0.0, 10.0, V,
            "Log hazard ratio per unit of coordinator attitude above 0.5 (encouragement)",
            "assumption; a good care coordinator as enabler (Q)"),
    PBSIM_R(request.peer_effect, "log HR per peer", 0.3, 0.0, 5.0, V,
            "Log hazard ratio per peer holding a PB (counted up to 3)", "assumption"),
    PBSIM_R(request.recent_crisis_hr, "hazard ratio", 0.4, 0.0, 1.0, V,
            "Hazard ratio within 3 months of a crisis", "assumption"),
    PBSIM_R(request.handed_back_hr, "hazard ratio", 0.3, 0.0, 1.0, V,
            "Hazard ratio for users who have handed a budget back", "assumption"),
    PBSIM_R(request.active_offer_effect, "log HR", 2.5, 0.0, 10.0, V,
            "Log hazard ratio at active-offer level 1", PBSIM_CALIBRATED),
    PBSIM_R(request.generosity_effect, "log HR per log-unit", 0.5, 0.0, 5.0, V,
            "Log hazard ratio of requests per unit of log(allocation.amount_multiplier): larger "
            "budgets on offer are more worth the effort",
            "assumption"),
    PBSIM_R(request.discouraged_months, "months", 12, 0.0, 240.0, V,
            "Months after a refusal in which the user makes no new request", "assumption"),

    // --- assessment and gatekeeping ---
    PBSIM_R(assessment.mean_months, "months", 2.0, 1.0, 60.0, V, "Mean duration of a PB assessment",
            "assumption"),
    PBSIM_R(assessment.approval_base, "log-odds", 1.5, -20.0, 20.0, V,
            "Approval log-odds at reference values", PBSIM_CALIBRATED),
    PBSIM_R(assessment.attitude_effect, "log-odds per unit", 3.0, 0.0, 20.0, V,
            "Approval log-odds per unit of coordinator attitude above 0.5",
            "assumption; coordinators as gatekeepers (Spandler & Vick 2006, Q)"),
    PBSIM_R(assessment.risk_aversion_effect, "log-odds per unit", 1.5, 0.0, 20.0, V,
            "Approval log-odds lost per unit risk aversion per severity level above 1",
            "assumption"),
    PBSIM_R(assessment.eligibility_effect, "log-odds per unit", 2.0, 0.0, 20.0, V,
            "Approval log-odds lost per unit of eligibility threshold", "assumption"),
    PBSIM_R(assessment.budget_pressure_effect, "log-odds per unit", 1.0, 0.0, 20.0, V,
            "Approval log-odds lost per unit of budget pressure", "assumption"),
    PBSIM_R(assessment.active_offer_effect, "log-odds", 1.0, 0.0, 20.0, V,
            "Approval log-odds gained at active-offer level 1", "assumption"),

    // --- support planning ---
    PBSIM_R(support_planning.mean_months, "months", 2.0, 1.0, 60.0, V,
            "Mean duration of support planning", "assumption"),
    PBSIM_R(support_planning.dp_share, "fraction", 0.4, 0.0, 1.0, V,
            "Share choosing a DP rather than a managed budget, once managed budgets exist",
            "assumption; HSCIC 2012-13: 143,000 of 611,000 SDS users had a DP (M)"),
    PBSIM_R(support_planning.dp_support_dp_gain, "fraction", 0.25, 0.0, 1.0, V,
            "Share added to the DP choice for users a DP support service reaches",
            "assumption; DP support services as enabler (Q)"),

    // --- resource allocation ---
    PBSIM_R(allocation.median_severity_1, "GBP/year", 2500, 0.0, 1e6, V,
            "Median annual PB at severity 1",
            "assumption; MH PBs up to about 20,000/year (Reform 2015, E)"),
    PBSIM_R(allocation.median_severity_2, "GBP/year", 4500, 0.0, 1e6, V,
            "Median annual PB at severity 2", "assumption"),
    PBSIM_R(allocation.median_severity_3, "GBP/year", 7500, 0.0, 1e6, V,
            "Median annual PB at severity 3", "assumption"),
    PBSIM_R(allocation.sigma, "log scale", 0.6, 0.0, 3.0, V,
            "Lognormal spread of amounts within council and severity", "assumption"),
    PBSIM_R(allocation.max_amount, "GBP/year", 20000, 0.0, 1e7, V,
            "Cap on an annual PB (x allocation.amount_multiplier)",
            "Reform 2015: up to about 20,000/year (E)"),
    PBSIM_R(allocation.amount_multiplier, "multiplier", 1.0, 0.0, 10.0, V,
            "Policy multiplier on amounts (e.g. integrated health and social care budgets)",
            "lever"),
    PBSIM_R(allocation.effect_elasticity, "elasticity", 0.5, 0.0, 3.0, V,
            "A holder's PB effects (crisis reduction, care-related QoL and utility gains) scale "
            "with (annual amount / median_severity_s)^this: larger budgets do more",
            "assumption; Forder et al. 2012: larger, more flexible budgets did better (M/Q)"),
    PBSIM_R(allocation.effect_scale_cap, "multiple", 2.0, 1.0, 10.0, V,
            "Cap on that scaling of PB effects", "assumption"),

    // --- holding a budget ---
    PBSIM_R(holding.handback_rate, "probability/month", 0.008, 0.0, 1.0, V,
            "Monthly hand-back probability at reference values", "assumption, hand-tuned"),
    PBSIM_R(holding.burden_effect, "log HR per unit", 0.7, 0.0, 10.0, V,
            "Log hazard ratio per unit of application complexity, for DP holders ('scary')",
            "assumption"),
    PBSIM_R(holding.confidence_effect, "log HR per unit", 1.5, 0.0, 10.0, V,
            "Log hazard ratio lost per unit of confidence above 0.5", "assumption"),
    PBSIM_R(holding.dp_support_hr, "hazard ratio", 0.6, 0.0, 1.0, V,
            "Hazard ratio for DP holders a DP support service reaches", "assumption"),
    PBSIM_R(holding.peer_support_hr, "hazard ratio", 0.7, 0.0, 1.0, V,
            "Hazard ratio for members of a peer-support group", "assumption"),
    PBSIM_R(holding.continuity_hr, "hazard ratio", 1.5, 1.0, 10.0, V,
            "Hazard ratio after a change of coordinator", "assumption"),
    PBSIM_R(holding.review_end, "probability", 0.03, 0.0, 1.0, V,
            "Probability an annual review ends the budget", "assumption"),
    PBSIM_R(holding.review_pressure_effect, "relative", 1.0, 0.0, 20.0, V,
            "Relative rise of review_end per unit of budget pressure", "assumption"),

    // --- crises ---
    PBSIM_R(crisis.rate_severity_1, "probability/month", 0.008, 0.0, 1.0, V,
            "Monthly crisis probability at severity 1",
            "assumption; with the others about 8 admissions per 100 users a year (evidence.md: "
            "6-29% inpatients a year)"),
    PBSIM_R(crisis.rate_severity_2, "probability/month", 0.02, 0.0, 1.0, V,
            "Monthly crisis probability at severity 2", "assumption"),
    PBSIM_R(crisis.rate_severity_3, "probability/month", 0.045, 0.0, 1.0, V,
            "Monthly crisis probability at severity 3", "assumption"),
    PBSIM_R(crisis.pb_effect, "fraction", 0.2, 0.0, 1.0, V,
            "Relative reduction of crisis hazard for PB holders once built up, with a fully usable "
            "budget (x policy.market_development)",
            "assumption, uncertain: users report fewer crises (Griffiths & Ainsworth 2013, Q); no "
            "English estimate"),
    PBSIM_R(crisis.buildup_months, "months", 6, 0.0, 120.0, V,
            "Months of holding over which the PB effect builds up linearly", "assumption"),
    PBSIM_R(crisis.continuity_hr, "hazard ratio", 1.3, 1.0, 10.0, V,
            "Crisis hazard ratio after a change of coordinator", "assumption"),
    PBSIM_R(crisis.share_admission, "fraction", 0.35, 0.0, 1.0, V,
            "Share of crises resolved by an inpatient admission",
            "assumption; 98% of admissions gatekept by crisis teams (M)"),
    PBSIM_R(crisis.share_home_treatment, "fraction", 0.45, 0.0, 1.0, V,
            "Share of crises resolved by crisis resolution / home treatment; the rest by A&E",
            "assumption"),
    PBSIM_R(crisis.los_median_days, "days", 23, 1.0, 3650.0, V, "Median inpatient length of stay",
            "Mental Health Bulletin 2013-14: median 23 days (M)"),
    PBSIM_R(crisis.los_sigma, "log scale", 1.0, 0.0, 3.0, V,
            "Lognormal spread of length of stay (1.0 gives a mean of about 38 days)",
            "Pillay & Moncrieff 2011: means 42-108 days (M); assumption"),

    // --- national and council policy ---
    PBSIM_R(policy.managed_budgets, "0/1", 0.0, 0.0, 1.0, P,
            "1 once managed personal budgets exist (baseline: from 2008-04), else DPs only",
            "Putting People First (2007); calibration/README.md"),
    PBSIM_R(policy.active_offer, "0-1", 0.0, 0.0, 1.0, P,
            "Strength of the duty to offer a PB to everyone eligible (baseline rises to 2013-04)",
            "calibration/README.md: duty from April 2013"),
    PBSIM_R(policy.application_complexity, "burden units", 1.0, 0.0, 5.0, P,
            "Burden of the application (1 = status quo forms and process)", "lever; assumption"),
    PBSIM_R(policy.eligibility_threshold, "0-1", 0.5, 0.0, 1.0, V,
            "Strictness of eligibility for council-funded support", "assumption"),
    PBSIM_R(policy.budget_pressure, "0-1", 0.2, 0.0, 1.0, V,
            "Financial pressure on councils (baseline rises from 2010)", "assumption"),
    PBSIM_R(policy.market_development, "fraction", 0.7, 0.0, 1.0, V,
            "Share of a budget that can be spent as planned (choice available)", "assumption"),
    PBSIM_R(policy.substitution, "fraction", 0.1, 0.0, 1.0, V,
            "Share of a budget's spend that replaces the holder's traditional services; set for a "
            "holder when the budget starts and at each annual review, and the part that replaces "
            "services adds no PB effect",
            "Reform 2015: in MH, PBs mostly added to existing services rather than replacing them "
            "(M/Q); assumption, plausible 0-0.3"),
    PBSIM_R(policy.traditional_level, "fraction", 1.0, 0.0, 1.0, V,
            "Traditional community services provided, as a share of the standard package (1 = no "
            "cuts); a shortfall raises crises and lowers quality of life (services.*)",
            "lever; 1 = status quo"),
    PBSIM_R(policy.merged_budgets, "0/1", 0.0, 0.0, 1.0, V,
            "1: health and social care budgets merged: one assessment and plan, no refusal or cut "
            "back for health needs, the whole need in one budget",
            "lever; research aim of the York/SPRU feasibility study (Q)"),
    PBSIM_R(policy.nhs_pooling, "fraction", 0.0, 0.0, 1.0, V,
            "Share of merged budgets of people with health needs into which the NHS pays the "
            "health part (besides those who would have had a personal health budget); the "
            "council pays the health part of the rest",
            "lever; 1 = the NHS pays its share of every merged budget"),

    // --- the health/social care boundary ---
    PBSIM_R(boundary.health_need_share, "fraction", 0.3, 0.0, 1.0, V,
            "Share of users whose needs are partly health needs (a fixed per-person rank below "
            "this share)",
            "assumption, plausible 0.2-0.5; the split of health and social care funding a major "
            "barrier in MH (Glendinning et al. 2008, Q)"),
    PBSIM_R(boundary.health_part, "fraction", 0.3, 0.0, 1.0, V,
            "Share of the assessed need of a person with health needs that is a health need; "
            "under split funding the council's budget is cut back by it",
            "assumption, plausible 0.2-0.5"),
    PBSIM_R(boundary.refusal, "probability", 0.25, 0.0, 1.0, V,
            "Split funding: probability an approved request of a person with health needs is "
            "refused because the need is judged a health need",
            "assumption, plausible 0.1-0.4; 'difficulties of deciding which are health and which "
            "are social care needs' (Glendinning et al. 2008, Q)"),
    PBSIM_R(boundary.second_assessment_months, "months", 2, 0.0, 24.0, V,
            "Split funding: extra mean assessment time for a person with health needs, who faces "
            "a second (NHS) assessment",
            "assumption, plausible 1-4"),
    PBSIM_R(boundary.phb_access, "probability", 0.0, 0.0, 1.0, V,
            "Split funding: probability the health part of a person's need comes as a personal "
            "health budget (NHS) after the second assessment (a fixed per-person rank)",
            "PHB pilots 2009-2012, right for NHS continuing healthcare from October 2014 (Q); "
            "levels assumption"),

    // --- contingency (crisis) planning ---
    PBSIM_R(contingency.coverage, "fraction", 0.1, 0.0, 1.0, V,
            "Share of new or reviewed support plans that include a contingency (crisis) plan (a "
            "fixed per-person rank below this share)",
            "lever; what MH budget holders want most (SCIE 2011, Q); low before 2011 (assumption)"),
    PBSIM_R(contingency.admission_hr, "ratio", 0.7, 0.0, 1.0, V,
            "Relative share of a holder's crises that end in admission, with a contingency plan",
            "assumption, plausible 0.5-0.9 (SCIE 2011 case reports, Q)"),
    PBSIM_R(contingency.handback_hr, "hazard ratio", 0.8, 0.0, 2.0, V,
            "Hand-back hazard ratio for holders with a contingency plan",
            "assumption, plausible 0.6-1.0 (SCIE 2011, Q)"),
    PBSIM_R(contingency.planning_hours, "hours", 2, 0.0, 100.0, V,
            "Coordinator hours to write a contingency plan (at a new plan or a review)",
            "assumption, plausible 1-4"),

    // --- support services (costed by use, plus a fixed cost where they run) ---
    PBSIM_R(dp_support_service.coverage, "fraction", 0.15, 0.0, 1.0, P,
            "Share of users a DP support service reaches in a council of DP culture 1 (others: see "
            "council.culture_service_effect); 1 reaches everyone everywhere",
            "assumption; enabler (SCIE 2011, Q)"),
    PBSIM_R(dp_support_service.effect, "fraction", 0.5, 0.0, 1.0, V,
            "Share of the application burden a DP support service takes away (also of the "
            "chance an application is lost on a change of coordinator, and of the time a plan "
            "takes)",
            "assumption"),
    PBSIM_R(dp_support_service.cost, "GBP/user-month", 40, 0.0, 1e5, V,
            "Cost per user using it in a month: reached and requesting, in assessment, planning or "
            "holding a DP (where it keeps applications going, speeds up plans, raises the DP share "
            "and lowers hand-backs)",
            "assumption, plausible 20-80: managed-account fee about 15/month (E) plus payroll and "
            "recruitment help"),
    PBSIM_R(dp_support_service.fixed_cost, "GBP/council-month", 3000, 0.0, 1e7, V,
            "Fixed cost per council where the service runs (reaches at least 1% of users): "
            "outreach and what knowing help is there does before a request",
            "assumption, plausible 1,500-6,000: a coordinator post and overheads"),
    PBSIM_R(advocacy.coverage, "fraction", 0.1, 0.0, 1.0, V, "Share of users advocacy reaches",
            "assumption; enabler (Mind/UCLan 2015, Q)"),
    PBSIM_R(advocacy.effect, "fraction", 0.3, 0.0, 1.0, V,
            "Share of the application burden an advocate takes away (also of the chance an "
            "application is lost on a change of coordinator, and of the time a plan takes)",
            "assumption"),
    PBSIM_R(advocacy.cost, "GBP/user-month", 60, 0.0, 1e5, V,
            "Cost per user using it in a month: reached and in the pathway (requesting, in "
            "assessment or planning), where it keeps applications going and speeds up plans",
            "assumption, plausible 30-120: about 1.5 hours of advocate time a month"),
    PBSIM_R(advocacy.fixed_cost, "GBP/council-month", 2000, 0.0, 1e7, V,
            "Fixed cost per council where advocacy runs (reaches at least 1% of users): outreach "
            "to the unaware and help before a request",
            "assumption, plausible 1,000-4,000"),
    PBSIM_R(peer_support.coverage, "fraction", 0.05, 0.0, 1.0, V,
            "Share of users who are members of a peer-support or user-led group", "assumption"),
    PBSIM_R(peer_support.effect, "fraction", 0.2, 0.0, 1.0, V,
            "Share of the application burden peer support takes away", "assumption"),
    PBSIM_R(peer_support.cost, "GBP/user-month", 10, 0.0, 1e5, V, "Cost per member per month",
            "assumption, plausible 5-20"),
    PBSIM_R(peer_support.fixed_cost, "GBP/council-month", 1000, 0.0, 1e7, V,
            "Fixed cost per council where peer groups run (facilitation, rooms)",
            "assumption, plausible 500-2,000"),
    PBSIM_R(crisis_prevention.coverage, "fraction", 0.1, 0.0, 1.0, V,
            "Share of users a crisis prevention service reaches", "assumption"),
    PBSIM_R(crisis_prevention.effect, "fraction", 0.25, 0.0, 1.0, V,
            "Relative reduction of crisis hazard for users it reaches",
            "assumption; users' view that prevention cuts crises (Q)"),
    PBSIM_R(crisis_prevention.cost, "GBP/user-month", 30, 0.0, 1e5, V,
            "Cost per user reached per month", "assumption, plausible 15-60"),
    PBSIM_R(crisis_prevention.fixed_cost, "GBP/council-month", 3000, 0.0, 1e7, V,
            "Fixed cost per council where a crisis prevention service runs",
            "assumption, plausible 1,500-6,000"),

    // --- information ---
    PBSIM_R(information.campaign_intensity, "0-1", 0.0, 0.0, 1.0, V,
            "Information campaign intensity (lever)", "good information as enabler (Q)"),
    PBSIM_R(information.campaign_cost, "GBP/user-month", 1.0, 0.0, 1e5, V,
            "Campaign cost per user per month at intensity 1", "assumption"),
    PBSIM_R(information.voluntary_strength, "0-1", 0.3, 0.0, 1.0, V,
            "Strength of voluntary-sector support and information", "assumption"),
    PBSIM_R(information.quality, "0-1", 0.3, 0.0, 1.0, V,
            "Quality of information about budgets (accessible, accurate about the process, the "
            "money and the risks), separate from the intensity of campaigns",
            "lever; good information an enabler (SCIE 2011; Mind/UCLan 2015, Q); status quo "
            "assumption"),
    PBSIM_R(information.quality_cost, "GBP/user-month", 0.5, 0.0, 1e5, V,
            "Cost of information per user per month at quality 1 (x quality)",
            "assumption, plausible 0.2-2"),
    PBSIM_R(information.request_effect, "log HR", 0.6, 0.0, 5.0, V,
            "Log hazard ratio of an aware person requesting, per unit of information quality",
            "assumption, plausible 0.2-1.0"),
    PBSIM_R(information.early_handback_excess, "relative hazard", 1.0, 0.0, 10.0, V,
            "Extra hand-back hazard in a budget's first months at information quality 0 (x (1 - "
            "quality))",
            "budgets found 'scary', 'more burdensome than empowering' (Reform 2015, Q); "
            "assumption, plausible 0.5-2"),
    PBSIM_R(information.early_months, "months", 6, 0.0, 60.0, V,
            "Months of holding a budget that count as early", "assumption"),

    // --- support from traditional services ---
    PBSIM_R(services.crisis_shortfall_effect, "relative hazard", 0.5, 0.0, 10.0, V,
            "Relative rise of the crisis hazard per unit of shortfall in traditional services (1 - "
            "policy.traditional_level)",
            "assumption, plausible 0.2-1.0: services do something"),
    PBSIM_R(services.ascot_shortfall_loss, "ASCOT", 0.1, 0.0, 1.0, V,
            "Care-related quality of life lost per unit of shortfall in traditional services",
            "assumption, plausible 0.05-0.2"),
    PBSIM_R(services.utility_shortfall_loss, "EQ-5D", 0.05, 0.0, 1.0, V,
            "Health utility lost per unit of shortfall in traditional services",
            "assumption, plausible 0.02-0.1"),

    // --- unit costs (GBP, 2012-13 prices) ---
    PBSIM_R(cost.hourly_rate, "GBP/hour", 55, 0.0, 1e4, V,
            "Care coordinator time per hour of client-related work",
            "PSSRU 2013: social worker about 55/hour (M)"),
    PBSIM_R(cost.coordination_hours, "hours/user-month", 1.5, 0.0, 200.0, V,
            "Routine care coordination per user per month", "assumption"),
    PBSIM_R(cost.assessment_hours, "hours", 6, 0.0, 1000.0, V,
            "Coordinator hours per PB assessment (and per second, NHS assessment under split "
            "funding)",
            "assumption"),
    PBSIM_R(cost.support_planning_hours, "hours", 8, 0.0, 1000.0, V,
            "Coordinator hours per support plan", "assumption"),
    PBSIM_R(cost.review_hours, "hours", 3, 0.0, 1000.0, V, "Coordinator hours per annual PB review",
            "assumption"),
    PBSIM_R(cost.training, "GBP/coordinator", 500, 0.0, 1e6, V,
            "Cost of training one coordinator in PBs", "assumption"),
    PBSIM_R(cost.traditional_services, "GBP/user-month", 250, 0.0, 1e6, V,
            "Traditional community services (health and social care) per user per month at the "
            "full package (not in hospital); paid as payer.traditional_services_nhs says",
            "assumption"),
    PBSIM_R(cost.bed_day, "GBP/day", 340, 0.0, 1e5, V, "Mental health inpatient bed-day",
            "PSSRU 2013: about 330-350 (E)"),
    PBSIM_R(cost.home_treatment, "GBP/episode", 2200, 0.0, 1e6, V,
            "Crisis resolution / home treatment episode",
            "Joint Commissioning Panel for Mental Health: about 2,200 a month (E)"),
    PBSIM_R(cost.a_and_e, "GBP/attendance", 100, 0.0, 1e5, V, "A&E attendance",
            "NAO 2014; Reference Costs 2014-15: 69-132 (M)"),

    // --- outcomes ---
    PBSIM_R(outcome.ascot_severity_1, "ASCOT 0-1", 0.80, 0.0, 1.0, V,
            "Care-related quality of life at severity 1", "assumption"),
    PBSIM_R(outcome.ascot_severity_2, "ASCOT 0-1", 0.72, 0.0, 1.0, V,
            "Care-related quality of life at severity 2", "assumption"),
    PBSIM_R(outcome.ascot_severity_3, "ASCOT 0-1", 0.64, 0.0, 1.0, V,
            "Care-related quality of life at severity 3", "assumption"),
    PBSIM_R(outcome.ascot_pb_gain, "ASCOT", 0.056, 0.0, 1.0, V,
            "Care-related quality of life gain with a PB once built up, with a fully usable budget "
            "(x policy.market_development)",
            "Forder et al. 2012: +0.057 with a PHB vs +0.018 control (M): 0.039 realised at the "
            "default usable share 0.7"),
    PBSIM_R(outcome.ascot_crisis_loss, "ASCOT", 0.05, 0.0, 1.0, V,
            "Care-related quality of life lost in a month with a crisis or in hospital",
            "assumption"),
    PBSIM_R(outcome.utility_severity_1, "EQ-5D 0-1", 0.78, -0.6, 1.0, V,
            "Health utility at severity 1", "assumption"),
    PBSIM_R(outcome.utility_severity_2, "EQ-5D 0-1", 0.66, -0.6, 1.0, V,
            "Health utility at severity 2", "assumption"),
    PBSIM_R(outcome.utility_severity_3, "EQ-5D 0-1", 0.52, -0.6, 1.0, V,
            "Health utility at severity 3", "assumption"),
    PBSIM_R(outcome.utility_pb_gain, "EQ-5D", 0.0, -1.0, 1.0, V,
            "Health utility gain with a PB once built up, with a fully usable budget (x "
            "policy.market_development)",
            "Forder et al. 2012: no difference in EQ-5D (M); sweep it"),
    PBSIM_R(outcome.utility_crisis_loss, "EQ-5D", 0.10, 0.0, 1.0, V,
            "Health utility lost in a month with a crisis or in hospital", "assumption"),
    PBSIM_R(outcome.discount_rate, "per year", 0.035, 0.0, 0.2, F,
            "Annual discount rate for costs and outcomes, from the first simulated month",
            "NICE reference case: 3.5% (1.5% as sensitivity)"),

    // --- who pays: NHS share of each cost category, the council pays the rest ---
    PBSIM_R(payer.traditional_services_nhs, "fraction", 0.5, 0.0, 1.0, V,
            "NHS share of: Traditional community services (the council pays the rest)",
            "assumption: CMHT care (NHS) and day, home and residential support (council) in about "
            "equal parts"),
    PBSIM_R(payer.care_coordination_nhs, "fraction", 0.7, 0.0, 1.0, V,
            "NHS share of: Routine care coordination (the council pays the rest)",
            "assumption: most care coordinators are NHS trust staff in integrated CMHTs"),
    PBSIM_R(payer.assessment_nhs, "fraction", 0.0, 0.0, 1.0, V,
            "NHS share of: PB (social care) assessments (the council pays the rest)",
            "council duty (NHS and Community Care Act 1990; Care Act 2014)"),
    PBSIM_R(
        payer.health_assessment_nhs, "fraction", 1.0, 0.0, 1.0, V,
        "NHS share of: Second (health) assessments under split funding (the council pays the rest)",
        "NHS: a health needs assessment (NHS continuing healthcare eligibility, National Framework "
        "2007 and earlier local criteria; for a personal health budget from 2009)"),
    PBSIM_R(payer.support_planning_nhs, "fraction", 0.0, 0.0, 1.0, V,
            "NHS share of: Support planning (the council pays the rest)",
            "council (social care support plan)"),
    PBSIM_R(payer.contingency_planning_nhs, "fraction", 0.5, 0.0, 1.0, V,
            "NHS share of: Contingency plans (the council pays the rest)",
            "assumption: part of the CPA care plan (NHS) and of the support plan (council)"),
    PBSIM_R(payer.reviews_nhs, "fraction", 0.0, 0.0, 1.0, V,
            "NHS share of: Annual PB reviews (the council pays the rest)", "council"),
    PBSIM_R(payer.dp_support_service_nhs, "fraction", 0.0, 0.0, 1.0, V,
            "NHS share of: DP support services (the council pays the rest)",
            "council-commissioned (SCIE 2011, Q)"),
    PBSIM_R(payer.advocacy_nhs, "fraction", 0.0, 0.0, 1.0, V,
            "NHS share of: Advocacy (the council pays the rest)",
            "council-commissioned (assumption)"),
    PBSIM_R(payer.peer_support_nhs, "fraction", 0.0, 0.0, 1.0, V,
            "NHS share of: Peer-support groups (the council pays the rest)",
            "council grants to the voluntary sector (assumption)"),
    PBSIM_R(payer.crisis_prevention_nhs, "fraction", 1.0, 0.0, 1.0, V,
            "NHS share of: Crisis prevention (the council pays the rest)",
            "NHS mental health trusts (assumption)"),
    PBSIM_R(
        payer.information_nhs, "fraction", 0.0, 0.0, 1.0, V,
        "NHS share of: Information campaigns and information quality (the council pays the rest)",
        "council (Putting People First programme)"),
    PBSIM_R(payer.coordinator_training_nhs, "fraction", 0.5, 0.0, 1.0, V,
            "NHS share of: Coordinator training (the council pays the rest)",
            "assumption: staff of both in integrated teams"),
    PBSIM_R(payer.home_treatment_nhs, "fraction", 1.0, 0.0, 1.0, V,
            "NHS share of: Crisis resolution / home treatment (the council pays the rest)", "NHS"),
    PBSIM_R(payer.a_and_e_nhs, "fraction", 1.0, 0.0, 1.0, V,
            "NHS share of: A&E attendances (the council pays the rest)", "NHS"),
    PBSIM_R(payer.inpatient_nhs, "fraction", 1.0, 0.0, 1.0, V,
            "NHS share of: Inpatient bed-days (the council pays the rest)", "NHS"),
    PBSIM_R(payer.person_contribution, "fraction", 0.05, 0.0, 1.0, V,
            "Share of the council part of budgets the holder pays through means-tested charges",
            "assumption, plausible 0-0.15: Fairer Charging; most MH budget holders have low "
            "incomes"),
};

#undef PBSIM_R
#undef PBSIM_I

} // namespace

double ParameterSpec::get(const Parameters& p) const {
    auto& mp = const_cast<Parameters&>(p); // accessors only read here
    return real ? *real(mp) : static_cast<double>(*whole(mp));
}

void ParameterSpec::set(Parameters& p, double value) const {
    if (real)
        *real(p) = value;
    else
        *whole(p) = static_cast<int>(std::lround(value));
}

std::span<const ParameterSpec> parameter_registry() {
    return kRegistry;
}

int find_parameter(std::string_view key) {
    for (std::size_t i = 0; i < kRegistry.size(); ++i)
        if (kRegistry[i].key == key) return static_cast<int>(i);
    return -1;
}

Parameters default_parameters() {
    Parameters p{};
    for (const auto& spec : kRegistry)
        spec.set(p, spec.default_value);
    return p;
}

} // namespace pbsim
