// What a model file is, decided once from its bytes: the kind (weights or dataset, by its
// magic), the commitment it matches (BEP 52 pieces root + size, doc/oda-protocol.md
// section 2.2), the parsed metadata later checks need (architecture hash of weights; sample
// count and tensor shapes of a dataset) and the SHA-256 of each 16 KiB block (the leaves of
// the pieces-root tree, kept so that stored files can be spot-checked block by block).
//
// AnalyzeFileBytes is the single parser of untrusted file content in the store: it checks
// the size against the consensus limit of the kind before decoding, decodes the whole file
// with the format parsers of oda/model (weights.h, dataset.h), and returns false with a
// message, never throwing, on anything it does not accept.
#ifndef ODA_ODA_STORAGE_FILE_CHECK_H
#define ODA_ODA_STORAGE_FILE_CHECK_H

#include <oda/chain/payload.h>
#include <uint256.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct ConsensusParams;

namespace oda::storage {

enum class FileKind : uint8_t {
    WEIGHTS = 1,  //!< "ODAW" file (doc/oda-models.md)
    DATASET = 2,  //!< "ODAD" file (doc/oda-models.md)
};

/** "weights" / "dataset" (the names RPCs print). */
std::string FileKindName(FileKind kind);

/** Largest accepted file of each kind: the consensus limits (consensus/params.h), capped by
 *  the format parsers' own bounds. */
struct FileLimits {
    uint64_t max_weights_bytes{0};
    uint64_t max_dataset_bytes{0};

    static FileLimits FromConsensus(const ConsensusParams& params);
    uint64_t MaxFor(FileKind kind) const { return kind == FileKind::WEIGHTS ? max_weights_bytes : max_dataset_bytes; }
    uint64_t MaxAny() const { return max_weights_bytes > max_dataset_bytes ? max_weights_bytes : max_dataset_bytes; }
};

/** The parsed facts about one valid file. */
struct FileInfo {
    chain::Commitment commitment;
    FileKind kind{FileKind::WEIGHTS};
    // WEIGHTS
    uint256 architecture_hash;      //!< the architecture the weights are bound to
    uint32_t layer_count{0};
    // DATASET
    uint64_t sample_count{0};
    std::vector<uint32_t> input_shape;
    std::vector<uint32_t> target_shape;  //!< empty: class labels (objective accuracy)

    bool operator==(const FileInfo& o) const
    {
        return commitment == o.commitment && kind == o.kind && architecture_hash == o.architecture_hash &&
               layer_count == o.layer_count && sample_count == o.sample_count && input_shape == o.input_shape &&
               target_shape == o.target_shape;
    }
};

/** SHA-256 of each 16 KiB block (the last one shorter); empty for empty input. */
std::vector<uint256> BlockHashes(const uint8_t* data, size_t size);

/** Kind from the first bytes (std::nullopt: neither magic). */
std::optional<FileKind> DetectKind(const uint8_t* data, size_t size);

/** Checks and parses a whole file (see the file comment). On success fills `info` and, when
 *  given, `leaves` (BlockHashes of the data). */
[[nodiscard]] bool AnalyzeFileBytes(const uint8_t* data, size_t size, const FileLimits& limits, FileInfo& info,
                                    std::vector<uint256>* leaves, std::string& error);

} // namespace oda::storage

#endif // ODA_ODA_STORAGE_FILE_CHECK_H
