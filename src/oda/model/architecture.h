// A model's architecture: the fixed layer list of an integer-only network.
// The architecture never changes over a model's life (a different one is a new
// model); everything that training changes lives in the weights (weights.h).
//
// Tensors are int8 activations in C,H,W order (images) or a flat vector; the
// batch dimension is never part of a shape. See doc/oda-models.md for the
// exact arithmetic of every layer.
#ifndef ODA_ODA_MODEL_ARCHITECTURE_H
#define ODA_ODA_MODEL_ARCHITECTURE_H

#include <uint256.h>

#include <cstdint>
#include <string>
#include <vector>

namespace oda::model {

enum class LayerKind : uint8_t {
    DENSE = 1,       //!< fully connected: out_features outputs from a flat input
    CONV2D = 2,      //!< 2-D convolution over C,H,W with stride and zero padding
    MAXPOOL2D = 3,   //!< max over kernel windows (no padding)
    AVGPOOL2D = 4,   //!< rounded integer mean over kernel windows (no padding)
    RELU = 5,        //!< max(x, zero_point of x)
    FLATTEN = 6,     //!< C,H,W -> flat vector in C,H,W order
};

enum class ObjectiveKind : uint8_t {
    ACCURACY = 1,  //!< score = samples whose argmax(output) == label (ties: lowest index)
    NEG_SSE = 2,   //!< score = -sum((int32 output - int32 target)^2), in int64
};

/** One layer. Fields that a kind does not use must be zero in the encoding. */
struct Layer {
    LayerKind kind{LayerKind::DENSE};
    uint32_t out_features{0};  //!< DENSE: outputs; CONV2D: output channels
    uint32_t kernel_h{0};      //!< CONV2D / pools
    uint32_t kernel_w{0};
    uint32_t stride_h{0};      //!< CONV2D / pools (>= 1)
    uint32_t stride_w{0};
    uint32_t pad_h{0};         //!< CONV2D only: rows of the input zero point added above and below
    uint32_t pad_w{0};
    /** Per-output-channel requantization (DENSE/CONV2D); else one multiplier/shift per layer. */
    bool per_channel{false};

    bool operator==(const Layer& o) const;
};

struct Architecture {
    std::vector<uint32_t> input_shape;  //!< e.g. {784} or {1, 28, 28}
    std::vector<Layer> layers;
    /** If set, the last layer must be DENSE or CONV2D and outputs its int32 accumulators. */
    bool logits_output{false};
    ObjectiveKind objective{ObjectiveKind::ACCURACY};

    bool operator==(const Architecture& o) const;
};

} // namespace oda::model

#endif // ODA_ODA_MODEL_ARCHITECTURE_H
