// Keys and BIP 340 Schnorr signatures over secp256k1 (libsecp256k1), and the
// BIP 341 taproot tweak that turns an internal key into an output key.
//
// Thread safety: every function here may be called from any thread. They share
// one libsecp256k1 context that is created and randomized on first use and
// never modified afterwards.
#ifndef ODA_SCRIPT_KEYS_H
#define ODA_SCRIPT_KEYS_H

#include <uint256.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

/** A BIP 340 signature: 32-byte R.x then 32-byte s. */
using SchnorrSig = std::array<uint8_t, 64>;

/** A 32-byte x-only public key (BIP 340). Holding one does not mean it is on
 *  the curve: IsFullyValid() checks that. */
class XOnlyPubKey
{
    std::array<uint8_t, 32> m_bytes{};

public:
    static constexpr size_t SIZE = 32;

    XOnlyPubKey() = default;
    /** Copies 32 bytes from `bytes`. */
    explicit XOnlyPubKey(const uint8_t* bytes);
    /** Exactly 32 bytes -> key (not yet checked against the curve); else nullopt. */
    static std::optional<XOnlyPubKey> FromBytes(const std::vector<uint8_t>& bytes);

    /** True when the bytes are the x coordinate of a curve point (lift_x succeeds). */
    bool IsFullyValid() const;

    const uint8_t* data() const { return m_bytes.data(); }
    const uint8_t* begin() const { return m_bytes.data(); }
    const uint8_t* end() const { return m_bytes.data() + SIZE; }
    static constexpr size_t size() { return SIZE; }
    std::vector<uint8_t> ToBytes() const { return {m_bytes.begin(), m_bytes.end()}; }

    friend bool operator==(const XOnlyPubKey& a, const XOnlyPubKey& b) { return a.m_bytes == b.m_bytes; }
    friend bool operator!=(const XOnlyPubKey& a, const XOnlyPubKey& b) { return !(a == b); }
    friend bool operator<(const XOnlyPubKey& a, const XOnlyPubKey& b) { return a.m_bytes < b.m_bytes; }
};

/** A 32-byte secp256k1 secret key. A default-constructed key is invalid.
 *  The secret is wiped when the object is destroyed. */
class CKey
{
    std::array<uint8_t, 32> m_secret{};
    bool m_valid{false};

public:
    static constexpr size_t SIZE = 32;

    CKey() = default;
    CKey(const CKey&) = default;
    CKey& operator=(const CKey&) = default;
    ~CKey();

    /** A fresh random key from the OS CSPRNG (OpenSSL RAND_bytes). Aborts the
     *  process if the CSPRNG fails: continuing with a weak key is never acceptable. */
    static CKey MakeNew();
    /** 32 bytes that are a valid secret (0 < k < curve order) -> key; else nullopt. */
    static std::optional<CKey> FromBytes(const uint8_t* bytes, size_t size);
    static std::optional<CKey> FromBytes(const std::vector<uint8_t>& bytes) { return FromBytes(bytes.data(), bytes.size()); }

    bool IsValid() const { return m_valid; }
    const uint8_t* data() const { return m_secret.data(); }
    static constexpr size_t size() { return SIZE; }

    /** The x-only public key of this secret. Precondition: IsValid(). */
    XOnlyPubKey GetXOnlyPubKey() const;

    friend bool operator==(const CKey& a, const CKey& b) { return a.m_valid == b.m_valid && a.m_secret == b.m_secret; }
};

/** BIP 340 signature of the 32-byte message `msg32` with auxiliary randomness
 *  `aux32`. nullopt only if the key is invalid (or libsecp256k1 fails). */
std::optional<SchnorrSig> SignSchnorr(const CKey& key, const uint256& msg32, const uint256& aux32);

/** BIP 340 signature of a message of any length (BIP 340 allows variable-length
 *  messages; ODA's transaction signatures always sign a 32-byte hash). */
std::optional<SchnorrSig> SignSchnorr(const CKey& key, const uint8_t* msg, size_t msg_len, const uint256& aux32);

/** BIP 340 verification of a 64-byte signature over a 32-byte message. False for
 *  a key that is not on the curve or any invalid signature. */
bool VerifySchnorr(const XOnlyPubKey& pubkey, const uint256& msg32, const uint8_t* sig64);
inline bool VerifySchnorr(const XOnlyPubKey& pubkey, const uint256& msg32, const SchnorrSig& sig)
{
    return VerifySchnorr(pubkey, msg32, sig.data());
}
/** BIP 340 verification over a message of any length. */
bool VerifySchnorr(const XOnlyPubKey& pubkey, const uint8_t* msg, size_t msg_len, const uint8_t* sig64);

/** BIP 341 tweak t = hash_TapTweak(internal_key || merkle_root), or of the internal
 *  key alone when there is no script tree (BIP 86). */
uint256 TapTweakHash(const XOnlyPubKey& internal_key, const std::optional<uint256>& merkle_root);

/** Output key Q = P + t*G of BIP 341 (P = lift_x(internal_key)). nullopt when the
 *  internal key is not on the curve or the tweak is out of range (negligible). */
std::optional<XOnlyPubKey> TaprootTweak(const XOnlyPubKey& internal_key, const std::optional<uint256>& merkle_root = std::nullopt);

/** The secret key that signs for TaprootTweak(internal_key.GetXOnlyPubKey(), merkle_root)
 *  by key path (BIP 341 taproot_tweak_seckey: the internal secret is negated first when
 *  its point has an odd y). nullopt for an invalid key or out-of-range result. */
std::optional<CKey> TaprootTweakSecret(const CKey& internal_key, const std::optional<uint256>& merkle_root = std::nullopt);

/** 32 bytes from the OS CSPRNG (for keys and BIP 340 aux randomness). Aborts on failure. */
void GetStrongRandBytes(uint8_t* out, size_t len);

#endif // ODA_SCRIPT_KEYS_H
