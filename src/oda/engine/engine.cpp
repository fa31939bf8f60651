// The consensus engine on ATen. Layers without weights are ATen integer tensor
// operations; Dense and Conv2D run the exact matrix kernel of kernels.h over
// rows of kernel bytes (x + 128, the zero point folded into the biases) and
// requantize in the same pass.
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
    std::vector<int32_t> offset_biases;   //!< biases with the input zero point folded in (OffsetBiases)
    std::vector<ChannelRequant> requant;  //!< one per output channel (per-tensor values repeated)
    int32_t output_zero_point{0};
    int8_t input_zero_point{0};
    size_t lda{0};                        //!< bytes per activation row given to the kernel
    ConvGeometry geometry{};
};

/** Rows of one convolution sample handled at a time: keeps the im2col buffer in cache. */
constexpr size_t CONV_CHUNK_BYTES = 256 * 1024;
/** Activations of one batch stay below this. */
constexpr uint64_t BATCH_ACTIVATION_BYTES = 64ULL << 20;
constexpr size_t MAX_BATCH = 256;
/** Dense rows converted and multiplied at a time (also the parallel grain). */
constexpr int64_t DENSE_ROWS = 32;

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
        int8_t zero_point = model.weights.input_zero_point;  // of the current activation
        for (size_t i = 0; i < arch.layers.size(); ++i) {
            PreparedLayer p;
            p.layer = arch.layers[i];
            p.info = model.info.layers[i];
            p.logits = arch.logits_output && i + 1 == arch.layers.size();
            widest = std::max(widest, ShapeElements(p.info.out_shape));
            if (IsAccumulating(p.layer.kind)) {
                const LayerParams& lp = model.weights.layers[i];
                p.packed = PackWeights(lp.weights.data(), p.info.channel_count, p.info.fan_in, kernel);
                p.lda = p.packed.k_padded;
                p.input_zero_point = zero_point;
                p.offset_biases = OffsetBiases(p.packed, lp.biases.data(), zero_point);
                p.output_zero_point = lp.output_zero_point;
                zero_point = lp.output_zero_point;
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

    at::Tensor Dense(const PreparedLayer& p, const at::Tensor& x_in) const
    {
        const at::Tensor x = x_in.contiguous();
        const int64_t batch = x.size(0);
        const size_t in = p.info.fan_in;
        const size_t n = p.info.channel_count;
        const int8_t* xp = x.data_ptr<int8_t>();
        at::Tensor out = at::empty({batch, static_cast<int64_t>(n)}, at::TensorOptions().dtype(p.logits ? at::kInt : at::kChar));
        void* out_base = out.data_ptr();
        at::parallel_for(0, batch, DENSE_ROWS, [&](int64_t begin, int64_t end) {
            std::vector<uint8_t> rows(DENSE_ROWS * p.lda);
            std::vector<int32_t> acc(p.logits ? 0 : DENSE_ROWS * n);
            for (int64_t first = begin; first < end; first += DENSE_ROWS) {
                const size_t count = std::min<int64_t>(DENSE_ROWS, end - first);
                ToKernelRows(xp + first * in, count, in, rows.data(), p.lda);
                if (p.logits) {
                    MatMulBias(rows.data(), count, p.lda, p.packed, p.offset_biases.data(),
                               static_cast<int32_t*>(out_base) + first * n, n);
                } else {
                    MatMulBias(rows.data(), count, p.lda, p.packed, p.offset_biases.data(), acc.data(), n);
                    RequantizeRows(acc.data(), count, n, n, p.requant.data(), static_cast<int8_t*>(out_base) + first * n, n, 1);
                }
            }
        });
        return out;
    }

    at::Tensor Conv(const PreparedLayer& p, const at::Tensor& x_in) const
    {
        const at::Tensor x = x_in.contiguous();
        const int64_t batch = x.size(0);
        const ConvGeometry& g = p.geometry;
        const size_t positions = g.out_h * g.out_w;
        const size_t n = p.info.channel_count;
        const size_t in_elems = g.channels * g.height * g.width;
        const size_t chunk = std::clamp<size_t>(CONV_CHUNK_BYTES / p.lda, 1, positions);
        at::Tensor out = at::empty(BatchShape(batch, p.info.out_shape), at::TensorOptions().dtype(p.logits ? at::kInt : at::kChar));
        const int8_t* xp = x.data_ptr<int8_t>();
        void* out_base = out.data_ptr();
        at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
            std::vector<uint8_t> rows(chunk * p.lda);
            std::vector<int32_t> acc(chunk * n), transposed(chunk * n);
            for (int64_t b = begin; b < end; ++b) {
                for (size_t first = 0; first < positions; first += chunk) {
                    const size_t count = std::min(chunk, positions - first);
                    Im2Col(xp + b * in_elems, p.input_zero_point, g, first, count, rows.data(), p.lda);
                    MatMulBias(rows.data(), count, p.lda, p.packed, p.offset_biases.data(), acc.data(), n);
                    // acc is [position][channel]; the output is [channel][position].
                    for (size_t r = 0; r < count; ++r) {
                        for (size_t c = 0; c < n; ++c) transposed[c * count + r] = acc[r * n + c];
                    }
                    for (size_t c = 0; c < n; ++c) {
                        const size_t offset = (b * n + c) * positions + first;
                        if (p.logits) {
                            std::copy_n(transposed.data() + c * count, count, static_cast<int32_t*>(out_base) + offset);
                        } else {
                            RequantizeChannel(transposed.data() + c * count, count, p.requant[c], static_cast<int8_t*>(out_base) + offset);
                        }
                    }
                }
            }
        });
        return out;
    }

    /** Calls fn with the [B, C, OH, OW] view of x at each window offset (ky, kx). */
    template <typename Fn>
    static void ForEachWindowOffset(const PreparedLayer& p, const at::Tensor& x, Fn&& fn)
    {
        const int64_t oh = p.info.out_shape[1], ow = p.info.out_shape[2];
        for (int64_t ky = 0; ky < p.layer.kernel_h; ++ky) {
            for (int64_t kx = 0; kx < p.layer.kernel_w; ++kx) {
                fn(x.slice(2, ky, ky + (oh - 1) * p.layer.stride_h + 1, p.layer.stride_h)
                    .slice(3, kx, kx + (ow - 1) * p.layer.stride_w + 1, p.layer.stride_w));
            }
        }
    }

    at::Tensor Forward(at::Tensor x) const
    {
        int32_t zp = model.weights.input_zero_point;
        for (const PreparedLayer& p : layers) {
            switch (p.layer.kind) {
            case LayerKind::DENSE:
                x = Dense(p, x);
                zp = p.output_zero_point;
                break;
            case LayerKind::CONV2D:
                x = Conv(p, x);
                zp = p.output_zero_point;
                break;
            case LayerKind::MAXPOOL2D: {
                // Elementwise max over the kh * kw strided views (one per window offset):
                // vectorized ATen kernels, much faster than reducing an unfolded view.
                at::Tensor m;
                ForEachWindowOffset(p, x, [&](const at::Tensor& v) { m = m.defined() ? at::maximum(m, v) : v.clone(); });
                x = m;
                break;
            }
            case LayerKind::AVGPOOL2D: {
                at::Tensor sum;
                ForEachWindowOffset(p, x, [&](const at::Tensor& v) { sum = sum.defined() ? sum.add_(v) : v.to(at::kLong); });
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
    std::string error;
    if (!CheckDataset(m_impl->model.architecture, m_impl->model.info, dataset, error)) throw std::invalid_argument(error);
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
