#include <oda/train/idx.h>

#include <zlib.h>

#include <cstdio>
#include <memory>

namespace oda::train {

bool ParseIdx(const std::vector<uint8_t>& bytes, IdxArray& out, std::string& error)
{
    out = IdxArray{};
    if (bytes.size() < 4) {
        error = "IDX file too short for its 4-byte magic";
        return false;
    }
    if (bytes[0] != 0 || bytes[1] != 0) {
        error = "bad IDX magic: the first two bytes must be zero";
        return false;
    }
    if (bytes[2] != 0x08) {
        char type[8];
        std::snprintf(type, sizeof(type), "0x%02x", bytes[2]);
        error = std::string("unsupported IDX element type ") + type + " (only 0x08 = unsigned byte)";
        return false;
    }
    const unsigned ndims = bytes[3];
    if (ndims < 1 || ndims > 4) {
        error = "unsupported IDX dimension count " + std::to_string(ndims) + " (1 to 4)";
        return false;
    }
    const size_t header = 4 + 4 * size_t{ndims};
    if (bytes.size() < header) {
        error = "IDX file truncated in its dimension list";
        return false;
    }
    uint64_t count = 1;
    for (unsigned d = 0; d < ndims; ++d) {
        const uint8_t* p = bytes.data() + 4 + 4 * d;
        uint32_t dim = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
        if (dim == 0) {
            error = "IDX dimension " + std::to_string(d) + " is zero";
            return false;
        }
        count *= dim;
        if (count > MAX_IDX_BYTES) {
            error = "IDX array too large";
            return false;
        }
        out.dims.push_back(dim);
    }
    const uint64_t have = bytes.size() - header;
    if (have < count) {
        error = "IDX file truncated: " + std::to_string(count) + " elements declared, " +
                std::to_string(have) + " present";
        return false;
    }
    if (have > count) {
        error = "IDX file has " + std::to_string(have - count) + " trailing bytes";
        return false;
    }
    out.data.assign(bytes.begin() + header, bytes.end());
    return true;
}

bool ReadMaybeGzipFile(const std::string& path, uint64_t max_bytes, std::vector<uint8_t>& out,
                       std::string& error)
{
    out.clear();
    // gzread reads plain files transparently, so one code path serves both.
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) {
        error = "cannot open " + path;
        return false;
    }
    std::unique_ptr<gzFile_s, int (*)(gzFile)> guard(f, &gzclose);
    std::vector<uint8_t> chunk(1 << 20);
    while (true) {
        int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
            int code = 0;
            const char* msg = gzerror(f, &code);
            error = "cannot decompress " + path + ": " + (msg ? msg : "zlib error");
            return false;
        }
        if (n == 0) break;
        if (out.size() + static_cast<size_t>(n) > max_bytes) {
            error = path + " is larger than " + std::to_string(max_bytes) + " bytes";
            return false;
        }
        out.insert(out.end(), chunk.begin(), chunk.begin() + n);
    }
    // A truncated gzip stream ends without error from gzread in some zlib versions:
    // gzclose_r reports it (Z_BUF_ERROR), so check explicitly.
    int code = 0;
    gzerror(f, &code);
    if (code != Z_OK && code != Z_STREAM_END) {
        error = "cannot decompress " + path + ": truncated or corrupt gzip data";
        return false;
    }
    guard.release();
    int rc = gzclose(f);
    if (rc != Z_OK) {
        error = "cannot decompress " + path + ": truncated or corrupt gzip data";
        return false;
    }
    return true;
}

bool ReadIdxFile(const std::string& path, IdxArray& out, std::string& error)
{
    std::vector<uint8_t> bytes;
    if (!ReadMaybeGzipFile(path, MAX_IDX_BYTES + 64, bytes, error)) return false;
    if (!ParseIdx(bytes, out, error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

bool IdxToDataset(const IdxArray& images, const IdxArray& labels, uint64_t limit,
                  std::vector<uint32_t> input_shape, uint32_t num_classes,
                  model::Dataset& out, std::string& error)
{
    out = model::Dataset{};
    if (images.dims.size() < 2) {
        error = "image IDX file must have at least 2 dimensions (count, then sample shape)";
        return false;
    }
    if (labels.dims.size() != 1) {
        error = "label IDX file must have exactly 1 dimension";
        return false;
    }
    if (images.dims[0] != labels.dims[0]) {
        error = "image and label files disagree on the sample count (" + std::to_string(images.dims[0]) +
                " vs " + std::to_string(labels.dims[0]) + ")";
        return false;
    }
    uint64_t sample_size = 1;
    for (size_t i = 1; i < images.dims.size(); ++i) sample_size *= images.dims[i];
    if (input_shape.empty()) {
        if (images.dims.size() == 3) input_shape = {1, images.dims[1], images.dims[2]};
        else input_shape.assign(images.dims.begin() + 1, images.dims.end());
    }
    uint64_t shape_size = 1;
    for (uint32_t d : input_shape) shape_size *= d;
    if (shape_size != sample_size) {
        error = "input shape has " + std::to_string(shape_size) + " elements but each image has " +
                std::to_string(sample_size);
        return false;
    }
    uint64_t n = images.dims[0];
    if (limit != 0 && limit < n) n = limit;
    for (uint64_t i = 0; i < n; ++i) {
        if (num_classes != 0 && labels.data[i] >= num_classes) {
            error = "label " + std::to_string(labels.data[i]) + " of sample " + std::to_string(i) +
                    " is not below the class count " + std::to_string(num_classes);
            return false;
        }
    }
    out.input_shape = input_shape;
    out.sample_count = n;
    out.inputs.resize(n * sample_size);
    for (uint64_t i = 0; i < n * sample_size; ++i) {
        out.inputs[i] = static_cast<int8_t>(int{images.data[i]} + IDX_INPUT_ZERO_POINT);
    }
    out.labels.assign(labels.data.begin(), labels.data.begin() + n);
    return true;
}

} // namespace oda::train
