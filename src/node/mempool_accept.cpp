#include <node/mempool_accept.h>

#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>
#include <node/policy.h>
#include <oda/chain/tx_check.h>
#include <script/sighash.h>
#include <script/verify.h>

#include <string>
#include <vector>

namespace {

MempoolAcceptResult Reject(MempoolAcceptResult& r, TxValidationResult result, const std::string& reason,
                           const std::string& debug = "")
{
    r.result_type = MempoolAcceptResult::ResultType::INVALID;
    r.state.Invalid(result, reason, debug);
    return r;
}

} // namespace

MempoolAcceptResult AcceptToMemoryPoolAt(const MempoolChainView& view, CTxMemPool& pool, const CTransactionRef& ptx,
                                         const MempoolAcceptOptions& options)
{
    const CTransaction& tx = *ptx;
    const uint256& txid = tx.GetTxid();
    MempoolAcceptResult r;
    r.wtxid = tx.GetWtxid();

    // 1. Context-free consensus checks: the transaction's, then its ODA output's.
    if (!CheckTransaction(tx, r.state) || !oda::chain::CheckOdaTransaction(tx, r.state, *view.params)) {
        r.result_type = MempoolAcceptResult::ResultType::INVALID;
        return r;
    }
    if (tx.IsCoinBase()) return Reject(r, TxValidationResult::TX_CONSENSUS, "coinbase");

    // 2. Standardness.
    std::string reason;
    if (!IsStandardTx(tx, pool.Options().dust_relay_feerate, reason)) {
        return Reject(r, TxValidationResult::TX_NOT_STANDARD, reason);
    }

    // 3. Final in the next block (lock-time cutoff = the tip's median time past).
    if (!IsFinalTx(tx, view.tip_height + 1, view.tip_median_time_past)) {
        return Reject(r, TxValidationResult::TX_PREMATURE_SPEND, "non-final");
    }

    LOCK(pool.cs);

    // 4. Already here.
    if (pool.ExistsWtxid(tx.GetWtxid())) {
        return Reject(r, TxValidationResult::TX_CONFLICT, "txn-already-in-mempool");
    }
    if (pool.Exists(txid)) {
        return Reject(r, TxValidationResult::TX_CONFLICT, "txn-same-nonwitness-data-in-mempool");
    }

    // 5. Double spends of pool transactions (no replacement: first seen wins).
    for (const CTxIn& in : tx.vin) {
        if (pool.GetSpender(in.prevout)) {
            return Reject(r, TxValidationResult::TX_CONFLICT, "txn-mempool-conflict");
        }
    }

    // 6. Inputs: confirmed coins or outputs of pool transactions.
    std::vector<Coin> spent;
    spent.reserve(tx.vin.size());
    bool spends_coinbase = false;
    for (const CTxIn& in : tx.vin) {
        if (auto out = pool.GetUnconfirmedOutput(in.prevout)) {
            // An unconfirmed coin would be in the next block at the earliest.
            spent.emplace_back(*out, uint32_t(view.tip_height + 1), false);
            continue;
        }
        std::optional<Coin> coin = view.get_coin(in.prevout);
        if (!coin || coin->IsSpent()) {
            // Missing: either the transaction is already confirmed or it spends unknown coins.
            for (uint32_t i = 0; i < tx.vout.size(); ++i) {
                std::optional<Coin> own = view.get_coin(COutPoint(txid, i));
                if (own && !own->IsSpent()) return Reject(r, TxValidationResult::TX_CONFLICT, "txn-already-known");
            }
            return Reject(r, TxValidationResult::TX_MISSING_INPUTS, "bad-txns-inputs-missingorspent");
        }
        spends_coinbase |= coin->coinbase;
        spent.push_back(std::move(*coin));
    }

    // 7. Amounts and coinbase maturity.
    CAmount fee = 0;
    if (!CheckTxInputs(tx, r.state, spent, view.tip_height + 1, *view.params, fee)) {
        r.result_type = MempoolAcceptResult::ResultType::INVALID;
        return r;
    }
    const int64_t vsize = TxVSize(tx);
    r.vsize = vsize;
    r.fee = fee;

    // 7b. ODA registry rules, against the tip's registry only: a transaction that needs an
    //     unconfirmed ODA transaction (an update of a model added in the pool) waits for it
    //     to confirm. Policy, not punished: block validity is decided by ConnectBlock.
    if (view.check_registry) {
        TxValidationState oda_state;
        if (!view.check_registry(tx, oda_state)) {
            return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, oda_state.GetRejectReason(), oda_state.GetDebugMessage());
        }
    }

    // 8. Fee rate.
    if (!options.bypass_limits) {
        const CAmount mempool_min = pool.GetMinFee().GetFee(vsize);
        if (fee < mempool_min) {
            return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "mempool min fee not met",
                          std::to_string(fee) + " < " + std::to_string(mempool_min));
        }
        const CAmount relay_min = pool.Options().min_relay_feerate.GetFee(vsize);
        if (fee < relay_min) {
            return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "min relay fee not met",
                          std::to_string(fee) + " < " + std::to_string(relay_min));
        }
    }

    // 9. Chain limits.
    std::string debug;
    if (!pool.CheckPackageLimits(tx, vsize, pool.Options().limits, reason, debug)) {
        return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, reason, debug);
    }

    // 10. Signatures (last: the most expensive check).
    std::vector<CTxOut> spent_outputs;
    spent_outputs.reserve(spent.size());
    for (const Coin& c : spent) spent_outputs.push_back(c.out);
    PrecomputedTxData txdata(tx, std::move(spent_outputs));
    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        ScriptError err = ScriptError::OK;
        if (!VerifyInputSpend(tx, i, txdata, &err)) {
            return Reject(r, TxValidationResult::TX_CONSENSUS,
                          "mandatory-script-verify-flag-failed (" + ScriptErrorString(err) + ")",
                          "input " + std::to_string(i));
        }
    }

    r.result_type = MempoolAcceptResult::ResultType::VALID;
    if (options.test_accept) return r;

    pool.AddUnchecked(CTxMemPoolEntry(ptx, fee, options.accept_time.value_or(pool.Now()), uint32_t(view.tip_height),
                                       spends_coinbase));
    if (!options.bypass_limits) {
        pool.LimitSize();
        if (!pool.Exists(txid)) {
            r.result_type = MempoolAcceptResult::ResultType::INVALID;
            r.state = TxValidationState();
            return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "mempool full");
        }
    }
    return r;
}
