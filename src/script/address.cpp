#include <script/address.h>

#include <script/bech32.h>
#include <script/script.h>
#include <script/standard.h>

namespace {

bool ValidProgramShape(int version, size_t size)
{
    if (version < 0 || version > 16) return false;
    if (size < 2 || size > 40) return false;
    if (version == 0 && size != 20 && size != 32) return false;
    return true;
}

std::string Lower(std::string s)
{
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

bool Fail(std::string* error, const std::string& why)
{
    if (error) *error = why;
    return false;
}

} // namespace

std::string EncodeSegwitAddress(const std::string& hrp, const WitnessProgram& wp)
{
    if (hrp.empty() || !ValidProgramShape(wp.version, wp.program.size())) return "";
    std::vector<uint8_t> values{static_cast<uint8_t>(wp.version)};
    if (!bech32::ConvertBits(values, wp.program, 8, 5, true)) return "";
    const auto enc = wp.version == 0 ? bech32::Encoding::BECH32 : bech32::Encoding::BECH32M;
    return bech32::Encode(enc, Lower(hrp), values);
}

std::optional<WitnessProgram> DecodeSegwitAddress(const std::string& hrp, const std::string& addr, std::string* error)
{
    bech32::DecodeResult dec = bech32::Decode(addr);
    if (dec.encoding == bech32::Encoding::INVALID) {
        Fail(error, dec.error);
        return std::nullopt;
    }
    if (dec.hrp != Lower(hrp)) {
        Fail(error, "wrong network prefix (expected " + Lower(hrp) + ")");
        return std::nullopt;
    }
    if (dec.data.empty()) {
        Fail(error, "empty data section");
        return std::nullopt;
    }
    WitnessProgram wp;
    wp.version = dec.data[0];
    if (wp.version > 16) {
        Fail(error, "invalid witness version");
        return std::nullopt;
    }
    // BIP 350: v0 uses the bech32 constant, every later version bech32m.
    if (wp.version == 0 && dec.encoding != bech32::Encoding::BECH32) {
        Fail(error, "invalid checksum (version 0 addresses use bech32, not bech32m)");
        return std::nullopt;
    }
    if (wp.version != 0 && dec.encoding != bech32::Encoding::BECH32M) {
        Fail(error, "invalid checksum (version 1+ addresses use bech32m, not bech32)");
        return std::nullopt;
    }
    const std::vector<uint8_t> values(dec.data.begin() + 1, dec.data.end());
    if (!bech32::ConvertBits(wp.program, values, 5, 8, false)) {
        Fail(error, "invalid padding in data section");
        return std::nullopt;
    }
    if (!ValidProgramShape(wp.version, wp.program.size())) {
        Fail(error, "invalid program length");
        return std::nullopt;
    }
    return wp;
}

ScriptBytes WitnessProgramScript(const WitnessProgram& wp)
{
    ScriptBuilder b;
    b.PushOpcode(EncodeSmallInt(wp.version)).PushData(wp.program);
    return b.Release();
}

std::string EncodeDestination(const ScriptBytes& spk, const std::string& hrp)
{
    auto key = GetTaprootOutputKey(spk);
    if (!key) return "";
    return EncodeSegwitAddress(hrp, WitnessProgram{1, key->ToBytes()});
}

std::optional<ScriptBytes> DecodeDestination(const std::string& str, const std::string& hrp, std::string* error)
{
    auto wp = DecodeSegwitAddress(hrp, str, error);
    if (!wp) return std::nullopt;
    if (wp->version != 1 || wp->program.size() != XOnlyPubKey::SIZE) {
        Fail(error, "only taproot (witness v1, 32 bytes) addresses are supported");
        return std::nullopt;
    }
    return WitnessProgramScript(*wp);
}
