// BIP 32 hierarchical deterministic keys: master key from a seed, private and
// public child derivation, and the 78-byte extended key serialization in Base58Check.
//
// Version bytes: ODA uses Bitcoin's so that existing BIP 32 tooling reads its keys:
// xprv/xpub (0488ADE4/0488B21E) on main, tprv/tpub (04358394/043587CF) on test and
// regtest. HMAC-SHA512 and RIPEMD-160 come from OpenSSL, the EC arithmetic from
// libsecp256k1.
#ifndef ODA_WALLET_BIP32_H
#define ODA_WALLET_BIP32_H

#include <script/keys.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/** Indexes at or above this are hardened (written i' or ih). */
static constexpr uint32_t BIP32_HARDENED = 0x80000000U;

/** A 33-byte SEC1 compressed public key. */
using CompressedPubKey = std::array<uint8_t, 33>;

/** RIPEMD160(SHA256(data)) (OpenSSL). */
std::array<uint8_t, 20> Hash160(const uint8_t* data, size_t len);

/** Compressed public key of a valid secret key. */
CompressedPubKey GetCompressedPubKey(const CKey& key);
/** x-only part of a compressed key (drops the parity byte). */
XOnlyPubKey XOnlyOf(const CompressedPubKey& pub);

struct ExtPubKey {
    uint8_t depth{0};
    std::array<uint8_t, 4> parent_fingerprint{};
    uint32_t child{0};
    std::array<uint8_t, 32> chaincode{};
    CompressedPubKey pubkey{};

    /** First 4 bytes of Hash160(pubkey): the parent fingerprint of children. */
    std::array<uint8_t, 4> Fingerprint() const;
    /** Non-hardened child (CKDpub). nullopt for a hardened index or the
     *  negligible invalid-child case (BIP 32 says: skip to the next index). */
    std::optional<ExtPubKey> Derive(uint32_t index) const;
    std::string ToString(bool mainnet) const;
    friend bool operator==(const ExtPubKey& a, const ExtPubKey& b)
    {
        return a.depth == b.depth && a.parent_fingerprint == b.parent_fingerprint && a.child == b.child &&
               a.chaincode == b.chaincode && a.pubkey == b.pubkey;
    }
};

struct ExtKey {
    uint8_t depth{0};
    std::array<uint8_t, 4> parent_fingerprint{};
    uint32_t child{0};
    std::array<uint8_t, 32> chaincode{};
    CKey key;

    /** Master key of a 16..64 byte seed; nullopt for another length or the
     *  negligible invalid-key case. */
    static std::optional<ExtKey> FromSeed(const std::vector<uint8_t>& seed);
    /** Child (CKDpriv), hardened when index >= BIP32_HARDENED. nullopt only in the
     *  negligible invalid-child case or at depth 255. */
    std::optional<ExtKey> Derive(uint32_t index) const;
    /** Follows a path of indexes from this key. */
    std::optional<ExtKey> DerivePath(const std::vector<uint32_t>& path) const;
    ExtPubKey Neuter() const;
    std::string ToString(bool mainnet) const;
    friend bool operator==(const ExtKey& a, const ExtKey& b)
    {
        return a.depth == b.depth && a.parent_fingerprint == b.parent_fingerprint && a.child == b.child &&
               a.chaincode == b.chaincode && a.key == b.key;
    }
};

/** Result of parsing an xprv/xpub/tprv/tpub string. */
struct ParsedExtKey {
    bool is_private{false};
    bool mainnet{false};
    ExtKey priv;   //!< set when is_private
    ExtPubKey pub; //!< always set (the neutered key when private)
};

/** Parses a Base58Check extended key. On failure nullopt and *error (if given) says
 *  why: bad encoding/checksum, wrong length, unknown version, invalid key, or a
 *  depth-0 key with a nonzero fingerprint/child. */
std::optional<ParsedExtKey> DecodeExtKey(const std::string& str, std::string* error = nullptr);

/** "m/86'/1'/0'" or "86h/1h/0h" (leading "m/" optional) -> indexes; nullopt on a
 *  malformed element or an index >= 2^31 before the hardened marker. */
std::optional<std::vector<uint32_t>> ParseHDPath(const std::string& path);
/** Indexes -> "m/86'/1'/0'/0/5" (apostrophe for hardened; `with_m` adds "m"). */
std::string FormatHDPath(const std::vector<uint32_t>& path, bool with_m = true);

#endif // ODA_WALLET_BIP32_H
