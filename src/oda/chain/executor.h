// The seam between the registry rules (oda/chain/registry_rules.h) and model execution.
//
// Contextual ODA rules that need to run a model (re-scoring claimed weights, running an
// inference) call an OdaExecutor; the node's is node/oda_executor.h (EngineExecutor). With
// no executor (nullptr), scores and result outputs are trusted as claimed and inferences
// are not run, as the -assumevalid path of doc/oda-protocol.md section 2.5 does.
// An implementation must be deterministic and answer:
//   VALID         the claim holds (score reproduced / inference ran within limits)
//   INVALID       the claim is false: the transaction, and so its block, is invalid
//                 ("bad-oda-score" for weights, "bad-oda-infer" for an inference)
//   MISSING_DATA  a weights or dataset file is not available yet: the block is neither valid
//                 nor invalid (TX_DATA_UNAVAILABLE / BLOCK_DATA_UNAVAILABLE, "oda-data-unavailable")
#ifndef ODA_ODA_CHAIN_EXECUTOR_H
#define ODA_ODA_CHAIN_EXECUTOR_H

#include <oda/chain/payload.h>
#include <oda/chain/registry.h>

#include <string>
#include <vector>

namespace oda::chain {

enum class ExecOutcome { VALID, INVALID, MISSING_DATA };

/** What an executor says besides its verdict. */
struct ExecReport {
    std::string debug;               //!< INVALID: why (e.g. the score actually reached)
    std::vector<Commitment> missing; //!< MISSING_DATA: every file it lacked for this call
};

class OdaExecutor
{
public:
    virtual ~OdaExecutor() = default;
    /** Do `weights` reach `claimed_score` on the model's dataset? Asked for the initial
     *  weights of an add-model and for every update-weights. */
    virtual ExecOutcome ScoreWeights(const uint256& model_id, const ModelRecord& model, const Commitment& weights,
                                     int64_t claimed_score, ExecReport& report) = 0;
    /** Runs `infer` on the pinned version; on VALID `output` is the output tensor the
     *  block's result payload must carry for it, bit for bit. */
    virtual ExecOutcome RunInference(const uint256& model_id, const ModelRecord& model, const ModelVersion& version,
                                     const Infer& infer, OutputTensor& output, ExecReport& report) = 0;

    /** One inference a block is expected to ask for (see PrefetchInferences). */
    struct PendingInference {
        const ModelRecord* model;
        const ModelVersion* version;
        const Infer* infer;
    };
    /** A hint before a block's transactions are applied: the inferences it will probably ask
     *  RunInference for, so that an implementation can run those of one model version as one
     *  batch. It has no verdict and changes no rule: RunInference still answers each
     *  inference (an implementation may answer it from what the hint computed, which must
     *  be the same bits). Default: nothing. */
    virtual void PrefetchInferences(const std::vector<PendingInference>& pending) {}
};

} // namespace oda::chain

#endif // ODA_ODA_CHAIN_EXECUTOR_H
