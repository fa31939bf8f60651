#include <crypto/hash.h>
#include <crypto/hmac.h>
#include <crypto/sha256.h>
#include <hex.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <sstream>

BOOST_AUTO_TEST_SUITE(crypto_tests)

static std::string Sha256Hex(const std::string& msg)
{
    uint8_t out[32];
    SHA256Once(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), out);
    return HexStr(out, 32);
}

BOOST_AUTO_TEST_CASE(sha256_nist_vectors)
{
    std::istringstream lines(ReadTestData("sha256_nist.txt"));
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto bar = line.rfind('|');
        BOOST_REQUIRE(bar != std::string::npos);
        std::string msg = line.substr(0, bar);
        std::string digest = line.substr(bar + 1);
        BOOST_CHECK_EQUAL(Sha256Hex(msg), digest);
        // Incremental writes byte by byte must agree with the one-shot call.
        CSHA256 h;
        for (char c : msg) h.Write(reinterpret_cast<const uint8_t*>(&c), 1);
        uint8_t out[32];
        h.Finalize(out);
        BOOST_CHECK_EQUAL(HexStr(out, 32), digest);
        ++count;
    }
    BOOST_CHECK_EQUAL(count, 4);
}

BOOST_AUTO_TEST_CASE(sha256_million_a)
{
    std::string chunk(1000, 'a');
    CSHA256 h;
    for (int i = 0; i < 1000; ++i) h.Write(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size());
    uint8_t out[32];
    h.Finalize(out);
    BOOST_CHECK_EQUAL(HexStr(out, 32), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

BOOST_AUTO_TEST_CASE(sha256d_and_hash_writer)
{
    const std::string msg = "abc";
    uint256 d = Hash256(reinterpret_cast<const uint8_t*>(msg.data()), msg.size());
    uint8_t first[32];
    SHA256Once(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), first);
    uint256 expected = Sha256(first, 32);
    BOOST_CHECK(d == expected);
    HashWriter hw;
    hw.write(reinterpret_cast<const uint8_t*>(msg.data()), msg.size());
    BOOST_CHECK(hw.GetHash() == expected);
}

BOOST_AUTO_TEST_CASE(hmac_rfc4231_case2)
{
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    const std::string key = "Jefe", data = "what do ya want for nothing?";
    const auto k = reinterpret_cast<const uint8_t*>(key.data());
    const auto d = reinterpret_cast<const uint8_t*>(data.data());
    const auto h256 = HmacSha256(k, key.size(), d, data.size());
    const auto h512 = HmacSha512(k, key.size(), d, data.size());
    BOOST_CHECK_EQUAL(HexStr(h256.data(), h256.size()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    BOOST_CHECK_EQUAL(HexStr(h512.data(), h512.size()),
                      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

BOOST_AUTO_TEST_CASE(tagged_hash_matches_definition)
{
    // BIP 340: tagged_hash(tag, x) = SHA256(SHA256(tag) || SHA256(tag) || x).
    const std::string tag = "BIP0340/challenge";
    const std::vector<uint8_t> msg = {1, 2, 3};
    uint256 tag_hash = Sha256(reinterpret_cast<const uint8_t*>(tag.data()), tag.size());
    std::vector<uint8_t> preimage(tag_hash.begin(), tag_hash.end());
    preimage.insert(preimage.end(), tag_hash.begin(), tag_hash.end());
    preimage.insert(preimage.end(), msg.begin(), msg.end());
    BOOST_CHECK(TaggedHash(tag, msg.data(), msg.size()) == Sha256(preimage));
}

BOOST_AUTO_TEST_SUITE_END()
