#include <oda/storage/file_io.h>

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace oda::storage {

std::string ErrnoText(int err) { return std::generic_category().message(err); }

int64_t MtimeNs(const struct ::stat& st)
{
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

Fd::~Fd()
{
    if (m_fd >= 0) ::close(m_fd);
}

bool Fd::Close()
{
    const int fd = m_fd;
    m_fd = -1;
    return ::close(fd) == 0;
}

bool ReadAt(int fd, uint8_t* out, size_t len, uint64_t offset)
{
    size_t done = 0;
    while (done < len) {
        const ssize_t n = ::pread(fd, out + done, len - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

bool ReadUntrustedFile(const fs::path& path, const FileLimits& limits, std::vector<uint8_t>& out, std::string& error,
                       bool* io_error)
{
    const std::string shown = path.string();
    if (io_error) *io_error = true;
    Fd fd(::open(shown.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (fd.get() < 0) {
        error = "cannot open " + shown + ": " + ErrnoText(errno);
        return false;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        error = "cannot stat " + shown + ": " + ErrnoText(errno);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        error = shown + " is a directory, not a file";
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error = shown + " is not a regular file";
        return false;
    }
    if (io_error) *io_error = false; // from here on, a failure is the file's content or size
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size == 0) {
        error = shown + " is empty (an empty file has no pieces root)";
        return false;
    }
    if (size > limits.MaxAny()) {
        error = shown + " is " + std::to_string(size) + " bytes, above the largest model file allowed (" +
                std::to_string(limits.MaxAny()) + " bytes)";
        return false;
    }
    uint8_t head[4]{};
    if (size >= 4 && ReadAt(fd.get(), head, 4, 0)) {
        if (const std::optional<FileKind> kind = DetectKind(head, 4); kind && size > limits.MaxFor(*kind)) {
            error = shown + " is a " + FileKindName(*kind) + " file of " + std::to_string(size) +
                    " bytes, above the limit of " + std::to_string(limits.MaxFor(*kind)) + " bytes";
            return false;
        }
    }
    // One extra byte of room detects a file that grew while it was read.
    out.assign(static_cast<size_t>(size) + 1, 0);
    size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0) {
            error = "cannot read " + shown + ": " + ErrnoText(errno);
            if (io_error) *io_error = true;
            return false;
        }
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    if (got != size) {
        error = shown + " changed size while it was read (" + std::to_string(size) + " bytes, then " +
                (got > size ? "more" : std::to_string(got)) + ")";
        return false;
    }
    out.resize(got);
    return true;
}

bool WriteNewFile(const fs::path& path, const uint8_t* bytes, size_t len, int64_t* mtime_ns, std::string& error)
{
    const std::string shown = path.string();
    Fd fd(::open(shown.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
        error = "cannot create " + shown + ": " + ErrnoText(errno);
        return false;
    }
    bool ok = true;
    size_t done = 0;
    while (ok && done < len) {
        const ssize_t n = ::write(fd.get(), bytes + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = "cannot write " + shown + ": " + ErrnoText(n < 0 ? errno : ENOSPC);
            ok = false;
        } else {
            done += static_cast<size_t>(n);
        }
    }
    if (ok && ::fsync(fd.get()) != 0) {
        error = "cannot fsync " + shown + ": " + ErrnoText(errno);
        ok = false;
    }
    struct stat st {};
    if (ok && mtime_ns) {
        if (::fstat(fd.get(), &st) != 0) {
            error = "cannot stat " + shown + ": " + ErrnoText(errno);
            ok = false;
        } else {
            *mtime_ns = MtimeNs(st);
        }
    }
    if (!fd.Close() && ok) {
        error = "cannot close " + shown + ": " + ErrnoText(errno);
        ok = false;
    }
    if (!ok) ::unlink(shown.c_str());
    return ok;
}

bool FsyncDir(const fs::path& dir, std::string& error)
{
    Fd fd(::open(dir.string().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
        error = "cannot fsync directory " + dir.string() + ": " + ErrnoText(errno);
        return false;
    }
    return true;
}

} // namespace oda::storage
