#include <oda/model/fileio.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

namespace oda::model {

bool ReadFileBounded(const std::string& path, uint64_t max_size, std::vector<uint8_t>& out, std::string& error)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        error = path + " is not a readable file";
        return false;
    }
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        error = "cannot open " + path;
        return false;
    }
    bool ok = false;
    if (std::fseek(f, 0, SEEK_END) == 0) {
        long size = std::ftell(f);
        if (size < 0) {
            error = "cannot size " + path;
        } else if (static_cast<uint64_t>(size) > max_size) {
            error = path + " is " + std::to_string(size) + " bytes, above the limit of " + std::to_string(max_size);
        } else if (std::fseek(f, 0, SEEK_SET) == 0) {
            out.resize(static_cast<size_t>(size));
            ok = out.empty() || std::fread(out.data(), 1, out.size(), f) == out.size();
            if (!ok) error = "cannot read " + path;
        }
    } else {
        error = "cannot seek " + path;
    }
    std::fclose(f);
    return ok;
}

bool WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes, std::string& error)
{
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        error = "cannot create " + path;
        return false;
    }
    bool ok = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) error = "cannot write " + path;
    return ok;
}

} // namespace oda::model
