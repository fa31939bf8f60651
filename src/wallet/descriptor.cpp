#include <wallet/descriptor.h>

#include <hex.h>
#include <script/standard.h>

#include <algorithm>
#include <cstring>

namespace {
// BIP 380: the character set whose position (mod 32, and /32 in groups of three)
// feeds the checksum; the checksum characters are bech32's.
const std::string INPUT_CHARSET =
    "0123456789()[],'/*abcdefgh@:$%{}"
    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
    "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
const char* const CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

uint64_t PolyMod(uint64_t c, int val)
{
    const uint8_t c0 = c >> 35;
    c = ((c & 0x7ffffffffULL) << 5) ^ val;
    if (c0 & 1) c ^= 0xf5dee51989ULL;
    if (c0 & 2) c ^= 0xa9fdca3312ULL;
    if (c0 & 4) c ^= 0x1bab10e32dULL;
    if (c0 & 8) c ^= 0x3706b1677aULL;
    if (c0 & 16) c ^= 0x644d626ffdULL;
    return c;
}

std::string FingerprintHex(const std::array<uint8_t, 4>& fp) { return HexStr(fp.data(), fp.size()); }
} // namespace

std::string DescriptorChecksum(const std::string& desc)
{
    uint64_t c = 1;
    int cls = 0;
    int clscount = 0;
    for (char ch : desc) {
        const size_t pos = INPUT_CHARSET.find(ch);
        if (pos == std::string::npos) return "";
        c = PolyMod(c, pos & 31);
        cls = cls * 3 + static_cast<int>(pos >> 5);
        if (++clscount == 3) {
            c = PolyMod(c, cls);
            cls = 0;
            clscount = 0;
        }
    }
    if (clscount > 0) c = PolyMod(c, cls);
    for (int i = 0; i < 8; ++i) c = PolyMod(c, 0);
    c ^= 1;
    std::string out(8, ' ');
    for (int i = 0; i < 8; ++i) out[i] = CHECKSUM_CHARSET[(c >> (5 * (7 - i))) & 31];
    return out;
}

std::string AddChecksum(const std::string& desc) { return desc + "#" + DescriptorChecksum(desc); }

std::optional<Descriptor> Descriptor::Parse(const std::string& input, std::string* error, bool require_checksum)
{
    auto fail = [&](const std::string& why) -> std::optional<Descriptor> {
        if (error) *error = why;
        return std::nullopt;
    };
    if (input.size() > 1000) return fail("descriptor too long");
    std::string str = input;
    const size_t hash = str.find('#');
    if (hash != std::string::npos) {
        const std::string given = str.substr(hash + 1);
        str = str.substr(0, hash);
        if (given.size() != 8) return fail("Expected 8 character checksum, not " + std::to_string(given.size()) + " characters");
        const std::string expected = DescriptorChecksum(str);
        if (expected.empty()) return fail("Invalid characters in payload");
        if (given != expected) return fail("Provided checksum '" + given + "' does not match computed checksum '" + expected + "'");
    } else if (require_checksum) {
        return fail("Missing checksum");
    }
    if (str.size() < 4 || str.compare(0, 3, "tr(") != 0 || str.back() != ')') {
        return fail("only tr(KEY) descriptors are supported");
    }
    std::string key = str.substr(3, str.size() - 4);
    if (key.find(',') != std::string::npos) return fail("tr() with a script tree is not supported (key path only)");

    Descriptor d;
    if (!key.empty() && key[0] == '[') {
        const size_t close = key.find(']');
        if (close == std::string::npos) return fail("Key origin start '[ character expected but not found");
        const std::string origin = key.substr(1, close - 1);
        key = key.substr(close + 1);
        const std::string fp_hex = origin.substr(0, origin.find('/'));
        auto fp = ParseHex(fp_hex);
        if (fp_hex.size() != 8 || !fp) return fail("Fingerprint '" + fp_hex + "' is not 8 hex characters");
        Origin o;
        std::memcpy(o.fingerprint.data(), fp->data(), 4);
        if (origin.size() > 8) {
            if (origin[8] != '/') return fail("bad key origin");
            auto p = ParseHDPath(origin.substr(9));
            if (!p) return fail("Key path value in origin is not valid");
            o.path = *p;
        }
        d.m_origin = o;
    }
    // Split the key from its derivation steps.
    const size_t slash = key.find('/');
    const std::string key_str = key.substr(0, slash);
    if (key_str.size() == 64) {
        if (slash != std::string::npos) return fail("a single key cannot have derivation steps");
        auto bytes = ParseHex(key_str);
        auto xo = bytes ? XOnlyPubKey::FromBytes(*bytes) : std::nullopt;
        if (!xo || !xo->IsFullyValid()) return fail("Pubkey '" + key_str + "' is invalid");
        d.m_single = *xo;
        return d;
    }
    std::string keyerr;
    auto ext = DecodeExtKey(key_str, &keyerr);
    if (!ext) return fail("key '" + key_str + "' is not valid: " + keyerr);
    d.m_extended = true;
    d.m_mainnet = ext->mainnet;
    d.m_pub = ext->pub;
    if (ext->is_private) d.m_priv = ext->priv;
    if (slash != std::string::npos) {
        std::string steps = key.substr(slash + 1);
        if (steps == "*") {
            d.m_ranged = true;
            steps.clear();
        } else if (steps.size() >= 2 && steps.compare(steps.size() - 2, 2, "/*") == 0) {
            d.m_ranged = true;
            steps = steps.substr(0, steps.size() - 2);
        }
        if (!steps.empty()) {
            if (steps.find('*') != std::string::npos) return fail("'*' may only be the last step (hardened ranges are not supported)");
            auto p = ParseHDPath(steps);
            if (!p) return fail("Key path value '" + steps + "' is not valid");
            for (uint32_t i : *p) {
                if ((i & BIP32_HARDENED) && !d.m_priv) return fail("hardened derivation needs a private key");
            }
            d.m_path = *p;
        }
    }
    // Derive once so a key whose path cannot be derived fails here, not later.
    if (!d.PubAt(0)) return fail("key path cannot be derived");
    return d;
}

std::optional<ExtPubKey> Descriptor::PubAt(uint32_t pos) const
{
    if (!m_extended) return std::nullopt;
    std::vector<uint32_t> steps = m_path;
    if (m_ranged) steps.push_back(pos);
    if (m_priv) {
        auto k = m_priv->DerivePath(steps);
        if (!k) return std::nullopt;
        return k->Neuter();
    }
    std::optional<ExtPubKey> k = m_pub;
    for (uint32_t i : steps) {
        k = k->Derive(i);
        if (!k) return std::nullopt;
    }
    return k;
}

std::optional<XOnlyPubKey> Descriptor::InternalKey(uint32_t pos) const
{
    if (!m_extended) return m_single;
    auto p = PubAt(pos);
    if (!p) return std::nullopt;
    return XOnlyOf(p->pubkey);
}

std::optional<ScriptBytes> Descriptor::ScriptAt(uint32_t pos) const
{
    auto k = InternalKey(pos);
    if (!k) return std::nullopt;
    return Bip86OutputScript(*k);
}

std::optional<CKey> Descriptor::PrivKeyAt(uint32_t pos) const
{
    if (!m_priv) return std::nullopt;
    std::vector<uint32_t> steps = m_path;
    if (m_ranged) steps.push_back(pos);
    auto k = m_priv->DerivePath(steps);
    if (!k) return std::nullopt;
    return k->key;
}

std::string Descriptor::KeyPathAt(uint32_t pos) const
{
    if (!m_extended && !m_origin) return "";
    std::vector<uint32_t> full = m_origin ? m_origin->path : std::vector<uint32_t>{};
    full.insert(full.end(), m_path.begin(), m_path.end());
    if (m_ranged) full.push_back(pos);
    return FormatHDPath(full);
}

std::string Descriptor::KeyString(bool priv) const
{
    // Hardened steps after an xprv cannot be printed after its xpub: the public form
    // starts below them (see Public()).
    if (!priv && m_priv) return Public().KeyString(false);
    std::string s;
    if (m_origin) {
        s = "[" + FingerprintHex(m_origin->fingerprint);
        if (!m_origin->path.empty()) s += "/" + FormatHDPath(m_origin->path, false);
        s += "]";
    }
    if (!m_extended) return s + HexStr(m_single.ToBytes());
    s += (priv && m_priv) ? m_priv->ToString(m_mainnet) : m_pub.ToString(m_mainnet);
    if (!m_path.empty()) s += "/" + FormatHDPath(m_path, false);
    if (m_ranged) s += "/*";
    return s;
}

std::string Descriptor::ToString(bool priv) const { return AddChecksum("tr(" + KeyString(priv) + ")"); }

Descriptor Descriptor::Public() const
{
    Descriptor d = *this;
    d.m_priv.reset();
    // An xpub cannot derive hardened children. When the steps after an xprv include hardened
    // ones, the public form is the xpub below the last hardened step, and the key origin
    // records the steps taken, so that it derives the same keys with the same full paths:
    // tr(xprv/86'/1'/0'/0/*) -> tr([fingerprint/86'/1'/0']xpub/0/*).
    size_t hardened_end = 0; // one past the last hardened step
    for (size_t i = 0; i < m_path.size(); ++i) {
        if (m_path[i] & BIP32_HARDENED) hardened_end = i + 1;
    }
    if (!m_priv || hardened_end == 0) return d;
    const std::vector<uint32_t> through(m_path.begin(), m_path.begin() + hardened_end);
    const std::optional<ExtKey> below = m_priv->DerivePath(through);
    if (!below) return d; // unreachable: Parse() derived this path already
    Origin origin = m_origin ? *m_origin : Origin{m_pub.Fingerprint(), {}};
    origin.path.insert(origin.path.end(), through.begin(), through.end());
    d.m_origin = origin;
    d.m_pub = below->Neuter();
    d.m_path.assign(m_path.begin() + hardened_end, m_path.end());
    return d;
}

std::string Descriptor::InferredAt(uint32_t pos) const
{
    auto k = InternalKey(pos);
    if (!k) return "";
    std::string s = "tr(";
    if (m_extended) {
        std::vector<uint32_t> full = m_origin ? m_origin->path : std::vector<uint32_t>{};
        full.insert(full.end(), m_path.begin(), m_path.end());
        if (m_ranged) full.push_back(pos);
        std::array<uint8_t, 4> fp = m_origin ? m_origin->fingerprint : m_pub.Fingerprint();
        s += "[" + FingerprintHex(fp);
        if (!full.empty()) s += "/" + FormatHDPath(full, false);
        s += "]";
    }
    s += HexStr(k->ToBytes()) + ")";
    return AddChecksum(s);
}
