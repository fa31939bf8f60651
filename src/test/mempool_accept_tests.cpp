// AcceptToMemoryPoolAt: every acceptance rule with its reject reason, against a
// fixed chain view (regtest consensus, confirmed coins in a map) and real
// BIP 340 signatures.
#include <consensus/chainparams.h>
#include <node/mempool_accept.h>
#include <node/policy.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <map>

namespace {

struct AcceptSetup {
    std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    CKey key = CKey::MakeNew();
    ScriptBytes spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
    std::map<COutPoint, Coin> coins;
    MempoolChainView view;
    CTxMemPool pool;
    uint32_t next_coin{0};

    AcceptSetup()
    {
        view.params = &params->GetConsensus();
        view.tip_height = 200;
        view.tip_median_time_past = 1700000000;
        view.get_coin = [this](const COutPoint& o) -> std::optional<Coin> {
            auto it = coins.find(o);
            if (it == coins.end()) return std::nullopt;
            return it->second;
        };
    }

    /** A new confirmed coin of `value` paying to our key. */
    COutPoint AddCoin(CAmount value, uint32_t height = 10, bool coinbase = false)
    {
        uint256 h;
        h.data()[0] = 0x77;
        h.data()[1] = uint8_t(next_coin);
        h.data()[2] = uint8_t(next_coin >> 8);
        ++next_coin;
        COutPoint o(h, 0);
        coins[o] = Coin(CTxOut(value, spk), height, coinbase);
        return o;
    }

    /** Spends `ins` (with their values) into outputs of `outs` to our key, signed. */
    CTransactionRef Spend(const std::vector<std::pair<COutPoint, CAmount>>& ins, const std::vector<CAmount>& outs,
                          uint32_t lock_time = 0, uint32_t sequence = CTxIn::SEQUENCE_FINAL)
    {
        CMutableTransaction mtx;
        std::vector<CTxOut> spent;
        for (const auto& [o, v] : ins) {
            mtx.vin.emplace_back(o, sequence);
            spent.emplace_back(v, spk);
        }
        for (CAmount v : outs) mtx.vout.emplace_back(v, spk);
        mtx.lock_time = lock_time;
        for (unsigned i = 0; i < mtx.vin.size(); ++i) {
            std::string error;
            BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(mtx, i, spent, key, 0x00, &error), error);
        }
        return MakeTransactionRef(std::move(mtx));
    }

    MempoolAcceptResult Accept(const CTransactionRef& tx, bool test_accept = false)
    {
        MempoolAcceptOptions opts;
        opts.test_accept = test_accept;
        return AcceptToMemoryPoolAt(view, pool, tx, opts);
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(mempool_accept_tests, AcceptSetup)

BOOST_AUTO_TEST_CASE(accepts_valid_and_reports_fee)
{
    COutPoint c = AddCoin(100000);
    auto tx = Spend({{c, 100000}}, {90000});
    auto test = Accept(tx, /*test_accept=*/true);
    BOOST_CHECK_MESSAGE(test.IsValid(), test.state.ToString());
    BOOST_CHECK_EQUAL(pool.Size(), 0U); // test_accept adds nothing
    auto r = Accept(tx);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.state.ToString());
    BOOST_CHECK_EQUAL(r.fee, 10000);
    BOOST_CHECK_EQUAL(r.vsize, TxVSize(*tx));
    BOOST_CHECK(pool.Exists(tx->GetTxid()));
    pool.Check();

    auto again = Accept(tx);
    BOOST_CHECK(!again.IsValid());
    BOOST_CHECK_EQUAL(again.state.GetRejectReason(), "txn-already-in-mempool");
}

BOOST_AUTO_TEST_CASE(conflict_missing_and_known)
{
    COutPoint c = AddCoin(100000);
    BOOST_REQUIRE(Accept(Spend({{c, 100000}}, {90000})).IsValid());
    auto dbl = Spend({{c, 100000}}, {80000});
    auto r = Accept(dbl);
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "txn-mempool-conflict");
    BOOST_CHECK(r.state.GetResult() == TxValidationResult::TX_CONFLICT);

    uint256 unknown;
    unknown.data()[5] = 9;
    r = Accept(Spend({{COutPoint(unknown, 0), 100000}}, {90000}));
    BOOST_CHECK(r.state.GetResult() == TxValidationResult::TX_MISSING_INPUTS);
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "bad-txns-inputs-missingorspent");

    // A confirmed transaction: its input is spent, its output is in the UTXO set.
    COutPoint c2 = AddCoin(50000);
    auto confirmed = Spend({{c2, 50000}}, {40000});
    coins.erase(c2);
    coins[COutPoint(confirmed->GetTxid(), 0)] = Coin(confirmed->vout[0], 150, false);
    r = Accept(confirmed);
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "txn-already-known");
}

BOOST_AUTO_TEST_CASE(chain_of_unconfirmed)
{
    COutPoint c = AddCoin(100000);
    auto parent = Spend({{c, 100000}}, {90000});
    BOOST_REQUIRE(Accept(parent).IsValid());
    auto child = Spend({{COutPoint(parent->GetTxid(), 0), 90000}}, {80000});
    auto r = Accept(child);
    BOOST_REQUIRE_MESSAGE(r.IsValid(), r.state.ToString());
    BOOST_CHECK_EQUAL(pool.GetEntry(child->GetTxid())->GetCountWithAncestors(), 2U);
    pool.Check();
}

BOOST_AUTO_TEST_CASE(fee_rules)
{
    COutPoint c = AddCoin(100000);
    auto r = Accept(Spend({{c, 100000}}, {100000}));
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "min relay fee not met");
    BOOST_CHECK(r.state.GetResult() == TxValidationResult::TX_MEMPOOL_POLICY);

    r = Accept(Spend({{c, 100000}}, {100001}));
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "bad-txns-in-belowout");

    // Fill, then evict: the minimum fee rises above what was evicted.
    auto high = Spend({{c, 100000}}, {50000});
    BOOST_REQUIRE(Accept(high).IsValid());
    pool.TrimToSize(0);
    BOOST_CHECK(pool.GetMinFee().GetFeePerK() > 100000);
    COutPoint c2 = AddCoin(100000);
    r = Accept(Spend({{c2, 100000}}, {99000}));
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "mempool min fee not met");
}

BOOST_AUTO_TEST_CASE(script_maturity_finality_standardness)
{
    COutPoint c = AddCoin(100000);
    CTransactionRef good = Spend({{c, 100000}}, {90000});
    CMutableTransaction bad;
    bad.version = good->version;
    bad.vin = good->vin;
    bad.vout = good->vout;
    bad.lock_time = good->lock_time;
    bad.vin[0].witness.stack[0][10] ^= 1;
    auto r = Accept(MakeTransactionRef(bad));
    BOOST_CHECK(r.state.GetRejectReason().rfind("mandatory-script-verify-flag-failed (", 0) == 0);
    BOOST_CHECK(r.state.GetResult() == TxValidationResult::TX_CONSENSUS);

    COutPoint young = AddCoin(5000000000, /*height=*/150, /*coinbase=*/true);
    r = Accept(Spend({{young, 5000000000}}, {4999990000}));
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "bad-txns-premature-spend-of-coinbase");
    COutPoint mature = AddCoin(5000000000, /*height=*/101, /*coinbase=*/true); // 100 confirmations at 201
    r = Accept(Spend({{mature, 5000000000}}, {4999990000}));
    BOOST_CHECK_MESSAGE(r.IsValid(), r.state.ToString());
    BOOST_CHECK(pool.Size() == 1);

    COutPoint c2 = AddCoin(100000);
    r = Accept(Spend({{c2, 100000}}, {90000}, /*lock_time=*/202, /*sequence=*/0));
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "non-final");
    r = Accept(Spend({{c2, 100000}}, {90000}, /*lock_time=*/200, /*sequence=*/0));
    BOOST_CHECK_MESSAGE(r.IsValid(), r.state.ToString());

    COutPoint c3 = AddCoin(100000);
    r = Accept(Spend({{c3, 100000}}, {90000, 100}));
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "dust");
    BOOST_CHECK(r.state.GetResult() == TxValidationResult::TX_NOT_STANDARD);
}

BOOST_AUTO_TEST_CASE(chain_limit_rejection)
{
    COutPoint c = AddCoin(10000000);
    CAmount value = 10000000;
    COutPoint prev = c;
    for (int i = 0; i < 25; ++i) {
        auto tx = Spend({{prev, value}}, {value - 1000});
        auto r = Accept(tx);
        BOOST_REQUIRE_MESSAGE(r.IsValid(), r.state.ToString());
        value -= 1000;
        prev = COutPoint(tx->GetTxid(), 0);
    }
    auto r = Accept(Spend({{prev, value}}, {value - 1000}));
    BOOST_CHECK_EQUAL(r.state.GetRejectReason(), "too-long-mempool-chain");
    BOOST_CHECK_EQUAL(r.state.GetDebugMessage(), "too many unconfirmed ancestors [limit: 25]");
}

BOOST_AUTO_TEST_SUITE_END()
