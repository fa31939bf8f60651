#include <node/validationinterface.h>

#include <algorithm>
#include <cstdio>
#include <exception>

namespace node {
namespace {

// Validation must not fail because an observer did: report and continue.
template <typename F>
void Guarded(const char* what, F&& f)
{
    try {
        f();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "observer %s failed: %s\n", what, e.what());
    } catch (...) {
        std::fprintf(stderr, "observer %s failed\n", what);
    }
}

} // namespace

// Until the background queue lands, QUEUED observers are delivered synchronously too.
void ValidationSignals::Register(ChainstateObserver* observer, ObserverDelivery /*delivery*/)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (std::find(m_observers.begin(), m_observers.end(), observer) == m_observers.end()) m_observers.push_back(observer);
}

void ValidationSignals::Unregister(ChainstateObserver* observer)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_observers.erase(std::remove(m_observers.begin(), m_observers.end(), observer), m_observers.end());
}

void ValidationSignals::SyncWithQueue() {}

void ValidationSignals::TransactionAddedToMempool(const CTransactionRef& tx, uint64_t sequence) const
{
    for (auto* o : Snapshot()) Guarded("TransactionAddedToMempool", [&] { o->TransactionAddedToMempool(tx, sequence); });
}

void ValidationSignals::TransactionRemovedFromMempool(const CTransactionRef& tx, MemPoolRemovalReason reason,
                                                      uint64_t sequence) const
{
    for (auto* o : Snapshot()) {
        Guarded("TransactionRemovedFromMempool", [&] { o->TransactionRemovedFromMempool(tx, reason, sequence); });
    }
}

void ValidationSignals::BlockChecked(const std::shared_ptr<const CBlock>& block, const BlockValidationState& state) const
{
    for (auto* o : Snapshot()) Guarded("BlockChecked", [&] { o->BlockChecked(block, state); });
}

void ValidationSignals::BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) const
{
    for (auto* o : Snapshot()) Guarded("BlockConnected", [&] { o->BlockConnected(block, index); });
}

void ValidationSignals::BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) const
{
    for (auto* o : Snapshot()) Guarded("BlockDisconnected", [&] { o->BlockDisconnected(block, index); });
}

void ValidationSignals::UpdatedBlockTip(const CBlockIndex* new_tip, const CBlockIndex* fork_point, bool ibd) const
{
    for (auto* o : Snapshot()) Guarded("UpdatedBlockTip", [&] { o->UpdatedBlockTip(new_tip, fork_point, ibd); });
}

void ValidationSignals::TransactionsDisconnected(const std::vector<CTransactionRef>& txs) const
{
    for (auto* o : Snapshot()) Guarded("TransactionsDisconnected", [&] { o->TransactionsDisconnected(txs); });
}

} // namespace node
