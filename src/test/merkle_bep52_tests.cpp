// BEP 52 pieces root: checked against the tree definition built by hand from
// SHA-256 and against roots computed independently (Python hashlib) for
// patterned data of sizes around the 16 KiB block boundary.
#include <crypto/merkle_bep52.h>
#include <crypto/sha256.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <fstream>

BOOST_AUTO_TEST_SUITE(merkle_bep52_tests)

static std::vector<uint8_t> Pattern(size_t n)
{
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i * 7 + 3) % 251);
    return v;
}

static uint256 Sha(const uint8_t* p, size_t n)
{
    uint256 h;
    SHA256Once(p, n, h.data());
    return h;
}

static uint256 Node(const uint256& a, const uint256& b)
{
    uint8_t buf[64];
    std::memcpy(buf, a.data(), 32);
    std::memcpy(buf + 32, b.data(), 32);
    return Sha(buf, 64);
}

BOOST_AUTO_TEST_CASE(empty_file_has_no_root)
{
    BOOST_CHECK(!Bep52PiecesRoot(nullptr, 0).has_value());
}

BOOST_AUTO_TEST_CASE(single_block_is_its_hash)
{
    for (size_t n : {size_t{1}, size_t{100}, BEP52_BLOCK_SIZE}) {
        auto data = Pattern(n);
        auto root = Bep52PiecesRoot(data.data(), data.size());
        BOOST_REQUIRE(root);
        BOOST_CHECK(*root == Sha(data.data(), n));
    }
}

BOOST_AUTO_TEST_CASE(tree_shape_with_zero_padding)
{
    const size_t B = BEP52_BLOCK_SIZE;
    auto data = Pattern(2 * B + 10); // three leaves -> padded to four
    uint256 h0 = Sha(data.data(), B), h1 = Sha(data.data() + B, B), h2 = Sha(data.data() + 2 * B, 10);
    uint256 expected = Node(Node(h0, h1), Node(h2, uint256{}));
    auto root = Bep52PiecesRoot(data.data(), data.size());
    BOOST_REQUIRE(root);
    BOOST_CHECK(*root == expected);
    // Two full blocks: no padding.
    auto two = Bep52PiecesRoot(data.data(), 2 * B);
    BOOST_CHECK(*two == Node(h0, h1));
    BOOST_CHECK(Bep52MerkleRoot({h0, h1, h2}) == expected);
}

BOOST_AUTO_TEST_CASE(independent_vectors)
{
    const std::vector<std::pair<size_t, std::string>> vectors{
        {1, "084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5"},
        {16384, "90b834666bd99804aad5f0d312a8862f91872e635fd6063d42fe787c4e1d84ee"},
        {16385, "cb0b7d4a5957d021a52428ba33dac06cbb4fe7c90c57d68188e216b70eacc49f"},
        {5 * 16384 + 7, "42d6625a74ab8378e22fca4c381ff41a0d3cf1ecbccbc3d6c00a7f0a0b76d49d"},
        {1 << 20, "614d11e4ff280fbeb0888535538400de311a0064183680ca9d131f2effb89095"},
    };
    for (const auto& [n, hex] : vectors) {
        auto data = Pattern(n);
        auto root = Bep52PiecesRoot(data.data(), n);
        BOOST_REQUIRE(root);
        BOOST_CHECK_EQUAL(root->ToHexBytes(), hex);
        // Streaming in odd-sized chunks gives the same root.
        Bep52Hasher h;
        for (size_t off = 0; off < n; off += 1000) h.Write(data.data() + off, std::min<size_t>(1000, n - off));
        BOOST_CHECK_EQUAL(h.Finalize()->ToHexBytes(), hex);
    }
}

BOOST_AUTO_TEST_CASE(file_root)
{
    const std::string path = "/tmp/oda_bep52_test_" + std::to_string(::getpid());
    auto data = Pattern(5 * 16384 + 7);
    {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(data.data()), data.size());
    }
    std::string error;
    uint64_t size = 0;
    auto root = Bep52PiecesRootOfFile(path, error, &size);
    std::remove(path.c_str());
    BOOST_REQUIRE(root);
    BOOST_CHECK_EQUAL(size, data.size());
    BOOST_CHECK_EQUAL(root->ToHexBytes(), "42d6625a74ab8378e22fca4c381ff41a0d3cf1ecbccbc3d6c00a7f0a0b76d49d");
    BOOST_CHECK(!Bep52PiecesRootOfFile(path + ".missing", error));
    BOOST_CHECK(!error.empty());
}

BOOST_AUTO_TEST_SUITE_END()
