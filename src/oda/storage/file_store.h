// FileStore: the node's store of model files (weights and datasets) that on-chain
// commitments name (doc/oda-protocol.md section 2.2: BEP 52 pieces root + size).
//
// Contract:
//  - Layout (doc/files.md): `<dir>/<pieces root hex>` holds the file's exact bytes and
//    `<dir>/<pieces root hex>.meta` its record (file_meta.h). The hex is the root's bytes in
//    storage order (uint256::ToHexBytes, the form BitTorrent clients and `oda-model inspect`
//    print). Nothing else in the directory is the store's.
//  - Import verifies, parses and validates a file ONCE (file_check.h: kind, consensus size
//    limit, full decode), optionally against the commitment the caller expects; a file that
//    fails any check is not stored and the call says why. Importing a file already held is a
//    no-op that returns the same facts.
//  - Writes are crash-atomic: data and record go to `<name>.<n>.tmp` in the same directory,
//    are fsynced and renamed into place (data first), then the directory is fsynced. After a
//    crash the directory holds complete files only, plus temporaries that Open() deletes.
//  - What is verified when:
//      import:      everything (pieces root + size over the bytes actually stored, full parse);
//      start-up:    for each file, the size; then, if its record is intact (checksum, leaves
//                   hashing to the name) and the file's size and modification time equal the
//                   recorded ones, the first, middle and last 16 KiB block against the
//                   recorded block hashes (cheap: at most 48 KiB read per file). Otherwise
//                   (no or bad record, size or time changed) the whole file is hashed and
//                   parsed again, and a record written. A file that fails is deleted (it can
//                   be fetched or imported again), an unreadable one skipped and left alone;
//      ReadVerified: the whole file is hashed again on every use, so a consumer that
//                   validates a block with a file never relies on the start-up spot check.
//    Silent corruption inside an unchanged file (same size and time) outside the spot-checked
//    blocks is therefore found only by ReadVerified / VerifyFull, not at start-up.
//  - Needed set: consumers (validation, the mempool, later the BitTorrent source) register
//    commitments they wait for with Need(commitment, why). It is kept in memory only;
//    registrants register again after a restart. A needed file that becomes held leaves the
//    set and every "available" listener is called.
//  - Status: HELD or NEEDED now; FETCHING (with bytes_have) is reserved for a download source
//    that will report progress into the same entries.
//  - Thread-safe: one mutex guards the index; file I/O (reading, hashing, parsing, writing)
//    runs without it. Listeners are called without the mutex, on the thread that made the
//    file available, and may call back into the store. A listener being removed may still
//    be running its last call on another thread.
#ifndef ODA_ODA_STORAGE_FILE_STORE_H
#define ODA_ODA_STORAGE_FILE_STORE_H

#include <oda/chain/payload.h>
#include <oda/storage/file_check.h>
#include <oda/storage/file_meta.h>
#include <uint256.h>
#include <util/fs.h>
#include <util/sync.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace oda::storage {

enum class FileStatus {
    HELD,      //!< complete and verified on disk
    NEEDED,    //!< wanted by a consumer, not held
    FETCHING,  //!< being downloaded (set by a download source; bytes_have tells the progress)
};

/** "held" / "needed" / "fetching". */
std::string FileStatusName(FileStatus status);

struct FileEntry {
    chain::Commitment commitment;
    FileStatus status{FileStatus::NEEDED};
    std::optional<FileInfo> info;  //!< set when held
    fs::path path;                 //!< where the file is (held) or will be stored
    std::set<std::string> reasons; //!< why it is needed (empty when only held)
    uint64_t bytes_have{0};        //!< held: the size; needed: 0; fetching: bytes downloaded
};

/** Why an import failed, for callers that map it to their own error codes (RPC). */
enum class ImportFailure {
    NONE,
    PATH,      //!< the path cannot be opened or read, or is not a regular file
    CONTENT,   //!< the bytes are not an acceptable weights or dataset file (kind, size limit, parse)
    MISMATCH,  //!< a valid file, but not the one the expected commitment names
    STORAGE,   //!< valid, but the store could not write it (disk full, I/O error)
};

struct ImportResult {
    FileInfo info;
    bool newly_stored{false};  //!< false when the file was already held
};

/** What the last Open() did (also logged). */
struct LoadStats {
    size_t held{0};            //!< files indexed
    size_t spot_checked{0};    //!< of those, trusted from their record after the spot check
    size_t fully_verified{0};  //!< of those, hashed and parsed again
    size_t removed_temp{0};    //!< crash leftovers deleted
    size_t removed_bad{0};     //!< files (and orphan records) that failed verification, deleted
    size_t skipped{0};         //!< unreadable files or foreign names, left alone
};

/** An import must leave at least this much free space on the store's file system, so that a
 *  large model file never takes the space block storage needs (the node keeps the same
 *  50 MiB margin for blocks, node/validation.h MIN_DISK_SPACE). */
static constexpr uint64_t DEFAULT_MIN_FREE_BYTES = 50ULL << 20;

class FileStore
{
public:
    using AvailableListener = std::function<void(const FileInfo&)>;

    FileStore(fs::path dir, FileLimits limits, uint64_t min_free_bytes = DEFAULT_MIN_FREE_BYTES);
    FileStore(const FileStore&) = delete;
    FileStore& operator=(const FileStore&) = delete;

    /** Creates the directory if needed, deletes crash leftovers and indexes the files in it
     *  (see "What is verified when"). False with error only if the directory is unusable. */
    [[nodiscard]] bool Open(std::string& error) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    LoadStats LastLoadStats() const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    const fs::path& Dir() const { return m_dir; }
    const FileLimits& Limits() const { return m_limits; }

    /** True if the file with exactly this pieces root and size is held. */
    bool Has(const chain::Commitment& c) const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Where a held file is; std::nullopt if it is not held. */
    std::optional<fs::path> Path(const chain::Commitment& c) const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** The facts parsed at import of a held file. */
    std::optional<FileInfo> Info(const chain::Commitment& c) const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    /** Imports the file at `path` (a regular file, or a symlink to one), optionally checking it
     *  against `expected`. std::nullopt with a message for an unreadable path, a directory or
     *  other non-regular file, an oversized, truncated or invalid file, or a mismatch. */
    std::optional<ImportResult> Import(const fs::path& path, const std::optional<chain::Commitment>& expected,
                                       std::string& error, ImportFailure* failure = nullptr)
        EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Same, for bytes already in memory (a download source hands over complete files this way). */
    std::optional<ImportResult> ImportBytes(const std::vector<uint8_t>& bytes,
                                            const std::optional<chain::Commitment>& expected, std::string& error,
                                            ImportFailure* failure = nullptr) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    /** Reads a held file and checks its pieces root and size again (see the contract). */
    [[nodiscard]] bool ReadVerified(const chain::Commitment& c, std::vector<uint8_t>& out, std::string& error) const
        EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Hashes and parses a held file again; a file that fails is deleted and no longer held. */
    [[nodiscard]] bool VerifyFull(const chain::Commitment& c, std::string& error) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    /** Registers that `why` waits for the file. Returns true if it is not held (so now needed),
     *  false if it already is (nothing registered: the caller can go ahead). */
    bool Need(const chain::Commitment& c, const std::string& why) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Withdraws one reason; the file stops being needed when none is left. */
    void Release(const chain::Commitment& c, const std::string& why) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    std::vector<chain::Commitment> Needed() const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    /** Held and needed files, ordered by pieces root then size (deterministic). */
    std::vector<FileEntry> List() const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    /** Called whenever a file becomes held (import, later download). Returns an id for removal. */
    uint64_t AddAvailableListener(AvailableListener listener) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    void RemoveAvailableListener(uint64_t id) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    /** File name of a pieces root in the store ("<64 hex>"). */
    static std::string FileName(const uint256& pieces_root);
    fs::path PathFor(const uint256& pieces_root) const { return m_dir / FileName(pieces_root); }

private:
    using Key = std::pair<uint256, uint64_t>;  //!< (pieces root, size)
    static Key KeyOf(const chain::Commitment& c) { return {c.pieces_root, c.file_size}; }

    /** Verifies, parses and stores bytes (the common tail of both imports). */
    std::optional<ImportResult> Store(const std::vector<uint8_t>& bytes, const std::optional<chain::Commitment>& expected,
                                      std::string& error, ImportFailure& failure) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Writes data and record crash-atomically (see the contract). */
    bool WriteFiles(const std::vector<uint8_t>& bytes, FileMeta& meta, std::string& error)
        EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Start-up indexing of one `<hex>` file; returns its info when it is to be held. */
    std::optional<FileInfo> IndexOne(const uint256& root, LoadStats& stats) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Records the file as held, drops it from the needed set and calls the listeners. */
    void MarkHeld(const FileInfo& info) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    std::string NextTempName(const std::string& base) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    const fs::path m_dir;
    const FileLimits m_limits;
    const uint64_t m_min_free_bytes;

    mutable Mutex m_mutex;
    std::map<uint256, FileInfo> m_held GUARDED_BY(m_mutex);  //!< by pieces root
    std::map<Key, std::set<std::string>> m_needed GUARDED_BY(m_mutex);
    std::map<uint64_t, std::shared_ptr<const AvailableListener>> m_listeners GUARDED_BY(m_mutex);
    uint64_t m_next_listener_id GUARDED_BY(m_mutex){1};
    uint64_t m_next_temp GUARDED_BY(m_mutex){0};
    LoadStats m_load_stats GUARDED_BY(m_mutex);
};

} // namespace oda::storage

#endif // ODA_ODA_STORAGE_FILE_STORE_H
