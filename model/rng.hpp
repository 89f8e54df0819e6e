// Counter-based random numbers (Random123 Philox4x32-10).
//
// Every draw is a pure function of (seed, replication, purpose, entity, month, k):
// nothing is carried from one draw to the next. Hence results do not depend on
// thread count or execution order, and two scenarios run with the same seed see
// the same numbers for the same decision of the same person in the same month
// (common random numbers), however far their histories have diverged.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>

namespace pbsim {

// The decision a draw is for. Values are part of the output's reproducibility
// contract: append new purposes, never renumber.
enum class Purpose : std::uint32_t {
    council_generation = 1,
    population_generation = 2, // person attributes at entry (entity = slot, month = generation)
    network_generation = 3,
    coordinator_generation =
        4,            // coordinator attributes at hire (entity = post, month = generation)
    turnover = 5,     // coordinator leaving and training
    reassignment = 6, // caseload reassignment on entry and restructuring
    awareness = 7,
    request = 8,
    assessment = 9, // queue, completion, approval, lost requests
    support_planning = 10,
    holding = 11, // hand-back and annual review
    crisis = 12,  // occurrence, type, length of stay
    initial_state = 13,
    trial_randomisation =
        14, // virtual trials: order and allocation of clusters (replication = trial)
    trial_recruitment = 15, // virtual trials: order of eligible users (entity = slot)
};

// Uniform doubles in the open interval (0, 1), four per Philox call.
using Uniform4 = std::array<double, 4>;

// (x + 0.5) / 2^32: never exactly 0 or 1, so log(u) and u < p are safe.
inline double to_unit(std::uint32_t x) {
    return (static_cast<double>(x) + 0.5) * 0x1p-32;
}

// The four raw words of one Philox call, converted to uniforms on use.
struct Draw4 {
    std::array<std::uint32_t, 4> word;
    double operator[](int k) const { return to_unit(word[k]); }
};

// Counters of a block of draws for consecutive entities, in lanes: the
// month word (purpose << 16 | month) may differ between lanes.
inline constexpr int kDrawBlock = 256;
struct DrawBlock {
    alignas(64) std::uint32_t w0[kDrawBlock], w1[kDrawBlock], w2[kDrawBlock], w3[kDrawBlock];
    Draw4 operator[](int j) const { return {{w0[j], w1[j], w2[j], w3[j]}}; }
};

class Rng {
  public:
    Rng(std::uint64_t seed, std::uint32_t replication)
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
          replication_(replication) {}

    // `month` is the calendar month index (Month::index, so scenarios that
    // start at different dates still share draws), or a generation number for
    // entity-creation purposes; only its low 16 bits are used. `k`
    // distinguishes several calls for one (purpose, entity, month).
    Uniform4 uniform4(Purpose purpose, std::uint32_t entity, std::uint32_t month,
                      std::uint32_t k = 0) const {
        const auto r = words(purpose, entity, month, k);
        return {to_unit(r[0]), to_unit(r[1]), to_unit(r[2]), to_unit(r[3])};
    }

    // The raw words of uniform4.
    std::array<std::uint32_t, 4> words(Purpose purpose, std::uint32_t entity, std::uint32_t month,
                                       std::uint32_t k = 0) const {
        const r123::Philox4x32::ctr_type ctr{{entity, month_word(purpose, month), replication_, k}};
        const auto r = philox_(ctr, key_);
        return {r[0], r[1], r[2], r[3]};
    }

    double uniform(Purpose purpose, std::uint32_t entity, std::uint32_t month,
                   std::uint32_t k = 0) const {
        return uniform4(purpose, entity, month, k)[0];
    }

    static std::uint32_t month_word(Purpose purpose, std::uint32_t month) {
        return (static_cast<std::uint32_t>(purpose) << 16) | (month & 0xffffu);
    }

    // The same draws as uniform4(purpose_j, first + j, month, k) for j < n, where
    // month_words[j] = month_word(purpose_j, month): Philox run across lanes so
    // the compiler vectorises it (integer arithmetic: identical bits either way).
    void fill(const std::uint32_t* month_words, std::uint32_t first, int n, std::uint32_t k,
              DrawBlock& out) const;

    std::uint32_t replication() const { return replication_; }

    // The same seed keyed for another replication.
    Rng with_replication(std::uint32_t r) const {
        Rng copy = *this;
        copy.replication_ = r;
        return copy;
    }

  private:
    r123::Philox4x32::key_type key_;
    std::uint32_t replication_;
    r123::Philox4x32 philox_{};
};

// Standard normal from two uniforms (Box-Muller, first of the pair).
inline double standard_normal(double u1, double u2) {
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

inline double logistic(double x) {
    return 1.0 / (1.0 + std::exp(-x));
}
inline double logit(double p) {
    return std::log(p / (1.0 - p));
}

} // namespace pbsim
