#include <consensus/tx_check.h>

#include <consensus/amount.h>
#include <consensus/consensus.h>

#include <set>

bool CheckTransaction(const CTransaction& tx, TxValidationState& state)
{
    if (tx.vin.empty()) return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-vin-empty");
    if (tx.vout.empty()) return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-vout-empty");
    // A transaction that could not fit in a block even without its witness.
    if (static_cast<int64_t>(tx.GetStrippedSize()) * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
        return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-oversize");
    }

    CAmount total_out = 0;
    for (const CTxOut& out : tx.vout) {
        if (out.value < 0) return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-vout-negative");
        if (out.value > MAX_MONEY) return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-vout-toolarge");
        // Both terms are <= MAX_MONEY here, so the sum cannot overflow.
        total_out += out.value;
        if (!MoneyRange(total_out)) return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-txouttotal-toolarge");
    }

    std::set<COutPoint> seen;
    for (const CTxIn& in : tx.vin) {
        if (!seen.insert(in.prevout).second) {
            return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-inputs-duplicate");
        }
    }

    if (tx.IsCoinBase()) {
        const size_t len = tx.vin[0].script_sig.size();
        if (len < MIN_COINBASE_SCRIPTSIG_SIZE || len > MAX_COINBASE_SCRIPTSIG_SIZE) {
            return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-cb-length");
        }
    } else {
        for (const CTxIn& in : tx.vin) {
            if (in.prevout.IsNull()) return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-txns-prevout-null");
        }
    }
    return true;
}
