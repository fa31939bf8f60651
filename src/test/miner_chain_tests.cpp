// Mempool + miner on a real regtest chainstate: blocks mined by GenerateBlocks,
// transactions accepted through AcceptToMemoryPool, templates with fees and
// witness commitment, confirmed transactions leaving the pool, and a reorg
// (InvalidateBlock) putting them back.
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <node/mempool_accept.h>
#include <node/mempool_persist.h>
#include <node/mempool_sync.h>
#include <node/miner.h>
#include <node/validation.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <test/util/tempdir.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <fstream>

namespace {

struct MinerChainFixture {
    TempDir dir{"miner"};
    std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    MockableClock clock;
    std::unique_ptr<node::ChainstateManager> chainman;
    std::unique_ptr<CTxMemPool> pool;
    std::unique_ptr<MempoolChainSync> sync;
    CKey key;
    ScriptBytes spk;

    MinerChainFixture()
    {
        key = *CKey::FromBytes(std::vector<uint8_t>(32, 0x24));
        spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
        clock.SetMockTime(params->GenesisBlock().time + 100000);
        node::ChainstateOptions opts;
        opts.datadir = dir.Path("regtest");
        opts.dbcache_bytes = 16 << 20;
        opts.clock = &clock;
        chainman = std::make_unique<node::ChainstateManager>(*params, opts);
        std::string error;
        BOOST_REQUIRE_MESSAGE(chainman->Load(error), error);
        MemPoolOptions mopts;
        mopts.clock = [this] { return clock.Now(); };
        pool = std::make_unique<CTxMemPool>(mopts);
        sync = std::make_unique<MempoolChainSync>(*chainman, *pool);
        chainman->Signals().Register(sync.get());
    }
    ~MinerChainFixture() { chainman->Signals().Unregister(sync.get()); }

    std::vector<uint256> Generate(int n)
    {
        std::string error;
        // Blocks one minute apart so that median time past moves.
        std::vector<uint256> hashes;
        for (int i = 0; i < n; ++i) {
            clock.SetMockTime(clock.Now() + 60);
            auto h = GenerateBlocks(*chainman, pool.get(), spk, 1, 1000000, error);
            BOOST_REQUIRE_MESSAGE(h.size() == 1, error);
            hashes.push_back(h[0]);
        }
        return hashes;
    }

    CTransactionRef Spend(const COutPoint& prevout, CAmount value, CAmount fee)
    {
        CMutableTransaction mtx;
        mtx.vin.emplace_back(prevout);
        mtx.vout.emplace_back(value - fee, spk);
        std::string error;
        BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(mtx, 0, {CTxOut(value, spk)}, key, 0x00, &error), error);
        return MakeTransactionRef(std::move(mtx));
    }

    CTransactionRef CoinbaseAt(int height)
    {
        CBlock block;
        const node::CBlockIndex* index = WITH_LOCK(chainman->Mutex(), return chainman->ActiveChain()[height]);
        BOOST_REQUIRE(chainman->ReadBlock(index, block));
        return block.vtx[0];
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(miner_chain_tests, MinerChainFixture)

BOOST_AUTO_TEST_CASE(mine_accept_template_confirm_reorg)
{
    Generate(101);
    BOOST_CHECK_EQUAL(chainman->ActiveHeight(), 101);
    const CAmount subsidy = GetBlockSubsidy(1, params->GetConsensus());

    // In block 102, block 1 and 2 coinbases are mature (100+ confirmations); block 3's is not.
    CTransactionRef cb1 = CoinbaseAt(1);
    auto parent = Spend(COutPoint(cb1->GetTxid(), 0), subsidy, 1000);
    auto r = AcceptToMemoryPool(*chainman, *pool, parent, false);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.state.ToString());
    auto child = Spend(COutPoint(parent->GetTxid(), 0), subsidy - 1000, 50000);
    r = AcceptToMemoryPool(*chainman, *pool, child, false);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.state.ToString());
    CTransactionRef cb3 = CoinbaseAt(3);
    r = AcceptToMemoryPool(*chainman, *pool, Spend(COutPoint(cb3->GetTxid(), 0), subsidy, 1000), false);
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "bad-txns-premature-spend-of-coinbase");

    // The template takes the package, parent first, and pays subsidy + fees.
    std::string error;
    BlockAssembler assembler(*chainman, pool.get());
    auto tmpl = assembler.CreateNewBlock(spk, error);
    BOOST_REQUIRE_MESSAGE(tmpl, error);
    BOOST_REQUIRE_EQUAL(tmpl->block.vtx.size(), 3U);
    BOOST_CHECK(tmpl->block.vtx[1]->GetTxid() == parent->GetTxid());
    BOOST_CHECK(tmpl->block.vtx[2]->GetTxid() == child->GetTxid());
    BOOST_CHECK_EQUAL(tmpl->total_fees, 51000);
    BOOST_CHECK_EQUAL(tmpl->coinbase_value, GetBlockSubsidy(102, params->GetConsensus()) + 51000);
    BOOST_CHECK_EQUAL(tmpl->height, 102);
    BOOST_REQUIRE_EQUAL(tmpl->tx_depends[1].size(), 1U);
    BOOST_CHECK_EQUAL(tmpl->tx_depends[1][0], 1U);
    BOOST_CHECK(GetWitnessCommitmentIndex(tmpl->block) >= 0);
    BOOST_CHECK(tmpl->block.time > uint32_t(tmpl->median_time_past));

    // Mining it confirms both and empties the pool.
    auto hashes = Generate(1);
    BOOST_CHECK_EQUAL(pool->Size(), 0U);
    CBlock mined;
    BOOST_REQUIRE(chainman->ReadBlock(chainman->ActiveTip(), mined));
    BOOST_CHECK_EQUAL(mined.vtx.size(), 3U);
    r = AcceptToMemoryPool(*chainman, *pool, child, true);
    BOOST_CHECK(!r.IsValid()); // input spent, output confirmed
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "txn-already-known");

    // Disconnecting the block returns both transactions to the pool, linked.
    BlockValidationState state;
    BOOST_REQUIRE(chainman->InvalidateBlock(state, WITH_LOCK(chainman->Mutex(), return chainman->LookupBlockIndex(hashes[0]))));
    BOOST_CHECK_EQUAL(chainman->ActiveHeight(), 101);
    BOOST_CHECK(pool->Exists(parent->GetTxid()));
    BOOST_CHECK(pool->Exists(child->GetTxid()));
    BOOST_CHECK_EQUAL(pool->GetEntry(child->GetTxid())->GetCountWithAncestors(), 2U);
    pool->Check();
}

BOOST_AUTO_TEST_CASE(conflicting_block_evicts_pool_spend)
{
    Generate(101);
    const CAmount subsidy = GetBlockSubsidy(1, params->GetConsensus());
    CTransactionRef cb1 = CoinbaseAt(1);
    auto in_pool = Spend(COutPoint(cb1->GetTxid(), 0), subsidy, 1000);
    BOOST_REQUIRE(AcceptToMemoryPool(*chainman, *pool, in_pool, false).IsValid());
    auto in_block = Spend(COutPoint(cb1->GetTxid(), 0), subsidy, 2000); // double spend
    std::string error;
    clock.SetMockTime(clock.Now() + 60);
    auto hashes = GenerateBlocks(*chainman, pool.get(), spk, 1, 1000000, error, std::vector<CTransactionRef>{in_block});
    BOOST_REQUIRE_MESSAGE(hashes.size() == 1, error);
    BOOST_CHECK(!pool->Exists(in_pool->GetTxid()));
    BOOST_CHECK_EQUAL(pool->Size(), 0U);
}

BOOST_AUTO_TEST_CASE(no_mempool_acceptance_after_fatal_error)
{
    Generate(101);
    const CAmount subsidy = GetBlockSubsidy(1, params->GetConsensus());
    auto tx = Spend(COutPoint(CoinbaseAt(1)->GetTxid(), 0), subsidy, 1000);
    BOOST_REQUIRE(AcceptToMemoryPool(*chainman, *pool, tx, /*test_accept=*/true).IsValid());
    chainman->FatalError("simulated disk failure");
    auto r = AcceptToMemoryPool(*chainman, *pool, tx, false);
    BOOST_CHECK(!r.IsValid());
    BOOST_CHECK(r.state.IsError()); // refused, not judged invalid
    BOOST_CHECK_EQUAL(pool->Size(), 0U);
    std::string error;
    BOOST_CHECK(GenerateBlocks(*chainman, pool.get(), spk, 1, 1000000, error).empty());
}

BOOST_AUTO_TEST_CASE(extra_nonce_and_grinding)
{
    Generate(1);
    std::string error;
    BlockAssembler assembler(*chainman, pool.get());
    auto tmpl = assembler.CreateNewBlock(spk, error);
    BOOST_REQUIRE(tmpl);
    const uint256 root = tmpl->block.hash_merkle_root;
    IncrementExtraNonce(tmpl->block, tmpl->height, 7);
    BOOST_CHECK(tmpl->block.hash_merkle_root != root);
    BOOST_CHECK(tmpl->block.hash_merkle_root == BlockMerkleRoot(tmpl->block));
    BOOST_CHECK(tmpl->block.vtx[0]->vin[0].script_sig == CoinbaseScriptSig(tmpl->height, 7));
    uint64_t tries = 0;
    BOOST_CHECK(!GrindNonce(tmpl->block, params->GetConsensus(), tries)); // no tries, no block
    tries = 1000000;
    BOOST_REQUIRE(GrindNonce(tmpl->block, params->GetConsensus(), tries));
    BOOST_CHECK(CheckProofOfWork(tmpl->block.GetHash(), tmpl->block.bits, params->GetConsensus()));
    BlockValidationState state;
    bool is_new = false;
    BOOST_CHECK_MESSAGE(chainman->ProcessNewBlock(std::make_shared<const CBlock>(tmpl->block), true, &is_new, &state),
                        state.ToString());
    BOOST_CHECK_EQUAL(chainman->ActiveHeight(), 2);
}

BOOST_AUTO_TEST_CASE(mempool_dat_round_trip)
{
    Generate(101);
    const CAmount subsidy = GetBlockSubsidy(1, params->GetConsensus());
    auto parent = Spend(COutPoint(CoinbaseAt(1)->GetTxid(), 0), subsidy, 1000);
    BOOST_REQUIRE(AcceptToMemoryPool(*chainman, *pool, parent, false).IsValid());
    clock.SetMockTime(clock.Now() + 5);
    auto child = Spend(COutPoint(parent->GetTxid(), 0), subsidy - 1000, 1000);
    BOOST_REQUIRE(AcceptToMemoryPool(*chainman, *pool, child, false).IsValid());
    const int64_t child_time = pool->GetEntry(child->GetTxid())->GetTime();

    const std::filesystem::path path = dir.Path("mempool.dat");
    std::string error;
    BOOST_REQUIRE_MESSAGE(DumpMempool(*pool, path, error), error);

    CTxMemPool fresh(pool->Options());
    MempoolLoadStats stats;
    BOOST_REQUIRE_MESSAGE(LoadMempool(*chainman, fresh, path, stats, error), error);
    BOOST_CHECK_EQUAL(stats.read, 2U);
    BOOST_CHECK_EQUAL(stats.accepted, 2U);
    BOOST_CHECK(fresh.Exists(parent->GetTxid()));
    BOOST_CHECK(fresh.Exists(child->GetTxid()));
    BOOST_CHECK_EQUAL(fresh.GetEntry(child->GetTxid())->GetTime(), child_time);
    fresh.Check();

    // Loading again: everything is already there, nothing is accepted twice.
    stats = {};
    BOOST_REQUIRE(LoadMempool(*chainman, fresh, path, stats, error));
    BOOST_CHECK_EQUAL(stats.failed, 2U);

    // A corrupt file is reported, not fatal.
    {
        std::ofstream f(dir.Path("bad.dat"), std::ios::binary);
        f << "garbage";
    }
    stats = {};
    CTxMemPool other(pool->Options());
    BOOST_CHECK(!LoadMempool(*chainman, other, dir.Path("bad.dat"), stats, error));
    BOOST_CHECK(!error.empty());
    BOOST_CHECK_EQUAL(other.Size(), 0U);
    // A missing file is simply an empty pool.
    BOOST_CHECK(LoadMempool(*chainman, other, dir.Path("none.dat"), stats, error));
}

BOOST_AUTO_TEST_SUITE_END()
