// aserti3-2d ("absolutely scheduled exponentially rising targets"), the integer-only
// difficulty algorithm specified for Bitcoin Cash's 2020-11-15 upgrade (spec:
// bitcoincash.org spec/2020-11-15-asert.md), parameterised by spacing and half-life:
//
//   next_target = anchor_target * 2^((t_eval - t_anchor_parent
//                                      - spacing * (h_eval - h_anchor + 1)) / half_life)
//
// computed with a 16.16 fixed-point exponent (truncating division), a cubic approximation
// of 2^x on [0,1) evaluated in 64-bit unsigned arithmetic, and shifts for the integer part;
// the result is clamped to [1, pow_limit]. Intermediate values are computed without width
// limits (Boost.Multiprecision), so no input can overflow.
#ifndef ODA_CONSENSUS_ASERT_H
#define ODA_CONSENSUS_ASERT_H

#include <consensus/arith.h>

#include <cstdint>

/** nBits of the block after the evaluation block (height eval_height, time eval_time).
 *  Preconditions (programming errors, std::invalid_argument when violated): spacing > 0,
 *  half_life > 0, eval_height >= anchor_height, anchor_bits decodes to a target in
 *  (0, pow_limit]. Unlike the Bitcoin Cash spec, anchor_height 0 (genesis) is allowed: the
 *  anchor's "parent time" is then a parameter (ODA uses genesis time - spacing). */
uint32_t AsertNextBits(const arith_uint256& pow_limit, int64_t spacing, int64_t half_life,
                       int64_t anchor_height, int64_t anchor_parent_time, uint32_t anchor_bits,
                       int64_t eval_height, int64_t eval_time);

/** The fixed-point factor 65536 * 2^(frac / 65536) approximated as the spec defines, for
 *  frac in [0, 65535]; result in [65536, 131071]. Exposed for tests. */
uint32_t AsertFactor(uint32_t frac);

#endif // ODA_CONSENSUS_ASERT_H
