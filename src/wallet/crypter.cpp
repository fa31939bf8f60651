#include <wallet/crypter.h>

#include <script/keys.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

KeyingMaterial::~KeyingMaterial() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

namespace {
constexpr size_t IV_LEN = 12;
constexpr size_t TAG_LEN = 16;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
} // namespace

std::optional<KeyingMaterial> DeriveKeyFromPassphrase(const std::string& passphrase, const KdfParams& params)
{
    if (params.log2_n < 10 || params.log2_n > 20 || params.r < 1 || params.r > 16 || params.p < 1 || params.p > 16) {
        return std::nullopt;
    }
    KeyingMaterial out;
    const uint64_t n = uint64_t{1} << params.log2_n;
    // Memory needed is 128 * r * N bytes; allow it plus slack.
    const uint64_t maxmem = 128ULL * params.r * n * params.p + (16ULL << 20);
    if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), params.salt.data(), params.salt.size(), n, params.r,
                       params.p, maxmem, out.bytes.data(), out.bytes.size()) != 1) {
        return std::nullopt;
    }
    return out;
}

std::vector<uint8_t> EncryptSecret(const KeyingMaterial& key, const std::vector<uint8_t>& plain, const std::string& aad)
{
    std::vector<uint8_t> out(IV_LEN + plain.size() + TAG_LEN);
    GetStrongRandBytes(out.data(), IV_LEN);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), out.data()) == 1;
    if (ok && !aad.empty()) ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(aad.data()), aad.size()) == 1;
    if (ok && !plain.empty()) ok = EVP_EncryptUpdate(ctx.get(), out.data() + IV_LEN, &len, plain.data(), plain.size()) == 1;
    if (ok) ok = EVP_EncryptFinal_ex(ctx.get(), out.data() + IV_LEN + plain.size(), &len) == 1;
    if (ok) ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, TAG_LEN, out.data() + IV_LEN + plain.size()) == 1;
    if (!ok) std::abort(); // AES-GCM with valid sizes cannot fail; never write plaintext instead
    return out;
}

std::optional<std::vector<uint8_t>> DecryptSecret(const KeyingMaterial& key, const std::vector<uint8_t>& blob, const std::string& aad)
{
    if (blob.size() < IV_LEN + TAG_LEN || blob.size() > (1U << 20)) return std::nullopt;
    const size_t ct_len = blob.size() - IV_LEN - TAG_LEN;
    std::vector<uint8_t> plain(ct_len);
    std::vector<uint8_t> tag(blob.end() - TAG_LEN, blob.end());
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), blob.data()) == 1;
    if (ok && !aad.empty()) ok = EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(aad.data()), aad.size()) == 1;
    if (ok && ct_len > 0) ok = EVP_DecryptUpdate(ctx.get(), plain.data(), &len, blob.data() + IV_LEN, ct_len) == 1;
    if (ok) ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag.data()) == 1;
    uint8_t final_buf[16];
    if (ok) ok = EVP_DecryptFinal_ex(ctx.get(), final_buf, &len) == 1; // tag check
    if (!ok) {
        OPENSSL_cleanse(plain.data(), plain.size());
        return std::nullopt;
    }
    return plain;
}

EncryptedMasterKey RewrapMasterKey(const KeyingMaterial& master, const std::string& passphrase, uint8_t log2_n)
{
    EncryptedMasterKey emk;
    emk.kdf.log2_n = log2_n;
    GetStrongRandBytes(emk.kdf.salt.data(), emk.kdf.salt.size());
    auto pass_key = DeriveKeyFromPassphrase(passphrase, emk.kdf);
    if (!pass_key) std::abort(); // parameters chosen here are always valid
    emk.blob = EncryptSecret(*pass_key, std::vector<uint8_t>(master.bytes.begin(), master.bytes.end()), "masterkey");
    return emk;
}

std::pair<KeyingMaterial, EncryptedMasterKey> CreateMasterKey(const std::string& passphrase, uint8_t log2_n)
{
    KeyingMaterial master;
    GetStrongRandBytes(master.bytes.data(), master.bytes.size());
    return {master, RewrapMasterKey(master, passphrase, log2_n)};
}

std::optional<KeyingMaterial> UnlockMasterKey(const EncryptedMasterKey& emk, const std::string& passphrase)
{
    auto pass_key = DeriveKeyFromPassphrase(passphrase, emk.kdf);
    if (!pass_key) return std::nullopt;
    auto plain = DecryptSecret(*pass_key, emk.blob, "masterkey");
    if (!plain || plain->size() != 32) return std::nullopt;
    KeyingMaterial master;
    std::copy(plain->begin(), plain->end(), master.bytes.begin());
    OPENSSL_cleanse(plain->data(), plain->size());
    return master;
}
