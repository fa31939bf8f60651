// Orphan pool bounds, resolution by parent, and removal.
#include <net/orphanage.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

using namespace net;

namespace {
CTransactionRef MakeChild(const uint256& parent, uint32_t n, uint8_t tag, size_t script_size = 34)
{
    CMutableTransaction tx;
    CTxIn in;
    in.prevout = COutPoint{parent, n};
    tx.vin.push_back(in);
    CTxOut out;
    out.value = 1000;
    out.script_pubkey.assign(script_size, tag);
    tx.vout.push_back(out);
    return MakeTransactionRef(tx);
}
uint256 Hash(uint8_t b)
{
    uint256 h;
    h.data()[0] = b;
    h.data()[31] = 1;
    return h;
}
} // namespace

BOOST_AUTO_TEST_SUITE(orphanage_tests)

BOOST_AUTO_TEST_CASE(bounded_at_100)
{
    TxOrphanage o;
    for (int i = 0; i < 250; ++i) {
        BOOST_CHECK(o.AddTx(MakeChild(Hash(i % 256), i, i & 0xff), i % 5, 1000));
        BOOST_CHECK_LE(o.Size(), 100U);
    }
    BOOST_CHECK_EQUAL(o.Size(), 100U);
}

BOOST_AUTO_TEST_CASE(children_and_erase)
{
    TxOrphanage o;
    const uint256 parent = Hash(1);
    auto c1 = MakeChild(parent, 0, 1);
    auto c2 = MakeChild(parent, 3, 2);
    auto other = MakeChild(Hash(2), 0, 3);
    BOOST_CHECK(o.AddTx(c1, 7, 1000));
    BOOST_CHECK(!o.AddTx(c1, 8, 1000)); // duplicate
    BOOST_CHECK(o.AddTx(c2, 8, 1000));
    BOOST_CHECK(o.AddTx(other, 7, 1000));
    auto children = o.GetChildren(parent);
    BOOST_CHECK_EQUAL(children.size(), 2U);
    BOOST_CHECK(o.GetChildren(Hash(9)).empty());
    BOOST_CHECK_EQUAL(o.EraseForPeer(7), 2U);
    BOOST_CHECK(!o.Have(c1->GetTxid()));
    BOOST_CHECK(o.Have(c2->GetTxid()));
    // Expiry
    BOOST_CHECK_EQUAL(o.Expire(1000 + TxOrphanage::ORPHAN_TX_EXPIRE - 1), 0U);
    BOOST_CHECK_EQUAL(o.Expire(1000 + TxOrphanage::ORPHAN_TX_EXPIRE), 1U);
    BOOST_CHECK_EQUAL(o.Size(), 0U);
    // A block spending the same outpoint removes the conflicting orphan.
    BOOST_CHECK(o.AddTx(c1, 7, 1000));
    CBlock block;
    block.vtx.push_back(MakeChild(parent, 0, 9));
    BOOST_CHECK_EQUAL(o.EraseForBlock(block), 1U);
    BOOST_CHECK_EQUAL(o.Size(), 0U);
}

BOOST_AUTO_TEST_CASE(heavy_refused)
{
    TxOrphanage o;
    BOOST_CHECK(!o.AddTx(MakeChild(Hash(1), 0, 1, 200000), 1, 0));
    BOOST_CHECK_EQUAL(o.Size(), 0U);
}

BOOST_AUTO_TEST_SUITE_END()
