#include "model/rng.hpp"

namespace pbsim {

namespace {

// Philox4x32-10 (Salmon et al. 2011), exactly as Random123's philox4x32, on
// arrays of counters so that each round is one vectorisable loop over lanes.
// Built for AVX2 and for baseline x86-64; the loader picks one at run time.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void philox_lanes(std::uint32_t* __restrict x0, std::uint32_t* __restrict x1,
                  std::uint32_t* __restrict x2, std::uint32_t* __restrict x3, int n,
                  std::uint32_t k0, std::uint32_t k1) {
    for (int round = 0; round < 10; ++round) {
        for (int j = 0; j < n; ++j) {
            const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * x0[j];
            const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * x2[j];
            const std::uint32_t y0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1[j] ^ k0;
            const std::uint32_t y2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3[j] ^ k1;
            x1[j] = static_cast<std::uint32_t>(p1);
            x3[j] = static_cast<std::uint32_t>(p0);
            x0[j] = y0;
            x2[j] = y2;
        }
        k0 += 0x9E3779B9u; // Weyl key schedule
        k1 += 0xBB67AE85u;
    }
}

} // namespace

void Rng::fill(const std::uint32_t* month_words, std::uint32_t first, int n, std::uint32_t k,
               DrawBlock& out) const {
    for (int j = 0; j < n; ++j) {
        out.w0[j] = first + static_cast<std::uint32_t>(j);
        out.w1[j] = month_words[j];
        out.w2[j] = replication_;
        out.w3[j] = k;
    }
    philox_lanes(out.w0, out.w1, out.w2, out.w3, n, key_[0], key_[1]);
}

} // namespace pbsim
