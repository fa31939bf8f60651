#include <consensus/merkle.h>
#include <crypto/hash.h>

#include <boost/test/unit_test.hpp>

namespace {
uint256 H(const char* display_hex) { return *uint256::FromHex(display_hex); }

uint256 Leaf(uint8_t n)
{
    uint256 h;
    h.data()[0] = n;
    h.data()[31] = 0xa5;
    return h;
}

uint256 Pair(const uint256& a, const uint256& b)
{
    HashWriter hw;
    hw << a << b;
    return hw.GetHash();
}

std::vector<uint256> Leaves(std::initializer_list<uint8_t> ns)
{
    std::vector<uint256> v;
    for (uint8_t n : ns) v.push_back(Leaf(n));
    return v;
}

CTransactionRef TxWithLockTime(uint32_t lock_time, bool witness)
{
    CMutableTransaction mtx;
    mtx.vin.resize(1);
    mtx.vin[0].prevout = COutPoint(Leaf(1), lock_time);
    if (witness) mtx.vin[0].witness.stack = {std::vector<uint8_t>(64, 0x11)};
    mtx.vout.emplace_back(1000, ScriptBytes{0x51});
    mtx.lock_time = lock_time;
    return MakeTransactionRef(std::move(mtx));
}
} // namespace

BOOST_AUTO_TEST_SUITE(merkle_tests)

BOOST_AUTO_TEST_CASE(bitcoin_block_100000)
{
    // Bitcoin mainnet block 100000: four txids and the header's merkle root (public chain data).
    const std::vector<uint256> txids = {
        H("8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87"),
        H("fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4"),
        H("6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4"),
        H("e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d"),
    };
    bool mutated = true;
    BOOST_CHECK_EQUAL(ComputeMerkleRoot(txids, &mutated).GetHex(),
                      "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766");
    BOOST_CHECK(!mutated);
}

BOOST_AUTO_TEST_CASE(shapes)
{
    bool mutated = true;
    BOOST_CHECK(ComputeMerkleRoot({}, &mutated).IsNull());
    BOOST_CHECK(!mutated);
    BOOST_CHECK(ComputeMerkleRoot({Leaf(7)}) == Leaf(7));
    BOOST_CHECK(ComputeMerkleRoot(Leaves({1, 2})) == Pair(Leaf(1), Leaf(2)));
    // Odd count: the last hash is paired with itself.
    BOOST_CHECK(ComputeMerkleRoot(Leaves({1, 2, 3})) == Pair(Pair(Leaf(1), Leaf(2)), Pair(Leaf(3), Leaf(3))));
    const uint256 five = Pair(Pair(Pair(Leaf(1), Leaf(2)), Pair(Leaf(3), Leaf(4))),
                              Pair(Pair(Leaf(5), Leaf(5)), Pair(Leaf(5), Leaf(5))));
    BOOST_CHECK(ComputeMerkleRoot(Leaves({1, 2, 3, 4, 5}), &mutated) == five);
    BOOST_CHECK(!mutated); // padding is not a mutation
}

BOOST_AUTO_TEST_CASE(cve_2012_2459_mutation)
{
    bool mutated = false;
    const uint256 honest = ComputeMerkleRoot(Leaves({1, 2, 3}), &mutated);
    BOOST_CHECK(!mutated);
    // [1,2,3,3] has the same root: detected.
    BOOST_CHECK(ComputeMerkleRoot(Leaves({1, 2, 3, 3}), &mutated) == honest);
    BOOST_CHECK(mutated);
    // Mutation one level up: [1..6] and [1..6,5,6] share a root.
    const uint256 six = ComputeMerkleRoot(Leaves({1, 2, 3, 4, 5, 6}), &mutated);
    BOOST_CHECK(!mutated);
    BOOST_CHECK(ComputeMerkleRoot(Leaves({1, 2, 3, 4, 5, 6, 5, 6}), &mutated) == six);
    BOOST_CHECK(mutated);
    // Equal neighbours that are not a pair (positions 1 and 2) are not a mutation.
    ComputeMerkleRoot(Leaves({1, 2, 2, 3}), &mutated);
    BOOST_CHECK(!mutated);
    // Equal pair at the start is.
    ComputeMerkleRoot(Leaves({1, 1, 2, 3}), &mutated);
    BOOST_CHECK(mutated);
}

BOOST_AUTO_TEST_CASE(block_roots)
{
    CBlock block;
    block.vtx = {TxWithLockTime(1, true), TxWithLockTime(2, true), TxWithLockTime(3, false)};
    std::vector<uint256> txids, wtxids;
    for (const auto& tx : block.vtx) {
        txids.push_back(tx->GetTxid());
        wtxids.push_back(tx->GetWtxid());
    }
    BOOST_CHECK(block.vtx[1]->GetTxid() != block.vtx[1]->GetWtxid());
    BOOST_CHECK(BlockMerkleRoot(block) == ComputeMerkleRoot(txids));
    // Witness root: the first (coinbase) leaf is zero, the others are wtxids.
    wtxids[0] = uint256();
    BOOST_CHECK(BlockWitnessMerkleRoot(block) == ComputeMerkleRoot(wtxids));
    BOOST_CHECK(BlockWitnessMerkleRoot(block) != BlockMerkleRoot(block));
}

BOOST_AUTO_TEST_SUITE_END()
