// SHA-256 through OpenSSL's libcrypto (FIPS 180-4). An incremental hasher plus
// one-shot helpers. Hashing never fails for in-memory input.
#ifndef ODA_CRYPTO_SHA256_H
#define ODA_CRYPTO_SHA256_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

class CSHA256
{
public:
    static constexpr size_t OUTPUT_SIZE = 32;

    CSHA256();
    ~CSHA256();
    CSHA256(const CSHA256& other);
    CSHA256& operator=(const CSHA256& other);

    CSHA256& Write(const uint8_t* data, size_t len);
    /** Writes the digest to out[32]; the hasher must be Reset() before reuse. */
    void Finalize(uint8_t out[OUTPUT_SIZE]);
    CSHA256& Reset();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/** out = SHA256(data). */
void SHA256Once(const uint8_t* data, size_t len, uint8_t out[32]);
/** out = SHA256(SHA256(data)). */
void SHA256d(const uint8_t* data, size_t len, uint8_t out[32]);
/** SHA256d of each consecutive 64-byte input into 32-byte outputs (Merkle levels). */
void SHA256d64(uint8_t* out, const uint8_t* in, size_t blocks);

#endif // ODA_CRYPTO_SHA256_H
