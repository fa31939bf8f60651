// A float32 libtorch twin of an ODA architecture: training with autograd,
// the float checkpoint format, and post-training quantization to ODA weights.
//
// This header is libtorch-free (pimpl) so that tools and tests can use it;
// only float_model.cpp includes libtorch.
//
// Input convention: a dataset's int8 input q stands for the real value
// (q - input_zero_point) * input_scale; by default zero point -128 and scale
// 1/255, so IDX pixels (stored as pixel - 128) become pixel / 255.
//
// Float checkpoint: a zip/pickle archive as written by torch::pickle_save in
// C++ and torch.save in Python, holding a dict str -> Tensor (float32):
//   "layers.<i>.weight"  Dense [out, in] / Conv2D [out, in_ch, kh, kw]
//   "layers.<i>.bias"    [out]
// where <i> is the layer's index in the architecture (layers without
// parameters have no entries), plus optional "input.zero_point" (int64 scalar)
// and "input.scale" (float64 scalar). Extra or missing names, wrong shapes and
// non-finite values are rejected. contrib/pytorch/export_oda.py writes it.
#ifndef ODA_ODA_TRAIN_FLOAT_MODEL_H
#define ODA_ODA_TRAIN_FLOAT_MODEL_H

#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/weights.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace oda::train {

static constexpr double DEFAULT_INPUT_SCALE = 1.0 / 255.0;
static constexpr int8_t DEFAULT_INPUT_ZERO_POINT = -128;

/** Sets libtorch's intra-op thread count (>= 1). */
void SetTorchThreads(int threads);

struct TrainOptions {
    uint32_t epochs{5};
    double learning_rate{1e-3};
    uint32_t batch_size{64};
    bool sgd{false};          //!< SGD with momentum instead of Adam
    double momentum{0.9};
    double weight_decay{0.0};
    bool cosine_schedule{true};  //!< anneal the learning rate to 0 over the run
    uint64_t seed{1};         //!< shuffling order
    bool progress{true};      //!< progress bar on stderr
    /** Optional held-out data evaluated after each epoch (float metric). */
    const model::Dataset* validation{nullptr};
};

struct EvalResult {
    double loss{0};      //!< mean cross-entropy (accuracy) or mean squared error per element (neg_sse)
    double accuracy{0};  //!< fraction of argmax == label (accuracy objective only)
    uint64_t samples{0};
};

struct EpochStats {
    double train_loss{0};
    double train_accuracy{0};
    bool has_validation{false};
    EvalResult validation;
    double seconds{0};
};

struct QuantizeOptions {
    uint64_t calibration_samples{10000};  //!< first N samples of the calibration set (0 = all)
};

class FloatModel
{
public:
    /** Random initialization (libtorch defaults) seeded by `seed`. Throws std::invalid_argument
     *  if the architecture is invalid (model::AnalyzeArchitecture's message). */
    FloatModel(const model::Architecture& arch, uint64_t seed);
    ~FloatModel();
    FloatModel(const FloatModel&) = delete;
    FloatModel& operator=(const FloatModel&) = delete;

    const model::Architecture& Arch() const;
    double InputScale() const;
    int8_t InputZeroPoint() const;
    void SetInputQuantization(double scale, int8_t zero_point);
    uint64_t ParameterCount() const;

    bool LoadCheckpoint(const std::string& path, std::string& error);
    bool SaveCheckpoint(const std::string& path, std::string& error) const;

    /** Starts from quantized weights: dequantizes them (see doc/oda-model.md for the
     *  scale choice; the float model reproduces the integer one up to rounding). */
    bool LoadFromWeights(const model::Weights& weights, std::string& error);

    /** Accuracy objective: multiplies the last Dense/Conv2D layer's weights and bias by the
     *  power of 2^(1/4) in [2^-12, 2^12] that minimizes the cross-entropy on the first
     *  `samples` samples (0 = all), and returns it (1 for neg_sse or an unfitting dataset).
     *  The argmax is unchanged; after LoadFromWeights this gives the float logits a
     *  trainable magnitude (the integer model does not fix it). */
    double FitOutputScale(const model::Dataset& data, uint64_t samples = 5000);

    /** Trains on `data`; returns one entry per epoch. Throws std::invalid_argument on a
     *  dataset that does not fit the architecture. */
    std::vector<EpochStats> Train(const model::Dataset& data, const TrainOptions& options);

    EvalResult Evaluate(const model::Dataset& data) const;

    /** Float outputs of the first `count` samples (row-major [count][outputs]). */
    std::vector<float> Forward(const model::Dataset& data, uint64_t count) const;

    /** Post-training quantization calibrated on `calibration` (doc/oda-model.md):
     *  weights bound to the architecture's hash, ready for CheckWeights. */
    bool Quantize(const model::Dataset& calibration, const QuantizeOptions& options,
                  model::Weights& out, std::string& error) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/** model::CheckDataset plus "not empty": the dataset can train or evaluate this architecture. */
bool DatasetFits(const model::Architecture& arch, const model::Dataset& data, std::string& error);

} // namespace oda::train

#endif // ODA_ODA_TRAIN_FLOAT_MODEL_H
