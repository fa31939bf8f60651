#include <oda/storage/file_check.h>

#include <consensus/params.h>
#include <crypto/merkle_bep52.h>
#include <crypto/sha256.h>
#include <oda/model/dataset.h>
#include <oda/model/weights.h>

#include <algorithm>
#include <cstring>

namespace oda::storage {

std::string FileKindName(FileKind kind)
{
    return kind == FileKind::WEIGHTS ? "weights" : "dataset";
}

FileLimits FileLimits::FromConsensus(const ConsensusParams& params)
{
    FileLimits l;
    l.max_weights_bytes = std::min<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(0, params.max_weights_file_bytes)),
                                             model::MAX_WEIGHTS_FILE_SIZE);
    l.max_dataset_bytes = std::min<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(0, params.max_dataset_file_bytes)),
                                             model::MAX_DATASET_FILE_SIZE);
    return l;
}

std::vector<uint256> BlockHashes(const uint8_t* data, size_t size)
{
    std::vector<uint256> leaves;
    leaves.reserve((size + BEP52_BLOCK_SIZE - 1) / BEP52_BLOCK_SIZE);
    for (size_t pos = 0; pos < size; pos += BEP52_BLOCK_SIZE) {
        uint256 leaf;
        SHA256Once(data + pos, std::min(BEP52_BLOCK_SIZE, size - pos), leaf.data());
        leaves.push_back(leaf);
    }
    return leaves;
}

std::optional<FileKind> DetectKind(const uint8_t* data, size_t size)
{
    if (size < 4) return std::nullopt;
    if (std::memcmp(data, model::WEIGHTS_MAGIC, 4) == 0) return FileKind::WEIGHTS;
    if (std::memcmp(data, model::DATASET_MAGIC, 4) == 0) return FileKind::DATASET;
    return std::nullopt;
}

bool AnalyzeFileBytes(const uint8_t* data, size_t size, const FileLimits& limits, FileInfo& info,
                      std::vector<uint256>* leaves, std::string& error)
{
    // 1. Cheapest first: an empty file has no pieces root (BEP 52), so no commitment names it.
    if (size == 0) {
        error = "empty file (an empty file has no pieces root)";
        return false;
    }
    // 2. The kind, from the magic.
    const std::optional<FileKind> kind = DetectKind(data, size);
    if (!kind) {
        error = "not a weights or dataset file (the file starts with neither \"ODAW\" nor \"ODAD\")";
        return false;
    }
    // 3. The consensus size limit of that kind, before any decoding.
    if (size > limits.MaxFor(*kind)) {
        error = FileKindName(*kind) + " file of " + std::to_string(size) + " bytes is above the limit of " +
                std::to_string(limits.MaxFor(*kind)) + " bytes";
        return false;
    }
    // 4. The full parse with the format's own bounds; keep the facts later checks need.
    FileInfo out;
    out.kind = *kind;
    std::string why;
    if (*kind == FileKind::WEIGHTS) {
        model::Weights w;
        if (!model::DecodeWeights(data, size, w, why)) {
            error = "invalid weights file: " + why;
            return false;
        }
        out.architecture_hash = w.architecture_hash;
        out.layer_count = static_cast<uint32_t>(w.layers.size());
    } else {
        model::Dataset d;
        if (!model::DecodeDataset(data, size, d, why)) {
            error = "invalid dataset file: " + why;
            return false;
        }
        out.sample_count = d.sample_count;
        out.input_shape = d.input_shape;
        out.target_shape = d.target_shape;
    }
    // 5. The commitment: pieces root over the block hashes, and the size.
    std::vector<uint256> hashes = BlockHashes(data, size);
    out.commitment.file_size = size;
    out.commitment.pieces_root = Bep52MerkleRoot(hashes);
    if (leaves) *leaves = std::move(hashes);
    info = std::move(out);
    return true;
}

} // namespace oda::storage
