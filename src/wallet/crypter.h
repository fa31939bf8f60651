// Wallet encryption (encryptwallet / walletpassphrase).
//
// Format (all primitives from OpenSSL):
// - A random 32-byte master key encrypts every private secret of the wallet
//   (descriptor xprvs) with AES-256-GCM: blob = 12-byte random IV || ciphertext ||
//   16-byte tag. The tag authenticates, so a wrong key is detected, never misused.
// - The master key itself is stored encrypted the same way under a key derived from
//   the passphrase with scrypt (EVP_PBE_scrypt; default N = 2^15, r = 8, p = 1,
//   16-byte random salt; 32 MiB of memory per try makes guessing expensive).
//   Its KDF parameters are stored beside it (EncryptedMasterKey), so they can be
//   raised later without breaking old wallets.
#ifndef ODA_WALLET_CRYPTER_H
#define ODA_WALLET_CRYPTER_H

#include <serialize.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/** 32 bytes of key material; wiped on destruction. */
struct KeyingMaterial {
    std::array<uint8_t, 32> bytes{};
    KeyingMaterial() = default;
    KeyingMaterial(const KeyingMaterial&) = default;
    KeyingMaterial& operator=(const KeyingMaterial&) = default;
    ~KeyingMaterial();
};

struct KdfParams {
    uint8_t log2_n{15};
    uint32_t r{8};
    uint32_t p{1};
    std::array<uint8_t, 16> salt{};
    ODA_SERIALIZE_FIELDS(log2_n, r, p, salt)
};

struct EncryptedMasterKey {
    KdfParams kdf;
    std::vector<uint8_t> blob; //!< AES-256-GCM(master key) under the passphrase key
    ODA_SERIALIZE_FIELDS(kdf, blob)
};

/** scrypt(passphrase, salt, N, r, p) -> 32 bytes. nullopt when OpenSSL refuses the
 *  parameters (log2_n outside 10..20, r or p outside 1..16). */
std::optional<KeyingMaterial> DeriveKeyFromPassphrase(const std::string& passphrase, const KdfParams& params);

/** AES-256-GCM encryption with a fresh random IV; `aad` is authenticated, not encrypted
 *  (the wallet binds each secret to its record id so blobs cannot be swapped). */
std::vector<uint8_t> EncryptSecret(const KeyingMaterial& key, const std::vector<uint8_t>& plain, const std::string& aad = "");
/** Inverse; nullopt for a wrong key, wrong aad, or a tampered/truncated blob. */
std::optional<std::vector<uint8_t>> DecryptSecret(const KeyingMaterial& key, const std::vector<uint8_t>& blob, const std::string& aad = "");

/** New random master key and its record encrypted under `passphrase` (random salt). */
std::pair<KeyingMaterial, EncryptedMasterKey> CreateMasterKey(const std::string& passphrase, uint8_t log2_n = 15);
/** Master key of a record; nullopt for a wrong passphrase. */
std::optional<KeyingMaterial> UnlockMasterKey(const EncryptedMasterKey& emk, const std::string& passphrase);
/** The same master key re-encrypted under a new passphrase (fresh salt). */
EncryptedMasterKey RewrapMasterKey(const KeyingMaterial& master, const std::string& passphrase, uint8_t log2_n = 15);

#endif // ODA_WALLET_CRYPTER_H
