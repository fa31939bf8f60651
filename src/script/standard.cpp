#include <script/standard.h>

#include <script/script.h>

#include <cstring>

namespace {

bool IsTaprootScript(const ScriptBytes& spk)
{
    return spk.size() == TAPROOT_SCRIPT_SIZE && spk[0] == OP_1 && spk[1] == XOnlyPubKey::SIZE;
}

bool IsTagPush(const ScriptOp& op)
{
    return op.IsPush() && op.size == sizeof(ODA_TAG) && std::memcmp(op.data, ODA_TAG, sizeof(ODA_TAG)) == 0;
}

/** Parses OP_RETURN <tag> <payload> END with minimal pushes; fills `payload`. */
bool ParseOdaOutput(const ScriptBytes& spk, ScriptOp& payload)
{
    if (spk.empty() || spk[0] != OP_RETURN) return false;
    size_t pos = 1;
    ScriptOp tag;
    if (!GetScriptOp(spk, pos, tag) || !IsTagPush(tag) || !tag.IsMinimalPush()) return false;
    if (!GetScriptOp(spk, pos, payload) || !payload.IsPush() || !payload.IsMinimalPush()) return false;
    return pos == spk.size();
}

} // namespace

OutputType ClassifyOutput(const ScriptBytes& spk)
{
    if (IsTaprootScript(spk)) return OutputType::WITNESS_V1_TAPROOT;
    ScriptOp payload;
    if (ParseOdaOutput(spk, payload)) return OutputType::ODA_DATA;
    if (!spk.empty() && spk[0] == OP_RETURN && IsPushOnly(spk, 1)) return OutputType::NULL_DATA;
    return OutputType::NONSTANDARD;
}

std::string GetOutputTypeName(OutputType type)
{
    switch (type) {
    case OutputType::WITNESS_V1_TAPROOT: return "witness_v1_taproot";
    case OutputType::NULL_DATA: return "nulldata";
    case OutputType::ODA_DATA: return "oda";
    case OutputType::NONSTANDARD: return "nonstandard";
    }
    return "nonstandard";
}

ScriptBytes TaprootOutputScript(const XOnlyPubKey& output_key)
{
    ScriptBytes spk;
    spk.reserve(TAPROOT_SCRIPT_SIZE);
    spk.push_back(OP_1);
    spk.push_back(XOnlyPubKey::SIZE);
    spk.insert(spk.end(), output_key.begin(), output_key.end());
    return spk;
}

std::optional<ScriptBytes> Bip86OutputScript(const XOnlyPubKey& internal_key)
{
    auto output_key = TaprootTweak(internal_key);
    if (!output_key) return std::nullopt;
    return TaprootOutputScript(*output_key);
}

ScriptBytes OdaOutputScript(const std::vector<uint8_t>& payload)
{
    ScriptBuilder b;
    b.PushOpcode(OP_RETURN).PushData(ODA_TAG, sizeof(ODA_TAG)).PushData(payload);
    return b.Release();
}

ScriptBytes NullDataScript(const std::vector<uint8_t>& data)
{
    ScriptBuilder b;
    b.PushOpcode(OP_RETURN).PushData(data);
    return b.Release();
}

std::optional<XOnlyPubKey> GetTaprootOutputKey(const ScriptBytes& spk)
{
    if (!IsTaprootScript(spk)) return std::nullopt;
    return XOnlyPubKey(spk.data() + 2);
}

std::optional<std::vector<uint8_t>> ExtractOdaPayload(const ScriptBytes& spk)
{
    ScriptOp payload;
    if (!ParseOdaOutput(spk, payload)) return std::nullopt;
    return std::vector<uint8_t>(payload.data, payload.data + payload.size);
}

bool HasOdaTag(const ScriptBytes& spk)
{
    if (spk.empty() || spk[0] != OP_RETURN) return false;
    size_t pos = 1;
    ScriptOp tag;
    return GetScriptOp(spk, pos, tag) && IsTagPush(tag);
}

bool IsStandardOutput(const ScriptBytes& spk)
{
    switch (ClassifyOutput(spk)) {
    case OutputType::WITNESS_V1_TAPROOT:
    case OutputType::ODA_DATA:
        return true;
    case OutputType::NULL_DATA:
        return spk.size() <= MAX_NULL_DATA_SCRIPT_SIZE;
    case OutputType::NONSTANDARD:
        return false;
    }
    return false;
}

bool IsSpendableOutput(const ScriptBytes& spk)
{
    return IsTaprootScript(spk);
}
