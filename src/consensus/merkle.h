// Bitcoin's transaction Merkle tree: leaves are txids (or wtxids), each level hashes pairs
// with SHA256d(left || right), and a level with an odd count pairs its last hash with
// itself. That duplication makes two different transaction lists share one root
// (CVE-2012-2459: [a,b,c] and [a,b,c,c]); ComputeMerkleRoot detects the duplicated-pair
// pattern so that such a "mutated" block is rejected without marking its hash invalid.
#ifndef ODA_CONSENSUS_MERKLE_H
#define ODA_CONSENSUS_MERKLE_H

#include <primitives/block.h>
#include <uint256.h>

#include <vector>

/** Root of the tree over `leaves` (uint256() for none). When `mutated` is given, it is set
 *  to whether any level had two equal adjacent hashes in a pair (the duplicate-last-pair
 *  mutation; a block with identical transactions also triggers it). */
uint256 ComputeMerkleRoot(std::vector<uint256> leaves, bool* mutated = nullptr);

/** Merkle root over the block's txids (the header's hash_merkle_root). */
uint256 BlockMerkleRoot(const CBlock& block, bool* mutated = nullptr);

/** BIP 141 witness root: over the wtxids, with the coinbase's wtxid replaced by zero. */
uint256 BlockWitnessMerkleRoot(const CBlock& block, bool* mutated = nullptr);

#endif // ODA_CONSENSUS_MERKLE_H
