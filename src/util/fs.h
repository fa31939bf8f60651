// Filesystem helpers on std::filesystem: data-directory lock, atomic file writes, bounded reads.
#ifndef ODA_UTIL_FS_H
#define ODA_UTIL_FS_H

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fs = std::filesystem;

/** An exclusive lock on a directory, held while the object lives (flock on `<dir>/.lock`).
 *  flock locks belong to the open file, so a second lock attempt fails even inside the same
 *  process, and the lock disappears with the process if it crashes. */
class DirectoryLock
{
public:
    ~DirectoryLock();
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;
    const fs::path& LockFilePath() const { return m_path; }

private:
    friend std::unique_ptr<DirectoryLock> LockDirectory(const fs::path&, std::string&);
    DirectoryLock(int fd, fs::path path) : m_fd(fd), m_path(std::move(path)) {}
    int m_fd;
    fs::path m_path;
};

/** Locks `dir` (which must exist). On failure returns nullptr and sets error; when another
 *  process holds the lock the message says so ("Cannot obtain a lock on data directory ...
 *  ODA is probably already running."). */
std::unique_ptr<DirectoryLock> LockDirectory(const fs::path& dir, std::string& error);

/** Writes data to `path` atomically: temporary file in the same directory, fsync, rename,
 *  fsync of the directory. `mode` is the permission of the new file (e.g. 0600 for secrets).
 *  Returns false with error on any failure (the old file, if any, is left intact). */
bool WriteFileAtomic(const fs::path& path, std::string_view data, std::string& error, unsigned int mode = 0644);

/** Reads a whole file of at most max_bytes. nullopt when missing, unreadable or larger. */
std::optional<std::string> ReadFileToString(const fs::path& path, size_t max_bytes);

/** base/path unless path is absolute. */
fs::path AbsPathJoin(const fs::path& base, const fs::path& path);

/** Creates dir and its parents; false with error on failure. Existing directories are fine. */
bool CreateDirectories(const fs::path& dir, std::string& error);

#endif // ODA_UTIL_FS_H
