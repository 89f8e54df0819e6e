// The peer network: small-world ties between users, mostly within a council.
#pragma once

#include "model/rng.hpp"
#include "model/world.hpp"

namespace pbsim {

// Watts-Strogatz within each council (ring lattice of mean_degree, each tie
// rewired with probability `rewiring`, a share of rewired ties leaving the
// council), symmetrised, without self-loops or duplicate ties. Drawn from the
// network-generation purpose only.
PeerGraph make_peer_network(const Parameters& p, const std::vector<LocalAuthority>& councils,
                            const Rng& rng);

} // namespace pbsim
