// EngineExecutor: the node's OdaExecutor (oda/chain/executor.h). It re-scores claimed
// weights and runs inferences with the consensus engine (oda/engine/engine.h) on files from
// the node's model file store (oda/storage/file_store.h), through a content cache
// (node/oda_work_cache.h).
//
// Verdicts (doc/oda-protocol.md section 2.5, "Execution"):
//   ScoreWeights   MISSING_DATA  the weights or the dataset file is not held (report.missing
//                                lists each file lacked), or a held file no longer matches its
//                                commitment on disk (it is dropped from the store so that it
//                                can be imported or fetched again: local damage never makes a
//                                block invalid)
//                  INVALID       the architecture does not decode or analyze, the weights file
//                                is not weights for this architecture, the dataset file is not
//                                a dataset that fits the model or its sample count differs from
//                                the record's, or the score differs from the claim
//                                ("claimed N, scored M")
//                  VALID         the score equals the claim
//   RunInference   INVALID       the input does not have the model's input size (checked before
//                                any file is looked at), or the pinned weights do not fit
//                  MISSING_DATA  the pinned version's weights file is not held (as above)
//                  VALID         `output` = the output tensor (int8, or int32 logits)
// Deterministic: the engine's result does not depend on threads or CPU features; the cache
// holds only recomputable facts. Thread-safe: ConnectBlock calls it under the chain lock and
// the mempool outside it, concurrently; the store and cache have their own locks and no
// lock is held while the engine runs.
#ifndef ODA_NODE_ODA_EXECUTOR_H
#define ODA_NODE_ODA_EXECUTOR_H

#include <node/oda_work_cache.h>
#include <oda/chain/executor.h>

#include <memory>

namespace oda::storage {
class FileStore;
}
namespace oda::model {
struct Architecture;
}

namespace node {

class EngineExecutor final : public oda::chain::OdaExecutor
{
public:
    /** `store` must outlive the executor's use (subsystems.cpp resets the executor first). */
    explicit EngineExecutor(std::shared_ptr<oda::storage::FileStore> store);

    oda::chain::ExecOutcome ScoreWeights(const uint256& model_id, const oda::chain::ModelRecord& model,
                                         const oda::chain::Commitment& weights, int64_t claimed_score,
                                         oda::chain::ExecReport& report) override;
    oda::chain::ExecOutcome RunInference(const uint256& model_id, const oda::chain::ModelRecord& model,
                                         const oda::chain::ModelVersion& version, const oda::chain::Infer& infer,
                                         oda::chain::OutputTensor& output, oda::chain::ExecReport& report) override;

    /** Runs the pending inferences whose outputs are not cached, one engine Run call per
     *  (architecture, weights) group, and caches the outputs. Those that cannot run (file
     *  missing, wrong input size, weights that do not fit) are skipped: RunInference gives
     *  their verdicts. */
    void PrefetchInferences(const std::vector<PendingInference>& pending) override;

    /** Computes the score of `weights` on the model's dataset without comparing it to a claim
     *  (cached like ScoreWeights). For callers that report the actual score. */
    oda::chain::ExecOutcome Score(const oda::chain::ModelRecord& model, const oda::chain::Commitment& weights,
                                  int64_t& score, oda::chain::ExecReport& report);

    OdaWorkCache& Cache() { return m_cache; }
    WorkCacheStats CacheStats() const { return m_cache.Stats(); }

private:
    /** The compiled model of (architecture, weights): from the cache, or read, parsed, checked
     *  and compiled. */
    oda::chain::ExecOutcome LoadModel(const uint256& arch_key, const oda::model::Architecture& arch,
                                      const oda::chain::Commitment& weights,
                                      std::shared_ptr<const oda::engine::CompiledModel>& out,
                                      oda::chain::ExecReport& report);
    oda::chain::ExecOutcome LoadDataset(const oda::chain::Commitment& dataset,
                                        std::shared_ptr<const oda::model::Dataset>& out,
                                        oda::chain::ExecReport& report);
    /** Reads a held file (verified again); MISSING_DATA when not held or damaged on disk. */
    oda::chain::ExecOutcome ReadFile(const oda::chain::Commitment& file, std::vector<uint8_t>& bytes,
                                     oda::chain::ExecReport& report);

    std::shared_ptr<oda::storage::FileStore> m_store;
    OdaWorkCache m_cache;
};

} // namespace node

#endif // ODA_NODE_ODA_EXECUTOR_H
