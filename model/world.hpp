// The state of one replication: councils, care coordinators, service users and
// their peer network. Plain data laid out as contiguous arrays (struct of
// arrays) so the monthly pass streams through memory.
#pragma once

#include "model/metrics.hpp"
#include "model/parameters.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pbsim {

enum class PathwayState : std::uint8_t {
    unaware,
    aware,
    requested,
    in_assessment,
    support_planning,
    holding_dp,
    holding_managed,
    handed_back,
};
inline constexpr int kPathwayStates = 8;
std::string_view to_string(PathwayState s);

inline bool is_holding(PathwayState s) {
    return s == PathwayState::holding_dp || s == PathwayState::holding_managed;
}

// Months are simulation months: 0 is the scenario's first month.
inline constexpr std::int32_t kNever = 1 << 30;
inline constexpr std::int32_t kLongAgo = -(1 << 20);

struct LocalAuthority {
    std::string code; // synthetic council code, e.g. "LA001"
    double size_share;
    double dp_culture;        // multiplier; > 1 early adopter, < 1 laggard
    double amount_multiplier; // council resource-allocation level
    double crisis_multiplier; // council crisis hazard relative to England (mean 1)
    std::uint32_t first_user, user_count;
    std::uint32_t first_post, post_count; // care-coordinator posts
    double culture_z = 0;                 // the standard normal draw behind dp_culture
    int adoption_lag = 0; // months behind the national dates of paced policies (< 0: ahead)
};

// Care coordinators, indexed by post. A post is refilled when its holder leaves.
struct CareCoordinators {
    std::vector<std::uint16_t> council;
    std::vector<std::uint32_t> generation; // number of the holder of the post
    std::vector<float> attitude;           // 0 sceptic .. 1 champion
    std::vector<float> risk_aversion;      // 0..1
    std::vector<float> knowledge;          // 0..1
    std::vector<std::int32_t> in_post_since;
    // Derived each month from the above (see workforce.cpp).
    std::vector<float> awareness_not; // 1 - monthly probability of telling an unaware user
    std::vector<float> request_factor;

    std::size_t size() const { return council.size(); }
    void resize(std::size_t n);
};

// Service users, indexed by slot. A slot is refilled when its user leaves, so
// its network ties and council pass to the newcomer (see docs/odd.md).
struct ServiceUsers {
    // fixed for the slot
    std::vector<std::uint16_t> council;
    // fixed for the person (drawn at entry)
    std::vector<std::uint32_t> generation;
    std::vector<std::int32_t> exit_month;
    std::vector<std::uint8_t> severity; // 1..3
    std::vector<float> confidence, trust;
    std::vector<std::uint8_t> has_carer;
    std::vector<float> request_propensity;  // exp(person terms of the request hazard)
    std::vector<float> handback_propensity; // exp(person terms of the hand-back hazard)
    // Fixed per-person 16-bit uniforms: a service with coverage c reaches those
    // below c (see reach_threshold), so raising coverage adds people without
    // changing who else is reached.
    std::vector<std::uint16_t> reach_dp_support, reach_advocacy, reach_peer_support,
        reach_crisis_prevention;
    // The same kind of fixed ranks for the person's needs and plans: health
    // needs below boundary.health_need_share, a personal health budget (or NHS
    // money in a merged budget) below its access, a contingency plan below its
    // coverage.
    std::vector<std::uint16_t> rank_health_need, rank_nhs_funding, rank_contingency;
    // dynamic
    std::vector<PathwayState> state;
    std::vector<std::int32_t> state_since;
    std::vector<std::int32_t> discouraged_until;
    std::vector<float> pb_need;           // GBP/year: the assessed need the budget is for
    std::vector<float> pb_amount;         // GBP/year while holding, all parts
    std::vector<float> pb_health;         // GBP/year of it that is the NHS part
    std::vector<float> pb_health_council; // GBP/year of health need the council funds (merged)
    std::vector<float> pb_replaced;       // share of a full traditional package the budget replaces
    std::vector<float> pb_effect_scale;   // PB effects relative to a median budget (see allocation)
    std::vector<std::uint8_t> has_contingency_plan;
    std::vector<std::int32_t> last_crisis;
    std::vector<std::uint16_t> hospital_days_left;
    std::vector<std::uint32_t> coordinator;      // post index
    std::vector<std::int32_t> coordinator_since; // month the user joined this post
    std::vector<std::int32_t> reassigned_at;     // month of the user's last move between posts
    std::vector<std::uint16_t> peers_holding;    // peers currently holding a PB

    std::size_t size() const { return council.size(); }
    void resize(std::size_t n);
};

// Peer ties between user slots, compressed sparse row (undirected: both directions stored).
using PeerGraph =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                       boost::no_property, std::uint32_t, std::uint32_t>;

struct World {
    std::vector<LocalAuthority> councils;
    CareCoordinators coordinators;
    ServiceUsers users;
    PeerGraph peers;
    // Probability a waiting request starts assessment this month, by council
    // (set by the workforce process from the council's queue and capacity).
    std::vector<float> assessment_start_p;
};

} // namespace pbsim

namespace pbsim {
// Peer slots of user slot i, straight from the CSR arrays.
inline std::span<const std::uint32_t> peers_of(const World& w, std::uint32_t i) {
    const auto& rs = w.peers.m_forward.m_rowstart;
    return {w.peers.m_forward.m_column.data() + rs[i], rs[i + 1] - rs[i]};
}
} // namespace pbsim
