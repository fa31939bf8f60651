// Network-independent consensus constants (BIP 141 weights, coinbase maturity, lock time
// threshold). ConsensusParams (consensus/params.h) takes its defaults from here; the values
// below are the same on every network and code that has no params at hand may use them.
#ifndef ODA_CONSENSUS_CONSENSUS_H
#define ODA_CONSENSUS_CONSENSUS_H

#include <cstdint>

/** BIP 141: weight = stripped size * (WITNESS_SCALE_FACTOR - 1) + total size. */
static constexpr int64_t WITNESS_SCALE_FACTOR = 4;
/** BIP 141 block weight limit. */
static constexpr int64_t MAX_BLOCK_WEIGHT = 4'000'000;
/** A coinbase output may be spent only in a block this many blocks higher. */
static constexpr int COINBASE_MATURITY = 100;
/** lock_time values below this are block heights, at or above it Unix times (as Bitcoin). */
static constexpr uint32_t LOCKTIME_THRESHOLD = 500'000'000;
/** Coinbase scriptSig size bounds (as Bitcoin). */
static constexpr size_t MIN_COINBASE_SCRIPTSIG_SIZE = 2;
static constexpr size_t MAX_COINBASE_SCRIPTSIG_SIZE = 100;

#endif // ODA_CONSENSUS_CONSENSUS_H
