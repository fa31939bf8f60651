// CTxMemPool: add/remove, ancestor/descendant totals, conflicts, block removal,
// eviction under -maxmempool and the rising minimum fee, chain limits.
#include <node/mempool.h>
#include <node/validationinterface.h>
#include <test/util/setup.h>
#include <test/util/tx_builders.h>

#include <boost/test/unit_test.hpp>

#include <memory>

namespace {

CTransactionRef MakeTx(const std::vector<COutPoint>& prevouts, unsigned n_out, uint32_t tag)
{
    return MakeShapedTx(prevouts, n_out, tag);
}

COutPoint Confirmed(uint32_t i)
{
    uint256 h;
    h.data()[0] = 0xcc;
    h.data()[1] = uint8_t(i);
    h.data()[2] = uint8_t(i >> 8);
    return COutPoint(h, 0);
}

// Records the pool's events as a SYNCHRONOUS observer of its signals.
struct PoolEvents : node::ChainstateObserver {
    std::vector<std::pair<uint256, uint64_t>> added;
    struct Removed {
        CTransactionRef tx;
        MemPoolRemovalReason reason;
        uint64_t sequence;
    };
    std::vector<Removed> removed;
    std::vector<uint64_t> sequences; //!< every event's sequence number, in event order
    void TransactionAddedToMempool(const CTransactionRef& tx, uint64_t seq) override
    {
        added.emplace_back(tx->GetTxid(), seq);
        sequences.push_back(seq);
    }
    void TransactionRemovedFromMempool(const CTransactionRef& tx, MemPoolRemovalReason r, uint64_t seq) override
    {
        removed.push_back({tx, r, seq});
        sequences.push_back(seq);
    }
};

MemPoolOptions Observed(node::ValidationSignals& signals)
{
    MemPoolOptions opts;
    opts.signals = &signals;
    return opts;
}

CTxMemPoolEntry Entry(const CTransactionRef& tx, CAmount fee, int64_t time = 1000)
{
    return CTxMemPoolEntry(tx, fee, time, 1, false);
}

struct MockClock {
    std::shared_ptr<int64_t> now = std::make_shared<int64_t>(1000000);
    MemPoolOptions Options()
    {
        MemPoolOptions o;
        auto p = now;
        o.clock = [p] { return *p; };
        return o;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(mempool_tests)

BOOST_AUTO_TEST_CASE(add_and_ancestor_accounting)
{
    CTxMemPool pool;
    auto a = MakeTx({Confirmed(1)}, 2, 1);
    auto b = MakeTx({COutPoint(a->GetTxid(), 0)}, 1, 2);
    auto c = MakeTx({COutPoint(b->GetTxid(), 0)}, 1, 3);
    auto d = MakeTx({COutPoint(a->GetTxid(), 1)}, 1, 4);
    pool.AddUnchecked(Entry(a, 100));
    pool.AddUnchecked(Entry(b, 200));
    pool.AddUnchecked(Entry(c, 300));
    pool.AddUnchecked(Entry(d, 400));
    pool.Check();

    BOOST_CHECK_EQUAL(pool.Size(), 4U);
    BOOST_CHECK_EQUAL(pool.TotalFee(), 1000);
    BOOST_CHECK(pool.ExistsWtxid(c->GetWtxid()));
    auto ea = pool.GetEntry(a->GetTxid());
    BOOST_REQUIRE(ea);
    BOOST_CHECK_EQUAL(ea->GetCountWithDescendants(), 4U);
    BOOST_CHECK_EQUAL(ea->GetFeesWithDescendants(), 1000);
    BOOST_CHECK_EQUAL(ea->GetCountWithAncestors(), 1U);
    auto ec = pool.GetEntry(c->GetTxid());
    BOOST_CHECK_EQUAL(ec->GetCountWithAncestors(), 3U);
    BOOST_CHECK_EQUAL(ec->GetFeesWithAncestors(), 600);
    BOOST_CHECK_EQUAL(ec->GetSizeWithAncestors(), ea->GetVSize() + pool.GetEntry(b->GetTxid())->GetVSize() + ec->GetVSize());
    BOOST_CHECK(pool.CalculateAncestors(c->GetTxid()) == (std::set<uint256>{a->GetTxid(), b->GetTxid()}));
    BOOST_CHECK(pool.CalculateDescendants(a->GetTxid()) == (std::set<uint256>{b->GetTxid(), c->GetTxid(), d->GetTxid()}));

    // Spent outpoints are tracked for conflict detection.
    BOOST_CHECK(pool.GetSpender(COutPoint(a->GetTxid(), 1)) == d->GetTxid());
    BOOST_CHECK(!pool.GetSpender(COutPoint(c->GetTxid(), 0)));
    BOOST_CHECK(pool.GetUnconfirmedOutput(COutPoint(a->GetTxid(), 1)).has_value());
    BOOST_CHECK(!pool.GetUnconfirmedOutput(COutPoint(a->GetTxid(), 2)).has_value());

    // Removing b takes c with it; a's totals shrink.
    pool.RemoveRecursive(*b, MemPoolRemovalReason::CONFLICT);
    pool.Check();
    BOOST_CHECK_EQUAL(pool.Size(), 2U);
    BOOST_CHECK(!pool.Exists(c->GetTxid()));
    BOOST_CHECK_EQUAL(pool.GetEntry(a->GetTxid())->GetCountWithDescendants(), 2U);
    BOOST_CHECK_EQUAL(pool.GetEntry(a->GetTxid())->GetFeesWithDescendants(), 500);
}

BOOST_AUTO_TEST_CASE(remove_for_block_confirmed_and_conflicts)
{
    node::ValidationSignals signals;
    PoolEvents events;
    signals.Register(&events);
    CTxMemPool pool(Observed(signals));
    auto& added = events.added;
    auto& removed = events.removed;
    auto a = MakeTx({Confirmed(1)}, 2, 1);
    auto b = MakeTx({COutPoint(a->GetTxid(), 0)}, 1, 2);
    auto d = MakeTx({COutPoint(a->GetTxid(), 1)}, 1, 3);
    auto e = MakeTx({COutPoint(d->GetTxid(), 0)}, 1, 4);
    auto other = MakeTx({Confirmed(2)}, 1, 5);
    pool.AddUnchecked(Entry(a, 100));
    pool.AddUnchecked(Entry(b, 200));
    pool.AddUnchecked(Entry(d, 300));
    pool.AddUnchecked(Entry(e, 400));
    pool.AddUnchecked(Entry(other, 50));
    BOOST_REQUIRE_EQUAL(added.size(), 5U);
    BOOST_CHECK(added[0].first == a->GetTxid());
    BOOST_CHECK(added[4].first == other->GetTxid());

    // The block confirms a and, in a different transaction, spends a:1 (which d spends).
    auto double_spend = MakeTx({COutPoint(a->GetTxid(), 1)}, 1, 99);
    pool.RemoveForBlock({a, double_spend}, 10);
    pool.Check();
    BOOST_CHECK(!pool.Exists(a->GetTxid()));
    BOOST_CHECK(!pool.Exists(d->GetTxid()));
    BOOST_CHECK(!pool.Exists(e->GetTxid()));
    BOOST_CHECK(pool.Exists(b->GetTxid()));
    BOOST_CHECK(pool.Exists(other->GetTxid()));
    // b lost its in-pool parent: it is now a root.
    auto eb = pool.GetEntry(b->GetTxid());
    BOOST_CHECK_EQUAL(eb->GetCountWithAncestors(), 1U);
    BOOST_CHECK(eb->GetParents().empty());
    BOOST_REQUIRE_EQUAL(removed.size(), 3U);
    BOOST_CHECK(removed[0].tx->GetTxid() == a->GetTxid());
    BOOST_CHECK(removed[0].reason == MemPoolRemovalReason::BLOCK);
    BOOST_CHECK(removed[1].reason == MemPoolRemovalReason::CONFLICT);
    BOOST_CHECK(removed[2].reason == MemPoolRemovalReason::CONFLICT);
    BOOST_CHECK_EQUAL(pool.TotalFee(), 250);
    signals.Unregister(&events);
}

BOOST_AUTO_TEST_CASE(signals_carry_gapless_sequence_numbers)
{
    node::ValidationSignals signals;
    PoolEvents events;
    signals.Register(&events);
    CTxMemPool pool(Observed(signals));
    auto a = MakeTx({Confirmed(1)}, 2, 1);
    auto b = MakeTx({COutPoint(a->GetTxid(), 0)}, 1, 2);
    auto c = MakeTx({COutPoint(a->GetTxid(), 1)}, 1, 3);
    auto old_tx = MakeTx({Confirmed(2)}, 1, 4);
    auto young = MakeTx({Confirmed(3)}, 1, 5);
    pool.AddUnchecked(Entry(a, 100, 5000));
    pool.AddUnchecked(Entry(b, 100, 5000));
    pool.AddUnchecked(Entry(c, 100, 5000));
    pool.AddUnchecked(Entry(old_tx, 100, 1000));
    pool.AddUnchecked(Entry(young, 100, 5000));
    // A block confirms a and spends a:1 elsewhere (c conflicts); b stays.
    auto double_spend = MakeTx({COutPoint(a->GetTxid(), 1)}, 1, 99);
    pool.RemoveForBlock({a, double_spend}, 10);
    BOOST_CHECK_EQUAL(pool.Expire(2000), 1U);

    BOOST_REQUIRE_EQUAL(events.added.size(), 5U);
    BOOST_REQUIRE_EQUAL(events.removed.size(), 3U);
    BOOST_CHECK(events.removed[0].tx->GetTxid() == a->GetTxid());
    BOOST_CHECK(events.removed[0].reason == MemPoolRemovalReason::BLOCK);
    BOOST_CHECK(events.removed[1].tx->GetTxid() == c->GetTxid());
    BOOST_CHECK(events.removed[1].reason == MemPoolRemovalReason::CONFLICT);
    BOOST_CHECK(events.removed[2].tx->GetTxid() == old_tx->GetTxid());
    BOOST_CHECK(events.removed[2].reason == MemPoolRemovalReason::EXPIRY);
    // One step per change, the last equal to what getrawmempool reports.
    BOOST_REQUIRE_EQUAL(events.sequences.size(), 8U);
    for (size_t i = 1; i < events.sequences.size(); ++i) BOOST_CHECK_EQUAL(events.sequences[i], events.sequences[i - 1] + 1);
    BOOST_CHECK_EQUAL(events.sequences.back(), pool.GetSequence());
    signals.Unregister(&events);
}

BOOST_AUTO_TEST_CASE(remove_recursive_of_tx_not_in_pool)
{
    CTxMemPool pool;
    auto parent = MakeTx({Confirmed(1)}, 1, 1);
    auto child = MakeTx({COutPoint(parent->GetTxid(), 0)}, 1, 2);
    auto grandchild = MakeTx({COutPoint(child->GetTxid(), 0)}, 1, 3);
    pool.AddUnchecked(Entry(child, 10));
    pool.AddUnchecked(Entry(grandchild, 10));
    pool.RemoveRecursive(*parent, MemPoolRemovalReason::REORG);
    pool.Check();
    BOOST_CHECK_EQUAL(pool.Size(), 0U);
}

BOOST_AUTO_TEST_CASE(parent_added_after_child_links_both)
{
    // After a reorg a disconnected block's transaction re-enters under its already-pooled child.
    CTxMemPool pool;
    auto parent = MakeTx({Confirmed(1)}, 1, 1);
    auto child = MakeTx({COutPoint(parent->GetTxid(), 0)}, 1, 2);
    pool.AddUnchecked(Entry(child, 500));
    pool.AddUnchecked(Entry(parent, 100));
    pool.Check();
    BOOST_CHECK_EQUAL(pool.GetEntry(child->GetTxid())->GetCountWithAncestors(), 2U);
    BOOST_CHECK_EQUAL(pool.GetEntry(parent->GetTxid())->GetFeesWithDescendants(), 600);
}

BOOST_AUTO_TEST_CASE(ancestor_score_order)
{
    CTxMemPool pool;
    auto low = MakeTx({Confirmed(1)}, 1, 1);
    auto high = MakeTx({Confirmed(2)}, 1, 2);
    auto mid = MakeTx({Confirmed(3)}, 1, 3);
    pool.AddUnchecked(Entry(low, 100));
    pool.AddUnchecked(Entry(high, 10000));
    pool.AddUnchecked(Entry(mid, 1000));
    auto order = pool.EntriesByAncestorScore();
    BOOST_REQUIRE_EQUAL(order.size(), 3U);
    BOOST_CHECK(order[0].GetTxid() == high->GetTxid());
    BOOST_CHECK(order[1].GetTxid() == mid->GetTxid());
    BOOST_CHECK(order[2].GetTxid() == low->GetTxid());
}

BOOST_AUTO_TEST_CASE(eviction_lowest_descendant_score_and_min_fee)
{
    MockClock clock;
    CTxMemPool pool(clock.Options());
    auto cheap_parent = MakeTx({Confirmed(1)}, 1, 1);
    auto rich_child = MakeTx({COutPoint(cheap_parent->GetTxid(), 0)}, 1, 2);
    auto medium = MakeTx({Confirmed(2)}, 1, 3);
    auto low = MakeTx({Confirmed(3)}, 1, 4);
    pool.AddUnchecked(Entry(cheap_parent, 0));
    pool.AddUnchecked(Entry(rich_child, 100000)); // the package pays well
    pool.AddUnchecked(Entry(medium, 5000));
    pool.AddUnchecked(Entry(low, 200));
    BOOST_CHECK(pool.GetMinFee() == CFeeRate(0));

    const size_t one = pool.GetEntry(low->GetTxid())->DynamicMemoryUsage();
    // Room for all but one entry: the lowest descendant score goes, not the zero-fee parent.
    auto evicted = pool.TrimToSize(pool.DynamicMemoryUsage() - one / 2);
    pool.Check();
    BOOST_REQUIRE_EQUAL(evicted.size(), 1U);
    BOOST_CHECK(evicted[0] == low->GetTxid());
    BOOST_CHECK(pool.Exists(cheap_parent->GetTxid()));
    const int64_t low_vsize = TxVSize(*low);
    const CAmount expected_min = CFeeRate::FromFee(200, low_vsize).GetFeePerK() + DEFAULT_INCREMENTAL_RELAY_FEE;
    // No block since the bump: the minimum fee holds at the evicted rate + incremental.
    BOOST_CHECK_EQUAL(pool.GetMinFee().GetFeePerK(), expected_min);
    *clock.now += ROLLING_FEE_HALFLIFE * 10;
    BOOST_CHECK_EQUAL(pool.GetMinFee().GetFeePerK(), expected_min);

    // Next eviction removes medium (5000) before the parent+child package.
    evicted = pool.TrimToSize(pool.DynamicMemoryUsage() - 1);
    BOOST_REQUIRE_EQUAL(evicted.size(), 1U);
    BOOST_CHECK(evicted[0] == medium->GetTxid());
    // Then the whole package goes together.
    evicted = pool.TrimToSize(0);
    BOOST_CHECK_EQUAL(evicted.size(), 2U);
    BOOST_CHECK_EQUAL(pool.Size(), 0U);
    pool.Check();
}

BOOST_AUTO_TEST_CASE(min_fee_decays_after_blocks)
{
    MockClock clock;
    MemPoolOptions opts = clock.Options();
    opts.max_size_bytes = 1; // usage 0 is never below 1/4 or 1/2 of 1 (integer): full half-life
    CTxMemPool pool(opts);
    auto tx = MakeTx({Confirmed(1)}, 1, 1);
    pool.AddUnchecked(Entry(tx, 100000));
    pool.TrimToSize(0);
    const CAmount bumped = pool.GetMinFee().GetFeePerK();
    BOOST_CHECK(bumped > 100000);
    pool.RemoveForBlock({}, 1); // a block arrives: decay starts
    BOOST_CHECK_EQUAL(pool.GetMinFee().GetFeePerK(), bumped);
    *clock.now += ROLLING_FEE_HALFLIFE;
    BOOST_CHECK_EQUAL(pool.GetMinFee().GetFeePerK(), bumped / 2);
    *clock.now += ROLLING_FEE_HALFLIFE * 40;
    BOOST_CHECK_EQUAL(pool.GetMinFee().GetFeePerK(), 0);
}

BOOST_AUTO_TEST_CASE(expire_removes_old_with_descendants)
{
    CTxMemPool pool;
    auto old_tx = MakeTx({Confirmed(1)}, 1, 1);
    auto young_child = MakeTx({COutPoint(old_tx->GetTxid(), 0)}, 1, 2);
    auto young = MakeTx({Confirmed(2)}, 1, 3);
    pool.AddUnchecked(Entry(old_tx, 10, 100));
    pool.AddUnchecked(Entry(young_child, 10, 500));
    pool.AddUnchecked(Entry(young, 10, 500));
    BOOST_CHECK_EQUAL(pool.Expire(200), 2U);
    BOOST_CHECK(pool.Exists(young->GetTxid()));
    BOOST_CHECK_EQUAL(pool.Size(), 1U);
    pool.Check();
}

BOOST_AUTO_TEST_CASE(chain_limits)
{
    CTxMemPool pool;
    std::vector<CTransactionRef> chain{MakeTx({Confirmed(1)}, 1, 0)};
    pool.AddUnchecked(Entry(chain[0], 1000));
    MemPoolLimits limits;
    std::string reason, debug;
    for (uint32_t i = 1; i < 25; ++i) {
        auto tx = MakeTx({COutPoint(chain.back()->GetTxid(), 0)}, 1, i);
        BOOST_REQUIRE(pool.CheckPackageLimits(*tx, TxVSize(*tx), limits, reason, debug));
        pool.AddUnchecked(Entry(tx, 1000));
        chain.push_back(tx);
    }
    pool.Check();
    auto too_long = MakeTx({COutPoint(chain.back()->GetTxid(), 0)}, 1, 100);
    BOOST_CHECK(!pool.CheckPackageLimits(*too_long, TxVSize(*too_long), limits, reason, debug));
    BOOST_CHECK_EQUAL(reason, "too-long-mempool-chain");
    BOOST_CHECK_EQUAL(debug, "too many unconfirmed ancestors [limit: 25]");

    // Descendant limit of an ancestor: a parent with 24 children refuses a 25th... no, a 25th
    // descendant is the limit (count includes the parent itself).
    CTxMemPool wide;
    auto root = MakeTx({Confirmed(7)}, 30, 7);
    wide.AddUnchecked(Entry(root, 1000));
    for (uint32_t i = 0; i < 24; ++i) wide.AddUnchecked(Entry(MakeTx({COutPoint(root->GetTxid(), i)}, 1, 200 + i), 1000));
    auto extra = MakeTx({COutPoint(root->GetTxid(), 29)}, 1, 300);
    BOOST_CHECK(!wide.CheckPackageLimits(*extra, TxVSize(*extra), limits, reason, debug));
    BOOST_CHECK_EQUAL(debug, "too many descendants for tx " + root->GetTxid().GetHex() + " [limit: 25]");

    limits.ancestor_size_vbytes = TxVSize(*chain[0]);
    auto child = MakeTx({COutPoint(chain[0]->GetTxid(), 0)}, 1, 400);
    CTxMemPool single;
    single.AddUnchecked(Entry(chain[0], 1000));
    BOOST_CHECK(!single.CheckPackageLimits(*child, TxVSize(*child), limits, reason, debug));
    BOOST_CHECK(debug.find("exceeds ancestor size limit") == 0);
}

BOOST_AUTO_TEST_CASE(feerate_arithmetic)
{
    CFeeRate rate(1000);
    BOOST_CHECK_EQUAL(rate.GetFee(250), 250);
    BOOST_CHECK_EQUAL(CFeeRate(1).GetFee(100), 1); // rounds up: never free at a positive rate
    BOOST_CHECK_EQUAL(CFeeRate::FromFee(141, 141).GetFeePerK(), 1000);
    BOOST_CHECK_EQUAL(CFeeRate::FromFee(1, 3).GetFeePerK(), 333);
    BOOST_CHECK_EQUAL(VSizeFromWeight(401), 101);
    BOOST_CHECK_EQUAL(CFeeRate(1234).ToString(), "0.00001234 ODA/kvB");
    BOOST_CHECK(CompareFeeRates(1, 3, 2, 6) == 0);
    BOOST_CHECK(CompareFeeRates(1, 3, 2, 5) < 0);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {
/** A fixed set of confirmed coins. */
class MapCoinsView : public node::CoinsView
{
public:
    std::map<COutPoint, Coin> coins;
    std::optional<Coin> GetCoin(const COutPoint& o) const override
    {
        auto it = coins.find(o);
        if (it == coins.end()) return std::nullopt;
        return it->second;
    }
    uint256 GetBestBlock() const override { return uint256(); }
};
} // namespace

BOOST_AUTO_TEST_SUITE(mempool_coins_view_tests)

BOOST_AUTO_TEST_CASE(sees_unconfirmed_outputs)
{
    MapCoinsView base;
    base.coins[Confirmed(1)] = Coin(CTxOut(5000, ScriptBytes(34, 0x51)), 7, true);
    CTxMemPool pool;
    auto tx = MakeTx({Confirmed(1)}, 2, 1);
    pool.AddUnchecked(Entry(tx, 10));
    CoinsViewMemPool view(&base, pool);
    auto confirmed = view.GetCoin(Confirmed(1));
    BOOST_REQUIRE(confirmed);
    BOOST_CHECK_EQUAL(confirmed->height, 7U);
    auto unconfirmed = view.GetCoin(COutPoint(tx->GetTxid(), 1));
    BOOST_REQUIRE(unconfirmed);
    BOOST_CHECK_EQUAL(unconfirmed->height, MEMPOOL_HEIGHT);
    BOOST_CHECK(!unconfirmed->coinbase);
    BOOST_CHECK(unconfirmed->out == tx->vout[1]);
    BOOST_CHECK(!view.HaveCoin(COutPoint(tx->GetTxid(), 2)));
    BOOST_CHECK(!view.HaveCoin(Confirmed(2)));
}

BOOST_AUTO_TEST_SUITE_END()
