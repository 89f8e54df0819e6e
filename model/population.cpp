#include "model/population.hpp"

#include "model/network.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace pbsim {

namespace {

// Logit-normal attribute with the given mean-ish centre and spread.
float logit_normal(double centre, double sd, double z) {
    return static_cast<float>(logistic(logit(centre) + sd * z));
}

// Months until exit for a monthly exit probability, from one uniform (geometric, >= 1).
std::int32_t months_until_exit(double exit_rate, double u) {
    if (exit_rate <= 0) return kNever;
    if (exit_rate >= 1) return 1;
    const double m = std::floor(std::log(u) / std::log1p(-exit_rate)) + 1;
    return m > kNever ? kNever : static_cast<std::int32_t>(m);
}

} // namespace

std::vector<LocalAuthority> make_councils(const Parameters& p, int total_users) {
    const int n = p.population.councils;
    std::vector<LocalAuthority> las(n);
    std::vector<double> weight(n);
    const Rng council_rng(static_cast<std::uint64_t>(p.council.seed), 0);
    for (int c = 0; c < n; ++c) {
        const auto u = council_rng.uniform4(Purpose::council_generation, c, 0);
        const auto v = council_rng.uniform4(Purpose::council_generation, c, 1);
        char code[16];
        std::snprintf(code, sizeof code, "LA%03d", c + 1);
        las[c].code = code;
        weight[c] = std::exp(p.population.council_size_sigma * standard_normal(u[0], u[1]));
        las[c].culture_z = standard_normal(u[2], u[3]);
        las[c].dp_culture = std::exp(p.council.dp_culture_sigma * las[c].culture_z);
        // Early adopters (high culture) take paced policies up early.
        las[c].adoption_lag = static_cast<int>(
            std::lround(-12 * p.council.adoption_spread * std::clamp(las[c].culture_z, -2.5, 2.5)));
        las[c].amount_multiplier = std::exp(p.council.amount_sigma * standard_normal(v[0], v[1]));
        // Lognormal with mean 1 (normalised below).
        const double sigma = p.council.crisis_sigma;
        las[c].crisis_multiplier =
            std::exp(sigma * standard_normal(v[2], v[3]) - sigma * sigma / 2);
    }
    const double total_weight = std::accumulate(weight.begin(), weight.end(), 0.0);
    // The population-weighted mean crisis multiplier is exactly 1, so the
    // national crisis rate does not move with council.crisis_sigma (and at 0
    // every multiplier is exactly 1).
    if (p.council.crisis_sigma > 0) {
        double mean = 0;
        for (int c = 0; c < n; ++c)
            mean += las[c].crisis_multiplier * weight[c] / total_weight;
        for (auto& la : las)
            la.crisis_multiplier /= mean;
    }
    // One user per council, then largest-remainder apportionment of the rest:
    // exactly total_users (>= councils) in all.
    std::vector<double> quota(n);
    int assigned = 0;
    const int rest = std::max(0, total_users - n);
    for (int c = 0; c < n; ++c) {
        las[c].size_share = weight[c] / total_weight;
        quota[c] = las[c].size_share * rest;
        las[c].user_count = 1 + static_cast<std::uint32_t>(std::floor(quota[c]));
        assigned += static_cast<int>(las[c].user_count);
    }
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return quota[a] - std::floor(quota[a]) > quota[b] - std::floor(quota[b]);
    });
    for (int k = 0; assigned < total_users; k = (k + 1) % n, ++assigned)
        ++las[order[k]].user_count;
    std::uint32_t first_user = 0, first_post = 0;
    for (auto& la : las) {
        la.first_user = first_user;
        first_user += la.user_count;
        la.post_count = std::max<std::uint32_t>(1, (la.user_count + p.coordinator.caseload - 1) /
                                                       p.coordinator.caseload);
        la.first_post = first_post;
        first_post += la.post_count;
    }
    return las;
}

void hire_coordinator(World& w, const Parameters& p, const Rng& rng, std::uint32_t post,
                      std::uint32_t generation, std::int32_t t) {
    auto& cc = w.coordinators;
    const auto& la = w.councils[cc.council[post]];
    const auto u = rng.uniform4(Purpose::coordinator_generation, post, generation);
    cc.generation[post] = generation;
    cc.attitude[post] =
        static_cast<float>(logistic(logit(p.coordinator.attitude_mean) +
                                    p.coordinator.culture_effect * std::log(la.dp_culture) +
                                    p.coordinator.attitude_sd * standard_normal(u[0], u[1])));
    cc.risk_aversion[post] =
        logit_normal(p.coordinator.risk_aversion_mean, p.coordinator.risk_aversion_sd,
                     standard_normal(u[2], u[3]));
    cc.knowledge[post] = static_cast<float>(p.coordinator.knowledge_new);
    cc.in_post_since[post] = t;
}

void refresh_person_factors(ServiceUsers& u, std::uint32_t i, const PersonEffects& e) {
    u.request_propensity[i] = static_cast<float>(std::exp(e.trust * (u.trust[i] - 0.5) +
                                                          e.confidence * (u.confidence[i] - 0.5) +
                                                          e.carer * u.has_carer[i]));
    u.handback_propensity[i] =
        static_cast<float>(std::exp(-e.handback_confidence * (u.confidence[i] - 0.5)));
}

void enter_user(World& w, const Parameters& p, const Rng& rng, std::uint32_t i,
                std::uint32_t generation, std::int32_t t, std::uint32_t calendar_key) {
    auto& u = w.users;
    const auto& pp = p.population;
    const auto a = rng.uniform4(Purpose::population_generation, i, generation, 0);
    const auto b = rng.uniform4(Purpose::population_generation, i, generation, 1);
    const auto c = rng.uniform4(Purpose::population_generation, i, generation, 2);
    const auto d = rng.uniform4(Purpose::population_generation, i, generation, 3);
    u.generation[i] = generation;
    u.severity[i] = a[0] < pp.share_severity_1 ? 1 : (a[0] < 1 - pp.share_severity_3 ? 2 : 3);
    u.has_carer[i] = a[1] < pp.carer_share;
    u.confidence[i] =
        logit_normal(pp.confidence_mean, pp.attribute_sd, standard_normal(a[2], a[3]));
    u.trust[i] = logit_normal(pp.trust_mean, pp.attribute_sd, standard_normal(b[0], b[1]));
    u.exit_month[i] = t + months_until_exit(pp.exit_rate, b[2]);
    const auto reach = [](double x) { return static_cast<std::uint16_t>(x * 65536.0); };
    u.reach_dp_support[i] = reach(c[0]);
    u.reach_advocacy[i] = reach(c[1]);
    u.reach_peer_support[i] = reach(c[2]);
    u.reach_crisis_prevention[i] = reach(c[3]);
    u.rank_health_need[i] = reach(d[0]);
    u.rank_nhs_funding[i] = reach(d[1]);
    u.rank_contingency[i] = reach(d[2]);
    refresh_person_factors(u, i, person_effects(p));

    u.state[i] = PathwayState::unaware;
    u.state_since[i] = t;
    u.discouraged_until[i] = kLongAgo;
    u.pb_need[i] = u.pb_amount[i] = u.pb_health[i] = u.pb_health_council[i] = 0;
    u.pb_replaced[i] = u.pb_effect_scale[i] = 0;
    u.has_contingency_plan[i] = 0;
    u.last_crisis[i] = kLongAgo;
    u.hospital_days_left[i] = 0;

    const auto& la = w.councils[u.council[i]];
    const double r = rng.uniform(Purpose::reassignment, i, calendar_key, 1);
    u.coordinator[i] =
        la.first_post +
        std::min<std::uint32_t>(la.post_count - 1, static_cast<std::uint32_t>(r * la.post_count));
    // A newcomer has not lost continuity: only later changes count.
    u.coordinator_since[i] = t;
    u.reassigned_at[i] = kLongAgo;
}

float draw_amount(const CouncilMonth& cm, const LocalAuthority& la, int severity, double u1,
                  double u2) {
    const double amount = cm.median_amount[severity - 1] * la.amount_multiplier *
                          std::exp(cm.amount_sigma * standard_normal(u1, u2));
    return static_cast<float>(std::min(amount, cm.amount_cap));
}

float effect_scale(const CouncilMonth& cm, int severity, float amount) {
    const double reference = cm.reference_amount[severity - 1];
    if (reference <= 0 || amount <= 0) return 0; // a budget of nothing does nothing
    const double ratio = amount / reference;
    return static_cast<float>(std::min(cm.effect_scale_cap, std::pow(ratio, cm.effect_elasticity)));
}

void plan_budget_support(ServiceUsers& u, std::uint32_t i, const CouncilMonth& cm) {
    // The budget's parts. For a person with health needs, the health part is
    // NHS money where the NHS funds it (a personal health budget, or its share
    // of a merged budget); otherwise a merged budget has the council fund it,
    // and split funding cuts the budget back to the social care part.
    const float need = u.pb_need[i];
    float social = need, health_nhs = 0, health_council = 0;
    if (has_health_needs(u, i, cm)) {
        const float health = need * cm.health_part;
        social = need - health;
        if (nhs_funds_health_part(u, i, cm))
            health_nhs = health;
        else if (cm.merged)
            health_council = health;
    }
    u.pb_amount[i] = social + health_council + health_nhs;
    u.pb_health[i] = health_nhs;
    u.pb_health_council[i] = health_council;

    const float spend = u.pb_amount[i] * cm.usable_share / 12.0f;
    float replaced = 0; // share of a full package
    if (cm.traditional_cost > 0 && spend > 0)
        replaced = std::min(cm.traditional_level, cm.substitution * spend / cm.traditional_cost);
    u.pb_replaced[i] = replaced;
    // Money that buys back the services it replaces does nothing new.
    const float added = spend > 0 ? 1.0f - replaced * cm.traditional_cost / spend : 0.0f;
    u.pb_effect_scale[i] = effect_scale(cm, u.severity[i], u.pb_amount[i]) * added;
    u.has_contingency_plan[i] = u.rank_contingency[i] < cm.cover_contingency;
}

void CareCoordinators::resize(std::size_t n) {
    generation.resize(n);
    council.resize(n);
    attitude.resize(n);
    risk_aversion.resize(n);
    knowledge.resize(n);
    in_post_since.resize(n);
    awareness_not.resize(n);
    request_factor.resize(n);
}

void ServiceUsers::resize(std::size_t n) {
    council.resize(n);
    generation.resize(n);
    exit_month.resize(n);
    severity.resize(n);
    confidence.resize(n);
    trust.resize(n);
    has_carer.resize(n);
    request_propensity.resize(n);
    handback_propensity.resize(n);
    reach_dp_support.resize(n);
    reach_advocacy.resize(n);
    reach_peer_support.resize(n);
    reach_crisis_prevention.resize(n);
    rank_health_need.resize(n);
    rank_nhs_funding.resize(n);
    rank_contingency.resize(n);
    state.resize(n);
    state_since.resize(n);
    discouraged_until.resize(n);
    pb_need.resize(n);
    pb_amount.resize(n);
    pb_health.resize(n);
    pb_health_council.resize(n);
    pb_replaced.resize(n);
    pb_effect_scale.resize(n);
    has_contingency_plan.resize(n);
    last_crisis.resize(n);
    hospital_days_left.resize(n);
    coordinator.resize(n);
    coordinator_since.resize(n);
    reassigned_at.resize(n);
    peers_holding.resize(n);
}

World generate_world(const Parameters& p, int total_users, const Rng& rng,
                     std::uint32_t calendar_key) {
    World w;
    w.councils = make_councils(p, total_users);
    const auto& last = w.councils.back();
    w.coordinators.resize(last.first_post + last.post_count);
    w.users.resize(last.first_user + last.user_count);
    for (std::size_t c = 0; c < w.councils.size(); ++c) {
        const auto& la = w.councils[c];
        for (std::uint32_t k = 0; k < la.post_count; ++k)
            w.coordinators.council[la.first_post + k] = static_cast<std::uint16_t>(c);
        for (std::uint32_t k = 0; k < la.user_count; ++k)
            w.users.council[la.first_user + k] = static_cast<std::uint16_t>(c);
    }
    for (std::uint32_t post = 0; post < w.coordinators.size(); ++post)
        hire_coordinator(w, p, rng, post, 0, kLongAgo); // in post before the start

    // Users present at the start: they have been in services for a while, so
    // their remaining stay is drawn like anyone's (the geometric is memoryless).
    const CouncilMonth cm = derive_council_month(p);
    auto& u = w.users;
    for (std::uint32_t i = 0; i < u.size(); ++i) {
        enter_user(w, p, rng, i, 0, 0, calendar_key);
        u.coordinator_since[i] = kLongAgo; // with their coordinator since before the start
        const auto s = rng.uniform4(Purpose::initial_state, i, 0);
        if (s[0] < p.population.initial_dp_share) {
            u.state[i] = PathwayState::holding_dp;
            u.state_since[i] = -static_cast<std::int32_t>(s[1] * 24);
            u.pb_need[i] = draw_amount(cm, w.councils[u.council[i]], u.severity[i], s[2], s[3]);
            plan_budget_support(u, i, cm);
        } else if (s[0] < p.population.initial_dp_share + p.population.initial_aware_share) {
            u.state[i] = PathwayState::aware;
        }
    }
    w.peers = make_peer_network(p, w.councils, rng);
    for (std::uint32_t i = 0; i < u.size(); ++i) {
        if (!is_holding(u.state[i])) continue;
        for (auto j : peers_of(w, i))
            ++u.peers_holding[j];
    }
    return w;
}

std::string_view to_string(PathwayState s) {
    static constexpr std::string_view names[] = {
        "unaware",          "aware",      "requested",       "in_assessment",
        "support_planning", "holding_dp", "holding_managed", "handed_back"};
    return names[static_cast<int>(s)];
}

} // namespace pbsim
