#include <util/fs.h>

#include <util/strencodings.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

DirectoryLock::~DirectoryLock()
{
    if (m_fd >= 0) {
        flock(m_fd, LOCK_UN);
        close(m_fd);
    }
}

std::unique_ptr<DirectoryLock> LockDirectory(const fs::path& dir, std::string& error)
{
    fs::path lock_path = dir / ".lock";
    int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = strprintf("Cannot open lock file %s: %s", lock_path.string().c_str(), std::strerror(errno));
        return nullptr;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK) {
            error = strprintf("Cannot obtain a lock on data directory %s. ODA is probably already running.",
                              dir.string().c_str());
        } else {
            error = strprintf("Cannot lock data directory %s: %s", dir.string().c_str(), std::strerror(err));
        }
        return nullptr;
    }
    return std::unique_ptr<DirectoryLock>(new DirectoryLock(fd, lock_path));
}

bool WriteFileAtomic(const fs::path& path, std::string_view data, std::string& error, unsigned int mode)
{
    fs::path tmp = path;
    tmp += strprintf(".tmp%d", static_cast<int>(getpid()));
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        error = strprintf("Cannot create %s: %s", tmp.string().c_str(), std::strerror(errno));
        return false;
    }
    size_t written = 0;
    while (written < data.size()) {
        ssize_t n = write(fd, data.data() + written, data.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = strprintf("Cannot write %s: %s", tmp.string().c_str(), std::strerror(errno));
            close(fd);
            unlink(tmp.c_str());
            return false;
        }
        written += static_cast<size_t>(n);
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        error = strprintf("Cannot flush %s: %s", tmp.string().c_str(), std::strerror(errno));
        unlink(tmp.c_str());
        return false;
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        error = strprintf("Cannot rename %s to %s: %s", tmp.string().c_str(), path.string().c_str(),
                          std::strerror(errno));
        unlink(tmp.c_str());
        return false;
    }
    // Make the rename itself durable.
    fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
    int dfd = open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return true;
}

std::optional<std::string> ReadFileToString(const fs::path& path, size_t max_bytes)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string out;
    char buf[65536];
    while (in) {
        in.read(buf, sizeof(buf));
        out.append(buf, static_cast<size_t>(in.gcount()));
        if (out.size() > max_bytes) return std::nullopt;
    }
    if (in.bad()) return std::nullopt;
    return out;
}

fs::path AbsPathJoin(const fs::path& base, const fs::path& path)
{
    return path.is_absolute() ? path : base / path;
}

bool CreateDirectories(const fs::path& dir, std::string& error)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        error = strprintf("Cannot create directory %s: %s", dir.string().c_str(), ec.message().c_str());
        return false;
    }
    return true;
}
