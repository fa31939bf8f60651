// Bech32 (BIP 173) and bech32m (BIP 350) strings: the standards' vectors from
// test/data/bech32_vectors.txt, plus encoder limits and bit conversion.
#include <script/bech32.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(bech32_tests)

namespace {

struct Vector {
    std::string kind;
    std::string str;
};

/** Decodes "\xNN" escapes (the vectors include control and non-ASCII bytes). */
std::string Unescape(const std::string& s)
{
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
            out += static_cast<char>(FromHex(s.substr(i + 2, 2))[0]);
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::vector<Vector> LoadVectors(const std::string& kind)
{
    std::istringstream in(ReadTestData("bech32_vectors.txt"));
    std::vector<Vector> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        size_t bar = line.find('|');
        if (line.substr(0, bar) != kind) continue;
        std::string rest = line.substr(bar + 1);
        out.push_back({kind, Unescape(rest.substr(0, rest.find('|')))});
    }
    return out;
}

std::string Lower(std::string s)
{
    for (char& c : s) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(valid_bech32_and_bech32m)
{
    for (auto [kind, enc] : {std::pair{"bech32", bech32::Encoding::BECH32}, std::pair{"bech32m", bech32::Encoding::BECH32M}}) {
        auto vectors = LoadVectors(kind);
        BOOST_CHECK_EQUAL(vectors.size(), 7u);
        for (const auto& v : vectors) {
            auto r = bech32::Decode(v.str);
            BOOST_CHECK_MESSAGE(r.encoding == enc, v.str << ": " << r.error);
            BOOST_CHECK(r.error.empty());
            // Re-encoding gives the lower-case form back.
            BOOST_CHECK_EQUAL(bech32::Encode(enc, r.hrp, r.data), Lower(v.str));
            // No string is valid in both encodings.
            auto other = enc == bech32::Encoding::BECH32 ? bech32::Encoding::BECH32M : bech32::Encoding::BECH32;
            BOOST_CHECK(bech32::Encode(other, r.hrp, r.data) != Lower(v.str));
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_bech32_and_bech32m)
{
    auto bad32 = LoadVectors("invalid_bech32");
    BOOST_CHECK_EQUAL(bad32.size(), 12u);
    for (const auto& v : bad32) {
        auto r = bech32::Decode(v.str);
        BOOST_CHECK_MESSAGE(r.encoding != bech32::Encoding::BECH32, v.str);
    }
    auto bad32m = LoadVectors("invalid_bech32m");
    BOOST_CHECK_EQUAL(bad32m.size(), 14u);
    for (const auto& v : bad32m) {
        auto r = bech32::Decode(v.str);
        BOOST_CHECK_MESSAGE(r.encoding != bech32::Encoding::BECH32M, v.str);
        BOOST_CHECK(!r.error.empty() || r.encoding == bech32::Encoding::BECH32);
    }
}

BOOST_AUTO_TEST_CASE(decode_error_reasons)
{
    BOOST_CHECK_EQUAL(bech32::Decode("an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4").error, "bech32 string too long");
    BOOST_CHECK_EQUAL(bech32::Decode("A1lqfn3a").error, "mixed case");
    BOOST_CHECK_EQUAL(bech32::Decode("qyrz8wqd2c9m").error, "missing separator");
    BOOST_CHECK_EQUAL(bech32::Decode("1qyrz8wqd2c9m").error, "empty human-readable part");
    BOOST_CHECK_EQUAL(bech32::Decode("in1muywd").error, "checksum too short");
    BOOST_CHECK_EQUAL(bech32::Decode("y1b0jsk6g").error, "invalid data character");
    BOOST_CHECK_EQUAL(bech32::Decode("M1VUXWEZ").error, "invalid checksum");
    BOOST_CHECK_EQUAL(bech32::Decode(std::string("a\x01") + "1lqfn3a").error, "invalid character");
    // One substituted character is always detected.
    std::string good = "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx";
    for (size_t i = 7; i < good.size(); ++i) {
        std::string bad = good;
        bad[i] = bad[i] == 'q' ? 'p' : 'q';
        BOOST_CHECK_EQUAL(bech32::Decode(bad).error, "invalid checksum");
    }
}

BOOST_AUTO_TEST_CASE(encode_limits)
{
    std::vector<uint8_t> values(81, 0);
    // hrp "a" + '1' + 81 + 6 = 89 characters: allowed; one more value: 90; two more: too long.
    BOOST_CHECK_EQUAL(bech32::Encode(bech32::Encoding::BECH32M, "a", values).size(), 89u);
    values.push_back(0);
    BOOST_CHECK_EQUAL(bech32::Encode(bech32::Encoding::BECH32M, "a", values).size(), 90u);
    values.push_back(0);
    BOOST_CHECK_EQUAL(bech32::Encode(bech32::Encoding::BECH32M, "a", values), "");
    BOOST_CHECK_EQUAL(bech32::Encode(bech32::Encoding::BECH32M, "A", {1, 2}), "");  // upper-case hrp
    BOOST_CHECK_EQUAL(bech32::Encode(bech32::Encoding::BECH32M, "", {1, 2}), "");   // empty hrp
    BOOST_CHECK_EQUAL(bech32::Encode(bech32::Encoding::BECH32M, "a", {32}), "");    // value out of range
    BOOST_CHECK_EQUAL(bech32::Encode(bech32::Encoding::INVALID, "a", {1}), "");
}

BOOST_AUTO_TEST_CASE(convert_bits)
{
    std::vector<uint8_t> bytes = FromHex("751e76e8199196d454941c45d1b3a323f1433bd6");
    std::vector<uint8_t> fives;
    BOOST_REQUIRE(bech32::ConvertBits(fives, bytes, 8, 5, true));
    BOOST_CHECK_EQUAL(fives.size(), 32u);
    std::vector<uint8_t> back;
    BOOST_REQUIRE(bech32::ConvertBits(back, fives, 5, 8, false));
    BOOST_CHECK(back == bytes);
    // Non-zero padding bits are rejected when decoding.
    std::vector<uint8_t> odd{0x1f};
    std::vector<uint8_t> out;
    BOOST_CHECK(!bech32::ConvertBits(out, odd, 5, 8, false));
    // 5 leftover bits (a whole extra group) are rejected: at most 4 padding bits.
    out.clear();
    BOOST_CHECK(!bech32::ConvertBits(out, {0, 0, 0}, 5, 8, false));
    // A value out of range for `from` bits.
    out.clear();
    BOOST_CHECK(!bech32::ConvertBits(out, {32}, 5, 8, true));
}

BOOST_AUTO_TEST_SUITE_END()
