#include "model/rng.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PBSIM_HAVE_AVX2_KERNEL 1
#endif

namespace pbsim {

namespace {

constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u; // Philox multipliers
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u; // Weyl key increments

// Philox4x32-10 (Salmon et al. 2011), exactly as Random123's philox4x32,
// one lane at a time.
void philox_scalar(std::uint32_t* x0, std::uint32_t* x1, std::uint32_t* x2, std::uint32_t* x3,
                   int n, std::uint32_t k0, std::uint32_t k1) {
    for (int j = 0; j < n; ++j) {
        std::uint32_t a = x0[j], b = x1[j], c = x2[j], d = x3[j], key0 = k0, key1 = k1;
        for (int round = 0; round < 10; ++round) {
            const std::uint64_t p0 = std::uint64_t{kM0} * a;
            const std::uint64_t p1 = std::uint64_t{kM1} * c;
            a = static_cast<std::uint32_t>(p1 >> 32) ^ b ^ key0;
            b = static_cast<std::uint32_t>(p1);
            c = static_cast<std::uint32_t>(p0 >> 32) ^ d ^ key1;
            d = static_cast<std::uint32_t>(p0);
            key0 += kW0;
            key1 += kW1;
        }
        x0[j] = a, x1[j] = b, x2[j] = c, x3[j] = d;
    }
}

#ifdef PBSIM_HAVE_AVX2_KERNEL
// hi and lo 32-bit halves of the eight 32x32 -> 64 products of x and m.
__attribute__((target("avx2"))) inline void mulhilo(__m256i x, __m256i m, __m256i& hi,
                                                    __m256i& lo) {
    const __m256i even = _mm256_mul_epu32(x, m);                       // lanes 0,2,4,6
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m); // lanes 1,3,5,7
    hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

// The same on eight lanes at once, all ten rounds in registers. Integer
// arithmetic: bit-identical to the scalar kernel.
__attribute__((target("avx2"))) void philox_avx2(std::uint32_t* x0, std::uint32_t* x1,
                                                 std::uint32_t* x2, std::uint32_t* x3, int n,
                                                 std::uint32_t k0, std::uint32_t k1) {
    const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kM0));
    const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kM1));
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x0 + j));
        __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x1 + j));
        __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x2 + j));
        __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x3 + j));
        std::uint32_t key0 = k0, key1 = k1;
        for (int round = 0; round < 10; ++round) {
            __m256i hi0, lo0, hi1, lo1;
            mulhilo(a, m0, hi0, lo0);
            mulhilo(c, m1, hi1, lo1);
            a = _mm256_xor_si256(_mm256_xor_si256(hi1, b),
                                 _mm256_set1_epi32(static_cast<int>(key0)));
            b = lo1;
            c = _mm256_xor_si256(_mm256_xor_si256(hi0, d),
                                 _mm256_set1_epi32(static_cast<int>(key1)));
            d = lo0;
            key0 += kW0;
            key1 += kW1;
        }
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(x0 + j), a);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(x1 + j), b);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(x2 + j), c);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(x3 + j), d);
    }
    philox_scalar(x0 + j, x1 + j, x2 + j, x3 + j, n - j, k0, k1);
}

const bool kHaveAvx2 = __builtin_cpu_supports("avx2");
#endif

} // namespace

void Rng::fill(const std::uint32_t* month_words, std::uint32_t first, int n, std::uint32_t k,
               DrawBlock& out) const {
    for (int j = 0; j < n; ++j) {
        out.w0[j] = first + static_cast<std::uint32_t>(j);
        out.w1[j] = month_words[j];
        out.w2[j] = replication_;
        out.w3[j] = k;
    }
#ifdef PBSIM_HAVE_AVX2_KERNEL
    if (kHaveAvx2) return philox_avx2(out.w0, out.w1, out.w2, out.w3, n, key_[0], key_[1]);
#endif
    philox_scalar(out.w0, out.w1, out.w2, out.w3, n, key_[0], key_[1]);
}

} // namespace pbsim
