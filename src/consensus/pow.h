// Proof of work: the proof-of-work check, chain work, and the target ("nBits", compact
// encoding: see consensus/arith.h) the next block must use. Deliberately free of
// Boost.Multiprecision so that node code including it compiles fast.
#ifndef ODA_CONSENSUS_POW_H
#define ODA_CONSENSUS_POW_H

#include <consensus/params.h>
#include <uint256.h>

#include <cstdint>

/** True when `bits` is a valid target (see DeriveTarget in arith.h) and hash, read as a number, is at
 *  most that target. */
bool CheckProofOfWork(const uint256& hash, uint32_t bits, const ConsensusParams& params);

/** Expected number of hashes to meet the target of `bits`: floor(2^256 / (target + 1)).
 *  0 for negative, zero or overflowing encodings. Chain work is the sum of these over a
 *  chain (AddChainWork / CompareChainWork below). */
uint256 GetBlockProof(uint32_t bits);

/** Chain work is carried around as uint256 (to store and serialize it like Bitcoin's
 *  nChainWork); these compare and add such values as numbers (uint256's own operator<
 *  compares bytes). CompareChainWork returns -1, 0 or 1. */
int CompareChainWork(const uint256& a, const uint256& b);
/** a + b, saturating at 2^256 - 1 instead of wrapping (cannot happen with real work, but a
 *  wrap would silently reorder chains). */
uint256 AddChainWork(const uint256& a, const uint256& b);
/** a - b for a >= b (used for "how much more work"); 0 when b > a. */
uint256 SubChainWork(const uint256& a, const uint256& b);

/** The ASERT nBits of the block after `prev` (height prev_height, time prev_time).
 *  Regtest (pow_no_retargeting): always pow_limit's compact form. prev_bits is not needed by
 *  ASERT (every target is scheduled from the anchor, not from the previous block) and is kept
 *  so that callers pass the whole previous header state; prev_height must be >= the anchor
 *  height (genesis = 0). */
uint32_t NextWorkRequired(int64_t prev_height, int64_t prev_time, uint32_t prev_bits,
                          const ConsensusParams& params);

/** Whether a header may carry `header_bits` when ASERT asks for `asert_bits`.
 *  Hook for the compute-adjusted difficulty of doc/oda-protocol.md section 6: once the chain layer
 *  computes block compute units, headers may claim targets in [asert, asert *
 *  compute_bonus_max_factor] and full validation checks the exact value. Until then the only
 *  permitted value is asert_bits itself. */
bool IsPermittedHeaderBits(uint32_t header_bits, uint32_t asert_bits, const ConsensusParams& params);

#endif // ODA_CONSENSUS_POW_H
