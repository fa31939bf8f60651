// A dataset: N samples of (int8 input tensor, label or int32 target tensor).
// Byte layout in doc/oda-models.md. DecodeDataset checks the form with hard
// bounds: the declared sizes must match the bytes really present before
// anything is allocated. CheckDataset checks it fits a model.
#ifndef ODA_ODA_MODEL_DATASET_H
#define ODA_ODA_MODEL_DATASET_H

#include <oda/model/architecture.h>

#include <cstdint>
#include <string>
#include <vector>

namespace oda::model {

struct Dataset {
    std::vector<uint32_t> input_shape;   //!< must equal the architecture's input shape
    /** Empty for class labels (objective accuracy); the target shape for neg_sse. */
    std::vector<uint32_t> target_shape;
    uint64_t sample_count{0};
    std::vector<int8_t> inputs;    //!< sample_count * prod(input_shape), sample-major
    std::vector<uint32_t> labels;  //!< accuracy: one class index per sample
    std::vector<int32_t> targets;  //!< neg_sse: sample_count * prod(target_shape)

    bool operator==(const Dataset& o) const
    {
        return input_shape == o.input_shape && target_shape == o.target_shape && sample_count == o.sample_count &&
               inputs == o.inputs && labels == o.labels && targets == o.targets;
    }
};

/** File magic "ODAD" and the only format version. */
static constexpr uint8_t DATASET_MAGIC[4] = {'O', 'D', 'A', 'D'};
static constexpr uint8_t DATASET_VERSION = 1;
/** Largest dataset file accepted by the parser (consensus may set a lower limit). */
static constexpr uint64_t MAX_DATASET_FILE_SIZE = 1ULL << 30;
/** At most this many samples. */
static constexpr uint64_t MAX_DATASET_SAMPLES = 1ULL << 24;

/** The canonical bytes of a dataset file. Precondition: the vectors have the sizes the shapes imply. */
std::vector<uint8_t> EncodeDataset(const Dataset& dataset);
[[nodiscard]] bool DecodeDataset(const uint8_t* data, size_t size, Dataset& out, std::string& error);
[[nodiscard]] bool DecodeDataset(const std::vector<uint8_t>& bytes, Dataset& out, std::string& error);
[[nodiscard]] bool ReadDatasetFile(const std::string& path, uint64_t max_size, Dataset& out, std::string& error);

/** Checks the dataset fits an architecture: same input shape; accuracy: labels
 *  only, each label < output elements; neg_sse: target shape == output shape. */
[[nodiscard]] bool CheckDataset(const Architecture& arch, const ArchitectureInfo& info, const Dataset& dataset, std::string& error);

} // namespace oda::model

#endif // ODA_ODA_MODEL_DATASET_H
