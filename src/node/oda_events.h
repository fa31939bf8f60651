// What a connected block did to ODA state, read from the block alone (no registry, no lock):
// for outside consumers of the notification interface (ZeroMQ `inference` and `model`
// topics, doc/zmq.md). A connected block is valid, so every ODA output in it decodes, and its
// coinbase result payload holds one output per infer transaction in block order
// (doc/oda-protocol.md section 2.2).
#ifndef ODA_NODE_ODA_EVENTS_H
#define ODA_NODE_ODA_EVENTS_H

#include <oda/chain/payload.h>
#include <primitives/block.h>
#include <uint256.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace node {

struct InferenceEvent {
    uint256 txid;
    uint256 model_id;
    std::optional<oda::chain::OutputTensor> output;  //!< nullopt: the block carries no result for it
};

struct ModelEvent {
    uint256 model_id;
    uint256 weights_root;  //!< the version's weights pieces root (how an infer names a version)
    int64_t score{0};      //!< the claimed score, equal to the network's re-score in a valid block
    bool added{false};     //!< add-model (version 0) rather than update-weights
};

std::vector<InferenceEvent> InferenceEventsOf(const CBlock& block);
std::vector<ModelEvent> ModelEventsOf(const CBlock& block);

} // namespace node

#endif // ODA_NODE_ODA_EVENTS_H
