#include <net/fileutil.h>

#include <crypto/hash.h>
#include <util/random.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace net {

std::optional<std::vector<uint8_t>> ReadWholeFile(const std::string& path, size_t max_size, std::string& error)
{
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        error = "cannot open " + path;
        return std::nullopt;
    }
    std::vector<uint8_t> out;
    char buf[65536];
    while (f) {
        f.read(buf, sizeof(buf));
        const std::streamsize n = f.gcount();
        if (n <= 0) break;
        if (out.size() + static_cast<size_t>(n) > max_size) {
            error = path + " is too large";
            return std::nullopt;
        }
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}

bool WriteFileAtomic(const std::string& path, const std::vector<uint8_t>& data, std::string& error)
{
    const std::string tmp = path + ".new";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) {
            error = "cannot write " + tmp;
            return false;
        }
        f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
        f.flush();
        if (!f) {
            error = "write failed: " + tmp;
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        error = "cannot rename " + tmp + " to " + path;
        return false;
    }
    return true;
}

std::vector<uint8_t> WrapEnvelope(const std::array<uint8_t, 4>& file_magic, uint8_t version,
                                  const std::array<uint8_t, 4>& network_magic, const std::vector<uint8_t>& body)
{
    std::vector<uint8_t> out(file_magic.begin(), file_magic.end());
    out.push_back(version);
    out.insert(out.end(), network_magic.begin(), network_magic.end());
    out.insert(out.end(), body.begin(), body.end());
    const uint256 h = Hash256(out);
    out.insert(out.end(), h.begin(), h.end());
    return out;
}

std::optional<std::vector<uint8_t>> UnwrapEnvelope(const std::vector<uint8_t>& file, const std::array<uint8_t, 4>& file_magic,
                                                   uint8_t version, const std::array<uint8_t, 4>& network_magic,
                                                   std::string& error)
{
    if (file.size() < 9 + 32) {
        error = "file truncated";
        return std::nullopt;
    }
    if (std::memcmp(file.data(), file_magic.data(), 4) != 0) {
        error = "wrong file magic";
        return std::nullopt;
    }
    if (file[4] != version) {
        error = "unknown file version " + std::to_string(file[4]);
        return std::nullopt;
    }
    if (std::memcmp(file.data() + 5, network_magic.data(), 4) != 0) {
        error = "file is for another network";
        return std::nullopt;
    }
    const uint256 h = Hash256(file.data(), file.size() - 32);
    if (std::memcmp(h.data(), file.data() + file.size() - 32, 32) != 0) {
        error = "checksum mismatch";
        return std::nullopt;
    }
    return std::vector<uint8_t>(file.begin() + 9, file.end() - 32);
}

uint64_t RandomSeed()
{
    uint64_t seed = 0;
    if (!GetOSRandBytes(reinterpret_cast<uint8_t*>(&seed), sizeof(seed))) {
        seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    return seed;
}

} // namespace net
