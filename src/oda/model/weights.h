// A model's weights: every number that training may change. Parsed from the
// weights file (byte layout in doc/oda-models.md) with hard bounds.
//
// DecodeWeights checks the form only (magic, version, bounded sizes, no
// trailing bytes). CheckWeights checks that the weights fit one architecture:
// hash, per-layer counts, multiplier range and the accumulator overflow proof
// (|acc| <= fan_in * 128 * 255 + |bias| <= INT32_MAX). Both return false with a
// message in `error` and never throw on untrusted bytes.
#ifndef ODA_ODA_MODEL_WEIGHTS_H
#define ODA_ODA_MODEL_WEIGHTS_H

#include <oda/model/architecture.h>
#include <uint256.h>

#include <cstdint>
#include <string>
#include <vector>

namespace oda::model {

/** Parameters of one layer; empty (and output_zero_point 0) for layers without
 *  parameters. A logits last layer has weights and biases but no multipliers or
 *  shifts, and output_zero_point 0. */
struct LayerParams {
    /** DENSE: [out][in]; CONV2D: [out_ch][in_ch][kh][kw]. Zero point of weights is 0 (symmetric). */
    std::vector<int8_t> weights;
    std::vector<int32_t> biases;       //!< one per output feature/channel
    std::vector<int32_t> multipliers;  //!< requantization M >= 0: 1 entry, or one per output channel
    std::vector<int8_t> shifts;        //!< requantization exponent (positive = left shift), same count
    int8_t output_zero_point{0};       //!< zero point of this layer's int8 output

    bool operator==(const LayerParams& o) const
    {
        return weights == o.weights && biases == o.biases && multipliers == o.multipliers &&
               shifts == o.shifts && output_zero_point == o.output_zero_point;
    }
};

struct Weights {
    uint256 architecture_hash;   //!< binds the weights to one architecture
    int8_t input_zero_point{0};  //!< zero point of the model's int8 input
    std::vector<LayerParams> layers;  //!< one entry per architecture layer, same order

    bool operator==(const Weights& o) const
    {
        return architecture_hash == o.architecture_hash && input_zero_point == o.input_zero_point && layers == o.layers;
    }
};

/** File magic "ODAW" and the only format version. */
static constexpr uint8_t WEIGHTS_MAGIC[4] = {'O', 'D', 'A', 'W'};
static constexpr uint8_t WEIGHTS_VERSION = 1;
/** Largest weights file accepted by the parser (consensus may set a lower limit). */
static constexpr uint64_t MAX_WEIGHTS_FILE_SIZE = 256ULL << 20;

/** The canonical bytes of a weights file. */
std::vector<uint8_t> EncodeWeights(const Weights& weights);
[[nodiscard]] bool DecodeWeights(const uint8_t* data, size_t size, Weights& out, std::string& error);
[[nodiscard]] bool DecodeWeights(const std::vector<uint8_t>& bytes, Weights& out, std::string& error);
/** Reads and decodes a file of at most max_size bytes (checked before reading). */
[[nodiscard]] bool ReadWeightsFile(const std::string& path, uint64_t max_size, Weights& out, std::string& error);

/** Checks the weights against a valid architecture (see the file comment). */
[[nodiscard]] bool CheckWeights(const Architecture& arch, const ArchitectureInfo& info, const Weights& weights, std::string& error);

} // namespace oda::model

#endif // ODA_ODA_MODEL_WEIGHTS_H
