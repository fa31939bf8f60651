// A model's weights: every number that training may change. Parsed from the
// weights file (format in doc/oda-models.md) with hard bounds.
#ifndef ODA_ODA_MODEL_WEIGHTS_H
#define ODA_ODA_MODEL_WEIGHTS_H

#include <uint256.h>

#include <cstdint>
#include <vector>

namespace oda::model {

/** Parameters of one layer; empty for layers without parameters. */
struct LayerParams {
    /** DENSE: [out][in]; CONV2D: [out_ch][in_ch][kh][kw]. Zero point of weights is 0 (symmetric). */
    std::vector<int8_t> weights;
    std::vector<int32_t> biases;       //!< one per output feature/channel
    std::vector<int32_t> multipliers;  //!< requantization M: 1 entry, or one per output channel
    std::vector<int8_t> shifts;        //!< requantization exponent (positive = left shift), same count
    int8_t output_zero_point{0};       //!< zero point of this layer's int8 output
};

struct Weights {
    uint256 architecture_hash;   //!< binds the weights to one architecture
    int8_t input_zero_point{0};  //!< zero point of the model's int8 input
    std::vector<LayerParams> layers;  //!< one entry per architecture layer, same order
};

} // namespace oda::model

#endif // ODA_ODA_MODEL_WEIGHTS_H
