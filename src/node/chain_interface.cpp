#include <node/chain_interface.h>

#include <node/context.h>
#include <node/fee_stats.h>
#include <node/mempool.h>
#include <node/mempool_accept.h>
#include <node/model_eval.h>
#include <node/oda_executor.h>
#include <node/policy.h>
#include <node/validation.h>
#include <node/validationinterface.h>
#include <oda/chain/registry.h>
#include <oda/chain/royalty.h>
#include <oda/storage/file_store.h>
#include <util/sync.h>

#include <algorithm>
#include <mutex>

namespace node {
namespace {

interfaces::BlockInfo InfoOf(const CBlockIndex& index)
{
    interfaces::BlockInfo info;
    info.hash = index.GetBlockHash();
    info.height = index.height;
    info.time = index.GetBlockTime();
    if (index.pprev) info.prev_hash = index.pprev->GetBlockHash();
    return info;
}

/** Forwards the node's QUEUED validation events the wallet follows to a Notifications. */
class NotificationsProxy final : public ChainstateObserver
{
public:
    explicit NotificationsProxy(interfaces::Chain::Notifications& n) : m_notifications(n) {}
    void TransactionAddedToMempool(const CTransactionRef& tx, uint64_t /*mempool_sequence*/) override
    {
        m_notifications.TransactionAddedToMempool(tx);
    }
    void BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) override
    {
        m_notifications.BlockConnected(block, InfoOf(*index));
    }
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) override
    {
        m_notifications.BlockDisconnected(block, InfoOf(*index));
    }

private:
    interfaces::Chain::Notifications& m_notifications;
};

class NotificationsHandler final : public interfaces::Handler
{
public:
    NotificationsHandler(ValidationSignals& signals, interfaces::Chain::Notifications& n)
        : m_signals(signals), m_proxy(n) {}
    ~NotificationsHandler() override { Disconnect(); }
    //! Registers under the caller's chainstate lock (HandleNotifications).
    void Connect()
    {
        m_signals.Register(&m_proxy, ObserverDelivery::QUEUED);
        m_connected = true;
    }
    void Disconnect() override
    {
        std::lock_guard lock(m_mutex);
        if (!m_connected) return;
        m_signals.Unregister(&m_proxy); // waits for a running callback of m_proxy
        m_connected = false;
    }

private:
    ValidationSignals& m_signals;
    NotificationsProxy m_proxy;
    std::mutex m_mutex; //!< serializes Disconnect() calls from several threads
    bool m_connected{false};
};

class ChainImpl final : public interfaces::Chain
{
public:
    explicit ChainImpl(NodeContext& node) : m_node(node) {}

    std::optional<interfaces::BlockInfo> GetTip() override
    {
        if (!m_node.chainman) return std::nullopt;
        LOCK(m_node.chainman->Mutex());
        const CBlockIndex* tip = m_node.chainman->ActiveTip();
        if (!tip) return std::nullopt;
        return InfoOf(*tip);
    }

    int GetHeight() override { return m_node.chainman ? m_node.chainman->ActiveHeight() : -1; }

    std::optional<interfaces::BlockInfo> FindActiveBlock(const uint256& hash) override
    {
        if (!m_node.chainman) return std::nullopt;
        LOCK(m_node.chainman->Mutex());
        const CBlockIndex* idx = m_node.chainman->LookupBlockIndex(hash);
        if (!idx || !m_node.chainman->ActiveChain().Contains(idx)) return std::nullopt;
        return InfoOf(*idx);
    }

    std::optional<int> FindFirstBlockWithTimeAtLeast(int64_t min_time) override
    {
        if (!m_node.chainman) return std::nullopt;
        LOCK(m_node.chainman->Mutex());
        const CChain& chain = m_node.chainman->ActiveChain();
        // Block times are not monotonic, so a linear walk (as the wallet's rescan start always was).
        for (int h = 0; h <= chain.Height(); ++h) {
            if (chain[h]->GetBlockTime() >= min_time) return h;
        }
        return std::nullopt;
    }

    std::optional<std::pair<int, int>> ScanBlocks(int start, int stop,
                                                  const std::function<void(const CBlock&, const interfaces::BlockInfo&)>& fn,
                                                  std::string* error) override
    {
        if (start < 0) start = 0;
        if (!m_node.chainman) return std::make_pair(start, start - 1);
        LOCK(m_node.chainman->Mutex());
        const CChain& chain = m_node.chainman->ActiveChain();
        if (stop < 0 || stop > chain.Height()) stop = chain.Height();
        for (int h = start; h <= stop; ++h) {
            const CBlockIndex* idx = chain[h];
            CBlock block;
            std::string err;
            if (!m_node.chainman->ReadBlock(idx, block, &err)) {
                if (error) *error = "Failed to read block at height " + std::to_string(h) + ": " + err;
                return std::nullopt;
            }
            fn(block, InfoOf(*idx));
        }
        return std::make_pair(start, stop);
    }

    std::optional<CAmount> MedianFeeRate(int blocks) override
    {
        if (!m_node.chainman) return std::nullopt;
        return node::MedianFeeRate(*m_node.chainman, blocks);
    }

    CAmount MempoolMinFeeRate() override
    {
        const CAmount pool_min = m_node.mempool ? m_node.mempool->GetMinFee().GetFeePerK() : 0;
        return std::max<CAmount>(pool_min, DEFAULT_MIN_RELAY_TX_FEE);
    }

    bool BroadcastTransaction(const CTransactionRef& tx, std::string* reject_reason) override
    {
        if (!m_node.chainman || !m_node.mempool) {
            if (reject_reason) *reject_reason = "no mempool";
            return false;
        }
        const MempoolAcceptResult res = AcceptToMemoryPool(*m_node.chainman, *m_node.mempool, tx, /*test_accept=*/false);
        if (res.result_type == MempoolAcceptResult::ResultType::VALID) return true;
        if (reject_reason) *reject_reason = res.state.GetRejectReason();
        return false;
    }

    bool IsInMempool(const uint256& txid) override { return m_node.mempool && m_node.mempool->Exists(txid); }

    std::optional<CTxOut> GetUnspentOutput(const COutPoint& outpoint) override
    {
        if (!m_node.chainman) return std::nullopt;
        LOCK(m_node.chainman->Mutex());
        if (auto coin = m_node.chainman->CoinsTip().GetCoin(outpoint)) return coin->out;
        return std::nullopt;
    }

    std::optional<interfaces::ModelInfo> GetModel(const uint256& model_id) override
    {
        if (!m_node.chainman) return std::nullopt;
        LOCK(m_node.chainman->Mutex());
        const oda::chain::RegistryView& registry = m_node.chainman->RegistryTip();
        const auto record = registry.GetModel(model_id);
        if (!record) return std::nullopt;
        interfaces::ModelInfo info;
        info.model_id = model_id;
        info.architecture = record->architecture;
        info.dataset_root = record->dataset.pieces_root;
        info.dataset_size = record->dataset.file_size;
        info.dataset_samples = record->dataset_samples;
        info.owner = record->owner;
        info.owner_script = record->owner_script;
        info.royalty = record->royalty;
        info.trainer_share_bp = record->trainer_share_bp;
        info.min_improvement = record->min_improvement;
        info.current_version = record->current_version;
        info.current_score = record->current_score;
        for (const oda::chain::ModelVersion& v : oda::chain::ReadVersions(registry, model_id, *record)) {
            info.versions.push_back({v.weights.pieces_root, v.weights.file_size, v.score, v.trainer_script});
        }
        return info;
    }

    std::optional<std::vector<std::pair<ScriptBytes, CAmount>>> RoyaltyOwed(const uint256& model_id, uint32_t version,
                                                                            std::string* error) override
    {
        if (!m_node.chainman) return std::nullopt;
        LOCK(m_node.chainman->Mutex());
        const oda::chain::RegistryView& registry = m_node.chainman->RegistryTip();
        const auto record = registry.GetModel(model_id);
        const auto v = record ? registry.GetVersion(model_id, version) : std::nullopt;
        if (!v) {
            if (error) *error = record ? "version " + std::to_string(version) + " of the model is not registered" : "model not registered";
            return std::nullopt;
        }
        std::string err;
        const auto owed = oda::chain::ComputeRoyaltyOwed(*record, *v, registry, err);
        if (!owed) {
            if (error) *error = err;
            return std::nullopt;
        }
        return std::vector<std::pair<ScriptBytes, CAmount>>(owed->begin(), owed->end());
    }

    CAmount ComputeFee(int64_t compute_units) override
    {
        // What the mempool will ask for (-mincomputefee, node/policy.h), so the wallet's
        // transaction is not refused for its compute fee.
        const CAmount rate = m_node.mempool ? m_node.mempool->Options().min_compute_fee_per_million_cu
                                            : DEFAULT_MIN_FEE_PER_MILLION_CU;
        return MinComputeFee(compute_units, rate);
    }

    std::optional<interfaces::ModelFileInfo> ImportModelFile(const std::string& path, std::string* error,
                                                             interfaces::ModelCallFailure* failure) override
    {
        using interfaces::ModelCallFailure;
        auto fail = [&](ModelCallFailure f, const std::string& e) {
            if (failure) *failure = f;
            if (error) *error = e;
            return std::nullopt;
        };
        if (!m_node.file_store) return fail(ModelCallFailure::OTHER, "no model file store");
        std::string err;
        oda::storage::ImportFailure why = oda::storage::ImportFailure::NONE;
        const auto result = m_node.file_store->Import(path, std::nullopt, err, &why);
        if (!result) {
            switch (why) {
            case oda::storage::ImportFailure::PATH: return fail(ModelCallFailure::PATH, err);
            case oda::storage::ImportFailure::CONTENT: return fail(ModelCallFailure::CONTENT, err);
            case oda::storage::ImportFailure::MISMATCH: return fail(ModelCallFailure::MISMATCH, err);
            default: return fail(ModelCallFailure::OTHER, err);
            }
        }
        interfaces::ModelFileInfo info;
        info.pieces_root = result->info.commitment.pieces_root;
        info.size = result->info.commitment.file_size;
        info.is_weights = result->info.kind == oda::storage::FileKind::WEIGHTS;
        info.samples = static_cast<uint32_t>(std::min<uint64_t>(result->info.sample_count, UINT32_MAX));
        if (failure) *failure = ModelCallFailure::NONE;
        return info;
    }

    std::optional<int64_t> ScoreWeights(const std::vector<uint8_t>& architecture, const uint256& weights_root,
                                        uint64_t weights_size, const uint256& dataset_root, uint64_t dataset_size,
                                        std::string* error, interfaces::ModelCallFailure* failure) override
    {
        std::string err;
        if (!m_node.file_store) {
            if (failure) *failure = interfaces::ModelCallFailure::OTHER;
            if (error) *error = "no model file store";
            return std::nullopt;
        }
        if (m_node.oda_executor) {
            // Through the executor: its content cache then already holds this score when the
            // mempool and block validation re-score the transaction.
            oda::chain::ModelRecord record;
            record.architecture = architecture;
            record.dataset = {dataset_root, dataset_size};
            const auto info = m_node.file_store->Info(record.dataset);
            record.dataset_samples = info ? static_cast<uint32_t>(std::min<uint64_t>(info->sample_count, UINT32_MAX)) : 0;
            int64_t score = 0;
            oda::chain::ExecReport report;
            const auto outcome = m_node.oda_executor->Score(record, {weights_root, weights_size}, score, report);
            if (outcome == oda::chain::ExecOutcome::VALID) return score;
            if (failure) {
                *failure = outcome == oda::chain::ExecOutcome::MISSING_DATA ? interfaces::ModelCallFailure::MISSING
                                                                            : interfaces::ModelCallFailure::CONTENT;
            }
            if (error) {
                *error = outcome == oda::chain::ExecOutcome::MISSING_DATA
                             ? "the node's model file store lacks the " +
                                   std::string(m_node.file_store->Has(record.dataset) ? "weights" : "dataset") +
                                   " file: import it with importmodelfile"
                             : report.debug;
            }
            return std::nullopt;
        }
        EvalFailure why = EvalFailure::NONE;
        const auto score = ScoreFromStore(*m_node.file_store, architecture, {weights_root, weights_size},
                                          {dataset_root, dataset_size}, err, why);
        if (!score) {
            if (failure) *failure = why == EvalFailure::MISSING ? interfaces::ModelCallFailure::MISSING
                                                                : interfaces::ModelCallFailure::CONTENT;
            if (error) *error = err;
        }
        return score;
    }

    std::unique_ptr<interfaces::Handler> HandleNotifications(Notifications& notifications,
                                                             const std::function<void()>& catch_up) override
    {
        if (!m_node.chainman) {
            catch_up();
            return nullptr;
        }
        auto handler = std::make_unique<NotificationsHandler>(m_node.chainman->Signals(), notifications);
        // Under the chainstate lock: nothing is connected or disconnected between the
        // subscriber's catch-up and its registration, so it misses no event and sees none twice.
        LOCK(m_node.chainman->Mutex());
        catch_up();
        handler->Connect();
        return handler;
    }

    void WaitForNotifications() override
    {
        if (m_node.chainman) m_node.chainman->Signals().SyncWithQueue();
    }

    void FatalError(const std::string& message) override
    {
        if (m_node.chainman) m_node.chainman->FatalError(message);
    }

private:
    NodeContext& m_node;
};

} // namespace

std::unique_ptr<interfaces::Chain> MakeChain(NodeContext& node) { return std::make_unique<ChainImpl>(node); }

} // namespace node
