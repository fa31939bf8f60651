// -txindex as an observer of the chainstate (node/txindex.h): the index kept only by
// BlockConnected / BlockDisconnected equals one rebuilt from the blocks of the active
// chain, and an index that was not running catches up at start, walking back a reorg.
#include <consensus/chainparams.h>
#include <node/txindex.h>
#include <node/validation.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <test/util/block_builder.h>
#include <test/util/tempdir.h>
#include <util/time.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>

using namespace node;

namespace {

struct TxIndexFixture {
    TempDir dir{"txindex"};
    std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    MockableClock clock;
    std::unique_ptr<ChainstateManager> chainman;
    std::unique_ptr<TxIndex> index;
    CKey key;
    ScriptBytes spk;
    uint32_t extra_nonce{0};

    TxIndexFixture()
    {
        key = *CKey::FromBytes(std::vector<uint8_t>(32, 0x17));
        spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
        clock.SetMockTime(params->GenesisBlock().time + 1000000);
        StartChain();
    }
    ~TxIndexFixture() { index.reset(); } // unregisters before the chainstate goes

    /** (Re)opens the chainstate, as a node restart does (the index must be stopped first). */
    void StartChain()
    {
        BOOST_REQUIRE(!index);
        chainman.reset();
        ChainstateOptions opts;
        opts.datadir = dir.Path("regtest");
        opts.dbcache_bytes = 16 << 20;
        opts.clock = &clock;
        chainman = std::make_unique<ChainstateManager>(*params, opts);
        std::string error;
        BOOST_REQUIRE_MESSAGE(chainman->Load(error), error);
    }

    std::unique_ptr<TxIndex> MakeIndex(const std::string& name = "txindex")
    {
        auto out = std::make_unique<TxIndex>(*chainman, DBOptions{dir.Path("regtest/indexes/" + name), 1 << 20, false});
        std::string error;
        BOOST_REQUIRE_MESSAGE(out->Start(error), error);
        return out;
    }

    CBlock MakeBlock(const CBlockIndex* prev, const std::vector<CMutableTransaction>& txs = {}, CAmount fees = 0)
    {
        return BuildTestBlock(prev, params->GetConsensus(), spk, ++extra_nonce, txs, fees);
    }
    const CBlockIndex* Process(const CBlock& block)
    {
        bool is_new = false;
        BlockValidationState state;
        BOOST_REQUIRE_MESSAGE(chainman->ProcessNewBlock(std::make_shared<const CBlock>(block), true, &is_new, &state),
                              state.ToString());
        LOCK(chainman->Mutex());
        return chainman->LookupBlockIndex(block.GetHash());
    }
    /** Extends the active tip by n blocks with only a coinbase; returns the coinbase txids. */
    std::vector<uint256> Generate(int n)
    {
        std::vector<uint256> coinbases;
        for (int i = 0; i < n; ++i) {
            const CBlock block = MakeBlock(chainman->ActiveTip());
            Process(block);
            coinbases.push_back(block.vtx[0]->GetTxid());
        }
        return coinbases;
    }

    /** A signed spend of output 0 of a (mature) coinbase, paying `fee`. */
    CMutableTransaction Spend(const uint256& coinbase, CAmount fee)
    {
        const COutPoint prevout(coinbase, 0);
        std::optional<Coin> coin;
        {
            LOCK(chainman->Mutex());
            coin = chainman->CoinsTip().GetCoin(prevout);
        }
        BOOST_REQUIRE(coin);
        CMutableTransaction tx;
        tx.vin.emplace_back(prevout);
        tx.vout.emplace_back(coin->out.value - fee, spk);
        std::string err;
        BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(tx, 0, {coin->out}, key, 0x00, &err), err);
        return tx;
    }

    /** The index as it should be: every transaction of the active chain, read from the blocks. */
    std::map<uint256, TxIndexEntry> RebuiltFromBlocks()
    {
        std::map<uint256, TxIndexEntry> out;
        LOCK(chainman->Mutex());
        const CChain& chain = chainman->ActiveChain();
        for (int h = 0; h <= chain.Height(); ++h) {
            CBlock block;
            BOOST_REQUIRE(chainman->ReadBlock(chain[h], block));
            for (uint32_t i = 0; i < block.vtx.size(); ++i) {
                out[block.vtx[i]->GetTxid()] =
                    TxIndexEntry{chain[h]->GetBlockHash(), FlatFilePos(chain[h]->file, chain[h]->data_pos), i};
            }
        }
        return out;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(txindex_tests)

BOOST_AUTO_TEST_CASE(events_alone_match_a_rebuild_after_a_reorg)
{
    TxIndexFixture f;
    f.index = f.MakeIndex();
    BOOST_CHECK(f.chainman->Signals().IsRegistered(f.index.get()));
    const std::vector<uint256> coinbases = f.Generate(101);
    const CBlockIndex* fork = f.chainman->ActiveTip();

    // Branch A: a spend, then one more block. Branch B: a different spend, one block longer.
    const CMutableTransaction spend_a = f.Spend(coinbases[0], 500);
    const CBlock a1 = f.MakeBlock(fork, {spend_a}, 500);
    f.Process(a1);
    f.Process(f.MakeBlock(f.chainman->ActiveTip()));
    f.chainman->Signals().SyncWithQueue();
    BOOST_CHECK(f.index->Find(CTransaction(spend_a).GetTxid()));
    BOOST_CHECK(f.index->Entries() == f.RebuiltFromBlocks());

    const CMutableTransaction spend_b = f.Spend(coinbases[1], 700);
    const CBlockIndex* b = f.Process(f.MakeBlock(fork, {spend_b}, 700));
    b = f.Process(f.MakeBlock(b));
    b = f.Process(f.MakeBlock(b));
    BOOST_REQUIRE(f.chainman->ActiveTip() == b); // the reorg happened
    f.chainman->Signals().SyncWithQueue();

    BOOST_CHECK(f.index->BestBlock() == b->GetBlockHash());
    const auto entries = f.index->Entries();
    BOOST_CHECK_EQUAL(entries.size(), 106U); // coinbases of genesis, 101 blocks and b1..b3, + spend_b
    BOOST_CHECK(entries == f.RebuiltFromBlocks());
    BOOST_CHECK(!f.index->Find(CTransaction(spend_a).GetTxid())); // only in the stale branch
    BOOST_CHECK(!f.index->Find(a1.vtx[0]->GetTxid()));
    auto found = f.index->Find(CTransaction(spend_b).GetTxid());
    BOOST_REQUIRE(found);
    BOOST_CHECK(found->block_hash == b->pprev->pprev->GetBlockHash());
    BOOST_CHECK_EQUAL(found->tx_number, 1U);

    // An index built from nothing at start (catch-up only) is the same.
    auto fresh = f.MakeIndex("fresh");
    BOOST_CHECK(fresh->Entries() == entries);
    BOOST_CHECK(fresh->BestBlock() == b->GetBlockHash());
}

BOOST_AUTO_TEST_CASE(lagging_index_catches_up_at_restart)
{
    TxIndexFixture f;
    f.index = f.MakeIndex();
    f.Generate(5);
    f.index.reset(); // stops: delivers the queued blocks, then unregisters
    const uint256 indexed = f.chainman->ActiveTip()->GetBlockHash();

    // Seven blocks while the node runs without -txindex, then a restart with it.
    std::vector<uint256> unindexed;
    for (int i = 0; i < 7; ++i) unindexed.push_back(f.Process(f.MakeBlock(f.chainman->ActiveTip()))->GetBlockHash());
    f.StartChain();
    auto reopened = std::make_unique<TxIndex>(*f.chainman, DBOptions{f.dir.Path("regtest/indexes/txindex"), 1 << 20, false});
    BOOST_CHECK(reopened->BestBlock() == indexed); // the best block was stored with the entries
    reopened.reset();

    f.index = f.MakeIndex();
    BOOST_CHECK(f.index->BestBlock() == f.chainman->ActiveTip()->GetBlockHash());
    BOOST_CHECK(f.index->Entries() == f.RebuiltFromBlocks());
    for (const uint256& hash : unindexed) {
        CBlock block;
        {
            LOCK(f.chainman->Mutex());
            BOOST_REQUIRE(f.chainman->ReadBlock(f.chainman->LookupBlockIndex(hash), block));
        }
        auto entry = f.index->Find(block.vtx[0]->GetTxid());
        BOOST_REQUIRE(entry);
        BOOST_CHECK(entry->block_hash == hash);
    }
    // And it follows the chain again.
    const CBlock next = f.MakeBlock(f.chainman->ActiveTip());
    f.Process(next);
    f.chainman->Signals().SyncWithQueue();
    BOOST_CHECK(f.index->Find(next.vtx[0]->GetTxid()));
}

BOOST_AUTO_TEST_CASE(reorg_while_stopped_is_walked_back_at_start)
{
    TxIndexFixture f;
    f.index = f.MakeIndex();
    f.Generate(3);
    const CBlockIndex* fork = f.chainman->ActiveTip();
    const CBlock a1 = f.MakeBlock(fork);
    const CBlockIndex* a = f.Process(a1);
    const CBlock a2 = f.MakeBlock(a);
    f.Process(a2);
    f.index.reset(); // indexed up to a2

    // Without the index: a longer branch from the fork replaces a1, a2.
    const CBlockIndex* b = fork;
    for (int i = 0; i < 3; ++i) b = f.Process(f.MakeBlock(b));
    BOOST_REQUIRE(f.chainman->ActiveTip() == b);
    const uint256 tip = b->GetBlockHash();
    f.StartChain();

    f.index = f.MakeIndex();
    BOOST_CHECK(f.index->BestBlock() == tip);
    BOOST_CHECK(!f.index->Find(a1.vtx[0]->GetTxid()));
    BOOST_CHECK(!f.index->Find(a2.vtx[0]->GetTxid()));
    BOOST_CHECK(f.index->Entries() == f.RebuiltFromBlocks());
}

BOOST_AUTO_TEST_SUITE_END()
