// The waiting state of doc/oda-protocol.md section 5 through the chainstate: a block whose
// ODA work needs a file the node lacks is neither valid nor invalid. The executor here is a
// gate that reports MISSING_DATA for a weights file until the test says it is there (or, in
// the last case, until a real FileStore holds it): what is tested is the chain-state
// machinery (chain selection, retry, restart, invalidate/reconsider, the file registrations).
#include <consensus/chainparams.h>
#include <crypto/merkle_bep52.h>
#include <node/data_wait.h>
#include <node/validation.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <oda/chain/compute_units.h>
#include <oda/chain/payload.h>
#include <oda/chain/tx_check.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>
#include <oda/storage/file_store.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <test/oda_payload_examples.h>
#include <test/util/block_builder.h>
#include <test/util/random_model.h>
#include <test/util/tempdir.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <thread>

using namespace node;
using oda::chain::Commitment;

namespace {

/** Scores and inferences are VALID once their weights file is "present", MISSING_DATA before. */
class GateExecutor : public oda::chain::OdaExecutor
{
public:
    void Provide(const Commitment& c) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex)
    {
        LOCK(m_mutex);
        m_present.push_back(c);
    }
    /** With a store set, "present" means the store holds the file. */
    void UseStore(oda::storage::FileStore* store) { m_store = store; }
    int Calls() const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex) { return WITH_LOCK(m_mutex, return m_calls); }

    oda::chain::ExecOutcome ScoreWeights(const uint256&, const oda::chain::ModelRecord&, const Commitment& weights,
                                         int64_t, oda::chain::ExecReport& report) override EXCLUSIVE_LOCKS_REQUIRED(!m_mutex)
    {
        return Gate(weights, report);
    }
    oda::chain::ExecOutcome RunInference(const uint256&, const oda::chain::ModelRecord&,
                                         const oda::chain::ModelVersion& version, const oda::chain::Infer&,
                                         oda::chain::OutputTensor&, oda::chain::ExecReport& report) override
        EXCLUSIVE_LOCKS_REQUIRED(!m_mutex)
    {
        return Gate(version.weights, report);
    }

private:
    oda::chain::ExecOutcome Gate(const Commitment& c, oda::chain::ExecReport& report) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex)
    {
        LOCK(m_mutex);
        ++m_calls;
        bool present = m_store ? m_store->Has(c) : std::find(m_present.begin(), m_present.end(), c) != m_present.end();
        if (present) return oda::chain::ExecOutcome::VALID;
        report.missing.push_back(c);
        return oda::chain::ExecOutcome::MISSING_DATA;
    }

    mutable Mutex m_mutex;
    std::vector<Commitment> m_present GUARDED_BY(m_mutex);
    int m_calls GUARDED_BY(m_mutex){0};
    oda::storage::FileStore* m_store{nullptr};
};

struct WaitFixture {
    TempDir dir{"data_wait"};
    std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    MockableClock clock;
    GateExecutor gate;
    std::unique_ptr<ChainstateManager> chainman;
    CKey key;
    ScriptBytes spk;
    uint32_t extra_nonce{0};
    /** What the handler was told, in order: "+<hash>" waits, "-<hash>" released. */
    std::vector<std::string> events;
    std::map<uint256, std::vector<Commitment>> registered; //!< what is registered now, per block
    bool with_handler{true};

    WaitFixture()
    {
        key = *CKey::FromBytes(std::vector<uint8_t>(32, 0x42));
        spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
        clock.SetMockTime(params->GenesisBlock().time + 1000000);
        Start();
    }
    ~WaitFixture() { chainman.reset(); }

    void Start(bool reindex_chainstate = false)
    {
        chainman.reset();
        ChainstateOptions opts;
        opts.datadir = dir.Path("regtest");
        opts.dbcache_bytes = 16 << 20;
        opts.reindex_chainstate = reindex_chainstate;
        opts.clock = &clock;
        chainman = std::make_unique<ChainstateManager>(*params, opts);
        chainman->SetOdaExecutor(&gate);
        if (with_handler) {
            DataWaitHandler h;
            h.on_wait = [this](const WaitingBlock& b) {
                events.push_back("+" + b.hash.GetHex());
                registered[b.hash] = b.missing;
            };
            h.on_release = [this](const WaitingBlock& b) {
                events.push_back("-" + b.hash.GetHex());
                auto& r = registered[b.hash];
                for (const auto& c : b.missing) r.erase(std::remove(r.begin(), r.end(), c), r.end());
                if (r.empty()) registered.erase(b.hash);
            };
            chainman->SetDataWaitHandler(std::move(h));
        }
        std::string error;
        BOOST_REQUIRE_MESSAGE(chainman->Load(error), error);
    }

    /** A mined block; when its transactions carry ODA work, its coinbase gets the result payload
     *  with the block's compute units (no infers here: no output tensors). */
    CBlock MakeBlock(const CBlockIndex* prev, const std::vector<CMutableTransaction>& txs, CAmount fees = 0)
    {
        CBlock block = BuildTestBlock(prev, params->GetConsensus(), spk, ++extra_nonce, txs, fees);
        int64_t cu = 0;
        {
            LOCK(chainman->Mutex());
            for (const auto& mtx : txs) {
                std::vector<oda::chain::Payload> payloads;
                TxValidationState ignored;
                BOOST_REQUIRE(oda::chain::CheckOdaTransaction(CTransaction(mtx), ignored, params->GetConsensus(), &payloads));
                std::string error;
                cu += oda::chain::TransactionComputeUnits(payloads, chainman->RegistryTip(), error).value_or(0);
            }
        }
        if (cu == 0) return block;
        CMutableTransaction cb;
        cb.version = block.vtx[0]->version;
        cb.vin = block.vtx[0]->vin;
        cb.vout = block.vtx[0]->vout;
        cb.lock_time = block.vtx[0]->lock_time;
        cb.vout.insert(cb.vout.begin() + 1, CTxOut(0, OdaOutputScript(oda::chain::EncodeOdaPayload(oda::chain::Result{cu, {}}))));
        block.vtx[0] = MakeTransactionRef(std::move(cb));
        block.hash_merkle_root = BlockMerkleRoot(block);
        block.nonce = 0;
        while (!CheckProofOfWork(block.GetHash(), block.bits, params->GetConsensus())) ++block.nonce;
        return block;
    }
    bool Process(const CBlock& block, BlockValidationState* state = nullptr)
    {
        bool is_new = false;
        return chainman->ProcessNewBlock(std::make_shared<const CBlock>(block), true, &is_new, state);
    }
    CBlockIndex* Lookup(const uint256& hash)
    {
        LOCK(chainman->Mutex());
        return chainman->LookupBlockIndex(hash);
    }
    const CBlockIndex* Tip() { return chainman->ActiveTip(); }
    std::vector<uint256> Generate(int n)
    {
        std::vector<uint256> out;
        for (int i = 0; i < n; ++i) {
            CBlock b = MakeBlock(Tip(), {});
            BOOST_REQUIRE(Process(b));
            out.push_back(b.vtx[0]->GetTxid());
        }
        return out;
    }
    /** Signed spend of a coinbase output into [ownership output if asked, the ODA output, change]. */
    CMutableTransaction OdaSpend(const COutPoint& prevout, const oda::chain::Payload& payload, CAmount fee, bool owner)
    {
        std::optional<Coin> coin = WITH_LOCK(chainman->Mutex(), return chainman->CoinsTip().GetCoin(prevout));
        BOOST_REQUIRE(coin);
        CMutableTransaction tx;
        tx.vin.emplace_back(prevout);
        if (owner) tx.vout.emplace_back(10'000, spk);
        tx.vout.emplace_back(0, OdaOutputScript(oda::chain::EncodeOdaPayload(payload)));
        tx.vout.emplace_back(coin->out.value - fee - (owner ? 10'000 : 0), spk);
        std::string err;
        BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(tx, 0, {coin->out}, key, 0x00, &err), err);
        return tx;
    }
    /** An add-model of the example model whose initial weights are `weights`. */
    CMutableTransaction AddModelTx(const COutPoint& prevout, const Commitment& weights)
    {
        oda::chain::AddModel add = std::get<oda::chain::AddModel>(oda::test::ExamplePayloads()[0]);
        add.parents.clear();
        add.initial_weights = weights;
        return OdaSpend(prevout, add, 1000, true);
    }
    std::optional<oda::chain::ModelRecord> TipModel(const uint256& id)
    {
        LOCK(chainman->Mutex());
        return chainman->RegistryTip().GetModel(id);
    }
    std::string TipStatus(const uint256& tip_hash)
    {
        for (const ChainTip& t : chainman->GetChainTips()) {
            if (t.index->GetBlockHash() == tip_hash) return t.status;
        }
        return "not a tip";
    }
    bool Retry()
    {
        BlockValidationState state;
        const bool ok = chainman->RetryWaitingBlocks(state);
        BOOST_CHECK_MESSAGE(ok, state.ToString());
        return ok;
    }
    /** The whole UTXO set and the registry's models, read after a flush: a rebuild must match. */
    std::pair<std::map<COutPoint, Coin>, std::map<uint256, oda::chain::ModelRecord>> State(const std::vector<uint256>& ids)
    {
        LOCK(chainman->Mutex());
        BOOST_REQUIRE(chainman->FlushStateToDisk(FlushMode::ALWAYS));
        std::map<COutPoint, Coin> coins;
        for (auto c = chainman->CoinsDB().Cursor(); c->Valid(); c->Next()) {
            COutPoint o;
            Coin coin;
            BOOST_REQUIRE(c->GetKey(o) && c->GetValue(coin));
            coins[o] = coin;
        }
        std::map<uint256, oda::chain::ModelRecord> models;
        for (const uint256& id : ids) {
            if (auto m = chainman->RegistryTip().GetModel(id)) models[id] = *m;
        }
        return {coins, models};
    }
};

Commitment FakeWeights(uint8_t fill) { return Commitment{oda::test::ExampleHash(fill), 4242}; }

bool Failed(const CBlockIndex* index) { return index->status & BLOCK_FAILED_MASK; }

} // namespace

BOOST_AUTO_TEST_SUITE(data_wait_tests)

// The block waits (not invalid), a less-work chain stays active meanwhile, and once the file is
// there the block connects; the state then equals a rebuild from the blocks.
BOOST_AUTO_TEST_CASE(waiting_block_connects_when_file_arrives)
{
    WaitFixture f;
    auto cbs = f.Generate(103);
    const uint256 base = f.Tip()->GetBlockHash();
    const Commitment w = FakeWeights(0x71);
    CMutableTransaction add = f.AddModelTx(COutPoint(cbs[0], 0), w);
    const uint256 id = CTransaction(add).GetTxid();
    CBlock b1 = f.MakeBlock(f.Tip(), {add}, 1000);

    BlockValidationState state;
    BOOST_CHECK_MESSAGE(f.Process(b1, &state), state.ToString()); // not a failure
    BOOST_CHECK(!state.IsInvalid());
    BOOST_CHECK(f.Tip()->GetBlockHash() == base);
    CBlockIndex* i1 = f.Lookup(b1.GetHash());
    BOOST_REQUIRE(i1);
    BOOST_CHECK(!Failed(i1));
    auto waiting = f.chainman->GetWaitingBlocks();
    BOOST_REQUIRE_EQUAL(waiting.size(), 1U);
    BOOST_CHECK(waiting[0].hash == b1.GetHash());
    BOOST_CHECK_EQUAL(waiting[0].height, 104);
    BOOST_REQUIRE_EQUAL(waiting[0].missing.size(), 1U);
    BOOST_CHECK(waiting[0].missing[0] == w);
    BOOST_CHECK(f.registered[b1.GetHash()] == std::vector<Commitment>{w});
    BOOST_CHECK_EQUAL(f.TipStatus(b1.GetHash()), "waiting-for-data");

    // A child of the waiting block is stored and waits behind it, without running anything.
    const int calls = f.gate.Calls();
    CBlock b2 = f.MakeBlock(i1, {});
    BOOST_CHECK(f.Process(b2));
    BOOST_CHECK(f.Tip()->GetBlockHash() == base);
    BOOST_CHECK_EQUAL(f.gate.Calls(), calls);
    BOOST_CHECK_EQUAL(f.TipStatus(b2.GetHash()), "waiting-for-data");
    for (const ChainTip& t : f.chainman->GetChainTips()) {
        if (t.index->GetBlockHash() != b2.GetHash()) continue;
        BOOST_REQUIRE(t.waiting);
        BOOST_CHECK(t.waiting->hash == b1.GetHash()); // the block that waits, below the tip
    }
    BOOST_CHECK_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);

    // Meanwhile a valid chain with less work than the waiting one becomes active.
    CBlock a1 = f.MakeBlock(f.Lookup(base), {});
    BOOST_CHECK(f.Process(a1));
    BOOST_CHECK(f.Tip()->GetBlockHash() == a1.GetHash());
    BOOST_CHECK_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);

    // A retry without the file: still waiting, still not invalid.
    BOOST_CHECK(f.Retry());
    BOOST_CHECK(f.Tip()->GetBlockHash() == a1.GetHash());
    BOOST_CHECK_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);
    BOOST_CHECK(!Failed(f.Lookup(b1.GetHash())) && !Failed(f.Lookup(b2.GetHash())));

    // The file arrives: the waiting branch (more work) connects, the registration is released.
    f.gate.Provide(w);
    BOOST_CHECK(f.Retry());
    BOOST_CHECK(f.Tip()->GetBlockHash() == b2.GetHash());
    BOOST_CHECK(f.chainman->GetWaitingBlocks().empty());
    BOOST_CHECK(f.registered.empty());
    BOOST_CHECK_EQUAL(f.TipStatus(b2.GetHash()), "active");
    BOOST_CHECK_EQUAL(f.TipStatus(a1.GetHash()), "valid-fork");
    BOOST_REQUIRE(f.TipModel(id));

    // Oracle: the same state as a rebuild from the blocks.
    const auto before = f.State({id});
    f.Start(/*reindex_chainstate=*/true);
    BOOST_CHECK(f.Tip()->GetBlockHash() == b2.GetHash());
    BOOST_CHECK(f.State({id}) == before);
}

// Nothing is persisted: after a restart the block is found waiting again (its data is on disk
// and it is a candidate; connecting it again finds the file missing again).
BOOST_AUTO_TEST_CASE(waiting_block_is_found_again_after_restart)
{
    WaitFixture f;
    auto cbs = f.Generate(103);
    const uint256 base = f.Tip()->GetBlockHash();
    const Commitment w = FakeWeights(0x72);
    CBlock b1 = f.MakeBlock(f.Tip(), {f.AddModelTx(COutPoint(cbs[0], 0), w)}, 1000);
    BOOST_CHECK(f.Process(b1));
    BOOST_CHECK_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);

    f.registered.clear();
    f.events.clear();
    f.Start();
    BOOST_CHECK(f.Tip()->GetBlockHash() == base);
    auto waiting = f.chainman->GetWaitingBlocks();
    BOOST_REQUIRE_EQUAL(waiting.size(), 1U);
    BOOST_CHECK(waiting[0].hash == b1.GetHash());
    BOOST_CHECK(!Failed(f.Lookup(b1.GetHash())));
    BOOST_CHECK(f.registered[b1.GetHash()] == std::vector<Commitment>{w}); // registered again at start-up
    BOOST_CHECK_EQUAL(f.events.size(), 1U);

    f.gate.Provide(w);
    BOOST_CHECK(f.Retry());
    BOOST_CHECK(f.Tip()->GetBlockHash() == b1.GetHash());
    BOOST_CHECK(f.chainman->GetWaitingBlocks().empty());
}

// A reorg: the waiting branch has more work than the active one. The node stays on the active
// chain (the attempted reorg is undone, nothing marked invalid), switches when the file
// arrives, and a later more-work chain of other blocks still wins over a waiting branch.
BOOST_AUTO_TEST_CASE(reorg_to_waiting_branch_with_more_work)
{
    WaitFixture f;
    auto cbs = f.Generate(103);
    const CBlockIndex* fork = f.Tip();
    CBlock a1 = f.MakeBlock(fork, {});
    BOOST_REQUIRE(f.Process(a1));
    const Commitment w = FakeWeights(0x73);
    CMutableTransaction add = f.AddModelTx(COutPoint(cbs[0], 0), w);
    const uint256 id = CTransaction(add).GetTxid();
    CBlock b1 = f.MakeBlock(fork, {add}, 1000);
    BOOST_CHECK(f.Process(b1)); // equal work: no reorg attempted yet
    BOOST_CHECK(f.chainman->GetWaitingBlocks().empty());
    CBlock b2 = f.MakeBlock(f.Lookup(b1.GetHash()), {});
    BOOST_CHECK(f.Process(b2)); // more work: the reorg finds b1 lacking its file
    BOOST_CHECK(f.Tip()->GetBlockHash() == a1.GetHash());
    BOOST_REQUIRE_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);
    BOOST_CHECK(f.chainman->GetWaitingBlocks()[0].hash == b1.GetHash());
    BOOST_CHECK(!Failed(f.Lookup(b1.GetHash())) && !Failed(f.Lookup(b2.GetHash())));
    BOOST_CHECK(!f.TipModel(id));

    f.gate.Provide(w);
    BOOST_CHECK(f.Retry());
    BOOST_CHECK(f.Tip()->GetBlockHash() == b2.GetHash());
    BOOST_REQUIRE(f.TipModel(id));
    const auto state_b = f.State({id});

    // Back: a waiting branch loses to a more-work chain of other blocks, and stops waiting.
    const Commitment w2 = FakeWeights(0x74);
    CBlock c1 = f.MakeBlock(f.Tip(), {f.AddModelTx(COutPoint(cbs[1], 0), w2)}, 1000);
    BOOST_CHECK(f.Process(c1));
    BOOST_CHECK(f.Tip()->GetBlockHash() == b2.GetHash());
    BOOST_REQUIRE_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);
    const CBlockIndex* a_tip = f.Lookup(a1.GetHash());
    for (int i = 0; i < 3; ++i) {
        CBlock a = f.MakeBlock(a_tip, {});
        BOOST_REQUIRE(f.Process(a));
        a_tip = f.Lookup(a.GetHash());
    }
    BOOST_CHECK(f.Tip() == a_tip);
    BOOST_CHECK(f.chainman->GetWaitingBlocks().empty()); // left the candidates
    BOOST_CHECK(!f.registered.count(c1.GetHash()));      // its file registration withdrawn
    BOOST_CHECK(!Failed(f.Lookup(c1.GetHash())));
    BOOST_CHECK(!f.TipModel(id));

    // Oracle after going back: equal to a rebuild.
    const auto state_a = f.State({id});
    BOOST_CHECK(!(state_a == state_b));
    const uint256 a_hash = a_tip->GetBlockHash(); // (the index dies with this chainstate)
    f.Start(/*reindex_chainstate=*/true);
    BOOST_CHECK(f.Tip()->GetBlockHash() == a_hash);
    BOOST_CHECK(f.State({id}) == state_a);
}

// invalidateblock / reconsiderblock on a waiting block: invalidating ends the wait (and its
// registration); reconsidering makes it wait again, never invalid.
BOOST_AUTO_TEST_CASE(invalidate_and_reconsider_a_waiting_block)
{
    WaitFixture f;
    auto cbs = f.Generate(103);
    const uint256 base = f.Tip()->GetBlockHash();
    const Commitment w = FakeWeights(0x75);
    CBlock b1 = f.MakeBlock(f.Tip(), {f.AddModelTx(COutPoint(cbs[0], 0), w)}, 1000);
    BOOST_CHECK(f.Process(b1));
    CBlockIndex* i1 = f.Lookup(b1.GetHash());
    BOOST_REQUIRE_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);

    BlockValidationState state;
    BOOST_REQUIRE(f.chainman->InvalidateBlock(state, i1));
    BOOST_CHECK(f.chainman->GetWaitingBlocks().empty());
    BOOST_CHECK(f.registered.empty());
    BOOST_CHECK_EQUAL(f.TipStatus(b1.GetHash()), "invalid");

    BOOST_REQUIRE(f.chainman->ReconsiderBlock(state, i1));
    BOOST_CHECK(!Failed(i1));
    BOOST_CHECK(f.Tip()->GetBlockHash() == base);
    BOOST_CHECK_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);
    BOOST_CHECK_EQUAL(f.TipStatus(b1.GetHash()), "waiting-for-data");

    f.gate.Provide(w);
    BOOST_CHECK(f.Retry());
    BOOST_CHECK(f.Tip()->GetBlockHash() == b1.GetHash());
}

// Waiting is no verdict: a block that breaks another rule (here: no result payload for its
// compute units) waits while its file is missing and is found invalid, with its reason, only
// once the file is there; its registration is released then.
BOOST_AUTO_TEST_CASE(waiting_block_found_invalid_once_its_file_arrives)
{
    WaitFixture f;
    auto cbs = f.Generate(103);
    const uint256 base = f.Tip()->GetBlockHash();
    const Commitment w = FakeWeights(0x76);
    CBlock b1 = BuildTestBlock(f.Tip(), f.params->GetConsensus(), f.spk, ++f.extra_nonce,
                               {f.AddModelTx(COutPoint(cbs[0], 0), w)}, 1000); // coinbase without a result
    BOOST_CHECK(f.Process(b1));
    BOOST_REQUIRE_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);
    BOOST_CHECK(!Failed(f.Lookup(b1.GetHash())));

    f.gate.Provide(w);
    BOOST_CHECK(f.Retry());
    BOOST_CHECK(f.Tip()->GetBlockHash() == base);
    BOOST_CHECK(Failed(f.Lookup(b1.GetHash())));
    BOOST_CHECK(f.chainman->GetWaitingBlocks().empty());
    BOOST_CHECK(f.registered.empty());
    BOOST_CHECK_EQUAL(f.TipStatus(b1.GetHash()), "invalid");
}

// The node's wiring: BlockDataWaiter registers the missing file with a real FileStore
// (getmodelfiles shows it NEEDED with the block as reason) and, when the file is imported,
// retries on its own thread; the block connects and the file is no longer needed.
BOOST_AUTO_TEST_CASE(file_store_import_resumes_the_waiting_block)
{
    WaitFixture f;
    f.with_handler = false; // the waiter's handler instead
    TempDir files{"data_wait_files"};
    oda::storage::FileStore store(fs::path(files.Path("odafiles")),
                                  oda::storage::FileLimits::FromConsensus(f.params->GetConsensus()), 0);
    std::string error;
    BOOST_REQUIRE_MESSAGE(store.Open(error), error);
    f.gate.UseStore(&store);

    // A real weights file (any valid one: the gate only asks whether the store holds it).
    oda::test::TestRng rng(7);
    std::vector<uint8_t> bytes;
    for (;;) {
        const oda::model::Architecture a = oda::test::RandomArchitecture(rng);
        oda::model::Model m;
        if (!oda::model::MakeModel(a, oda::test::RandomWeights(a, rng), m, error)) continue;
        bytes = oda::model::EncodeWeights(m.weights);
        break;
    }
    const Commitment w{*Bep52PiecesRoot(bytes.data(), bytes.size()), bytes.size()};

    auto cbs = f.Generate(103);
    f.chainman.reset();
    f.Start();
    BlockDataWaiter waiter(*f.chainman, store);
    waiter.Start();
    CBlock b1 = f.MakeBlock(f.Tip(), {f.AddModelTx(COutPoint(cbs[0], 0), w)}, 1000);
    BOOST_CHECK(f.Process(b1));
    BOOST_REQUIRE_EQUAL(f.chainman->GetWaitingBlocks().size(), 1U);
    auto needed = store.Needed();
    BOOST_REQUIRE_EQUAL(needed.size(), 1U);
    BOOST_CHECK(needed[0] == w);
    bool reason_found = false;
    for (const auto& e : store.List()) {
        if (e.commitment == w) reason_found = e.status == oda::storage::FileStatus::NEEDED && e.reasons.count("block " + b1.GetHash().GetHex());
    }
    BOOST_CHECK(reason_found);

    BOOST_REQUIRE_MESSAGE(store.ImportBytes(bytes, w, error), error);
    // The retry runs on the waiter's thread: wait for its outcome (bounded, not timed).
    for (int i = 0; i < 3000 && f.Tip()->GetBlockHash() != b1.GetHash(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    BOOST_CHECK(f.Tip()->GetBlockHash() == b1.GetHash());
    BOOST_CHECK(f.chainman->GetWaitingBlocks().empty());
    BOOST_CHECK(store.Needed().empty());
    waiter.Stop();
    f.gate.UseStore(nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
