// interfaces::Chain: everything the wallet needs from the node, and nothing more.
//
// The wallet (src/wallet/, src/rpc/wallet.cpp) reaches the block chain, the mempool and the
// notification queue only through this class; it includes no node/ header and never takes
// a node lock (doc/design/libraries.md, "Narrow interfaces"). The node implements it in
// node/chain_interface.cpp (node::MakeChain), taking its own locks inside each call, so
// ChainstateManager / CTxMemPool can change without touching the wallet, and the wallet can
// be driven by a different implementation in tests.
//
// Contract that holds for every method unless it says otherwise:
// - Thread: callable from any thread (RPC threads, the notification thread).
// - Locks: each call takes the node locks it needs (chainstate lock, then mempool lock) and
//   releases them before returning, so the caller sees one consistent state per call, not
//   across calls. The caller may hold its own (wallet) locks: the node never calls the
//   wallet while holding a node lock (wallet notifications are QUEUED, delivered with no node
//   lock held), so the lock order is wallet -> chainstate -> mempool and cannot invert.
//   The caller must not hold a wallet lock in WaitForNotifications() (see there).
// - Failure: lookups report "not found" by nullopt/false; a block that is in the chain but
//   cannot be read from disk is reported with an error text. Nothing throws, except that
//   exceptions thrown by a caller's callback pass through unchanged.
// - Heights are those of the active chain (genesis = 0); -1 means "no block".
#ifndef ODA_INTERFACES_CHAIN_H
#define ODA_INTERFACES_CHAIN_H

#include <consensus/amount.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <uint256.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace interfaces {

/** One weights version of a registered model (doc/oda-protocol.md section 2.5), as plain data. */
struct ModelVersionInfo {
    uint256 weights_root;   //!< pieces root of the weights commitment (the infer's version)
    uint64_t weights_size{0};
    int64_t score{0};
    ScriptBytes trainer_script;
};

/** A registered model at the tip, as plain data (the wallet decodes `architecture` itself). */
struct ModelInfo {
    uint256 model_id;
    std::vector<uint8_t> architecture;  //!< the binary architecture encoding
    uint256 dataset_root;
    uint64_t dataset_size{0};
    uint32_t dataset_samples{0};
    COutPoint owner;
    ScriptBytes owner_script;
    int64_t royalty{0};
    uint16_t trainer_share_bp{0};
    int64_t min_improvement{0};
    uint32_t current_version{0};
    int64_t current_score{0};
    std::vector<ModelVersionInfo> versions;  //!< every version, index 0 first
};

/** A model file (weights or dataset) held by the node's file store. */
struct ModelFileInfo {
    uint256 pieces_root;
    uint64_t size{0};
    bool is_weights{false};
    uint32_t samples{0};  //!< datasets: number of samples
};

/** Why a model-file or scoring call failed, so the caller picks its RPC code. */
enum class ModelCallFailure {
    NONE,
    PATH,      //!< a path that cannot be read
    CONTENT,   //!< not a valid weights or dataset file, or files that do not fit each other
    MISMATCH,  //!< not the file a commitment names
    MISSING,   //!< the node's file store lacks a file the call needs
    OTHER,     //!< storage or internal failure
};

/** Where a block is: what the wallet records about a block besides its transactions. */
struct BlockInfo {
    uint256 hash;
    int height{-1};
    int64_t time{0};   //!< the header's timestamp
    uint256 prev_hash; //!< null for the genesis block
};

/** Unregisters a notification subscription; destroying it unregisters too. */
class Handler
{
public:
    virtual ~Handler() = default;
    /** Returns once no callback of the subscription is running or will run (so the
     *  subscriber may be destroyed). Must not be called with a lock held that the callbacks
     *  take (a running callback could then never finish). Idempotent. */
    virtual void Disconnect() = 0;
};

class Chain
{
public:
    /** The events the wallet follows. Delivered on the node's notification thread, in the
     *  order they happened, with no node lock held (QUEUED delivery of
     *  node/validationinterface.h). A callback must not throw (an exception is logged and
     *  dropped) and may call back into Chain. */
    class Notifications
    {
    public:
        virtual ~Notifications() = default;
        /** A transaction entered the mempool (from peers, RPC, the wallet itself). */
        virtual void TransactionAddedToMempool(const CTransactionRef& tx) {}
        /** A block joined the active chain (one call per block, lowest first). */
        virtual void BlockConnected(const std::shared_ptr<const CBlock>& block, const BlockInfo& info) {}
        /** A block left the active chain (tip first during a reorg). */
        virtual void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const BlockInfo& info) {}
    };

    virtual ~Chain() = default;

    // ---- the active chain

    /** The tip, or nullopt when the chain has no block yet. */
    virtual std::optional<BlockInfo> GetTip() = 0;
    /** Height of the tip (-1 when there is no block). */
    virtual int GetHeight() = 0;
    /** The block with this hash if it is in the active chain (a block that is only known,
     *  or on a side branch, gives nullopt). */
    virtual std::optional<BlockInfo> FindActiveBlock(const uint256& hash) = 0;
    /** Height of the first active-chain block whose timestamp is >= min_time; nullopt when
     *  none is (every block is older). */
    virtual std::optional<int> FindFirstBlockWithTimeAtLeast(int64_t min_time) = 0;
    /** Calls fn(block, info) for the active-chain blocks at heights [start, stop] in height
     *  order, stop = -1 or beyond the tip meaning the tip, start < 0 meaning 0. The
     *  chainstate lock is held for the whole scan, so no block is connected or disconnected
     *  in between; fn must therefore be quick per block and must not wait for another
     *  thread that needs the chainstate. Returns the heights actually scanned
     *  ({start, start - 1} when the range is empty), or nullopt with *error when a block
     *  cannot be read (blocks before it were passed to fn). */
    virtual std::optional<std::pair<int, int>> ScanBlocks(int start, int stop,
                                                          const std::function<void(const CBlock&, const BlockInfo&)>& fn,
                                                          std::string* error) = 0;

    // ---- fees

    /** Median fee rate (units per 1000 vbytes) of the non-coinbase transactions of the last
     *  `blocks` blocks of the active chain (the genesis block excluded), computed by the node
     *  from its block and undo data (node/fee_stats.h). nullopt when those blocks hold no such
     *  transaction. A block or undo record that cannot be read ends the walk early (the
     *  blocks above it still count). */
    virtual std::optional<CAmount> MedianFeeRate(int blocks) = 0;
    /** The lowest fee rate (units/kvB) a transaction needs to enter the mempool now: the
     *  larger of the minimum relay fee and the pool's rolling minimum. Takes only the mempool
     *  lock. */
    virtual CAmount MempoolMinFeeRate() = 0;

    // ---- the mempool

    /** Submits a transaction to the mempool (which relays it to peers). True when accepted;
     *  false with *reject_reason (the mempool's reason, as in sendrawtransaction's error,
     *  e.g. "min relay fee not met", "bad-txns-inputs-missingorspent") otherwise. */
    virtual bool BroadcastTransaction(const CTransactionRef& tx, std::string* reject_reason) = 0;
    /** True when the mempool holds a transaction with this txid. Takes only the mempool lock. */
    virtual bool IsInMempool(const uint256& txid) = 0;

    // ---- the UTXO set

    /** The output if it is unspent in the UTXO set at the tip (mempool spends not counted). */
    virtual std::optional<CTxOut> GetUnspentOutput(const COutPoint& outpoint) = 0;

    // ---- ODA models (doc/oda-protocol.md sections 2.5, 4, 7). Registry reads see the tip's
    //      registry (the chainstate lock is held for the read); file and scoring calls take
    //      no chainstate lock and may run for long (scoring a dataset).

    /** The model as registered at the tip, with every version; nullopt if not registered. */
    virtual std::optional<ModelInfo> GetModel(const uint256& model_id) = 0;
    /** What one inference on the model at `version` owes per script (section 7,
     *  ComputeRoyaltyOwed on the tip registry; zero amounts left out). nullopt with *error
     *  when the model or version is not registered. */
    virtual std::optional<std::vector<std::pair<ScriptBytes, CAmount>>> RoyaltyOwed(const uint256& model_id, uint32_t version,
                                                                                    std::string* error) = 0;
    /** The fee the node's mempool requires for `compute_units` on top of the size fee
     *  (node/policy.h MinComputeFee at the node's fee per million compute units). */
    virtual CAmount ComputeFee(int64_t compute_units) = 0;
    /** Imports a file into the node's model file store (as the importmodelfile RPC does). */
    virtual std::optional<ModelFileInfo> ImportModelFile(const std::string& path, std::string* error,
                                                         ModelCallFailure* failure) = 0;
    /** Score of the weights file `weights` on the dataset file `dataset` for the encoded
     *  architecture, computed by the consensus engine from the node's file store (the score
     *  every node reproduces). nullopt with *error and *failure (MISSING when a file is not
     *  held, CONTENT when they do not fit the architecture). */
    virtual std::optional<int64_t> ScoreWeights(const std::vector<uint8_t>& architecture, const uint256& weights_root,
                                                uint64_t weights_size, const uint256& dataset_root, uint64_t dataset_size,
                                                std::string* error, ModelCallFailure* failure) = 0;

    // ---- notifications and errors

    /** Subscribes `notifications` (which must outlive the returned handler). With the
     *  chainstate lock held, first runs catch_up (the subscriber brings itself to the
     *  current tip, typically with ScanBlocks), then registers: every block connected or
     *  disconnected after catch_up's view of the chain is delivered, none before it, none
     *  twice. catch_up runs on the calling thread and may call Chain methods. */
    virtual std::unique_ptr<Handler> HandleNotifications(Notifications& notifications,
                                                         const std::function<void()>& catch_up) = 0;
    /** Returns once every notification queued before the call has been delivered (RPCs that
     *  must see the wallet up to date call it first). Must be called with no wallet lock
     *  held (the callbacks being waited for need it) and not from a notification callback. */
    virtual void WaitForNotifications() = 0;
    /** Reports a failure the node cannot continue after (the wallet could not record a
     *  block): logged, and the node shuts down. Takes no node lock, so it may be called
     *  from a notification callback with wallet locks held. */
    virtual void FatalError(const std::string& message) = 0;
};

} // namespace interfaces

#endif // ODA_INTERFACES_CHAIN_H
