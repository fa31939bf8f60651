#include <consensus/pow.h>

#include <consensus/asert.h>

namespace {
unsigned int BitLength(const arith_uint256& v)
{
    return v == 0 ? 0 : static_cast<unsigned int>(boost::multiprecision::msb(v)) + 1;
}
} // namespace

arith_uint256 DecodeCompact(uint32_t compact, bool* negative, bool* overflow)
{
    const unsigned int size = compact >> 24;
    uint32_t mantissa = compact & 0x007fffff;
    arith_uint256 value;
    if (size <= 3) {
        mantissa >>= 8 * (3 - size);
        value = mantissa;
    } else if (size - 3 < 32) {
        value = arith_uint256(mantissa) << (8 * (size - 3));
    } else {
        value = 0; // shifted out entirely; reported as overflow below when mantissa != 0
    }
    if (negative) *negative = mantissa != 0 && (compact & 0x00800000) != 0;
    if (overflow) {
        *overflow = mantissa != 0 && (size > 34 || (mantissa > 0xff && size > 33) ||
                                      (mantissa > 0xffff && size > 32));
    }
    return value;
}

uint32_t EncodeCompact(const arith_uint256& value)
{
    unsigned int size = (BitLength(value) + 7) / 8;
    uint32_t mantissa;
    if (size <= 3) {
        mantissa = static_cast<uint32_t>(value) << (8 * (3 - size));
    } else {
        mantissa = static_cast<uint32_t>(value >> (8 * (size - 3)));
    }
    // Bit 23 is the sign: a mantissa that would set it moves one byte down.
    if (mantissa & 0x00800000) {
        mantissa >>= 8;
        ++size;
    }
    return mantissa | (static_cast<uint32_t>(size) << 24);
}

std::optional<arith_uint256> DeriveTarget(uint32_t bits, const uint256& pow_limit)
{
    bool negative = false;
    bool overflow = false;
    const arith_uint256 target = DecodeCompact(bits, &negative, &overflow);
    if (negative || overflow || target == 0 || target > UintToArith256(pow_limit)) return std::nullopt;
    return target;
}

bool CheckProofOfWork(const uint256& hash, uint32_t bits, const ConsensusParams& params)
{
    const auto target = DeriveTarget(bits, params.pow_limit);
    return target && UintToArith256(hash) <= *target;
}

uint256 GetBlockProof(uint32_t bits)
{
    bool negative = false;
    bool overflow = false;
    const arith_uint256 target = DecodeCompact(bits, &negative, &overflow);
    if (negative || overflow || target == 0) return uint256();
    // 2^256 does not fit 256 bits, but 2^256 / (t + 1) = (2^256 - t - 1) / (t + 1) + 1
    // = ~t / (t + 1) + 1. A compact value never reaches 2^256 - 1, so t + 1 cannot wrap.
    return ArithToUint256(~target / (target + 1) + 1);
}

uint32_t NextWorkRequired(int64_t prev_height, int64_t prev_time, uint32_t /*prev_bits*/,
                          const ConsensusParams& params)
{
    const arith_uint256 limit = UintToArith256(params.pow_limit);
    if (params.pow_no_retargeting) return EncodeCompact(limit);
    return AsertNextBits(limit, params.pow_target_spacing, params.asert_half_life,
                         params.asert_anchor_height, params.asert_anchor_parent_time,
                         params.asert_anchor_bits, prev_height, prev_time);
}

bool IsPermittedHeaderBits(uint32_t header_bits, uint32_t asert_bits, const ConsensusParams& /*params*/)
{
    return header_bits == asert_bits;
}
