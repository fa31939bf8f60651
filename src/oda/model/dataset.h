// A dataset: N samples of (int8 input tensor, label or int32 target tensor).
#ifndef ODA_ODA_MODEL_DATASET_H
#define ODA_ODA_MODEL_DATASET_H

#include <cstdint>
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
};

} // namespace oda::model

#endif // ODA_ODA_MODEL_DATASET_H
