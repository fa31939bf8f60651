#include <script/keys.h>

#include <crypto/hash.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

/** The process-wide libsecp256k1 context. Created and randomized (side-channel
 *  blinding) once, on first use; afterwards only passed as const, which
 *  libsecp256k1 guarantees is safe to share between threads. */
const secp256k1_context* SecpContext()
{
    static const secp256k1_context* const ctx = [] {
        secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        if (!c) {
            std::fprintf(stderr, "fatal: libsecp256k1 context creation failed\n");
            std::abort();
        }
        uint8_t seed[32];
        GetStrongRandBytes(seed, sizeof(seed));
        if (!secp256k1_context_randomize(c, seed)) {
            std::fprintf(stderr, "fatal: libsecp256k1 context randomization failed\n");
            std::abort();
        }
        OPENSSL_cleanse(seed, sizeof(seed));
        return c;
    }();
    return ctx;
}

/** Wipes a keypair (it holds the secret) when leaving scope. */
struct KeypairGuard {
    secp256k1_keypair kp;
    ~KeypairGuard() { OPENSSL_cleanse(&kp, sizeof(kp)); }
};

} // namespace

void GetStrongRandBytes(uint8_t* out, size_t len)
{
    if (RAND_bytes(out, static_cast<int>(len)) != 1) {
        std::fprintf(stderr, "fatal: the OS random number generator failed\n");
        std::abort();
    }
}

// ------------------------------------------------------------ XOnlyPubKey
XOnlyPubKey::XOnlyPubKey(const uint8_t* bytes)
{
    std::memcpy(m_bytes.data(), bytes, SIZE);
}

std::optional<XOnlyPubKey> XOnlyPubKey::FromBytes(const std::vector<uint8_t>& bytes)
{
    if (bytes.size() != SIZE) return std::nullopt;
    return XOnlyPubKey(bytes.data());
}

bool XOnlyPubKey::IsFullyValid() const
{
    secp256k1_xonly_pubkey pk;
    return secp256k1_xonly_pubkey_parse(SecpContext(), &pk, m_bytes.data()) == 1;
}

// ------------------------------------------------------------------ CKey
CKey::~CKey()
{
    OPENSSL_cleanse(m_secret.data(), m_secret.size());
}

CKey CKey::MakeNew()
{
    CKey key;
    // A uniformly random 32-byte string is out of range with probability ~2^-128;
    // draw again in that case.
    do {
        GetStrongRandBytes(key.m_secret.data(), SIZE);
    } while (!secp256k1_ec_seckey_verify(SecpContext(), key.m_secret.data()));
    key.m_valid = true;
    return key;
}

std::optional<CKey> CKey::FromBytes(const uint8_t* bytes, size_t size)
{
    if (size != SIZE) return std::nullopt;
    if (!secp256k1_ec_seckey_verify(SecpContext(), bytes)) return std::nullopt;
    CKey key;
    std::memcpy(key.m_secret.data(), bytes, SIZE);
    key.m_valid = true;
    return key;
}

XOnlyPubKey CKey::GetXOnlyPubKey() const
{
    KeypairGuard g;
    secp256k1_xonly_pubkey xpk;
    uint8_t out[32] = {};
    if (m_valid && secp256k1_keypair_create(SecpContext(), &g.kp, m_secret.data()) &&
        secp256k1_keypair_xonly_pub(SecpContext(), &xpk, nullptr, &g.kp)) {
        secp256k1_xonly_pubkey_serialize(SecpContext(), out, &xpk);
    }
    return XOnlyPubKey(out);
}

// ------------------------------------------------------------ signatures
std::optional<SchnorrSig> SignSchnorr(const CKey& key, const uint256& msg32, const uint256& aux32)
{
    if (!key.IsValid()) return std::nullopt;
    KeypairGuard g;
    if (!secp256k1_keypair_create(SecpContext(), &g.kp, key.data())) return std::nullopt;
    SchnorrSig sig;
    if (!secp256k1_schnorrsig_sign32(SecpContext(), sig.data(), msg32.data(), &g.kp, aux32.data())) return std::nullopt;
    return sig;
}

std::optional<SchnorrSig> SignSchnorr(const CKey& key, const uint8_t* msg, size_t msg_len, const uint256& aux32)
{
    if (!key.IsValid()) return std::nullopt;
    KeypairGuard g;
    if (!secp256k1_keypair_create(SecpContext(), &g.kp, key.data())) return std::nullopt;
    secp256k1_schnorrsig_extraparams params = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
    params.ndata = const_cast<uint8_t*>(aux32.data()); // read only, as BIP 340's aux_rand
    SchnorrSig sig;
    if (!secp256k1_schnorrsig_sign_custom(SecpContext(), sig.data(), msg, msg_len, &g.kp, &params)) return std::nullopt;
    return sig;
}

bool VerifySchnorr(const XOnlyPubKey& pubkey, const uint8_t* msg, size_t msg_len, const uint8_t* sig64)
{
    secp256k1_xonly_pubkey pk;
    if (!secp256k1_xonly_pubkey_parse(SecpContext(), &pk, pubkey.data())) return false;
    return secp256k1_schnorrsig_verify(SecpContext(), sig64, msg, msg_len, &pk) == 1;
}

bool VerifySchnorr(const XOnlyPubKey& pubkey, const uint256& msg32, const uint8_t* sig64)
{
    return VerifySchnorr(pubkey, msg32.data(), 32, sig64);
}

// ------------------------------------------------------------- taproot
uint256 TapTweakHash(const XOnlyPubKey& internal_key, const std::optional<uint256>& merkle_root)
{
    HashWriter hw = HashWriter::Tagged("TapTweak");
    hw.write(internal_key.data(), XOnlyPubKey::SIZE);
    if (merkle_root) hw.write(merkle_root->data(), 32);
    return hw.GetSHA256();
}

std::optional<XOnlyPubKey> TaprootTweak(const XOnlyPubKey& internal_key, const std::optional<uint256>& merkle_root)
{
    const secp256k1_context* ctx = SecpContext();
    secp256k1_xonly_pubkey internal;
    if (!secp256k1_xonly_pubkey_parse(ctx, &internal, internal_key.data())) return std::nullopt;
    const uint256 tweak = TapTweakHash(internal_key, merkle_root);
    secp256k1_pubkey output;
    if (!secp256k1_xonly_pubkey_tweak_add(ctx, &output, &internal, tweak.data())) return std::nullopt;
    secp256k1_xonly_pubkey output_x;
    if (!secp256k1_xonly_pubkey_from_pubkey(ctx, &output_x, nullptr, &output)) return std::nullopt;
    uint8_t out[32];
    secp256k1_xonly_pubkey_serialize(ctx, out, &output_x);
    return XOnlyPubKey(out);
}

std::optional<CKey> TaprootTweakSecret(const CKey& internal_key, const std::optional<uint256>& merkle_root)
{
    if (!internal_key.IsValid()) return std::nullopt;
    const secp256k1_context* ctx = SecpContext();
    KeypairGuard g;
    if (!secp256k1_keypair_create(ctx, &g.kp, internal_key.data())) return std::nullopt;
    const uint256 tweak = TapTweakHash(internal_key.GetXOnlyPubKey(), merkle_root);
    // keypair_xonly_tweak_add negates the secret first when the internal point has an
    // odd y, exactly as BIP 341's taproot_tweak_seckey.
    if (!secp256k1_keypair_xonly_tweak_add(ctx, &g.kp, tweak.data())) return std::nullopt;
    uint8_t sec[32];
    if (!secp256k1_keypair_sec(ctx, sec, &g.kp)) return std::nullopt;
    auto key = CKey::FromBytes(sec, sizeof(sec));
    OPENSSL_cleanse(sec, sizeof(sec));
    return key;
}
