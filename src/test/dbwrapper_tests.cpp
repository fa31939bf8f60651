#include <node/dbwrapper.h>
#include <test/util/tempdir.h>
#include <uint256.h>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>

using node::DBBatch;
using node::DBError;
using node::DBOptions;
using node::DBWrapper;

BOOST_AUTO_TEST_SUITE(dbwrapper_tests)

static uint256 Num(uint8_t n)
{
    uint256 h;
    h.data()[0] = n;
    h.data()[31] = 0xab;
    return h;
}

BOOST_AUTO_TEST_CASE(read_write_erase_round_trip)
{
    TempDir dir("dbw");
    DBWrapper db(DBOptions{dir.Path("db")});
    BOOST_CHECK(db.IsEmpty());
    db.Write(std::make_pair(uint8_t('k'), Num(1)), std::string("hello"));
    db.Write(uint8_t('n'), uint64_t{0x0102030405060708});
    std::string s;
    uint64_t v = 0;
    BOOST_CHECK(db.Read(std::make_pair(uint8_t('k'), Num(1)), s));
    BOOST_CHECK_EQUAL(s, "hello");
    BOOST_CHECK(db.Read(uint8_t('n'), v));
    BOOST_CHECK_EQUAL(v, 0x0102030405060708ULL);
    BOOST_CHECK(!db.Read(std::make_pair(uint8_t('k'), Num(2)), s));
    BOOST_CHECK(db.Exists(uint8_t('n')));
    db.Erase(uint8_t('n'), true);
    BOOST_CHECK(!db.Exists(uint8_t('n')));
    BOOST_CHECK(!db.IsEmpty());
}

BOOST_AUTO_TEST_CASE(persists_across_reopen)
{
    TempDir dir("dbw");
    {
        DBWrapper db(DBOptions{dir.Path("db")});
        db.Write(uint8_t('x'), Num(7), true);
    }
    DBWrapper db(DBOptions{dir.Path("db")});
    uint256 out;
    BOOST_CHECK(db.Read(uint8_t('x'), out));
    BOOST_CHECK(out == Num(7));
    // wipe = a fresh database
    DBOptions wipe{dir.Path("db2")};
    {
        DBWrapper db2(wipe);
        db2.Write(uint8_t('y'), uint8_t(1));
    }
    wipe.wipe = true;
    DBWrapper db3(wipe);
    BOOST_CHECK(db3.IsEmpty());
}

BOOST_AUTO_TEST_CASE(batch_is_applied_whole)
{
    TempDir dir("dbw");
    DBWrapper db(DBOptions{dir.Path("db")});
    db.Write(uint8_t('a'), uint32_t{1});
    DBBatch batch;
    batch.Write(uint8_t('b'), uint32_t{2});
    batch.Write(uint8_t('c'), uint32_t{3});
    batch.Erase(uint8_t('a'));
    // Nothing visible before the batch is written.
    BOOST_CHECK(!db.Exists(uint8_t('b')));
    BOOST_CHECK(db.Exists(uint8_t('a')));
    BOOST_CHECK(batch.ApproxSize() > 0);
    db.WriteBatch(batch, true);
    uint32_t v = 0;
    BOOST_CHECK(!db.Exists(uint8_t('a')));
    BOOST_CHECK(db.Read(uint8_t('b'), v) && v == 2);
    BOOST_CHECK(db.Read(uint8_t('c'), v) && v == 3);
}

BOOST_AUTO_TEST_CASE(iterator_prefix_seek)
{
    TempDir dir("dbw");
    DBWrapper db(DBOptions{dir.Path("db")});
    for (uint8_t i = 5; i > 0; --i) db.Write(std::make_pair(uint8_t('p'), uint32_t(i)), uint32_t(i * 10));
    db.Write(std::make_pair(uint8_t('a'), uint32_t(9)), uint32_t(0));
    db.Write(std::make_pair(uint8_t('q'), uint32_t(9)), uint32_t(0));
    auto it = db.NewIterator();
    it->Seek(uint8_t('p'));
    std::vector<uint32_t> seen;
    for (; it->Valid(); it->Next()) {
        std::pair<uint8_t, uint32_t> key;
        if (!it->GetKey(key) || key.first != 'p') break;
        uint32_t value = 0;
        BOOST_REQUIRE(it->GetValue(value));
        BOOST_CHECK_EQUAL(value, key.second * 10);
        seen.push_back(key.second);
    }
    // Keys are little-endian, so bytes order 1..5 ascending here.
    BOOST_CHECK((seen == std::vector<uint32_t>{1, 2, 3, 4, 5}));
}

BOOST_AUTO_TEST_CASE(bad_value_throws_clear_error)
{
    TempDir dir("dbw");
    DBWrapper db(DBOptions{dir.Path("db")});
    db.Write(uint8_t('s'), uint8_t(7)); // one byte
    uint64_t wide = 0;
    BOOST_CHECK_THROW(db.Read(uint8_t('s'), wide), DBError);
}

BOOST_AUTO_TEST_CASE(unopenable_path_throws)
{
    TempDir dir("dbw");
    std::ofstream(dir.Path("file")) << "not a directory";
    BOOST_CHECK_THROW(DBWrapper(DBOptions{dir.Path("file") + "/db"}), DBError);
}

BOOST_AUTO_TEST_SUITE_END()
