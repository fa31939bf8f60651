// The bytes of a ZeroMQ notification (doc/zmq.md), as pure functions so that they can be
// tested without a socket.
//
// Every notification is one multipart message of three frames:
//   [topic, body, 4-byte little-endian per-topic sequence number].
// Bodies:
//   hashblock, hashtx: the 32-byte hash in display order (as RPC prints it, i.e. the reverse of
//                      the stored little-endian order);
//   rawblock, rawtx:   the serialized block / transaction, witness included;
//   sequence:          32-byte display-order hash + one label byte ('C' block connected,
//                      'D' block disconnected, 'A' tx added to the mempool, 'R' tx removed
//                      from it), and for 'A' / 'R' the 8-byte little-endian mempool sequence;
//   inference:         txid (32, display order) . model id (32, display order) . output: one
//                      byte element type (0 int8, 1 int32, 0xff none: the block carries no
//                      result) . 4-byte LE count . the values as 4-byte LE signed integers;
//   model:             model id (32, display order) . weights version = pieces root of the
//                      weights (32, storage order) . 8-byte LE signed score . one byte kind
//                      (1 add-model, 3 update-weights, the payload kinds).
#ifndef ODA_ZMQ_ZMQMESSAGES_H
#define ODA_ZMQ_ZMQMESSAGES_H

#include <primitives/block.h>
#include <primitives/transaction.h>
#include <uint256.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zmqmsg {

using Frame = std::vector<uint8_t>;

/** The three frames of one notification. */
std::vector<Frame> BuildMessage(const std::string& topic, const Frame& body, uint32_t topic_sequence);

/** 32 bytes, display order. */
Frame HashBody(const uint256& hash);
/** Serialized with witness. */
Frame RawTxBody(const CTransaction& tx);
Frame RawBlockBody(const CBlock& block);

enum class SequenceLabel : uint8_t {
    BLOCK_CONNECTED = 'C',
    BLOCK_DISCONNECTED = 'D',
    MEMPOOL_ADDED = 'A',
    MEMPOOL_REMOVED = 'R',
};
/** hash + label (+ 8-byte LE mempool sequence, given exactly for the mempool labels). */
Frame SequenceBody(const uint256& hash, SequenceLabel label, std::optional<uint64_t> mempool_sequence);

/** `inference` body (see above); output nullopt = none. */
Frame InferenceBody(const uint256& txid, const uint256& model_id, const std::optional<uint8_t>& element_type,
                    const std::vector<int32_t>& values);
/** `model` body (see above). */
Frame ModelBody(const uint256& model_id, const uint256& weights_root, int64_t score, uint8_t kind);

} // namespace zmqmsg

#endif // ODA_ZMQ_ZMQMESSAGES_H
