// The consensus engine on ATen. Layers without weights are ATen integer tensor
// operations; Dense and Conv2D run the exact matrix kernel of kernels.h over
// int16 (x - zero_point) rows and requantize in the same pass.
#include <oda/engine/engine.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <stdexcept>

namespace oda::engine {

using namespace oda::model;

namespace {
/** Everything one layer needs at run time, prepared once. */
struct PreparedLayer {
    Layer layer;
    LayerInfo info;
    bool logits{false};
    // Accumulating layers:
    PackedWeights packed;
    std::vector<int32_t> biases;
    std::vector<ChannelRequant> requant;  //!< one per output channel (per-tensor values repeated)
    int32_t output_zero_point{0};
    size_t lda{0};                        //!< int16 row length given to the kernel (2 * k_pairs)
    ConvGeometry geometry{};
};

/** Rows of one convolution sample handled at a time: keeps the im2col buffer in cache. */
constexpr size_t CONV_CHUNK_BYTES = 256 * 1024;
/** Activations of one batch stay below this. */
constexpr uint64_t BATCH_ACTIVATION_BYTES = 64ULL << 20;
constexpr size_t MAX_BATCH = 256;

std::vector<int64_t> BatchShape(int64_t batch, const Shape& shape)
{
    std::vector<int64_t> s{batch};
    for (uint32_t d : shape) s.push_back(d);
    return s;
}
} // namespace

struct CompiledModel::Impl {
    Model model;
    KernelKind kernel;
    std::vector<PreparedLayer> layers;
    size_t batch_size{1};

    Impl(const Model& m, KernelKind k) : model(m), kernel(ResolveKernel(k))
    {
        const Architecture& arch = model.architecture;
        uint64_t widest = ShapeElements(model.info.input_shape);
        for (size_t i = 0; i < arch.layers.size(); ++i) {
            PreparedLayer p;
            p.layer = arch.layers[i];
            p.info = model.info.layers[i];
            p.logits = arch.logits_output && i + 1 == arch.layers.size();
            widest = std::max(widest, ShapeElements(p.info.out_shape));
            if (IsAccumulating(p.layer.kind)) {
                const LayerParams& lp = model.weights.layers[i];
                p.packed = PackWeights(lp.weights.data(), p.info.channel_count, p.info.fan_in);
                p.lda = 2 * p.packed.k_pairs;
                p.biases = lp.biases;
                p.output_zero_point = lp.output_zero_point;
                if (!p.logits) {
                    for (uint32_t c = 0; c < p.info.channel_count; ++c) {
                        const size_t idx = p.layer.per_channel ? c : 0;
                        const int shift = lp.shifts[idx];
                        ChannelRequant r;
                        r.multiplier = lp.multipliers[idx];
                        r.left_shift = std::clamp(shift, 0, 32);
                        r.right_shift = std::clamp(-shift, 0, 40);
                        r.zero_point = lp.output_zero_point;
                        p.requant.push_back(r);
                    }
                }
                if (p.layer.kind == LayerKind::CONV2D) {
                    const Shape& in = p.info.in_shape;
                    p.geometry = ConvGeometry{in[0], in[1], in[2], p.layer.kernel_h, p.layer.kernel_w,
                                              p.layer.stride_h, p.layer.stride_w, p.layer.pad_h, p.layer.pad_w,
                                              p.info.out_shape[1], p.info.out_shape[2]};
                }
            }
            layers.push_back(std::move(p));
        }
        // int32 logits, int64 pooling sums and the int16 dense input: budget 8 bytes per element.
        batch_size = static_cast<size_t>(std::clamp<uint64_t>(BATCH_ACTIVATION_BYTES / (widest * 8), 1, MAX_BATCH));
    }

    at::Tensor Dense(const PreparedLayer& p, const at::Tensor& x, int32_t zp) const
    {
        const int64_t batch = x.size(0);
        const int64_t in = static_cast<int64_t>(p.info.fan_in);
        at::Tensor a = x.to(at::kShort).sub_(zp);
        if (static_cast<int64_t>(p.lda) != in) a = at::constant_pad_nd(a, {0, static_cast<int64_t>(p.lda) - in}, 0);
        a = a.contiguous();
        const size_t n = p.info.channel_count;
        at::Tensor acc = at::empty({batch, static_cast<int64_t>(n)}, at::TensorOptions().dtype(at::kInt));
        const int16_t* ap = a.data_ptr<int16_t>();
        int32_t* cp = acc.data_ptr<int32_t>();
        if (p.logits) {
            at::parallel_for(0, batch, 8, [&](int64_t begin, int64_t end) {
                MatMulBias(ap + begin * p.lda, end - begin, p.lda, p.packed, p.biases.data(), cp + begin * n, n, kernel);
            });
            return acc;
        }
        at::Tensor out = at::empty({batch, static_cast<int64_t>(n)}, at::TensorOptions().dtype(at::kChar));
        int8_t* op = out.data_ptr<int8_t>();
        at::parallel_for(0, batch, 8, [&](int64_t begin, int64_t end) {
            MatMulBias(ap + begin * p.lda, end - begin, p.lda, p.packed, p.biases.data(), cp + begin * n, n, kernel);
            RequantizeRows(cp + begin * n, end - begin, n, n, p.requant.data(), op + begin * n, n, 1);
        });
        return out;
    }

    at::Tensor Conv(const PreparedLayer& p, const at::Tensor& x_in, int32_t zp) const
    {
        const at::Tensor x = x_in.contiguous();
        const int64_t batch = x.size(0);
        const ConvGeometry& g = p.geometry;
        const size_t positions = g.out_h * g.out_w;
        const size_t n = p.info.channel_count;
        const size_t in_elems = g.channels * g.height * g.width;
        const size_t chunk = std::clamp<size_t>(CONV_CHUNK_BYTES / (p.lda * 2), 1, positions);
        const std::vector<int64_t> out_shape = BatchShape(batch, p.info.out_shape);
        at::Tensor out = at::empty(out_shape, at::TensorOptions().dtype(p.logits ? at::kInt : at::kChar));
        const int8_t* xp = x.data_ptr<int8_t>();
        void* out_base = out.data_ptr();
        at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
            std::vector<int16_t> rows(chunk * p.lda);
            std::vector<int32_t> acc(chunk * n);
            for (int64_t b = begin; b < end; ++b) {
                for (size_t first = 0; first < positions; first += chunk) {
                    const size_t count = std::min(chunk, positions - first);
                    Im2Col(xp + b * in_elems, zp, g, first, count, rows.data(), p.lda);
                    MatMulBias(rows.data(), count, p.lda, p.packed, p.biases.data(), acc.data(), n, kernel);
                    // acc is [position][channel]; the output is [channel][position].
                    if (p.logits) {
                        int32_t* o = static_cast<int32_t*>(out_base) + b * n * positions + first;
                        for (size_t r = 0; r < count; ++r) {
                            for (size_t c = 0; c < n; ++c) o[c * positions + r] = acc[r * n + c];
                        }
                    } else {
                        int8_t* o = static_cast<int8_t*>(out_base) + b * n * positions + first;
                        RequantizeRows(acc.data(), count, n, n, p.requant.data(), o, 1, positions);
                    }
                }
            }
        });
        return out;
    }

    static at::Tensor Windows(const PreparedLayer& p, const at::Tensor& x)
    {
        // [B, C, H, W] -> [B, C, OH, OW, kh, kw] (a view: no padding for pools)
        return x.unfold(2, p.layer.kernel_h, p.layer.stride_h).unfold(3, p.layer.kernel_w, p.layer.stride_w);
    }

    at::Tensor Forward(at::Tensor x) const
    {
        int32_t zp = model.weights.input_zero_point;
        for (const PreparedLayer& p : layers) {
            switch (p.layer.kind) {
            case LayerKind::DENSE:
                x = Dense(p, x, zp);
                zp = p.output_zero_point;
                break;
            case LayerKind::CONV2D:
                x = Conv(p, x, zp);
                zp = p.output_zero_point;
                break;
            case LayerKind::MAXPOOL2D:
                x = at::amax(Windows(p, x), {4, 5});
                break;
            case LayerKind::AVGPOOL2D: {
                const at::Tensor sum = Windows(p, x).sum({4, 5}, /*keepdim=*/false, at::kLong);
                const int64_t count = int64_t{p.layer.kernel_h} * p.layer.kernel_w;
                const int64_t half = count / 2;
                // Rounded to nearest, ties away from zero: round |sum| / count, restore the sign.
                const at::Tensor magnitude = at::div(sum.abs() + half, count, "trunc");
                x = at::where(sum < 0, -magnitude, magnitude).to(at::kChar);
                break;
            }
            case LayerKind::RELU:
                x = at::clamp_min(x, zp);
                break;
            case LayerKind::FLATTEN:
                x = x.reshape({x.size(0), -1});
                break;
            }
        }
        return x;
    }

    /** Runs samples [0, count) of `inputs` in batches; calls sink(first_index, int32 output [b, n]). */
    template <typename Sink>
    void RunBatches(const int8_t* inputs, size_t count, Sink&& sink) const
    {
        c10::InferenceMode guard;
        const uint64_t in_elems = ShapeElements(model.info.input_shape);
        for (size_t first = 0; first < count; first += batch_size) {
            const size_t b = std::min(batch_size, count - first);
            const at::Tensor input = at::from_blob(const_cast<int8_t*>(inputs + first * in_elems),
                                                   BatchShape(static_cast<int64_t>(b), model.info.input_shape),
                                                   at::TensorOptions().dtype(at::kChar));
            const at::Tensor out = Forward(input).reshape({static_cast<int64_t>(b), -1}).to(at::kInt).contiguous();
            sink(first, out);
        }
    }
};

CompiledModel::CompiledModel(const Model& model, KernelKind kernel) : m_impl(std::make_unique<Impl>(model, kernel)) {}
CompiledModel::~CompiledModel() = default;

std::vector<ModelOutput> CompiledModel::Run(const int8_t* inputs, size_t count) const
{
    std::vector<ModelOutput> results;
    results.reserve(count);
    const bool logits = m_impl->model.architecture.logits_output;
    m_impl->RunBatches(inputs, count, [&](size_t, const at::Tensor& out) {
        const int64_t n = out.size(1);
        const int32_t* v = out.data_ptr<int32_t>();
        for (int64_t i = 0; i < out.size(0); ++i) {
            ModelOutput o;
            o.shape = m_impl->model.info.output_shape;
            o.logits = logits;
            o.values.assign(v + i * n, v + (i + 1) * n);
            results.push_back(std::move(o));
        }
    });
    return results;
}

ModelOutput CompiledModel::RunOne(const int8_t* input) const { return std::move(Run(input, 1).front()); }

int64_t CompiledModel::Score(const Dataset& dataset) const
{
    ScoreAccumulator score(m_impl->model.architecture.objective);
    m_impl->RunBatches(dataset.inputs.data(), dataset.sample_count, [&](size_t first, const at::Tensor& out) {
        const int64_t n = out.size(1);
        const int32_t* v = out.data_ptr<int32_t>();
        for (int64_t i = 0; i < out.size(0); ++i) score.Add(v + i * n, n, dataset, first + i);
    });
    return score.Score();
}

size_t CompiledModel::BatchSize() const { return m_impl->batch_size; }
KernelKind CompiledModel::Kernel() const { return m_impl->kernel; }
const Model& CompiledModel::GetModel() const { return m_impl->model; }

ModelOutput EngineRun(const Model& model, const int8_t* input) { return CompiledModel(model).RunOne(input); }
int64_t EngineScore(const Model& model, const Dataset& dataset) { return CompiledModel(model).Score(dataset); }

void SetEngineThreads(int threads) { at::set_num_threads(threads); }
int GetEngineThreads() { return at::get_num_threads(); }

} // namespace oda::engine
