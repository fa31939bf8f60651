// BIP 341 signature messages for key-path spends, against the BIP 341 wallet
// vectors ("keyPathSpending"): the precomputed sha_* values, each input's
// message and hash, and the signature in the expected witness.
#include <crypto/hash.h>
#include <primitives/transaction.h>
#include <script/keys.h>
#include <script/sighash.h>
#include <script/verify.h>
#include <streams.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(sighash_tests)

namespace {

uint256 U256(const std::string& hex)
{
    auto b = FromHex(hex);
    if (b.size() != 32) throw std::runtime_error("need 32 bytes: " + hex);
    return uint256(b.data());
}

struct Bip341Case {
    nlohmann::json json;
    CMutableTransaction tx;
    std::vector<CTxOut> spent;
};

Bip341Case LoadCase()
{
    Bip341Case c;
    c.json = nlohmann::json::parse(ReadTestData("bip341_wallet_vectors.json"))["keyPathSpending"];
    DeserializeExact(FromHex(c.json["rawUnsignedTx"].get<std::string>()), c.tx);
    for (const auto& u : c.json["utxosSpent"]) {
        c.spent.emplace_back(u["amountSats"].get<int64_t>(), FromHex(u["scriptPubKey"].get<std::string>()));
    }
    return c;
}

} // namespace

BOOST_AUTO_TEST_CASE(hash_types)
{
    for (int h = 0; h < 256; ++h) {
        bool expected = h == 0 || h == 1 || h == 2 || h == 3 || h == 0x81 || h == 0x82 || h == 0x83;
        BOOST_CHECK_EQUAL(IsValidTaprootHashType(static_cast<uint8_t>(h)), expected);
    }
}

BOOST_AUTO_TEST_CASE(bip341_precomputed_hashes)
{
    Bip341Case c = LoadCase();
    BOOST_REQUIRE_EQUAL(c.tx.vin.size(), 9u);
    BOOST_REQUIRE_EQUAL(c.spent.size(), 9u);
    const auto& im = c.json["intermediary"];
    // The same from the mutable and the immutable form of the transaction.
    const CTransaction ctx(c.tx);
    for (const PrecomputedTxData& d : {PrecomputedTxData(c.tx, c.spent), PrecomputedTxData(ctx, c.spent)}) {
        BOOST_REQUIRE(d.ready);
        BOOST_CHECK_EQUAL(d.sha_amounts.ToHexBytes(), im["hashAmounts"].get<std::string>());
        BOOST_CHECK_EQUAL(d.sha_outputs.ToHexBytes(), im["hashOutputs"].get<std::string>());
        BOOST_CHECK_EQUAL(d.sha_prevouts.ToHexBytes(), im["hashPrevouts"].get<std::string>());
        BOOST_CHECK_EQUAL(d.sha_scriptpubkeys.ToHexBytes(), im["hashScriptPubkeys"].get<std::string>());
        BOOST_CHECK_EQUAL(d.sha_sequences.ToHexBytes(), im["hashSequences"].get<std::string>());
    }
    // Spent outputs must match the inputs one to one.
    PrecomputedTxData bad;
    std::vector<CTxOut> short_list(c.spent.begin(), c.spent.end() - 1);
    BOOST_CHECK(!bad.Init(c.tx, short_list));
    BOOST_CHECK(!bad.ready);
    BOOST_CHECK(!TaprootSignatureHash(c.tx, 0, SIGHASH_DEFAULT, bad));
}

BOOST_AUTO_TEST_CASE(bip341_input_signature_hashes)
{
    Bip341Case c = LoadCase();
    const PrecomputedTxData txdata(c.tx, c.spent);
    CMutableTransaction signed_tx = c.tx;
    size_t n = 0;
    for (const auto& in : c.json["inputSpending"]) {
        const unsigned index = in["txinIndex"].get<unsigned>();
        const uint8_t hash_type = static_cast<uint8_t>(in["hashType"].get<int>());
        auto msg = TaprootSignatureMessage(c.tx, index, hash_type, txdata);
        BOOST_REQUIRE(msg);
        BOOST_CHECK_EQUAL(HexStr(*msg), in["sigMsg"].get<std::string>());
        auto hash = TaprootSignatureHash(c.tx, index, hash_type, txdata);
        BOOST_REQUIRE(hash);
        BOOST_CHECK_EQUAL(hash->ToHexBytes(), in["sigHash"].get<std::string>());
        BOOST_CHECK(*hash == TaggedHash("TapSighash", msg->data(), msg->size()));

        // The vectors' signatures use all-zero aux randomness.
        auto key = CKey::FromBytes(FromHex(in["internalPrivkey"].get<std::string>()));
        BOOST_REQUIRE(key);
        std::optional<uint256> root;
        if (!in["merkleRoot"].is_null()) root = U256(in["merkleRoot"].get<std::string>());
        auto tweaked = TaprootTweakSecret(*key, root);
        BOOST_REQUIRE(tweaked);
        auto sig = SignSchnorr(*tweaked, *hash, uint256());
        BOOST_REQUIRE(sig);
        std::vector<uint8_t> witness(sig->begin(), sig->end());
        if (hash_type != SIGHASH_DEFAULT) witness.push_back(hash_type);
        BOOST_CHECK_EQUAL(HexStr(witness), in["witness"].get<std::string>());
        signed_tx.vin[index].witness.stack = {FromHex(in["witness"].get<std::string>())};
        ++n;
    }
    BOOST_CHECK_EQUAL(n, 7u);

    // The signed transaction's taproot inputs verify; the P2PKH and P2WPKH inputs
    // (indexes 2 and 5) spend outputs ODA cannot spend.
    const CTransaction tx(signed_tx);
    const PrecomputedTxData verify_data(tx, c.spent);
    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        ScriptError err;
        bool ok = VerifyInputSpend(tx, i, verify_data, &err);
        if (i == 2 || i == 5) {
            BOOST_CHECK(!ok);
            BOOST_CHECK(err == ScriptError::NOT_TAPROOT_OUTPUT);
        } else {
            BOOST_CHECK_MESSAGE(ok, "input " << i << ": " << ScriptErrorString(err));
        }
    }
}

BOOST_AUTO_TEST_CASE(signature_hash_failures)
{
    Bip341Case c = LoadCase();
    const PrecomputedTxData txdata(c.tx, c.spent);
    BOOST_REQUIRE_EQUAL(c.tx.vout.size(), 2u);
    for (uint8_t bad : {0x04, 0x80, 0x84, 0xff, 0x41}) {
        BOOST_CHECK(!TaprootSignatureHash(c.tx, 0, bad, txdata));
        BOOST_CHECK(!TaprootSignatureMessage(c.tx, 0, bad, txdata));
    }
    // SIGHASH_SINGLE needs an output at the input's index.
    BOOST_CHECK(TaprootSignatureHash(c.tx, 1, SIGHASH_SINGLE, txdata));
    BOOST_CHECK(!TaprootSignatureHash(c.tx, 2, SIGHASH_SINGLE, txdata));
    BOOST_CHECK(!TaprootSignatureHash(c.tx, 8, SIGHASH_SINGLE | SIGHASH_ANYONECANPAY, txdata));
    // Input index out of range.
    BOOST_CHECK(!TaprootSignatureHash(c.tx, 9, SIGHASH_DEFAULT, txdata));
    // Every valid hash type gives a different message.
    std::vector<uint256> seen;
    for (uint8_t h : {0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83}) {
        auto hash = TaprootSignatureHash(c.tx, 0, h, txdata);
        BOOST_REQUIRE(hash);
        for (const uint256& s : seen) BOOST_CHECK(s != *hash);
        seen.push_back(*hash);
    }
}

BOOST_AUTO_TEST_SUITE_END()
