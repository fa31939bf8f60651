// Block assembly: package selection (child pays for parent), weight limit,
// finality, minimum package fee rate; and (with the chainstate) block templates.
#include <node/block_selection.h>
#include <node/mempool.h>
#include <test/util/setup.h>
#include <test/util/tx_builders.h>

#include <boost/test/unit_test.hpp>

namespace {

CTransactionRef MakeTx(const std::vector<COutPoint>& prevouts, unsigned n_out, uint32_t tag)
{
    return MakeShapedTx(prevouts, n_out, tag);
}

COutPoint Confirmed(uint32_t i)
{
    uint256 h;
    h.data()[0] = 0xdd;
    h.data()[1] = uint8_t(i);
    return COutPoint(h, 0);
}

void Add(CTxMemPool& pool, const CTransactionRef& tx, CAmount fee)
{
    pool.AddUnchecked(CTxMemPoolEntry(tx, fee, 1000, 1, false));
}

std::vector<uint256> Txids(const BlockSelection& sel)
{
    std::vector<uint256> out;
    for (const SelectedTx& s : sel.txs) out.push_back(s.tx->GetTxid());
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(miner_tests)

BOOST_AUTO_TEST_CASE(child_pays_for_parent)
{
    CTxMemPool pool;
    auto parent = MakeTx({Confirmed(1)}, 1, 1);
    auto child = MakeTx({COutPoint(parent->GetTxid(), 0)}, 1, 2);
    auto medium = MakeTx({Confirmed(2)}, 1, 3);
    auto cheap = MakeTx({Confirmed(3)}, 1, 4);
    const int64_t vs = TxVSize(*medium);
    Add(pool, parent, 0);               // pays nothing alone
    Add(pool, child, 100 * vs);          // package rate 50/vB
    Add(pool, medium, 20 * vs);          // 20/vB
    Add(pool, cheap, 2 * vs);            // 2/vB
    BlockSelectionOptions opts;
    BlockSelection sel = SelectBlockTransactions(pool, opts);
    std::vector<uint256> expected{parent->GetTxid(), child->GetTxid(), medium->GetTxid(), cheap->GetTxid()};
    BOOST_CHECK(Txids(sel) == expected);
    BOOST_CHECK_EQUAL(sel.total_fees, 122 * vs);
    BOOST_REQUIRE_EQUAL(sel.txs[1].depends.size(), 1U);
    BOOST_CHECK_EQUAL(sel.txs[1].depends[0], 0U);
    BOOST_CHECK(sel.txs[0].depends.empty());
    int64_t weight = 0;
    for (const auto& s : sel.txs) weight += s.weight;
    BOOST_CHECK_EQUAL(sel.total_weight, weight);

    // Without the child the zero-fee parent is below -blockmintxfee and stays out.
    pool.RemoveRecursive(*child, MemPoolRemovalReason::CONFLICT);
    sel = SelectBlockTransactions(pool, opts);
    expected = {medium->GetTxid(), cheap->GetTxid()};
    BOOST_CHECK(Txids(sel) == expected);
}

BOOST_AUTO_TEST_CASE(ancestor_already_in_block_lowers_package)
{
    // a (high fee) -> b (low fee); c independent, between the two. Order: a, c, b.
    CTxMemPool pool;
    auto a = MakeTx({Confirmed(1)}, 1, 1);
    auto b = MakeTx({COutPoint(a->GetTxid(), 0)}, 1, 2);
    auto c = MakeTx({Confirmed(2)}, 1, 3);
    const int64_t vs = TxVSize(*c);
    Add(pool, a, 100 * vs);
    Add(pool, b, 5 * vs);
    Add(pool, c, 10 * vs);
    BlockSelection sel = SelectBlockTransactions(pool, {});
    std::vector<uint256> expected{a->GetTxid(), c->GetTxid(), b->GetTxid()};
    BOOST_CHECK(Txids(sel) == expected);
}

BOOST_AUTO_TEST_CASE(respects_weight_limit)
{
    CTxMemPool pool;
    std::vector<CTransactionRef> txs;
    for (uint32_t i = 0; i < 10; ++i) {
        txs.push_back(MakeTx({Confirmed(i)}, 1, i));
        Add(pool, txs.back(), 1000 * (i + 1));
    }
    const int64_t w = TxWeight(*txs[0]);
    BlockSelectionOptions opts;
    opts.max_weight = w * 3 + w / 2; // room for three
    BlockSelection sel = SelectBlockTransactions(pool, opts);
    BOOST_REQUIRE_EQUAL(sel.txs.size(), 3U);
    BOOST_CHECK(sel.total_weight <= opts.max_weight);
    // The three best payers.
    BOOST_CHECK(sel.txs[0].tx->GetTxid() == txs[9]->GetTxid());
    BOOST_CHECK(sel.txs[1].tx->GetTxid() == txs[8]->GetTxid());
    BOOST_CHECK(sel.txs[2].tx->GetTxid() == txs[7]->GetTxid());

    // A package that does not fit is skipped, a smaller one behind it still goes in.
    CTxMemPool pool2;
    auto big_parent = MakeTx({Confirmed(50)}, 1, 50);
    auto big_child = MakeTx({COutPoint(big_parent->GetTxid(), 0)}, 1, 51);
    auto small = MakeTx({Confirmed(52)}, 1, 52);
    Add(pool2, big_parent, 1000);
    Add(pool2, big_child, 100000);
    Add(pool2, small, 2000);
    opts.max_weight = TxWeight(*small) + TxWeight(*big_parent) / 2;
    sel = SelectBlockTransactions(pool2, opts);
    BOOST_REQUIRE_EQUAL(sel.txs.size(), 1U);
    BOOST_CHECK(sel.txs[0].tx->GetTxid() == small->GetTxid());
}

BOOST_AUTO_TEST_CASE(non_final_excluded_with_descendants)
{
    CTxMemPool pool;
    auto locked = MakeTx({Confirmed(1)}, 1, 777);
    auto child = MakeTx({COutPoint(locked->GetTxid(), 0)}, 1, 2);
    auto other = MakeTx({Confirmed(2)}, 1, 3);
    Add(pool, locked, 5000);
    Add(pool, child, 5000);
    Add(pool, other, 1000);
    BlockSelectionOptions opts;
    opts.is_final = [](const CTransaction& tx) { return tx.lock_time != 777; };
    BlockSelection sel = SelectBlockTransactions(pool, opts);
    BOOST_REQUIRE_EQUAL(sel.txs.size(), 1U);
    BOOST_CHECK(sel.txs[0].tx->GetTxid() == other->GetTxid());
}

BOOST_AUTO_TEST_SUITE_END()
