// Requantization of int32 accumulators in vector lanes (internal to oda/engine:
// included by kernels.cpp and conv.cpp only). The same function as
// oda::model::Requantize, derived independently in 32-bit lanes:
//   1. acc * 2^left saturated: shift, shift back, and saturate the lanes where the
//      round trip lost bits (left = 32 shifts every bit out, so every non-zero lane
//      saturates, as the specification says); skipped when no channel of the layer
//      has a left shift (any_left false: every left is 0);
//   2. round(v * M / 2^31), ties toward +infinity, is floor((v * M + 2^30) / 2^31):
//      even and odd lanes as 64-bit products, bits 31..62 kept (the quotient fits
//      int32 because 0 <= M < 2^31);
//   3. round(h / 2^right), ties away from zero: floor shift, plus 1 where the
//      remainder (h & mask, mask = 2^right - 1 from the table) is above half (half
//      included for negative h), as in gemmlowp's RoundingDivideByPOT; right <= 32
//      (RequantTable folds larger shifts; mask is all ones for 32);
//   4. + zero point, clamped to [lower, 127] (r is clamped to +-256 first so the
//      addition cannot wrap).
// The scalar form uses int64 throughout instead.
#ifndef ODA_ODA_ENGINE_REQUANT_SIMD_H
#define ODA_ODA_ENGINE_REQUANT_SIMD_H

#include <cstdint>
#include <limits>

#if defined(__x86_64__) || defined(__i386__)
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on _mm512_undefined (a false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define ODA_HAVE_X86 1
#define ODA_AVX2_TARGET __attribute__((target("avx2")))
#define ODA_AVX512_TARGET __attribute__((target("avx512f")))
#define ODA_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))
#endif

namespace oda::engine::simd {

/** One accumulator, int64 arithmetic (floor shifts). right may be anything in 0..40. */
inline int8_t RequantizeOne(int32_t acc, int32_t left, int32_t multiplier, int32_t right, int32_t zero_point, int32_t lower)
{
    int64_t v = int64_t{acc} * (int64_t{1} << left);  // left <= 32: |v| <= 2^63, representable
    v = v < std::numeric_limits<int32_t>::min() ? std::numeric_limits<int32_t>::min()
                                                : (v > std::numeric_limits<int32_t>::max() ? std::numeric_limits<int32_t>::max() : v);
    const int64_t high = (v * multiplier + (int64_t{1} << 30)) >> 31;
    const int64_t round = (int64_t{1} << right) >> 1;
    const int64_t r = ((high + round - ((high < 0 && right > 0) ? 1 : 0)) >> right) + zero_point;
    return static_cast<int8_t>(r < lower ? lower : (r > 127 ? 127 : r));
}

#ifdef ODA_HAVE_X86
/** Eight int32 lanes -> eight int32 lanes in [lower, 127]. */
ODA_AVX2_TARGET inline __m256i RequantizeLanes(__m256i v, bool any_left, __m256i left, __m256i mult, __m256i right, __m256i mask,
                                               __m256i zp, __m256i lower)
{
    if (any_left) {
        const __m256i shifted = _mm256_sllv_epi32(v, left);
        const __m256i exact = _mm256_cmpeq_epi32(_mm256_srav_epi32(shifted, left), v);
        const __m256i saturated = _mm256_xor_si256(_mm256_srai_epi32(v, 31), _mm256_set1_epi32(std::numeric_limits<int32_t>::max()));
        v = _mm256_blendv_epi8(saturated, shifted, exact);
    }

    const __m256i half = _mm256_set1_epi64x(int64_t{1} << 30);
    const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(v, mult), half);
    const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(v, 32), _mm256_srli_epi64(mult, 32)), half);
    const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);

    const __m256i remainder = _mm256_and_si256(high, mask);
    const __m256i threshold = _mm256_add_epi32(_mm256_srli_epi32(mask, 1), _mm256_srli_epi32(high, 31));
    // cmpgt gives -1 where the quotient rounds up: subtracting it adds 1.
    __m256i r = _mm256_sub_epi32(_mm256_srav_epi32(high, right), _mm256_cmpgt_epi32(remainder, threshold));

    r = _mm256_min_epi32(_mm256_max_epi32(r, _mm256_set1_epi32(-256)), _mm256_set1_epi32(256));
    r = _mm256_add_epi32(r, zp);
    return _mm256_min_epi32(_mm256_max_epi32(r, lower), _mm256_set1_epi32(127));
}

/** Eight lanes in [-128, 127] -> eight bytes (the low 8 of the result). */
ODA_AVX2_TARGET inline __m128i PackLanes(__m256i r)
{
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
    return _mm_packs_epi16(words, words);
}

/** Sixteen int32 lanes -> sixteen int32 lanes in [lower, 127]. */
ODA_AVX512_TARGET inline __m512i RequantizeLanes(__m512i v, bool any_left, __m512i left, __m512i mult, __m512i right, __m512i mask,
                                                 __m512i zp, __m512i lower)
{
    if (any_left) {
        const __m512i shifted = _mm512_sllv_epi32(v, left);
        const __mmask16 exact = _mm512_cmpeq_epi32_mask(_mm512_srav_epi32(shifted, left), v);
        const __m512i saturated = _mm512_xor_si512(_mm512_srai_epi32(v, 31), _mm512_set1_epi32(std::numeric_limits<int32_t>::max()));
        v = _mm512_mask_blend_epi32(exact, saturated, shifted);
    }

    const __m512i half = _mm512_set1_epi64(int64_t{1} << 30);
    const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(v, mult), half);
    const __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(v, 32), _mm512_srli_epi64(mult, 32)), half);
    const __m512i high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));

    const __m512i remainder = _mm512_and_si512(high, mask);
    const __m512i threshold = _mm512_add_epi32(_mm512_srli_epi32(mask, 1), _mm512_srli_epi32(high, 31));
    __m512i r = _mm512_srav_epi32(high, right);
    r = _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(remainder, threshold), r, _mm512_set1_epi32(1));

    r = _mm512_min_epi32(_mm512_max_epi32(r, _mm512_set1_epi32(-256)), _mm512_set1_epi32(256));
    r = _mm512_add_epi32(r, zp);
    return _mm512_min_epi32(_mm512_max_epi32(r, lower), _mm512_set1_epi32(127));
}
#endif

} // namespace oda::engine::simd

#endif // ODA_ODA_ENGINE_REQUANT_SIMD_H
