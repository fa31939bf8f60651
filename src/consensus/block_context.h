// Block rules that depend on the block's place in the chain but on no chain state beyond a
// few numbers about the previous block: the right difficulty, time bounds, lock-time
// finality, BIP 34 height and the BIP 141 commitment. Validation (src/node) gathers the
// numbers from its block index and calls these; the UTXO-dependent checks live there.
#ifndef ODA_CONSENSUS_BLOCK_CONTEXT_H
#define ODA_CONSENSUS_BLOCK_CONTEXT_H

#include <consensus/params.h>
#include <consensus/validation.h>
#include <primitives/block.h>

#include <cstdint>
#include <vector>

/** Median of block times, as Bitcoin computes median-time-past: pass the times of the
 *  previous min(height, median_time_span) blocks ending with the parent, in any order; returns
 *  the element at index size/2 of the sorted list (0 for an empty list). */
int64_t MedianTimePast(std::vector<int64_t> times);

/** What a new header's checks need to know about its parent. */
struct PrevBlockInfo {
    int64_t height{0};            //!< parent height (the new block is height + 1)
    int64_t time{0};              //!< parent header time
    uint32_t bits{0};             //!< parent header bits
    int64_t median_time_past{0};  //!< MedianTimePast of the parent and its predecessors
};

/** Checks a header against its parent (first failure wins):
 *  - "bad-diffbits" (BLOCK_INVALID_HEADER): bits not permitted for the ASERT target of
 *    NextWorkRequired(prev) (see IsPermittedHeaderBits)
 *  - "time-too-old" (BLOCK_INVALID_HEADER): time <= prev.median_time_past
 *  - "time-too-new" (BLOCK_TIME_FUTURE): time > adjusted_time + params.max_future_block_time
 *    (may become valid later: not a reason to mark the block invalid forever) */
bool ContextualCheckBlockHeader(const CBlockHeader& header, const PrevBlockInfo& prev, int64_t adjusted_time,
                                BlockValidationState& state, const ConsensusParams& params);

/** Checks a block body at `height` whose parent has median time past `prev_median_time_past`:
 *  - "bad-txns-nonfinal" (BLOCK_CONSENSUS): a transaction not final at (height, MTP)
 *  - "bad-cb-height" (BLOCK_CONSENSUS): coinbase does not start with the BIP 34 height
 *  - the witness commitment rules of CheckWitnessCommitment (BLOCK_MUTATED reasons)
 *  Precondition: CheckBlock passed. */
bool ContextualCheckBlock(const CBlock& block, int64_t height, int64_t prev_median_time_past,
                          BlockValidationState& state, const ConsensusParams& params);

#endif // ODA_CONSENSUS_BLOCK_CONTEXT_H
