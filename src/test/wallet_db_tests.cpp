// SQLite wallet storage: round trip, batch rollback, reopen, backup, foreign files.
#include <wallet/db.h>

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {
struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        path = std::filesystem::temp_directory_path() / ("oda_wallet_db_test_" + std::to_string(::getpid()) + "_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};
} // namespace

#include <unistd.h>

BOOST_AUTO_TEST_SUITE(wallet_db_tests)

BOOST_AUTO_TEST_CASE(round_trip_and_rollback)
{
    TempDir dir;
    const std::string file = (dir.path / "wallet.dat").string();
    std::string err;
    BOOST_CHECK(!WalletDatabase::Open(file, false, &err)); // missing and not created
    {
        auto db = WalletDatabase::Open(file, true, &err);
        BOOST_REQUIRE_MESSAGE(db, err);
        BOOST_CHECK(db->Write(DbTable::META, "version", {1}));
        BOOST_CHECK(db->Write(DbTable::TXS, "aa", {}));
        BOOST_CHECK(db->Read(DbTable::META, "version") == std::vector<uint8_t>({1}));
        BOOST_CHECK(db->Read(DbTable::TXS, "aa") == std::vector<uint8_t>());
        BOOST_CHECK(!db->Read(DbTable::DESCRIPTORS, "version")); // tables are separate

        {
            WalletBatch batch(*db);
            BOOST_CHECK(batch.Write(DbTable::DESCRIPTORS, "d1", {9, 9}));
            BOOST_CHECK(batch.Erase(DbTable::META, "version"));
            // no Commit: destruction rolls both back
        }
        BOOST_CHECK(!db->Read(DbTable::DESCRIPTORS, "d1"));
        BOOST_CHECK(db->Read(DbTable::META, "version"));

        {
            WalletBatch batch(*db);
            BOOST_CHECK(batch.Write(DbTable::DESCRIPTORS, "d1", {9, 9}));
            BOOST_CHECK(batch.Write(DbTable::DESCRIPTORS, "d0", {8}));
            BOOST_CHECK(batch.Commit());
        }
        auto all = db->ReadAll(DbTable::DESCRIPTORS);
        BOOST_REQUIRE_EQUAL(all.size(), 2U);
        BOOST_CHECK_EQUAL(all[0].first, "d0"); // key order
        BOOST_CHECK(all[1].second == std::vector<uint8_t>({9, 9}));

        // A second opener of the same file is refused while it is open.
        BOOST_CHECK(!WalletDatabase::Open(file, false, &err));
        BOOST_CHECK_MESSAGE(err.find("exclusive lock") != std::string::npos, err);

        const std::string backup = (dir.path / "backup.dat").string();
        BOOST_CHECK(db->Backup(backup, &err));
        BOOST_CHECK(!db->Backup(file, &err));
        auto b = WalletDatabase::Open(backup, false, &err);
        BOOST_REQUIRE_MESSAGE(b, err);
        BOOST_CHECK(b->Read(DbTable::DESCRIPTORS, "d1") == std::vector<uint8_t>({9, 9}));
    }
    // Durable across close/reopen.
    auto db = WalletDatabase::Open(file, false, &err);
    BOOST_REQUIRE_MESSAGE(db, err);
    BOOST_CHECK(db->Read(DbTable::DESCRIPTORS, "d0") == std::vector<uint8_t>({8}));
    BOOST_CHECK(db->Erase(DbTable::DESCRIPTORS, "d0"));
    BOOST_CHECK(!db->Read(DbTable::DESCRIPTORS, "d0"));
}

BOOST_AUTO_TEST_CASE(refuses_foreign_files)
{
    TempDir dir;
    const std::string file = (dir.path / "junk.dat").string();
    {
        std::ofstream f(file);
        f << "this is not a database, just some text that is long enough to have a header........................";
    }
    std::string err;
    BOOST_CHECK(!WalletDatabase::Open(file, false, &err));
    BOOST_CHECK(!err.empty());
}

BOOST_AUTO_TEST_SUITE_END()
