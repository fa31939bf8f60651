// The integer arithmetic of consensus inference (doc/oda-models.md §Arithmetic).
// These small functions ARE the specification: the reference interpreter calls
// them directly, and the consensus engine is tested against them bit for bit.
// All are total: defined for every int32/int8 argument, no undefined behaviour.
#ifndef ODA_ODA_MODEL_ARITHMETIC_H
#define ODA_ODA_MODEL_ARITHMETIC_H

#include <cstdint>
#include <limits>

namespace oda::model {

/** acc * 2^shift saturated to int32 (shift >= 0; any shift up to 255 is defined). */
inline int32_t SaturatingLeftShift(int32_t acc, int shift)
{
    if (acc == 0 || shift <= 0) return acc;
    if (shift >= 32) return acc > 0 ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int32_t>::min();
    const int64_t v = static_cast<int64_t>(acc) * (int64_t{1} << shift);  // |v| <= 2^62
    if (v > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
    if (v < std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::min();
    return static_cast<int32_t>(v);
}

/** gemmlowp's SaturatingRoundingDoublingHighMul: a * b / 2^31 rounded to nearest, ties
 *  toward +infinity (1.5 -> 2, -1.5 -> -1: the nudge is +2^30, or 1 - 2^30 for negative
 *  products, then C division truncates); the only overflow case (a == b == INT32_MIN)
 *  gives INT32_MAX. */
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b)
{
    if (a == std::numeric_limits<int32_t>::min() && b == std::numeric_limits<int32_t>::min()) {
        return std::numeric_limits<int32_t>::max();
    }
    const int64_t ab = static_cast<int64_t>(a) * b;
    const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
    return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // C++ division truncates toward zero
}

/** gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from
 *  zero; defined for any exponent >= 0 (large exponents give 0, or -1 for x = INT32_MIN
 *  and exponent 32, exactly as the mathematical rounding). */
inline int32_t RoundingDivideByPOT(int32_t x, int exponent)
{
    if (exponent <= 0) return x;
    if (exponent > 40) return 0;  // |x| / 2^40 < 2^-9: rounds to 0
    const int64_t mask = (int64_t{1} << exponent) - 1;
    const int64_t v = x;
    const int64_t remainder = v & mask;
    const int64_t threshold = (mask >> 1) + (v < 0 ? 1 : 0);
    return static_cast<int32_t>((v >> exponent) + (remainder > threshold ? 1 : 0));
}

/** Accumulator -> int8: clamp(out_zp + RDBPOT(SRDHM(SatLeftShift(acc, max(shift,0)), M), max(-shift,0))). */
inline int8_t Requantize(int32_t acc, int32_t multiplier, int shift, int8_t output_zero_point)
{
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    const int32_t scaled = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(SaturatingLeftShift(acc, left), multiplier), right);
    int64_t out = int64_t{output_zero_point} + scaled;
    if (out < -128) out = -128;
    if (out > 127) out = 127;
    return static_cast<int8_t>(out);
}

/** AvgPool: sum / count rounded to nearest, ties away from zero (count >= 1). */
inline int8_t RoundedAverage(int64_t sum, int64_t count)
{
    const int64_t half = count / 2;
    const int64_t q = sum >= 0 ? (sum + half) / count : -((-sum + half) / count);
    return static_cast<int8_t>(q);
}

} // namespace oda::model

#endif // ODA_ODA_MODEL_ARITHMETIC_H
