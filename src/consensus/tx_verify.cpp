#include <consensus/tx_verify.h>

#include <consensus/amount.h>
#include <consensus/consensus.h>

bool CheckTxInputs(const CTransaction& tx, TxValidationState& state, const std::vector<Coin>& spent,
                   int64_t spend_height, const ConsensusParams& params, CAmount& fee_out)
{
    if (spent.size() != tx.vin.size()) {
        return state.Invalid(TxValidationResult::TX_MISSING_INPUTS, "bad-txns-inputs-missingorspent",
                             "spent coin count does not match input count");
    }
    CAmount value_in = 0;
    for (const Coin& coin : spent) {
        if (coin.IsSpent()) return state.Invalid(TxValidationResult::TX_MISSING_INPUTS, "bad-txns-inputs-missingorspent");
        if (coin.coinbase && spend_height - static_cast<int64_t>(coin.height) < params.coinbase_maturity) {
            return state.Invalid(TxValidationResult::TX_PREMATURE_SPEND, "bad-txns-premature-spend-of-coinbase",
                                 "tried to spend coinbase at depth " + std::to_string(spend_height - static_cast<int64_t>(coin.height)));
        }
        if (!MoneyRange(coin.out.value)) {
            return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-inputvalues-outofrange");
        }
        value_in += coin.out.value; // both <= MAX_MONEY: no overflow
        if (!MoneyRange(value_in)) {
            return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-inputvalues-outofrange");
        }
    }
    const CAmount value_out = tx.GetValueOut();
    if (value_in < value_out) {
        return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-in-belowout",
                             "value in " + std::to_string(value_in) + " < value out " + std::to_string(value_out));
    }
    const CAmount fee = value_in - value_out;
    if (!MoneyRange(fee)) return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-fee-outofrange");
    fee_out = fee;
    return true;
}

bool IsFinalTx(const CTransaction& tx, int64_t block_height, int64_t block_time)
{
    if (tx.lock_time == 0) return true;
    const int64_t lock = tx.lock_time;
    const int64_t reference = tx.lock_time < LOCKTIME_THRESHOLD ? block_height : block_time;
    if (lock < reference) return true;
    for (const CTxIn& in : tx.vin) {
        if (in.sequence != CTxIn::SEQUENCE_FINAL) return false;
    }
    return true;
}
