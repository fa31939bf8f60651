// Unit tests for util/strencodings, util/fs and util/time.
#include <util/fs.h>
#include <util/strencodings.h>
#include <util/time.h>

#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <unistd.h>

BOOST_AUTO_TEST_SUITE(util_tests)

BOOST_AUTO_TEST_CASE(strprintf_formats)
{
    BOOST_CHECK_EQUAL(strprintf("%d-%s-%05.1f", 42, "x", 3.14159), "42-x-003.1");
    std::string long_arg(1000, 'a');
    BOOST_CHECK_EQUAL(strprintf("<%s>", long_arg.c_str()), "<" + long_arg + ">");
    BOOST_CHECK_EQUAL(strprintf("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
}

BOOST_AUTO_TEST_CASE(parse_int_strict)
{
    int32_t i32 = 7;
    BOOST_CHECK(ParseInt32("0", &i32) && i32 == 0);
    BOOST_CHECK(ParseInt32("-2147483648", &i32) && i32 == std::numeric_limits<int32_t>::min());
    BOOST_CHECK(ParseInt32("2147483647", &i32) && i32 == 2147483647);
    BOOST_CHECK(ParseInt32("+12", &i32) && i32 == 12);
    i32 = 7;
    BOOST_CHECK(!ParseInt32("2147483648", &i32));
    BOOST_CHECK(!ParseInt32("-2147483649", &i32));
    BOOST_CHECK(!ParseInt32("", &i32));
    BOOST_CHECK(!ParseInt32("-", &i32));
    BOOST_CHECK(!ParseInt32(" 1", &i32));
    BOOST_CHECK(!ParseInt32("1 ", &i32));
    BOOST_CHECK(!ParseInt32("1a", &i32));
    BOOST_CHECK(!ParseInt32("0x10", &i32));
    BOOST_CHECK_EQUAL(i32, 7); // untouched on failure

    int64_t i64;
    BOOST_CHECK(ParseInt64("-9223372036854775808", &i64) && i64 == std::numeric_limits<int64_t>::min());
    BOOST_CHECK(ParseInt64("9223372036854775807", &i64) && i64 == std::numeric_limits<int64_t>::max());
    BOOST_CHECK(!ParseInt64("9223372036854775808", &i64));

    uint32_t u32;
    BOOST_CHECK(ParseUInt32("4294967295", &u32) && u32 == 4294967295u);
    BOOST_CHECK(!ParseUInt32("4294967296", &u32));
    BOOST_CHECK(!ParseUInt32("-1", &u32));
    BOOST_CHECK(!ParseUInt32("-0", &u32));
    uint16_t u16;
    BOOST_CHECK(ParseUInt16("65535", &u16) && u16 == 65535);
    BOOST_CHECK(!ParseUInt16("65536", &u16));
    uint64_t u64;
    BOOST_CHECK(ParseUInt64("18446744073709551615", &u64) && u64 == std::numeric_limits<uint64_t>::max());
    BOOST_CHECK(!ParseUInt64("18446744073709551616", &u64));
    BOOST_CHECK(ParseInt64("123", nullptr));
}

BOOST_AUTO_TEST_CASE(atoi_lenient)
{
    BOOST_CHECK_EQUAL(LocaleIndependentAtoi64(" 12abc"), 12);
    BOOST_CHECK_EQUAL(LocaleIndependentAtoi64("abc"), 0);
    BOOST_CHECK_EQUAL(LocaleIndependentAtoi64("-5"), -5);
    BOOST_CHECK_EQUAL(LocaleIndependentAtoi64("99999999999999999999"), std::numeric_limits<int64_t>::max());
}

BOOST_AUTO_TEST_CASE(trim_split_join)
{
    BOOST_CHECK_EQUAL(TrimString("  a b \t\n"), "a b");
    BOOST_CHECK_EQUAL(TrimString(" \t "), "");
    BOOST_CHECK_EQUAL(TrimString("xxaxx", "x"), "a");
    auto parts = SplitString("a,,b", ',');
    BOOST_REQUIRE_EQUAL(parts.size(), 3u);
    BOOST_CHECK_EQUAL(parts[0], "a");
    BOOST_CHECK_EQUAL(parts[1], "");
    BOOST_CHECK_EQUAL(parts[2], "b");
    BOOST_CHECK_EQUAL(SplitString("", ',').size(), 1u);
    BOOST_CHECK_EQUAL(SplitString("a b;c", " ;").size(), 3u);
    BOOST_CHECK_EQUAL(Join({"a", "b", "c"}, ", "), "a, b, c");
    BOOST_CHECK_EQUAL(Join({}, ","), "");
    BOOST_CHECK_EQUAL(ToLower("AbC1"), "abc1");
    BOOST_CHECK_EQUAL(ToUpper("AbC1"), "ABC1");
    BOOST_CHECK(HasPrefix("regtest.port", "regtest."));
    BOOST_CHECK(!HasPrefix("reg", "regtest"));
    BOOST_CHECK(HasSuffix("file.conf", ".conf"));
}

BOOST_AUTO_TEST_CASE(money_parse_format)
{
    BOOST_CHECK_EQUAL(FormatMoney(0), "0.00000000");
    BOOST_CHECK_EQUAL(FormatMoney(1), "0.00000001");
    BOOST_CHECK_EQUAL(FormatMoney(-1), "-0.00000001");
    BOOST_CHECK_EQUAL(FormatMoney(5000000000LL), "50.00000000");
    BOOST_CHECK_EQUAL(FormatMoney(123456789012LL), "1234.56789012");
    BOOST_CHECK_EQUAL(FormatMoney(std::numeric_limits<int64_t>::min()), "-92233720368.54775808");

    BOOST_CHECK(ParseMoney("0") == int64_t{0});
    BOOST_CHECK(ParseMoney("1") == int64_t{100000000});
    BOOST_CHECK(ParseMoney("0.5") == int64_t{50000000});
    BOOST_CHECK(ParseMoney(".5") == int64_t{50000000});
    BOOST_CHECK(ParseMoney(" 12.34567890 ") == int64_t{1234567890});
    BOOST_CHECK(ParseMoney("0.00000001") == int64_t{1});
    BOOST_CHECK(ParseMoney("21000000") == MAX_MONEY_UNITS);
    BOOST_CHECK(!ParseMoney("21000000.00000001"));
    BOOST_CHECK(!ParseMoney("0.000000001")); // 9 decimals
    BOOST_CHECK(!ParseMoney("-1"));
    BOOST_CHECK(!ParseMoney("1."));
    BOOST_CHECK(!ParseMoney("."));
    BOOST_CHECK(!ParseMoney(""));
    BOOST_CHECK(!ParseMoney("1e3"));
    BOOST_CHECK(!ParseMoney("1,5"));
    BOOST_CHECK(!ParseMoney("1 2"));
    BOOST_CHECK(!ParseMoney("99999999999999999999"));
}

BOOST_AUTO_TEST_CASE(fixed_point_exact)
{
    BOOST_CHECK(ParseFixedPoint("0", 8) == int64_t{0});
    BOOST_CHECK(ParseFixedPoint("1", 8) == int64_t{100000000});
    BOOST_CHECK(ParseFixedPoint("0.1", 8) == int64_t{10000000});
    BOOST_CHECK(ParseFixedPoint("-0.00000001", 8) == int64_t{-1});
    BOOST_CHECK(ParseFixedPoint("1e-08", 8) == int64_t{1});
    BOOST_CHECK(ParseFixedPoint("1.5E2", 8) == int64_t{15000000000});
    BOOST_CHECK(ParseFixedPoint("0.10000000000", 8) == int64_t{10000000}); // trailing zeros fine
    BOOST_CHECK(ParseFixedPoint("20999999.99999999", 8) == int64_t{2099999999999999});
    BOOST_CHECK(!ParseFixedPoint("0.000000001", 8));
    BOOST_CHECK(!ParseFixedPoint("1e-9", 8));
    BOOST_CHECK(!ParseFixedPoint("01", 8));
    BOOST_CHECK(!ParseFixedPoint("1.", 8));
    BOOST_CHECK(!ParseFixedPoint(".1", 8));
    BOOST_CHECK(!ParseFixedPoint("1e", 8));
    BOOST_CHECK(!ParseFixedPoint("abc", 8));
    BOOST_CHECK(!ParseFixedPoint("1e18", 8)); // too large
    BOOST_CHECK(!ParseFixedPoint("", 8));
}

BOOST_AUTO_TEST_CASE(sanitize_and_base64)
{
    BOOST_CHECK_EQUAL(SanitizeString("ab\ncd\x01"), "ab?cd?");
    BOOST_CHECK_EQUAL(SanitizeString("abcdef", 3), "abc");
    // RFC 4648 test vectors.
    const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; ++i) {
        BOOST_CHECK_EQUAL(EncodeBase64(plain[i]), enc[i]);
        auto dec = DecodeBase64(enc[i]);
        BOOST_REQUIRE(dec);
        BOOST_CHECK_EQUAL(*dec, plain[i]);
    }
    BOOST_CHECK(!DecodeBase64("Zm9"));
    BOOST_CHECK(!DecodeBase64("Zm=v"));
    BOOST_CHECK(!DecodeBase64("Z===")); // too much padding
    BOOST_CHECK(!DecodeBase64("Zm9v!A=="));
}

BOOST_AUTO_TEST_CASE(time_format_and_mock)
{
    BOOST_CHECK_EQUAL(FormatISO8601DateTime(0), "1970-01-01T00:00:00Z");
    BOOST_CHECK_EQUAL(FormatISO8601DateTime(1234567890), "2009-02-13T23:31:30Z");
    BOOST_CHECK_EQUAL(FormatISO8601DateTimeMicros(1234567890000042LL), "2009-02-13T23:31:30.000042Z");
    MockableClock clock;
    BOOST_CHECK_EQUAL(clock.GetMockTime(), 0);
    BOOST_CHECK(clock.SetMockTime(1000));
    BOOST_CHECK_EQUAL(clock.Now(), 1000);
    BOOST_CHECK(!clock.SetMockTime(-1));
    BOOST_CHECK_EQUAL(clock.Now(), 1000);
    BOOST_CHECK(clock.SetMockTime(0));
    BOOST_CHECK(clock.Now() > 1000000000); // back on the system clock
}

BOOST_AUTO_TEST_CASE(fs_lock_and_atomic_write)
{
    fs::path dir = fs::temp_directory_path() / strprintf("oda_util_tests_%d", static_cast<int>(getpid()));
    fs::remove_all(dir);
    std::string error;
    BOOST_REQUIRE(CreateDirectories(dir / "sub", error));
    {
        auto lock = LockDirectory(dir, error);
        BOOST_REQUIRE(lock);
        auto second = LockDirectory(dir, error);
        BOOST_CHECK(!second);
        BOOST_CHECK(error.find("probably already running") != std::string::npos);
    }
    // Released with the object.
    BOOST_CHECK(LockDirectory(dir, error) != nullptr);

    fs::path file = dir / "sub" / "f.txt";
    BOOST_REQUIRE(WriteFileAtomic(file, "hello", error, 0600));
    BOOST_CHECK(ReadFileToString(file, 100) == std::string("hello"));
    BOOST_REQUIRE(WriteFileAtomic(file, "replaced", error));
    BOOST_CHECK(ReadFileToString(file, 100) == std::string("replaced"));
    BOOST_CHECK(!ReadFileToString(file, 3)); // larger than the bound
    BOOST_CHECK(!ReadFileToString(dir / "missing", 100));
    BOOST_CHECK(!WriteFileAtomic(dir / "nodir" / "x", "x", error));
    BOOST_CHECK_EQUAL(AbsPathJoin("/a", "b"), fs::path("/a/b"));
    BOOST_CHECK_EQUAL(AbsPathJoin("/a", "/c"), fs::path("/c"));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
