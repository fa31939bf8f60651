#include <node/mempool_accept.h>

#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>
#include <node/policy.h>
#include <oda/chain/compute_units.h>
#include <oda/chain/registry_rules.h>
#include <oda/chain/tx_check.h>
#include <oda/storage/file_store.h>
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

std::string FeeString(CAmount fee) { return std::to_string(fee); }

} // namespace

MempoolAcceptResult AcceptToMemoryPoolAt(const MempoolChainView& view, CTxMemPool& pool, const CTransactionRef& ptx,
                                         const MempoolAcceptOptions& options)
{
    const CTransaction& tx = *ptx;
    const uint256& txid = tx.GetTxid();
    MempoolAcceptResult r;
    r.wtxid = tx.GetWtxid();

    // 1. Context-free consensus checks: the transaction's, then its ODA output's (decoded here
    //    once for every later ODA check).
    std::vector<oda::chain::Payload> payloads;
    if (!CheckTransaction(tx, r.state) || !oda::chain::CheckOdaTransaction(tx, r.state, *view.params, &payloads)) {
        r.result_type = MempoolAcceptResult::ResultType::INVALID;
        return r;
    }
    if (tx.IsCoinBase()) return Reject(r, TxValidationResult::TX_CONSENSUS, "coinbase");
    const oda::chain::Payload* payload = payloads.empty() ? nullptr : &payloads.front();
    const MempoolOdaFacts facts = OdaFactsOf(tx, payloads);

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

    // 5. Double spends of pool transactions. The only replacement is of the pending
    //    update-weights of the same model (step 12 decides it): spends shared with it or its
    //    descendants are allowed here; any other conflict means first seen wins.
    std::set<uint256> replaceable;
    std::optional<CTxMemPoolEntry> pending;
    if (facts.IsUpdate()) {
        if (std::optional<uint256> p = pool.GetPendingUpdate(facts.model_id)) {
            pending = pool.GetEntry(*p);
            replaceable = pool.CalculateDescendants(*p);
            replaceable.insert(*p);
        }
    }
    for (const CTxIn& in : tx.vin) {
        std::optional<uint256> spender = pool.GetSpender(in.prevout);
        if (spender && !replaceable.count(*spender)) {
            return Reject(r, TxValidationResult::TX_CONFLICT, "txn-mempool-conflict");
        }
    }

    // 6. Inputs: confirmed coins or outputs of pool transactions (not of one it would replace).
    std::vector<Coin> spent;
    spent.reserve(tx.vin.size());
    bool spends_coinbase = false;
    for (const CTxIn& in : tx.vin) {
        if (replaceable.count(in.prevout.hash)) {
            return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "bad-txns-spends-conflicting-tx",
                          "spends an output of " + in.prevout.hash.GetHex() + ", which it would replace");
        }
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

    // 8. ODA registry rules, against the tip's registry only: a transaction that needs an
    //    unconfirmed ODA transaction (an update of a model added in the pool) waits for it
    //    to confirm. An update-weights whose claim alone cannot improve on the current score
    //    stops here ("bad-oda-not-improving"), before any file or execution is looked at.
    //    Policy, not punished: block validity is decided by ConnectBlock.
    int64_t compute_units = 0;
    if (view.registry) {
        TxValidationState oda_state;
        if (!oda::chain::CheckRegistryTransaction(*view.registry, tx, uint32_t(view.tip_height + 1), *view.params, oda_state)) {
            return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, oda_state.GetRejectReason(), oda_state.GetDebugMessage());
        }

        // 9. Files: the node must hold what scoring or the inference reads
        //    (MempoolFileAvailable is the one rule). A pool without an executor runs nothing
        //    and so reads no file: like ConnectBlock without one, it trusts the claims.
        if (payload && pool.Options().file_store && pool.Options().oda_executor) {
            std::vector<oda::chain::Commitment> missing = MissingMempoolFiles(*payload, *view.registry, *pool.Options().file_store);
            if (!missing.empty()) {
                return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "oda-files-missing",
                              "the node lacks " + DescribeFiles(missing));
            }
        }

        // 10. Compute units (section 4) and the per-transaction consensus limit.
        std::string error;
        std::optional<int64_t> cu = oda::chain::TransactionComputeUnits(payloads, *view.registry, error);
        if (!cu) return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "bad-oda-cu", error);
        if (*cu > view.params->max_tx_compute_units) {
            return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "bad-oda-cu",
                          std::to_string(*cu) + " compute units > per-transaction limit " +
                              std::to_string(view.params->max_tx_compute_units));
        }
        compute_units = *cu;
        r.compute_units = compute_units;

        // 11. An infer pays the royalties of section 7 to the current owners and trainer.
        if (payload) {
            TxValidationState royalty_state;
            if (!CheckInferRoyalty(tx, *payload, *view.registry, royalty_state)) {
                return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, royalty_state.GetRejectReason(),
                              royalty_state.GetDebugMessage());
            }
        }
    }

    // 12. Fees: the pool's current minimum, the size-based relay minimum plus the compute fee
    //     (-mincomputefee per million CU), and the caller's maximum.
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
        const CAmount compute_min = MinComputeFee(compute_units, pool.Options().min_compute_fee_per_million_cu);
        if (compute_min > 0 && fee - relay_min < compute_min) {
            return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "oda-compute-fee-not-met",
                          "fee " + FeeString(fee) + " < size fee " + FeeString(relay_min) + " + compute fee " +
                              FeeString(compute_min) + " (" + std::to_string(compute_units) + " CU at " +
                              FeeString(pool.Options().min_compute_fee_per_million_cu) + " per million CU)");
        }
    }
    if (options.max_feerate.GetFeePerK() != 0 && fee > options.max_feerate.GetFee(vsize)) {
        return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "max-fee-exceeded",
                      std::to_string(fee) + " > " + std::to_string(options.max_feerate.GetFee(vsize)));
    }

    // 13. At most one pending update-weights per model: a new one replaces the pending one
    //     only with a strictly higher fee than it and its descendants pay together, at a fee
    //     rate at least the pending one's plus the incremental relay fee (doc/policy.md).
    if (pending) {
        CAmount replaced_fees = 0;
        for (const uint256& id : replaceable) {
            if (std::optional<CTxMemPoolEntry> e = pool.GetEntry(id)) replaced_fees += e->GetFee();
        }
        const CFeeRate incremental = pool.Options().incremental_relay_feerate;
        const CFeeRate pending_rate = CFeeRate::FromFee(pending->GetFee(), pending->GetVSize());
        const CFeeRate needed_rate(pending_rate.GetFeePerK() + incremental.GetFeePerK());
        if (fee <= replaced_fees || fee < needed_rate.GetFee(vsize)) {
            return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, "oda-update-pending",
                          "model " + facts.model_id.GetHex() + " has pending update " + pending->GetTxid().GetHex() +
                              " paying " + FeeString(pending->GetFee()) + " (" + FeeString(replaced_fees) +
                              " with descendants); a replacement needs a fee above that and at least " +
                              FeeString(needed_rate.GetFee(vsize)) + ", this one pays " + FeeString(fee));
        }
    }

    // 14. Chain limits (counted with what it replaces still in the pool: conservative by at
    //     most that package, which step 6 keeps from being among its ancestors).
    std::string debug;
    if (!pool.CheckPackageLimits(tx, vsize, pool.Options().limits, reason, debug)) {
        return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, reason, debug);
    }

    // 15. Signatures (the most expensive check short of execution).
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

    // 16. Execution (last: it can take seconds): scoring of add-model and update-weights
    //     ("bad-oda-score" with both scores), the inference of an infer ("bad-oda-infer"),
    //     which also warms the executor's cache for the block that will carry it.
    oda::chain::OdaExecutor* executor = pool.Options().oda_executor;
    if (executor && view.registry && payload) {
        if (std::optional<OdaWork> work = SnapshotOdaWork(tx, *payload, *view.registry)) {
            std::optional<OdaVerdict> computed;
            const OdaVerdict* verdict = nullptr;
            if (options.oda_verdict && options.oda_verdict->work == *work) {
                verdict = options.oda_verdict;
            } else if (options.execute_inline) {
                computed = RunOdaWork(*executor, *work);
                verdict = &*computed;
            } else {
                r.result_type = MempoolAcceptResult::ResultType::NEEDS_EXECUTION;
                r.oda_work = std::move(*work);
                return r;
            }
            TxValidationState exec_state;
            if (!JudgeOdaVerdict(*verdict, exec_state)) {
                return Reject(r, TxValidationResult::TX_MEMPOOL_POLICY, exec_state.GetRejectReason(),
                              exec_state.GetDebugMessage());
            }
        }
    }

    r.result_type = MempoolAcceptResult::ResultType::VALID;
    if (options.test_accept) return r;

    // 17. Add: what it replaces leaves first (with its descendants), then the size limit.
    if (pending) {
        for (const uint256& id : replaceable) r.replaced.push_back(id);
        pool.RemoveRecursive(pending->GetTx(), MemPoolRemovalReason::REPLACED);
    }
    pool.AddUnchecked(CTxMemPoolEntry(ptx, fee, options.accept_time.value_or(pool.Now()), uint32_t(view.tip_height),
                                      spends_coinbase, compute_units, facts));
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
