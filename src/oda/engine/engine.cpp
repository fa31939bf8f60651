// The consensus engine on raw per-batch buffers: Dense runs the exact matrix
// kernel of kernels.h over rows of kernel bytes (x + 128, the zero point folded
// into the biases), Conv2D the position-major kernel of conv.h; both requantize
// in their epilogue (with a following ReLU fused in). Pooling, ReLU and Flatten
// are direct loops. libtorch is used only to keep the pool workers' ATen
// intra-op thread count at 1 for other ATen users in the process.
#include <oda/engine/engine.h>

#include <oda/engine/conv.h>
#include <oda/engine/requant_simd.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
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
    bool fused{false};                    //!< a ReLU already applied by the layer before (skipped)
    uint64_t in_elems{0}, out_elems{0};   //!< per sample
    // Dense:
    DenseKernel dense;                    //!< packed weights, offset biases, requantization (one entry per channel)
    // Conv2D:
    ConvLayer conv;
    bool pool_fused{false};               //!< the pooling layer after it (and its ReLU) reads the conv's grid
    Layer pool_layer;
    LayerInfo pool_info;
    int32_t zero_point{0};                //!< zero point of this layer's output (ReLU clamps to it)
};

/** Activations of one batch stay below this. */
constexpr uint64_t BATCH_ACTIVATION_BYTES = 64ULL << 20;
constexpr size_t MAX_BATCH = 256;

/** Working memory of one thread's RunBatches calls (ThreadWorkspace), reused by
 *  every batch and layer. */
struct Workspace {
    std::vector<int8_t> ping, pong;   //!< activations [batch][elements]
    std::vector<int32_t> logits;      //!< int32 outputs of a logits last layer
    std::vector<int32_t> values;      //!< the batch's outputs as int32 [batch][outputs]
    DenseScratch dense;
    ConvScratch conv;
};

/** Spins (with the CPU's pause hint) until ready() or `budget` has passed. */
template <typename Ready>
bool SpinUntil(Ready ready, std::chrono::microseconds budget)
{
    const auto deadline = std::chrono::steady_clock::now() + budget;
    for (unsigned i = 1;; ++i) {
        if (ready()) return true;
#ifdef ODA_HAVE_X86
        _mm_pause();
#else
        std::this_thread::yield();
#endif
        if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return ready();
    }
}

/** The engine's own worker threads (threads - 1 of them: the calling thread takes
 *  tasks too, so work starts without waiting for a wake-up), created once and
 *  reused by every Run/Score. Workers set their ATen intra-op thread count to 1
 *  (the OpenMP thread count is per thread), so ATen operations inside a worker
 *  never start more threads; the caller's ATen thread count is left as it was.
 *  One job at a time: a caller that finds the pool busy (concurrent use) runs its
 *  tasks itself instead of waiting, so concurrent callers never oversubscribe.
 *
 *  Wake-up cost: a worker put to sleep on a condition variable takes tens of
 *  microseconds (more in a virtual machine) to run again, as long as a whole task
 *  of a small batch. So a worker that finishes a job spins for WORKER_SPIN before
 *  it sleeps, and picks up a job posted meanwhile at once; the caller likewise
 *  spins for the last tasks of its job before it sleeps. Jobs come in bursts (a
 *  block's inferences and scorings), so the spinning is bounded by WORKER_SPIN
 *  per job. (std::mutex rather than util/sync.h: oda/engine may not depend on
 *  util, doc/design/libraries.md.) */
class EnginePool
{
public:
    static constexpr std::chrono::microseconds WORKER_SPIN{300};
    static constexpr std::chrono::microseconds CALLER_SPIN{500};

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
            m_unfinished.store(tasks, std::memory_order_relaxed);
            ++m_generation;
            m_posted.store(m_generation, std::memory_order_release);
        }
        m_wake.notify_all();  // no system call when every worker is spinning
        std::unique_lock<std::mutex> lock(m_mutex);
        TakeTasks(lock);
        if (m_finished != m_tasks) {
            // Wait for the tasks, not for the workers: one that wakes late finds none left.
            lock.unlock();
            SpinUntil([&] { return m_unfinished.load(std::memory_order_acquire) == 0; }, CALLER_SPIN);
            lock.lock();
            m_done.wait(lock, [&] { return m_finished == m_tasks; });
        }
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
            m_posted.store(~uint64_t{0}, std::memory_order_release);  // ends the spinning
        }
        m_wake.notify_all();
        for (std::thread& t : m_workers) t.join();
        m_workers.clear();
        std::lock_guard<std::mutex> lock(m_mutex);
        m_posted.store(m_generation, std::memory_order_release);
    }

    void Work()
    {
        uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(m_mutex);
        seen = m_generation;
        while (true) {
            if (!m_stop && m_generation == seen) {
                lock.unlock();
                SpinUntil([&] { return m_posted.load(std::memory_order_acquire) != seen; }, WORKER_SPIN);
                lock.lock();
                m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
            }
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
            m_unfinished.fetch_sub(1, std::memory_order_release);
            if (++m_finished == m_tasks) m_done.notify_all();
        }
    }

    std::mutex m_job;    //!< held by the caller whose tasks the workers run
    std::mutex m_mutex;  //!< guards everything below except the atomics
    std::condition_variable m_wake, m_done;
    std::vector<std::thread> m_workers;
    std::atomic<int> m_threads{1};
    bool m_stop{false};
    uint64_t m_generation{0};
    std::atomic<uint64_t> m_posted{0};      //!< m_generation, for spinning without the lock (all ones: stopping)
    std::atomic<size_t> m_unfinished{0};    //!< tasks of the current job not finished yet, for the caller's spin
    const std::function<void(size_t)>* m_fn{nullptr};
    size_t m_tasks{0}, m_next{0}, m_finished{0};
    std::exception_ptr m_error;
};

/** Per-thread working memory, reused by every task the thread runs (a batch of
 *  small inferences is many short tasks, and allocating buffers per task would
 *  cost a noticeable part of each); released after a task that grew it beyond
 *  this, so threads do not keep a large model's buffers for ever. */
constexpr size_t KEPT_WORKSPACE_BYTES = 8u << 20;

size_t WorkspaceBytes(const Workspace& w)
{
    return w.ping.capacity() + w.pong.capacity() + 4 * (w.logits.capacity() + w.values.capacity()) + w.dense.bytes.capacity() +
           2 * w.dense.words.capacity() + 4 * w.dense.acc.capacity() + w.conv.padded.capacity() + w.conv.gathered.capacity() +
           w.conv.packed.capacity() + w.conv.grid_q.capacity() + 4 * w.conv.grid_i.capacity();
}

Workspace& ThreadWorkspace()
{
    static thread_local Workspace w;
    return w;
}
} // namespace

struct CompiledModel::Impl {
    Model model;
    KernelKind kernel;
    std::vector<PreparedLayer> layers;
    size_t batch_size{1};
    uint64_t widest{0};  //!< most elements of any activation of one sample

    Impl(const Model& m, KernelKind k) : model(m), kernel(ResolveKernel(k))
    {
        const Architecture& arch = model.architecture;
        widest = ShapeElements(model.info.input_shape);
        int8_t zero_point = model.weights.input_zero_point;  // of the current activation
        for (size_t i = 0; i < arch.layers.size(); ++i) {
            PreparedLayer p;
            p.layer = arch.layers[i];
            p.info = model.info.layers[i];
            p.logits = arch.logits_output && i + 1 == arch.layers.size();
            p.in_elems = ShapeElements(p.info.in_shape);
            p.out_elems = ShapeElements(p.info.out_shape);
            widest = std::max(widest, p.out_elems);
            if (IsAccumulating(p.layer.kind)) {
                const LayerParams& lp = model.weights.layers[i];
                // A ReLU right after a requantized layer clamps at this layer's output
                // zero point: fused into the requantization's lower clamp.
                const bool fuse_relu = !p.logits && i + 1 < arch.layers.size() && arch.layers[i + 1].kind == LayerKind::RELU;
                std::vector<ChannelRequant> requant;
                if (!p.logits) {
                    for (uint32_t c = 0; c < p.info.channel_count; ++c) {
                        const size_t idx = p.layer.per_channel ? c : 0;
                        const int shift = lp.shifts[idx];
                        ChannelRequant r;
                        r.multiplier = lp.multipliers[idx];
                        r.left_shift = std::clamp(shift, 0, 32);
                        r.right_shift = std::clamp(-shift, 0, 40);
                        r.zero_point = lp.output_zero_point;
                        requant.push_back(r);
                    }
                }
                if (p.layer.kind == LayerKind::CONV2D) {
                    const Shape& in = p.info.in_shape;
                    const ConvGeometry g{in[0], in[1], in[2], p.layer.kernel_h, p.layer.kernel_w,
                                         p.layer.stride_h, p.layer.stride_w, p.layer.pad_h, p.layer.pad_w,
                                         p.info.out_shape[1], p.info.out_shape[2]};
                    p.conv = PrepareConv(g, p.info.channel_count, lp.weights.data(), lp.biases.data(), zero_point,
                                         p.logits ? nullptr : requant.data(), fuse_relu, kernel);
                } else {
                    p.dense = PrepareDense(lp.weights.data(), p.info.channel_count, p.info.fan_in, lp.biases.data(), zero_point,
                                           p.logits ? nullptr : requant.data(), fuse_relu, kernel);
                }
                zero_point = lp.output_zero_point;
                p.zero_point = zero_point;
                // A pooling layer after a convolution (and its fused ReLU) reads the
                // kernel's grid in place instead of a copy of it.
                const size_t relu_end = i + (fuse_relu ? 1 : 0), next = relu_end + 1;
                const bool pool_next = p.layer.kind == LayerKind::CONV2D && !p.logits && next < arch.layers.size() &&
                                       (arch.layers[next].kind == LayerKind::MAXPOOL2D || arch.layers[next].kind == LayerKind::AVGPOOL2D);
                if (pool_next) {
                    p.pool_fused = true;
                    p.pool_layer = arch.layers[next];
                    p.pool_info = model.info.layers[next];
                    p.out_elems = ShapeElements(p.pool_info.out_shape);
                }
                const size_t last = pool_next ? next : relu_end;  // the last layer this one absorbs
                if (last > i) {
                    layers.push_back(std::move(p));
                    for (size_t j = i + 1; j <= last; ++j) {
                        PreparedLayer skipped;
                        skipped.layer = arch.layers[j];
                        skipped.info = model.info.layers[j];
                        skipped.fused = true;
                        skipped.zero_point = zero_point;
                        layers.push_back(std::move(skipped));
                    }
                    i = last;
                    continue;
                }
            }
            p.zero_point = zero_point;
            layers.push_back(std::move(p));
        }
        // int32 logits and the int32 outputs: budget 8 bytes per element.
        batch_size = static_cast<size_t>(std::clamp<uint64_t>(BATCH_ACTIVATION_BYTES / (widest * 8), 1, MAX_BATCH));
    }

    /** MaxPool2D / AvgPool2D of one channel plane whose rows start W bytes apart (no
     *  padding: every window is inside the plane). */
    void Pool(const Layer& layer, const LayerInfo& info, const int8_t* in, size_t W, int8_t* out) const
    {
        const size_t OH = info.out_shape[1], OW = info.out_shape[2];
        const size_t kh = layer.kernel_h, kw = layer.kernel_w, sh = layer.stride_h, sw = layer.stride_w;
        if (layer.kind == LayerKind::MAXPOOL2D) {
            if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && kernel != KernelKind::SCALAR) return MaxPool2x2(in, W, OH, OW, out);
            for (size_t oy = 0; oy < OH; ++oy) {
                for (size_t ox = 0; ox < OW; ++ox) {
                    int8_t m = -128;
                    for (size_t ky = 0; ky < kh; ++ky) {
                        const int8_t* row = in + (oy * sh + ky) * W + ox * sw;
                        for (size_t kx = 0; kx < kw; ++kx) m = std::max(m, row[kx]);
                    }
                    out[oy * OW + ox] = m;
                }
            }
            return;
        }
        const int64_t count = int64_t(kh * kw), half = count / 2;
        for (size_t oy = 0; oy < OH; ++oy) {
            for (size_t ox = 0; ox < OW; ++ox) {
                int64_t sum = 0;
                for (size_t ky = 0; ky < kh; ++ky) {
                    const int8_t* row = in + (oy * sh + ky) * W + ox * sw;
                    for (size_t kx = 0; kx < kw; ++kx) sum += row[kx];
                }
                // Rounded to nearest, ties away from zero: round |sum| / count, restore the sign.
                const int64_t magnitude = ((sum < 0 ? -sum : sum) + half) / count;
                out[oy * OW + ox] = static_cast<int8_t>(sum < 0 ? -magnitude : magnitude);
            }
        }
    }

    /** 2x2 windows, stride 2, rows W bytes apart, 8 outputs at a time with SSE2 (baseline x86-64). */
    static void MaxPool2x2(const int8_t* in, size_t W, size_t OH, size_t OW, int8_t* out)
    {
        for (size_t oy = 0; oy < OH; ++oy) {
            const int8_t* r0 = in + 2 * oy * W;
            const int8_t* r1 = r0 + W;
            int8_t* o = out + oy * OW;
            size_t ox = 0;
#ifdef ODA_HAVE_X86
            // Bytes xor 0x80 order like their int8 values, so unsigned max is int8 max.
            // 8 outputs (16 input bytes of each row) at a time; a row of 8..15 outputs
            // ends with a chunk that overlaps the previous one (the same values again).
            const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80)), low = _mm_set1_epi16(0xFF);
            while (OW >= 8 && ox < OW) {
                if (ox + 8 > OW) ox = OW - 8;
                const __m128i a = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r0 + 2 * ox)), flip);
                const __m128i b = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r1 + 2 * ox)), flip);
                const __m128i v = _mm_max_epu8(a, b);
                // Pairs of bytes as 16-bit words: max of the low and the high byte.
                const __m128i h = _mm_max_epi16(_mm_and_si128(v, low), _mm_srli_epi16(v, 8));
                _mm_storel_epi64(reinterpret_cast<__m128i*>(o + ox), _mm_xor_si128(_mm_packus_epi16(h, h), flip));
                ox += 8;
            }
#endif
            for (; ox < OW; ++ox) o[ox] = std::max(std::max(r0[2 * ox], r0[2 * ox + 1]), std::max(r1[2 * ox], r1[2 * ox + 1]));
        }
    }

    /** Runs `batch` samples of `input` through every layer; the outputs land in w.values. */
    void Forward(const int8_t* input, size_t batch, Workspace& w) const
    {
        w.ping.resize(batch * widest);
        w.pong.resize(batch * widest);
        const int8_t* x = input;
        int32_t zp = model.weights.input_zero_point;
        bool logits = false;
        for (const PreparedLayer& p : layers) {
            if (p.fused || p.layer.kind == LayerKind::FLATTEN) continue;  // C,H,W storage order is already the flat order
            int8_t* y = x == w.ping.data() ? w.pong.data() : w.ping.data();
            if (p.logits) {
                w.logits.resize(batch * p.out_elems);
                logits = true;
            }
            switch (p.layer.kind) {
            case LayerKind::DENSE:
                DenseForward(p.dense, x, batch, y, w.logits.data(), w.dense);
                zp = p.zero_point;
                break;
            case LayerKind::CONV2D:
                if (p.pool_fused) {
                    const size_t out_plane = p.out_elems / p.conv.n;
                    for (size_t s = 0; s < batch; ++s) {
                        ConvForwardToGrid(p.conv, x + s * p.in_elems, w.conv);
                        for (size_t c = 0; c < p.conv.n; ++c) {
                            Pool(p.pool_layer, p.pool_info, GridRow(p.conv, w.conv, c, 0), p.conv.grid_w, y + s * p.out_elems + c * out_plane);
                        }
                    }
                    zp = p.zero_point;
                    break;
                }
                for (size_t s = 0; s < batch; ++s) {
                    ConvForward(p.conv, x + s * p.in_elems, y + s * p.out_elems, w.logits.data() + (p.logits ? s * p.out_elems : 0), w.conv);
                }
                zp = p.zero_point;
                break;
            case LayerKind::MAXPOOL2D:
            case LayerKind::AVGPOOL2D: {
                const size_t channels = p.info.in_shape[0];
                const size_t in_plane = p.in_elems / channels, out_plane = p.out_elems / channels;
                for (size_t s = 0; s < batch; ++s) {
                    for (size_t c = 0; c < channels; ++c) {
                        Pool(p.layer, p.info, x + s * p.in_elems + c * in_plane, p.info.in_shape[2], y + s * p.out_elems + c * out_plane);
                    }
                }
                break;
            }
            case LayerKind::RELU: {
                const int8_t floor = static_cast<int8_t>(zp);
                for (size_t i = 0; i < batch * p.out_elems; ++i) y[i] = std::max(x[i], floor);
                break;
            }
            case LayerKind::FLATTEN:
                break;
            }
            x = y;
        }
        const uint64_t outputs = ShapeElements(model.info.output_shape);
        if (logits) {
            w.values.swap(w.logits);
        } else {
            w.values.assign(x, x + batch * outputs);
        }
    }

    /** Runs samples [begin, end) of `inputs` in batches; calls sink(first_index, count, int32 outputs [count][n], n). */
    template <typename Sink>
    void RunBatches(const int8_t* inputs, size_t begin, size_t end, Sink&& sink) const
    {
        Workspace& w = ThreadWorkspace();
        const uint64_t in_elems = ShapeElements(model.info.input_shape);
        const size_t n = ShapeElements(model.info.output_shape);
        for (size_t first = begin; first < end; first += batch_size) {
            const size_t b = std::min(batch_size, end - first);
            Forward(inputs + first * in_elems, b, w);
            sink(first, b, w.values.data(), n);
        }
        if (WorkspaceBytes(w) > KEPT_WORKSPACE_BYTES) w = Workspace{};
    }

    /** Sample ranges of the pool tasks for `count` samples (range t is [bounds[t],
     *  bounds[t + 1])): guided sizes, each about 1/(2 * threads) of what is left but
     *  at most 1/(4 * threads) of all and at most one batch, rounded up to the
     *  kernel's tile height: few task switches, and small last tasks, so a thread
     *  that starts late or is slowed by another process holds up the end little.
     *  Each sample's output does not depend on which samples share its batch, so
     *  any split gives the same bits. */
    std::vector<size_t> SplitSamples(size_t count) const
    {
        const size_t threads = static_cast<size_t>(EnginePool::Get().Threads());
        const size_t tile = kernel == KernelKind::AVX2 ? 6 : 8;
        const size_t largest = std::min(batch_size, (count + 4 * threads - 1) / (4 * threads));
        std::vector<size_t> bounds{0};
        for (size_t left = count; left > 0;) {
            size_t size = std::min(largest, (left + 2 * threads - 1) / (2 * threads));
            size = std::min((size + tile - 1) / tile * tile, left);
            bounds.push_back(bounds.back() + size);
            left -= size;
        }
        if (threads == 1 && bounds.size() > 2) bounds = {0, count};  // one task: the calling thread alone
        return bounds;
    }
};

CompiledModel::CompiledModel(const Model& model, KernelKind kernel) : m_impl(std::make_unique<Impl>(model, kernel)) {}
CompiledModel::~CompiledModel() = default;

std::vector<ModelOutput> CompiledModel::Run(const int8_t* inputs, size_t count) const
{
    std::vector<ModelOutput> results(count);
    const bool logits = m_impl->model.architecture.logits_output;
    const std::vector<size_t> bounds = m_impl->SplitSamples(count);
    // Every task writes only its own samples' slots.
    EnginePool::Get().Run(bounds.size() - 1, [&](size_t t) {
        const size_t begin = bounds[t], end = bounds[t + 1];
        m_impl->RunBatches(inputs, begin, end, [&](size_t first, size_t b, const int32_t* v, size_t n) {
            for (size_t i = 0; i < b; ++i) {
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
    const std::vector<size_t> bounds = m_impl->SplitSamples(count);
    const size_t tasks = bounds.size() - 1;
    // The score is an integer sum over samples: one partial sum per sample range,
    // merged in range order (integer addition, so the result is the same bits as
    // one pass over all samples on one thread).
    std::vector<ScoreAccumulator> partial(tasks, ScoreAccumulator(m_impl->model.architecture.objective));
    EnginePool::Get().Run(tasks, [&](size_t t) {
        const size_t begin = bounds[t], end = bounds[t + 1];
        m_impl->RunBatches(dataset.inputs.data(), begin, end, [&](size_t first, size_t b, const int32_t* v, size_t n) {
            for (size_t i = 0; i < b; ++i) partial[t].Add(v + i * n, n, dataset, first + i);
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
