// Small builders for model tests: layers by kind, and weights bound to an architecture.
#ifndef ODA_TEST_UTIL_MODEL_BUILDERS_H
#define ODA_TEST_UTIL_MODEL_BUILDERS_H

#include <oda/model/architecture.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>

#include <stdexcept>
#include <string>

namespace oda::test {

inline model::Layer Dense(uint32_t out, bool per_channel = false)
{
    model::Layer l;
    l.kind = model::LayerKind::DENSE;
    l.out_features = out;
    l.per_channel = per_channel;
    return l;
}

inline model::Layer Conv(uint32_t out, uint32_t k, uint32_t stride = 1, uint32_t pad = 0, bool per_channel = false)
{
    model::Layer l;
    l.kind = model::LayerKind::CONV2D;
    l.out_features = out;
    l.kernel_h = l.kernel_w = k;
    l.stride_h = l.stride_w = stride;
    l.pad_h = l.pad_w = pad;
    l.per_channel = per_channel;
    return l;
}

inline model::Layer Pool(model::LayerKind kind, uint32_t k, uint32_t stride)
{
    model::Layer l;
    l.kind = kind;
    l.kernel_h = l.kernel_w = k;
    l.stride_h = l.stride_w = stride;
    return l;
}

inline model::Layer Simple(model::LayerKind kind)
{
    model::Layer l;
    l.kind = kind;
    return l;
}

/** Weights of the right sizes for `arch`: all weights `w`, biases `b`, multiplier 2^30, shift 0. */
inline model::Weights UniformWeights(const model::Architecture& arch, int8_t w = 1, int32_t b = 0)
{
    model::ArchitectureInfo info;
    std::string error;
    if (!model::AnalyzeArchitecture(arch, info, error)) throw std::runtime_error(error);
    model::Weights weights;
    weights.architecture_hash = model::ArchitectureHash(arch);
    for (size_t i = 0; i < arch.layers.size(); ++i) {
        model::LayerParams p;
        if (model::IsAccumulating(arch.layers[i].kind)) {
            p.weights.assign(info.layers[i].weight_count, w);
            p.biases.assign(info.layers[i].channel_count, b);
            if (!(arch.logits_output && i + 1 == arch.layers.size())) {
                size_t n = arch.layers[i].per_channel ? info.layers[i].channel_count : 1;
                p.multipliers.assign(n, 1 << 30);
                p.shifts.assign(n, 0);
            }
        }
        weights.layers.push_back(std::move(p));
    }
    return weights;
}

inline model::Model MustMakeModel(const model::Architecture& arch, const model::Weights& weights)
{
    model::Model m;
    std::string error;
    if (!model::MakeModel(arch, weights, m, error)) throw std::runtime_error(error);
    return m;
}

} // namespace oda::test

#endif // ODA_TEST_UTIL_MODEL_BUILDERS_H
