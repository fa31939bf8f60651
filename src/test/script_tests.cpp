// Script parsing/building (script/script.h) and output classification
// (script/standard.h), including the ODA data output rules.
#include <script/script.h>
#include <script/standard.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(script_tests)

static std::vector<uint8_t> Bytes(size_t n, uint8_t fill = 0xab) { return std::vector<uint8_t>(n, fill); }
static const std::vector<uint8_t> TAG{'O', 'D', 'A', '1'};

BOOST_AUTO_TEST_CASE(minimal_push_opcodes)
{
    BOOST_CHECK_EQUAL(MinimalPushOpcode(0), OP_0);
    BOOST_CHECK_EQUAL(MinimalPushOpcode(1), 0x01);
    BOOST_CHECK_EQUAL(MinimalPushOpcode(75), 0x4b);
    BOOST_CHECK_EQUAL(MinimalPushOpcode(76), OP_PUSHDATA1);
    BOOST_CHECK_EQUAL(MinimalPushOpcode(255), OP_PUSHDATA1);
    BOOST_CHECK_EQUAL(MinimalPushOpcode(256), OP_PUSHDATA2);
    BOOST_CHECK_EQUAL(MinimalPushOpcode(65535), OP_PUSHDATA2);
    BOOST_CHECK_EQUAL(MinimalPushOpcode(65536), OP_PUSHDATA4);
}

BOOST_AUTO_TEST_CASE(builder_encodings_round_trip)
{
    // Exact bytes for each push form.
    BOOST_CHECK(ScriptBuilder().PushData({}).Get() == FromHex("00"));
    BOOST_CHECK(ScriptBuilder().PushData({0x07}).Get() == FromHex("0107"));
    BOOST_CHECK(ScriptBuilder().PushData(Bytes(76, 0)).Get() == FromHex("4c4c" + std::string(152, '0')));
    ScriptBytes s256 = ScriptBuilder().PushData(Bytes(256)).Get();
    BOOST_CHECK_EQUAL(HexStr(std::vector<uint8_t>(s256.begin(), s256.begin() + 3)), "4d0001");
    ScriptBytes s64k = ScriptBuilder().PushData(Bytes(65536)).Get();
    BOOST_CHECK_EQUAL(HexStr(std::vector<uint8_t>(s64k.begin(), s64k.begin() + 5)), "4e00000100");
    BOOST_CHECK_EQUAL(s64k.size(), 5u + 65536u);

    for (size_t n : {0, 1, 16, 75, 76, 255, 256, 65535, 65536}) {
        std::vector<uint8_t> data(n);
        for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 7);
        ScriptBytes s = ScriptBuilder().PushOpcode(OP_RETURN).PushData(data).PushOpcode(OP_1).Get();
        size_t pos = 0;
        ScriptOp op;
        BOOST_REQUIRE(GetScriptOp(s, pos, op));
        BOOST_CHECK_EQUAL(op.opcode, OP_RETURN);
        BOOST_REQUIRE(GetScriptOp(s, pos, op));
        BOOST_CHECK(op.IsPush());
        BOOST_CHECK(op.IsMinimalPush());
        BOOST_CHECK(std::vector<uint8_t>(op.data, op.data + op.size) == data);
        BOOST_REQUIRE(GetScriptOp(s, pos, op));
        BOOST_CHECK_EQUAL(op.opcode, OP_1);
        BOOST_CHECK_EQUAL(pos, s.size());
        BOOST_CHECK(!GetScriptOp(s, pos, op)); // at the end
        BOOST_CHECK_EQUAL(pos, s.size());
    }
}

BOOST_AUTO_TEST_CASE(get_script_op_bounds)
{
    // Every truncated form fails without moving past the op and without reading
    // beyond the script (hostile lengths up to 2^32-1).
    for (const char* hex : {"4c", "4c05", "4c050102", "4d", "4d01", "4d0001ff", "4e", "4effffff", "4effffffff00", "05aabb", "01"}) {
        ScriptBytes s = FromHex(hex);
        size_t pos = 0;
        ScriptOp op;
        BOOST_CHECK_MESSAGE(!GetScriptOp(s, pos, op), hex);
        BOOST_CHECK_EQUAL(pos, 0u);
        BOOST_CHECK_EQUAL(op.opcode, OP_INVALIDOPCODE);
    }
    // A non-minimal but complete push parses, and says it is not minimal.
    ScriptBytes s = FromHex("4c03aabbcc");
    size_t pos = 0;
    ScriptOp op;
    BOOST_REQUIRE(GetScriptOp(s, pos, op));
    BOOST_CHECK_EQUAL(op.size, 3u);
    BOOST_CHECK(!op.IsMinimalPush());

    // Random byte strings: the reader always terminates and stays in bounds.
    uint32_t x = 12345;
    for (int iter = 0; iter < 2000; ++iter) {
        ScriptBytes r(iter % 40);
        for (uint8_t& b : r) {
            x = x * 1103515245 + 12345;
            b = static_cast<uint8_t>(x >> 16);
        }
        size_t p = 0, steps = 0;
        while (GetScriptOp(r, p, op)) {
            BOOST_REQUIRE(p <= r.size());
            if (op.IsPush() && op.size) BOOST_REQUIRE(op.data >= r.data() && op.data + op.size <= r.data() + r.size());
            BOOST_REQUIRE(++steps <= r.size());
        }
        (void)ScriptToAsm(r);
        (void)ClassifyOutput(r);
    }
}

BOOST_AUTO_TEST_CASE(push_only)
{
    BOOST_CHECK(IsPushOnly(FromHex("")));
    BOOST_CHECK(IsPushOnly(FromHex("00514f60020102")));
    BOOST_CHECK(IsPushOnly(FromHex("50")));    // OP_RESERVED counts, as in Bitcoin
    BOOST_CHECK(!IsPushOnly(FromHex("61")));   // OP_NOP
    BOOST_CHECK(!IsPushOnly(FromHex("6a")));   // OP_RETURN
    BOOST_CHECK(!IsPushOnly(FromHex("0201"))); // truncated
    BOOST_CHECK(IsPushOnly(FromHex("6a0102"), 1));
}

BOOST_AUTO_TEST_CASE(asm_text)
{
    const std::string key = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    BOOST_CHECK_EQUAL(ScriptToAsm(FromHex("5120" + key)), "1 " + key);
    // "ODA1" is a 4-byte push, printed (as Bitcoin does) as a script number: 0x3141444f.
    BOOST_CHECK_EQUAL(ScriptToAsm(OdaOutputScript(FromHex("0102030405"))), "OP_RETURN 826360911 0102030405");
    BOOST_CHECK_EQUAL(ScriptToAsm(FromHex("6a0481000000")), "OP_RETURN 129");
    BOOST_CHECK_EQUAL(ScriptToAsm(FromHex("0181")), "-1");
    BOOST_CHECK_EQUAL(ScriptToAsm(FromHex("4f0060ac")), "-1 0 16 OP_CHECKSIG");
    BOOST_CHECK_EQUAL(ScriptToAsm(FromHex("76a914751e76e8199196d454941c45d1b3a323f1433bd688ac")),
                      "OP_DUP OP_HASH160 751e76e8199196d454941c45d1b3a323f1433bd6 OP_EQUALVERIFY OP_CHECKSIG");
    BOOST_CHECK_EQUAL(ScriptToAsm(FromHex("6a4c05aabb")), "OP_RETURN [error]");
    BOOST_CHECK_EQUAL(ScriptToAsm(FromHex("")), "");
    BOOST_CHECK_EQUAL(ScriptToAsm(FromHex("fe")), "OP_UNKNOWN");
}

BOOST_AUTO_TEST_CASE(classify_taproot)
{
    const ScriptBytes tr = FromHex("5120a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c");
    BOOST_CHECK(ClassifyOutput(tr) == OutputType::WITNESS_V1_TAPROOT);
    BOOST_CHECK(IsSpendableOutput(tr));
    BOOST_CHECK(IsStandardOutput(tr));
    auto key = GetTaprootOutputKey(tr);
    BOOST_REQUIRE(key);
    BOOST_CHECK(TaprootOutputScript(*key) == tr);

    // Shapes that are not taproot: other lengths, other versions, other push forms.
    for (const char* hex : {
             "5121a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c00", // v1, 33 bytes
             "511fa60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc68",     // v1, 31 bytes
             "5220a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c",   // v2
             "0020a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c",   // v0 P2WSH
             "0014751e76e8199196d454941c45d1b3a323f1433bd6",                           // v0 P2WPKH
             "514c20a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c", // non-minimal push
             "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac",                     // P2PKH
             "",
         }) {
        ScriptBytes s = FromHex(hex);
        BOOST_CHECK_MESSAGE(ClassifyOutput(s) == OutputType::NONSTANDARD, hex);
        BOOST_CHECK(!IsSpendableOutput(s));
        BOOST_CHECK(!IsStandardOutput(s));
        BOOST_CHECK(!GetTaprootOutputKey(s));
    }
}

BOOST_AUTO_TEST_CASE(classify_oda_outputs)
{
    // Good: small payload, PUSHDATA1/2/4-sized payloads, empty payload.
    for (size_t n : {0, 1, 40, 75, 76, 300, 70000}) {
        std::vector<uint8_t> payload(n, 0x02);
        ScriptBytes s = OdaOutputScript(payload);
        BOOST_CHECK_MESSAGE(ClassifyOutput(s) == OutputType::ODA_DATA, n);
        auto got = ExtractOdaPayload(s);
        BOOST_REQUIRE(got);
        BOOST_CHECK(*got == payload);
        BOOST_CHECK(IsStandardOutput(s)); // no 80-byte limit for the ODA form
        BOOST_CHECK(!IsSpendableOutput(s));
        BOOST_CHECK(HasOdaTag(s));
    }
    BOOST_CHECK(OdaOutputScript(FromHex("01aa")) == FromHex("6a044f4441310201aa"));

    // Non-minimal push of the payload: 3 bytes with OP_PUSHDATA1.
    ScriptBytes nonmin = FromHex("6a044f4441314c03010203");
    BOOST_CHECK(ClassifyOutput(nonmin) == OutputType::NULL_DATA);
    BOOST_CHECK(!ExtractOdaPayload(nonmin));
    BOOST_CHECK(HasOdaTag(nonmin));
    // Non-minimal push of the tag.
    ScriptBytes nonmin_tag = FromHex("6a4c044f44413103010203");
    BOOST_CHECK(ClassifyOutput(nonmin_tag) == OutputType::NULL_DATA);
    BOOST_CHECK(HasOdaTag(nonmin_tag));
    // 100-byte payload pushed with OP_PUSHDATA2 (minimal is OP_PUSHDATA1).
    ScriptBytes nonmin2 = FromHex("6a044f4441314d6400" + HexStr(Bytes(100)));
    BOOST_CHECK(!ExtractOdaPayload(nonmin2));
    BOOST_CHECK(ClassifyOutput(nonmin2) != OutputType::ODA_DATA);
    // Trailing bytes after the payload: another push, an opcode, a truncated push.
    for (const char* tail : {"00", "51", "6a", "0101", "4c"}) {
        ScriptBytes t = FromHex(std::string("6a044f44413103010203") + tail);
        BOOST_CHECK_MESSAGE(ClassifyOutput(t) != OutputType::ODA_DATA, tail);
        BOOST_CHECK(!ExtractOdaPayload(t));
    }
    // Missing tag: plain data.
    ScriptBytes notag = NullDataScript(FromHex("010203"));
    BOOST_CHECK(ClassifyOutput(notag) == OutputType::NULL_DATA);
    BOOST_CHECK(!HasOdaTag(notag));
    // Another tag.
    BOOST_CHECK(ClassifyOutput(FromHex("6a044f44413203010203")) == OutputType::NULL_DATA);
    BOOST_CHECK(!HasOdaTag(FromHex("6a044f44413203010203")));
    // Tag only, no payload.
    BOOST_CHECK(ClassifyOutput(FromHex("6a044f444131")) == OutputType::NULL_DATA);
    BOOST_CHECK(!ExtractOdaPayload(FromHex("6a044f444131")));
    // Payload pushed as OP_1 (not a data push).
    BOOST_CHECK(!ExtractOdaPayload(FromHex("6a044f44413151")));
    // Truncated payload push.
    BOOST_CHECK(ClassifyOutput(FromHex("6a044f444131050102")) == OutputType::NONSTANDARD);
    // Without OP_RETURN.
    BOOST_CHECK(ClassifyOutput(FromHex("044f44413103010203")) == OutputType::NONSTANDARD);
}

BOOST_AUTO_TEST_CASE(null_data_standardness)
{
    BOOST_CHECK(NullDataScript({}) == FromHex("6a00"));
    ScriptBytes s80 = NullDataScript(Bytes(80));
    BOOST_CHECK_EQUAL(s80.size(), MAX_NULL_DATA_SCRIPT_SIZE);
    BOOST_CHECK(ClassifyOutput(s80) == OutputType::NULL_DATA);
    BOOST_CHECK(IsStandardOutput(s80));
    ScriptBytes s81 = NullDataScript(Bytes(81));
    BOOST_CHECK(ClassifyOutput(s81) == OutputType::NULL_DATA);
    BOOST_CHECK(!IsStandardOutput(s81));
    BOOST_CHECK(ClassifyOutput(FromHex("6a")) == OutputType::NULL_DATA);
    BOOST_CHECK(ClassifyOutput(FromHex("6aac")) == OutputType::NONSTANDARD); // non-push after OP_RETURN
    BOOST_CHECK(!IsSpendableOutput(s80));
}

BOOST_AUTO_TEST_CASE(output_type_names)
{
    BOOST_CHECK_EQUAL(GetOutputTypeName(OutputType::WITNESS_V1_TAPROOT), "witness_v1_taproot");
    BOOST_CHECK_EQUAL(GetOutputTypeName(OutputType::NULL_DATA), "nulldata");
    BOOST_CHECK_EQUAL(GetOutputTypeName(OutputType::ODA_DATA), "oda");
    BOOST_CHECK_EQUAL(GetOutputTypeName(OutputType::NONSTANDARD), "nonstandard");
}

BOOST_AUTO_TEST_SUITE_END()
