// A model's architecture: the fixed layer list of an integer-only network.
// The architecture never changes over a model's life (a different one is a new
// model); everything that training changes lives in the weights (weights.h).
//
// Tensors are int8 activations in C,H,W order (images) or a flat vector; the
// batch dimension is never part of a shape. See doc/oda-models.md for the
// exact arithmetic of every layer and the byte layout of the encoding.
//
// Contract: DecodeArchitecture / ArchitectureFromJson only check the form
// (bounded sizes, known kinds, canonical bytes). AnalyzeArchitecture checks the
// meaning (shapes, bounds, accumulator overflow proof) and computes what the
// engines need; CheckArchitecture additionally enforces a consensus compute
// cost limit. Every function that can fail returns false and sets `error` to a
// message for people; none throws on untrusted input.
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
    NEG_SSE = 2,   //!< score = -sum((int32 output - int32 target)^2), in int64 (saturating)
};

/** One layer. Fields that a kind does not use must be zero (they are not encoded). */
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
    bool operator!=(const Layer& o) const { return !(*this == o); }
};

struct Architecture {
    std::vector<uint32_t> input_shape;  //!< e.g. {784} or {1, 28, 28}
    std::vector<Layer> layers;
    /** If set, the last layer must be DENSE or CONV2D and outputs its int32 accumulators. */
    bool logits_output{false};
    ObjectiveKind objective{ObjectiveKind::ACCURACY};

    bool operator==(const Architecture& o) const;
    bool operator!=(const Architecture& o) const { return !(*this == o); }
};

// ------------------------------------------------------------------ limits
/** Version byte of the binary encoding (and "version" of the JSON form). */
static constexpr uint8_t ARCHITECTURE_VERSION = 1;
/** At most this many layers. */
static constexpr size_t MAX_LAYERS = 64;
/** Any single dimension (shape entry, features, channels, kernel, stride, padding). */
static constexpr uint32_t MAX_DIMENSION = 65536;
/** Padding is at most this many rows/columns per side. */
static constexpr uint32_t MAX_PADDING = 64;
/** Elements of any activation tensor (one sample). */
static constexpr uint64_t MAX_TENSOR_ELEMENTS = 1ULL << 22;
/** Weights of one layer, and of the whole model. */
static constexpr uint64_t MAX_LAYER_WEIGHTS = 1ULL << 24;
static constexpr uint64_t MAX_MODEL_WEIGHTS = 1ULL << 26;
/** Longest architecture JSON text accepted (a 64-layer architecture needs about 8 KiB). */
static constexpr size_t MAX_ARCHITECTURE_JSON_SIZE = 1 << 20;
/** Largest |x - zero_point| for int8 x and int8 zero point, and largest |w| for int8 w. */
static constexpr int64_t MAX_ABS_INPUT_DELTA = 255;
static constexpr int64_t MAX_ABS_WEIGHT = 128;
/** Largest fan-in whose sum of products alone cannot exceed int32: floor((2^31-1) / (255*128)). */
static constexpr uint64_t MAX_FAN_IN = 2147483647ULL / (MAX_ABS_INPUT_DELTA * MAX_ABS_WEIGHT);

/** Compute cost weights (doc/oda-models.md section 4, measured in doc/consensus.md): a
 *  layer costs, per sample, its multiply-accumulates (1 CU each) plus COST_PER_WINDOW_TAP
 *  per window element it reads (conv: grid positions x fan-in, the grid of a stride-1 conv
 *  being out_h x (out_w + kernel_w - 1); pools: outputs x window),
 *  COST_PER_ELEMENT per activation element it reads or writes (input + output elements),
 *  and COST_PER_LAYER. The SIMD kernels do 16-64 multiply-accumulates per instruction, while
 *  moving one activation, reading one window element or running one layer costs as much
 *  time as about these many of them. */
static constexpr uint64_t COST_PER_WINDOW_TAP = 16;
static constexpr uint64_t COST_PER_ELEMENT = 64;
static constexpr uint64_t COST_PER_LAYER = 1024;
/** Compute units per weight, once per run (an inference, or the scoring of a whole dataset):
 *  a run reads every weight from memory at least once, whatever its number of samples. */
static constexpr uint64_t COST_PER_WEIGHT = 4;

/** Lower-case names used in JSON ("dense", "conv2d", ...); "" for unknown kinds. */
std::string LayerKindName(LayerKind kind);
std::string ObjectiveName(ObjectiveKind kind);
/** True for DENSE and CONV2D: layers with weights that end in a requantization. */
bool IsAccumulating(LayerKind kind);

// --------------------------------------------------------------- encodings
/** The canonical binary encoding (doc/oda-models.md). Does not validate. */
std::vector<uint8_t> EncodeArchitecture(const Architecture& arch);
/** Parses the binary encoding; rejects unknown versions/kinds, non-canonical
 *  bytes (bad booleans, trailing bytes) and more than MAX_LAYERS layers. */
[[nodiscard]] bool DecodeArchitecture(const uint8_t* data, size_t size, Architecture& out, std::string& error);
[[nodiscard]] bool DecodeArchitecture(const std::vector<uint8_t>& bytes, Architecture& out, std::string& error);
/** SHA256d of EncodeArchitecture(arch): binds weights to their architecture. */
uint256 ArchitectureHash(const Architecture& arch);

/** Canonical JSON: fixed key order, no whitespace. Equal architectures give equal strings. */
std::string ArchitectureToJson(const Architecture& arch);
/** Parses JSON (any key order and whitespace); every key required, unknown keys rejected. */
[[nodiscard]] bool ArchitectureFromJson(const std::string& json, Architecture& out, std::string& error);

// ---------------------------------------------------------------- analysis
using Shape = std::vector<uint32_t>;

/** Number of elements of a shape (1 for the empty shape). */
uint64_t ShapeElements(const Shape& shape);
std::string ShapeToString(const Shape& shape);

/** What the engines need to know about each layer, derived from the architecture alone. */
struct LayerInfo {
    Shape in_shape;
    Shape out_shape;
    uint64_t fan_in{0};          //!< accumulating layers: products per output element
    uint64_t weight_count{0};    //!< accumulating layers: out_channels * fan_in
    uint32_t channel_count{0};   //!< accumulating layers: biases (= out features / channels)
    uint64_t compute_cost{0};    //!< this layer's compute units (PROTOCOL §4)
};

struct ArchitectureInfo {
    std::vector<LayerInfo> layers;
    Shape input_shape;
    Shape output_shape;
    uint64_t compute_cost{0};  //!< compute units per sample (sum of the layers' costs)
    uint64_t total_weights{0};
    uint64_t load_cost{0};     //!< COST_PER_WEIGHT x total_weights: once per run (ScoringCost)
};

/** Compute units of one layer for one sample (see COST_PER_ELEMENT): `fan_in` as in
 *  LayerInfo (0 for layers without weights), `in_elems` the input elements. */
uint64_t LayerComputeCost(const Layer& layer, uint64_t fan_in, uint64_t in_elems, const Shape& out_shape);

/** Validates the architecture's meaning and fills `info`. Rejects: no layers, a
 *  bad input rank (1 or 3) or dimension (0 or > MAX_DIMENSION), a layer on the
 *  wrong rank (DENSE needs a flat input: use FLATTEN; CONV2D/pools need C,H,W),
 *  zero features/kernel/stride, padding > MAX_PADDING or >= kernel, a kernel larger
 *  than the (padded) input, tensors above MAX_TENSOR_ELEMENTS, fan-in above
 *  MAX_FAN_IN (accumulator overflow), too many weights, unused fields not zero,
 *  logits on a non-accumulating last layer. */
[[nodiscard]] bool AnalyzeArchitecture(const Architecture& arch, ArchitectureInfo& info, std::string& error);

/** AnalyzeArchitecture plus the consensus compute limit (cost of one inference). */
[[nodiscard]] bool CheckArchitecture(const Architecture& arch, uint64_t max_compute_cost, std::string& error);

/** Compute units per sample (ArchitectureInfo::compute_cost); 0 if the architecture is invalid. */
uint64_t ComputeCost(const Architecture& arch);
/** Compute units of one run on `samples` inputs: compute_cost x samples + load_cost,
 *  saturating at UINT64_MAX. An inference is a run on 1 sample; scoring a dataset, a run
 *  on its samples (doc/oda-models.md section 4). */
uint64_t ScoringCost(const ArchitectureInfo& info, uint64_t samples);

} // namespace oda::model

#endif // ODA_ODA_MODEL_ARCHITECTURE_H
