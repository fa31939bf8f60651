// Transaction checks that need the spent outputs or the block context: amounts in versus
// out, coinbase maturity, and lock-time finality. Signatures are checked by src/script.
#ifndef ODA_CONSENSUS_TX_VERIFY_H
#define ODA_CONSENSUS_TX_VERIFY_H

#include <consensus/params.h>
#include <consensus/validation.h>
#include <primitives/coin.h>
#include <primitives/transaction.h>

#include <cstdint>
#include <vector>

/** Checks a non-coinbase tx against the coins it spends. `spent[i]` is the coin spent by
 *  tx.vin[i]; spend_height is the height of the block the tx would be in. On success sets
 *  fee_out = inputs - outputs and returns true. Failures (state.Invalid):
 *  - "bad-txns-inputs-missingorspent" (TX_MISSING_INPUTS): spent.size() != vin.size() or a
 *    spent coin is marked spent
 *  - "bad-txns-premature-spend-of-coinbase" (TX_PREMATURE_SPEND): a coinbase output with
 *    fewer than params.coinbase_maturity confirmations
 *  - "bad-txns-inputvalues-outofrange" (TX_CONSENSUS): an input value or the input sum
 *    outside [0, MAX_MONEY]
 *  - "bad-txns-in-belowout" (TX_CONSENSUS): outputs exceed inputs
 *  - "bad-txns-fee-outofrange" (TX_CONSENSUS): fee outside [0, MAX_MONEY]
 *  Assumes CheckTransaction passed (output values already in range). */
bool CheckTxInputs(const CTransaction& tx, TxValidationState& state, const std::vector<Coin>& spent,
                   int64_t spend_height, const ConsensusParams& params, CAmount& fee_out);

/** Whether tx may be included in a block at block_height with time block_time (for
 *  consensus: the block's median-time-past). lock_time 0 is always final; values below
 *  LOCKTIME_THRESHOLD are heights, others Unix times, and the lock must be strictly below
 *  the block's; a tx whose inputs all have sequence 0xffffffff is final regardless. */
bool IsFinalTx(const CTransaction& tx, int64_t block_height, int64_t block_time);

#endif // ODA_CONSENSUS_TX_VERIFY_H
