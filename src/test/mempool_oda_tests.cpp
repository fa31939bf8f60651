// The mempool's ODA policy (doc/policy.md "ODA transactions"): compute units and their fee,
// the per-transaction compute limit, files, execution on arrival (and its split around the
// locks), replacement of a pending update-weights, and eviction once the registry changed.
// Real signatures, a real registry built by the consensus rules, a test executor.
#include <consensus/chainparams.h>
#include <node/mempool_accept.h>
#include <node/mempool_oda.h>
#include <node/policy.h>
#include <oda/chain/compute_units.h>
#include <oda/chain/registry_rules.h>
#include <oda/chain/tx_check.h>
#include <oda/storage/file_store.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <test/oda_registry_util.h>
#include <test/util/setup.h>
#include <test/util/tempdir.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>

using namespace oda::chain;
using oda::test::MemoryRegistry;

namespace {

/** Answers as told and counts its calls. */
struct TestExecutor : public OdaExecutor {
    ExecOutcome score_outcome{ExecOutcome::VALID};
    ExecOutcome infer_outcome{ExecOutcome::VALID};
    std::string debug;
    std::vector<Commitment> missing;
    int scores{0};
    int infers{0};

    ExecOutcome ScoreWeights(const uint256&, const ModelRecord&, const Commitment&, int64_t, ExecReport& report) override
    {
        ++scores;
        report.debug = debug;
        report.missing = missing;
        return score_outcome;
    }
    ExecOutcome RunInference(const uint256&, const ModelRecord&, const ModelVersion&, const Infer&, OutputTensor&,
                             ExecReport& report) override
    {
        ++infers;
        report.debug = debug;
        report.missing = missing;
        return infer_outcome;
    }
};

struct OdaPoolSetup {
    std::unique_ptr<const ChainParams> chain_params = CreateChainParams(ChainType::REGTEST);
    ConsensusParams params = chain_params->GetConsensus();
    CKey key = CKey::MakeNew();
    ScriptBytes spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
    std::map<COutPoint, Coin> coins;
    MemoryRegistry registry;
    MempoolChainView view;
    TestExecutor executor;
    std::unique_ptr<CTxMemPool> pool;
    uint32_t next_coin{0};
    uint256 model_id;
    AddModel add = oda::test::MakeAddModel(/*score=*/42, /*min_improvement=*/1);

    explicit OdaPoolSetup(CAmount fee_per_million_cu = DEFAULT_MIN_FEE_PER_MILLION_CU)
    {
        view.params = &params;
        view.tip_height = 200;
        view.tip_median_time_past = 1700000000;
        view.get_coin = [this](const COutPoint& o) -> std::optional<Coin> {
            auto it = coins.find(o);
            if (it == coins.end()) return std::nullopt;
            return it->second;
        };
        view.registry = &registry;
        MemPoolOptions opts;
        opts.min_compute_fee_per_million_cu = fee_per_million_cu;
        opts.oda_executor = &executor;
        pool = std::make_unique<CTxMemPool>(opts);
        // A confirmed model without parents (royalty 100,000 per inference, all to its owner,
        // who trained version 0), owned by a script other than ours (so change is no royalty).
        CMutableTransaction mtx;
        mtx.vin.emplace_back(COutPoint(oda::test::ExampleHash(0xa0), 0));
        mtx.vout.emplace_back(10'000, oda::test::TaprootScript(0x31));
        mtx.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(Payload{add})));
        model_id = Confirm(MakeTransactionRef(std::move(mtx)), 100);
    }

    /** Applies tx to the registry as a block at `height` would; returns its txid. */
    uint256 Confirm(const CTransactionRef& tx, uint32_t height)
    {
        RegistryCache cache(&registry);
        RegistryUndo undo;
        RegistryBlockApplier applier(cache, undo, height, nullptr);
        std::vector<Payload> payloads;
        TxValidationState state;
        BOOST_REQUIRE(CheckOdaTransaction(*tx, state, params, &payloads));
        BOOST_REQUIRE_MESSAGE(applier.ApplyTransaction(*tx, payloads, state), state.ToString());
        registry.Apply(cache.TakeChanges());
        return tx->GetTxid();
    }

    COutPoint AddCoin(CAmount value)
    {
        uint256 h;
        h.data()[0] = 0x78;
        h.data()[1] = uint8_t(next_coin);
        h.data()[2] = uint8_t(next_coin >> 8);
        ++next_coin;
        COutPoint o(h, 0);
        coins[o] = Coin(CTxOut(value, spk), 10, false);
        return o;
    }

    /** Spends `in` (worth `value`) into `outs` plus the payload's ODA output, signed. */
    CTransactionRef Spend(const std::vector<std::pair<COutPoint, CAmount>>& ins, std::vector<CTxOut> outs,
                          const std::optional<Payload>& payload)
    {
        CMutableTransaction mtx;
        std::vector<CTxOut> spent;
        for (const auto& [o, v] : ins) {
            mtx.vin.emplace_back(o);
            spent.emplace_back(v, spk);
        }
        mtx.vout = std::move(outs);
        if (payload) mtx.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(*payload)));
        for (unsigned i = 0; i < mtx.vin.size(); ++i) {
            std::string error;
            BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(mtx, i, spent, key, 0x00, &error), error);
        }
        return MakeTransactionRef(std::move(mtx));
    }

    /** A fresh coin of `value` spent to change paying `fee`, with the payload. */
    CTransactionRef OdaSpend(const Payload& payload, CAmount fee, CAmount value = 1'000'000, std::vector<CTxOut> extra = {})
    {
        const COutPoint coin = AddCoin(value);
        CAmount change = value - fee;
        for (const CTxOut& o : extra) change -= o.value;
        extra.insert(extra.begin(), CTxOut(change, spk));
        return Spend({{coin, value}}, std::move(extra), payload);
    }

    Payload Update(int64_t score, uint8_t fill = 0x55)
    {
        return Payload{UpdateWeights{model_id, {oda::test::ExampleHash(fill), 23}, score, spk}};
    }
    Payload InferPayload() { return Payload{Infer{model_id, add.initial_weights.pieces_root, {1, -2, 3, -128}}}; }
    /** The royalty output an infer on the model owes: everything to the owner (no parents, the
     *  owner trained version 0). */
    std::vector<CTxOut> Royalty() { return {CTxOut(add.royalty, registry.GetModel(model_id)->owner_script)}; }

    int64_t ComputeUnits(const Payload& p)
    {
        std::string error;
        std::optional<int64_t> cu = TransactionComputeUnits({p}, registry, error);
        BOOST_REQUIRE_MESSAGE(cu, error);
        return *cu;
    }

    MempoolAcceptResult Accept(const CTransactionRef& tx, bool test_accept = false)
    {
        MempoolAcceptOptions opts;
        opts.test_accept = test_accept;
        return AcceptToMemoryPoolAt(view, *pool, tx, opts);
    }
};

std::string Reason(const MempoolAcceptResult& r) { return r.IsValid() ? "" : r.state.GetRejectReason(); }

} // namespace

BOOST_AUTO_TEST_SUITE(mempool_oda_tests)

BOOST_AUTO_TEST_CASE(compute_fee_is_on_top_of_the_size_fee)
{
    // 1,000,000 units per million CU = 1 unit per CU: large enough to see.
    OdaPoolSetup s(1'000'000);
    const Payload update = s.Update(50);
    const int64_t cu = s.ComputeUnits(update);
    BOOST_REQUIRE_GT(cu, 100); // one inference cost x 100 samples
    BOOST_CHECK_EQUAL(MinComputeFee(cu, 1'000'000), cu);

    // Paying the size fee and one unit less than the compute fee: refused with both figures.
    CTransactionRef probe = s.OdaSpend(update, 10'000);
    const CAmount size_fee = s.pool->Options().min_relay_feerate.GetFee(TxVSize(*probe));
    CTransactionRef short_tx = s.OdaSpend(update, size_fee + cu - 1);
    BOOST_REQUIRE_EQUAL(TxVSize(*short_tx), TxVSize(*probe));
    MempoolAcceptResult r = s.Accept(short_tx);
    BOOST_CHECK_EQUAL(Reason(r), "oda-compute-fee-not-met");
    BOOST_CHECK_MESSAGE(r.state.GetDebugMessage().find("size fee " + std::to_string(size_fee)) != std::string::npos &&
                            r.state.GetDebugMessage().find("compute fee " + std::to_string(cu)) != std::string::npos,
                        r.state.GetDebugMessage());
    BOOST_CHECK_EQUAL(s.executor.scores, 0); // refused before any execution

    // Exactly enough: accepted, the entry keeps its compute units.
    CTransactionRef ok = s.OdaSpend(update, size_fee + cu);
    r = s.Accept(ok);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.state.ToString());
    BOOST_CHECK_EQUAL(r.compute_units, cu);
    BOOST_CHECK_EQUAL(s.pool->GetEntry(ok->GetTxid())->GetComputeUnits(), cu);
    BOOST_CHECK_EQUAL(s.executor.scores, 1);

    // A plain transfer has no compute units and no compute fee.
    const COutPoint coin = s.AddCoin(100'000);
    CTransactionRef plain = s.Spend({{coin, 100'000}}, {CTxOut(99'000, s.spk)}, std::nullopt);
    r = s.Accept(plain);
    BOOST_REQUIRE(r.IsValid());
    BOOST_CHECK_EQUAL(s.pool->GetEntry(plain->GetTxid())->GetComputeUnits(), 0);
    s.pool->Check();
}

BOOST_AUTO_TEST_CASE(compute_limit_and_files)
{
    OdaPoolSetup s;
    const Payload update = s.Update(50);
    const int64_t cu = s.ComputeUnits(update);
    s.params.max_tx_compute_units = cu - 1;
    MempoolAcceptResult r = s.Accept(s.OdaSpend(update, 50'000));
    BOOST_CHECK_EQUAL(Reason(r), "bad-oda-cu");
    s.params.max_tx_compute_units = cu;
    BOOST_CHECK(s.Accept(s.OdaSpend(update, 50'000), /*test_accept=*/true).IsValid());

    // With a file store that holds nothing, every file the update needs is named.
    TempDir dir("mempool_oda_files");
    oda::storage::FileStore store(dir.Path("odafiles"), oda::storage::FileLimits::FromConsensus(s.params));
    std::string error;
    BOOST_REQUIRE_MESSAGE(store.Open(error), error);
    const std::vector<Commitment> needed = FilesNeededByPayload(update, s.registry);
    BOOST_REQUIRE_EQUAL(needed.size(), 2U); // the new weights and the model's dataset
    BOOST_CHECK(needed[1] == s.add.dataset);
    BOOST_CHECK_EQUAL(FilesNeededByPayload(s.InferPayload(), s.registry).size(), 1U);
    MemPoolOptions opts = s.pool->Options();
    opts.file_store = &store;
    s.pool = std::make_unique<CTxMemPool>(opts);
    const int scores = s.executor.scores;
    r = s.Accept(s.OdaSpend(update, 50'000));
    BOOST_CHECK_EQUAL(Reason(r), "oda-files-missing");
    BOOST_CHECK_MESSAGE(r.state.GetDebugMessage().find(s.add.dataset.pieces_root.ToHexBytes()) != std::string::npos,
                        r.state.GetDebugMessage());
    BOOST_CHECK_EQUAL(s.executor.scores, scores); // refused before execution
    // A pool that executes nothing reads no file: the store is not consulted.
    opts.oda_executor = nullptr;
    s.pool = std::make_unique<CTxMemPool>(opts);
    BOOST_CHECK(s.Accept(s.OdaSpend(update, 50'000)).IsValid());
}

BOOST_AUTO_TEST_CASE(execution_verdicts_and_the_unlocked_split)
{
    OdaPoolSetup s;
    // A false claim: refused with the claimed score and the executor's account of the real one.
    s.executor.score_outcome = ExecOutcome::INVALID;
    s.executor.debug = "actual score 44";
    MempoolAcceptResult r = s.Accept(s.OdaSpend(s.Update(50), 50'000));
    BOOST_CHECK_EQUAL(Reason(r), "bad-oda-score");
    BOOST_CHECK_MESSAGE(r.state.GetDebugMessage().find("claimed score 50") != std::string::npos &&
                            r.state.GetDebugMessage().find("actual score 44") != std::string::npos,
                        r.state.GetDebugMessage());
    // A claim that cannot improve never reaches the executor.
    const int before = s.executor.scores;
    BOOST_CHECK_EQUAL(Reason(s.Accept(s.OdaSpend(s.Update(42), 50'000))), "bad-oda-not-improving");
    BOOST_CHECK_EQUAL(s.executor.scores, before);

    // A file the executor lacks, and an inference that cannot run.
    s.executor.score_outcome = ExecOutcome::MISSING_DATA;
    s.executor.missing = {s.add.dataset};
    BOOST_CHECK_EQUAL(Reason(s.Accept(s.OdaSpend(s.Update(50), 50'000))), "oda-files-missing");
    s.executor.infer_outcome = ExecOutcome::INVALID;
    BOOST_CHECK_EQUAL(Reason(s.Accept(s.OdaSpend(s.InferPayload(), 50'000, 1'000'000, s.Royalty()))), "bad-oda-infer");
    s.executor = TestExecutor{};

    // Split around the locks: without inline execution the call stops with the work to do.
    CTransactionRef infer = s.OdaSpend(s.InferPayload(), 50'000, 1'000'000, s.Royalty());
    MempoolAcceptOptions opts;
    opts.execute_inline = false;
    r = AcceptToMemoryPoolAt(s.view, *s.pool, infer, opts);
    BOOST_REQUIRE(r.result_type == MempoolAcceptResult::ResultType::NEEDS_EXECUTION);
    BOOST_REQUIRE(r.oda_work);
    BOOST_CHECK(r.oda_work->kind == OdaWork::Kind::INFER);
    BOOST_CHECK(!s.pool->Exists(infer->GetTxid()));
    BOOST_CHECK_EQUAL(s.executor.infers, 0);
    // The work runs on its own (no pool, no registry), then the call again with its verdict.
    const OdaVerdict verdict = RunOdaWork(s.executor, *r.oda_work);
    BOOST_CHECK_EQUAL(s.executor.infers, 1);
    opts.oda_verdict = &verdict;
    r = AcceptToMemoryPoolAt(s.view, *s.pool, infer, opts);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.state.ToString());
    BOOST_CHECK_EQUAL(s.executor.infers, 1); // not run again
    BOOST_CHECK(s.pool->Exists(infer->GetTxid()));

    // A verdict for other work (the model changed meanwhile) is not used.
    CTransactionRef update = s.OdaSpend(s.Update(50), 50'000);
    OdaVerdict stale = verdict;
    stale.work.model.current_score = -1;
    opts.oda_verdict = &stale;
    r = AcceptToMemoryPoolAt(s.view, *s.pool, update, opts);
    BOOST_CHECK(r.result_type == MempoolAcceptResult::ResultType::NEEDS_EXECUTION);
    BOOST_CHECK(r.oda_work->kind == OdaWork::Kind::SCORE);
    BOOST_CHECK_EQUAL(r.oda_work->claimed_score, 50);
    s.pool->Check();
}

BOOST_AUTO_TEST_CASE(infer_must_pay_the_royalty)
{
    OdaPoolSetup s;
    BOOST_CHECK_EQUAL(Reason(s.Accept(s.OdaSpend(s.InferPayload(), 50'000))), "bad-oda-royalty");
    std::vector<CTxOut> short_royalty = s.Royalty();
    short_royalty[0].value -= 1;
    BOOST_CHECK_EQUAL(Reason(s.Accept(s.OdaSpend(s.InferPayload(), 50'000, 1'000'000, short_royalty))), "bad-oda-royalty");
    BOOST_CHECK(s.Accept(s.OdaSpend(s.InferPayload(), 50'000, 1'000'000, s.Royalty())).IsValid());
}

BOOST_AUTO_TEST_CASE(one_pending_update_per_model_replaced_only_by_a_higher_fee)
{
    OdaPoolSetup s;
    CTransactionRef first = s.OdaSpend(s.Update(50), 10'000);
    BOOST_REQUIRE(s.Accept(first).IsValid());
    BOOST_CHECK(s.pool->GetPendingUpdate(s.model_id) == first->GetTxid());
    // A child of the pending update (spending its change) goes with it when it is replaced.
    CTransactionRef child = s.Spend({{COutPoint(first->GetTxid(), 0), first->vout[0].value}},
                                    {CTxOut(first->vout[0].value - 2'000, s.spk)}, std::nullopt);
    BOOST_REQUIRE(s.Accept(child).IsValid());

    // Lower, equal, or not above the pending one plus its child: refused, naming the pending one.
    MempoolAcceptResult r = s.Accept(s.OdaSpend(s.Update(60, 0x56), 9'000));
    BOOST_CHECK_EQUAL(Reason(r), "oda-update-pending");
    BOOST_CHECK_MESSAGE(r.state.GetDebugMessage().find(first->GetTxid().GetHex()) != std::string::npos &&
                            r.state.GetDebugMessage().find("paying 10000") != std::string::npos,
                        r.state.GetDebugMessage());
    BOOST_CHECK_EQUAL(Reason(s.Accept(s.OdaSpend(s.Update(60, 0x56), 12'000))), "oda-update-pending"); // <= 10,000 + 2,000
    // Above the fees, but the rate must also beat the pending rate by the incremental relay fee:
    // a much bigger transaction paying a little more is refused.
    std::vector<CTxOut> padding(40, CTxOut(1'000, s.spk));
    BOOST_CHECK_EQUAL(Reason(s.Accept(s.OdaSpend(s.Update(60, 0x56), 12'001, 1'000'000, padding))), "oda-update-pending");
    // A second update of ANOTHER model is not affected.
    // Enough: accepted, the pending one and its child leave with reason "replaced".
    CTransactionRef better = s.OdaSpend(s.Update(60, 0x56), 12'001);
    r = s.Accept(better);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.state.ToString());
    BOOST_CHECK_EQUAL(r.replaced.size(), 2U);
    BOOST_CHECK(!s.pool->Exists(first->GetTxid()));
    BOOST_CHECK(!s.pool->Exists(child->GetTxid()));
    BOOST_CHECK(s.pool->GetPendingUpdate(s.model_id) == better->GetTxid());
    s.pool->Check();

    // A replacement may double-spend the pending update's own inputs (a fee bump).
    const COutPoint bumped_coin = better->vin[0].prevout;
    CTransactionRef bump = s.Spend({{bumped_coin, 1'000'000}}, {CTxOut(1'000'000 - 20'000, s.spk)}, s.Update(61, 0x57));
    r = s.Accept(bump);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.state.ToString());
    BOOST_CHECK(!s.pool->Exists(better->GetTxid()));
    // But not spend what it replaces.
    CTransactionRef spends_pending = s.Spend({{COutPoint(bump->GetTxid(), 0), bump->vout[0].value}},
                                             {CTxOut(bump->vout[0].value - 100'000, s.spk)}, s.Update(62, 0x58));
    BOOST_CHECK_EQUAL(Reason(s.Accept(spends_pending)), "bad-txns-spends-conflicting-tx");
    // Any other double spend is still first-seen-wins.
    CTransactionRef plain = s.Spend({{bumped_coin, 1'000'000}}, {CTxOut(1'000'000 - 50'000, s.spk)}, std::nullopt);
    BOOST_CHECK_EQUAL(Reason(s.Accept(plain)), "txn-mempool-conflict");
    s.pool->Check();
}

BOOST_AUTO_TEST_CASE(entries_the_new_registry_refuses_are_evicted)
{
    OdaPoolSetup s;
    CTransactionRef update = s.OdaSpend(s.Update(50), 50'000);
    CTransactionRef infer = s.OdaSpend(s.InferPayload(), 50'000, 1'000'000, s.Royalty());
    CTransactionRef plain = s.Spend({{s.AddCoin(100'000), 100'000}}, {CTxOut(99'000, s.spk)}, std::nullopt);
    for (const auto& tx : {update, infer, plain}) BOOST_REQUIRE(s.Accept(tx).IsValid());

    auto still_valid = [&](const CTransactionRef& tx) {
        TxValidationState state;
        return OdaEntryStillValid(*tx, s.registry, 202, s.params, state) ? std::string() : state.GetRejectReason();
    };
    BOOST_CHECK_EQUAL(still_valid(update), "");
    BOOST_CHECK_EQUAL(still_valid(infer), "");

    // A better update of the model confirms (on another node's block): ours no longer improves.
    CMutableTransaction mined;
    mined.vin.emplace_back(COutPoint(oda::test::ExampleHash(0xa1), 0));
    mined.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(s.Update(70, 0x59))));
    s.Confirm(MakeTransactionRef(std::move(mined)), 201);
    BOOST_CHECK_EQUAL(still_valid(update), "bad-oda-not-improving");
    BOOST_CHECK_EQUAL(still_valid(infer), ""); // version 0 is still there

    // The model changes hands: the royalty our infer pays goes to the old owner.
    const ModelRecord record = *s.registry.GetModel(s.model_id);
    CMutableTransaction transfer;
    transfer.vin.emplace_back(record.owner);
    transfer.vout.emplace_back(10'000, oda::test::TaprootScript(0x42));
    transfer.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(Payload{Transfer{s.model_id}})));
    s.Confirm(MakeTransactionRef(std::move(transfer)), 202);
    BOOST_CHECK_EQUAL(still_valid(infer), "bad-oda-royalty");

    // The pool's removal path with the ODA reason: both leave, the plain transfer stays.
    s.pool->RemoveForReorg(
        [&](const CTxMemPoolEntry& e) { return e.GetOdaFacts().kind && !still_valid(e.GetSharedTx()).empty(); },
        MemPoolRemovalReason::ODA_STALE);
    BOOST_CHECK(!s.pool->Exists(update->GetTxid()));
    BOOST_CHECK(!s.pool->Exists(infer->GetTxid()));
    BOOST_CHECK(s.pool->Exists(plain->GetTxid()));
    BOOST_CHECK(!s.pool->GetPendingUpdate(s.model_id));
    BOOST_CHECK_EQUAL(RemovalReasonToString(MemPoolRemovalReason::ODA_STALE), "oda-stale");
    BOOST_CHECK_EQUAL(RemovalReasonToString(MemPoolRemovalReason::REPLACED), "replaced");
    s.pool->Check();

    // A model gone (the reorg undid its add-model): infers and updates of it are refused.
    MemoryRegistry empty;
    TxValidationState state;
    BOOST_CHECK(!OdaEntryStillValid(*infer, empty, 202, s.params, state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-oda-unknown-model");
}

BOOST_AUTO_TEST_SUITE_END()
