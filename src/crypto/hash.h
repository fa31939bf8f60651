// Hashing of serialized objects: HashWriter is a stream (see serialize.h) that
// feeds SHA-256; GetHash() gives SHA256d (txids, block hashes), GetSHA256()
// a single SHA-256 (BIP 341 sub-hashes). TaggedHash implements BIP 340's
// SHA256(SHA256(tag) || SHA256(tag) || msg).
#ifndef ODA_CRYPTO_HASH_H
#define ODA_CRYPTO_HASH_H

#include <crypto/sha256.h>
#include <serialize.h>
#include <uint256.h>

#include <string_view>
#include <vector>

class HashWriter
{
    CSHA256 m_ctx;

public:
    HashWriter() = default;
    /** Starts the hasher with the BIP 340 tag prefix for `tag`. */
    static HashWriter Tagged(std::string_view tag);

    void write(const uint8_t* data, size_t len) { m_ctx.Write(data, len); }

    /** SHA256d of everything written. Consumes the state. */
    uint256 GetHash();
    /** Single SHA-256 of everything written. Consumes the state. */
    uint256 GetSHA256();

    template <typename T> HashWriter& operator<<(const T& obj) { Serialize(*this, obj); return *this; }
};

/** SHA256d of obj's serialization. */
template <typename T>
uint256 SerializeHash(const T& obj)
{
    HashWriter hw;
    hw << obj;
    return hw.GetHash();
}

uint256 Hash256(const uint8_t* data, size_t len);
uint256 Sha256(const uint8_t* data, size_t len);
inline uint256 Hash256(const std::vector<uint8_t>& v) { return Hash256(v.data(), v.size()); }
inline uint256 Sha256(const std::vector<uint8_t>& v) { return Sha256(v.data(), v.size()); }
/** BIP 340 tagged hash of msg. */
uint256 TaggedHash(std::string_view tag, const uint8_t* msg, size_t len);

#endif // ODA_CRYPTO_HASH_H
