// Context-free transaction checks: what can be decided from the transaction alone, before
// looking up its inputs. Reject reasons follow Bitcoin Core's so that tools and tests that
// know them keep working.
#ifndef ODA_CONSENSUS_TX_CHECK_H
#define ODA_CONSENSUS_TX_CHECK_H

#include <consensus/validation.h>
#include <primitives/transaction.h>

/** Returns true when tx passes; otherwise false with state.Invalid(TX_CONSENSUS, reason):
 *  - "bad-txns-vin-empty" / "bad-txns-vout-empty": no inputs / no outputs
 *  - "bad-txns-oversize": stripped size * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT
 *  - "bad-txns-vout-negative" / "bad-txns-vout-toolarge": an output value outside [0, MAX_MONEY]
 *  - "bad-txns-txouttotal-toolarge": the sum of output values above MAX_MONEY
 *  - "bad-txns-inputs-duplicate": two inputs spend the same outpoint
 *  - "bad-cb-length": coinbase scriptSig not 2..100 bytes
 *  - "bad-txns-prevout-null": a non-coinbase input with a null prevout
 *  Script, ODA payload and input-dependent rules are checked elsewhere. */
bool CheckTransaction(const CTransaction& tx, TxValidationState& state);

#endif // ODA_CONSENSUS_TX_CHECK_H
