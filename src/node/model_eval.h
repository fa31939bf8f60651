// Local model evaluation from the node's file store: the score of a weights file on a
// dataset file for an architecture, computed with the consensus engine (oda/engine/engine.h),
// so the number is exactly the one every node reproduces when it re-scores a claim
// (doc/oda-protocol.md sections 2.5 and 3). Used by the wallet's addmodel / updateweights
// (through interfaces::Chain) to write an exact claim, and by evaluatemodel.
//
// Both files are read with FileStore::ReadVerified (hashed again against the commitment),
// decoded and checked against the architecture (MakeModel, CheckDataset) before the engine
// runs, so untrusted files give an error, never a crash. Takes no node lock; scoring a large
// dataset takes as long as the engine does.
#ifndef ODA_NODE_MODEL_EVAL_H
#define ODA_NODE_MODEL_EVAL_H

#include <oda/chain/payload.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace oda::storage {
class FileStore;
}

namespace node {

enum class EvalFailure {
    NONE,
    MISSING,  //!< a file is not held by the store
    CONTENT,  //!< architecture, weights or dataset invalid, or they do not fit each other
};

/** Score of weights file bytes on dataset file bytes for the encoded architecture (both
 *  decoded and checked first); nullopt with `error` (failure CONTENT). */
std::optional<int64_t> ScoreFileBytes(const std::vector<uint8_t>& architecture, const std::vector<uint8_t>& weights,
                                      const std::vector<uint8_t>& dataset, std::string& error);

/** Score of `weights` on `dataset` for the encoded architecture; nullopt with `error`. */
std::optional<int64_t> ScoreFromStore(const oda::storage::FileStore& store, const std::vector<uint8_t>& architecture,
                                      const oda::chain::Commitment& weights, const oda::chain::Commitment& dataset,
                                      std::string& error, EvalFailure& failure);

} // namespace node

#endif // ODA_NODE_MODEL_EVAL_H
