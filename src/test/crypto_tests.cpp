#include <crypto/hash.h>
#include <crypto/sha256.h>
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
