// Proof of work: the compact target encoding ("nBits"), the proof-of-work check, chain
// work, and the target the next block must use.
//
// Compact encoding (Bitcoin's): the top byte is a size N in bytes, the low 23 bits a
// mantissa M, bit 23 a sign: value = M * 256^(N-3). Targets must be positive and fit 256
// bits; DecodeCompact reports negative and overflowing encodings so callers can reject them.
#ifndef ODA_CONSENSUS_POW_H
#define ODA_CONSENSUS_POW_H

#include <consensus/arith.h>
#include <consensus/params.h>
#include <uint256.h>

#include <cstdint>
#include <optional>

/** Decodes a compact target. *negative is set when the sign bit is set with a non-zero
 *  mantissa, *overflow when the value does not fit 256 bits (the returned value is then
 *  meaningless). Never fails otherwise. */
arith_uint256 DecodeCompact(uint32_t compact, bool* negative = nullptr, bool* overflow = nullptr);

/** Shortest compact encoding of a non-negative value (mantissa rounded down to 23 bits:
 *  DecodeCompact(EncodeCompact(x)) <= x, equal when x has at most 23 significant bits). */
uint32_t EncodeCompact(const arith_uint256& value);

/** The target `bits` encodes, or nullopt when it is negative, zero, overflowing or easier
 *  than pow_limit (all invalid in a header). */
std::optional<arith_uint256> DeriveTarget(uint32_t bits, const uint256& pow_limit);

/** True when `bits` is a valid target (see DeriveTarget) and hash, read as a number, is at
 *  most that target. */
bool CheckProofOfWork(const uint256& hash, uint32_t bits, const ConsensusParams& params);

/** Expected number of hashes to meet the target of `bits`: floor(2^256 / (target + 1)).
 *  0 for negative, zero or overflowing encodings. Chain work is the sum of these over a
 *  chain (AddChainWork / CompareChainWork in arith.h). */
uint256 GetBlockProof(uint32_t bits);

/** The ASERT nBits of the block after `prev` (height prev_height, time prev_time).
 *  Regtest (pow_no_retargeting): always pow_limit's compact form. prev_bits is not needed by
 *  ASERT (every target is scheduled from the anchor, not from the previous block) and is kept
 *  so that callers pass the whole previous header state; prev_height must be >= the anchor
 *  height (genesis = 0). */
uint32_t NextWorkRequired(int64_t prev_height, int64_t prev_time, uint32_t prev_bits,
                          const ConsensusParams& params);

/** Whether a header may carry `header_bits` when ASERT asks for `asert_bits`.
 *  Hook for the compute-adjusted difficulty of PROTOCOL.md section 6: once the chain layer
 *  computes block compute units, headers may claim targets in [asert, asert *
 *  compute_bonus_max_factor] and full validation checks the exact value. Until then the only
 *  permitted value is asert_bits itself. */
bool IsPermittedHeaderBits(uint32_t header_bits, uint32_t asert_bits, const ConsensusParams& params);

#endif // ODA_CONSENSUS_POW_H
