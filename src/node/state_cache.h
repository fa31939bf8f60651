// The chain state as one stack of layers: the UTXO set (node/coins.h) and the model
// registry (oda/chain/registry.h) always move together, so that after a crash the database
// holds both at the same block (doc/oda-protocol.md section 2.5).
//
//   ChainstateDB (node/coinsdb.h)   LevelDB chainstate/: coins + registry + best block
//   StateCache  (the tip)           the node's long-lived cache, flushed by -dbcache/time
//   StateCache  (one per block)     ConnectTip, DisconnectTip and TestBlockValidity each
//                                   build one over the tip; a failing block just drops it
//
// Contract: StateView::BatchWrite applies coin changes, registry changes and the best block
// together; at the bottom this is ONE LevelDB batch. When it throws nothing was applied and
// both change sets are as they were, so StateCache::Flush keeps every change in memory (the
// failure is fatal: node/validation.h). A StateCache over a StateCache never fails.
#ifndef ODA_NODE_STATE_CACHE_H
#define ODA_NODE_STATE_CACHE_H

#include <node/coins.h>
#include <oda/chain/registry.h>

namespace node {

/** What a StateCache reads from and flushes into. */
class StateView
{
public:
    virtual ~StateView() = default;
    virtual CoinsView& Coins() = 0;
    virtual const oda::chain::RegistryView& Registry() const = 0;
    /** See the contract above. Clears both change sets once applied. */
    virtual void BatchWrite(CoinsMap& coins, oda::chain::RegistryChanges& registry, const uint256& best_block) = 0;
};

/** A coins cache and a registry cache over the same parent, flushed together. */
class StateCache : public StateView
{
    StateView& m_parent;
    CoinsViewCache m_coins;
    oda::chain::RegistryCache m_registry;

public:
    /** A layer over `parent` (which must outlive it). */
    explicit StateCache(StateView* parent) : m_parent(*parent), m_coins(&parent->Coins()), m_registry(&parent->Registry()) {}
    StateCache(const StateCache&) = delete;
    StateCache& operator=(const StateCache&) = delete;

    CoinsViewCache& Coins() override { return m_coins; }
    const oda::chain::RegistryView& Registry() const override { return m_registry; }
    oda::chain::RegistryCache& RegistryCache() { return m_registry; }
    void BatchWrite(CoinsMap& coins, oda::chain::RegistryChanges& registry, const uint256& best_block) override;

    uint256 GetBestBlock() const { return m_coins.GetBestBlock(); }
    void SetBestBlock(const uint256& hash) { m_coins.SetBestBlock(hash); }
    /** Pushes coins, registry and best block into the parent in one write, then empties
     *  this layer. On a throw (database failure) every change is still here. */
    void Flush();
    /** Approximate heap bytes of both caches (the -dbcache flush decision). */
    size_t DynamicMemoryUsage() const { return m_coins.DynamicMemoryUsage() + m_registry.DynamicMemoryUsage(); }
};

} // namespace node

#endif // ODA_NODE_STATE_CACHE_H
