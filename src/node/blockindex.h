// The in-memory block tree: one CBlockIndex per known header, linked to its
// parent, with skip pointers for O(log n) ancestor lookup, and CChain, the
// active chain as a vector indexed by height.
//
// Contract: CBlockIndex objects are owned by the ChainstateManager's block map
// and never move or die while it lives; all mutation happens under its lock.
#ifndef ODA_NODE_BLOCKINDEX_H
#define ODA_NODE_BLOCKINDEX_H

#include <primitives/block.h>
#include <serialize.h>
#include <uint256.h>

#include <cstdint>
#include <string>
#include <vector>

namespace node {

/** Validity levels (each implies the ones before) and storage/failure flags. */
enum BlockStatus : uint32_t {
    BLOCK_VALID_UNKNOWN = 0,
    BLOCK_VALID_HEADER = 1,       //!< PoW, well-formed header
    BLOCK_VALID_TREE = 2,         //!< parent known and valid-tree; contextual header checks pass
    BLOCK_VALID_TRANSACTIONS = 3, //!< CheckBlock passed, body stored
    BLOCK_VALID_CHAIN = 4,        //!< outputs spent exist (connected once)
    BLOCK_VALID_SCRIPTS = 5,      //!< signatures checked
    BLOCK_VALID_MASK = 7,

    BLOCK_HAVE_DATA = 8,    //!< body in blk file
    BLOCK_HAVE_UNDO = 16,   //!< undo in rev file
    BLOCK_FAILED_VALID = 32, //!< this block is invalid
    BLOCK_FAILED_CHILD = 64, //!< an ancestor is invalid
    BLOCK_FAILED_MASK = BLOCK_FAILED_VALID | BLOCK_FAILED_CHILD,
};

/** Approximate value as a double, for display only (log2 chainwork, progress). */
double WorkToDouble(const uint256& w);

class CBlockIndex
{
public:
    const uint256* phash{nullptr}; //!< points at the key in the block map
    CBlockIndex* pprev{nullptr};
    CBlockIndex* pskip{nullptr};
    int height{0};

    int file{-1};          //!< blk/rev file number, -1 when no data
    uint32_t data_pos{0};  //!< offset of the block's payload in blkNNNNN.dat
    uint32_t undo_pos{0};  //!< offset of the undo payload in revNNNNN.dat

    uint256 chain_work;    //!< total work up to and including this block
    uint32_t tx_count{0};  //!< transactions in this block (0 until the body is known)
    uint64_t chain_tx{0};  //!< transactions up to here, 0 when some ancestor body is missing
    uint32_t status{BLOCK_VALID_UNKNOWN};

    int32_t version{0};
    uint256 merkle_root;
    uint32_t time{0};
    uint32_t bits{0};
    uint32_t nonce{0};

    /** Order of arrival of the body; ties in chain work go to the lower id (first seen). */
    int32_t sequence_id{0};
    uint32_t time_max{0}; //!< max time of this block and its ancestors

    CBlockIndex() = default;
    explicit CBlockIndex(const CBlockHeader& h)
        : version(h.version), merkle_root(h.hash_merkle_root), time(h.time), bits(h.bits), nonce(h.nonce) {}

    const uint256& GetBlockHash() const { return *phash; }
    CBlockHeader GetBlockHeader() const;
    int64_t GetBlockTime() const { return time; }
    /** Median of the last 11 block times ending here (BIP 113). */
    int64_t GetMedianTimePast() const;

    bool IsValid(BlockStatus up_to = BLOCK_VALID_TRANSACTIONS) const
    {
        if (status & BLOCK_FAILED_MASK) return false;
        return (status & BLOCK_VALID_MASK) >= up_to;
    }
    /** Raises the validity level; returns true if it changed. */
    bool RaiseValidity(BlockStatus up_to)
    {
        if (status & BLOCK_FAILED_MASK) return false;
        if ((status & BLOCK_VALID_MASK) < up_to) {
            status = (status & ~BLOCK_VALID_MASK) | up_to;
            return true;
        }
        return false;
    }
    bool HaveData() const { return status & BLOCK_HAVE_DATA; }

    void BuildSkip();
    CBlockIndex* GetAncestor(int h);
    const CBlockIndex* GetAncestor(int h) const;
    std::string ToString() const;
};

/** Last common ancestor of a and b (nullptr if they share none). */
const CBlockIndex* LastCommonAncestor(const CBlockIndex* a, const CBlockIndex* b);

/** The active chain: block pointers by height. */
class CChain
{
    std::vector<CBlockIndex*> m_chain;

public:
    CBlockIndex* Genesis() const { return m_chain.empty() ? nullptr : m_chain.front(); }
    CBlockIndex* Tip() const { return m_chain.empty() ? nullptr : m_chain.back(); }
    CBlockIndex* operator[](int h) const
    {
        if (h < 0 || h >= static_cast<int>(m_chain.size())) return nullptr;
        return m_chain[h];
    }
    bool Contains(const CBlockIndex* index) const { return index && (*this)[index->height] == index; }
    CBlockIndex* Next(const CBlockIndex* index) const { return Contains(index) ? (*this)[index->height + 1] : nullptr; }
    int Height() const { return static_cast<int>(m_chain.size()) - 1; }
    /** Makes `tip` (and its ancestors) the chain; nullptr clears it. */
    void SetTip(CBlockIndex* tip);
    /** Hashes back from `index` (default tip): 10 consecutive, then doubling steps, then genesis. */
    CBlockLocator GetLocator(const CBlockIndex* index = nullptr) const;
    /** Last block of this chain that is an ancestor of `index`. */
    const CBlockIndex* FindFork(const CBlockIndex* index) const;
};

/** The block index record stored in blocks/index ('b' + hash). */
struct DiskBlockIndex {
    uint256 hash_prev;
    int32_t height{0};
    uint32_t status{0};
    uint32_t tx_count{0};
    int32_t file{-1};
    uint32_t data_pos{0};
    uint32_t undo_pos{0};
    CBlockHeader header;

    DiskBlockIndex() = default;
    explicit DiskBlockIndex(const CBlockIndex& index);
    ODA_SERIALIZE_FIELDS(hash_prev, height, status, tx_count, file, data_pos, undo_pos, header)
};

} // namespace node

#endif // ODA_NODE_BLOCKINDEX_H
