// Chainstate on regtest: blocks built and signed in the test, connected,
// reorganised, rejected for their reasons, and rebuilt from disk.
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <node/dbwrapper.h>
#include <node/validation.h>
#include <oda/chain/payload.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <test/oda_payload_examples.h>
#include <test/util/block_builder.h>
#include <test/util/tempdir.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <map>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace node;

namespace {

class RecordingObserver : public ChainstateObserver
{
public:
    int connected{0}, disconnected{0}, tip_updates{0}, reorgs{0};
    std::vector<CTransactionRef> returned;
    void BlockConnected(const std::shared_ptr<const CBlock>&, const CBlockIndex*) override { ++connected; }
    void BlockDisconnected(const std::shared_ptr<const CBlock>&, const CBlockIndex*) override { ++disconnected; }
    void UpdatedBlockTip(const CBlockIndex*, const CBlockIndex*, bool) override { ++tip_updates; }
    void TransactionsDisconnected(const std::vector<CTransactionRef>& txs) override
    {
        ++reorgs;
        returned = txs;
    }
};

struct ChainFixture {
    TempDir dir{"validation"};
    std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    MockableClock clock;
    std::unique_ptr<ChainstateManager> chainman;
    CKey key;
    ScriptBytes spk;
    uint32_t extra_nonce{0};
    std::string fault; //!< -testfaultinject of the next Start()

    explicit ChainFixture(int threads = 1)
    {
        std::vector<uint8_t> secret(32, 0x42);
        key = *CKey::FromBytes(secret);
        spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
        clock.SetMockTime(params->GenesisBlock().time + 1000000);
        Start(threads);
    }

    void Start(int threads = 1, bool reindex = false, bool reindex_chainstate = false)
    {
        chainman.reset();
        ChainstateOptions opts;
        opts.datadir = dir.Path("regtest");
        opts.dbcache_bytes = 16 << 20;
        opts.script_threads = threads;
        opts.reindex = reindex;
        opts.reindex_chainstate = reindex_chainstate;
        opts.clock = &clock;
        opts.test_fault = fault;
        chainman = std::make_unique<ChainstateManager>(*params, opts);
        std::string error;
        BOOST_REQUIRE_MESSAGE(chainman->Load(error), error);
    }

    /** A mined block on `prev` with the given transactions; the coinbase claims subsidy + fees + overpay. */
    CBlock MakeBlock(const CBlockIndex* prev, const std::vector<CMutableTransaction>& txs, CAmount fees = 0, CAmount overpay = 0)
    {
        // A per-block extra nonce keeps coinbases of competing forks distinct.
        return BuildTestBlock(prev, params->GetConsensus(), spk, ++extra_nonce, txs, fees + overpay);
    }

    void Mine(CBlock& block)
    {
        while (!CheckProofOfWork(block.GetHash(), block.bits, params->GetConsensus())) ++block.nonce;
    }

    bool Process(const CBlock& block, BlockValidationState* state = nullptr)
    {
        bool is_new = false;
        return chainman->ProcessNewBlock(std::make_shared<const CBlock>(block), true, &is_new, state);
    }

    /** Extends the active tip by n empty blocks; returns the coinbase txids. */
    std::vector<uint256> Generate(int n)
    {
        std::vector<uint256> out;
        for (int i = 0; i < n; ++i) {
            CBlock b = MakeBlock(chainman->ActiveTip(), {});
            BOOST_REQUIRE(Process(b));
            out.push_back(b.vtx[0]->GetTxid());
        }
        return out;
    }

    /** Signed spend of `prevout` (paying to spk) into `outputs` equal outputs, leaving `fee`. */
    bool HaveCoin(const COutPoint& outpoint)
    {
        LOCK(chainman->Mutex());
        return chainman->CoinsTip().HaveCoin(outpoint);
    }
    CBlockIndex* Lookup(const uint256& hash)
    {
        LOCK(chainman->Mutex());
        return chainman->LookupBlockIndex(hash);
    }
    CBlockIndex* AtHeight(int height)
    {
        LOCK(chainman->Mutex());
        return chainman->ActiveChain()[height];
    }

    CMutableTransaction Spend(const COutPoint& prevout, CAmount fee, int outputs = 1)
    {
        std::optional<Coin> coin;
        {
            LOCK(chainman->Mutex());
            coin = chainman->CoinsTip().GetCoin(prevout);
        }
        BOOST_REQUIRE(coin);
        return SpendCoin(prevout, coin->out, fee, outputs);
    }

    CMutableTransaction SpendCoin(const COutPoint& prevout, const CTxOut& spent, CAmount fee, int outputs = 1)
    {
        CMutableTransaction tx;
        tx.vin.emplace_back(prevout);
        const CAmount each = (spent.value - fee) / outputs;
        for (int i = 0; i < outputs; ++i) tx.vout.emplace_back(each, spk);
        std::string err;
        BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(tx, 0, {spent}, key, 0x00, &err), err);
        return tx;
    }

    /** (outpoint -> coin) of the whole UTXO set, read from the database after a flush. */
    std::map<COutPoint, Coin> UtxoSet()
    {
        LOCK(chainman->Mutex());
        chainman->FlushStateToDisk(FlushMode::ALWAYS);
        std::map<COutPoint, Coin> out;
        for (auto c = chainman->CoinsDB().Cursor(); c->Valid(); c->Next()) {
            COutPoint o;
            Coin coin;
            BOOST_REQUIRE(c->GetKey(o) && c->GetValue(coin));
            out[o] = coin;
        }
        return out;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(validation_tests)

BOOST_AUTO_TEST_CASE(genesis_on_first_start_and_reload)
{
    ChainFixture f;
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 0);
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == f.params->GenesisBlock().GetHash());
    f.Generate(3);
    const uint256 tip = f.chainman->ActiveTip()->GetBlockHash();
    f.Start();
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 3);
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == tip);
    CBlock read;
    BOOST_CHECK(f.chainman->ReadBlock(f.chainman->ActiveTip(), read));
    BOOST_CHECK(read.GetHash() == tip);
}

BOOST_AUTO_TEST_CASE(spend_mature_coinbase_and_utxo_survives_restart)
{
    ChainFixture f;
    auto cbs = f.Generate(101);
    const COutPoint prevout(cbs[0], 0);
    CMutableTransaction tx = f.Spend(prevout, 1000, 2);
    CBlock b = f.MakeBlock(f.chainman->ActiveTip(), {tx}, 1000);
    BlockValidationState state;
    BOOST_REQUIRE_MESSAGE(f.Process(b, &state), state.ToString());
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 102);
    const uint256 txid = CTransaction(tx).GetTxid();
    BOOST_CHECK(!f.HaveCoin(prevout));
    BOOST_CHECK(f.HaveCoin(COutPoint(txid, 1)));
    auto before = f.UtxoSet();
    f.Start();
    BOOST_CHECK(f.UtxoSet() == before);
    BOOST_CHECK(f.HaveCoin(COutPoint(txid, 0)));
}

BOOST_AUTO_TEST_CASE(reorg_to_longer_fork_and_back_matches_rebuild)
{
    ChainFixture f;
    RecordingObserver obs;
    f.chainman->Signals().Register(&obs);
    auto cbs = f.Generate(101);
    const CBlockIndex* fork = f.chainman->ActiveTip();

    // Chain A: a spend, then one more block.
    CMutableTransaction spend_a = f.Spend(COutPoint(cbs[0], 0), 500);
    CBlock a1 = f.MakeBlock(fork, {spend_a}, 500);
    BOOST_REQUIRE(f.Process(a1));
    CBlock a2 = f.MakeBlock(f.chainman->ActiveTip(), {});
    BOOST_REQUIRE(f.Process(a2));
    const CBlockIndex* tip_a = f.chainman->ActiveTip();
    BOOST_CHECK_EQUAL(tip_a->height, 103);

    // Chain B from the same fork, one block longer, spending a different coinbase.
    CMutableTransaction spend_b = f.Spend(COutPoint(cbs[1], 0), 700);
    CBlock b1 = f.MakeBlock(fork, {spend_b}, 700);
    BOOST_REQUIRE(f.Process(b1));
    BOOST_CHECK(f.chainman->ActiveTip() == tip_a); // equal work not yet
    const CBlockIndex* b1_index = f.Lookup(b1.GetHash());
    CBlock b2 = f.MakeBlock(b1_index, {});
    BOOST_REQUIRE(f.Process(b2));
    BOOST_CHECK(f.chainman->ActiveTip() == tip_a); // first seen wins a tie
    CBlock b3 = f.MakeBlock(f.Lookup(b2.GetHash()), {});
    obs.reorgs = 0;
    BOOST_REQUIRE(f.Process(b3));
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == b3.GetHash());
    BOOST_CHECK_EQUAL(obs.reorgs, 1);
    BOOST_REQUIRE_EQUAL(obs.returned.size(), 1U); // spend_a came back, in block order
    BOOST_CHECK(obs.returned[0]->GetTxid() == CTransaction(spend_a).GetTxid());
    BOOST_CHECK(f.HaveCoin(COutPoint(cbs[0], 0)));
    BOOST_CHECK(!f.HaveCoin(COutPoint(cbs[1], 0)));

    auto tips = f.chainman->GetChainTips();
    BOOST_REQUIRE_EQUAL(tips.size(), 2U);
    BOOST_CHECK_EQUAL(tips[0].status, "active");
    BOOST_CHECK_EQUAL(tips[1].status, "valid-fork");
    BOOST_CHECK_EQUAL(tips[1].branch_length, 2);

    auto utxo_b = f.UtxoSet();
    f.chainman->Signals().Unregister(&obs);
    f.Start(1, false, true); // -reindex-chainstate
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == b3.GetHash());
    BOOST_CHECK(f.UtxoSet() == utxo_b);

    // Back to A by making it longer.
    const CBlockIndex* a2_index = f.Lookup(a2.GetHash());
    CBlock a3 = f.MakeBlock(a2_index, {});
    BOOST_REQUIRE(f.Process(a3));
    CBlock a4 = f.MakeBlock(f.Lookup(a3.GetHash()), {});
    BOOST_REQUIRE(f.Process(a4));
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == a4.GetHash());
    BOOST_CHECK(!f.HaveCoin(COutPoint(cbs[0], 0)));
    BOOST_CHECK(f.HaveCoin(COutPoint(cbs[1], 0)));
    auto utxo_a = f.UtxoSet();
    f.Start(1, true, false); // full -reindex from the blk files
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == a4.GetHash());
    BOOST_CHECK(f.UtxoSet() == utxo_a);
}

BOOST_AUTO_TEST_CASE(in_block_spend_chain_disconnects_cleanly)
{
    ChainFixture f;
    auto cbs = f.Generate(101);
    const auto before = f.UtxoSet();
    const CBlockIndex* fork = f.chainman->ActiveTip();
    // A spends a coinbase; B spends A's first output inside the same block.
    CMutableTransaction a = f.Spend(COutPoint(cbs[0], 0), 1000, 2);
    const CTransaction a_tx(a);
    CMutableTransaction b = f.SpendCoin(COutPoint(a_tx.GetTxid(), 0), a_tx.vout[0], 500);
    BlockValidationState state;
    // The order B, A is invalid: B's input does not exist yet.
    BOOST_CHECK(!f.Process(f.MakeBlock(fork, {b, a}, 1500), &state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-txns-inputs-missingorspent");
    BOOST_CHECK(f.chainman->ActiveTip() == fork);
    BOOST_REQUIRE_MESSAGE(f.Process(f.MakeBlock(fork, {a, b}, 1500), &state), state.ToString());
    BOOST_CHECK(!f.HaveCoin(COutPoint(a_tx.GetTxid(), 0)));
    BOOST_CHECK(f.HaveCoin(COutPoint(a_tx.GetTxid(), 1)));
    // Invalidate the block: the UTXO set returns exactly to what it was.
    BOOST_REQUIRE(f.chainman->InvalidateBlock(state, const_cast<CBlockIndex*>(f.chainman->ActiveTip())));
    BOOST_CHECK(f.chainman->ActiveTip() == fork);
    BOOST_CHECK(f.UtxoSet() == before);
}

BOOST_AUTO_TEST_CASE(invalid_blocks_rejected_with_reasons)
{
    ChainFixture f(2);
    auto cbs = f.Generate(101);
    const CBlockIndex* tip = f.chainman->ActiveTip();
    auto expect_reject = [&](const CBlock& block, const std::string& reason) {
        BlockValidationState state;
        BOOST_CHECK(!f.Process(block, &state));
        BOOST_CHECK_EQUAL(state.GetRejectReason(), reason);
        BOOST_CHECK(f.chainman->ActiveTip() == tip);
    };

    // Bad merkle root (the header commits to other transactions).
    {
        CBlock b = f.MakeBlock(tip, {});
        b.hash_merkle_root.data()[0] ^= 1;
        f.Mine(b);
        expect_reject(b, "bad-txnmrklroot");
    }
    // Coinbase claims more than subsidy + fees.
    expect_reject(f.MakeBlock(tip, {}, 0, 1), "bad-cb-amount");
    // Two transactions spending the same output.
    {
        CMutableTransaction t1 = f.Spend(COutPoint(cbs[0], 0), 1000);
        CMutableTransaction t2 = f.Spend(COutPoint(cbs[0], 0), 2000);
        expect_reject(f.MakeBlock(tip, {t1, t2}, 3000), "bad-txns-inputs-missingorspent");
    }
    // Spending a coinbase that has only 100 - 99 confirmations.
    {
        CMutableTransaction t = f.Spend(COutPoint(cbs[5], 0), 1000);
        expect_reject(f.MakeBlock(tip, {t}, 1000), "bad-txns-premature-spend-of-coinbase");
    }
    // A signature that does not verify.
    {
        CMutableTransaction t = f.Spend(COutPoint(cbs[0], 0), 1000);
        t.vin[0].witness.stack[0][10] ^= 0x01;
        BlockValidationState state;
        BOOST_CHECK(!f.Process(f.MakeBlock(tip, {t}, 1000), &state));
        BOOST_CHECK(state.GetRejectReason().rfind("mandatory-script-verify-flag-failed", 0) == 0);
        BOOST_CHECK(f.chainman->ActiveTip() == tip);
    }
    // Missing BIP 34 height.
    {
        CBlock b = f.MakeBlock(tip, {});
        CMutableTransaction cb;
        cb.vin = b.vtx[0]->vin;
        cb.vout = b.vtx[0]->vout;
        cb.vin[0].script_sig = ScriptBytes{0x01, 0x02, 0x03};
        b.vtx[0] = MakeTransactionRef(std::move(cb));
        b.hash_merkle_root = BlockMerkleRoot(b);
        f.Mine(b);
        expect_reject(b, "bad-cb-height");
    }
    // Wrong difficulty bits.
    {
        CBlock b = f.MakeBlock(tip, {});
        b.bits = 0x207ffffe;
        f.Mine(b);
        BlockValidationState state;
        BOOST_CHECK(!f.Process(b, &state));
        BOOST_CHECK(f.chainman->ActiveTip() == tip);
    }
    // After all that, a valid block still connects, and a failed block stays failed.
    CMutableTransaction ok = f.Spend(COutPoint(cbs[0], 0), 1000);
    BlockValidationState state;
    BOOST_CHECK_MESSAGE(f.Process(f.MakeBlock(tip, {ok}, 1000), &state), state.ToString());
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 102);
}

BOOST_AUTO_TEST_CASE(block_checked_for_valid_and_invalid_blocks)
{
    struct Checked : ChainstateObserver {
        std::vector<std::pair<uint256, BlockValidationState>> verdicts;
        void BlockChecked(const std::shared_ptr<const CBlock>& block, const BlockValidationState& state) override
        {
            verdicts.emplace_back(block->GetHash(), state);
        }
    } obs;
    ChainFixture f;
    auto cbs = f.Generate(101);
    f.chainman->Signals().Register(&obs);
    const CBlockIndex* tip = f.chainman->ActiveTip();

    // Connected: one valid verdict.
    CBlock good = f.MakeBlock(tip, {});
    BOOST_REQUIRE(f.Process(good));
    BOOST_REQUIRE_EQUAL(obs.verdicts.size(), 1U);
    BOOST_CHECK(obs.verdicts[0].first == good.GetHash());
    BOOST_CHECK(obs.verdicts[0].second.IsValid());
    tip = f.chainman->ActiveTip();

    // Invalid in CheckBlock (bad merkle root) and in ConnectBlock (coinbase overpays).
    CBlock bad_merkle = f.MakeBlock(tip, {});
    bad_merkle.hash_merkle_root.data()[0] ^= 1;
    f.Mine(bad_merkle);
    BOOST_CHECK(!f.Process(bad_merkle));
    CBlock overpay = f.MakeBlock(tip, {}, 0, 1);
    BOOST_CHECK(!f.Process(overpay));
    BOOST_REQUIRE_EQUAL(obs.verdicts.size(), 3U);
    BOOST_CHECK(obs.verdicts[1].first == bad_merkle.GetHash());
    BOOST_CHECK_EQUAL(obs.verdicts[1].second.GetRejectReason(), "bad-txnmrklroot");
    BOOST_CHECK(obs.verdicts[2].first == overpay.GetHash());
    BOOST_CHECK_EQUAL(obs.verdicts[2].second.GetRejectReason(), "bad-cb-amount");
    BOOST_CHECK(obs.verdicts[2].second.IsInvalid());
    f.chainman->Signals().Unregister(&obs);
}

BOOST_AUTO_TEST_CASE(invalidate_and_reconsider)
{
    ChainFixture f;
    f.Generate(5);
    const CBlockIndex* tip = f.chainman->ActiveTip();
    CBlockIndex* h3 = f.AtHeight(3);
    BlockValidationState state;
    BOOST_REQUIRE(f.chainman->InvalidateBlock(state, h3));
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 2);
    // A new block on height 2 builds the new chain.
    f.Generate(1);
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 3);
    BOOST_CHECK(f.AtHeight(3) != h3);
    bool found_invalid = false;
    for (const auto& t : f.chainman->GetChainTips()) found_invalid |= t.status == "invalid" && t.index == tip;
    BOOST_CHECK(found_invalid);
    BOOST_REQUIRE(f.chainman->ReconsiderBlock(state, h3));
    BOOST_CHECK(f.chainman->ActiveTip() == tip); // more work again
}

BOOST_AUTO_TEST_CASE(parallel_script_checks_match_serial)
{
    // The same block with a bad signature among many inputs fails identically
    // with 0 and 3 worker threads.
    std::string reasons[2];
    int run = 0;
    for (int threads : {0, 3}) {
        ChainFixture f(threads);
        auto cbs = f.Generate(101);
        // One coinbase split into 40 outputs, then a block spending them all.
        CMutableTransaction split = f.Spend(COutPoint(cbs[0], 0), 1000, 40);
        BOOST_REQUIRE(f.Process(f.MakeBlock(f.chainman->ActiveTip(), {split}, 1000)));
        const uint256 split_id = CTransaction(split).GetTxid();
        std::vector<CMutableTransaction> spends;
        for (uint32_t i = 0; i < 40; ++i) spends.push_back(f.Spend(COutPoint(split_id, i), 100));
        spends[23].vin[0].witness.stack[0][5] ^= 0x80;
        BlockValidationState state;
        BOOST_CHECK(!f.Process(f.MakeBlock(f.chainman->ActiveTip(), spends, 4000), &state));
        reasons[run++] = state.GetRejectReason() + " " + state.GetDebugMessage();
    }
    BOOST_CHECK_EQUAL(reasons[0], reasons[1]);
    BOOST_CHECK(reasons[0].find("input 0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(long_connect_releases_the_lock_between_steps)
{
    // 50 blocks (the first 10 with a spend) whose headers come first and whose bodies arrive
    // last-first: each waits for its parent, so the first body makes one ActivateBestChain
    // connect all 50. After every step but the last, the test's hook lets a second thread
    // take the chain lock and read the tip before the next step may start.
    ChainFixture f;
    auto cbs = f.Generate(101);
    std::vector<CBlock> blocks;
    const CBlockIndex* prev = f.chainman->ActiveTip();
    for (int i = 0; i < 50; ++i) {
        std::vector<CMutableTransaction> txs;
        if (i < 10) txs.push_back(f.Spend(COutPoint(cbs[i], 0), 1000));
        blocks.push_back(f.MakeBlock(prev, txs, i < 10 ? 1000 : 0));
        BlockValidationState state;
        const CBlockIndex* last = nullptr;
        BOOST_REQUIRE(f.chainman->ProcessNewBlockHeaders({blocks.back().GetHeader()}, state, &last));
        prev = last;
    }
    for (int i = 49; i >= 1; --i) BOOST_REQUIRE(f.Process(blocks[i]));
    BOOST_REQUIRE_EQUAL(f.chainman->ActiveHeight(), 101);

    RecordingObserver obs;
    f.chainman->Signals().Register(&obs);
    Mutex m;
    std::condition_variable cv;
    int steps{0}, reads{0};
    bool done{false};
    std::vector<int> seen; // the tip height the second thread read, once per step
    f.chainman->SetActivateStepHookForTest([&] {
        UniqueLock<Mutex> lock(m);
        const int step = ++steps;
        cv.notify_all();
        cv.wait(lock, [&] { return reads >= step; });
    });
    std::thread reader([&] {
        UniqueLock<Mutex> lock(m);
        for (;;) {
            cv.wait(lock, [&] { return done || steps > reads; });
            if (steps == reads) return; // done, and every step was read
            lock.unlock();
            int height;
            {
                LOCK(f.chainman->Mutex()); // free between steps, although the connect goes on
                height = f.chainman->ActiveChain().Height();
            }
            lock.lock();
            seen.push_back(height);
            ++reads;
            cv.notify_all();
        }
    });
    const bool ok = f.Process(blocks[0]);
    {
        UniqueLock<Mutex> lock(m);
        done = true;
        cv.notify_all();
    }
    reader.join();
    f.chainman->SetActivateStepHookForTest(nullptr);
    f.chainman->Signals().Unregister(&obs);
    BOOST_REQUIRE(ok);
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 151);

    // The lock was taken by the other thread between the first and the last block, at every
    // step boundary: after each full step of MAX_BLOCKS_PER_STEP blocks.
    const int step_blocks = ChainstateManager::MAX_BLOCKS_PER_STEP;
    BOOST_REQUIRE_EQUAL(seen.size(), static_cast<size_t>((50 - 1) / step_blocks));
    for (size_t i = 0; i < seen.size(); ++i) BOOST_CHECK_EQUAL(seen[i], 101 + static_cast<int>(i + 1) * step_blocks);
    BOOST_CHECK_EQUAL(obs.connected, 50);
    BOOST_CHECK_EQUAL(obs.tip_updates, static_cast<int>(seen.size()) + 1); // one per step
    BOOST_CHECK_EQUAL(obs.reorgs, 0);

    // Same state as connecting in one go: -reindex-chainstate rebuilds the UTXO set from the
    // stored blocks with Load(), which connects the whole chain under one lock.
    const uint256 tip = f.chainman->ActiveTip()->GetBlockHash();
    auto stepped = f.UtxoSet();
    f.Start(1, false, true);
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == tip);
    BOOST_CHECK(f.UtxoSet() == stepped);
    BOOST_CHECK(!f.HaveCoin(COutPoint(cbs[0], 0)));
}

BOOST_AUTO_TEST_CASE(reorg_across_steps_notifies_once)
{
    // A 20-block fork replacing 3 blocks: the disconnections and the first connections are one
    // step (the lock is never released while the tip has less work than before), the rest
    // follow in steps; observers see one TransactionsDisconnected, and the result equals a
    // rebuild.
    ChainFixture f;
    auto cbs = f.Generate(101);
    const CBlockIndex* fork = f.chainman->ActiveTip();
    CMutableTransaction spend = f.Spend(COutPoint(cbs[0], 0), 1000);
    CBlock a1 = f.MakeBlock(fork, {spend}, 1000);
    BOOST_REQUIRE(f.Process(a1));
    f.Generate(2);
    RecordingObserver obs;
    f.chainman->Signals().Register(&obs);
    int steps = 0;
    f.chainman->SetActivateStepHookForTest([&] { ++steps; });
    std::vector<CBlock> fork_blocks;
    const CBlockIndex* prev = fork;
    for (int i = 0; i < 20; ++i) {
        fork_blocks.push_back(f.MakeBlock(prev, {}));
        BlockValidationState state;
        const CBlockIndex* last = nullptr;
        BOOST_REQUIRE(f.chainman->ProcessNewBlockHeaders({fork_blocks.back().GetHeader()}, state, &last));
        prev = last;
    }
    for (int i = 19; i >= 0; --i) BOOST_REQUIRE(f.Process(fork_blocks[i]));
    f.chainman->SetActivateStepHookForTest(nullptr);
    f.chainman->Signals().Unregister(&obs);
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 121);
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == fork_blocks.back().GetHash());
    BOOST_CHECK_GE(steps, 1);
    BOOST_CHECK_EQUAL(obs.disconnected, 3);
    BOOST_CHECK_EQUAL(obs.connected, 20);
    BOOST_CHECK_EQUAL(obs.reorgs, 1);
    BOOST_REQUIRE_EQUAL(obs.returned.size(), 1u);
    BOOST_CHECK(obs.returned[0]->GetTxid() == CTransaction(spend).GetTxid());
    BOOST_CHECK(f.HaveCoin(COutPoint(cbs[0], 0)));
    auto stepped = f.UtxoSet();
    f.Start(1, false, true);
    BOOST_CHECK(f.UtxoSet() == stepped);
}

BOOST_AUTO_TEST_CASE(headers_first_and_assumevalid)
{
    // A chain whose block 103 carries a bad signature, with two blocks on top. Its headers
    // are accepted first; then the bodies. Without -assumevalid the bad block is rejected;
    // with -assumevalid naming the last block, scripts of its ancestors are skipped.
    for (bool assume : {false, true}) {
        ChainFixture f;
        auto cbs = f.Generate(102);
        std::vector<CBlock> blocks;
        const CBlockIndex* prev = f.chainman->ActiveTip();
        for (int i = 0; i < 3; ++i) {
            std::vector<CMutableTransaction> txs;
            if (i == 0) {
                txs.push_back(f.Spend(COutPoint(cbs[0], 0), 1000));
                txs[0].vin[0].witness.stack[0][3] ^= 0x01;
            }
            blocks.push_back(f.MakeBlock(prev, txs, i == 0 ? 1000 : 0));
            BlockValidationState state;
            const CBlockIndex* last = nullptr;
            BOOST_REQUIRE(f.chainman->ProcessNewBlockHeaders({blocks.back().GetHeader()}, state, &last));
            BOOST_REQUIRE(last && last->GetBlockHash() == blocks.back().GetHash());
            prev = last;
        }
        BOOST_CHECK_EQUAL(f.chainman->BestHeader()->height, 105);
        BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 102);
        if (assume) {
            // Restart with the option; the header tree is persisted.
            f.chainman->FlushStateToDisk(FlushMode::ALWAYS);
            f.chainman.reset();
            ChainstateOptions opts;
            opts.datadir = f.dir.Path("regtest");
            opts.clock = &f.clock;
            opts.assumevalid = blocks.back().GetHash();
            f.chainman = std::make_unique<ChainstateManager>(*f.params, opts);
            std::string error;
            BOOST_REQUIRE_MESSAGE(f.chainman->Load(error), error);
            BOOST_CHECK_EQUAL(f.chainman->BestHeader()->height, 105);
        }
        bool all_ok = true;
        for (const CBlock& b : blocks) all_ok &= f.Process(b);
        BOOST_CHECK_EQUAL(all_ok, assume);
        BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), assume ? 105 : 102);
    }
}

BOOST_AUTO_TEST_CASE(killed_process_leaves_consistent_state)
{
    // A child process builds blocks and dies without any shutdown flush (as with
    // SIGKILL); the state on disk must load and equal a rebuild from the blocks.
    for (bool recent_tip : {true, false}) {
        TempDir dir("crash");
        const std::string datadir = dir.Path("regtest");
        auto params = CreateChainParams(ChainType::REGTEST);
        // recent_tip: not in initial download, so the block index is written per block
        // and the restart must replay blocks past the UTXO set's best block.
        const int64_t now = params->GenesisBlock().time + (recent_tip ? 120 * 60 + 100 : 10000000);
        pid_t pid = fork();
        BOOST_REQUIRE(pid >= 0);
        if (pid == 0) {
            int code = 1;
            try {
                ChainFixture f; // uses its own temp dir; copy the chain into ours below
                f.clock.SetMockTime(now);
                f.chainman.reset();
                ChainstateOptions opts;
                opts.datadir = datadir;
                opts.clock = &f.clock;
                f.chainman = std::make_unique<ChainstateManager>(*f.params, opts);
                std::string error;
                if (f.chainman->Load(error)) {
                    auto cbs = f.Generate(110);
                    for (int i = 0; i < 5; ++i) {
                        CMutableTransaction t = f.Spend(COutPoint(cbs[i], 0), 1000);
                        f.Process(f.MakeBlock(f.chainman->ActiveTip(), {t}, 1000));
                    }
                    code = f.chainman->ActiveHeight() == 115 ? 0 : 2;
                }
            } catch (...) {
                code = 3;
            }
            _exit(code); // no destructors: nothing gets flushed
        }
        int status = 0;
        waitpid(pid, &status, 0);
        BOOST_REQUIRE(WIFEXITED(status));
        BOOST_REQUIRE_EQUAL(WEXITSTATUS(status), 0);

        MockableClock clock;
        clock.SetMockTime(now);
        auto load = [&](bool reindex_chainstate) {
            ChainstateOptions opts;
            opts.datadir = datadir;
            opts.clock = &clock;
            opts.reindex_chainstate = reindex_chainstate;
            auto cm = std::make_unique<ChainstateManager>(*params, opts);
            std::string error;
            BOOST_REQUIRE_MESSAGE(cm->Load(error), error);
            return cm;
        };
        auto utxo = [](ChainstateManager& cm) {
            LOCK(cm.Mutex());
            cm.FlushStateToDisk(FlushMode::ALWAYS);
            std::map<COutPoint, Coin> out;
            for (auto c = cm.CoinsDB().Cursor(); c->Valid(); c->Next()) {
                COutPoint o;
                Coin coin;
                BOOST_REQUIRE(c->GetKey(o) && c->GetValue(coin));
                out[o] = coin;
            }
            return out;
        };
        int height = 0;
        std::map<COutPoint, Coin> after_crash;
        {
            auto cm = load(false);
            height = cm->ActiveHeight();
            after_crash = utxo(*cm);
            if (recent_tip) BOOST_CHECK_EQUAL(height, 115); // every block's index entry was durable
        }
        auto rebuilt = load(true);
        BOOST_CHECK_EQUAL(rebuilt->ActiveHeight(), height);
        BOOST_CHECK(utxo(*rebuilt) == after_crash);
    }
}

// ---- fatal errors: a disk or database failure stops validation and leaves a restartable state

namespace {
/** Starts f with `fault` armed and counts fatal-error handler calls. */
struct FatalRecorder {
    int calls{0};
    std::string message;
    void Attach(ChainstateManager& cm)
    {
        cm.SetFatalErrorHandler([this](const std::string& m) {
            ++calls;
            message = m;
        });
    }
};

/** Everything the node refuses after a fatal error reports state.Error(). */
void CheckRefusesEverything(ChainFixture& f)
{
    CBlock next = f.MakeBlock(f.chainman->ActiveTip(), {});
    BlockValidationState state;
    BOOST_CHECK(!f.Process(next, &state));
    BOOST_CHECK(state.IsError());
    BlockValidationState headers_state;
    BOOST_CHECK(!f.chainman->ProcessNewBlockHeaders({next.GetHeader()}, headers_state));
    BOOST_CHECK(headers_state.IsError());
    BOOST_CHECK(!f.Lookup(next.GetHash()));
    BlockValidationState activate_state;
    BOOST_CHECK(!f.chainman->ActivateBestChain(activate_state));
    BOOST_CHECK(activate_state.IsError());
}
} // namespace

BOOST_AUTO_TEST_CASE(fatal_block_write_latches_refuses_and_restarts)
{
    ChainFixture f;
    f.Generate(3);
    f.fault = "blockwrite";
    f.Start(); // start-up writes are never faulted
    FatalRecorder rec;
    rec.Attach(*f.chainman);
    BOOST_CHECK(!f.chainman->FatalErrorOccurred());
    CBlock b = f.MakeBlock(f.chainman->ActiveTip(), {});
    BlockValidationState state;
    BOOST_CHECK(!f.Process(b, &state));
    BOOST_CHECK(state.IsError());
    BOOST_CHECK(f.chainman->FatalErrorOccurred());
    BOOST_CHECK_EQUAL(rec.calls, 1);
    BOOST_CHECK(rec.message.find("injected fault -testfaultinject=blockwrite") != std::string::npos);
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 3);
    CheckRefusesEverything(f);
    BOOST_CHECK_EQUAL(rec.calls, 1); // later failures do not call the handler again
    // A handler installed after the fact still hears about it.
    FatalRecorder late;
    late.Attach(*f.chainman);
    BOOST_CHECK_EQUAL(late.calls, 1);

    f.fault.clear();
    f.Start();
    BOOST_CHECK(!f.chainman->FatalErrorOccurred());
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 3);
    BOOST_CHECK(f.Process(b)); // the block that could not be stored is simply new again
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 4);
}

BOOST_AUTO_TEST_CASE(fatal_undo_write_reconnects_at_restart)
{
    ChainFixture f;
    f.Generate(2);
    f.fault = "undowrite";
    f.Start();
    FatalRecorder rec;
    rec.Attach(*f.chainman);
    CBlock b = f.MakeBlock(f.chainman->ActiveTip(), {});
    BlockValidationState state;
    BOOST_CHECK(!f.Process(b, &state));
    BOOST_CHECK(state.IsError());
    BOOST_CHECK_EQUAL(rec.calls, 1);
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 2); // the tip never moved to a block without undo data
    CheckRefusesEverything(f);

    f.fault.clear();
    f.Start(); // the block was stored: it is connected now
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 3);
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == b.GetHash());
    auto utxo = f.UtxoSet();
    f.Start(1, false, /*reindex_chainstate=*/true);
    BOOST_CHECK(f.UtxoSet() == utxo);
}

BOOST_AUTO_TEST_CASE(fatal_coins_flush_keeps_database_at_previous_state)
{
    ChainFixture f;
    f.Generate(2);
    f.fault = "coinsflush";
    f.Start();
    FatalRecorder rec;
    rec.Attach(*f.chainman);
    f.Generate(2); // connected in memory; the periodic flush does not write the UTXO set yet
    BOOST_CHECK(!f.chainman->FatalErrorOccurred());
    const uint256 tip = f.chainman->ActiveTip()->GetBlockHash();
    BOOST_CHECK(!f.chainman->FlushStateToDisk(FlushMode::ALWAYS));
    BOOST_CHECK(f.chainman->FatalErrorOccurred());
    BOOST_CHECK_EQUAL(rec.calls, 1);
    BOOST_CHECK(rec.message.find("Failed to write the chain state") != std::string::npos);
    CheckRefusesEverything(f);

    f.fault.clear();
    f.Start(); // the database is still at height 2; the stored blocks are reconnected
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 4);
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == tip);
    auto utxo = f.UtxoSet();
    f.Start(1, false, /*reindex_chainstate=*/true);
    BOOST_CHECK(f.UtxoSet() == utxo);
}

BOOST_AUTO_TEST_CASE(fatal_low_disk_space_stops_before_writing)
{
    ChainFixture f;
    f.Generate(1);
    f.fault = "diskspace";
    f.Start();
    FatalRecorder rec;
    rec.Attach(*f.chainman);
    const uint64_t size_before = f.chainman->SizeOnDisk();
    CBlock b = f.MakeBlock(f.chainman->ActiveTip(), {});
    BlockValidationState state;
    BOOST_CHECK(!f.Process(b, &state));
    BOOST_CHECK_EQUAL(rec.calls, 1);
    BOOST_CHECK(rec.message.find("Disk space is too low!") != std::string::npos);
    BOOST_CHECK_EQUAL(f.chainman->SizeOnDisk(), size_before);
    BOOST_CHECK_EQUAL(f.chainman->ActiveHeight(), 1);
}

BOOST_AUTO_TEST_CASE(unknown_fault_point_and_corrupt_database_are_load_errors)
{
    ChainFixture f;
    f.Generate(1);
    f.chainman.reset();
    {
        ChainstateOptions opts;
        opts.datadir = f.dir.Path("regtest");
        opts.test_fault = "nonsense";
        ChainstateManager cm(*f.params, opts);
        std::string error;
        BOOST_CHECK(!cm.Load(error));
        BOOST_CHECK(error.find("Unknown -testfaultinject point") != std::string::npos);
    }
    {
        // A block index record that does not parse.
        DBWrapper db(DBOptions{f.dir.Path("regtest") + "/blocks/index"});
        db.Write(std::make_pair(uint8_t('b'), uint256::ONE), std::vector<uint8_t>{1, 2, 3}, true);
    }
    ChainstateOptions opts;
    opts.datadir = f.dir.Path("regtest");
    ChainstateManager cm(*f.params, opts);
    std::string error;
    BOOST_CHECK(!cm.Load(error));
    BOOST_CHECK_MESSAGE(error.find("-reindex") != std::string::npos, error);
}

namespace {

/** Signed spend of a coinbase output into [ownership output (10,000 units to f.spk) if asked,
 *  the ODA output of `payload`, change], leaving `fee`. */
CMutableTransaction OdaSpend(ChainFixture& f, const COutPoint& prevout, const oda::chain::Payload& payload, CAmount fee,
                             bool owner_output)
{
    std::optional<Coin> coin = WITH_LOCK(f.chainman->Mutex(), return f.chainman->CoinsTip().GetCoin(prevout));
    BOOST_REQUIRE(coin);
    CMutableTransaction tx;
    tx.vin.emplace_back(prevout);
    if (owner_output) tx.vout.emplace_back(10'000, f.spk);
    tx.vout.emplace_back(0, OdaOutputScript(oda::chain::EncodeOdaPayload(payload)));
    tx.vout.emplace_back(coin->out.value - fee - (owner_output ? 10'000 : 0), f.spk);
    std::string err;
    BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(tx, 0, {coin->out}, f.key, 0x00, &err), err);
    return tx;
}

/** Gives the block's coinbase the result payload of a block of `cu` compute units and no
 *  infers (doc/oda-protocol.md section 4), and mines it again. */
CBlock WithResult(ChainFixture& f, CBlock block, int64_t cu)
{
    const CTransaction& old = *block.vtx[0];
    CMutableTransaction cb;
    cb.version = old.version;
    cb.vin = old.vin;
    cb.vout = old.vout;
    cb.lock_time = old.lock_time;
    cb.vout.insert(cb.vout.begin() + 1, CTxOut(0, OdaOutputScript(oda::chain::EncodeOdaPayload(oda::chain::Result{cu, {}}))));
    block.vtx[0] = MakeTransactionRef(std::move(cb));
    block.hash_merkle_root = BlockMerkleRoot(block);
    f.Mine(block);
    return block;
}

std::optional<oda::chain::ModelRecord> TipModel(ChainFixture& f, const uint256& id)
{
    LOCK(f.chainman->Mutex());
    return f.chainman->RegistryTip().GetModel(id);
}

} // namespace

// The model registry (doc/oda-protocol.md section 2.5) through the node: blocks, an invalid
// block, invalidate/reconsider, a failed flush (as a crash between flushes) and rebuilds.
BOOST_AUTO_TEST_CASE(model_registry_follows_blocks_reorgs_and_failed_flushes)
{
    ChainFixture f;
    auto cbs = f.Generate(103);
    oda::chain::AddModel add = std::get<oda::chain::AddModel>(oda::test::ExamplePayloads()[0]);
    add.parents.clear();
    // Each ODA transaction here scores the example architecture on its declared samples; the
    // chainstate has no executor, so scores and result outputs are taken as claimed.
    oda::model::ArchitectureInfo info;
    std::string cost_error;
    BOOST_REQUIRE(oda::model::AnalyzeArchitecture(add.architecture, info, cost_error));
    const int64_t cu = int64_t(oda::model::ScoringCost(info, add.dataset_samples));
    CMutableTransaction add_tx = OdaSpend(f, COutPoint(cbs[0], 0), add, 1000, true);
    const uint256 id = CTransaction(add_tx).GetTxid();
    BlockValidationState state;
    BOOST_REQUIRE_MESSAGE(f.Process(WithResult(f, f.MakeBlock(f.chainman->ActiveTip(), {add_tx}, 1000), cu), &state), state.ToString());
    BOOST_REQUIRE(TipModel(f, id));
    BOOST_CHECK(TipModel(f, id)->owner == COutPoint(id, 0));

    oda::chain::UpdateWeights update{id, {oda::test::ExampleHash(0x55), 23}, 50, f.spk};
    CBlock b2 = WithResult(f, f.MakeBlock(f.chainman->ActiveTip(), {OdaSpend(f, COutPoint(cbs[1], 0), update, 1000, false)}, 1000), cu);
    BOOST_REQUIRE_MESSAGE(f.Process(b2, &state), state.ToString());
    BOOST_CHECK_EQUAL(TipModel(f, id)->version_count, 2U);

    // A block whose update does not improve is invalid with the rule's reason.
    oda::chain::UpdateWeights stale{id, {oda::test::ExampleHash(0x56), 23}, 50, f.spk};
    BlockValidationState bad;
    BOOST_CHECK(!f.Process(WithResult(f, f.MakeBlock(f.chainman->ActiveTip(), {OdaSpend(f, COutPoint(cbs[2], 0), stale, 1000, false)}, 1000), cu), &bad));
    BOOST_CHECK_EQUAL(bad.GetRejectReason(), "bad-oda-not-improving");
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == b2.GetHash());

    // Disconnect and reconnect b2 (its undo record carries the registry undo).
    CBlockIndex* index2 = WITH_LOCK(f.chainman->Mutex(), return f.chainman->LookupBlockIndex(b2.GetHash()));
    BOOST_REQUIRE(f.chainman->InvalidateBlock(state, index2));
    BOOST_CHECK_EQUAL(TipModel(f, id)->version_count, 1U);
    BOOST_CHECK_EQUAL(TipModel(f, id)->current_score, 42);
    BlockUndo undo;
    BOOST_REQUIRE(f.chainman->ReadUndo(index2, undo));
    BOOST_CHECK_EQUAL(undo.version, BlockUndo::CURRENT_VERSION);
    BOOST_CHECK_EQUAL(undo.registry.models.size(), 1U);
    BOOST_REQUIRE(f.chainman->ReconsiderBlock(state, index2));
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == b2.GetHash());
    BOOST_CHECK_EQUAL(TipModel(f, id)->current_score, 50);
    BOOST_REQUIRE(f.chainman->FlushStateToDisk(FlushMode::ALWAYS));

    // Block 3 is connected but its flush fails (the database stays at b2 for coins and
    // registry alike); the restart reconnects it.
    f.fault = "coinsflush";
    f.Start();
    oda::chain::UpdateWeights better{id, {oda::test::ExampleHash(0x57), 23}, 60, f.spk};
    CMutableTransaction better_tx = OdaSpend(f, COutPoint(cbs[2], 0), better, 1000, false);
    CBlock b3 = WithResult(f, f.MakeBlock(f.chainman->ActiveTip(), {better_tx}, 1000), cu);
    BOOST_REQUIRE_MESSAGE(f.Process(b3, &state), state.ToString());
    BOOST_CHECK(!f.chainman->FlushStateToDisk(FlushMode::ALWAYS));
    {
        LOCK(f.chainman->Mutex());
        BOOST_CHECK(f.chainman->CoinsDB().GetBestBlock() == b2.GetHash());
        BOOST_CHECK_EQUAL(f.chainman->RegistryDB().GetModel(id)->version_count, 2U);
    }
    f.fault.clear();
    f.Start();
    BOOST_CHECK(f.chainman->ActiveTip()->GetBlockHash() == b3.GetHash());
    const oda::chain::ModelRecord after = *TipModel(f, id);
    BOOST_CHECK_EQUAL(after.version_count, 3U);
    BOOST_CHECK_EQUAL(after.current_score, 60);
    BOOST_CHECK(WITH_LOCK(f.chainman->Mutex(), return f.chainman->CoinsTip().HaveCoin(COutPoint(CTransaction(better_tx).GetTxid(), 1))));

    // Rebuilt from the blocks: the same record.
    f.Start(1, false, /*reindex_chainstate=*/true);
    BOOST_CHECK(*TipModel(f, id) == after);
    f.Start(1, /*reindex=*/true);
    BOOST_CHECK(*TipModel(f, id) == after);
}

BOOST_AUTO_TEST_SUITE_END()
