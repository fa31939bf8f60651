// The seam between the registry rules (oda/chain/registry_rules.h) and model execution.
//
// Contextual ODA rules that need to run a model (re-scoring claimed weights, running an
// inference) call an OdaExecutor. Nothing implements it yet: with no executor
// (nullptr), scores are trusted as claimed and inferences are not run, exactly as the
// -assumevalid path of doc/oda-protocol.md section 2.5 builds the registry from claims.
// An implementation (the execution step) must be deterministic and answer:
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

namespace oda::chain {

enum class ExecOutcome { VALID, INVALID, MISSING_DATA };

class OdaExecutor
{
public:
    virtual ~OdaExecutor() = default;
    /** Do `weights` reach `claimed_score` on the model's dataset? Asked for the initial
     *  weights of an add-model and for every update-weights. On INVALID, `debug` says why
     *  (e.g. the score actually reached). */
    virtual ExecOutcome ScoreWeights(const uint256& model_id, const ModelRecord& model, const Commitment& weights,
                                     int64_t claimed_score, std::string& debug) = 0;
    /** Can `infer` run on the pinned version (input shape, compute limits)? */
    virtual ExecOutcome RunInference(const uint256& model_id, const ModelRecord& model, const ModelVersion& version,
                                     const Infer& infer, std::string& debug) = 0;
};

} // namespace oda::chain

#endif // ODA_ODA_CHAIN_EXECUTOR_H
