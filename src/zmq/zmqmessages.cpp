#include <zmq/zmqmessages.h>

#include <streams.h>

#include <iterator>

namespace zmqmsg {

namespace {
void AppendLE(Frame& out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}
} // namespace

std::vector<Frame> BuildMessage(const std::string& topic, const Frame& body, uint32_t topic_sequence)
{
    Frame seq;
    AppendLE(seq, topic_sequence, 4);
    return {Frame(topic.begin(), topic.end()), body, std::move(seq)};
}

Frame HashBody(const uint256& hash)
{
    // Stored little-endian; subscribers compare with the hex that RPC shows, so reverse.
    return Frame(std::make_reverse_iterator(hash.end()), std::make_reverse_iterator(hash.begin()));
}

Frame RawTxBody(const CTransaction& tx) { return SerializeToBytes(tx); }

Frame RawBlockBody(const CBlock& block) { return SerializeToBytes(block); }

Frame SequenceBody(const uint256& hash, SequenceLabel label, std::optional<uint64_t> mempool_sequence)
{
    Frame out = HashBody(hash);
    out.push_back(static_cast<uint8_t>(label));
    if (mempool_sequence) AppendLE(out, *mempool_sequence, 8);
    return out;
}

Frame InferenceBody(const uint256& txid, const uint256& model_id, const std::optional<uint8_t>& element_type,
                    const std::vector<int32_t>& values)
{
    Frame out = HashBody(txid);
    const Frame model = HashBody(model_id);
    out.insert(out.end(), model.begin(), model.end());
    out.push_back(element_type ? *element_type : 0xff);
    AppendLE(out, element_type ? values.size() : 0, 4);
    if (element_type) {
        for (int32_t v : values) AppendLE(out, static_cast<uint32_t>(v), 4);
    }
    return out;
}

Frame ModelBody(const uint256& model_id, const uint256& weights_root, int64_t score, uint8_t kind)
{
    Frame out = HashBody(model_id);
    out.insert(out.end(), weights_root.begin(), weights_root.end()); // storage order, as getmodel prints roots
    AppendLE(out, static_cast<uint64_t>(score), 8);
    out.push_back(kind);
    return out;
}

} // namespace zmqmsg
