// node::MakeChain (the node's interfaces::Chain) on a real regtest chainstate and mempool:
// tip and block lookup, ScanBlocks, the median fee rate against a computation from the
// transactions' known fees, broadcast with the mempool's reject reasons, UTXO lookup,
// notifications (catch-up, delivery, disconnect), and a wallet driven only through it (fee
// estimate, payments pending then confirmed, a refused send with the mempool's reason, catch-up
// after a reload).
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <interfaces/chain.h>
#include <node/chain_interface.h>
#include <node/context.h>
#include <node/fee_stats.h>
#include <node/mempool.h>
#include <node/mempool_sync.h>
#include <node/miner.h>
#include <node/validation.h>
#include <script/address.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <test/util/tempdir.h>
#include <util/time.h>
#include <wallet/wallet.h>

#include <util/sync.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <mutex>

namespace {

struct ChainInterfaceFixture {
    TempDir dir{"chain_interface"};
    std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    MockableClock clock;
    NodeContext node;
    std::unique_ptr<MempoolChainSync> sync;
    std::unique_ptr<interfaces::Chain> chain;
    CKey key;
    ScriptBytes spk;

    ChainInterfaceFixture()
    {
        key = *CKey::FromBytes(std::vector<uint8_t>(32, 0x35));
        spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
        clock.SetMockTime(params->GenesisBlock().time + 100000);
        node::ChainstateOptions opts;
        opts.datadir = dir.Path("regtest");
        opts.dbcache_bytes = 16 << 20;
        opts.clock = &clock;
        node.chainman = std::make_shared<node::ChainstateManager>(*params, opts);
        std::string error;
        BOOST_REQUIRE_MESSAGE(node.chainman->Load(error), error);
        MemPoolOptions mopts;
        mopts.clock = [this] { return clock.Now(); };
        mopts.signals = &node.chainman->Signals();
        node.mempool = std::make_shared<CTxMemPool>(mopts);
        sync = std::make_unique<MempoolChainSync>(*node.chainman, *node.mempool);
        node.chainman->Signals().Register(sync.get());
        chain = node::MakeChain(node);
    }
    ~ChainInterfaceFixture() { node.chainman->Signals().Unregister(sync.get()); }

    std::vector<uint256> Generate(int n)
    {
        std::vector<uint256> hashes;
        for (int i = 0; i < n; ++i) {
            clock.SetMockTime(clock.Now() + 60);
            std::string error;
            auto h = GenerateBlocks(*node.chainman, node.mempool.get(), spk, 1, 1000000, error);
            BOOST_REQUIRE_MESSAGE(h.size() == 1, error);
            hashes.push_back(h[0]);
        }
        return hashes;
    }

    CTransactionRef CoinbaseAt(int height)
    {
        CBlock block;
        BOOST_REQUIRE(node.chainman->ReadBlock(WITH_LOCK(node.chainman->Mutex(), return node.chainman->ActiveChain()[height]), block));
        return block.vtx[0];
    }

    /** Spends output 0 of the coinbase at `height` to our key, paying `fee`. */
    CTransactionRef SpendCoinbase(int height, CAmount fee)
    {
        const CTransactionRef cb = CoinbaseAt(height);
        const CAmount value = cb->vout[0].value;
        CMutableTransaction mtx;
        mtx.vin.emplace_back(COutPoint(cb->GetTxid(), 0));
        mtx.vout.emplace_back(value - fee, spk);
        std::string error;
        BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(mtx, 0, {CTxOut(value, spk)}, key, 0x00, &error), error);
        return MakeTransactionRef(std::move(mtx));
    }
};

/** fee * 1000 / vsize, vsize = ceil(weight / 4): the rate of one transaction by definition. */
CAmount RateOf(const CTransaction& tx, CAmount fee)
{
    const int64_t vsize = (GetTransactionWeight(tx) + 3) / 4;
    return fee * 1000 / vsize;
}

CAmount Median(std::vector<CAmount> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/** Records what the chain delivers. */
struct Recorder : interfaces::Chain::Notifications {
    std::mutex m;
    std::vector<std::pair<char, interfaces::BlockInfo>> blocks; //!< ('+' connected / '-' disconnected, info)
    std::vector<uint256> mempool_txids;
    void BlockConnected(const std::shared_ptr<const CBlock>& block, const interfaces::BlockInfo& info) override
    {
        std::lock_guard<std::mutex> lock(m);
        blocks.emplace_back('+', info);
    }
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const interfaces::BlockInfo& info) override
    {
        std::lock_guard<std::mutex> lock(m);
        blocks.emplace_back('-', info);
    }
    void TransactionAddedToMempool(const CTransactionRef& tx) override
    {
        std::lock_guard<std::mutex> lock(m);
        mempool_txids.push_back(tx->GetTxid());
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(chain_interface_tests, ChainInterfaceFixture)

BOOST_AUTO_TEST_CASE(tip_lookup_and_scan)
{
    BOOST_CHECK_EQUAL(chain->GetHeight(), 0);
    BOOST_REQUIRE(chain->GetTip());
    BOOST_CHECK(chain->GetTip()->hash == params->GenesisBlock().GetHash());
    BOOST_CHECK(chain->GetTip()->prev_hash.IsNull());

    const auto hashes = Generate(3);
    BOOST_CHECK_EQUAL(chain->GetHeight(), 3);
    const auto tip = chain->GetTip();
    BOOST_REQUIRE(tip);
    BOOST_CHECK(tip->hash == hashes[2]);
    BOOST_CHECK_EQUAL(tip->height, 3);
    BOOST_CHECK(tip->prev_hash == hashes[1]);
    BOOST_CHECK_EQUAL(tip->time, node.chainman->ActiveTip()->GetBlockTime());

    const auto second = chain->FindActiveBlock(hashes[1]);
    BOOST_REQUIRE(second);
    BOOST_CHECK_EQUAL(second->height, 2);
    BOOST_CHECK(second->prev_hash == hashes[0]);
    BOOST_CHECK(!chain->FindActiveBlock(uint256::FromHex(std::string(64, '7')).value()));

    // Heights whose block time reaches a bound (blocks are 60 s apart).
    const int64_t t2 = second->time;
    BOOST_CHECK_EQUAL(chain->FindFirstBlockWithTimeAtLeast(t2).value_or(-1), 2);
    BOOST_CHECK_EQUAL(chain->FindFirstBlockWithTimeAtLeast(t2 - 1).value_or(-1), 2);
    BOOST_CHECK_EQUAL(chain->FindFirstBlockWithTimeAtLeast(0).value_or(-1), 0);
    BOOST_CHECK(!chain->FindFirstBlockWithTimeAtLeast(tip->time + 1));

    // ScanBlocks: heights in order, the stored blocks, clamped range.
    std::vector<int> heights;
    std::string error;
    auto range = chain->ScanBlocks(1, -1, [&](const CBlock& block, const interfaces::BlockInfo& info) {
        heights.push_back(info.height);
        BOOST_CHECK(block.GetHash() == info.hash);
        BOOST_CHECK(info.hash == hashes[info.height - 1]);
    }, &error);
    BOOST_REQUIRE_MESSAGE(range, error);
    BOOST_CHECK_EQUAL(range->first, 1);
    BOOST_CHECK_EQUAL(range->second, 3);
    BOOST_CHECK((heights == std::vector<int>{1, 2, 3}));
    heights.clear();
    range = chain->ScanBlocks(-5, 1, [&](const CBlock&, const interfaces::BlockInfo& info) { heights.push_back(info.height); }, &error);
    BOOST_REQUIRE(range);
    BOOST_CHECK_EQUAL(range->first, 0);
    BOOST_CHECK_EQUAL(range->second, 1);
    BOOST_CHECK((heights == std::vector<int>{0, 1}));
    heights.clear();
    range = chain->ScanBlocks(7, -1, [&](const CBlock&, const interfaces::BlockInfo& info) { heights.push_back(info.height); }, &error);
    BOOST_REQUIRE(range);
    BOOST_CHECK(heights.empty());
}

BOOST_AUTO_TEST_CASE(median_fee_rate_from_block_and_undo_data)
{
    Generate(105);
    // Blocks without fee-paying transactions give no statistic.
    BOOST_CHECK(!chain->MedianFeeRate(6));

    // Block 106: three spends, block 107: two, with distinct fees.
    std::vector<CAmount> rates_106, rates_all;
    const std::vector<CAmount> fees_106{1000, 5000, 20000}, fees_107{3000, 70000};
    for (size_t i = 0; i < fees_106.size(); ++i) {
        auto tx = SpendCoinbase(1 + int(i), fees_106[i]);
        std::string reason;
        BOOST_REQUIRE_MESSAGE(chain->BroadcastTransaction(tx, &reason), reason);
        rates_106.push_back(RateOf(*tx, fees_106[i]));
    }
    Generate(1);
    std::vector<CAmount> rates_107;
    for (size_t i = 0; i < fees_107.size(); ++i) {
        auto tx = SpendCoinbase(4 + int(i), fees_107[i]);
        std::string reason;
        BOOST_REQUIRE_MESSAGE(chain->BroadcastTransaction(tx, &reason), reason);
        rates_107.push_back(RateOf(*tx, fees_107[i]));
    }
    Generate(1);
    rates_all = rates_106;
    rates_all.insert(rates_all.end(), rates_107.begin(), rates_107.end());

    BOOST_CHECK_EQUAL(chain->MedianFeeRate(1).value_or(-1), Median(rates_107));
    BOOST_CHECK_EQUAL(chain->MedianFeeRate(2).value_or(-1), Median(rates_all));
    BOOST_CHECK_EQUAL(chain->MedianFeeRate(6).value_or(-1), Median(rates_all));
    // The per-block rates in block order, straight from the block and its undo record.
    CBlock block;
    node::BlockUndo undo;
    const node::CBlockIndex* idx = WITH_LOCK(node.chainman->Mutex(), return node.chainman->ActiveChain()[106]);
    BOOST_REQUIRE(node.chainman->ReadBlock(idx, block));
    BOOST_REQUIRE(node.chainman->ReadUndo(idx, undo));
    std::vector<CAmount> expected;
    for (size_t t = 1; t < block.vtx.size(); ++t) {
        for (size_t i = 0; i < fees_106.size(); ++i) {
            if (block.vtx[t]->GetTxid() == SpendCoinbase(1 + int(i), fees_106[i])->GetTxid()) expected.push_back(rates_106[i]);
        }
    }
    BOOST_CHECK(node::BlockFeeRates(block, undo) == expected);
    // An ODA transaction's fee pays for its compute units, not its bytes: it is left out.
    {
        BOOST_REQUIRE(block.vtx.size() > 1);
        CBlock with_oda = block;
        const CTransaction& first = *with_oda.vtx[1];
        CMutableTransaction oda_tx;
        oda_tx.version = first.version;
        oda_tx.vin = first.vin;
        oda_tx.vout = first.vout;
        oda_tx.lock_time = first.lock_time;
        oda_tx.vout.emplace_back(0, ScriptBytes{0x6a, 0x04, 'O', 'D', 'A', '1', 0x01, 0x06});
        with_oda.vtx[1] = MakeTransactionRef(std::move(oda_tx));
        std::vector<CAmount> without_first(expected.begin() + 1, expected.end());
        BOOST_CHECK(node::BlockFeeRates(with_oda, undo) == without_first);
    }
    // A mismatched undo record gives nothing rather than wrong numbers.
    undo.txs.pop_back();
    BOOST_CHECK(node::BlockFeeRates(block, undo).empty());

    // The wallet's default fee rate is that median (above the relay minimum).
    TempDir wdir{"chain_interface_wallet"};
    CWallet::Options o;
    o.keypool = 2;
    auto w = CWallet::Create("w", wdir.Path("wallet.dat"), false, params->Bech32HRP(), o);
    std::shared_ptr<interfaces::Chain> shared = node::MakeChain(node);
    w->AttachChain(shared, 20000);
    BOOST_CHECK_EQUAL(w->EstimateFeeRate(), std::max<CAmount>(Median(rates_all), chain->MempoolMinFeeRate()));
    BOOST_CHECK_EQUAL(w->TipHeight(), 107);
    w->DetachChain();
}

BOOST_AUTO_TEST_CASE(broadcast_reports_the_reject_reason)
{
    Generate(101);
    BOOST_CHECK_GE(chain->MempoolMinFeeRate(), 1000);
    auto tx = SpendCoinbase(1, 2000);
    std::string reason;
    BOOST_CHECK(chain->BroadcastTransaction(tx, &reason));
    BOOST_CHECK(chain->IsInMempool(tx->GetTxid()));
    BOOST_CHECK(!chain->BroadcastTransaction(tx, &reason));
    BOOST_CHECK_EQUAL(reason, "txn-already-in-mempool");
    BOOST_CHECK(!chain->BroadcastTransaction(SpendCoinbase(1, 3000), &reason));
    BOOST_CHECK_EQUAL(reason, "txn-mempool-conflict");
    CMutableTransaction orphan;
    orphan.vin.emplace_back(COutPoint(uint256::FromHex(std::string(64, '5')).value(), 0));
    orphan.vout.emplace_back(1000, spk);
    BOOST_CHECK(!chain->BroadcastTransaction(MakeTransactionRef(std::move(orphan)), &reason));
    BOOST_CHECK_EQUAL(reason, "bad-txns-inputs-missingorspent");
    BOOST_CHECK(!chain->IsInMempool(uint256::FromHex(std::string(64, '5')).value()));

    // The UTXO set at the tip: the coinbase is unspent until the spend confirms.
    const COutPoint cb1(CoinbaseAt(1)->GetTxid(), 0);
    BOOST_REQUIRE(chain->GetUnspentOutput(cb1));
    BOOST_CHECK(chain->GetUnspentOutput(cb1)->script_pubkey == spk);
    Generate(1);
    BOOST_CHECK(!chain->GetUnspentOutput(cb1));
    BOOST_CHECK(chain->GetUnspentOutput(COutPoint(tx->GetTxid(), 0)));
    BOOST_CHECK(!chain->IsInMempool(tx->GetTxid()));
}

BOOST_AUTO_TEST_CASE(notifications_after_catch_up)
{
    const auto first = Generate(2);
    Recorder rec;
    int caught_up_at = -1;
    auto handler = chain->HandleNotifications(rec, [&] { caught_up_at = chain->GetHeight(); });
    BOOST_REQUIRE(handler);
    BOOST_CHECK_EQUAL(caught_up_at, 2);

    const auto more = Generate(2);
    chain->WaitForNotifications();
    {
        std::lock_guard<std::mutex> lock(rec.m);
        // Only what happened after the catch-up, in order.
        BOOST_REQUIRE_EQUAL(rec.blocks.size(), 2U);
        BOOST_CHECK(rec.blocks[0].first == '+' && rec.blocks[0].second.hash == more[0] && rec.blocks[0].second.height == 3);
        BOOST_CHECK(rec.blocks[1].second.hash == more[1] && rec.blocks[1].second.prev_hash == more[0]);
    }

    // A disconnected block is reported with where it was.
    BlockValidationState state;
    BOOST_REQUIRE(node.chainman->InvalidateBlock(state, WITH_LOCK(node.chainman->Mutex(), return node.chainman->LookupBlockIndex(more[1]))));
    chain->WaitForNotifications();
    {
        std::lock_guard<std::mutex> lock(rec.m);
        BOOST_REQUIRE_EQUAL(rec.blocks.size(), 3U);
        BOOST_CHECK(rec.blocks[2].first == '-' && rec.blocks[2].second.hash == more[1] && rec.blocks[2].second.height == 4);
    }

    // After Disconnect nothing more arrives.
    handler->Disconnect();
    Generate(1);
    chain->WaitForNotifications();
    std::lock_guard<std::mutex> lock(rec.m);
    BOOST_CHECK_EQUAL(rec.blocks.size(), 3U);
    BOOST_CHECK(rec.mempool_txids.empty());
}

BOOST_AUTO_TEST_CASE(mempool_notifications)
{
    Generate(101);
    Recorder rec;
    auto handler = chain->HandleNotifications(rec, [] {});
    auto tx = SpendCoinbase(1, 2000);
    std::string reason;
    BOOST_REQUIRE_MESSAGE(chain->BroadcastTransaction(tx, &reason), reason);
    chain->WaitForNotifications();
    std::lock_guard<std::mutex> lock(rec.m);
    BOOST_REQUIRE_EQUAL(rec.mempool_txids.size(), 1U);
    BOOST_CHECK(rec.mempool_txids[0] == tx->GetTxid());
}

BOOST_AUTO_TEST_CASE(wallet_follows_the_chain_through_the_interface)
{
    Generate(101);
    TempDir wdir{"chain_interface_follow"};
    const std::string file = wdir.Path("wallet.dat");
    std::shared_ptr<interfaces::Chain> shared = node::MakeChain(node);
    CWallet::Options o;
    o.keypool = 3;
    auto w = CWallet::Create("w", file, false, params->Bech32HRP(), o);
    w->AttachChain(shared, 20000);
    const ScriptBytes mine = *DecodeDestination(w->GetNewAddress(false), params->Bech32HRP());

    // A payment enters the mempool: pending; mined: trusted, at its height.
    const CTransactionRef cb = CoinbaseAt(1);
    CMutableTransaction pay;
    pay.vin.emplace_back(COutPoint(cb->GetTxid(), 0));
    pay.vout.emplace_back(cb->vout[0].value - 2000, mine);
    std::string error;
    BOOST_REQUIRE(SignTaprootKeyPath(pay, 0, {cb->vout[0]}, key, 0x00, &error));
    const CTransactionRef paytx = MakeTransactionRef(std::move(pay));
    BOOST_REQUIRE_MESSAGE(shared->BroadcastTransaction(paytx, &error), error);
    shared->WaitForNotifications();
    BOOST_CHECK_EQUAL(w->GetBalance().untrusted_pending, paytx->vout[0].value);
    Generate(1);
    shared->WaitForNotifications();
    BOOST_REQUIRE(w->GetTx(paytx->GetTxid()));
    BOOST_CHECK_EQUAL(w->GetTx(paytx->GetTxid())->block_height, 102);
    BOOST_CHECK_EQUAL(w->GetBalance().trusted, paytx->vout[0].value);

    // A transaction the mempool refuses: the wallet reports the mempool's reason.
    CMutableTransaction spent_again;
    spent_again.vin.emplace_back(COutPoint(cb->GetTxid(), 0));
    spent_again.vout.emplace_back(cb->vout[0].value - 5000, mine);
    BOOST_REQUIRE(SignTaprootKeyPath(spent_again, 0, {cb->vout[0]}, key, 0x00, &error));
    try {
        w->CommitTransaction(MakeTransactionRef(std::move(spent_again)), 5000);
        BOOST_ERROR("a double spend was committed");
    } catch (const WalletError& e) {
        BOOST_CHECK_EQUAL(e.code, -26);
        BOOST_CHECK_EQUAL(std::string(e.what()), "Transaction rejected by the mempool: bad-txns-inputs-missingorspent");
    }

    // Detached, the wallet misses a payment; reloaded, it catches up from its best block.
    w->DetachChain();
    w.reset();
    const CTransactionRef cb2 = CoinbaseAt(2);
    CMutableTransaction late;
    late.vin.emplace_back(COutPoint(cb2->GetTxid(), 0));
    late.vout.emplace_back(cb2->vout[0].value - 3000, mine);
    BOOST_REQUIRE(SignTaprootKeyPath(late, 0, {cb2->vout[0]}, key, 0x00, &error));
    const CTransactionRef latetx = MakeTransactionRef(std::move(late));
    BOOST_REQUIRE_MESSAGE(shared->BroadcastTransaction(latetx, &error), error);
    Generate(2);
    w = CWallet::Load("w", file, false, params->Bech32HRP(), 3);
    BOOST_CHECK(!w->GetTx(latetx->GetTxid()));
    w->AttachChain(shared, 20000);
    BOOST_CHECK_EQUAL(w->TipHeight(), 104);
    BOOST_REQUIRE(w->GetTx(latetx->GetTxid()));
    BOOST_CHECK_EQUAL(w->GetTx(latetx->GetTxid())->block_height, 103);
    BOOST_CHECK_EQUAL(w->GetDepth(*w->GetTx(paytx->GetTxid())), 3);
    BOOST_CHECK_EQUAL(w->GetBalance(2).trusted, paytx->vout[0].value + latetx->vout[0].value);
    BOOST_CHECK_EQUAL(w->GetBalance(3).trusted, paytx->vout[0].value);
    w->DetachChain();
}

BOOST_AUTO_TEST_CASE(without_a_chainstate)
{
    NodeContext empty;
    auto none = node::MakeChain(empty);
    BOOST_CHECK_EQUAL(none->GetHeight(), -1);
    BOOST_CHECK(!none->GetTip());
    BOOST_CHECK(!none->MedianFeeRate(6));
    std::string reason;
    BOOST_CHECK(!none->BroadcastTransaction(SpendCoinbase(0, 1000), &reason));
    BOOST_CHECK(!reason.empty());
    none->WaitForNotifications(); // returns at once
}

BOOST_AUTO_TEST_SUITE_END()
