// Fuzz targets for text that users and RPC clients send: number/money/hex/base64 parsing
// (src/util/strencodings.h, src/hex.h, uint256), the RPC JSON reader and writer
// (src/rpc/protocol.h) with the request and amount readers built on it, and config files
// and command lines (src/util/args.h).
#include <hex.h>
#include <rpc/httprpc.h>
#include <rpc/httpserver.h>
#include <rpc/protocol.h>
#include <rpc/request.h>
#include <rpc/util.h>
#include <test/fuzz/fuzz.h>
#include <uint256.h>
#include <util/args.h>
#include <util/strencodings.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

using oda::fuzz::Assert;

namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<std::vector<uint8_t>> StringSeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    for (const char* s : {"0", "-2147483648", "2147483647", "18446744073709551615", "+17", "21000000", "20999999.99999999",
                          "0.00000001", " 12.5 ", "1e-8", "-1.5e3", "deadBEEF", "00", "TWFu", "TWE=", "TQ==", "a,b,,c",
                          "0000000000000000000000000000000000000000000000000000000000000001"}) {
        seeds.push_back(Bytes(s));
    }
    return seeds;
}

std::vector<std::vector<uint8_t>> JsonSeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    for (const char* s : {R"({"jsonrpc":"2.0","id":1,"method":"getblockcount","params":[]})",
                          R"({"method":"sendtoaddress","params":{"address":"roda1x","amount":0.1},"id":"a\u00e9\n"})",
                          R"([1,-2,3.5,1e-8,21000000,"0.00000001",null,true,false,{"":[]}])",
                          R"({"id":null,"method":"x","jsonrpc":"1.0","params":null})",
                          R"("\ud83d\ude00")", "12345678901234567890", "-0.0", "1.7976931348623157e308", "0.00000491", "11.63351077"}) {
        seeds.push_back(Bytes(s));
    }
    seeds.push_back(Bytes(std::string(MAX_JSON_DEPTH, '[') + std::string(MAX_JSON_DEPTH, ']')));
    // Far beyond the depth limit: must be refused, not recursed into.
    seeds.push_back(Bytes(std::string(100000, '[')));
    seeds.push_back(Bytes("[\"" + std::string(2000, '{') + "\"]"));
    return seeds;
}

std::vector<std::vector<uint8_t>> HttpSeeds()
{
    return {Bytes("Basic " + EncodeBase64("__cookie__:00ff")), Bytes("  Basic  X19jb29raWVfXzowMGZm \r\n"),
            Bytes("Basic dXNlcg=="), Bytes("/wallet/my%20wallet%2"), Bytes("[::1]:19443"), Bytes("127.0.0.1:0")};
}

std::vector<std::vector<uint8_t>> ConfigSeeds()
{
    return {Bytes("# comment\nserver=1\nrpcport=19443\n[regtest]\nrpcuser=u\nrpcpassword=p\n"),
            Bytes("regtest=1\nnoserver=1\ntest.rpcport=5\n[main]\nrpcbind=127.0.0.1\n[bogus]\nx=1\n"),
            Bytes("chain=regtest\n  rpcport = 7 \n=\n[\n")};
}

/** Checks the RPC amount reader on one value: whatever it accepts is in range and survives
 *  ValueFromAmount + WriteJSON + ParseJSON exactly. */
void CheckAmount(const nlohmann::json& v)
{
    int64_t units;
    try {
        units = AmountFromValue(v);
    } catch (const JSONRPCError& e) {
        Assert(e.Code() == RPC_TYPE_ERROR, "amount error code");
        return;
    }
    Assert(units >= 0 && units <= MAX_MONEY_UNITS, "amount out of range accepted");
    nlohmann::json back;
    Assert(ParseJSON(WriteJSON(ValueFromAmount(units)), back) && AmountFromValue(back) == units, "amount round trip");
}

} // namespace

// Number, money, hex, base64 and hash parsers. Strict parsers accept only what their
// formatter produces (or a documented superset that formats back to the same value).
ODA_FUZZ_TARGET_SEEDS(strencodings, StringSeeds)
{
    const std::string str(reinterpret_cast<const char*>(data), size);

    int32_t i32;
    int64_t i64;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    if (ParseInt32(str, &i32)) {
        Assert(ParseInt64(str, &i64) && i64 == i32, "int32 vs int64");
        Assert(ParseInt32(std::to_string(i32), &i32) && std::to_string(i32) == std::to_string(i64), "int32 round trip");
    }
    if (ParseInt64(str, &i64)) {
        int64_t again = 0;
        Assert(ParseInt64(std::to_string(i64), &again) && again == i64, "int64 round trip");
        Assert(LocaleIndependentAtoi64(str) == i64, "atoi disagrees with a strict parse");
    }
    if (ParseUInt16(str, &u16)) Assert(ParseUInt64(str, &u64) && u64 == u16, "uint16 vs uint64");
    if (ParseUInt32(str, &u32)) Assert(ParseUInt64(str, &u64) && u64 == u32, "uint32 vs uint64");
    if (ParseUInt64(str, &u64)) {
        uint64_t again = 0;
        Assert(ParseUInt64(std::to_string(u64), &again) && again == u64, "uint64 round trip");
        Assert(str.empty() || str[0] != '-' || u64 == 0, "negative unsigned accepted");
    }
    int32_t untouched = 12345;
    if (!ParseInt32(str, &untouched)) Assert(untouched == 12345, "failed parse wrote its output");
    LocaleIndependentAtoi64(str);

    if (const auto money = ParseMoney(str)) {
        Assert(*money >= 0 && *money <= MAX_MONEY_UNITS, "money out of range");
        Assert(ParseMoney(FormatMoney(*money)) == money, "FormatMoney(ParseMoney(s)) does not parse back");
        Assert(ParseMoney(" " + str + "\t\n") == money, "ParseMoney does not ignore surrounding spaces");
    }
    for (int decimals = 0; decimals <= 18; decimals += 3) {
        if (const auto fp = ParseFixedPoint(str, decimals)) {
            Assert(*fp > -1'000'000'000'000'000'000LL && *fp < 1'000'000'000'000'000'000LL, "fixed point out of range");
        }
    }
    // Any 8 bytes as an amount: FormatMoney is exact and reads back.
    if (size >= 8) {
        int64_t units;
        std::memcpy(&units, data, 8);
        const std::string text = FormatMoney(units);
        if (units > -1'000'000'000'000'000'000LL && units < 1'000'000'000'000'000'000LL) {
            Assert(ParseFixedPoint(text, 8) == units, "FormatMoney does not read back");
        }
        if (units >= 0 && units <= MAX_MONEY_UNITS) {
            Assert(ParseMoney(text) == units, "FormatMoney/ParseMoney");
            Assert(AmountFromValue(ValueFromAmount(units)) == units, "ValueFromAmount/AmountFromValue");
        }
    }

    if (const auto bytes = ParseHex(str)) {
        Assert(HexStr(*bytes) == ToLower(str), "hex round trip");
        Assert(IsHex(str) == !str.empty(), "IsHex vs ParseHex");
    } else {
        Assert(!IsHex(str), "IsHex accepts what ParseHex rejects");
    }
    const std::vector<uint8_t> raw(data, data + size);
    Assert(ParseHex(HexStr(raw)) == raw, "HexStr does not parse back");
    if (const auto hash = uint256::FromHex(str)) {
        Assert(hash->GetHex() == ToLower(str), "uint256 hex round trip");
    }

    if (const auto decoded = DecodeBase64(str)) {
        Assert(decoded->size() == str.size() / 4 * 3 - (str.size() >= 1 && str.back() == '=') -
                                      (str.size() >= 2 && str[str.size() - 2] == '='),
               "base64 decoded length");
        Assert(DecodeBase64(EncodeBase64(*decoded)) == decoded, "base64 round trip");
    }
    Assert(DecodeBase64(EncodeBase64(str)) == str, "EncodeBase64 does not decode back");

    const std::string sanitized = SanitizeString(str, 100);
    Assert(sanitized.size() == std::min<size_t>(str.size(), 100), "SanitizeString length");
    for (char c : sanitized) Assert(c >= 0x20 && c <= 0x7e, "SanitizeString kept an unprintable character");
    Assert(Join(SplitString(str, ",;"), ",") == [&] {
        std::string s = str;
        for (char& c : s) if (c == ';') c = ',';
        return s;
    }(), "Split/Join");
    const std::string trimmed = TrimString(str);
    Assert(TrimString(trimmed) == trimmed, "TrimString is not idempotent");
    Assert(ToLower(ToUpper(str)) == ToLower(str), "case conversion");
}

// The RPC request reader: untrusted JSON text -> value. What parses writes back (compact
// and pretty) to text that parses to the same value; nesting beyond MAX_JSON_DEPTH is
// refused without recursing; request objects and amounts fail only with JSONRPCError.
ODA_FUZZ_TARGET_SEEDS(json_parse, JsonSeeds)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    nlohmann::json value;
    if (!ParseJSON(text, value)) return;
    const std::string compact = WriteJSON(value);
    nlohmann::json again;
    Assert(ParseJSON(compact, again) && again == value, "JSON compact round trip");
    Assert(WriteJSON(again) == compact, "JSON writer is not canonical");
    nlohmann::json pretty;
    Assert(ParseJSON(WriteJSON(value, 2), pretty) && pretty == value, "JSON pretty round trip");
    Assert(!JSONTypeName(value).empty(), "type name");

    JSONRPCRequest request;
    try {
        request.Parse(value);
        Assert(value.is_object(), "non-object request accepted");
        Assert(request.params.is_array() || request.params.is_object(), "request params shape");
        JSONRPCReplyObj(request.params, nullptr, request.id, request.json_version);
    } catch (const JSONRPCError& e) {
        Assert(e.Code() == RPC_INVALID_REQUEST, "request error code");
    }

    CheckAmount(value);
    // A JSON number written as a plain amount ("0.00000491", "21000000") is read exactly.
    if (value.is_number()) {
        if (const auto money = ParseMoney(text); money) {
            Assert(AmountFromValue(value) == *money, "a plain JSON amount is not read exactly");
        }
    }
    if (value.is_array() || value.is_object()) {
        for (const auto& element : value) CheckAmount(element);
    }
}

// What an HTTP client sends before and around authentication: the Authorization header
// value, the request path (wallet names) and host:port strings. Authentication succeeds
// only for the exact credentials; URL decoding is lossless for %XX escapes.
ODA_FUZZ_TARGET_SEEDS(rpc_http, HttpSeeds)
{
    const std::string str(reinterpret_cast<const char*>(data), size);
    const std::string expected = "__cookie__:00ff";
    std::string user;
    if (CheckBasicAuthorization(str, expected, user)) {
        const std::string_view value = TrimStringView(str);
        Assert(DecodeBase64(TrimStringView(value.substr(6))) == expected && user == "__cookie__", "wrong credentials accepted");
    }
    // The input as credentials: its own header authenticates it, with the user before ':'.
    // (Empty credentials give the header "Basic ", which trims to no credentials at all.)
    std::string self_user;
    if (!str.empty()) {
        Assert(CheckBasicAuthorization("Basic " + EncodeBase64(str), str, self_user) && self_user == str.substr(0, str.find(':')),
               "exact credentials rejected");
    }
    std::string other_user;
    Assert(!CheckBasicAuthorization("Basic " + EncodeBase64(str + "x"), str, other_user), "longer credentials accepted");

    // -rpcauth: the input as an entry line, and as "user:password" against a fixed entry
    // (user "bob", salt "c0ffee", password "p4ss:word").
    std::string error;
    if (const auto entry = RPCAuthEntry::Parse(str, error)) {
        Assert(!entry->user.empty() && !entry->salt.empty() && entry->hash_hex.size() == 64, "rpcauth entry shape");
        const auto again = RPCAuthEntry::Parse(entry->user + ":" + entry->salt + "$" + entry->hash_hex, error);
        Assert(again && again->user == entry->user && again->salt == entry->salt && again->hash_hex == entry->hash_hex,
               "rpcauth entry round trip");
    } else {
        Assert(!error.empty(), "rpcauth rejection without a reason");
    }
    RPCCredentials hashed;
    hashed.hashed.push_back(*RPCAuthEntry::Parse("bob:c0ffee$d5f51df7ff6cb9925a20b0881f978394d471c1c9cacc947d7f192db57a263fd0", error));
    std::string hashed_user;
    Assert(hashed.Check("Basic " + EncodeBase64(str), hashed_user) == (str == "bob:p4ss:word"), "rpcauth accepts only its password");

    const std::string decoded = URLDecode(str);
    Assert(decoded.size() <= str.size(), "URLDecode grew its input");
    std::string escaped;
    for (unsigned char c : str) escaped += strprintf("%%%02X", c);
    Assert(URLDecode(escaped) == str, "URLDecode of %XX escapes");
    JSONRPCRequest request;
    request.uri = str;
    std::string wallet;
    Assert(request.GetWalletName(wallet) == HasPrefix(str, "/wallet/"), "wallet uri");

    std::string host;
    uint16_t port;
    if (SplitHostPort(str, host, port)) Assert(host.size() <= str.size(), "host longer than its input");
}

// Config file text (oda.conf) and command lines: reading is deterministic and never
// crashes; a failure has a message; lookups on whatever was read are safe.
ODA_FUZZ_TARGET_SEEDS(config_parse, ConfigSeeds)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto make = [] {
        auto args = std::make_unique<ArgsManager>();
        args->AddArg("-server", "", ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
        args->AddArg("-rpcport=<port>", "", ArgsManager::ALLOW_ANY | ArgsManager::NETWORK_ONLY, OptionsCategory::RPC);
        args->AddArg("-rpcbind=<addr>", "", ArgsManager::ALLOW_ANY | ArgsManager::NETWORK_ONLY, OptionsCategory::RPC);
        args->AddArg("-rpcuser=<user>", "", ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
        args->AddArg("-rpcpassword=<pw>", "", ArgsManager::ALLOW_ANY | ArgsManager::SENSITIVE, OptionsCategory::RPC);
        args->AddArg("-regtest", "", ArgsManager::ALLOW_ANY, OptionsCategory::CHAINPARAMS);
        args->AddArg("-testnet", "", ArgsManager::ALLOW_ANY, OptionsCategory::CHAINPARAMS);
        args->AddArg("-chain=<chain>", "", ArgsManager::ALLOW_ANY, OptionsCategory::CHAINPARAMS);
        args->AddArg("-nolisten", "", ArgsManager::DISALLOW_NEGATION, OptionsCategory::CONNECTION);
        return args;
    };
    for (bool ignore_invalid : {false, true}) {
        auto a = make();
        auto b = make();
        std::string ea, eb;
        const bool ok = a->ReadConfigString(text, ea, ignore_invalid);
        Assert(ok == b->ReadConfigString(text, eb, ignore_invalid) && ea == eb, "config reading is not deterministic");
        Assert(ok || !ea.empty(), "config rejection without a message");
        if (!ok) continue;
        try {
            a->SelectConfigNetwork(a->GetChainTypeString());
        } catch (const std::runtime_error&) {
        }
        a->GetIntArg("-rpcport", 1);
        a->GetBoolArg("-server", false);
        a->GetArgs("-rpcbind");
        a->GetLoggableArgs();
    }

    // The same text as a command line, one argument per line.
    std::vector<std::string> words = SplitString(text, '\n');
    std::vector<const char*> argv{"odad"};
    for (const auto& w : words) argv.push_back(w.c_str());
    auto c = make();
    std::string error;
    if (!c->ParseParameters(static_cast<int>(argv.size()), argv.data(), error)) {
        Assert(!error.empty(), "command line rejection without a message");
    } else {
        c->GetPositionalArgs();
        c->GetArg("-rpcuser", "");
    }
}
