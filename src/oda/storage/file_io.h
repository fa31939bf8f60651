// POSIX file access for the model file store: reading files that may be hostile (any path a
// user names, any bytes a peer sends) with bounded memory and no way to hang, and writing new
// files durably (fsync of the file and of its directory) for crash-atomic renames.
#ifndef ODA_ODA_STORAGE_FILE_IO_H
#define ODA_ODA_STORAGE_FILE_IO_H

#include <oda/storage/file_check.h>
#include <util/fs.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/stat.h>

namespace oda::storage {

/** strerror text of an errno value (thread-safe). */
std::string ErrnoText(int err);
/** Modification time of a stat result, in nanoseconds since the epoch. */
int64_t MtimeNs(const struct ::stat& st);

/** Owns a file descriptor: closes it when it goes out of scope. */
class Fd
{
    int m_fd;

public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd();
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }
    /** Closes now and reports the result (a write error can surface only here). */
    bool Close();
};

/** Reads exactly `len` bytes at `offset`; false on a read error or early end of file. */
bool ReadAt(int fd, uint8_t* out, size_t len, uint64_t offset);

/** Reads a whole untrusted file, checked in the cheapest order: it opens (a missing path or a
 *  symlink loop fails here), it is a regular file (not a directory, FIFO or device; opened
 *  non-blocking so that a FIFO cannot hang the caller), it is not empty, not above the largest
 *  limit, not above its kind's limit (kind from the first 4 bytes), and it still has the size
 *  it had when opened once read. `io_error` (optional) tells a failure to open or read the
 *  path (true) from a rejection of the file's size (false). */
[[nodiscard]] bool ReadUntrustedFile(const fs::path& path, const FileLimits& limits, std::vector<uint8_t>& out,
                                     std::string& error, bool* io_error = nullptr);

/** Creates `path` (which must not exist), writes `bytes`, fsyncs; `mtime_ns` (optional) gets
 *  the new file's modification time. Removes the file on failure. */
[[nodiscard]] bool WriteNewFile(const fs::path& path, const uint8_t* bytes, size_t len, int64_t* mtime_ns,
                                std::string& error);

/** fsync of a directory, so that renames and removals in it are durable. */
[[nodiscard]] bool FsyncDir(const fs::path& dir, std::string& error);

} // namespace oda::storage

#endif // ODA_ODA_STORAGE_FILE_IO_H
