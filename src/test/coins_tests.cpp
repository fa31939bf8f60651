#include <node/coins.h>
#include <node/coinsdb.h>
#include <test/util/tempdir.h>

#include <boost/test/unit_test.hpp>

#include <map>

using namespace node;

BOOST_AUTO_TEST_SUITE(coins_tests)

namespace {

/** A plain map view standing in for the database. */
class MapView : public CoinsView
{
public:
    std::map<COutPoint, Coin> coins;
    uint256 best;
    int batch_writes{0};
    std::optional<Coin> GetCoin(const COutPoint& o) const override
    {
        auto it = coins.find(o);
        if (it == coins.end()) return std::nullopt;
        return it->second;
    }
    uint256 GetBestBlock() const override { return best; }
    void BatchWrite(CoinsMap& map, const uint256& b) override
    {
        ++batch_writes;
        for (auto& [o, e] : map) {
            if (!(e.flags & CoinsCacheEntry::DIRTY)) continue;
            if (e.coin.IsSpent()) coins.erase(o); else coins[o] = e.coin;
        }
        map.clear();
        best = b;
    }
};

COutPoint Out(uint8_t tag, uint32_t n)
{
    uint256 h;
    h.data()[0] = tag;
    return COutPoint(h, n);
}

Coin MakeCoin(CAmount value, uint32_t height)
{
    ScriptBytes spk(34, 0x11);
    spk[0] = 0x51;
    spk[1] = 0x20;
    return Coin(CTxOut(value, spk), height, false);
}

uint256 Hash(uint8_t n)
{
    uint256 h;
    h.data()[5] = n;
    return h;
}

} // namespace

BOOST_AUTO_TEST_CASE(spend_of_fresh_coin_never_reaches_parent)
{
    MapView base;
    CoinsViewCache cache(&base);
    cache.AddCoin(Out(1, 0), MakeCoin(100, 1), false);
    BOOST_CHECK(cache.HaveCoin(Out(1, 0)));
    Coin spent;
    BOOST_CHECK(cache.SpendCoin(Out(1, 0), &spent));
    BOOST_CHECK_EQUAL(spent.out.value, 100);
    // FRESH + spent is simply erased: the cache holds nothing to write.
    BOOST_CHECK_EQUAL(cache.CacheSize(), 0U);
    BOOST_CHECK(!cache.SpendCoin(Out(1, 0)));
    cache.SetBestBlock(Hash(1));
    cache.Flush();
    BOOST_CHECK(base.coins.empty());
    BOOST_CHECK(base.best == Hash(1));
}

BOOST_AUTO_TEST_CASE(spend_of_parent_coin_is_dirty_and_erases_on_flush)
{
    MapView base;
    base.coins[Out(2, 1)] = MakeCoin(5, 3);
    CoinsViewCache cache(&base);
    BOOST_CHECK(cache.GetCoin(Out(2, 1)).has_value());
    BOOST_CHECK(cache.SpendCoin(Out(2, 1)));
    BOOST_CHECK(!cache.GetCoin(Out(2, 1)).has_value());
    BOOST_CHECK_EQUAL(cache.CacheSize(), 1U); // the spend must be remembered
    BOOST_CHECK(base.coins.count(Out(2, 1)));  // not yet written
    cache.Flush();
    BOOST_CHECK(!base.coins.count(Out(2, 1)));
}

BOOST_AUTO_TEST_CASE(respend_after_spend_is_not_fresh)
{
    MapView base;
    base.coins[Out(3, 0)] = MakeCoin(5, 3);
    CoinsViewCache cache(&base);
    BOOST_CHECK(cache.SpendCoin(Out(3, 0)));
    // Re-adding (as a disconnect would) must overwrite the parent's copy, so not FRESH:
    cache.AddCoin(Out(3, 0), MakeCoin(6, 4), false);
    BOOST_CHECK(cache.SpendCoin(Out(3, 0)));
    BOOST_CHECK_EQUAL(cache.CacheSize(), 1U);
    cache.Flush();
    BOOST_CHECK(!base.coins.count(Out(3, 0)));
}

BOOST_AUTO_TEST_CASE(add_over_unspent_throws_unless_allowed)
{
    MapView base;
    CoinsViewCache cache(&base);
    cache.AddCoin(Out(4, 0), MakeCoin(1, 1), false);
    BOOST_CHECK_THROW(cache.AddCoin(Out(4, 0), MakeCoin(2, 1), false), std::logic_error);
    cache.AddCoin(Out(4, 0), MakeCoin(2, 1), true);
    BOOST_CHECK_EQUAL(cache.GetCoin(Out(4, 0))->out.value, 2);
}

BOOST_AUTO_TEST_CASE(op_return_outputs_not_added)
{
    MapView base;
    CoinsViewCache cache(&base);
    Coin c(CTxOut(0, ScriptBytes{0x6a, 0x01, 0x00}), 1, false);
    cache.AddCoin(Out(5, 0), c, false);
    BOOST_CHECK(!cache.HaveCoin(Out(5, 0)));
}

BOOST_AUTO_TEST_CASE(nested_caches_flush_into_each_other)
{
    MapView base;
    base.coins[Out(6, 0)] = MakeCoin(10, 1);
    CoinsViewCache tip(&base);
    {
        CoinsViewCache block(&tip);
        BOOST_CHECK(block.SpendCoin(Out(6, 0)));
        block.AddCoin(Out(7, 0), MakeCoin(9, 2), false);
        block.SetBestBlock(Hash(2));
        block.Flush();
    }
    BOOST_CHECK(!tip.HaveCoin(Out(6, 0)));
    BOOST_CHECK(tip.HaveCoin(Out(7, 0)));
    BOOST_CHECK(tip.GetBestBlock() == Hash(2));
    BOOST_CHECK(base.coins.count(Out(6, 0))); // base untouched until tip flushes
    {
        // A discarded child cache changes nothing.
        CoinsViewCache block(&tip);
        BOOST_CHECK(block.SpendCoin(Out(7, 0)));
    }
    BOOST_CHECK(tip.HaveCoin(Out(7, 0)));
    // Created then spent across two layers never touches the base.
    {
        CoinsViewCache block(&tip);
        BOOST_CHECK(block.SpendCoin(Out(7, 0)));
        block.Flush();
    }
    tip.Flush();
    BOOST_CHECK(base.coins.empty());
    BOOST_CHECK_EQUAL(base.batch_writes, 1);
    BOOST_CHECK(base.best == Hash(2));
}

BOOST_AUTO_TEST_CASE(db_flush_then_reload_equals)
{
    TempDir dir("coins");
    std::map<COutPoint, Coin> expect;
    {
        CoinsViewDB db(DBOptions{dir.Path("chainstate")});
        CoinsViewCache cache(&db);
        for (uint32_t i = 0; i < 50; ++i) {
            cache.AddCoin(Out(8, i), MakeCoin(1000 + i, i), false);
            expect[Out(8, i)] = MakeCoin(1000 + i, i);
        }
        for (uint32_t i = 0; i < 50; i += 3) {
            BOOST_CHECK(cache.SpendCoin(Out(8, i)));
            expect.erase(Out(8, i));
        }
        cache.SetBestBlock(Hash(9));
        BOOST_CHECK(cache.DynamicMemoryUsage() > 0);
        cache.Flush();
        BOOST_CHECK_EQUAL(cache.CacheSize(), 0U);
        // Spend a flushed coin from a second cache, flush again.
        CoinsViewCache cache2(&db);
        BOOST_CHECK(cache2.SpendCoin(Out(8, 1)));
        expect.erase(Out(8, 1));
        cache2.SetBestBlock(Hash(10));
        cache2.Flush();
    }
    CoinsViewDB db(DBOptions{dir.Path("chainstate")});
    BOOST_CHECK(db.GetBestBlock() == Hash(10));
    std::map<COutPoint, Coin> got;
    for (auto cursor = db.Cursor(); cursor->Valid(); cursor->Next()) {
        COutPoint o;
        Coin c;
        BOOST_REQUIRE(cursor->GetKey(o));
        BOOST_REQUIRE(cursor->GetValue(c));
        got[o] = c;
    }
    BOOST_CHECK(got == expect);
    BOOST_CHECK(db.HaveCoin(Out(8, 2)));
    BOOST_CHECK(!db.HaveCoin(Out(8, 3)));
}

BOOST_AUTO_TEST_SUITE_END()
