// Unit tests for rpc/util (parsers, amounts, help), rpc/protocol (WriteJSON), rpc/client.
#include <consensus/chainparams.h>
#include <rpc/client.h>
#include <util/args.h>
#include <rpc/protocol.h>
#include <rpc/util.h>

#include <boost/test/unit_test.hpp>

using json = nlohmann::json;

namespace {
int ErrorCode(const std::function<void()>& fn)
{
    try {
        fn();
    } catch (const JSONRPCError& e) {
        return e.Code();
    }
    return 0;
}
} // namespace

BOOST_AUTO_TEST_SUITE(rpc_util_tests)

BOOST_AUTO_TEST_CASE(amount_from_value)
{
    BOOST_CHECK_EQUAL(AmountFromValue(json(0)), 0);
    BOOST_CHECK_EQUAL(AmountFromValue(json(1)), 100000000);
    BOOST_CHECK_EQUAL(AmountFromValue(json::parse("0.1")), 10000000);
    BOOST_CHECK_EQUAL(AmountFromValue(json::parse("0.00000001")), 1);
    BOOST_CHECK_EQUAL(AmountFromValue(json::parse("1e-8")), 1);
    // Doubles whose default JSON printing is not their shortest decimal (found by fuzzing).
    BOOST_CHECK_EQUAL(AmountFromValue(json::parse("0.00000491")), 491);
    BOOST_CHECK_EQUAL(AmountFromValue(json::parse("11.63351077")), 1163351077);
    BOOST_CHECK_EQUAL(AmountFromValue(json::parse("20999999.99999999")), 2099999999999999);
    BOOST_CHECK_EQUAL(AmountFromValue(json::parse("21000000")), 2100000000000000);
    BOOST_CHECK_EQUAL(AmountFromValue(json("0.3")), 30000000);
    BOOST_CHECK_EQUAL(AmountFromValue(json::parse("0.29999999")), 29999999);
    BOOST_CHECK_EQUAL(ErrorCode([] { AmountFromValue(json::parse("0.000000001")); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([] { AmountFromValue(json::parse("-1")); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([] { AmountFromValue(json::parse("21000000.00000001")); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([] { AmountFromValue(json("abc")); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([] { AmountFromValue(json(true)); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([] { AmountFromValue(json::parse("1e100")); }), RPC_TYPE_ERROR);
}

BOOST_AUTO_TEST_CASE(value_from_amount_prints_8_decimals)
{
    BOOST_CHECK_EQUAL(WriteJSON(ValueFromAmount(0)), "0.00000000");
    BOOST_CHECK_EQUAL(WriteJSON(ValueFromAmount(1)), "0.00000001");
    BOOST_CHECK_EQUAL(WriteJSON(ValueFromAmount(5000000000LL)), "50.00000000");
    BOOST_CHECK_EQUAL(WriteJSON(ValueFromAmount(-12345678)), "-0.12345678");
    BOOST_CHECK_EQUAL(WriteJSON(ValueFromAmount(2099999999999999LL)), "20999999.99999999");
    // Every amount round-trips exactly through the text form.
    for (int64_t units : {int64_t{1}, int64_t{10}, int64_t{99999999}, int64_t{123456789012345}, int64_t{2100000000000000}}) {
        BOOST_CHECK_EQUAL(AmountFromValue(json::parse(WriteJSON(ValueFromAmount(units)))), units);
    }
    // Non-amount floats keep their shortest form.
    BOOST_CHECK_EQUAL(WriteJSON(json(4.656542373906925e-10)), "4.656542373906925e-10");
    BOOST_CHECK_EQUAL(WriteJSON(json(1e300)), "1e+300");
}

BOOST_AUTO_TEST_CASE(write_json_layout)
{
    json v = json::parse(R"({"b":[1,2],"a":{"x":"s\"q"},"e":[],"o":{}})");
    BOOST_CHECK_EQUAL(WriteJSON(v), R"({"a":{"x":"s\"q"},"b":[1,2],"e":[],"o":{}})");
    BOOST_CHECK_EQUAL(WriteJSON(v, 2), "{\n  \"a\": {\n    \"x\": \"s\\\"q\"\n  },\n  \"b\": [\n    1,\n    2\n  ],\n"
                                       "  \"e\": [],\n  \"o\": {}\n}");
    BOOST_CHECK_EQUAL(WriteJSON(json(nullptr)), "null");
    BOOST_CHECK_EQUAL(WriteJSON(json(true)), "true");
    BOOST_CHECK_EQUAL(WriteJSON(json("\xff")), "\"\xef\xbf\xbd\""); // invalid UTF-8 replaced, no throw
}

BOOST_AUTO_TEST_CASE(parse_json_bounded)
{
    json v;
    BOOST_CHECK(ParseJSON(R"({"a":[1,2,{"b":"x"}]})", v));
    BOOST_CHECK_EQUAL(v["a"][2]["b"], "x");
    BOOST_CHECK(ParseJSON("5", v) && v == 5);
    BOOST_CHECK(!ParseJSON("{bad", v));
    BOOST_CHECK_EQUAL(v, 5); // untouched on failure
    BOOST_CHECK(!ParseJSON("", v));
    BOOST_CHECK(!ParseJSON("1 2", v));
    std::string at_limit = std::string(MAX_JSON_DEPTH, '[') + std::string(MAX_JSON_DEPTH, ']');
    BOOST_CHECK(ParseJSON(at_limit, v));
    std::string over = std::string(MAX_JSON_DEPTH + 1, '[') + std::string(MAX_JSON_DEPTH + 1, ']');
    BOOST_CHECK(!ParseJSON(over, v));
    // Brackets inside strings (with escaped quotes) do not count.
    std::string in_string = "[\"" + std::string(2000, '[') + "\\\"" + std::string(2000, '{') + "\"]";
    BOOST_CHECK(ParseJSON(in_string, v));
    BOOST_CHECK_EQUAL(v[0].get<std::string>().size(), 4001u);
    BOOST_CHECK_THROW(ParseNonRFCJSONValue(over), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(parse_hash_and_hex)
{
    std::string hex64(64, 'a');
    BOOST_CHECK_EQUAL(ParseHashV(json(hex64), "blockhash").GetHex(), hex64);
    BOOST_CHECK_EQUAL(ErrorCode([] { ParseHashV(json("abcd"), "blockhash"); }), RPC_INVALID_PARAMETER);
    try {
        ParseHashV(json("abcd"), "blockhash");
    } catch (const JSONRPCError& e) {
        BOOST_CHECK_EQUAL(std::string(e.what()), "blockhash must be of length 64 (not 4, for 'abcd')");
    }
    BOOST_CHECK_EQUAL(ErrorCode([] { ParseHashV(json(std::string(63, 'a') + "g"), "txid"); }), RPC_INVALID_PARAMETER);
    BOOST_CHECK_EQUAL(ErrorCode([] { ParseHashV(json(5), "txid"); }), RPC_TYPE_ERROR);
    auto bytes = ParseHexV(json("00ff10"), "data");
    BOOST_REQUIRE_EQUAL(bytes.size(), 3u);
    BOOST_CHECK_EQUAL(bytes[1], 0xff);
    BOOST_CHECK_EQUAL(ErrorCode([] { ParseHexV(json("0"), "data"); }), RPC_INVALID_PARAMETER);
    BOOST_CHECK_EQUAL(ErrorCode([] { ParseHexV(json("zz"), "data"); }), RPC_INVALID_PARAMETER);
}

BOOST_AUTO_TEST_CASE(integer_values)
{
    // Integers, and numbers with no fractional part, are read exactly.
    BOOST_CHECK_EQUAL(IntFromValue(json(5), "n"), 5);
    BOOST_CHECK_EQUAL(IntFromValue(json(-5), "n"), -5);
    BOOST_CHECK_EQUAL(IntFromValue(json::parse("2.0"), "n"), 2);
    BOOST_CHECK_EQUAL(IntFromValue(json::parse("1e3"), "n"), 1000);
    BOOST_CHECK_EQUAL(IntFromValue(json::parse("-0.0"), "n"), 0);
    BOOST_CHECK_EQUAL(IntFromValue(json::parse("9223372036854775807"), "n"), std::numeric_limits<int64_t>::max());
    BOOST_CHECK_EQUAL(IntFromValue(json::parse("-9223372036854775808"), "n"), std::numeric_limits<int64_t>::min());
    BOOST_CHECK_EQUAL(IntFromValue(json::parse("-9.223372036854775808e18"), "n"), std::numeric_limits<int64_t>::min());
    // Fractional numbers and non-numbers: the wrong-type error, never a truncated value.
    for (const char* text : {"1.5", "-0.5", "0.9", "1e-300", "\"1\"", "true", "[1]"}) {
        BOOST_CHECK_EQUAL(ErrorCode([&] { IntFromValue(json::parse(text), "height"); }), RPC_TYPE_ERROR);
    }
    try {
        IntFromValue(json::parse("1.5"), "height");
        BOOST_ERROR("1.5 accepted");
    } catch (const JSONRPCError& e) {
        BOOST_CHECK_EQUAL(std::string(e.what()), "JSON value of type number for field height is not of expected type integer");
    }
    // Out of range (of int64_t, or of the bounds given): "JSON integer out of range".
    for (const char* text : {"1e300", "-1e300", "9223372036854775808", "18446744073709551615", "9.223372036854775808e18"}) {
        try {
            IntFromValue(json::parse(text), "height");
            BOOST_ERROR(std::string(text) + " accepted");
        } catch (const JSONRPCError& e) {
            BOOST_CHECK_EQUAL(e.Code(), RPC_TYPE_ERROR);
            BOOST_CHECK_EQUAL(std::string(e.what()), "JSON integer out of range for field height");
        }
    }
    BOOST_CHECK_EQUAL(IntFromValue(json(10), "n", 0, 10), 10);
    BOOST_CHECK_EQUAL(ErrorCode([] { IntFromValue(json(11), "n", 0, 10); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([] { IntFromValue(json(-1), "n", 0, 10); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([] { IntFromValue(json::parse("5"), "n", -10, -1); }), RPC_TYPE_ERROR);
    // GetIntArg narrows to the handler's type.
    BOOST_CHECK_EQUAL(GetIntArg<int>(json(2147483647), "n"), 2147483647);
    BOOST_CHECK_EQUAL(ErrorCode([] { GetIntArg<int>(json(2147483648LL), "n"); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(GetIntArg<uint32_t>(json(4294967295LL), "n"), 4294967295u);
    BOOST_CHECK_EQUAL(ErrorCode([] { GetIntArg<uint32_t>(json(-1), "n"); }), RPC_TYPE_ERROR);
}

BOOST_AUTO_TEST_CASE(integer_argument_check)
{
    // The dispatcher's check of a NUM argument: the same rule as IntFromValue.
    const RPCArg arg{"height", RPCArg::Type::NUM, RPCArg::REQUIRED, "The height index"};
    BOOST_CHECK(arg.MatchesType(json(1)));
    BOOST_CHECK(arg.MatchesType(json::parse("2.0")));
    BOOST_CHECK(!arg.MatchesType(json::parse("1.5")));
    BOOST_CHECK(!arg.MatchesType(json::parse("-0.5")));
    BOOST_CHECK(!arg.MatchesType(json("1")));
    arg.CheckValue(json(1));
    arg.CheckValue(json::parse("-9223372036854775808"));
    for (const char* text : {"1.5", "-0.5", "1e300", "18446744073709551615", "\"1\""}) {
        BOOST_CHECK_EQUAL(ErrorCode([&] { arg.CheckValue(json::parse(text)); }), RPC_TYPE_ERROR);
    }
    try {
        arg.CheckValue(json("1"));
        BOOST_ERROR("string accepted");
    } catch (const JSONRPCError& e) {
        BOOST_CHECK_EQUAL(std::string(e.what()), "JSON value of type string for field height is not of expected type integer");
    }
    // Amounts keep their own rule: fractions are what they are for.
    const RPCArg amount{"amount", RPCArg::Type::AMOUNT, RPCArg::REQUIRED, ""};
    amount.CheckValue(json::parse("1.5"));
    // Integer fields inside objects follow the same rule.
    BOOST_CHECK_EQUAL(ErrorCode([] { RPCTypeCheckObj(json::parse(R"({"a":1.5})"), {{"a", RPCArg::Type::NUM}}); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([] { RPCTypeCheckObj(json::parse(R"({"a":1e300})"), {{"a", RPCArg::Type::NUM}}); }), RPC_TYPE_ERROR);
}

BOOST_AUTO_TEST_CASE(type_check_obj)
{
    json obj = json::parse(R"({"a":1,"b":"x"})");
    RPCTypeCheckObj(obj, {{"a", RPCArg::Type::NUM}, {"b", RPCArg::Type::STR}, {"c", RPCArg::Type::BOOL}});
    BOOST_CHECK_EQUAL(ErrorCode([&] { RPCTypeCheckObj(obj, {{"a", RPCArg::Type::STR}}); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([&] { RPCTypeCheckObj(obj, {{"c", RPCArg::Type::NUM}}, false); }), RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode([&] { RPCTypeCheckObj(obj, {{"a", RPCArg::Type::NUM}}, true, true); }), RPC_TYPE_ERROR);
}

BOOST_AUTO_TEST_CASE(help_text)
{
    RPCHelp help{"getblock", "Returns a block.",
                 {{"blockhash", RPCArg::Type::STR_HEX, RPCArg::REQUIRED, "The block hash"},
                  {"verbosity", RPCArg::Type::NUM, RPCArg::OPTIONAL, "0, 1 or 2", "1"}},
                 "\"data\"   (string)", HelpExampleCli("getblock", "\"00ab\"")};
    BOOST_CHECK_EQUAL(help.UsageLine(), "getblock \"blockhash\" ( verbosity )");
    BOOST_CHECK_EQUAL(help.RequiredArgCount(), 1u);
    std::string text = help.ToString();
    BOOST_CHECK(text.find("Arguments:\n1. blockhash") != std::string::npos);
    BOOST_CHECK(text.find("(numeric, optional, default=1) 0, 1 or 2") != std::string::npos);
    BOOST_CHECK(text.find("Examples:\n> oda-cli getblock \"00ab\"\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(client_conversion)
{
    json p = RPCConvertValues("getblock", {"00ab", "2"});
    BOOST_CHECK_EQUAL(p, json::parse(R"(["00ab",2])"));
    p = RPCConvertValues("echo", {"1", "true"}); // echo: strings
    BOOST_CHECK_EQUAL(p, json::parse(R"(["1","true"])"));
    p = RPCConvertValues("echojson", {"1", "[1,{\"a\":true}]", "\"s\""});
    BOOST_CHECK_EQUAL(p, json::parse(R"([1,[1,{"a":true}],"s"])"));
    BOOST_CHECK_THROW(RPCConvertValues("getblockhash", {"notjson"}), std::runtime_error);
    p = RPCConvertNamedValues("getblock", {"blockhash=00ab", "verbosity=0"});
    BOOST_CHECK_EQUAL(p, json::parse(R"({"blockhash":"00ab","verbosity":0})"));
    p = RPCConvertNamedValues("getblock", {"blockhash=a=b"});
    BOOST_CHECK_EQUAL(p["blockhash"], "a=b");
    BOOST_CHECK_THROW(RPCConvertNamedValues("getblock", {"blockhash"}), std::runtime_error);
    BOOST_CHECK_THROW(RPCConvertNamedValues("getblock", {"a=1", "a=2"}), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(rpc_ports_match_chainparams)
{
    // oda-cli's string-keyed table (util/args) must agree with ChainParams::RPCPort().
    for (const char* name : {"main", "test", "regtest"}) {
        auto chain = ChainTypeFromString(name);
        BOOST_REQUIRE(chain);
        BOOST_CHECK_EQUAL(DefaultRPCPortForNetwork(name), CreateChainParams(*chain)->RPCPort());
        BOOST_CHECK_EQUAL(DataDirSuffixForNetwork(name), CreateChainParams(*chain)->DataDirSuffix());
    }
    BOOST_CHECK_EQUAL(DefaultRPCPortForNetwork("regtest"), 19443);
}

BOOST_AUTO_TEST_SUITE_END()
