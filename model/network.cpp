#include "model/network.hpp"

#include <algorithm>
#include <utility>

namespace pbsim {

PeerGraph make_peer_network(const Parameters& p, const std::vector<LocalAuthority>& councils,
                            const Rng& rng) {
    const std::uint32_t n_users = councils.back().first_user + councils.back().user_count;
    const int half = p.network.mean_degree / 2;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ties;
    ties.reserve(static_cast<std::size_t>(n_users) * half * 2);
    for (const auto& la : councils) {
        const std::uint32_t n = la.user_count;
        if (n < 2) continue;
        for (std::uint32_t k = 0; k < n; ++k) {
            const std::uint32_t i = la.first_user + k;
            for (int j = 1; j <= half && static_cast<std::uint32_t>(j) < n; ++j) {
                const auto u = rng.uniform4(Purpose::network_generation, i, j);
                std::uint32_t target = la.first_user + (k + j) % n;
                if (u[0] < p.network.rewiring) {
                    if (u[1] < p.network.cross_council_share)
                        target = static_cast<std::uint32_t>(u[2] * n_users);
                    else
                        target = la.first_user + static_cast<std::uint32_t>(u[2] * n);
                    target = std::min(target, n_users - 1);
                }
                if (target == i) continue;
                ties.emplace_back(i, target);
                ties.emplace_back(target, i);
            }
        }
    }
    std::sort(ties.begin(), ties.end());
    ties.erase(std::unique(ties.begin(), ties.end()), ties.end());
    return PeerGraph(boost::edges_are_sorted, ties.begin(), ties.end(), n_users);
}

} // namespace pbsim
