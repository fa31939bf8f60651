#include <crypto/hmac.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <limits>

namespace {
template <size_t N>
std::array<uint8_t, N> Hmac(const EVP_MD* md, const uint8_t* key, size_t key_len, const uint8_t* data, size_t data_len)
{
    std::array<uint8_t, N> out{};
    unsigned int out_len = 0;
    // HMAC() takes the key length as int; keys longer than that are a caller bug, not input.
    if (key_len > static_cast<size_t>(std::numeric_limits<int>::max())) std::abort();
    if (!HMAC(md, key, static_cast<int>(key_len), data, data_len, out.data(), &out_len) || out_len != N) {
        std::abort(); // OpenSSL failing on a fixed algorithm is not recoverable
    }
    return out;
}
} // namespace

std::array<uint8_t, 32> HmacSha256(const uint8_t* key, size_t key_len, const uint8_t* data, size_t data_len)
{
    return Hmac<32>(EVP_sha256(), key, key_len, data, data_len);
}

std::array<uint8_t, 64> HmacSha512(const uint8_t* key, size_t key_len, const uint8_t* data, size_t data_len)
{
    return Hmac<64>(EVP_sha512(), key, key_len, data, data_len);
}
