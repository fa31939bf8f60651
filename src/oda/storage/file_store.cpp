#include <oda/storage/file_store.h>

#include <crypto/merkle_bep52.h>
#include <crypto/sha256.h>
#include <hex.h>
#include <oda/storage/file_io.h>
#include <util/logging.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>

namespace oda::storage {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/** The pieces root a store file name stands for (only the canonical lower-case form). */
std::optional<uint256> RootFromName(const std::string& name)
{
    if (name.size() != 64) return std::nullopt;
    const auto bytes = ParseHex(name);
    if (!bytes || bytes->size() != 32) return std::nullopt;
    const uint256 root(bytes->data());
    if (FileStore::FileName(root) != name) return std::nullopt;
    return root;
}

void RemoveQuietly(const fs::path& p)
{
    std::error_code ec;
    fs::remove(p, ec);
}

std::string Shown(const chain::Commitment& c)
{
    return "pieces root " + c.pieces_root.ToHexBytes() + " and size " + std::to_string(c.file_size);
}

} // namespace

std::string FileStatusName(FileStatus status)
{
    switch (status) {
    case FileStatus::HELD: return "held";
    case FileStatus::NEEDED: return "needed";
    case FileStatus::FETCHING: return "fetching";
    }
    return "unknown";
}

std::string FileStore::FileName(const uint256& pieces_root) { return pieces_root.ToHexBytes(); }

FileStore::FileStore(fs::path dir, FileLimits limits, uint64_t min_free_bytes)
    : m_dir(std::move(dir)), m_limits(limits), m_min_free_bytes(min_free_bytes)
{
}

std::string FileStore::NextTempName(const std::string& base)
{
    LOCK(m_mutex);
    return base + "." + std::to_string(m_next_temp++) + ".tmp";
}

bool FileStore::Open(std::string& error)
{
    if (!CreateDirectories(m_dir, error)) return false;
    std::error_code ec;
    if (!fs::is_directory(m_dir, ec)) {
        error = m_dir.string() + " is not a directory";
        return false;
    }
    // Names in sorted order, so that start-up does the same work in the same order every time.
    std::set<std::string> names;
    for (fs::directory_iterator it(m_dir, ec), end; !ec && it != end; it.increment(ec)) {
        names.insert(it->path().filename().string());
    }
    if (ec) {
        error = "cannot list " + m_dir.string() + ": " + ec.message();
        return false;
    }

    LoadStats stats;
    std::map<uint256, FileInfo> held;
    for (const std::string& name : names) {
        if (EndsWith(name, ".tmp")) {
            // An import interrupted before its rename: never a complete file.
            RemoveQuietly(m_dir / name);
            ++stats.removed_temp;
        }
    }
    for (const std::string& name : names) {
        if (EndsWith(name, ".tmp")) continue;
        if (const auto root = RootFromName(name)) {
            if (auto info = IndexOne(*root, stats)) held.emplace(*root, std::move(*info));
            continue;
        }
        if (EndsWith(name, ".meta")) {
            const std::string base = name.substr(0, name.size() - 5);
            if (RootFromName(base)) {
                if (!names.count(base)) {
                    // A record whose file is gone (deleted by hand, or by a failed check).
                    RemoveQuietly(m_dir / name);
                    ++stats.removed_bad;
                }
                continue;
            }
        }
        LogPrintf("Model file store: ignoring %s (not a store file)\n", (m_dir / name).string().c_str());
        ++stats.skipped;
    }
    if (stats.removed_temp || stats.removed_bad) {
        std::string sync_error;
        if (!FsyncDir(m_dir, sync_error)) LogPrintf("Model file store: %s\n", sync_error.c_str());
    }
    stats.held = held.size();
    LogPrintf("Model file store: %s: %u files held (%u spot-checked, %u fully verified), %u temporary and %u bad "
              "files removed, %u skipped\n",
              m_dir.string().c_str(), static_cast<unsigned>(stats.held), static_cast<unsigned>(stats.spot_checked),
              static_cast<unsigned>(stats.fully_verified), static_cast<unsigned>(stats.removed_temp),
              static_cast<unsigned>(stats.removed_bad), static_cast<unsigned>(stats.skipped));
    {
        LOCK(m_mutex);
        m_load_stats = stats;
    }
    for (const auto& [root, info] : held) MarkHeld(info); // also clears needs registered before Open
    return true;
}

std::optional<FileInfo> FileStore::IndexOne(const uint256& root, LoadStats& stats)
{
    const fs::path path = PathFor(root);
    const fs::path meta_path = path.string() + ".meta";
    const std::string shown = path.string();
    struct stat st {};
    if (::lstat(shown.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        LogPrintf("Model file store: skipping %s: not a regular file\n", shown.c_str());
        ++stats.skipped;
        return std::nullopt;
    }
    auto drop = [&](const std::string& why) {
        LogPrintf("Model file store: deleting %s: %s\n", shown.c_str(), why.c_str());
        RemoveQuietly(path);
        RemoveQuietly(meta_path);
        ++stats.removed_bad;
        return std::nullopt;
    };
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size == 0 || size > m_limits.MaxAny()) return drop("size " + std::to_string(size) + " is not a valid model file size");

    // Cheap path: an intact record that matches the file's name, size and time.
    FileMeta meta;
    std::string meta_error = "no record";
    bool have_meta = false;
    if (auto raw = ReadFileToString(meta_path, MaxFileMetaBytes(m_limits.MaxAny()))) {
        have_meta = DecodeFileMeta(reinterpret_cast<const uint8_t*>(raw->data()), raw->size(), meta, meta_error);
    }
    if (have_meta && meta.info.commitment.pieces_root == root && meta.info.commitment.file_size == size &&
        meta.mtime_ns == MtimeNs(st) && size <= m_limits.MaxFor(meta.info.kind)) {
        Fd fd(::open(shown.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
        if (fd.get() < 0) {
            LogPrintf("Model file store: skipping %s: cannot open: %s\n", shown.c_str(), ErrnoText(errno).c_str());
            ++stats.skipped;
            return std::nullopt;
        }
        const size_t blocks = meta.leaves.size();
        std::set<size_t> check{0, blocks / 2, blocks - 1};
        std::vector<uint8_t> buf(BEP52_BLOCK_SIZE);
        for (size_t b : check) {
            const uint64_t offset = uint64_t{b} * BEP52_BLOCK_SIZE;
            const size_t len = static_cast<size_t>(std::min<uint64_t>(BEP52_BLOCK_SIZE, size - offset));
            if (!ReadAt(fd.get(), buf.data(), len, offset)) {
                LogPrintf("Model file store: skipping %s: cannot read block %u\n", shown.c_str(), static_cast<unsigned>(b));
                ++stats.skipped;
                return std::nullopt;
            }
            uint256 leaf;
            SHA256Once(buf.data(), len, leaf.data());
            if (leaf != meta.leaves[b]) return drop("block " + std::to_string(b) + " does not match its recorded hash");
        }
        ++stats.spot_checked;
        return meta.info;
    }

    // Full path: hash and parse the whole file again, then write a fresh record.
    std::vector<uint8_t> bytes;
    std::string error;
    bool io_error = false;
    if (!ReadUntrustedFile(path, m_limits, bytes, error, &io_error)) {
        if (!io_error) return drop(error);
        LogPrintf("Model file store: skipping %s: %s\n", shown.c_str(), error.c_str());
        ++stats.skipped;
        return std::nullopt;
    }
    FileInfo info;
    std::vector<uint256> leaves;
    if (!AnalyzeFileBytes(bytes.data(), bytes.size(), m_limits, info, &leaves, error)) return drop(error);
    if (info.commitment.pieces_root != root) {
        return drop("its content has pieces root " + info.commitment.pieces_root.ToHexBytes() + ", not its name");
    }
    LogPrintf("Model file store: %s verified in full (%s)\n", shown.c_str(), have_meta ? "changed since recorded" : meta_error.c_str());
    FileMeta fresh{info, MtimeNs(st), std::move(leaves)};
    const std::vector<uint8_t> encoded = EncodeFileMeta(fresh);
    const fs::path tmp = m_dir / NextTempName(FileName(root) + ".meta");
    std::error_code ec;
    if (!WriteNewFile(tmp, encoded.data(), encoded.size(), nullptr, error) || (fs::rename(tmp, meta_path, ec), ec)) {
        // The file is good; only the shortcut for the next start is lost.
        LogPrintf("Model file store: cannot write the record of %s: %s\n", shown.c_str(), ec ? ec.message().c_str() : error.c_str());
        RemoveQuietly(tmp);
    }
    ++stats.fully_verified;
    return info;
}

LoadStats FileStore::LastLoadStats() const
{
    LOCK(m_mutex);
    return m_load_stats;
}

bool FileStore::Has(const chain::Commitment& c) const
{
    LOCK(m_mutex);
    const auto it = m_held.find(c.pieces_root);
    return it != m_held.end() && it->second.commitment.file_size == c.file_size;
}

std::optional<fs::path> FileStore::Path(const chain::Commitment& c) const
{
    if (!Has(c)) return std::nullopt;
    return PathFor(c.pieces_root);
}

std::optional<FileInfo> FileStore::Info(const chain::Commitment& c) const
{
    LOCK(m_mutex);
    const auto it = m_held.find(c.pieces_root);
    if (it == m_held.end() || it->second.commitment.file_size != c.file_size) return std::nullopt;
    return it->second;
}

std::optional<ImportResult> FileStore::Import(const fs::path& path, const std::optional<chain::Commitment>& expected,
                                              std::string& error, ImportFailure* failure)
{
    ImportFailure why = ImportFailure::NONE;
    std::vector<uint8_t> bytes;
    bool io_error = false;
    std::optional<ImportResult> result;
    if (!ReadUntrustedFile(path, m_limits, bytes, error, &io_error)) {
        why = io_error ? ImportFailure::PATH : ImportFailure::CONTENT;
    } else {
        result = Store(bytes, expected, error, why);
    }
    if (failure) *failure = why;
    return result;
}

std::optional<ImportResult> FileStore::ImportBytes(const std::vector<uint8_t>& bytes,
                                                   const std::optional<chain::Commitment>& expected, std::string& error,
                                                   ImportFailure* failure)
{
    ImportFailure why = ImportFailure::NONE;
    auto result = Store(bytes, expected, error, why);
    if (failure) *failure = why;
    return result;
}

std::optional<ImportResult> FileStore::Store(const std::vector<uint8_t>& bytes,
                                             const std::optional<chain::Commitment>& expected, std::string& error,
                                             ImportFailure& failure)
{
    // 0. Cheapest first: a size that differs from the expected commitment's.
    if (expected && bytes.size() != expected->file_size) {
        error = "the file does not match the commitment: it has size " + std::to_string(bytes.size()) + ", expected " +
                Shown(*expected);
        failure = ImportFailure::MISMATCH;
        return std::nullopt;
    }
    // 1-5: kind, size limit, full parse, commitment (file_check.h).
    FileInfo info;
    std::vector<uint256> leaves;
    if (!AnalyzeFileBytes(bytes.data(), bytes.size(), m_limits, info, &leaves, error)) {
        failure = ImportFailure::CONTENT;
        return std::nullopt;
    }
    // 6. The commitment the caller expects.
    if (expected && !(info.commitment == *expected)) {
        error = "the file does not match the commitment: it has " + Shown(info.commitment) + ", expected " + Shown(*expected);
        failure = ImportFailure::MISMATCH;
        return std::nullopt;
    }
    // 7. Already held: nothing to write, unless the stored copy went missing behind our back.
    if (Has(info.commitment)) {
        struct stat st {};
        const std::string stored = PathFor(info.commitment.pieces_root).string();
        if (::lstat(stored.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            static_cast<uint64_t>(st.st_size) == info.commitment.file_size) {
            return ImportResult{info, false};
        }
        LogPrintf("Model file store: %s is held but missing or resized on disk; storing it again\n", stored.c_str());
    }
    FileMeta meta{info, 0, std::move(leaves)};
    if (!WriteFiles(bytes, meta, error)) {
        failure = ImportFailure::STORAGE;
        return std::nullopt;
    }
    MarkHeld(info);
    return ImportResult{info, true};
}

bool FileStore::WriteFiles(const std::vector<uint8_t>& bytes, FileMeta& meta, std::string& error)
{
    const std::string name = FileName(meta.info.commitment.pieces_root);
    std::error_code space_ec;
    const fs::space_info space = fs::space(m_dir, space_ec);
    const uint64_t needed = bytes.size() + MaxFileMetaBytes(bytes.size()) + m_min_free_bytes;
    if (!space_ec && space.available < needed) {
        error = "cannot store the file: not enough disk space in " + m_dir.string() + " (" +
                std::to_string(space.available >> 20) + " MiB free, " + std::to_string(needed >> 20) +
                " MiB needed including a reserve of " + std::to_string(m_min_free_bytes >> 20) + " MiB)";
        return false;
    }
    const fs::path data_tmp = m_dir / NextTempName(name);
    const fs::path meta_tmp = m_dir / NextTempName(name + ".meta");
    if (!WriteNewFile(data_tmp, bytes.data(), bytes.size(), &meta.mtime_ns, error)) {
        error = "cannot store the file: " + error;
        return false;
    }
    const std::vector<uint8_t> encoded = EncodeFileMeta(meta);
    if (!WriteNewFile(meta_tmp, encoded.data(), encoded.size(), nullptr, error)) {
        RemoveQuietly(data_tmp);
        error = "cannot store the file: " + error;
        return false;
    }
    // Data first: a crash between the renames leaves a complete file without its record,
    // which the next start verifies in full and records again.
    std::error_code ec;
    fs::rename(data_tmp, m_dir / name, ec);
    if (ec) {
        RemoveQuietly(data_tmp);
        RemoveQuietly(meta_tmp);
        error = "cannot store the file: rename in " + m_dir.string() + " failed: " + ec.message();
        return false;
    }
    fs::rename(meta_tmp, m_dir / (name + ".meta"), ec);
    if (ec) {
        // The file itself is complete and in place; only the start-up shortcut is missing,
        // and the next start rebuilds it after a full verification.
        LogPrintf("Model file store: cannot write the record of %s: %s\n", name.c_str(), ec.message().c_str());
        RemoveQuietly(meta_tmp);
    }
    if (!FsyncDir(m_dir, error)) {
        // Not known to be durable: take it back out so that the import can simply be retried.
        RemoveQuietly(m_dir / name);
        RemoveQuietly(m_dir / (name + ".meta"));
        error = "cannot store the file: " + error;
        return false;
    }
    return true;
}

void FileStore::MarkHeld(const FileInfo& info)
{
    std::vector<std::shared_ptr<const AvailableListener>> listeners;
    {
        LOCK(m_mutex);
        // Two imports of the same file may race to here: only the first one notifies.
        if (!m_held.emplace(info.commitment.pieces_root, info).second) return;
        m_needed.erase(KeyOf(info.commitment));
        for (const auto& [id, l] : m_listeners) listeners.push_back(l);
    }
    for (const auto& l : listeners) (*l)(info);
}

bool FileStore::ReadVerified(const chain::Commitment& c, std::vector<uint8_t>& out, std::string& error) const
{
    if (!Has(c)) {
        error = "file with " + Shown(c) + " is not held";
        return false;
    }
    if (!ReadUntrustedFile(PathFor(c.pieces_root), m_limits, out, error)) return false;
    const std::vector<uint256> leaves = BlockHashes(out.data(), out.size());
    if (out.size() != c.file_size || Bep52MerkleRoot(leaves) != c.pieces_root) {
        error = "stored file " + PathFor(c.pieces_root).string() + " is corrupted (it no longer has " + Shown(c) + ")";
        out.clear();
        return false;
    }
    return true;
}

bool FileStore::VerifyFull(const chain::Commitment& c, std::string& error)
{
    std::vector<uint8_t> bytes;
    FileInfo info;
    bool ok = ReadVerified(c, bytes, error) &&
              AnalyzeFileBytes(bytes.data(), bytes.size(), m_limits, info, nullptr, error);
    if (ok) return true;
    if (!Has(c)) return false;
    LogPrintf("Model file store: deleting %s: %s\n", PathFor(c.pieces_root).string().c_str(), error.c_str());
    {
        LOCK(m_mutex);
        m_held.erase(c.pieces_root);
    }
    RemoveQuietly(PathFor(c.pieces_root));
    RemoveQuietly(PathFor(c.pieces_root).string() + ".meta");
    return false;
}

bool FileStore::Need(const chain::Commitment& c, const std::string& why)
{
    LOCK(m_mutex);
    const auto it = m_held.find(c.pieces_root);
    if (it != m_held.end() && it->second.commitment.file_size == c.file_size) return false;
    m_needed[KeyOf(c)].insert(why);
    return true;
}

void FileStore::Release(const chain::Commitment& c, const std::string& why)
{
    LOCK(m_mutex);
    const auto it = m_needed.find(KeyOf(c));
    if (it == m_needed.end()) return;
    it->second.erase(why);
    if (it->second.empty()) m_needed.erase(it);
}

std::vector<chain::Commitment> FileStore::Needed() const
{
    LOCK(m_mutex);
    std::vector<chain::Commitment> out;
    for (const auto& [key, reasons] : m_needed) out.push_back(chain::Commitment{key.first, key.second});
    return out;
}

std::vector<FileEntry> FileStore::List() const
{
    std::map<Key, FileEntry> entries;
    {
        LOCK(m_mutex);
        for (const auto& [root, info] : m_held) {
            FileEntry& e = entries[KeyOf(info.commitment)];
            e.commitment = info.commitment;
            e.status = FileStatus::HELD;
            e.info = info;
            e.bytes_have = info.commitment.file_size;
        }
        for (const auto& [key, reasons] : m_needed) {
            FileEntry& e = entries[key];
            if (e.status != FileStatus::HELD) {
                e.commitment = chain::Commitment{key.first, key.second};
                e.status = FileStatus::NEEDED;
            }
            e.reasons = reasons;
        }
    }
    std::vector<FileEntry> out;
    for (auto& [key, e] : entries) {
        e.path = PathFor(key.first);
        out.push_back(std::move(e));
    }
    return out;
}

uint64_t FileStore::AddAvailableListener(AvailableListener listener)
{
    LOCK(m_mutex);
    const uint64_t id = m_next_listener_id++;
    m_listeners.emplace(id, std::make_shared<const AvailableListener>(std::move(listener)));
    return id;
}

void FileStore::RemoveAvailableListener(uint64_t id)
{
    LOCK(m_mutex);
    m_listeners.erase(id);
}

} // namespace oda::storage
