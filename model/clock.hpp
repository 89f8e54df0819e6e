// Event clocks: the uniform of a user's monthly hazard draw, built so that the
// months in which it can fall below a bound are found without drawing every
// month (docs/performance.md, "The event engine").
//
// The draw of (purpose, slot, month) is U = (P + w / 2^24) / 256, where P is an
// 8-bit number whose bit j (most significant first) is bit (m mod 32) of "plane"
// word j for the 32-month block of calendar month m, and w is the top 24 bits
// of the month's own Philox word. U is uniform, and U < h only if P < T for
// T = ceil(256 h), so the months where an event with hazard at most h is
// possible are found by comparing the planes with T for 32 months at once.
// Every hazard draw is this one U, whatever bound a caller uses, so a user
// visited every month, one visited only in candidate months and the same user
// in another scenario with other bounds all see the same numbers: common
// random numbers as strong as one draw per user and month.
#pragma once

#include "model/rng.hpp"

#include <bit>
#include <cstdint>

namespace pbsim::clock {

inline constexpr int kPlanes = 8;         // resolution of a bound: 1/256 per month
inline constexpr int kAll = 1 << kPlanes; // threshold under which every month is a candidate
inline constexpr std::uint32_t kPlaneK =
    0x100; // counter word k of plane words (k = 0 is the month draw)

// A bound of a hazard over months [from, until): unless the engine visits the
// user first, no month in that span has a larger hazard.
struct Bound {
    float value;
    std::int32_t until;
};

// The threshold of a hazard bound: the smallest T with T / 256 >= bound (with a
// margin for float rounding of the hazard itself), 0 if the bound is 0 (no
// event possible), at most 256 (every month).
inline int threshold(float bound) {
    if (!(bound > 0)) return 0;
    const float t = bound * (1.0001f * kAll);
    if (!(t < kAll)) return kAll;
    const int floor_t = static_cast<int>(t);
    return floor_t + (static_cast<float>(floor_t) < t ? 1 : 0);
}

// Candidate months of block `block` (calendar month / 32) under threshold T,
// as a bit mask (bit j: month 32 * block + j): months with P < T, found by a
// comparison of the planes bit-sliced across the 32 months.
inline std::uint32_t candidates(const Rng& rng, Purpose p, std::uint32_t slot, std::uint32_t block,
                                int threshold) {
    if (threshold >= kAll) return ~0u;
    if (threshold <= 0) return 0u;
    std::uint32_t less = 0, equal = ~0u;
    for (std::uint32_t half = 0; half < 2 && equal; ++half) {
        const auto planes = rng.words(p, slot, block, kPlaneK + half);
        for (int j = 0; j < 4; ++j) {
            const int bit = kPlanes - 1 - (4 * static_cast<int>(half) + j);
            if ((threshold >> bit) & 1) {
                less |= equal & ~planes[j];
                equal &= planes[j];
            } else {
                equal &= ~planes[j];
            }
        }
    }
    return less;
}

// The first calendar month in [from, until) in which the draw of (p, slot) can
// be below T / 256; `until` if none.
inline std::uint32_t next_candidate(const Rng& rng, Purpose p, std::uint32_t slot,
                                    std::uint32_t from, std::uint32_t until, int threshold) {
    if (from >= until || threshold <= 0) return until;
    if (threshold >= kAll) return from;
    std::uint32_t block = from >> 5;
    std::uint32_t mask = candidates(rng, p, slot, block, threshold) & (~0u << (from & 31));
    for (;;) {
        if (mask) {
            const std::uint32_t m = 32 * block + static_cast<std::uint32_t>(std::countr_zero(mask));
            return m < until ? m : until;
        }
        ++block;
        if (32 * block >= until) return until;
        mask = candidates(rng, p, slot, block, threshold);
    }
}

// The month's four draws with word 0 replaced by the clock's U (as a 32-bit
// word: to_unit of it is U): the hazard draw; words 1-3 are the month's own.
inline Draw4 draw(const Rng& rng, Purpose p, std::uint32_t slot, std::uint32_t month) {
    auto w = rng.words(p, slot, month);
    const std::uint32_t block = month >> 5, bit = month & 31;
    std::uint32_t prefix = 0;
    for (std::uint32_t half = 0; half < 2; ++half) {
        const auto planes = rng.words(p, slot, block, kPlaneK + half);
        for (int j = 0; j < 4; ++j)
            prefix = (prefix << 1) | ((planes[j] >> bit) & 1u);
    }
    w[0] = (prefix << 24) | (w[0] >> 8);
    return Draw4{w};
}

} // namespace pbsim::clock
