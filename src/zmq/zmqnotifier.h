// ZmqNotifier: publishes block, transaction and sequence notifications on ZeroMQ PUB sockets
// (doc/zmq.md has the options, the message format and the ordering guarantees).
//
// Contract:
// - A ChainstateObserver meant to be registered with ObserverDelivery::QUEUED. It never takes
//   a node lock (it only reads the block / transaction / index it is handed), so it is correct
//   whether the events arrive on the notification thread or, synchronously, on the thread that
//   changed the chain; its own mutex serializes the sockets (ZeroMQ sockets are not
//   thread-safe) and the per-topic sequence numbers.
// - One PUB socket per distinct address; topics configured on the same address share it (the
//   first topic's high-water mark applies to the socket).
// - Create() binds every socket before returning; a failed bind is an error (the node refuses
//   to start), not a silent degradation.
// - Per connected block: hashblock, rawblock, then hashtx/rawtx for each of its transactions
//   (block order), then `inference` for each infer transaction (block order, with its output
//   from the coinbase result payload), then `model` for each add-model / update-weights
//   (block order), then sequence 'C'. Per disconnected block: sequence 'D'. Per transaction
//   added to the mempool: hashtx, rawtx, sequence 'A'. Per transaction removed from the mempool
//   for a reason other than BLOCK: sequence 'R' (a block's own transactions are announced by
//   the block's 'C'). Every topic has its own 32-bit sequence number per address, starting at
//   0 and wrapping.
// - A send that ZeroMQ refuses is logged (-debug=zmq) and that topic's sequence number still
//   advances, so subscribers see the gap.
#ifndef ODA_ZMQ_ZMQNOTIFIER_H
#define ODA_ZMQ_ZMQNOTIFIER_H

#include <node/validationinterface.h>
#include <zmq/zmqmessages.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

class ArgsManager;

/** One configured notification (-zmqpub<topic>=<address>, -zmqpub<topic>hwm=<n>). */
struct ZmqPublisherConfig {
    std::string type;    //!< "pubhashblock", "pubrawblock", "pubhashtx", "pubrawtx", "pubsequence", "pubinference", "pubmodel"
    std::string address; //!< ZeroMQ endpoint, e.g. tcp://127.0.0.1:28332
    int hwm{1000};       //!< outbound high-water mark (messages)
};

/** The "-zmqpub<topic>" option names, without the leading "-zmq" ("pubhashblock", ...). */
const std::vector<std::string>& ZmqPublisherTypes();
constexpr int DEFAULT_ZMQ_SNDHWM{1000};

/** Reads the -zmqpub* options. false + error for an invalid (negative or non-numeric) hwm. */
bool ReadZmqOptions(const ArgsManager& args, std::vector<ZmqPublisherConfig>& out, std::string& error);

class ZmqNotifier final : public node::ChainstateObserver
{
public:
    /** Creates the context and binds one socket per distinct address; nullptr + error when
     *  ZeroMQ cannot be set up or an address cannot be bound. `configs` must not be empty. */
    static std::unique_ptr<ZmqNotifier> Create(const std::vector<ZmqPublisherConfig>& configs, std::string& error);
    ~ZmqNotifier() override;
    ZmqNotifier(const ZmqNotifier&) = delete;
    ZmqNotifier& operator=(const ZmqNotifier&) = delete;

    /** The active notifications in option order (getzmqnotifications). */
    std::vector<ZmqPublisherConfig> GetActiveNotifications() const;

    void TransactionAddedToMempool(const CTransactionRef& tx, uint64_t mempool_sequence) override;
    void TransactionRemovedFromMempool(const CTransactionRef& tx, MemPoolRemovalReason reason,
                                       uint64_t mempool_sequence) override;
    void BlockConnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index) override;
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index) override;

private:
    enum Topic { HASHBLOCK, RAWBLOCK, HASHTX, RAWTX, SEQUENCE, INFERENCE, MODEL, TOPIC_COUNT };
    struct Publisher {
        ZmqPublisherConfig config;
        Topic topic;
        void* socket;
        uint32_t sequence{0}; //!< messages sent on this topic and address (guarded by m_mutex)
    };

    ZmqNotifier() = default;
    bool Has(Topic topic) const { return m_enabled[topic]; }
    /** Sends body on every publisher of topic (caller holds m_mutex). */
    void Send(Topic topic, const zmqmsg::Frame& body);
    void NotifyTransaction(const CTransaction& tx);

    void* m_context{nullptr};
    std::map<std::string, void*> m_sockets; //!< address -> PUB socket
    std::vector<Publisher> m_publishers;
    bool m_enabled[TOPIC_COUNT]{};
    mutable std::mutex m_mutex;
};

#endif // ODA_ZMQ_ZMQNOTIFIER_H
