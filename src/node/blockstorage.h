// Block and undo storage on disk, and the block index database.
//
// Files: <datadir>/blocks/blkNNNNN.dat hold blocks, revNNNNN.dat the undo data
// of the blocks in the blk file with the same number. Every record is
//   network magic (4 bytes) | payload length (uint32 LE) | payload
// and an undo record's payload is followed by SHA256d(block hash || undo payload)
// so undo data written for one block can never be applied to another.
// A FlatFilePos points at the payload (after the 8-byte record header).
// A file is closed for new blocks once it would exceed max_file_size (128 MiB);
// files grow by pre-allocated chunks to limit fragmentation.
//
// Failure modes: disk errors throw BlockStoreError (fatal: validation.h stops the
// node); a failed write leaves the file table unchanged, so the record's space is
// reused by the next write and nothing points at the partial bytes;
// a record that is truncated, has the wrong magic, does not parse, or whose
// hash differs from what the index expects makes ReadBlock/ReadUndo return
// false with a message (treated as corruption by the caller).
#ifndef ODA_NODE_BLOCKSTORAGE_H
#define ODA_NODE_BLOCKSTORAGE_H

#include <node/blockindex.h>
#include <node/dbwrapper.h>
#include <node/undo.h>
#include <primitives/block.h>
#include <serialize.h>
#include <uint256.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace node {

using MessageStart = std::array<uint8_t, 4>;

class BlockStoreError : public std::runtime_error
{
public:
    explicit BlockStoreError(const std::string& what) : std::runtime_error(what) {}
};

struct FlatFilePos {
    int32_t file{-1};
    uint32_t pos{0};
    FlatFilePos() = default;
    FlatFilePos(int32_t f, uint32_t p) : file(f), pos(p) {}
    bool IsNull() const { return file < 0; }
    friend bool operator==(const FlatFilePos& a, const FlatFilePos& b) { return a.file == b.file && a.pos == b.pos; }
    ODA_SERIALIZE_FIELDS(file, pos)
};

/** Per-file statistics, kept in the block index database ('f' + file number). */
struct BlockFileInfo {
    uint32_t blocks{0};
    uint32_t size{0};      //!< used bytes of blkNNNNN.dat
    uint32_t undo_size{0}; //!< used bytes of revNNNNN.dat
    uint32_t height_first{0};
    uint32_t height_last{0};
    uint64_t time_first{0};
    uint64_t time_last{0};
    void AddBlock(uint32_t height, uint64_t time);
    ODA_SERIALIZE_FIELDS(blocks, size, undo_size, height_first, height_last, time_first, time_last)
};

static constexpr uint32_t MAX_BLOCKFILE_SIZE = 128 << 20;
static constexpr uint32_t BLOCKFILE_CHUNK_SIZE = 16 << 20;
static constexpr uint32_t UNDOFILE_CHUNK_SIZE = 1 << 20;
static constexpr uint32_t RECORD_HEADER_SIZE = 8;

/** The blk/rev flat files of one data directory. Not thread-safe: callers hold the chainstate lock. */
class BlockStore
{
public:
    BlockStore(std::string blocks_dir, MessageStart magic, uint32_t max_file_size = MAX_BLOCKFILE_SIZE);
    ~BlockStore();

    /** Restores the file table (from the block index database). */
    void LoadFileInfo(std::vector<BlockFileInfo> info, int last_file);
    /** Forgets every file (reindex rewrites the index but keeps the files). */
    void ResetFileInfo();
    /** Reindex: records that a block found by ScanFile occupies [pos - 8, pos + payload_size). */
    void NoteExistingBlock(const FlatFilePos& pos, uint32_t payload_size, uint32_t height, uint64_t time);

    /** Appends a block; returns where its payload starts. Throws BlockStoreError on I/O failure. */
    FlatFilePos WriteBlock(const CBlock& block, uint32_t height);
    /** Reads a block; false (with `error`) on a bad record or when its hash differs from `expected`. */
    bool ReadBlock(const FlatFilePos& pos, const uint256& expected, CBlock& block, std::string& error) const;
    /** Appends undo data to revNNNNN.dat of `file` (the block's blk file). */
    FlatFilePos WriteUndo(const BlockUndo& undo, const uint256& block_hash, int32_t file);
    bool ReadUndo(const FlatFilePos& pos, const uint256& block_hash, BlockUndo& undo, std::string& error) const;

    /** fflush + fsync of the files being written. */
    void Flush();

    /** Calls fn(block, pos) for every readable record of blkNNNNN.dat (reindex); false when the file does not exist. */
    bool ScanFile(int32_t file, const std::function<void(const CBlock&, const FlatFilePos&)>& fn) const;

    const std::vector<BlockFileInfo>& FileInfo() const { return m_info; }
    int LastFile() const { return m_last_file; }
    /** Files whose statistics changed since the last TakeDirtyFiles(). */
    std::vector<int> TakeDirtyFiles();
    /** Puts files back on the dirty list (their statistics could not be written). */
    void MarkDirty(const std::vector<int>& files);
    /** Bytes available to us on the file system of the blocks directory (std::filesystem::space);
     *  UINT64_MAX when it cannot be determined (the write itself then reports a full disk). */
    uint64_t FreeDiskSpace() const;
    uint64_t SizeOnDisk() const;
    std::string BlockFilePath(int32_t file) const { return FilePath("blk", file); }
    std::string UndoFilePath(int32_t file) const { return FilePath("rev", file); }

private:
    std::string FilePath(const char* prefix, int32_t file) const;
    std::FILE* OpenFile(const char* prefix, int32_t file, bool for_write) const;
    void WriteRecordAt(const char* prefix, int32_t file, uint32_t offset, uint32_t chunk,
                       uint32_t old_size, const std::vector<uint8_t>& payload,
                       const std::vector<uint8_t>& trailer);
    bool ReadRecord(const char* prefix, const FlatFilePos& pos, std::vector<uint8_t>& payload,
                    size_t trailer, std::string& error) const;

    std::string m_dir;
    MessageStart m_magic;
    uint32_t m_max_file_size;
    std::vector<BlockFileInfo> m_info;
    int m_last_file{0};
    std::vector<int> m_dirty;
    std::vector<int> m_touched; //!< files written since the last Flush()
};

/** LevelDB at blocks/index: block index records, file statistics, flags. */
class BlockTreeDB
{
    DBWrapper m_db;

public:
    explicit BlockTreeDB(const DBOptions& options) : m_db(options) {}

    /** Writes file infos, last file number and block index records in one batch. */
    void WriteBatchSync(const std::vector<std::pair<int, BlockFileInfo>>& files, int last_file,
                        const std::vector<const CBlockIndex*>& blocks);
    bool ReadFileInfo(int file, BlockFileInfo& info) const;
    bool ReadLastFile(int& file) const;
    /** Calls fn(hash, record) for every block record. */
    void ForEachBlock(const std::function<void(const uint256&, const DiskBlockIndex&)>& fn) const;
    void WriteFlag(const std::string& name, bool value);
    bool ReadFlag(const std::string& name, bool default_value) const;
    void WriteReindexing(bool reindexing) { WriteFlag("reindexing", reindexing); }
    bool IsReindexing() const { return ReadFlag("reindexing", false); }
    uint64_t EstimateSize() const { return m_db.EstimateSize(); }
};

} // namespace node

#endif // ODA_NODE_BLOCKSTORAGE_H
