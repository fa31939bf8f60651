#include <consensus/pow.h>

#include <consensus/arith.h>
#include <consensus/asert.h>

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

int CompareChainWork(const uint256& a, const uint256& b)
{
    // Most significant byte is the last one.
    for (int i = static_cast<int>(uint256::size()) - 1; i >= 0; --i) {
        if (a.data()[i] != b.data()[i]) return a.data()[i] < b.data()[i] ? -1 : 1;
    }
    return 0;
}

uint256 AddChainWork(const uint256& a, const uint256& b)
{
    const arith_uint256 x = UintToArith256(a);
    const arith_uint256 sum = x + UintToArith256(b);
    if (sum < x) return ArithToUint256(~arith_uint256(0)); // wrapped: saturate
    return ArithToUint256(sum);
}

uint256 SubChainWork(const uint256& a, const uint256& b)
{
    if (CompareChainWork(a, b) <= 0) return uint256();
    return ArithToUint256(UintToArith256(a) - UintToArith256(b));
}
