#include <crypto/sha256.h>

// The one-call-per-chunk SHA256_* API is the fastest libcrypto path for the
// many small messages a node hashes (Merkle nodes, sighashes); OpenSSL 3 marks
// it deprecated but keeps it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

struct CSHA256::Impl {
    SHA256_CTX ctx;
};

CSHA256::CSHA256() : m_impl(std::make_unique<Impl>()) { SHA256_Init(&m_impl->ctx); }
CSHA256::~CSHA256() = default;
CSHA256::CSHA256(const CSHA256& other) : m_impl(std::make_unique<Impl>(*other.m_impl)) {}
CSHA256& CSHA256::operator=(const CSHA256& other)
{
    *m_impl = *other.m_impl;
    return *this;
}

CSHA256& CSHA256::Write(const uint8_t* data, size_t len)
{
    SHA256_Update(&m_impl->ctx, data, len);
    return *this;
}

void CSHA256::Finalize(uint8_t out[OUTPUT_SIZE])
{
    SHA256_Final(out, &m_impl->ctx);
}

CSHA256& CSHA256::Reset()
{
    SHA256_Init(&m_impl->ctx);
    return *this;
}

void SHA256Once(const uint8_t* data, size_t len, uint8_t out[32])
{
    SHA256(data, len, out);
}

void SHA256d(const uint8_t* data, size_t len, uint8_t out[32])
{
    uint8_t first[32];
    SHA256(data, len, first);
    SHA256(first, 32, out);
}

void SHA256d64(uint8_t* out, const uint8_t* in, size_t blocks)
{
    for (size_t i = 0; i < blocks; ++i) SHA256d(in + 64 * i, 64, out + 32 * i);
}
