#include <consensus/block_context.h>

#include <consensus/block_check.h>
#include <consensus/pow.h>
#include <consensus/tx_verify.h>

#include <algorithm>

int64_t MedianTimePast(std::vector<int64_t> times)
{
    if (times.empty()) return 0;
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

bool ContextualCheckBlockHeader(const CBlockHeader& header, const PrevBlockInfo& prev, int64_t adjusted_time,
                                BlockValidationState& state, const ConsensusParams& params)
{
    const uint32_t expected_bits = NextWorkRequired(prev.height, prev.time, prev.bits, params);
    if (!IsPermittedHeaderBits(header.bits, expected_bits, params)) {
        return state.Invalid(BlockValidationResult::BLOCK_INVALID_HEADER, "bad-diffbits", "incorrect proof of work");
    }
    if (static_cast<int64_t>(header.time) <= prev.median_time_past) {
        return state.Invalid(BlockValidationResult::BLOCK_INVALID_HEADER, "time-too-old", "block's timestamp is too early");
    }
    if (static_cast<int64_t>(header.time) > adjusted_time + params.max_future_block_time) {
        return state.Invalid(BlockValidationResult::BLOCK_TIME_FUTURE, "time-too-new", "block timestamp too far in the future");
    }
    return true;
}

bool ContextualCheckBlock(const CBlock& block, int64_t height, int64_t prev_median_time_past,
                          BlockValidationState& state, const ConsensusParams& /*params*/)
{
    // BIP 113: lock times compare with the median time past, which miners cannot push forward.
    for (const CTransactionRef& tx : block.vtx) {
        if (!IsFinalTx(*tx, height, prev_median_time_past)) {
            return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-txns-nonfinal",
                                 "non-final transaction " + tx->GetTxid().GetHex());
        }
    }
    if (!CheckCoinbaseHeight(block, height, state)) return false;
    return CheckWitnessCommitment(block, state);
}
