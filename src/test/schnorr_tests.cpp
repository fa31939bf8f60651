// Keys, BIP 340 signatures (all rows of the BIP 340 vectors) and the BIP 341
// taproot tweak (BIP 341 wallet vectors).
#include <script/keys.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(schnorr_tests)

static uint256 U256(const std::string& hex)
{
    auto b = FromHex(hex);
    if (b.size() != 32) throw std::runtime_error("need 32 bytes: " + hex);
    return uint256(b.data());
}

static std::optional<uint256> OptU256(const nlohmann::json& j)
{
    if (j.is_null()) return std::nullopt;
    return U256(j.get<std::string>());
}

static std::string Lower(std::string s)
{
    for (char& c : s) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

BOOST_AUTO_TEST_CASE(bip340_vectors)
{
    std::istringstream in(ReadTestData("bip340_vectors.csv"));
    std::string line;
    int rows = 0, signed_rows = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line.rfind("index,", 0) == 0) continue;
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string field;
        while (std::getline(ss, field, ',')) f.push_back(field);
        while (f.size() < 8) f.emplace_back();
        const std::string& index = f[0];
        const auto pubkey = XOnlyPubKey::FromBytes(FromHex(f[2]));
        BOOST_REQUIRE(pubkey);
        const std::vector<uint8_t> msg = FromHex(f[4]);
        const std::vector<uint8_t> sig = FromHex(f[5]);
        BOOST_REQUIRE_EQUAL(sig.size(), 64u);
        const bool expected = f[6] == "TRUE";
        if (!f[1].empty()) {
            auto key = CKey::FromBytes(FromHex(f[1]));
            BOOST_REQUIRE_MESSAGE(key, "row " << index);
            BOOST_CHECK_MESSAGE(key->GetXOnlyPubKey() == *pubkey, "row " << index);
            auto made = SignSchnorr(*key, msg.data(), msg.size(), U256(f[3]));
            BOOST_REQUIRE(made);
            BOOST_CHECK_MESSAGE(HexStr(made->data(), 64) == Lower(f[5]), "row " << index);
            if (msg.size() == 32) {
                auto made32 = SignSchnorr(*key, uint256(msg.data()), U256(f[3]));
                BOOST_REQUIRE(made32);
                BOOST_CHECK(*made32 == *made);
            }
            ++signed_rows;
        }
        BOOST_CHECK_MESSAGE(VerifySchnorr(*pubkey, msg.data(), msg.size(), sig.data()) == expected, "row " << index << " " << f[7]);
        if (msg.size() == 32) {
            BOOST_CHECK_MESSAGE(VerifySchnorr(*pubkey, uint256(msg.data()), sig.data()) == expected, "row " << index);
        }
        if (index == "5" || index == "14") BOOST_CHECK(!pubkey->IsFullyValid());
        if (expected) BOOST_CHECK(pubkey->IsFullyValid());
        ++rows;
    }
    BOOST_CHECK_EQUAL(rows, 19);
    BOOST_CHECK_EQUAL(signed_rows, 8);
}

BOOST_AUTO_TEST_CASE(key_validity)
{
    BOOST_CHECK(!CKey().IsValid());
    BOOST_CHECK(!CKey::FromBytes(std::vector<uint8_t>(32, 0)));           // zero
    BOOST_CHECK(!CKey::FromBytes(FromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"))); // n
    BOOST_CHECK(CKey::FromBytes(FromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")));  // n-1
    BOOST_CHECK(!CKey::FromBytes(std::vector<uint8_t>(31, 1)));
    BOOST_CHECK(!CKey::FromBytes(std::vector<uint8_t>(33, 1)));
    BOOST_CHECK(!XOnlyPubKey::FromBytes(std::vector<uint8_t>(31, 1)));
    BOOST_CHECK(!SignSchnorr(CKey(), uint256(), uint256()));

    // Fresh keys: valid, distinct, and they sign and verify.
    CKey a = CKey::MakeNew(), b = CKey::MakeNew();
    BOOST_CHECK(a.IsValid() && b.IsValid());
    BOOST_CHECK(!(a == b));
    BOOST_CHECK(a.GetXOnlyPubKey().IsFullyValid());
    const uint256 msg = U256("243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89");
    auto sig = SignSchnorr(a, msg, uint256());
    BOOST_REQUIRE(sig);
    BOOST_CHECK(VerifySchnorr(a.GetXOnlyPubKey(), msg, *sig));
    BOOST_CHECK(!VerifySchnorr(b.GetXOnlyPubKey(), msg, *sig));
    uint256 other = msg;
    other.data()[31] ^= 1;
    BOOST_CHECK(!VerifySchnorr(a.GetXOnlyPubKey(), other, *sig));
    for (size_t bit : {0, 255, 256, 511}) {
        SchnorrSig bad = *sig;
        bad[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
        BOOST_CHECK(!VerifySchnorr(a.GetXOnlyPubKey(), msg, bad));
    }
}

BOOST_AUTO_TEST_CASE(bip341_tweak_vectors)
{
    auto json = nlohmann::json::parse(ReadTestData("bip341_wallet_vectors.json"));
    size_t n = 0;
    for (const auto& v : json["scriptPubKey"]) {
        const auto internal = XOnlyPubKey::FromBytes(FromHex(v["internalPubkey"].get<std::string>()));
        BOOST_REQUIRE(internal);
        const auto root = OptU256(v["merkleRoot"]);
        BOOST_CHECK_EQUAL(TapTweakHash(*internal, root).ToHexBytes(), v["tweak"].get<std::string>());
        auto output = TaprootTweak(*internal, root);
        BOOST_REQUIRE(output);
        BOOST_CHECK_EQUAL(HexStr(output->ToBytes()), v["tweakedPubkey"].get<std::string>());
        ++n;
    }
    BOOST_CHECK_EQUAL(n, 7u);

    // Secret-key side: the tweaked secret matches the vectors and signs for the output key.
    n = 0;
    for (const auto& in : json["keyPathSpending"]["inputSpending"]) {
        auto key = CKey::FromBytes(FromHex(in["internalPrivkey"].get<std::string>()));
        BOOST_REQUIRE(key);
        BOOST_CHECK_EQUAL(HexStr(key->GetXOnlyPubKey().ToBytes()), in["internalPubkey"].get<std::string>());
        const auto root = OptU256(in["merkleRoot"]);
        auto tweaked = TaprootTweakSecret(*key, root);
        BOOST_REQUIRE(tweaked);
        BOOST_CHECK_EQUAL(HexStr(tweaked->data(), 32), in["tweakedPrivkey"].get<std::string>());
        auto output = TaprootTweak(key->GetXOnlyPubKey(), root);
        BOOST_REQUIRE(output);
        BOOST_CHECK(tweaked->GetXOnlyPubKey() == *output);
        ++n;
    }
    BOOST_CHECK_EQUAL(n, 7u);
    // An off-curve internal key has no output key.
    BOOST_CHECK(!TaprootTweak(*XOnlyPubKey::FromBytes(FromHex("eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34"))));
    BOOST_CHECK(!TaprootTweakSecret(CKey()));
}

BOOST_AUTO_TEST_SUITE_END()
