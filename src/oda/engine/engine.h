// The consensus engine: batched integer inference and dataset scoring with exact
// integer kernels: the matrix kernel of kernels.h for Dense, the position-major
// convolution of conv.h for Conv2D (both requantize in their epilogue, a following
// ReLU fused in), direct loops for pooling, ReLU and Flatten, all on raw per-batch
// buffers (no libtorch tensors in the hot path).
//
// Contract: for every model and input it returns exactly what the reference
// interpreter (reference.h) returns, bit for bit, independent of the engine and
// libtorch thread counts and of the kernel (AVX-512 VNNI, AVX2 or scalar).
// Parallelism is over samples: Run and Score split the samples into ranges run on
// the engine's thread pool; a sample's output does not depend on the other samples
// of its batch, and the score's partial sums (integers) merge in range order. Many
// single inferences of one model (a block's inferences on one model and version)
// should go through one Run call: it batches them through the matrix kernels and
// spreads them over the pool. This header does not include libtorch, so callers
// compile quickly.
#ifndef ODA_ODA_ENGINE_ENGINE_H
#define ODA_ODA_ENGINE_ENGINE_H

#include <oda/engine/kernels.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace oda::engine {

/** A validated model prepared once for repeated inference (weights packed for the
 *  kernels). Immutable after construction; Run/Score may be called concurrently. */
class CompiledModel
{
public:
    explicit CompiledModel(const model::Model& model, KernelKind kernel = KernelKind::AUTO);
    ~CompiledModel();
    CompiledModel(const CompiledModel&) = delete;
    CompiledModel& operator=(const CompiledModel&) = delete;

    /** Runs `count` inputs stored one after the other (each ShapeElements(input shape)
     *  int8 values). Returns one output per input. */
    std::vector<model::ModelOutput> Run(const int8_t* inputs, size_t count) const;
    model::ModelOutput RunOne(const int8_t* input) const;

    /** Scores the model on a dataset. Throws std::invalid_argument (with the
     *  CheckDataset message) if the dataset does not fit the model. */
    int64_t Score(const model::Dataset& dataset) const;

    /** Samples per internal batch (bounded so that activations stay below ~64 MiB). */
    size_t BatchSize() const;
    KernelKind Kernel() const;
    const model::Model& GetModel() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/** One-shot helpers (compile, then run or score). */
model::ModelOutput EngineRun(const model::Model& model, const int8_t* input);
int64_t EngineScore(const model::Model& model, const model::Dataset& dataset);

/** Threads of the engine's pool (created once per process and reused; default: the
 *  number of cores; 1 = everything on the calling thread; odad's -odathreads). The
 *  calling thread is one of them; a worker that finishes a job spins for up to
 *  0.3 ms before it sleeps, so the next job of a burst starts without a wake-up.
 *  The threads - 1 workers also set their ATen intra-op thread count to 1
 *  (for other ATen users; the engine itself runs no ATen operations), and
 *  libtorch's global thread count is not changed. A Run
 *  or Score that finds the pool busy with another caller's work runs on its own
 *  thread, so concurrent callers do not oversubscribe the cores. */
void SetEngineThreads(int threads);
int GetEngineThreads();

} // namespace oda::engine

#endif // ODA_ODA_ENGINE_ENGINE_H
