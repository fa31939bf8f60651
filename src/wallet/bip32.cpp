#include <wallet/bip32.h>

#include <crypto/hash.h>
#include <crypto/hmac.h>
#include <wallet/base58.h>

#include <openssl/evp.h>
#include <secp256k1.h>

#include <cstdlib>
#include <cstring>

namespace {
constexpr std::array<uint8_t, 4> VER_XPRV{0x04, 0x88, 0xAD, 0xE4};
constexpr std::array<uint8_t, 4> VER_XPUB{0x04, 0x88, 0xB2, 0x1E};
constexpr std::array<uint8_t, 4> VER_TPRV{0x04, 0x35, 0x83, 0x94};
constexpr std::array<uint8_t, 4> VER_TPUB{0x04, 0x35, 0x87, 0xCF};

/** Context for key creation and tweaks. Created once; never modified afterwards. */
const secp256k1_context* Ctx()
{
    static const secp256k1_context* const ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

void PutBE32(uint8_t* out, uint32_t v)
{
    out[0] = v >> 24; out[1] = v >> 16; out[2] = v >> 8; out[3] = v;
}
uint32_t GetBE32(const uint8_t* in)
{
    return (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) | in[3];
}

std::optional<secp256k1_pubkey> ParsePub(const CompressedPubKey& pub)
{
    secp256k1_pubkey p;
    if (!secp256k1_ec_pubkey_parse(Ctx(), &p, pub.data(), pub.size())) return std::nullopt;
    return p;
}
CompressedPubKey SerializePub(const secp256k1_pubkey& p)
{
    CompressedPubKey out{};
    size_t len = out.size();
    secp256k1_ec_pubkey_serialize(Ctx(), out.data(), &len, &p, SECP256K1_EC_COMPRESSED);
    return out;
}

std::vector<uint8_t> Header(const std::array<uint8_t, 4>& ver, uint8_t depth, const std::array<uint8_t, 4>& fp,
                            uint32_t child, const std::array<uint8_t, 32>& cc)
{
    std::vector<uint8_t> v(ver.begin(), ver.end());
    v.push_back(depth);
    v.insert(v.end(), fp.begin(), fp.end());
    uint8_t c[4];
    PutBE32(c, child);
    v.insert(v.end(), c, c + 4);
    v.insert(v.end(), cc.begin(), cc.end());
    return v;
}
} // namespace

std::array<uint8_t, 20> Hash160(const uint8_t* data, size_t len)
{
    const uint256 sha = Sha256(data, len);
    std::array<uint8_t, 20> out{};
    unsigned int out_len = 0;
    if (!EVP_Digest(sha.data(), sha.size(), out.data(), &out_len, EVP_ripemd160(), nullptr) || out_len != 20) {
        std::abort();
    }
    return out;
}

CompressedPubKey GetCompressedPubKey(const CKey& key)
{
    secp256k1_pubkey p;
    if (!secp256k1_ec_pubkey_create(Ctx(), &p, key.data())) std::abort(); // precondition: valid key
    return SerializePub(p);
}

XOnlyPubKey XOnlyOf(const CompressedPubKey& pub) { return XOnlyPubKey(pub.data() + 1); }

std::array<uint8_t, 4> ExtPubKey::Fingerprint() const
{
    const auto h = Hash160(pubkey.data(), pubkey.size());
    return {h[0], h[1], h[2], h[3]};
}

std::optional<ExtPubKey> ExtPubKey::Derive(uint32_t index) const
{
    if (index >= BIP32_HARDENED || depth == 255) return std::nullopt;
    uint8_t data[37];
    std::memcpy(data, pubkey.data(), 33);
    PutBE32(data + 33, index);
    const auto I = HmacSha512(chaincode.data(), chaincode.size(), data, sizeof(data));
    auto p = ParsePub(pubkey);
    if (!p) return std::nullopt;
    if (!secp256k1_ec_pubkey_tweak_add(Ctx(), &*p, I.data())) return std::nullopt;
    ExtPubKey child_key;
    child_key.depth = depth + 1;
    child_key.parent_fingerprint = Fingerprint();
    child_key.child = index;
    std::memcpy(child_key.chaincode.data(), I.data() + 32, 32);
    child_key.pubkey = SerializePub(*p);
    return child_key;
}

std::string ExtPubKey::ToString(bool mainnet) const
{
    auto v = Header(mainnet ? VER_XPUB : VER_TPUB, depth, parent_fingerprint, child, chaincode);
    v.insert(v.end(), pubkey.begin(), pubkey.end());
    return EncodeBase58Check(v);
}

std::optional<ExtKey> ExtKey::FromSeed(const std::vector<uint8_t>& seed)
{
    if (seed.size() < 16 || seed.size() > 64) return std::nullopt;
    static const char SALT[] = "Bitcoin seed"; // fixed by BIP 32
    const auto I = HmacSha512(reinterpret_cast<const uint8_t*>(SALT), 12, seed.data(), seed.size());
    auto key = CKey::FromBytes(I.data(), 32);
    if (!key) return std::nullopt;
    ExtKey m;
    m.key = *key;
    std::memcpy(m.chaincode.data(), I.data() + 32, 32);
    return m;
}

std::optional<ExtKey> ExtKey::Derive(uint32_t index) const
{
    if (depth == 255 || !key.IsValid()) return std::nullopt;
    uint8_t data[37];
    const CompressedPubKey pub = GetCompressedPubKey(key);
    if (index >= BIP32_HARDENED) {
        data[0] = 0;
        std::memcpy(data + 1, key.data(), 32);
    } else {
        std::memcpy(data, pub.data(), 33);
    }
    PutBE32(data + 33, index);
    const auto I = HmacSha512(chaincode.data(), chaincode.size(), data, sizeof(data));
    uint8_t secret[32];
    std::memcpy(secret, key.data(), 32);
    // Fails when IL >= n or the sum is zero: BIP 32's "invalid child".
    const bool ok = secp256k1_ec_seckey_tweak_add(Ctx(), secret, I.data());
    auto child_secret = ok ? CKey::FromBytes(secret, 32) : std::nullopt;
    std::memset(secret, 0, sizeof(secret));
    if (!child_secret) return std::nullopt;
    ExtKey c;
    c.depth = depth + 1;
    const auto h = Hash160(pub.data(), pub.size());
    c.parent_fingerprint = {h[0], h[1], h[2], h[3]};
    c.child = index;
    std::memcpy(c.chaincode.data(), I.data() + 32, 32);
    c.key = *child_secret;
    return c;
}

std::optional<ExtKey> ExtKey::DerivePath(const std::vector<uint32_t>& path) const
{
    std::optional<ExtKey> k = *this;
    for (uint32_t i : path) {
        k = k->Derive(i);
        if (!k) return std::nullopt;
    }
    return k;
}

ExtPubKey ExtKey::Neuter() const
{
    ExtPubKey p;
    p.depth = depth;
    p.parent_fingerprint = parent_fingerprint;
    p.child = child;
    p.chaincode = chaincode;
    p.pubkey = GetCompressedPubKey(key);
    return p;
}

std::string ExtKey::ToString(bool mainnet) const
{
    auto v = Header(mainnet ? VER_XPRV : VER_TPRV, depth, parent_fingerprint, child, chaincode);
    v.push_back(0);
    v.insert(v.end(), key.data(), key.data() + 32);
    return EncodeBase58Check(v);
}

std::optional<ParsedExtKey> DecodeExtKey(const std::string& str, std::string* error)
{
    auto fail = [&](const char* why) -> std::optional<ParsedExtKey> {
        if (error) *error = why;
        return std::nullopt;
    };
    if (str.size() > 120) return fail("extended key too long");
    auto raw = DecodeBase58Check(str, 78);
    if (!raw) return fail("invalid Base58Check encoding or checksum");
    if (raw->size() != 78) return fail("extended key is not 78 bytes");
    std::array<uint8_t, 4> ver;
    std::copy(raw->begin(), raw->begin() + 4, ver.begin());
    ParsedExtKey out;
    if (ver == VER_XPRV || ver == VER_TPRV) {
        out.is_private = true;
    } else if (ver != VER_XPUB && ver != VER_TPUB) {
        return fail("unknown extended key version");
    }
    out.mainnet = (ver == VER_XPRV || ver == VER_XPUB);
    const uint8_t* p = raw->data() + 4;
    const uint8_t depth = p[0];
    std::array<uint8_t, 4> fp{p[1], p[2], p[3], p[4]};
    const uint32_t child = GetBE32(p + 5);
    if (depth == 0 && (fp != std::array<uint8_t, 4>{} || child != 0)) return fail("master key with nonzero parent fingerprint or index");
    std::array<uint8_t, 32> cc;
    std::memcpy(cc.data(), p + 9, 32);
    const uint8_t* keydata = p + 41;
    if (out.is_private) {
        if (keydata[0] != 0) return fail("private key data must start with 0x00");
        auto k = CKey::FromBytes(keydata + 1, 32);
        if (!k) return fail("invalid private key");
        out.priv.depth = depth;
        out.priv.parent_fingerprint = fp;
        out.priv.child = child;
        out.priv.chaincode = cc;
        out.priv.key = *k;
        out.pub = out.priv.Neuter();
    } else {
        CompressedPubKey pub;
        std::memcpy(pub.data(), keydata, 33);
        if ((pub[0] != 2 && pub[0] != 3) || !ParsePub(pub)) return fail("invalid public key");
        out.pub.depth = depth;
        out.pub.parent_fingerprint = fp;
        out.pub.child = child;
        out.pub.chaincode = cc;
        out.pub.pubkey = pub;
    }
    return out;
}

std::optional<std::vector<uint32_t>> ParseHDPath(const std::string& path)
{
    std::vector<uint32_t> out;
    std::string rest = path;
    if (rest == "m") return out;
    if (rest.rfind("m/", 0) == 0) rest = rest.substr(2);
    if (rest.empty()) return std::nullopt;
    size_t start = 0;
    while (true) {
        const size_t slash = rest.find('/', start);
        std::string elem = rest.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        bool hardened = false;
        if (!elem.empty() && (elem.back() == '\'' || elem.back() == 'h' || elem.back() == 'H')) {
            hardened = true;
            elem.pop_back();
        }
        if (elem.empty() || elem.size() > 10) return std::nullopt;
        uint64_t v = 0;
        for (char c : elem) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + (c - '0');
        }
        if (v >= BIP32_HARDENED) return std::nullopt;
        out.push_back(static_cast<uint32_t>(v) | (hardened ? BIP32_HARDENED : 0));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return out;
}

std::string FormatHDPath(const std::vector<uint32_t>& path, bool with_m)
{
    std::string s = with_m ? "m" : "";
    for (uint32_t i : path) {
        if (!s.empty()) s += "/";
        s += std::to_string(i & ~BIP32_HARDENED);
        if (i & BIP32_HARDENED) s += "'";
    }
    return s;
}
