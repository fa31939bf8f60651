// HMAC-SHA256 and HMAC-SHA512 (RFC 2104) through OpenSSL's libcrypto. Used by BIP 32 key
// derivation (SHA-512) and by -rpcauth password checks (SHA-256).
#ifndef ODA_CRYPTO_HMAC_H
#define ODA_CRYPTO_HMAC_H

#include <array>
#include <cstddef>
#include <cstdint>

std::array<uint8_t, 32> HmacSha256(const uint8_t* key, size_t key_len, const uint8_t* data, size_t data_len);
std::array<uint8_t, 64> HmacSha512(const uint8_t* key, size_t key_len, const uint8_t* data, size_t data_len);

#endif // ODA_CRYPTO_HMAC_H
