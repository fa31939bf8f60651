#include <node/state_cache.h>

namespace node {

void StateCache::BatchWrite(CoinsMap& coins, oda::chain::RegistryChanges& registry, const uint256& best_block)
{
    m_coins.BatchWrite(coins, best_block);
    m_registry.ApplyChanges(registry);
}

void StateCache::Flush()
{
    oda::chain::RegistryChanges changes = m_registry.TakeChanges();
    try {
        m_coins.FlushWith([&](CoinsMap& coins, const uint256& best) { m_parent.BatchWrite(coins, changes, best); });
    } catch (...) {
        // The write did not happen (contract above): keep the registry changes too.
        m_registry.RestoreChanges(std::move(changes));
        throw;
    }
}

} // namespace node
