// Fuzz targets for src/script: address strings (RPC arguments, wallet input), output script
// classification (every output of every transaction) and input verification (every
// witness a peer sends).
#include <script/address.h>
#include <script/bech32.h>
#include <script/script.h>
#include <script/sighash.h>
#include <script/standard.h>
#include <script/verify.h>
#include <streams.h>
#include <test/fuzz/fuzz.h>
#include <test/fuzz/seed_builders.h>
#include <util/strencodings.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using oda::fuzz::Assert;

namespace {

const char* const HRPS[] = {"oda", "toda", "roda"};

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<std::vector<uint8_t>> AddressSeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    const ScriptBytes spk = oda::fuzz::SeedTaprootScript();
    for (const char* hrp : HRPS) {
        const std::string addr = EncodeDestination(spk, hrp);
        seeds.push_back(Bytes(addr));
        seeds.push_back(Bytes(ToUpper(addr)));
    }
    WitnessProgram v0{0, std::vector<uint8_t>(20, 0x11)};
    seeds.push_back(Bytes(EncodeSegwitAddress("oda", v0)));
    WitnessProgram v16{16, std::vector<uint8_t>(2, 0x22)};
    seeds.push_back(Bytes(EncodeSegwitAddress("bc", v16)));
    seeds.push_back(Bytes(bech32::Encode(bech32::Encoding::BECH32, "a", {})));
    seeds.push_back(Bytes(bech32::Encode(bech32::Encoding::BECH32M, "x!y", {1, 2, 3, 31})));
    return seeds;
}

std::vector<std::vector<uint8_t>> ScriptSeeds()
{
    const oda::fuzz::SignedSpend spend = oda::fuzz::MakeSignedSpend();
    std::vector<uint8_t> big(300, 0x5a);
    std::vector<uint8_t> tag_non_minimal{OP_RETURN, OP_PUSHDATA1, 4, 'O', 'D', 'A', '1', 1, 0x00};
    return {
        oda::fuzz::SeedTaprootScript(),
        OdaOutputScript({}),
        OdaOutputScript({0x07}),
        OdaOutputScript(big),
        NullDataScript({1, 2, 3}),
        NullDataScript({}),
        tag_non_minimal,
        {OP_RETURN, OP_1, OP_16, OP_1NEGATE},
        spend.tx.vin[0].witness.stack[0],
    };
}

std::vector<std::vector<uint8_t>> VerifySeeds()
{
    const oda::fuzz::SignedSpend spend = oda::fuzz::MakeSignedSpend();
    std::vector<uint8_t> seed = SerializeToBytes(spend.spent);
    const std::vector<uint8_t> tx = SerializeToBytes(spend.tx);
    seed.insert(seed.end(), tx.begin(), tx.end());
    return {seed};
}

/** Walks every operation: positions advance, stay in bounds, and each minimal push is
 *  rebuilt byte for byte by ScriptBuilder. Returns whether the script parsed to its end. */
bool WalkScript(const ScriptBytes& spk)
{
    size_t pos = 0;
    ScriptOp op;
    while (true) {
        const size_t before = pos;
        if (!GetScriptOp(spk, pos, op)) {
            Assert(pos == before && op.opcode == OP_INVALIDOPCODE, "failed GetScriptOp moved or set an opcode");
            return pos == spk.size();
        }
        Assert(pos > before && pos <= spk.size(), "GetScriptOp position");
        if (op.IsPush()) {
            Assert(op.size == 0 || (op.data >= spk.data() && op.data + op.size <= spk.data() + spk.size()), "push data outside the script");
            if (op.IsMinimalPush()) {
                ScriptBuilder b;
                b.PushData(op.data, op.size);
                Assert(b.Get() == ScriptBytes(spk.begin() + before, spk.begin() + pos), "minimal push not rebuilt exactly");
            }
        }
    }
}

} // namespace

// Strings -> bech32/bech32m, segwit programs and ODA destinations. Whatever decodes encodes
// back to the same string in lower case; rejections carry a reason; nothing crashes.
ODA_FUZZ_TARGET_SEEDS(address_decode, AddressSeeds)
{
    const std::string str(reinterpret_cast<const char*>(data), size);
    const std::string lower = ToLower(str);
    const bech32::DecodeResult r = bech32::Decode(str);
    if (r.encoding == bech32::Encoding::INVALID) {
        Assert(!r.error.empty(), "bech32 rejection without a reason");
    } else {
        Assert(r.error.empty() && str.size() <= bech32::MAX_LENGTH, "bech32 success shape");
        Assert(str == lower || str == ToUpper(str), "mixed case accepted");
        for (uint8_t v : r.data) Assert(v < 32, "bech32 value >= 32");
        Assert(bech32::Encode(r.encoding, r.hrp, r.data) == lower, "bech32 re-encoding differs");
    }

    std::vector<std::string> hrps(std::begin(HRPS), std::end(HRPS));
    if (r.encoding != bech32::Encoding::INVALID) hrps.push_back(r.hrp);
    for (const std::string& hrp : hrps) {
        std::string error;
        const auto wp = DecodeSegwitAddress(hrp, str, &error);
        if (!wp) {
            Assert(!error.empty(), "segwit rejection without a reason");
        } else {
            Assert(r.encoding == (wp->version == 0 ? bech32::Encoding::BECH32 : bech32::Encoding::BECH32M), "segwit checksum kind");
            Assert(wp->version >= 0 && wp->version <= 16, "witness version range");
            Assert(wp->program.size() >= 2 && wp->program.size() <= 40, "program length range");
            Assert(wp->version != 0 || wp->program.size() == 20 || wp->program.size() == 32, "v0 program length");
            Assert(EncodeSegwitAddress(hrp, *wp) == lower, "segwit re-encoding differs");
            Assert(WitnessProgramScript(*wp).size() == 2 + wp->program.size(), "witness program script size");
        }
        error.clear();
        const auto spk = DecodeDestination(str, hrp, &error);
        if (!spk) {
            Assert(!error.empty(), "destination rejection without a reason");
        } else {
            Assert(wp && wp->version == 1 && wp->program.size() == 32, "destination that is not a taproot program");
            Assert(ClassifyOutput(*spk) == OutputType::WITNESS_V1_TAPROOT, "destination script is not taproot");
            Assert(EncodeDestination(*spk, hrp) == lower, "destination re-encoding differs");
        }
    }

    // The regrouping used by addresses is lossless for any bytes.
    std::vector<uint8_t> five, eight;
    Assert(bech32::ConvertBits(five, std::vector<uint8_t>(data, data + size), 8, 5, true), "8->5 bits");
    Assert(bech32::ConvertBits(eight, five, 5, 8, false) && eight == std::vector<uint8_t>(data, data + size), "5->8 bits");
}

// Any bytes as an output script: classification is total, deterministic and agrees with the
// extractors, the builders rebuild what was classified, and the parser stays in bounds.
ODA_FUZZ_TARGET_SEEDS(script_classify, ScriptSeeds)
{
    const ScriptBytes spk(data, data + size);
    const OutputType type = ClassifyOutput(spk);
    Assert(ClassifyOutput(ScriptBytes(spk)) == type, "classification is not deterministic");
    Assert(!GetOutputTypeName(type).empty(), "type name");
    const bool parses = WalkScript(spk);
    ScriptToAsm(spk);

    const auto key = GetTaprootOutputKey(spk);
    Assert(key.has_value() == (type == OutputType::WITNESS_V1_TAPROOT), "taproot key vs type");
    Assert(IsSpendableOutput(spk) == (type == OutputType::WITNESS_V1_TAPROOT), "spendable vs type");
    if (key) {
        Assert(TaprootOutputScript(*key) == spk, "taproot script not rebuilt");
        const std::string addr = EncodeDestination(spk, "roda");
        const auto back = DecodeDestination(addr, "roda");
        Assert(back && *back == spk, "taproot address round trip");
    } else {
        Assert(EncodeDestination(spk, "roda").empty(), "address for a non-taproot script");
    }

    const auto payload = ExtractOdaPayload(spk);
    Assert(payload.has_value() == (type == OutputType::ODA_DATA), "ODA payload vs type");
    if (payload) {
        Assert(OdaOutputScript(*payload) == spk, "ODA script not rebuilt");
        Assert(HasOdaTag(spk), "ODA output without its tag");
    }
    const bool tagged = HasOdaTag(spk);
    if (tagged) {
        Assert(spk[0] == OP_RETURN, "tag without OP_RETURN");
        Assert(std::search(spk.begin(), spk.end(), std::begin(ODA_TAG), std::end(ODA_TAG)) != spk.end(), "tag bytes missing");
    }
    if (type == OutputType::NULL_DATA) {
        Assert(spk[0] == OP_RETURN && IsPushOnly(spk, 1) && parses, "null data shape");
        // A single minimal data push is exactly what NullDataScript builds.
        size_t pos = 1;
        ScriptOp op;
        if (GetScriptOp(spk, pos, op) && pos == spk.size() && op.IsMinimalPush()) {
            Assert(NullDataScript(std::vector<uint8_t>(op.data, op.data + op.size)) == spk, "null data not rebuilt");
        }
    }
    if (IsPushOnly(spk)) Assert(parses, "push-only script that does not parse");
    const bool standard = IsStandardOutput(spk);
    Assert(standard == (type == OutputType::WITNESS_V1_TAPROOT || type == OutputType::ODA_DATA ||
                        (type == OutputType::NULL_DATA && spk.size() <= MAX_NULL_DATA_SCRIPT_SIZE)),
           "standardness vs type");
}

// Input: the spent outputs (serialized vector<CTxOut>) then a transaction. Verification of
// every input is deterministic, enforces the documented spend shape, and a valid signature
// stops verifying when its bytes or the amount it signs change.
ODA_FUZZ_TARGET_SEEDS(tx_script_verify, VerifySeeds)
{
    std::vector<CTxOut> spent;
    CMutableTransaction mtx;
    try {
        SpanReader r(data, size);
        Unserialize(r, spent);
        Unserialize(r, mtx);
    } catch (const SerializationError&) {
        return;
    }
    const CTransaction tx(mtx);
    const std::vector<CTxOut> spent_copy = spent;
    PrecomputedTxData txdata;
    const bool ready = txdata.Init(tx, spent);
    Assert(ready == (spent_copy.size() == tx.vin.size()) && ready == txdata.ready, "PrecomputedTxData readiness");

    ScriptError out_of_range;
    Assert(!VerifyInputSpend(tx, static_cast<unsigned>(tx.vin.size()), txdata, &out_of_range) &&
               out_of_range == ScriptError::SPENT_OUTPUT_MISSING,
           "input index out of range");

    const size_t inputs = std::min<size_t>(tx.vin.size(), 8); // signature checks are the cost
    for (unsigned i = 0; i < inputs; ++i) {
        ScriptError e1 = ScriptError::OK, e2 = ScriptError::OK;
        const bool ok = VerifyInputSpend(tx, i, txdata, &e1);
        Assert(ok == VerifyInputSpend(tx, i, txdata, &e2) && e1 == e2, "verification is not deterministic");
        Assert(ok == (e1 == ScriptError::OK), "result vs error");
        Assert(!ScriptErrorString(e1).empty(), "error text");
        if (!ready) Assert(e1 == ScriptError::SPENT_OUTPUT_MISSING, "unready txdata verified");
        for (uint8_t ht : {0x00, 0x01, 0x02, 0x03, 0x81, 0x83, 0x04, 0x80}) {
            const auto hash = TaprootSignatureHash(tx, i, ht, txdata);
            Assert(!hash || (ready && IsValidTaprootHashType(ht)), "sighash for an invalid case");
        }
        if (!ok) continue;

        const CTxIn& in = tx.vin[i];
        Assert(IsSpendableOutput(spent_copy[i].script_pubkey), "spend of a non-taproot output");
        Assert(in.script_sig.empty(), "spend with a scriptSig");
        Assert(in.witness.stack.size() == 1, "spend witness stack size");
        const std::vector<uint8_t>& sig = in.witness.stack[0];
        Assert(sig.size() == 64 || (sig.size() == 65 && sig[64] != 0x00 && IsValidTaprootHashType(sig[64])), "signature shape");

        // Any change to the signature's first 64 bytes breaks it.
        CMutableTransaction tampered = mtx;
        tampered.vin[i].witness.stack[0][data[size - 1] % 64] ^= static_cast<uint8_t>(1u << (data[0] % 8));
        const CTransaction tampered_tx(tampered);
        PrecomputedTxData tampered_data;
        tampered_data.Init(tampered_tx, spent_copy);
        Assert(!VerifyInputSpend(tampered_tx, i, tampered_data, nullptr), "tampered signature verifies");

        // Every hash type commits to the amount this input spends.
        std::vector<CTxOut> other_amount = spent_copy;
        other_amount[i].value ^= 1;
        PrecomputedTxData amount_data;
        amount_data.Init(tx, other_amount);
        Assert(!VerifyInputSpend(tx, i, amount_data, nullptr), "signature does not commit to the spent amount");
    }
}
