// Deterministic random models for differential tests: small architectures of
// every layer kind, weights and inputs that favour the extremes of the integer
// arithmetic (int8 ends, multipliers near 2^31 - 1, large shifts, zero points at
// -128/127, biases at the overflow bound).
#ifndef ODA_TEST_UTIL_RANDOM_MODEL_H
#define ODA_TEST_UTIL_RANDOM_MODEL_H

#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace oda::test {

/** splitmix64: the same sequence on every platform (unlike std distributions). */
class TestRng
{
    uint64_t m_state;

public:
    explicit TestRng(uint64_t seed) : m_state(seed) {}
    uint64_t Next()
    {
        uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /** Uniform in [lo, hi]. */
    int64_t Range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
    bool Chance(int percent) { return Range(0, 99) < percent; }
    int8_t Int8(bool extreme)
    {
        if (extreme && Chance(60)) return Chance(50) ? int8_t{-128} : int8_t{127};
        return static_cast<int8_t>(Range(-128, 127));
    }
};

inline model::Architecture RandomArchitecture(TestRng& rng)
{
    using namespace model;
    for (;;) {
        Architecture a;
        if (rng.Chance(55)) {
            a.input_shape = {static_cast<uint32_t>(rng.Range(1, 4)), static_cast<uint32_t>(rng.Range(1, 9)),
                             static_cast<uint32_t>(rng.Range(1, 9))};
        } else {
            a.input_shape = {static_cast<uint32_t>(rng.Range(1, 40))};
        }
        Shape cur = a.input_shape;
        const int n_layers = static_cast<int>(rng.Range(1, 6));
        for (int i = 0; i < n_layers; ++i) {
            Layer l;
            if (cur.size() == 3) {
                const int64_t pick = rng.Range(0, 9);
                if (pick <= 3) {
                    l.kind = LayerKind::CONV2D;
                    l.out_features = static_cast<uint32_t>(rng.Range(1, 6));
                    l.kernel_h = static_cast<uint32_t>(rng.Range(1, 4));
                    l.kernel_w = static_cast<uint32_t>(rng.Range(1, 4));
                    l.pad_h = static_cast<uint32_t>(rng.Range(0, l.kernel_h - 1));
                    l.pad_w = static_cast<uint32_t>(rng.Range(0, l.kernel_w - 1));
                    l.stride_h = static_cast<uint32_t>(rng.Range(1, 3));
                    l.stride_w = static_cast<uint32_t>(rng.Range(1, 3));
                    l.per_channel = rng.Chance(50);
                    if (l.kernel_h > cur[1] + 2 * l.pad_h) l.kernel_h = cur[1] + 2 * l.pad_h;
                    if (l.kernel_w > cur[2] + 2 * l.pad_w) l.kernel_w = cur[2] + 2 * l.pad_w;
                    if (l.pad_h >= l.kernel_h) l.pad_h = l.kernel_h - 1;
                    if (l.pad_w >= l.kernel_w) l.pad_w = l.kernel_w - 1;
                } else if (pick <= 5) {
                    l.kind = rng.Chance(50) ? LayerKind::MAXPOOL2D : LayerKind::AVGPOOL2D;
                    l.kernel_h = static_cast<uint32_t>(rng.Range(1, std::min<int64_t>(3, cur[1])));
                    l.kernel_w = static_cast<uint32_t>(rng.Range(1, std::min<int64_t>(3, cur[2])));
                    l.stride_h = static_cast<uint32_t>(rng.Range(1, 3));
                    l.stride_w = static_cast<uint32_t>(rng.Range(1, 3));
                } else if (pick <= 7) {
                    l.kind = LayerKind::RELU;
                } else {
                    l.kind = LayerKind::FLATTEN;
                }
            } else {
                if (rng.Chance(65)) {
                    l.kind = LayerKind::DENSE;
                    l.out_features = static_cast<uint32_t>(rng.Range(1, 24));
                    l.per_channel = rng.Chance(50);
                } else {
                    l.kind = rng.Chance(80) ? LayerKind::RELU : LayerKind::FLATTEN;
                }
            }
            a.layers.push_back(l);
            ArchitectureInfo info;
            std::string error;
            if (!AnalyzeArchitecture(a, info, error)) throw std::runtime_error("random architecture invalid: " + error);
            cur = info.output_shape;
        }
        a.logits_output = IsAccumulating(a.layers.back().kind) && rng.Chance(50);
        a.objective = rng.Chance(50) ? ObjectiveKind::ACCURACY : ObjectiveKind::NEG_SSE;
        return a;
    }
}

inline int32_t RandomMultiplier(TestRng& rng)
{
    switch (rng.Range(0, 5)) {
    case 0: return 2147483647 - static_cast<int32_t>(rng.Range(0, 3));
    case 1: return static_cast<int32_t>(rng.Range(0, 3));
    case 2: return static_cast<int32_t>(rng.Range(0, 2147483647));
    default: return static_cast<int32_t>(rng.Range(1 << 30, 2147483647));
    }
}

inline int8_t RandomShift(TestRng& rng)
{
    switch (rng.Range(0, 7)) {
    case 0: return static_cast<int8_t>(rng.Range(-128, 127));
    case 1: return static_cast<int8_t>(rng.Chance(50) ? rng.Range(28, 40) : rng.Range(-45, -28));
    case 2: return rng.Chance(50) ? int8_t{127} : int8_t{-128};
    default: return static_cast<int8_t>(rng.Range(-14, 3));
    }
}

inline model::Weights RandomWeights(const model::Architecture& arch, TestRng& rng)
{
    using namespace model;
    ArchitectureInfo info;
    std::string error;
    if (!AnalyzeArchitecture(arch, info, error)) throw std::runtime_error(error);
    const bool extreme = rng.Chance(30);
    Weights w;
    w.architecture_hash = ArchitectureHash(arch);
    w.input_zero_point = rng.Int8(extreme);
    for (size_t i = 0; i < arch.layers.size(); ++i) {
        LayerParams p;
        const Layer& l = arch.layers[i];
        if (IsAccumulating(l.kind)) {
            const LayerInfo& li = info.layers[i];
            for (uint64_t k = 0; k < li.weight_count; ++k) p.weights.push_back(rng.Int8(extreme));
            const int64_t bound = 2147483647LL - static_cast<int64_t>(li.fan_in) * 255 * 128;
            for (uint32_t c = 0; c < li.channel_count; ++c) {
                const int64_t b = rng.Chance(15) ? (rng.Chance(50) ? bound : -bound) : rng.Range(-5000, 5000);
                p.biases.push_back(static_cast<int32_t>(b));
            }
            if (!(arch.logits_output && i + 1 == arch.layers.size())) {
                const size_t n = l.per_channel ? li.channel_count : 1;
                for (size_t c = 0; c < n; ++c) {
                    p.multipliers.push_back(RandomMultiplier(rng));
                    p.shifts.push_back(RandomShift(rng));
                }
                p.output_zero_point = rng.Int8(extreme);
            }
        }
        w.layers.push_back(std::move(p));
    }
    return w;
}

/** A dataset of `samples` random inputs with labels or targets that fit the model. */
inline model::Dataset RandomDataset(const model::Model& m, uint64_t samples, TestRng& rng)
{
    using namespace model;
    Dataset d;
    d.input_shape = m.architecture.input_shape;
    d.sample_count = samples;
    const bool extreme = rng.Chance(30);
    const uint64_t in = ShapeElements(d.input_shape), out = ShapeElements(m.info.output_shape);
    for (uint64_t i = 0; i < samples * in; ++i) d.inputs.push_back(rng.Int8(extreme));
    if (m.architecture.objective == ObjectiveKind::ACCURACY) {
        for (uint64_t i = 0; i < samples; ++i) d.labels.push_back(static_cast<uint32_t>(rng.Range(0, out - 1)));
    } else {
        d.target_shape = m.info.output_shape;
        for (uint64_t i = 0; i < samples * out; ++i) {
            d.targets.push_back(static_cast<int32_t>(rng.Chance(10) ? rng.Range(-2147483648LL, 2147483647LL) : rng.Range(-300, 300)));
        }
    }
    return d;
}

} // namespace oda::test

#endif // ODA_TEST_UTIL_RANDOM_MODEL_H
