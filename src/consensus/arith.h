// 256-bit unsigned arithmetic for targets, and the compact target encoding ("nBits").
//
// uint256 (uint256.h) is an opaque little-endian byte blob: right for hashes, wrong for
// numbers (its operator< compares bytes, not values). Code that does arithmetic on targets
// converts to arith_uint256, a Boost.Multiprecision fixed-width unsigned integer (modular:
// results wrap at 2^256, so callers keep values in range).
//
// This header pulls in Boost.Multiprecision (~2 s of compile time per translation unit):
// code that only checks proof of work or compares chain work includes consensus/pow.h, which
// does not.
//
// Compact encoding (Bitcoin's): the top byte is a size N in bytes, the low 23 bits a
// mantissa M, bit 23 a sign: value = M * 256^(N-3). Targets must be positive and fit 256
// bits; DecodeCompact reports negative and overflowing encodings so callers can reject them.
#ifndef ODA_CONSENSUS_ARITH_H
#define ODA_CONSENSUS_ARITH_H

#include <uint256.h>

#include <boost/multiprecision/cpp_int.hpp>

#include <cstdint>
#include <optional>

using arith_uint256 = boost::multiprecision::uint256_t;

/** The number whose little-endian bytes are `blob` (a block hash read as a number). */
arith_uint256 UintToArith256(const uint256& blob);
/** Inverse of UintToArith256. */
uint256 ArithToUint256(const arith_uint256& value);

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

#endif // ODA_CONSENSUS_ARITH_H
