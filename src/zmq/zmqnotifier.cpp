#include <zmq/zmqnotifier.h>

#include <node/blockindex.h>
#include <node/oda_events.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/strencodings.h>

#include <zmq.h>

#include <cerrno>

namespace {
// Option type -> topic string on the wire, in the order of ZmqNotifier::Topic.
const char* const TOPIC_NAMES[] = {"hashblock", "rawblock", "hashtx", "rawtx", "sequence", "inference", "model"};

std::string ZmqError() { return zmq_strerror(zmq_errno()); }
} // namespace

const std::vector<std::string>& ZmqPublisherTypes()
{
    static const std::vector<std::string> types{"pubhashblock", "pubrawblock", "pubhashtx", "pubrawtx",
                                                "pubsequence", "pubinference", "pubmodel"};
    return types;
}

bool ReadZmqOptions(const ArgsManager& args, std::vector<ZmqPublisherConfig>& out, std::string& error)
{
    out.clear();
    for (const std::string& type : ZmqPublisherTypes()) {
        const std::vector<std::string> addresses = args.GetArgs("-zmq" + type);
        if (addresses.empty()) continue;
        int hwm = DEFAULT_ZMQ_SNDHWM;
        if (auto value = args.GetArg("-zmq" + type + "hwm")) {
            int64_t n;
            if (!ParseInt64(*value, &n) || n < 0 || n > 0x7fffffff) {
                error = strprintf("Invalid value for -zmq%shwm: '%s' (expected a number of messages >= 0)",
                                  type.c_str(), SanitizeString(*value, 100).c_str());
                return false;
            }
            hwm = static_cast<int>(n);
        }
        for (const std::string& address : addresses) {
            if (address.empty()) {
                error = strprintf("-zmq%s needs an address (e.g. tcp://127.0.0.1:28332)", type.c_str());
                return false;
            }
            out.push_back({type, address, hwm});
        }
    }
    return true;
}

std::unique_ptr<ZmqNotifier> ZmqNotifier::Create(const std::vector<ZmqPublisherConfig>& configs, std::string& error)
{
    std::unique_ptr<ZmqNotifier> n(new ZmqNotifier());
    n->m_context = zmq_ctx_new();
    if (!n->m_context) {
        error = "Unable to create the ZeroMQ context: " + ZmqError();
        return nullptr;
    }
    for (const ZmqPublisherConfig& config : configs) {
        int topic = 0;
        while (topic < TOPIC_COUNT && config.type != std::string("pub") + TOPIC_NAMES[topic]) ++topic;
        if (topic == TOPIC_COUNT) {
            error = "Unknown ZeroMQ notification type " + config.type;
            return nullptr;
        }
        void*& socket = n->m_sockets[config.address];
        if (!socket) {
            socket = zmq_socket(n->m_context, ZMQ_PUB);
            if (!socket) {
                n->m_sockets.erase(config.address);
                error = "Unable to create a ZeroMQ socket: " + ZmqError();
                return nullptr;
            }
            const int hwm = config.hwm;
            const int linger = 0; // shutdown must not wait for slow subscribers
            const int keepalive = 1;
            zmq_setsockopt(socket, ZMQ_SNDHWM, &hwm, sizeof(hwm));
            zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof(linger));
            zmq_setsockopt(socket, ZMQ_TCP_KEEPALIVE, &keepalive, sizeof(keepalive));
            if (config.address.find('[') != std::string::npos) {
                const int ipv6 = 1;
                zmq_setsockopt(socket, ZMQ_IPV6, &ipv6, sizeof(ipv6));
            }
            if (zmq_bind(socket, config.address.c_str()) != 0) {
                error = strprintf("Unable to bind ZeroMQ socket for -zmq%s to address %s: %s", config.type.c_str(),
                                  SanitizeString(config.address, 200).c_str(), ZmqError().c_str());
                return nullptr;
            }
            LogDebug(BCLog::ZMQ, "zmq: bound PUB socket to %s (hwm %d)\n", config.address.c_str(), hwm);
        }
        n->m_publishers.push_back({config, static_cast<Topic>(topic), socket});
        n->m_enabled[topic] = true;
        LogPrintf("zmq: publishing %s on %s\n", TOPIC_NAMES[topic], config.address.c_str());
    }
    return n;
}

ZmqNotifier::~ZmqNotifier()
{
    for (auto& [address, socket] : m_sockets) {
        if (socket) zmq_close(socket);
    }
    if (m_context) zmq_ctx_term(m_context);
}

std::vector<ZmqPublisherConfig> ZmqNotifier::GetActiveNotifications() const
{
    std::vector<ZmqPublisherConfig> out;
    for (const Publisher& p : m_publishers) out.push_back(p.config);
    return out;
}

void ZmqNotifier::Send(Topic topic, const zmqmsg::Frame& body)
{
    for (Publisher& p : m_publishers) {
        if (p.topic != topic) continue;
        const std::vector<zmqmsg::Frame> frames = zmqmsg::BuildMessage(TOPIC_NAMES[topic], body, p.sequence);
        ++p.sequence; // advances on failure too: a subscriber sees the gap
        for (size_t i = 0; i < frames.size(); ++i) {
            const int flags = i + 1 < frames.size() ? ZMQ_SNDMORE : 0;
            // A PUB socket never blocks: at the high-water mark ZeroMQ drops the message.
            int rc;
            do {
                rc = zmq_send(p.socket, frames[i].data(), frames[i].size(), flags);
            } while (rc < 0 && zmq_errno() == EINTR);
            if (rc < 0) {
                LogDebug(BCLog::ZMQ, "zmq: sending %s to %s failed: %s\n", TOPIC_NAMES[topic],
                         p.config.address.c_str(), ZmqError().c_str());
                break;
            }
        }
    }
}

void ZmqNotifier::NotifyTransaction(const CTransaction& tx)
{
    if (Has(HASHTX)) Send(HASHTX, zmqmsg::HashBody(tx.GetTxid()));
    if (Has(RAWTX)) Send(RAWTX, zmqmsg::RawTxBody(tx));
}

void ZmqNotifier::TransactionAddedToMempool(const CTransactionRef& tx, uint64_t mempool_sequence)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    NotifyTransaction(*tx);
    if (Has(SEQUENCE)) {
        Send(SEQUENCE, zmqmsg::SequenceBody(tx->GetTxid(), zmqmsg::SequenceLabel::MEMPOOL_ADDED, mempool_sequence));
    }
}

void ZmqNotifier::TransactionRemovedFromMempool(const CTransactionRef& tx, MemPoolRemovalReason reason,
                                                uint64_t mempool_sequence)
{
    // A block's transactions leave the pool because the block connected; its 'C' says so.
    if (reason == MemPoolRemovalReason::BLOCK || !Has(SEQUENCE)) return;
    std::lock_guard<std::mutex> lock(m_mutex);
    Send(SEQUENCE, zmqmsg::SequenceBody(tx->GetTxid(), zmqmsg::SequenceLabel::MEMPOOL_REMOVED, mempool_sequence));
}

void ZmqNotifier::BlockConnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const uint256& hash = index->GetBlockHash();
    if (Has(HASHBLOCK)) Send(HASHBLOCK, zmqmsg::HashBody(hash));
    if (Has(RAWBLOCK)) Send(RAWBLOCK, zmqmsg::RawBlockBody(*block));
    if (Has(HASHTX) || Has(RAWTX)) {
        for (const CTransactionRef& tx : block->vtx) NotifyTransaction(*tx);
    }
    if (Has(INFERENCE)) {
        for (const node::InferenceEvent& e : node::InferenceEventsOf(*block)) {
            std::optional<uint8_t> type;
            if (e.output) type = static_cast<uint8_t>(e.output->type);
            Send(INFERENCE, zmqmsg::InferenceBody(e.txid, e.model_id, type, e.output ? e.output->values : std::vector<int32_t>{}));
        }
    }
    if (Has(MODEL)) {
        for (const node::ModelEvent& e : node::ModelEventsOf(*block)) {
            Send(MODEL, zmqmsg::ModelBody(e.model_id, e.weights_root, e.score, e.added ? 1 : 3));
        }
    }
    if (Has(SEQUENCE)) Send(SEQUENCE, zmqmsg::SequenceBody(hash, zmqmsg::SequenceLabel::BLOCK_CONNECTED, std::nullopt));
}

void ZmqNotifier::BlockDisconnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index)
{
    if (!Has(SEQUENCE)) return;
    std::lock_guard<std::mutex> lock(m_mutex);
    Send(SEQUENCE, zmqmsg::SequenceBody(index->GetBlockHash(), zmqmsg::SequenceLabel::BLOCK_DISCONNECTED,
                                        std::nullopt));
}
