// Every layer as the most direct loop over its definition.
#include <oda/engine/reference.h>

#include <oda/model/arithmetic.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace oda::engine {

using namespace oda::model;

namespace {
/** One activation tensor: int8 values and the zero point they are quantized with. */
struct Activation {
    std::vector<int8_t> q;
    int32_t zero_point{0};
};

int8_t RequantizeChannel(const LayerParams& p, bool per_channel, uint32_t channel, int32_t acc)
{
    const size_t k = per_channel ? channel : 0;
    return Requantize(acc, p.multipliers[k], p.shifts[k], p.output_zero_point);
}
} // namespace

ModelOutput ReferenceRun(const Model& model, const int8_t* input)
{
    const Architecture& arch = model.architecture;
    Activation x;
    x.q.assign(input, input + ShapeElements(model.info.input_shape));
    x.zero_point = model.weights.input_zero_point;
    ModelOutput result;
    for (size_t li = 0; li < arch.layers.size(); ++li) {
        const Layer& l = arch.layers[li];
        const LayerInfo& info = model.info.layers[li];
        const LayerParams& p = model.weights.layers[li];
        const bool logits = arch.logits_output && li + 1 == arch.layers.size();
        Activation y;
        y.zero_point = x.zero_point;
        std::vector<int32_t> accs;
        switch (l.kind) {
        case LayerKind::DENSE: {
            const uint32_t in = info.in_shape[0];
            for (uint32_t o = 0; o < l.out_features; ++o) {
                int32_t acc = p.biases[o];
                for (uint32_t i = 0; i < in; ++i) acc += (int32_t{x.q[i]} - x.zero_point) * p.weights[size_t{o} * in + i];
                accs.push_back(acc);
            }
            break;
        }
        case LayerKind::CONV2D: {
            const uint32_t C = info.in_shape[0], H = info.in_shape[1], W = info.in_shape[2];
            const uint32_t OH = info.out_shape[1], OW = info.out_shape[2];
            for (uint32_t oc = 0; oc < l.out_features; ++oc) {
                for (uint32_t oy = 0; oy < OH; ++oy) {
                    for (uint32_t ox = 0; ox < OW; ++ox) {
                        int32_t acc = p.biases[oc];
                        for (uint32_t ic = 0; ic < C; ++ic) {
                            for (uint32_t ky = 0; ky < l.kernel_h; ++ky) {
                                for (uint32_t kx = 0; kx < l.kernel_w; ++kx) {
                                    // Padding holds the input zero point, so it adds (zp - zp) * w = 0.
                                    const int64_t iy = int64_t{oy} * l.stride_h + ky - l.pad_h;
                                    const int64_t ix = int64_t{ox} * l.stride_w + kx - l.pad_w;
                                    if (iy < 0 || ix < 0 || iy >= H || ix >= W) continue;
                                    const int32_t xv = x.q[(size_t{ic} * H + iy) * W + ix];
                                    const int32_t wv = p.weights[((size_t{oc} * C + ic) * l.kernel_h + ky) * l.kernel_w + kx];
                                    acc += (xv - x.zero_point) * wv;
                                }
                            }
                        }
                        accs.push_back(acc);
                    }
                }
            }
            break;
        }
        case LayerKind::MAXPOOL2D:
        case LayerKind::AVGPOOL2D: {
            const uint32_t C = info.in_shape[0], H = info.in_shape[1], W = info.in_shape[2];
            const uint32_t OH = info.out_shape[1], OW = info.out_shape[2];
            for (uint32_t c = 0; c < C; ++c) {
                for (uint32_t oy = 0; oy < OH; ++oy) {
                    for (uint32_t ox = 0; ox < OW; ++ox) {
                        int32_t mx = -128;
                        int64_t sum = 0;
                        for (uint32_t ky = 0; ky < l.kernel_h; ++ky) {
                            for (uint32_t kx = 0; kx < l.kernel_w; ++kx) {
                                const int32_t v = x.q[(size_t{c} * H + oy * l.stride_h + ky) * W + ox * l.stride_w + kx];
                                mx = std::max(mx, v);
                                sum += v;
                            }
                        }
                        y.q.push_back(l.kind == LayerKind::MAXPOOL2D ? static_cast<int8_t>(mx)
                                                                      : RoundedAverage(sum, int64_t{l.kernel_h} * l.kernel_w));
                    }
                }
            }
            break;
        }
        case LayerKind::RELU:
            for (int8_t v : x.q) y.q.push_back(static_cast<int8_t>(std::max<int32_t>(v, x.zero_point)));
            break;
        case LayerKind::FLATTEN:
            y.q = x.q;  // C,H,W storage order is already the flat order
            break;
        }
        if (IsAccumulating(l.kind)) {
            if (logits) {
                result.values = std::move(accs);
                result.logits = true;
                result.shape = info.out_shape;
                return result;
            }
            // Output element e belongs to channel e / (elements per channel).
            const size_t per_channel_elems = accs.size() / l.out_features;
            y.zero_point = p.output_zero_point;
            for (size_t e = 0; e < accs.size(); ++e) {
                y.q.push_back(RequantizeChannel(p, l.per_channel, static_cast<uint32_t>(e / per_channel_elems), accs[e]));
            }
        }
        x = std::move(y);
    }
    result.shape = model.info.output_shape;
    result.values.assign(x.q.begin(), x.q.end());
    return result;
}

int64_t ReferenceScore(const Model& model, const Dataset& dataset)
{
    std::string error;
    if (!CheckDataset(model.architecture, model.info, dataset, error)) throw std::invalid_argument(error);
    ScoreAccumulator score(model.architecture.objective);
    const uint64_t in_elems = ShapeElements(model.info.input_shape);
    for (uint64_t i = 0; i < dataset.sample_count; ++i) {
        const ModelOutput out = ReferenceRun(model, dataset.inputs.data() + i * in_elems);
        score.Add(out.values.data(), out.values.size(), dataset, i);
    }
    return score.Score();
}

} // namespace oda::engine
