// 256-bit unsigned arithmetic for targets and chain work.
//
// uint256 (uint256.h) is an opaque little-endian byte blob: right for hashes, wrong for
// numbers (its operator< compares bytes, not values). Consensus code that does arithmetic
// converts to arith_uint256, a Boost.Multiprecision fixed-width unsigned integer (modular:
// results wrap at 2^256, so callers keep values in range; see the helpers below).
#ifndef ODA_CONSENSUS_ARITH_H
#define ODA_CONSENSUS_ARITH_H

#include <uint256.h>

#include <boost/multiprecision/cpp_int.hpp>

using arith_uint256 = boost::multiprecision::uint256_t;

/** The number whose little-endian bytes are `blob` (a block hash read as a number). */
arith_uint256 UintToArith256(const uint256& blob);
/** Inverse of UintToArith256. */
uint256 ArithToUint256(const arith_uint256& value);

/** Chain work is carried around as uint256 (to store and serialize it like Bitcoin's
 *  nChainWork); these compare and add such values as numbers. */
int CompareChainWork(const uint256& a, const uint256& b);
/** a + b, saturating at 2^256 - 1 instead of wrapping (cannot happen with real work, but a
 *  wrap would silently reorder chains). */
uint256 AddChainWork(const uint256& a, const uint256& b);
/** a - b for a >= b (used for "how much more work"); 0 when b > a. */
uint256 SubChainWork(const uint256& a, const uint256& b);

#endif // ODA_CONSENSUS_ARITH_H
