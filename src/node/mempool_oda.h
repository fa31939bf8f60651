// The mempool's ODA policy (doc/policy.md "ODA transactions"): what acceptance and the
// after-block eviction need to know about a transaction's ODA payload, on top of the registry
// rules of oda/chain/registry_rules.h.
//
// Contract:
//  - Everything here reads the tip's registry view it is given and changes nothing; the
//    caller holds the chain lock for as long as it uses that view.
//  - Execution (scoring weights, running an inference) is split in two so that it can run
//    WITHOUT the chain lock: SnapshotOdaWork copies, under the lock, all the executor needs
//    (records and versions are values, not references into the registry); RunOdaWork runs it
//    on the copy. The verdict is a pure function of content (architecture, weights, dataset,
//    input, claimed score), so it stays right for as long as the snapshot is unchanged.
//  - File availability is decided in ONE place, MempoolFileAvailable: today "held in the
//    store"; downloading sources will make it "held or being fetched".
#ifndef ODA_NODE_MEMPOOL_ODA_H
#define ODA_NODE_MEMPOOL_ODA_H

#include <consensus/params.h>
#include <consensus/validation.h>
#include <node/mempool_entry.h>
#include <oda/chain/executor.h>
#include <oda/chain/payload.h>
#include <oda/chain/registry.h>
#include <primitives/transaction.h>

#include <optional>
#include <string>
#include <vector>

namespace oda::storage {
class FileStore;
}

/** Kind and model of the transaction's user payload (payloads: 0 or 1 decoded). */
MempoolOdaFacts OdaFactsOf(const CTransaction& tx, const std::vector<oda::chain::Payload>& payloads);

/** The files a node must hold before it accepts `payload`: add-model its initial weights and
 *  dataset, update-weights the new weights and the model's dataset, infer the pinned weights;
 *  nothing for other kinds. A model or version the registry lacks adds nothing (the registry
 *  rules refuse such a transaction first). */
std::vector<oda::chain::Commitment> FilesNeededByPayload(const oda::chain::Payload& payload,
                                                         const oda::chain::RegistryView& registry);

/** THE rule for "the mempool has this file": held (verified) in the store. */
bool MempoolFileAvailable(const oda::storage::FileStore& store, const oda::chain::Commitment& file);

/** FilesNeededByPayload minus the available ones, in the same order. */
std::vector<oda::chain::Commitment> MissingMempoolFiles(const oda::chain::Payload& payload,
                                                        const oda::chain::RegistryView& registry,
                                                        const oda::storage::FileStore& store);

/** "<pieces root hex> (<size> bytes), ..." for a reject message. */
std::string DescribeFiles(const std::vector<oda::chain::Commitment>& files);

/** Does an infer pay the royalties of doc/oda-protocol.md section 7 to the model's current
 *  owner, the version's trainer and the parents' owners? False with "bad-oda-royalty". True for
 *  other kinds and for models/versions the registry lacks (the registry rules refuse those). */
bool CheckInferRoyalty(const CTransaction& tx, const oda::chain::Payload& payload, const oda::chain::RegistryView& registry,
                       TxValidationState& state);

/** Would the pool still accept this entry's transaction on top of `registry` (the new tip, in
 *  a block at `height`)? The registry rules (a model or version gone, an update no longer
 *  improving on the confirmed score) and the royalty outputs (an owner changed). False with the
 *  reason. Fees, files and execution are not re-checked: they do not change with the tip. */
bool OdaEntryStillValid(const CTransaction& tx, const oda::chain::RegistryView& registry, uint32_t height,
                        const ConsensusParams& params, TxValidationState& state);

/** What the executor must do for one transaction, copied out of the tip's registry. */
struct OdaWork {
    enum class Kind { SCORE, INFER };
    Kind kind{Kind::SCORE};
    uint256 model_id;
    oda::chain::ModelRecord model;
    // SCORE (add-model: its initial weights; update-weights: its new weights)
    oda::chain::Commitment weights;
    int64_t claimed_score{0};
    // INFER
    oda::chain::ModelVersion version;
    oda::chain::Infer infer;

    bool operator==(const OdaWork& o) const
    {
        return kind == o.kind && model_id == o.model_id && model == o.model && weights == o.weights &&
               claimed_score == o.claimed_score && version == o.version && infer == o.infer;
    }
};

/** The work `payload` of `tx` needs on top of `registry`: scoring for add-model and
 *  update-weights, the inference for an infer; nullopt for other kinds (and for a model or
 *  version the registry lacks). */
std::optional<OdaWork> SnapshotOdaWork(const CTransaction& tx, const oda::chain::Payload& payload,
                                       const oda::chain::RegistryView& registry);

/** An executor's answer to one OdaWork. */
struct OdaVerdict {
    OdaWork work;
    oda::chain::ExecOutcome outcome{oda::chain::ExecOutcome::INVALID};
    oda::chain::ExecReport report;
};

/** Runs the work (no lock needed: the work is a copy). */
OdaVerdict RunOdaWork(oda::chain::OdaExecutor& executor, const OdaWork& work);

/** The verdict as a transaction state: VALID true; a false score "bad-oda-score" (claimed and
 *  actual score), an impossible inference "bad-oda-infer", a lacking file "oda-files-missing"
 *  (naming the files). */
bool JudgeOdaVerdict(const OdaVerdict& verdict, TxValidationState& state);

#endif // ODA_NODE_MEMPOOL_ODA_H
