// Event clocks: the uniform of a user's monthly hazard draw, built so that the
// months in which it can fall below a bound are found without drawing every
// month (docs/performance.md, "The event engine").
//
// The draw of (purpose, slot, month) is U = (P + w / 2^24) / 256, where P is an
// 8-bit number, byte (m mod 16) of one Philox call for the 16-month block of
// calendar month m, and w is the top 24 bits of the month's own Philox word.
// U is uniform, and U < h only if P < T for T = ceil(256 h), so the months
// where an event with hazard at most h is possible are found by comparing 16
// bytes with T at once, one Philox call per 16 months. Every hazard draw is
// this one U, whatever bound a caller uses, so a user visited every month, one
// visited only in candidate months and the same user in another scenario with
// other bounds all see the same numbers: common random numbers as strong as
// one draw per user and month.
#pragma once

#include "model/rng.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pbsim::clock {

inline constexpr int kBits = 8;                 // resolution of a bound: 1/256 per month
inline constexpr int kAll = 1 << kBits;         // threshold under which every month is a candidate
inline constexpr int kBlock = 16;               // months per Philox call of P bytes
inline constexpr std::uint32_t kBlockK = 0x100; // counter word k of P blocks (k = 0: month draws)

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

// The 16 P bytes of block `block` (calendar month / 16): byte j is P of month
// 16 * block + j.
struct Block {
    alignas(16) std::uint8_t p[kBlock];
};
inline Block block_of(const Rng& rng, Purpose purpose, std::uint32_t slot, std::uint32_t block) {
    const auto w = rng.words(purpose, slot, block, kBlockK);
    Block b;
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(b.p, w.data(), sizeof b.p); // byte j of word k is byte 4k + j
    } else {
        for (int k = 0; k < 4; ++k)
            for (int j = 0; j < 4; ++j)
                b.p[4 * k + j] = static_cast<std::uint8_t>(w[k] >> (8 * j));
    }
    return b;
}

// Months of a block with P < T, as a 16-bit mask (bit j: month 16 * block + j).
inline std::uint32_t below(const Block& b, int threshold) {
    if (threshold >= kAll) return 0xffffu;
    if (threshold <= 0) return 0u;
#if defined(__SSE2__)
    // Unsigned bytes: P < T exactly when min(P, T - 1) == P.
    const __m128i p = _mm_load_si128(reinterpret_cast<const __m128i*>(b.p));
    const __m128i t = _mm_set1_epi8(static_cast<char>(threshold - 1));
    return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(p, t), p)));
#else
    std::uint32_t mask = 0;
    for (int j = 0; j < kBlock; ++j)
        mask |= static_cast<std::uint32_t>(b.p[j] < threshold) << j;
    return mask;
#endif
}

// P of one calendar month.
inline std::uint8_t p_of(const Rng& rng, Purpose purpose, std::uint32_t slot, std::uint32_t month) {
    return block_of(rng, purpose, slot, month / kBlock).p[month % kBlock];
}

// What a search of the blocks found: the first candidate month at or after
// `from` in the blocks it read (real), with its P and `after`, the next
// candidate of the same block (or the block's end); or, if none, the end of the
// last block read (not real). Every block it reads, it reads whole, so the
// search knows more than it was asked: what it found may lie beyond `until`.
struct Scan {
    std::uint32_t month;
    std::uint32_t after;
    bool real;
    std::uint8_t p;
};

// The blocks from `from`'s up to the one holding the first candidate under
// T, or holding `until - 1` if none comes before `until` (from < until, T > 0).
inline Scan scan(const Rng& rng, Purpose purpose, std::uint32_t slot, std::uint32_t from,
                 std::uint32_t until, int threshold) {
    std::uint32_t block = from / kBlock;
    std::uint32_t skip = from % kBlock; // months of the first block before `from`
    for (;;) {
        const Block b = block_of(rng, purpose, slot, block);
        const std::uint32_t mask = below(b, threshold) >> skip << skip;
        const std::uint32_t end = kBlock * (block + 1);
        if (mask) {
            const auto j = static_cast<std::uint32_t>(std::countr_zero(mask));
            const std::uint32_t rest = mask & (mask - 1);
            const std::uint32_t after =
                rest ? kBlock * block + static_cast<std::uint32_t>(std::countr_zero(rest)) : end;
            return {kBlock * block + j, after, true, b.p[j]};
        }
        if (end >= until) return {end, end, false, 0};
        ++block;
        skip = 0;
    }
}

// A candidate month and its P.
struct Candidate {
    std::uint32_t month; // `until` if none
    std::uint8_t p;
};

// The first calendar month in [from, until) in which the draw of (p, slot) can
// be below T / 256, with its P; `until` if none.
inline Candidate next_candidate(const Rng& rng, Purpose purpose, std::uint32_t slot,
                                std::uint32_t from, std::uint32_t until, int threshold) {
    if (from >= until || threshold <= 0) return {until, 0};
    const Scan s = scan(rng, purpose, slot, from, until, threshold);
    return s.real && s.month < until ? Candidate{s.month, s.p} : Candidate{until, 0};
}

// The month's four draws with word 0 replaced by the clock's U (as a 32-bit
// word: to_unit of it is U), given the month's P: the hazard draw; words 1-3
// are the month's own.
inline Draw4 draw(const Rng& rng, Purpose purpose, std::uint32_t slot, std::uint32_t month,
                  std::uint8_t p) {
    auto w = rng.words(purpose, slot, month);
    w[0] = (static_cast<std::uint32_t>(p) << 24) | (w[0] >> 8);
    return Draw4{w};
}
inline Draw4 draw(const Rng& rng, Purpose purpose, std::uint32_t slot, std::uint32_t month) {
    return draw(rng, purpose, slot, month, p_of(rng, purpose, slot, month));
}

} // namespace pbsim::clock
