#include <oda/storage/file_meta.h>

#include <crypto/merkle_bep52.h>
#include <crypto/sha256.h>
#include <serialize.h>
#include <streams.h>

#include <cstring>

namespace oda::storage {

namespace {
constexpr uint8_t META_MAGIC[4] = {'O', 'D', 'A', 'M'};
constexpr uint8_t META_VERSION = 1;
/** A shape has at most this many dimensions (the model formats use at most 4). */
constexpr uint64_t MAX_SHAPE_DIMS = 8;
} // namespace

uint64_t MaxFileMetaBytes(uint64_t max_file_bytes)
{
    const uint64_t blocks = (max_file_bytes + BEP52_BLOCK_SIZE - 1) / BEP52_BLOCK_SIZE;
    return 4096 + blocks * 32;
}

std::vector<uint8_t> EncodeFileMeta(const FileMeta& meta)
{
    std::vector<uint8_t> out;
    VectorWriter w(out);
    w.write(META_MAGIC, 4);
    w << META_VERSION << static_cast<uint8_t>(meta.info.kind) << meta.info.commitment.file_size << meta.mtime_ns
      << meta.info.architecture_hash << meta.info.layer_count << meta.info.sample_count << meta.info.input_shape
      << meta.info.target_shape << meta.leaves;
    uint256 check;
    SHA256Once(out.data(), out.size(), check.data());
    w << check;
    return out;
}

bool DecodeFileMeta(const uint8_t* data, size_t size, FileMeta& out, std::string& error)
{
    if (size < 4 + 32 || std::memcmp(data, META_MAGIC, 4) != 0) {
        error = "not a file record";
        return false;
    }
    uint256 check;
    SHA256Once(data, size - 32, check.data());
    if (std::memcmp(check.data(), data + size - 32, 32) != 0) {
        error = "file record checksum mismatch";
        return false;
    }
    FileMeta m;
    try {
        SpanReader r(data + 4, size - 4 - 32);
        uint8_t version = 0, kind = 0;
        r >> version >> kind;
        if (version != META_VERSION) {
            error = "unknown file record version " + std::to_string(version);
            return false;
        }
        if (kind != static_cast<uint8_t>(FileKind::WEIGHTS) && kind != static_cast<uint8_t>(FileKind::DATASET)) {
            error = "unknown file kind " + std::to_string(kind);
            return false;
        }
        m.info.kind = static_cast<FileKind>(kind);
        r >> m.info.commitment.file_size >> m.mtime_ns >> m.info.architecture_hash >> m.info.layer_count >>
            m.info.sample_count;
        // Shapes are tiny; reject a hostile count before the vector reader sees it.
        for (std::vector<uint32_t>* shape : {&m.info.input_shape, &m.info.target_shape}) {
            r >> *shape;
            if (shape->size() > MAX_SHAPE_DIMS) {
                error = "file record shape has too many dimensions";
                return false;
            }
        }
        r >> m.leaves;
        if (!r.empty()) {
            error = "file record has trailing bytes";
            return false;
        }
    } catch (const SerializationError& e) {
        error = std::string("file record truncated: ") + e.what();
        return false;
    }
    const uint64_t blocks = (m.info.commitment.file_size + BEP52_BLOCK_SIZE - 1) / BEP52_BLOCK_SIZE;
    if (m.info.commitment.file_size == 0 || m.leaves.size() != blocks) {
        error = "file record block count does not fit its size";
        return false;
    }
    m.info.commitment.pieces_root = Bep52MerkleRoot(m.leaves);
    out = std::move(m);
    return true;
}

} // namespace oda::storage
