// CheckTransaction, CheckTxInputs and IsFinalTx: each rule accepts a valid case and rejects
// a minimal violation with Bitcoin's reject reason.
#include <consensus/amount.h>
#include <consensus/chainparams.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>

#include <boost/test/unit_test.hpp>

namespace {

uint256 Id(uint8_t n)
{
    uint256 h;
    h.data()[0] = n;
    return h;
}

/** One input spending (Id(1), 0), one 1-coin taproot-shaped output. Valid. */
CMutableTransaction SimpleTx()
{
    CMutableTransaction mtx;
    mtx.vin.emplace_back(COutPoint(Id(1), 0));
    mtx.vin[0].witness.stack = {std::vector<uint8_t>(64, 0x01)};
    ScriptBytes p2tr{0x51, 0x20};
    p2tr.resize(34, 0x02);
    mtx.vout.emplace_back(COIN, p2tr);
    return mtx;
}

CMutableTransaction Coinbase(size_t script_sig_size)
{
    CMutableTransaction mtx;
    mtx.vin.resize(1);
    mtx.vin[0].script_sig.assign(script_sig_size, 0x51);
    mtx.vout.emplace_back(50 * COIN, ScriptBytes{0x6a});
    return mtx;
}

std::string Reject(const CMutableTransaction& mtx)
{
    TxValidationState state;
    const bool ok = CheckTransaction(CTransaction(mtx), state);
    BOOST_CHECK_EQUAL(ok, state.IsValid());
    if (!ok) BOOST_CHECK(state.GetResult() == TxValidationResult::TX_CONSENSUS);
    return ok ? "" : state.GetRejectReason();
}

} // namespace

BOOST_AUTO_TEST_SUITE(tx_check_tests)

BOOST_AUTO_TEST_CASE(check_transaction_rules)
{
    BOOST_CHECK_EQUAL(Reject(SimpleTx()), "");

    CMutableTransaction t = SimpleTx();
    t.vin.clear();
    BOOST_CHECK_EQUAL(Reject(t), "bad-txns-vin-empty");

    t = SimpleTx();
    t.vout.clear();
    BOOST_CHECK_EQUAL(Reject(t), "bad-txns-vout-empty");

    t = SimpleTx();
    t.vout[0].value = -1;
    BOOST_CHECK_EQUAL(Reject(t), "bad-txns-vout-negative");
    t.vout[0].value = MAX_MONEY;
    BOOST_CHECK_EQUAL(Reject(t), "");
    t.vout[0].value = MAX_MONEY + 1;
    BOOST_CHECK_EQUAL(Reject(t), "bad-txns-vout-toolarge");

    t = SimpleTx();
    t.vout[0].value = MAX_MONEY / 2 + 1;
    t.vout.push_back(t.vout[0]);
    BOOST_CHECK_EQUAL(Reject(t), "bad-txns-txouttotal-toolarge");
    t.vout[1].value = MAX_MONEY / 2 - 1;
    BOOST_CHECK_EQUAL(Reject(t), "");

    t = SimpleTx();
    t.vin.push_back(t.vin[0]);
    BOOST_CHECK_EQUAL(Reject(t), "bad-txns-inputs-duplicate");
    t.vin[1].prevout.n = 1; // same txid, other output: fine
    BOOST_CHECK_EQUAL(Reject(t), "");

    t = SimpleTx();
    t.vin.push_back(CTxIn(COutPoint())); // a null prevout in a non-coinbase
    BOOST_CHECK_EQUAL(Reject(t), "bad-txns-prevout-null");

    // Stripped size * 4 > 4,000,000: oversize even though each part is fine. A witness
    // does not count against this context-free limit.
    t = SimpleTx();
    t.vout[0].script_pubkey.assign(1'000'001, 0x6a);
    BOOST_CHECK_EQUAL(Reject(t), "bad-txns-oversize");
    t = SimpleTx();
    t.vin[0].witness.stack = {std::vector<uint8_t>(1'500'000, 0x00)};
    BOOST_CHECK_EQUAL(Reject(t), "");
}

BOOST_AUTO_TEST_CASE(coinbase_script_length)
{
    BOOST_CHECK(CTransaction(Coinbase(2)).IsCoinBase());
    BOOST_CHECK_EQUAL(Reject(Coinbase(1)), "bad-cb-length");
    BOOST_CHECK_EQUAL(Reject(Coinbase(2)), "");
    BOOST_CHECK_EQUAL(Reject(Coinbase(100)), "");
    BOOST_CHECK_EQUAL(Reject(Coinbase(101)), "bad-cb-length");
}

BOOST_AUTO_TEST_CASE(check_tx_inputs)
{
    const auto chain = CreateChainParams(ChainType::REGTEST);
    const ConsensusParams& params = chain->GetConsensus();
    CMutableTransaction mtx = SimpleTx();
    mtx.vin.emplace_back(COutPoint(Id(2), 3));
    const CTransaction tx(mtx); // outputs: 1 coin

    auto run = [&](const std::vector<Coin>& spent, int64_t height, CAmount& fee) {
        TxValidationState state;
        const bool ok = CheckTxInputs(tx, state, spent, height, params, fee);
        return std::make_pair(ok, ok ? std::string() : state.GetRejectReason());
    };
    CAmount fee = -1;
    const Coin a(CTxOut(COIN / 2, ScriptBytes{0x51}), 10, false);
    const Coin b(CTxOut(COIN / 2 + 1000, ScriptBytes{0x51}), 20, false);
    BOOST_CHECK(run({a, b}, 21, fee).first);
    BOOST_CHECK_EQUAL(fee, 1000);

    // Exactly in == out: fee 0.
    const Coin b_exact(CTxOut(COIN / 2, ScriptBytes{0x51}), 20, false);
    BOOST_CHECK(run({a, b_exact}, 21, fee).first);
    BOOST_CHECK_EQUAL(fee, 0);

    const Coin b_short(CTxOut(COIN / 2 - 1, ScriptBytes{0x51}), 20, false);
    BOOST_CHECK_EQUAL(run({a, b_short}, 21, fee).second, "bad-txns-in-belowout");

    BOOST_CHECK_EQUAL(run({a}, 21, fee).second, "bad-txns-inputs-missingorspent");
    BOOST_CHECK_EQUAL(run({a, Coin()}, 21, fee).second, "bad-txns-inputs-missingorspent");

    const Coin too_big(CTxOut(MAX_MONEY + 1, ScriptBytes{0x51}), 20, false);
    BOOST_CHECK_EQUAL(run({a, too_big}, 21, fee).second, "bad-txns-inputvalues-outofrange");
    const Coin negative(CTxOut(-5, ScriptBytes{0x51}), 20, false);
    BOOST_CHECK_EQUAL(run({a, negative}, 21, fee).second, "bad-txns-inputvalues-outofrange");
    const Coin half_max(CTxOut(MAX_MONEY / 2 + 1, ScriptBytes{0x51}), 20, false);
    BOOST_CHECK_EQUAL(run({half_max, half_max}, 21, fee).second, "bad-txns-inputvalues-outofrange");

    // Coinbase maturity: created at 100, spendable from 200 (100 confirmations) on.
    const Coin coinbase_coin(CTxOut(COIN, ScriptBytes{0x51}), 100, true);
    {
        TxValidationState state;
        BOOST_CHECK(!CheckTxInputs(tx, state, {a, coinbase_coin}, 199, params, fee));
        BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-txns-premature-spend-of-coinbase");
        BOOST_CHECK(state.GetResult() == TxValidationResult::TX_PREMATURE_SPEND);
    }
    BOOST_CHECK(run({a, coinbase_coin}, 200, fee).first);
    BOOST_CHECK_EQUAL(fee, COIN / 2);
    // A non-coinbase coin of the same height has no maturity rule.
    const Coin young(CTxOut(COIN, ScriptBytes{0x51}), 100, false);
    BOOST_CHECK(run({a, young}, 100, fee).first);
}

BOOST_AUTO_TEST_CASE(is_final_tx)
{
    CMutableTransaction mtx = SimpleTx();
    mtx.vin[0].sequence = 0;
    mtx.lock_time = 0;
    BOOST_CHECK(IsFinalTx(CTransaction(mtx), 1, 1));

    // Height lock: final only in blocks strictly above lock_time.
    mtx.lock_time = 100;
    BOOST_CHECK(!IsFinalTx(CTransaction(mtx), 100, 2'000'000'000));
    BOOST_CHECK(IsFinalTx(CTransaction(mtx), 101, 0));

    // Time lock (>= 500,000,000): compared with the block time.
    mtx.lock_time = 1'800'000'000;
    BOOST_CHECK(!IsFinalTx(CTransaction(mtx), 1'000'000, 1'800'000'000));
    BOOST_CHECK(IsFinalTx(CTransaction(mtx), 1, 1'800'000'001));
    mtx.lock_time = 499'999'999; // still a height
    BOOST_CHECK(!IsFinalTx(CTransaction(mtx), 499'999'999, 2'000'000'000));

    // All sequences final: the lock is disabled.
    mtx.lock_time = 100;
    mtx.vin[0].sequence = CTxIn::SEQUENCE_FINAL;
    BOOST_CHECK(IsFinalTx(CTransaction(mtx), 1, 1));
    mtx.vin.emplace_back(COutPoint(Id(9), 0), 0xfffffffe);
    BOOST_CHECK(!IsFinalTx(CTransaction(mtx), 1, 1));
}

BOOST_AUTO_TEST_SUITE_END()
