#include <node/blockstorage.h>

#include <crypto/hash.h>
#include <streams.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <unistd.h>

namespace node {
namespace {

/** Upper bound on a record's payload: a block cannot exceed its weight limit in bytes. */
constexpr uint32_t MAX_RECORD_PAYLOAD = 32 << 20;

struct FileCloser {
    void operator()(std::FILE* f) const { if (f) std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

uint256 UndoChecksum(const uint256& block_hash, const std::vector<uint8_t>& payload)
{
    HashWriter hw;
    hw << block_hash;
    hw.write(payload.data(), payload.size());
    return hw.GetHash();
}

} // namespace

void BlockFileInfo::AddBlock(uint32_t height, uint64_t t)
{
    if (blocks == 0 || height < height_first) height_first = height;
    if (blocks == 0 || t < time_first) time_first = t;
    ++blocks;
    height_last = std::max(height_last, height);
    time_last = std::max(time_last, t);
}

BlockStore::BlockStore(std::string blocks_dir, MessageStart magic, uint32_t max_file_size)
    : m_dir(std::move(blocks_dir)), m_magic(magic), m_max_file_size(max_file_size)
{
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    if (ec) throw BlockStoreError("cannot create " + m_dir + ": " + ec.message());
}

BlockStore::~BlockStore() = default;

void BlockStore::LoadFileInfo(std::vector<BlockFileInfo> info, int last_file)
{
    m_info = std::move(info);
    m_last_file = last_file;
    if (m_info.size() <= static_cast<size_t>(m_last_file)) m_info.resize(m_last_file + 1);
}

void BlockStore::ResetFileInfo()
{
    m_info.clear();
    m_last_file = 0;
    m_dirty.clear();
}

void BlockStore::NoteExistingBlock(const FlatFilePos& pos, uint32_t payload_size, uint32_t height, uint64_t time)
{
    if (pos.IsNull()) return;
    if (m_info.size() <= static_cast<size_t>(pos.file)) m_info.resize(pos.file + 1);
    BlockFileInfo& info = m_info[pos.file];
    info.size = std::max(info.size, pos.pos + payload_size);
    info.AddBlock(height, time);
    m_last_file = std::max(m_last_file, static_cast<int>(pos.file));
    if (std::find(m_dirty.begin(), m_dirty.end(), pos.file) == m_dirty.end()) m_dirty.push_back(pos.file);
}

std::string BlockStore::FilePath(const char* prefix, int32_t file) const
{
    char name[32];
    std::snprintf(name, sizeof(name), "%s%05d.dat", prefix, file);
    return m_dir + "/" + name;
}

std::FILE* BlockStore::OpenFile(const char* prefix, int32_t file, bool for_write) const
{
    const std::string path = FilePath(prefix, file);
    std::FILE* f = std::fopen(path.c_str(), for_write ? "rb+" : "rb");
    if (!f && for_write) f = std::fopen(path.c_str(), "wb+");
    return f;
}

void BlockStore::WriteRecordAt(const char* prefix, int32_t file, uint32_t offset, uint32_t chunk,
                               uint32_t old_size, const std::vector<uint8_t>& payload,
                               const std::vector<uint8_t>& trailer)
{
    FilePtr f(OpenFile(prefix, file, true));
    if (!f) throw BlockStoreError("cannot open " + FilePath(prefix, file) + " for writing");
    const uint64_t end = uint64_t(offset) + RECORD_HEADER_SIZE + payload.size() + trailer.size();
    // Pre-allocate whole chunks ahead of the data so the file grows in few, large steps.
    const uint64_t old_chunks = (old_size + chunk - 1) / chunk;
    const uint64_t new_chunks = (end + chunk - 1) / chunk;
    if (new_chunks > old_chunks) {
        (void)posix_fallocate(fileno(f.get()), 0, static_cast<off_t>(new_chunks * chunk));
    }
    if (std::fseek(f.get(), offset, SEEK_SET) != 0) throw BlockStoreError("seek failed in " + FilePath(prefix, file));
    uint8_t header[RECORD_HEADER_SIZE];
    std::memcpy(header, m_magic.data(), 4);
    const uint32_t len = static_cast<uint32_t>(payload.size());
    for (int i = 0; i < 4; ++i) header[4 + i] = static_cast<uint8_t>(len >> (8 * i));
    if (std::fwrite(header, 1, sizeof(header), f.get()) != sizeof(header) ||
        std::fwrite(payload.data(), 1, payload.size(), f.get()) != payload.size() ||
        std::fwrite(trailer.data(), 1, trailer.size(), f.get()) != trailer.size() ||
        std::fflush(f.get()) != 0) {
        throw BlockStoreError("write failed in " + FilePath(prefix, file) + " (disk full?)");
    }
    if (std::find(m_touched.begin(), m_touched.end(), file) == m_touched.end()) m_touched.push_back(file);
}

FlatFilePos BlockStore::WriteBlock(const CBlock& block, uint32_t height)
{
    std::vector<uint8_t> payload = SerializeToBytes(block);
    if (m_info.empty()) m_info.resize(1);
    const uint64_t need = RECORD_HEADER_SIZE + payload.size();
    if (m_info[m_last_file].size > 0 && m_info[m_last_file].size + need > m_max_file_size) {
        ++m_last_file;
        if (m_info.size() <= static_cast<size_t>(m_last_file)) m_info.resize(m_last_file + 1);
    }
    BlockFileInfo& info = m_info[m_last_file];
    const uint32_t offset = info.size;
    WriteRecordAt("blk", m_last_file, offset, BLOCKFILE_CHUNK_SIZE, info.size, payload, {});
    info.size = static_cast<uint32_t>(offset + need);
    info.AddBlock(height, block.time);
    if (std::find(m_dirty.begin(), m_dirty.end(), m_last_file) == m_dirty.end()) m_dirty.push_back(m_last_file);
    return FlatFilePos(m_last_file, offset + RECORD_HEADER_SIZE);
}

FlatFilePos BlockStore::WriteUndo(const BlockUndo& undo, const uint256& block_hash, int32_t file)
{
    if (file < 0) throw BlockStoreError("undo data for a block without a file");
    if (m_info.size() <= static_cast<size_t>(file)) m_info.resize(file + 1);
    std::vector<uint8_t> payload = SerializeToBytes(undo);
    const uint256 checksum = UndoChecksum(block_hash, payload);
    BlockFileInfo& info = m_info[file];
    const uint32_t offset = info.undo_size;
    // The checksum trails the payload, outside the record's length field.
    const std::vector<uint8_t> trailer(checksum.begin(), checksum.end());
    WriteRecordAt("rev", file, offset, UNDOFILE_CHUNK_SIZE, info.undo_size, payload, trailer);
    info.undo_size = static_cast<uint32_t>(offset + RECORD_HEADER_SIZE + payload.size() + trailer.size());
    if (std::find(m_dirty.begin(), m_dirty.end(), file) == m_dirty.end()) m_dirty.push_back(file);
    return FlatFilePos(file, offset + RECORD_HEADER_SIZE);
}

bool BlockStore::ReadRecord(const char* prefix, const FlatFilePos& pos, std::vector<uint8_t>& payload,
                            size_t trailer, std::string& error) const
{
    if (pos.IsNull() || pos.pos < RECORD_HEADER_SIZE) {
        error = "null or invalid file position";
        return false;
    }
    FilePtr f(OpenFile(prefix, pos.file, false));
    if (!f) {
        error = "cannot open " + FilePath(prefix, pos.file);
        return false;
    }
    uint8_t header[RECORD_HEADER_SIZE];
    if (std::fseek(f.get(), pos.pos - RECORD_HEADER_SIZE, SEEK_SET) != 0 ||
        std::fread(header, 1, sizeof(header), f.get()) != sizeof(header)) {
        error = "truncated record header in " + FilePath(prefix, pos.file);
        return false;
    }
    if (std::memcmp(header, m_magic.data(), 4) != 0) {
        error = "wrong network magic in " + FilePath(prefix, pos.file);
        return false;
    }
    uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len |= uint32_t(header[4 + i]) << (8 * i);
    if (len > MAX_RECORD_PAYLOAD) {
        error = "record length out of range in " + FilePath(prefix, pos.file);
        return false;
    }
    payload.resize(len + trailer);
    if (std::fread(payload.data(), 1, payload.size(), f.get()) != payload.size()) {
        error = "truncated record in " + FilePath(prefix, pos.file);
        return false;
    }
    return true;
}

bool BlockStore::ReadBlock(const FlatFilePos& pos, const uint256& expected, CBlock& block, std::string& error) const
{
    std::vector<uint8_t> payload;
    if (!ReadRecord("blk", pos, payload, 0, error)) return false;
    try {
        block = CBlock();
        DeserializeExact(payload, block);
    } catch (const SerializationError& e) {
        error = std::string("block record does not parse: ") + e.what();
        return false;
    }
    if (block.GetHash() != expected) {
        error = "block at " + BlockFilePath(pos.file) + ":" + std::to_string(pos.pos) + " has hash " +
                block.GetHash().GetHex() + ", expected " + expected.GetHex();
        return false;
    }
    return true;
}

bool BlockStore::ReadUndo(const FlatFilePos& pos, const uint256& block_hash, BlockUndo& undo, std::string& error) const
{
    std::vector<uint8_t> record;
    if (!ReadRecord("rev", pos, record, 32, error)) return false;
    std::vector<uint8_t> payload(record.begin(), record.end() - 32);
    uint256 stored(record.data() + payload.size());
    if (UndoChecksum(block_hash, payload) != stored) {
        error = "undo checksum mismatch for block " + block_hash.GetHex();
        return false;
    }
    try {
        undo = BlockUndo();
        DeserializeExact(payload, undo);
    } catch (const SerializationError& e) {
        error = std::string("undo record does not parse: ") + e.what();
        return false;
    }
    return true;
}

void BlockStore::Flush()
{
    for (int file : m_touched) {
        for (const char* prefix : {"blk", "rev"}) {
            int fd = ::open(FilePath(prefix, file).c_str(), O_RDWR);
            if (fd < 0) continue; // a rev file may not exist yet
            int rc = ::fsync(fd);
            ::close(fd);
            if (rc != 0) throw BlockStoreError("fsync failed for " + FilePath(prefix, file));
        }
    }
    m_touched.clear();
}

bool BlockStore::ScanFile(int32_t file, const std::function<void(const CBlock&, const FlatFilePos&)>& fn) const
{
    FilePtr f(OpenFile("blk", file, false));
    if (!f) return false;
    std::vector<uint8_t> payload;
    uint64_t offset = 0;
    for (;;) {
        uint8_t header[RECORD_HEADER_SIZE];
        if (std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) != 0) break;
        if (std::fread(header, 1, sizeof(header), f.get()) != sizeof(header)) break;
        // Pre-allocated space past the last record is zeros: stop there.
        if (std::memcmp(header, m_magic.data(), 4) != 0) break;
        uint32_t len = 0;
        for (int i = 0; i < 4; ++i) len |= uint32_t(header[4 + i]) << (8 * i);
        if (len > MAX_RECORD_PAYLOAD) break;
        payload.resize(len);
        if (std::fread(payload.data(), 1, len, f.get()) != len) break; // torn write at the end
        CBlock block;
        try {
            DeserializeExact(payload, block);
            fn(block, FlatFilePos(file, static_cast<uint32_t>(offset + RECORD_HEADER_SIZE)));
        } catch (const SerializationError&) {
            // Skip an unreadable record; the next one starts right after it.
        }
        offset += RECORD_HEADER_SIZE + len;
    }
    return true;
}

std::vector<int> BlockStore::TakeDirtyFiles()
{
    std::vector<int> out;
    out.swap(m_dirty);
    std::sort(out.begin(), out.end());
    return out;
}

void BlockStore::MarkDirty(const std::vector<int>& files)
{
    for (int f : files) {
        if (std::find(m_dirty.begin(), m_dirty.end(), f) == m_dirty.end()) m_dirty.push_back(f);
    }
}

uint64_t BlockStore::FreeDiskSpace() const
{
    std::error_code ec;
    const std::filesystem::space_info info = std::filesystem::space(m_dir, ec);
    if (ec) return UINT64_MAX;
    return info.available;
}

uint64_t BlockStore::SizeOnDisk() const
{
    uint64_t total = 0;
    for (const BlockFileInfo& info : m_info) total += uint64_t(info.size) + info.undo_size;
    return total;
}

// ------------------------------------------------------------ BlockTreeDB
namespace {
constexpr uint8_t DB_BLOCK_INDEX = 'b';
constexpr uint8_t DB_FILE_INFO = 'f';
constexpr uint8_t DB_LAST_FILE = 'l';
constexpr uint8_t DB_FLAG = 'F';
} // namespace

void BlockTreeDB::WriteBatchSync(const std::vector<std::pair<int, BlockFileInfo>>& files, int last_file,
                                 const std::vector<const CBlockIndex*>& blocks)
{
    DBBatch batch;
    for (const auto& [n, info] : files) batch.Write(std::make_pair(DB_FILE_INFO, int32_t(n)), info);
    batch.Write(DB_LAST_FILE, int32_t(last_file));
    for (const CBlockIndex* index : blocks) {
        batch.Write(std::make_pair(DB_BLOCK_INDEX, index->GetBlockHash()), DiskBlockIndex(*index));
    }
    m_db.WriteBatch(batch, true);
}

bool BlockTreeDB::ReadFileInfo(int file, BlockFileInfo& info) const
{
    return m_db.Read(std::make_pair(DB_FILE_INFO, int32_t(file)), info);
}

bool BlockTreeDB::ReadLastFile(int& file) const
{
    int32_t f = 0;
    if (!m_db.Read(DB_LAST_FILE, f)) return false;
    file = f;
    return true;
}

void BlockTreeDB::ForEachBlock(const std::function<void(const uint256&, const DiskBlockIndex&)>& fn) const
{
    auto it = m_db.NewIterator();
    it->Seek(std::make_pair(DB_BLOCK_INDEX, uint256()));
    for (; it->Valid(); it->Next()) {
        std::pair<uint8_t, uint256> key;
        if (!it->GetKey(key) || key.first != DB_BLOCK_INDEX) break;
        DiskBlockIndex record;
        if (!it->GetValue(record)) throw DBError("corrupted block index record " + key.second.GetHex());
        fn(key.second, record);
    }
}

void BlockTreeDB::WriteFlag(const std::string& name, bool value)
{
    m_db.Write(std::make_pair(DB_FLAG, name), value, true);
}

bool BlockTreeDB::ReadFlag(const std::string& name, bool default_value) const
{
    bool v = default_value;
    if (!m_db.Read(std::make_pair(DB_FLAG, name), v)) return default_value;
    return v;
}

} // namespace node
