// The consensus engine on ATen. Layers without weights are ATen integer tensor
// operations; Dense and Conv2D run the exact matrix kernel of kernels.h over
// rows of kernel bytes (x + 128, the zero point folded into the biases) and
// requantize in the same pass.
#include <oda/engine/engine.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

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

/** The engine's own worker threads (threads - 1 of them: the calling thread takes
 *  tasks too, so work starts without waiting for a wake-up), created once and
 *  reused by every Run/Score. Workers set their ATen intra-op thread count to 1
 *  (the OpenMP thread count is per thread), so ATen operations inside a worker
 *  never start more threads; the caller's ATen thread count is left as it was.
 *  One job at a time: a caller that finds the pool busy (concurrent use) runs its
 *  tasks itself instead of waiting, so concurrent callers never oversubscribe. */
class EnginePool
{
public:
    static EnginePool& Get()
    {
        static EnginePool pool;
        return pool;
    }

    ~EnginePool() { Stop(); }

    int Threads() const { return m_threads.load(); }

    void SetThreads(int threads)
    {
        threads = std::max(1, threads);
        std::lock_guard<std::mutex> job(m_job);
        if (threads == m_threads.load() && static_cast<int>(m_workers.size()) == threads - 1) return;
        Stop();
        m_threads = threads;
        if (threads > 1) Start(threads - 1);
    }

    /** Calls fn(task) for every task in [0, tasks) (each exactly once, any thread, any
     *  order) and returns when all are done; rethrows the first exception of a task. */
    void Run(size_t tasks, const std::function<void(size_t)>& fn)
    {
        std::unique_lock<std::mutex> job(m_job, std::try_to_lock);
        if (tasks <= 1 || m_workers.empty() || !job.owns_lock()) {
            for (size_t t = 0; t < tasks; ++t) fn(t);
            return;
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_fn = &fn;
            m_tasks = tasks;
            m_next = 0;
            m_finished = 0;
            m_error = nullptr;
            ++m_generation;
        }
        m_wake.notify_all();
        std::unique_lock<std::mutex> lock(m_mutex);
        TakeTasks(lock);
        // Wait for the tasks, not for the workers: one that wakes late finds none left.
        m_done.wait(lock, [&] { return m_finished == m_tasks; });
        m_fn = nullptr;
        m_tasks = m_next = 0;
        if (m_error) std::rethrow_exception(m_error);
    }

private:
    EnginePool()
    {
        const unsigned cores = std::thread::hardware_concurrency();
        SetThreads(cores == 0 ? 1 : static_cast<int>(cores));
    }

    void Start(int threads)
    {
        // A worker's first ATen call reads the global thread count; set 1 in each
        // worker, then restore the global value for the rest of the process.
        const int saved = at::get_num_threads();
        size_t ready = 0;
        m_stop = false;
        for (int i = 0; i < threads; ++i) {
            m_workers.emplace_back([this, &ready] {
                at::set_num_threads(1);
                {
                    std::lock_guard<std::mutex> lock(m_mutex);
                    ++ready;
                }
                m_done.notify_all();
                Work();
            });
        }
        std::unique_lock<std::mutex> lock(m_mutex);
        m_done.wait(lock, [&] { return ready == m_workers.size(); });
        lock.unlock();
        at::set_num_threads(saved);
    }

    void Stop()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        for (std::thread& t : m_workers) t.join();
        m_workers.clear();
    }

    void Work()
    {
        uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(m_mutex);
        while (true) {
            m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop) return;
            seen = m_generation;
            TakeTasks(lock);
        }
    }

    /** Runs tasks until none is left (lock held on entry and exit). */
    void TakeTasks(std::unique_lock<std::mutex>& lock)
    {
        while (m_next < m_tasks) {
            const size_t task = m_next++;
            lock.unlock();
            std::exception_ptr error;
            try {
                (*m_fn)(task);
            } catch (...) {
                error = std::current_exception();
            }
            lock.lock();
            if (error && !m_error) m_error = error;
            if (++m_finished == m_tasks) m_done.notify_all();
        }
    }

    std::mutex m_job;    //!< held by the caller whose tasks the workers run
    std::mutex m_mutex;  //!< guards everything below
    std::condition_variable m_wake, m_done;
    std::vector<std::thread> m_workers;
    std::atomic<int> m_threads{1};
    bool m_stop{false};
    uint64_t m_generation{0};
    const std::function<void(size_t)>* m_fn{nullptr};
    size_t m_tasks{0}, m_next{0}, m_finished{0};
    std::exception_ptr m_error;
};
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

    /** Runs samples [begin, end) of `inputs` in batches; calls sink(first_index, int32 output [b, n]). */
    template <typename Sink>
    void RunBatches(const int8_t* inputs, size_t begin, size_t end, Sink&& sink) const
    {
        c10::InferenceMode guard;
        const uint64_t in_elems = ShapeElements(model.info.input_shape);
        for (size_t first = begin; first < end; first += batch_size) {
            const size_t b = std::min(batch_size, end - first);
            const at::Tensor input = at::from_blob(const_cast<int8_t*>(inputs + first * in_elems),
                                                   BatchShape(static_cast<int64_t>(b), model.info.input_shape),
                                                   at::TensorOptions().dtype(at::kChar));
            const at::Tensor out = Forward(input).reshape({static_cast<int64_t>(b), -1}).to(at::kInt).contiguous();
            sink(first, out);
        }
    }

    /** Samples per pool task for `count` samples: at most one batch, and about four
     *  tasks per thread so that uneven progress evens out. Each sample's output does
     *  not depend on which samples share its batch, so any split gives the same bits. */
    size_t TaskSamples(size_t count) const
    {
        const size_t threads = static_cast<size_t>(EnginePool::Get().Threads());
        const size_t even = (count + threads * 4 - 1) / (threads * 4);
        return std::clamp<size_t>(even, 1, batch_size);
    }
};

CompiledModel::CompiledModel(const Model& model, KernelKind kernel) : m_impl(std::make_unique<Impl>(model, kernel)) {}
CompiledModel::~CompiledModel() = default;

std::vector<ModelOutput> CompiledModel::Run(const int8_t* inputs, size_t count) const
{
    std::vector<ModelOutput> results(count);
    const bool logits = m_impl->model.architecture.logits_output;
    const size_t per_task = m_impl->TaskSamples(count);
    const size_t tasks = (count + per_task - 1) / per_task;
    // Every task writes only its own samples' slots.
    EnginePool::Get().Run(tasks, [&](size_t t) {
        const size_t begin = t * per_task, end = std::min(count, begin + per_task);
        m_impl->RunBatches(inputs, begin, end, [&](size_t first, const at::Tensor& out) {
            const int64_t n = out.size(1);
            const int32_t* v = out.data_ptr<int32_t>();
            for (int64_t i = 0; i < out.size(0); ++i) {
                ModelOutput& o = results[first + i];
                o.shape = m_impl->model.info.output_shape;
                o.logits = logits;
                o.values.assign(v + i * n, v + (i + 1) * n);
            }
        });
    });
    return results;
}

ModelOutput CompiledModel::RunOne(const int8_t* input) const { return std::move(Run(input, 1).front()); }

int64_t CompiledModel::Score(const Dataset& dataset) const
{
    std::string error;
    if (!CheckDataset(m_impl->model.architecture, m_impl->model.info, dataset, error)) throw std::invalid_argument(error);
    const size_t count = dataset.sample_count;
    const size_t per_task = m_impl->TaskSamples(count);
    const size_t tasks = (count + per_task - 1) / per_task;
    // The score is an integer sum over samples: one partial sum per sample range,
    // merged in range order (integer addition, so the result is the same bits as
    // one pass over all samples on one thread).
    std::vector<ScoreAccumulator> partial(tasks, ScoreAccumulator(m_impl->model.architecture.objective));
    EnginePool::Get().Run(tasks, [&](size_t t) {
        const size_t begin = t * per_task, end = std::min(count, begin + per_task);
        m_impl->RunBatches(dataset.inputs.data(), begin, end, [&](size_t first, const at::Tensor& out) {
            const int64_t n = out.size(1);
            const int32_t* v = out.data_ptr<int32_t>();
            for (int64_t i = 0; i < out.size(0); ++i) partial[t].Add(v + i * n, n, dataset, first + i);
        });
    });
    ScoreAccumulator score(m_impl->model.architecture.objective);
    for (const ScoreAccumulator& p : partial) score.Merge(p);
    return score.Score();
}

size_t CompiledModel::BatchSize() const { return m_impl->batch_size; }
KernelKind CompiledModel::Kernel() const { return m_impl->kernel; }
const Model& CompiledModel::GetModel() const { return m_impl->model; }

ModelOutput EngineRun(const Model& model, const int8_t* input) { return CompiledModel(model).RunOne(input); }
int64_t EngineScore(const Model& model, const Dataset& dataset) { return CompiledModel(model).Score(dataset); }

void SetEngineThreads(int threads) { EnginePool::Get().SetThreads(threads); }
int GetEngineThreads() { return EnginePool::Get().Threads(); }

} // namespace oda::engine
