// Block header (80 bytes, Bitcoin's layout) and block (header + transactions).
// The block hash is SHA256d of the header.
#ifndef ODA_PRIMITIVES_BLOCK_H
#define ODA_PRIMITIVES_BLOCK_H

#include <primitives/transaction.h>
#include <serialize.h>
#include <uint256.h>

#include <cstdint>
#include <vector>

struct CBlockHeader {
    int32_t version{0};
    uint256 hash_prev_block;
    uint256 hash_merkle_root;
    uint32_t time{0};
    uint32_t bits{0};   //!< compact target (see consensus/pow.h)
    uint32_t nonce{0};

    static constexpr size_t SIZE = 80;

    uint256 GetHash() const;
    bool IsNull() const { return bits == 0; }

    ODA_SERIALIZE_FIELDS(version, hash_prev_block, hash_merkle_root, time, bits, nonce)
};

struct CBlock : CBlockHeader {
    std::vector<CTransactionRef> vtx;

    CBlock() = default;
    explicit CBlock(const CBlockHeader& h) : CBlockHeader(h) {}
    CBlockHeader GetHeader() const { return *this; }

    template <typename Stream> void Serialize(Stream& s) const
    {
        CBlockHeader::Serialize(s);
        ::Serialize(s, vtx);
    }
    template <typename Stream> void Unserialize(Stream& s)
    {
        CBlockHeader::Unserialize(s);
        ::Unserialize(s, vtx);
    }
};

/** A block locator: hashes from the tip backwards, spaced exponentially (for getheaders). */
struct CBlockLocator {
    int32_t version{0};
    std::vector<uint256> have;
    ODA_SERIALIZE_FIELDS(version, have)
};

#endif // ODA_PRIMITIVES_BLOCK_H
