// The arithmetic of post-training quantization, independent of libtorch:
// real multipliers to the engine's (M, shift) form, activation ranges to
// (scale, zero point), symmetric int8 weights and int32 biases.
//
// Conventions (doc/oda-models.md has the engine side):
//  - int8 activation q stands for the real value (q - zero_point) * scale.
//  - weights are symmetric: w_q = round(w / w_scale) in [-127, 127], zero point 0.
//  - a layer's int32 accumulator stands for acc * in_scale * w_scale; requantization
//    multiplies it by real m = in_scale * w_scale / out_scale, encoded as
//    m ~= M * 2^(shift - 31) with M in [2^30, 2^31) (shift > 0 = left shift).
// All functions are total: NaN/negative/zero inputs give a documented fallback.
#ifndef ODA_ODA_TRAIN_QUANTIZE_MATH_H
#define ODA_ODA_TRAIN_QUANTIZE_MATH_H

#include <cstdint>
#include <vector>

namespace oda::train {

/** Bounds of the requantization shift we emit (the engine accepts at least these). */
static constexpr int MIN_SHIFT = -31;
static constexpr int MAX_SHIFT = 30;

struct Requant {
    int32_t multiplier{0};  //!< M; 0 means "multiply by zero"
    int8_t shift{0};
};

/**
 * Encodes a real multiplier m >= 0 as M * 2^(shift - 31), M in [2^30, 2^31).
 * m <= 0 or non-finite -> {0, 0}. m so small that shift < MIN_SHIFT would be
 * needed -> {0, 0} (the product rounds to zero anyway). m >= 2^MAX_SHIFT is
 * clamped to the largest encodable value.
 */
Requant QuantizeMultiplier(double m);

/** The real value M * 2^(shift - 31) that a Requant stands for. */
double RequantToReal(const Requant& r);

struct ActivationParams {
    double scale{1.0};
    int8_t zero_point{0};
};

/**
 * Scale and zero point for int8 values covering [lo, hi]. The range is first
 * widened to contain 0 (so that real 0, e.g. padding and ReLU's floor, is exact),
 * then scale = (hi - lo) / 255 and zero_point = round(-128 - lo / scale) clamped.
 * A degenerate range (hi == lo == 0) gives scale 1/255, zero point -128.
 */
ActivationParams ChooseActivationParams(double lo, double hi);

/** Quantizes a real value to int8 with given params (round half away from zero, clamp). */
int8_t QuantizeValue(double x, const ActivationParams& p);

/** Symmetric int8 scale for values whose largest magnitude is max_abs (0 -> 1). */
double SymmetricScale(double max_abs);

/** round(x / scale) clamped to [-127, 127]. */
int8_t QuantizeWeight(double x, double scale);

/** round(x / scale) clamped to [-limit, limit]; the bias of an int32 accumulator. */
int32_t QuantizeBias(double x, double scale, int64_t limit = 2147483647);

} // namespace oda::train

#endif // ODA_ODA_TRAIN_QUANTIZE_MATH_H
