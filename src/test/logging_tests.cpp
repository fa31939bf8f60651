// Unit tests for util/logging: categories, formatting, file output, the global pointer.
#include <util/fs.h>
#include <util/logging.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <unistd.h>

BOOST_AUTO_TEST_SUITE(logging_tests)

BOOST_AUTO_TEST_CASE(category_parsing)
{
    BCLog::LogFlags flag;
    BOOST_CHECK(BCLog::ParseCategory("net", flag) && flag == BCLog::NET);
    BOOST_CHECK(BCLog::ParseCategory("model", flag) && flag == BCLog::MODEL);
    BOOST_CHECK(BCLog::ParseCategory("all", flag) && flag == BCLog::ALL);
    BOOST_CHECK(BCLog::ParseCategory("1", flag) && flag == BCLog::ALL);
    BOOST_CHECK(!BCLog::ParseCategory("nope", flag));
    BOOST_CHECK_EQUAL(BCLog::CategoryName(BCLog::TORRENT), "torrent");
    BOOST_CHECK_EQUAL(BCLog::CategoryName(BCLog::ALL), "");
    BOOST_CHECK(BCLog::SupportedCategoriesString().find("validation") != std::string::npos);

    BCLog::Logger logger;
    BOOST_CHECK(!logger.WillLogCategory(BCLog::NET));
    BOOST_CHECK(logger.EnableCategory("net"));
    BOOST_CHECK(logger.EnableCategory("rpc"));
    BOOST_CHECK(!logger.EnableCategory("bogus"));
    BOOST_CHECK(logger.WillLogCategory(BCLog::NET));
    BOOST_CHECK(!logger.WillLogCategory(BCLog::MEMPOOL));
    BOOST_CHECK(logger.DisableCategory("net"));
    BOOST_CHECK(!logger.WillLogCategory(BCLog::NET));
    BOOST_CHECK(logger.EnableCategory("all"));
    BOOST_CHECK(logger.WillLogCategory(BCLog::WALLET));
    logger.DisableCategory(BCLog::ALL);
    BOOST_CHECK_EQUAL(logger.GetCategoryMask(), 0u);
    logger.EnableCategory(BCLog::ZMQ);
    int active = 0;
    for (const auto& c : logger.LogCategoriesList()) {
        if (c.active) {
            ++active;
            BOOST_CHECK_EQUAL(c.category, "zmq");
        }
    }
    BOOST_CHECK_EQUAL(active, 1);
}

BOOST_AUTO_TEST_CASE(file_output_and_macros)
{
    fs::path file = fs::temp_directory_path() / strprintf("oda_logging_tests_%d.log", static_cast<int>(getpid()));
    fs::remove(file);
    BCLog::Logger logger;
    logger.m_print_to_file = true;
    logger.m_log_timestamps = false;
    logger.m_file_path = file;
    logger.EnableCategory(BCLog::NET);

    BOOST_CHECK(GlobalLogger() == nullptr);
    LogPrintf("dropped %d\n", 1); // no logger installed: discarded, no crash
    BCLog::Logger* previous = SetGlobalLogger(&logger);
    BOOST_CHECK(previous == nullptr);
    LogPrintf("before start %s", "x"); // buffered until StartLogging, newline added
    std::string error;
    BOOST_REQUIRE(logger.StartLogging(error));
    LogDebug(BCLog::NET, "peer=%d\n", 7);
    LogDebug(BCLog::MEMPOOL, "not logged\n");
    LogPrintf("plain\n");
    SetGlobalLogger(nullptr);
    LogPrintf("after removal\n");
    logger.DisconnectTestLogger();

    auto text = ReadFileToString(file, 10000);
    BOOST_REQUIRE(text);
    BOOST_CHECK_EQUAL(*text, "before start x\n[net] peer=7\nplain\n");
    fs::remove(file);
}

BOOST_AUTO_TEST_CASE(timestamps_and_reopen)
{
    fs::path file = fs::temp_directory_path() / strprintf("oda_logging_ts_%d.log", static_cast<int>(getpid()));
    fs::path rotated = file;
    rotated += ".1";
    fs::remove(file);
    fs::remove(rotated);
    BCLog::Logger logger;
    logger.m_print_to_file = true;
    logger.m_file_path = file;
    std::string error;
    BOOST_REQUIRE(logger.StartLogging(error));
    logger.LogPrintStr("first", BCLog::NONE);
    fs::rename(file, rotated);
    logger.RequestReopen();
    logger.LogPrintStr("second", BCLog::NONE);
    logger.DisconnectTestLogger();
    auto first = ReadFileToString(rotated, 1000);
    auto second = ReadFileToString(file, 1000);
    BOOST_REQUIRE(first && second);
    // "YYYY-MM-DDTHH:MM:SSZ first\n"
    BOOST_CHECK_EQUAL(first->size(), 21u + 6u);
    BOOST_CHECK_EQUAL((*first)[4], '-');
    BOOST_CHECK_EQUAL((*first)[19], 'Z');
    BOOST_CHECK(HasSuffix(*first, " first\n"));
    BOOST_CHECK(HasSuffix(*second, " second\n"));

    BCLog::Logger bad;
    bad.m_print_to_file = true;
    bad.m_file_path = "/nonexistent-dir/x.log";
    BOOST_CHECK(!bad.StartLogging(error));
    BOOST_CHECK(error.find("debug log") != std::string::npos);
    fs::remove(file);
    fs::remove(rotated);
}

BOOST_AUTO_TEST_SUITE_END()
