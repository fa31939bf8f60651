#include <consensus/asert.h>

#include <consensus/pow.h>

#include <stdexcept>

namespace {
using boost::multiprecision::cpp_int;

constexpr int64_t RADIX_BITS = 16;
constexpr int64_t RADIX = int64_t{1} << RADIX_BITS;
// Beyond this many whole halvings/doublings the result is already clamped (a target has at
// most 256 bits and the factor 17), so the exponent can be clamped here before narrowing it
// to int64 without changing any result.
constexpr int64_t MAX_SHIFTS = 320;
} // namespace

uint32_t AsertFactor(uint32_t frac)
{
    if (frac >= RADIX) throw std::invalid_argument("AsertFactor: frac out of range");
    // The sum peaks at ~1.8e19 for frac = 65535: it needs unsigned 64-bit arithmetic (it
    // would overflow int64) and never exceeds 2^64 - 1.
    const uint64_t x = frac;
    const uint64_t poly = 195766423245049ULL * x + 971821376ULL * x * x + 5127ULL * x * x * x +
                          (uint64_t{1} << 47);
    return static_cast<uint32_t>(RADIX + (poly >> 48));
}

uint32_t AsertNextBits(const arith_uint256& pow_limit, int64_t spacing, int64_t half_life,
                       int64_t anchor_height, int64_t anchor_parent_time, uint32_t anchor_bits,
                       int64_t eval_height, int64_t eval_time)
{
    if (spacing <= 0 || half_life <= 0) throw std::invalid_argument("ASERT: spacing and half-life must be positive");
    if (eval_height < anchor_height) throw std::invalid_argument("ASERT: evaluation height below anchor");
    bool negative = false;
    bool overflow = false;
    const arith_uint256 anchor_target = DecodeCompact(anchor_bits, &negative, &overflow);
    if (negative || overflow || anchor_target == 0 || anchor_target > pow_limit) {
        throw std::invalid_argument("ASERT: anchor bits outside (0, pow_limit]");
    }

    // Schedule error in seconds: positive = behind schedule (target grows).
    const cpp_int time_delta = cpp_int(eval_time) - anchor_parent_time;
    const cpp_int height_delta = cpp_int(eval_height) - anchor_height;
    const cpp_int schedule_error = time_delta - cpp_int(spacing) * (height_delta + 1);
    // Fixed-point exponent with truncating division (toward zero), as the spec requires.
    cpp_int exponent_big = schedule_error * RADIX / half_life;
    if (exponent_big > MAX_SHIFTS * RADIX) exponent_big = MAX_SHIFTS * RADIX;
    if (exponent_big < -MAX_SHIFTS * RADIX) exponent_big = -MAX_SHIFTS * RADIX;
    const int64_t exponent = static_cast<int64_t>(exponent_big);

    // Split into floor(exponent / 2^16) whole shifts and a fraction in [0, 2^16).
    const int64_t shifts = exponent >= 0 ? exponent / RADIX : -((-exponent + RADIX - 1) / RADIX);
    const uint32_t frac = static_cast<uint32_t>(exponent - shifts * RADIX);

    cpp_int next = cpp_int(anchor_target) * AsertFactor(frac);
    if (shifts < 0) {
        next >>= static_cast<unsigned int>(-shifts);
    } else {
        next <<= static_cast<unsigned int>(shifts);
    }
    next >>= RADIX_BITS;

    if (next == 0) return EncodeCompact(arith_uint256(1)); // hardest valid target
    if (next > cpp_int(pow_limit)) return EncodeCompact(pow_limit);
    return EncodeCompact(static_cast<arith_uint256>(next));
}
