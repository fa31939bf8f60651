// BitTorrent v2 "pieces root" of a file (BEP 52): the root of a binary SHA-256
// Merkle tree whose leaves are the SHA-256 hashes of the file's 16 KiB blocks.
//
// Contract:
//  - Leaves: SHA-256 of each consecutive 16 KiB block; the last block may be
//    shorter and is hashed as it is (no padding of the data).
//  - The leaf layer is padded with all-zero 32-byte hashes up to the next power
//    of two; every interior node is SHA-256(left || right).
//  - A file of at most one block has the hash of its single block as root.
//  - An empty file has no pieces root (BEP 52: empty files carry none):
//    Bep52PiecesRoot returns std::nullopt for it.
// The root is returned in hash byte order (uint256 storage order); print it
// with ToHexBytes(), the form BitTorrent clients show, not GetHex().
#ifndef ODA_CRYPTO_MERKLE_BEP52_H
#define ODA_CRYPTO_MERKLE_BEP52_H

#include <crypto/sha256.h>
#include <uint256.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

static constexpr size_t BEP52_BLOCK_SIZE = 16 * 1024;

/** Root of the BEP 52 tree over the given leaf hashes (padded with zero hashes
 *  to a power of two). Requires at least one leaf. */
uint256 Bep52MerkleRoot(std::vector<uint256> leaves);

/** Streaming pieces-root computation: Write() any chunks, then Finalize(). */
class Bep52Hasher
{
public:
    Bep52Hasher& Write(const uint8_t* data, size_t len);
    /** Pieces root of all bytes written; std::nullopt if none were. Consumes the state. */
    std::optional<uint256> Finalize();
    uint64_t Size() const { return m_size; }

private:
    void FlushBlock();

    CSHA256 m_block;             //!< hasher of the block being filled
    size_t m_block_fill{0};      //!< bytes written into the current block
    uint64_t m_size{0};
    std::vector<uint256> m_leaves;
};

/** Pieces root of an in-memory buffer (std::nullopt if empty). */
std::optional<uint256> Bep52PiecesRoot(const uint8_t* data, size_t len);

/** Pieces root of a file read in chunks (constant memory apart from one hash per block).
 *  Sets `error` and returns std::nullopt if it cannot be read; returns std::nullopt
 *  with empty `error` for an empty file. `size_out` (optional) receives its size. */
std::optional<uint256> Bep52PiecesRootOfFile(const std::string& path, std::string& error,
                                             uint64_t* size_out = nullptr);

#endif // ODA_CRYPTO_MERKLE_BEP52_H
