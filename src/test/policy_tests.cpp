// Relay policy: standardness rules with their reject reasons, dust threshold.
#include <node/policy.h>
#include <consensus/amount.h>
#include <test/util/setup.h>

#include <limits>

#include <boost/test/unit_test.hpp>

namespace {

ScriptBytes Taproot(uint8_t fill = 0x11)
{
    ScriptBytes spk(34, fill);
    spk[0] = 0x51;
    spk[1] = 0x20;
    return spk;
}

/** OP_RETURN <push data> with a minimal push. */
ScriptBytes NullData(size_t n)
{
    ScriptBytes spk{0x6a};
    if (n <= 75) {
        spk.push_back(uint8_t(n));
    } else {
        spk.push_back(0x4c);
        spk.push_back(uint8_t(n));
    }
    spk.insert(spk.end(), n, 0xab);
    return spk;
}

ScriptBytes Oda(size_t payload)
{
    ScriptBytes spk{0x6a, 0x04, 'O', 'D', 'A', '1'};
    if (payload <= 75) {
        spk.push_back(uint8_t(payload));
    } else if (payload <= 255) {
        spk.push_back(0x4c);
        spk.push_back(uint8_t(payload));
    } else {
        spk.push_back(0x4d);
        spk.push_back(uint8_t(payload));
        spk.push_back(uint8_t(payload >> 8));
    }
    spk.insert(spk.end(), payload, 0x01);
    return spk;
}

CMutableTransaction Base()
{
    CMutableTransaction mtx;
    uint256 h;
    h.data()[0] = 1;
    mtx.vin.emplace_back(COutPoint(h, 0));
    mtx.vin[0].witness.stack.push_back(std::vector<uint8_t>(64, 0x22));
    mtx.vout.emplace_back(100000, Taproot());
    return mtx;
}

std::string Reason(const CMutableTransaction& mtx)
{
    std::string reason;
    CTransaction tx(mtx);
    if (IsStandardTx(tx, CFeeRate(DUST_RELAY_TX_FEE), reason)) return "";
    return reason;
}

} // namespace

BOOST_AUTO_TEST_SUITE(policy_tests)

BOOST_AUTO_TEST_CASE(standard_spend_passes)
{
    BOOST_CHECK_EQUAL(Reason(Base()), "");
    CMutableTransaction mtx = Base();
    mtx.vout.emplace_back(0, NullData(80)); // 83-byte script: the largest standard plain data output
    BOOST_CHECK_EQUAL(Reason(mtx), "");
}

BOOST_AUTO_TEST_CASE(rejections_with_reasons)
{
    CMutableTransaction mtx = Base();
    mtx.version = 3;
    BOOST_CHECK_EQUAL(Reason(mtx), "version");
    mtx.version = 0;
    BOOST_CHECK_EQUAL(Reason(mtx), "version");

    mtx = Base();
    mtx.vout[0].script_pubkey = {0x00, 0x14};
    mtx.vout[0].script_pubkey.insert(mtx.vout[0].script_pubkey.end(), 20, 0x33); // P2WPKH: not ODA
    BOOST_CHECK_EQUAL(Reason(mtx), "scriptpubkey");

    mtx = Base();
    mtx.vout.emplace_back(0, NullData(81)); // 84 bytes
    BOOST_CHECK_EQUAL(Reason(mtx), "scriptpubkey");

    mtx = Base();
    mtx.vout.emplace_back(0, NullData(10));
    mtx.vout.emplace_back(0, NullData(10));
    BOOST_CHECK_EQUAL(Reason(mtx), "multi-op-return");

    mtx = Base();
    mtx.vout.emplace_back(0, Oda(10));
    mtx.vout.emplace_back(0, NullData(10));
    BOOST_CHECK_EQUAL(Reason(mtx), "multi-op-return");

    mtx = Base();
    mtx.vout[0].value = 329;
    BOOST_CHECK_EQUAL(Reason(mtx), "dust");
    mtx.vout[0].value = 330;
    BOOST_CHECK_EQUAL(Reason(mtx), "");

    mtx = Base();
    mtx.vin[0].script_sig = {0x51};
    BOOST_CHECK_EQUAL(Reason(mtx), "scriptsig-size");

    mtx = Base();
    mtx.vout.clear();
    mtx.vout.emplace_back(0, ScriptBytes{0x6a}); // bare OP_RETURN: stripped size < 65
    BOOST_CHECK_EQUAL(Reason(mtx), "tx-size-small");

    mtx = Base();
    for (int i = 0; i < 2400; ++i) mtx.vout.emplace_back(1000, Taproot(uint8_t(i))); // 43 bytes * 4 each
    BOOST_CHECK_EQUAL(Reason(mtx), "tx-size");
}

BOOST_AUTO_TEST_CASE(oda_output_exempt_from_data_size)
{
    CMutableTransaction mtx = Base();
    mtx.vout.emplace_back(0, Oda(5000));
    BOOST_CHECK_EQUAL(Reason(mtx), "");
}

BOOST_AUTO_TEST_CASE(dust_threshold)
{
    CFeeRate dust(DUST_RELAY_TX_FEE);
    BOOST_CHECK_EQUAL(GetDustThreshold(CTxOut(0, Taproot()), dust), 330);
    BOOST_CHECK_EQUAL(GetDustThreshold(CTxOut(0, NullData(10)), dust), 0);
    BOOST_CHECK(!IsDust(CTxOut(0, Oda(10)), dust));
    BOOST_CHECK(IsDust(CTxOut(1, Taproot()), dust));
    BOOST_CHECK_EQUAL(GetDustThreshold(CTxOut(0, Taproot()), CFeeRate(0)), 0);
}

BOOST_AUTO_TEST_CASE(compute_fee_rounds_up_and_saturates)
{
    BOOST_CHECK_EQUAL(MinComputeFee(0, 1000), 0);
    BOOST_CHECK_EQUAL(MinComputeFee(1, 1000), 1);            // 0.001 rounds up
    BOOST_CHECK_EQUAL(MinComputeFee(1'000'000, 1000), 1000);
    BOOST_CHECK_EQUAL(MinComputeFee(1'000'001, 1000), 1001);
    BOOST_CHECK_EQUAL(MinComputeFee(10'000'000'000LL, 1000), 10'000'000);
    BOOST_CHECK_EQUAL(MinComputeFee(123, 0), 0);
    BOOST_CHECK_EQUAL(MinComputeFee(std::numeric_limits<int64_t>::max(), MAX_MONEY), MAX_MONEY + 1);
}

BOOST_AUTO_TEST_SUITE_END()
