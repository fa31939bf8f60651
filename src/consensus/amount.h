// Amounts in base units and the range every consensus amount must lie in.
// CAmount itself is defined in primitives/transaction.h (an int64_t).
#ifndef ODA_CONSENSUS_AMOUNT_H
#define ODA_CONSENSUS_AMOUNT_H

#include <primitives/transaction.h>

/** Base units per coin. */
static constexpr CAmount COIN = 100'000'000;

/** No amount larger than this is valid (21,000,000 coins). This is a sanity bound used by
 *  the range checks, not the supply schedule (the subsidy schedule gives a little less). */
static constexpr CAmount MAX_MONEY = 21'000'000 * COIN;

/** True when 0 <= value <= MAX_MONEY. Every output value, every sum of values and every
 *  fee must pass this before further arithmetic, so that sums can never overflow int64. */
inline bool MoneyRange(CAmount value) { return value >= 0 && value <= MAX_MONEY; }

#endif // ODA_CONSENSUS_AMOUNT_H
