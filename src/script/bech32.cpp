#include <script/bech32.h>

#include <array>

namespace bech32 {
namespace {

constexpr char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr uint32_t BECH32_CONST = 1;
constexpr uint32_t BECH32M_CONST = 0x2bc830a3;

/** Character -> 5-bit value, or -1 when not in the alphabet (either case). */
int8_t CharValue(char c)
{
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    for (int i = 0; i < 32; ++i) {
        if (CHARSET[i] == c) return static_cast<int8_t>(i);
    }
    return -1;
}

/** The BCH checksum polynomial of BIP 173, over a sequence of 5-bit values. */
uint32_t PolyMod(const std::vector<uint8_t>& values)
{
    static constexpr std::array<uint32_t, 5> GEN = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (uint8_t v : values) {
        uint8_t top = static_cast<uint8_t>(chk >> 25);
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (int i = 0; i < 5; ++i) {
            if ((top >> i) & 1) chk ^= GEN[i];
        }
    }
    return chk;
}

/** HRP expanded for the checksum: high bits of each char, 0, low bits of each char. */
std::vector<uint8_t> ExpandHrp(const std::string& hrp)
{
    std::vector<uint8_t> out;
    out.reserve(hrp.size() * 2 + 1);
    for (char c : hrp) out.push_back(static_cast<uint8_t>(static_cast<uint8_t>(c) >> 5));
    out.push_back(0);
    for (char c : hrp) out.push_back(static_cast<uint8_t>(static_cast<uint8_t>(c) & 31));
    return out;
}

uint32_t ConstantOf(Encoding e) { return e == Encoding::BECH32 ? BECH32_CONST : BECH32M_CONST; }

} // namespace

std::string Encode(Encoding encoding, const std::string& hrp, const std::vector<uint8_t>& values)
{
    if (encoding == Encoding::INVALID || hrp.empty()) return "";
    if (hrp.size() + 1 + values.size() + CHECKSUM_SIZE > MAX_LENGTH) return "";
    for (char c : hrp) {
        if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) return "";
    }
    for (uint8_t v : values) {
        if (v >= 32) return "";
    }
    std::vector<uint8_t> enc = ExpandHrp(hrp);
    enc.insert(enc.end(), values.begin(), values.end());
    enc.resize(enc.size() + CHECKSUM_SIZE, 0);
    const uint32_t mod = PolyMod(enc) ^ ConstantOf(encoding);
    std::string out = hrp + '1';
    out.reserve(out.size() + values.size() + CHECKSUM_SIZE);
    for (uint8_t v : values) out += CHARSET[v];
    for (size_t i = 0; i < CHECKSUM_SIZE; ++i) out += CHARSET[(mod >> (5 * (5 - i))) & 31];
    return out;
}

DecodeResult Decode(const std::string& str)
{
    DecodeResult r;
    if (str.size() > MAX_LENGTH) {
        r.error = "bech32 string too long";
        return r;
    }
    bool lower = false, upper = false;
    for (char c : str) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126) {
            r.error = "invalid character";
            return r;
        }
        if (c >= 'a' && c <= 'z') lower = true;
        if (c >= 'A' && c <= 'Z') upper = true;
    }
    if (lower && upper) {
        r.error = "mixed case";
        return r;
    }
    const size_t sep = str.rfind('1');
    if (sep == std::string::npos) {
        r.error = "missing separator";
        return r;
    }
    if (sep == 0) {
        r.error = "empty human-readable part";
        return r;
    }
    if (str.size() - sep - 1 < CHECKSUM_SIZE) {
        r.error = "checksum too short";
        return r;
    }
    std::string hrp;
    hrp.reserve(sep);
    for (size_t i = 0; i < sep; ++i) {
        char c = str[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        hrp += c;
    }
    std::vector<uint8_t> values;
    values.reserve(str.size() - sep - 1);
    for (size_t i = sep + 1; i < str.size(); ++i) {
        int8_t v = CharValue(str[i]);
        if (v < 0) {
            r.error = "invalid data character";
            return r;
        }
        values.push_back(static_cast<uint8_t>(v));
    }
    std::vector<uint8_t> enc = ExpandHrp(hrp);
    enc.insert(enc.end(), values.begin(), values.end());
    const uint32_t mod = PolyMod(enc);
    Encoding e = mod == BECH32_CONST ? Encoding::BECH32 : mod == BECH32M_CONST ? Encoding::BECH32M : Encoding::INVALID;
    if (e == Encoding::INVALID) {
        r.error = "invalid checksum";
        return r;
    }
    values.resize(values.size() - CHECKSUM_SIZE);
    r.encoding = e;
    r.hrp = std::move(hrp);
    r.data = std::move(values);
    return r;
}

bool ConvertBits(std::vector<uint8_t>& out, const std::vector<uint8_t>& in, int from, int to, bool pad)
{
    if (from < 1 || from > 8 || to < 1 || to > 8) return false;
    uint32_t acc = 0;
    int bits = 0;
    const uint32_t maxv = (1u << to) - 1;
    const uint32_t max_acc = (1u << (from + to - 1)) - 1;
    for (uint8_t v : in) {
        if (v >> from) return false;
        acc = ((acc << from) | v) & max_acc;
        bits += from;
        while (bits >= to) {
            bits -= to;
            out.push_back(static_cast<uint8_t>((acc >> bits) & maxv));
        }
    }
    if (pad) {
        if (bits) out.push_back(static_cast<uint8_t>((acc << (to - bits)) & maxv));
    } else if (bits >= from || ((acc << (to - bits)) & maxv)) {
        return false;
    }
    return true;
}

} // namespace bech32
