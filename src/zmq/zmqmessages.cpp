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

} // namespace zmqmsg
