#include <node/mempool.h>

#include <node/validationinterface.h>

#include <chrono>
#include <stdexcept>

std::string RemovalReasonToString(MemPoolRemovalReason reason)
{
    switch (reason) {
    case MemPoolRemovalReason::EXPIRY: return "expiry";
    case MemPoolRemovalReason::SIZELIMIT: return "sizelimit";
    case MemPoolRemovalReason::REORG: return "reorg";
    case MemPoolRemovalReason::BLOCK: return "block";
    case MemPoolRemovalReason::CONFLICT: return "conflict";
    case MemPoolRemovalReason::REPLACED: return "replaced";
    case MemPoolRemovalReason::ODA_STALE: return "oda-stale";
    }
    return "unknown";
}

CTxMemPool::CTxMemPool(MemPoolOptions options) : m_opts(std::move(options))
{
    if (!m_opts.clock) {
        m_opts.clock = [] {
            return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        };
    }
}

int64_t CTxMemPool::Now() const { return m_opts.clock(); }

// ------------------------------------------------------------------ indexes

bool CTxMemPool::AncestorScoreBetter::operator()(const MemPoolScore& a, const MemPoolScore& b) const
{
    int c = CompareFeeRates(a.fee, a.size, b.fee, b.size);
    if (c != 0) return c > 0;
    return a.txid < b.txid;
}

bool CTxMemPool::DescendantScoreWorse::operator()(const MemPoolScore& a, const MemPoolScore& b) const
{
    int c = CompareFeeRates(a.fee, a.size, b.fee, b.size);
    if (c != 0) return c < 0;
    return a.txid < b.txid;
}

MemPoolScore CTxMemPool::AncestorScore(const CTxMemPoolEntry& e)
{
    // The lower of the transaction's own rate and its rate with ancestors: a
    // high-fee parent must not lift a cheap child above what it pays itself.
    if (CompareFeeRates(e.GetFee(), e.GetVSize(), e.GetFeesWithAncestors(), e.GetSizeWithAncestors()) < 0) {
        return {e.GetFee(), e.GetVSize(), e.GetTxid()};
    }
    return {e.GetFeesWithAncestors(), e.GetSizeWithAncestors(), e.GetTxid()};
}

MemPoolScore CTxMemPool::DescendantScore(const CTxMemPoolEntry& e)
{
    // The higher of the own rate and the rate with descendants: a package is
    // evicted only when neither the parent alone nor the whole is worth keeping.
    if (CompareFeeRates(e.GetFee(), e.GetVSize(), e.GetFeesWithDescendants(), e.GetSizeWithDescendants()) > 0) {
        return {e.GetFee(), e.GetVSize(), e.GetTxid()};
    }
    return {e.GetFeesWithDescendants(), e.GetSizeWithDescendants(), e.GetTxid()};
}

void CTxMemPool::Index(const CTxMemPoolEntry& e)
{
    m_by_ancestor_score.insert(AncestorScore(e));
    m_by_descendant_score.insert(DescendantScore(e));
}

void CTxMemPool::Unindex(const CTxMemPoolEntry& e)
{
    m_by_ancestor_score.erase(AncestorScore(e));
    m_by_descendant_score.erase(DescendantScore(e));
}

// ------------------------------------------------------------------ queries

bool CTxMemPool::Exists(const uint256& txid) const
{
    LOCK(cs);
    return m_entries.count(txid) > 0;
}

bool CTxMemPool::ExistsWtxid(const uint256& wtxid) const
{
    LOCK(cs);
    return m_wtxid_to_txid.count(wtxid) > 0;
}

CTransactionRef CTxMemPool::Get(const uint256& txid) const
{
    LOCK(cs);
    auto it = m_entries.find(txid);
    return it == m_entries.end() ? nullptr : it->second.GetSharedTx();
}

std::optional<CTxMemPoolEntry> CTxMemPool::GetEntry(const uint256& txid) const
{
    LOCK(cs);
    auto it = m_entries.find(txid);
    if (it == m_entries.end()) return std::nullopt;
    return it->second;
}

std::optional<uint256> CTxMemPool::GetSpender(const COutPoint& outpoint) const
{
    LOCK(cs);
    auto it = m_spent_by.find(outpoint);
    if (it == m_spent_by.end()) return std::nullopt;
    return it->second;
}

std::optional<uint256> CTxMemPool::GetPendingUpdate(const uint256& model_id) const
{
    LOCK(cs);
    auto it = m_pending_update.find(model_id);
    if (it == m_pending_update.end()) return std::nullopt;
    return it->second;
}

std::optional<CTxOut> CTxMemPool::GetUnconfirmedOutput(const COutPoint& outpoint) const
{
    LOCK(cs);
    auto it = m_entries.find(outpoint.hash);
    if (it == m_entries.end() || outpoint.n >= it->second.GetTx().vout.size()) return std::nullopt;
    return it->second.GetTx().vout[outpoint.n];
}

size_t CTxMemPool::Size() const
{
    LOCK(cs);
    return m_entries.size();
}

int64_t CTxMemPool::TotalVSize() const
{
    LOCK(cs);
    return m_total_vsize;
}

CAmount CTxMemPool::TotalFee() const
{
    LOCK(cs);
    return m_total_fee;
}

size_t CTxMemPool::DynamicMemoryUsage() const
{
    LOCK(cs);
    return m_usage;
}

uint64_t CTxMemPool::GetSequence() const
{
    LOCK(cs);
    return m_sequence;
}

std::vector<uint256> CTxMemPool::Txids() const
{
    LOCK(cs);
    std::vector<uint256> out;
    out.reserve(m_entries.size());
    for (const auto& [txid, _] : m_entries) out.push_back(txid);
    return out;
}

std::vector<CTxMemPoolEntry> CTxMemPool::EntriesByAncestorScore() const
{
    LOCK(cs);
    std::vector<CTxMemPoolEntry> out;
    out.reserve(m_entries.size());
    for (const MemPoolScore& s : m_by_ancestor_score) out.push_back(m_entries.at(s.txid));
    return out;
}

std::set<uint256> CTxMemPool::CalculateAncestors(const uint256& txid) const
{
    LOCK(cs);
    std::set<uint256> result;
    auto it = m_entries.find(txid);
    if (it == m_entries.end()) return result;
    std::vector<uint256> todo(it->second.GetParents().begin(), it->second.GetParents().end());
    while (!todo.empty()) {
        uint256 id = todo.back();
        todo.pop_back();
        if (!result.insert(id).second) continue;
        for (const uint256& p : m_entries.at(id).GetParents()) {
            if (!result.count(p)) todo.push_back(p);
        }
    }
    return result;
}

std::set<uint256> CTxMemPool::CalculateDescendants(const uint256& txid) const
{
    LOCK(cs);
    std::set<uint256> result;
    auto it = m_entries.find(txid);
    if (it == m_entries.end()) return result;
    std::vector<uint256> todo(it->second.GetChildren().begin(), it->second.GetChildren().end());
    while (!todo.empty()) {
        uint256 id = todo.back();
        todo.pop_back();
        if (!result.insert(id).second) continue;
        for (const uint256& c : m_entries.at(id).GetChildren()) {
            if (!result.count(c)) todo.push_back(c);
        }
    }
    return result;
}

bool CTxMemPool::CheckPackageLimits(const CTransaction& tx, int64_t vsize, const MemPoolLimits& limits,
                                    std::string& reason, std::string& debug) const
{
    LOCK(cs);
    std::set<uint256> ancestors;
    std::vector<uint256> todo;
    for (const CTxIn& in : tx.vin) {
        if (m_entries.count(in.prevout.hash)) todo.push_back(in.prevout.hash);
    }
    while (!todo.empty()) {
        uint256 id = todo.back();
        todo.pop_back();
        if (!ancestors.insert(id).second) continue;
        for (const uint256& p : m_entries.at(id).GetParents()) todo.push_back(p);
    }
    reason = "too-long-mempool-chain";
    if (int64_t(ancestors.size()) + 1 > limits.ancestor_count) {
        debug = "too many unconfirmed ancestors [limit: " + std::to_string(limits.ancestor_count) + "]";
        return false;
    }
    int64_t ancestor_size = vsize;
    for (const uint256& id : ancestors) ancestor_size += m_entries.at(id).GetVSize();
    if (ancestor_size > limits.ancestor_size_vbytes) {
        debug = "exceeds ancestor size limit [limit: " + std::to_string(limits.ancestor_size_vbytes) + "]";
        return false;
    }
    for (const uint256& id : ancestors) {
        const CTxMemPoolEntry& a = m_entries.at(id);
        if (int64_t(a.GetCountWithDescendants()) + 1 > limits.descendant_count) {
            debug = "too many descendants for tx " + id.GetHex() + " [limit: " + std::to_string(limits.descendant_count) + "]";
            return false;
        }
        if (a.GetSizeWithDescendants() + vsize > limits.descendant_size_vbytes) {
            debug = "exceeds descendant size limit for tx " + id.GetHex() + " [limit: " +
                    std::to_string(limits.descendant_size_vbytes) + "]";
            return false;
        }
    }
    reason.clear();
    return true;
}

CFeeRate CTxMemPool::GetMinFee() const
{
    LOCK(cs);
    if (!m_block_since_last_bump || m_rolling_min_fee == 0) return CFeeRate(m_rolling_min_fee);
    int64_t now = Now();
    int64_t halflife = ROLLING_FEE_HALFLIFE;
    if (int64_t(m_usage) < m_opts.max_size_bytes / 4) {
        halflife /= 4;
    } else if (int64_t(m_usage) < m_opts.max_size_bytes / 2) {
        halflife /= 2;
    }
    // Integer decay: halve once per full half-life elapsed since the last update.
    if (now > m_last_rolling_update) {
        int64_t halvings = (now - m_last_rolling_update) / halflife;
        if (halvings > 0) {
            m_rolling_min_fee = halvings >= 63 ? 0 : (m_rolling_min_fee >> halvings);
            m_last_rolling_update += halvings * halflife;
        }
    }
    if (m_rolling_min_fee < m_opts.incremental_relay_feerate.GetFeePerK() / 2) {
        m_rolling_min_fee = 0;
        return CFeeRate(0);
    }
    return std::max(CFeeRate(m_rolling_min_fee), m_opts.incremental_relay_feerate);
}

void CTxMemPool::TrackPackageRemoved(const CFeeRate& rate)
{
    if (rate.GetFeePerK() > m_rolling_min_fee) {
        m_rolling_min_fee = rate.GetFeePerK();
        m_block_since_last_bump = false;
    }
}

// ----------------------------------------------------------------- mutation

void CTxMemPool::RecomputeTotals(const uint256& txid)
{
    CTxMemPoolEntry& e = m_entries.at(txid);
    Unindex(e);
    e.m_count_with_ancestors = 1;
    e.m_size_with_ancestors = e.m_vsize;
    e.m_weight_with_ancestors = e.m_weight;
    e.m_fees_with_ancestors = e.m_fee;
    for (const uint256& id : CalculateAncestors(txid)) {
        const CTxMemPoolEntry& a = m_entries.at(id);
        e.m_count_with_ancestors += 1;
        e.m_size_with_ancestors += a.m_vsize;
        e.m_weight_with_ancestors += a.m_weight;
        e.m_fees_with_ancestors += a.m_fee;
    }
    e.m_count_with_descendants = 1;
    e.m_size_with_descendants = e.m_vsize;
    e.m_fees_with_descendants = e.m_fee;
    for (const uint256& id : CalculateDescendants(txid)) {
        const CTxMemPoolEntry& d = m_entries.at(id);
        e.m_count_with_descendants += 1;
        e.m_size_with_descendants += d.m_vsize;
        e.m_fees_with_descendants += d.m_fee;
    }
    Index(e);
}

void CTxMemPool::AddUnchecked(CTxMemPoolEntry entry)
{
    LOCK(cs);
    const uint256 txid = entry.GetTxid();
    if (m_entries.count(txid)) return;
    entry.m_sequence = ++m_sequence;
    entry.m_parents.clear();
    entry.m_children.clear();
    auto [it, inserted] = m_entries.emplace(txid, std::move(entry));
    CTxMemPoolEntry& e = it->second;
    const CTransaction& tx = e.GetTx();

    // Parents: in-pool transactions whose outputs this one spends.
    for (const CTxIn& in : tx.vin) {
        m_spent_by[in.prevout] = txid;
        auto p = m_entries.find(in.prevout.hash);
        if (p != m_entries.end() && p->first != txid) {
            e.m_parents.insert(p->first);
            p->second.m_children.insert(txid);
        }
    }
    // Children: only after a reorg can in-pool transactions already spend this one.
    for (auto s = m_spent_by.lower_bound(COutPoint(txid, 0)); s != m_spent_by.end() && s->first.hash == txid; ++s) {
        auto c = m_entries.find(s->second);
        if (c == m_entries.end() || c->first == txid) continue;
        e.m_children.insert(c->first);
        c->second.m_parents.insert(txid);
    }
    m_wtxid_to_txid[tx.GetWtxid()] = txid;
    // Acceptance keeps at most one pending update per model (it replaces the old one first).
    if (e.GetOdaFacts().IsUpdate()) m_pending_update[e.GetOdaFacts().model_id] = txid;
    m_total_vsize += e.GetVSize();
    m_total_fee += e.GetFee();
    m_usage += e.DynamicMemoryUsage();
    Index(e);

    // Every entry connected to the new one changes its totals.
    std::set<uint256> affected = CalculateAncestors(txid);
    std::set<uint256> descendants = CalculateDescendants(txid);
    for (const uint256& d : descendants) {
        affected.insert(d);
        for (const uint256& a : CalculateAncestors(d)) affected.insert(a);
    }
    affected.insert(txid);
    for (const uint256& id : affected) RecomputeTotals(id);
    // Synchronous observers see the pool with this entry in it (`cs` is still held).
    if (m_opts.signals) m_opts.signals->TransactionAddedToMempool(m_entries.at(txid).GetSharedTx(), m_sequence);
}

void CTxMemPool::RemoveStaged(const std::set<uint256>& stage, MemPoolRemovalReason reason)
{
    // Entries outside the stage whose totals include a staged entry.
    std::set<uint256> affected;
    for (const uint256& id : stage) {
        for (const uint256& a : CalculateAncestors(id)) {
            if (!stage.count(a)) affected.insert(a);
        }
        for (const uint256& d : CalculateDescendants(id)) {
            if (!stage.count(d)) affected.insert(d);
        }
    }
    // Each removal with the sequence number right after it, so observers see no gaps.
    std::vector<std::pair<CTransactionRef, uint64_t>> removed;
    for (const uint256& id : stage) {
        auto it = m_entries.find(id);
        if (it == m_entries.end()) continue;
        CTxMemPoolEntry& e = it->second;
        for (const uint256& p : e.m_parents) {
            auto pit = m_entries.find(p);
            if (pit != m_entries.end()) pit->second.m_children.erase(id);
        }
        for (const uint256& c : e.m_children) {
            auto cit = m_entries.find(c);
            if (cit != m_entries.end()) cit->second.m_parents.erase(id);
        }
        for (const CTxIn& in : e.GetTx().vin) {
            auto s = m_spent_by.find(in.prevout);
            if (s != m_spent_by.end() && s->second == id) m_spent_by.erase(s);
        }
        m_wtxid_to_txid.erase(e.GetTx().GetWtxid());
        if (e.GetOdaFacts().IsUpdate()) {
            auto u = m_pending_update.find(e.GetOdaFacts().model_id);
            if (u != m_pending_update.end() && u->second == id) m_pending_update.erase(u);
        }
        Unindex(e);
        m_total_vsize -= e.GetVSize();
        m_total_fee -= e.GetFee();
        m_usage -= e.DynamicMemoryUsage();
        CTransactionRef tx = e.GetSharedTx();
        m_entries.erase(it);
        removed.emplace_back(std::move(tx), ++m_sequence);
    }
    for (const uint256& id : affected) {
        if (m_entries.count(id)) RecomputeTotals(id);
    }
    if (m_opts.signals) {
        for (const auto& [tx, sequence] : removed) m_opts.signals->TransactionRemovedFromMempool(tx, reason, sequence);
    }
}

void CTxMemPool::RemoveRecursive(const CTransaction& tx, MemPoolRemovalReason reason)
{
    LOCK(cs);
    std::set<uint256> stage;
    const uint256& txid = tx.GetTxid();
    if (m_entries.count(txid)) {
        stage.insert(txid);
    } else {
        // Not in the pool (e.g. a block transaction): its in-pool spenders still depend on it.
        for (uint32_t i = 0; i < tx.vout.size(); ++i) {
            auto s = m_spent_by.find(COutPoint(txid, i));
            if (s != m_spent_by.end()) stage.insert(s->second);
        }
    }
    std::set<uint256> roots = stage;
    for (const uint256& id : roots) {
        for (const uint256& d : CalculateDescendants(id)) stage.insert(d);
    }
    RemoveStaged(stage, reason);
}

void CTxMemPool::RemoveForBlock(const std::vector<CTransactionRef>& vtx, uint32_t /*block_height*/)
{
    LOCK(cs);
    for (const CTransactionRef& tx : vtx) {
        const uint256& txid = tx->GetTxid();
        if (m_entries.count(txid)) RemoveStaged({txid}, MemPoolRemovalReason::BLOCK);
        // Conflicts: other pool transactions spending the same outputs can never confirm now.
        for (const CTxIn& in : tx->vin) {
            auto s = m_spent_by.find(in.prevout);
            if (s == m_spent_by.end() || s->second == txid) continue;
            CTransactionRef conflict = m_entries.at(s->second).GetSharedTx();
            RemoveRecursive(*conflict, MemPoolRemovalReason::CONFLICT);
        }
    }
    m_last_rolling_update = Now();
    m_block_since_last_bump = true;
}

void CTxMemPool::RemoveForReorg(const std::function<bool(const CTxMemPoolEntry&)>& should_remove,
                                MemPoolRemovalReason reason)
{
    LOCK(cs);
    std::set<uint256> stage;
    for (const auto& [txid, e] : m_entries) {
        if (should_remove(e)) {
            stage.insert(txid);
            for (const uint256& d : CalculateDescendants(txid)) stage.insert(d);
        }
    }
    RemoveStaged(stage, reason);
}

size_t CTxMemPool::Expire(int64_t cutoff_time)
{
    LOCK(cs);
    std::set<uint256> stage;
    for (const auto& [txid, e] : m_entries) {
        if (e.GetTime() < cutoff_time) {
            stage.insert(txid);
            for (const uint256& d : CalculateDescendants(txid)) stage.insert(d);
        }
    }
    RemoveStaged(stage, MemPoolRemovalReason::EXPIRY);
    return stage.size();
}

std::vector<uint256> CTxMemPool::TrimToSize(size_t limit_bytes)
{
    LOCK(cs);
    std::vector<uint256> evicted;
    while (!m_entries.empty() && m_usage > limit_bytes) {
        const MemPoolScore worst = *m_by_descendant_score.begin();
        const CTxMemPoolEntry& e = m_entries.at(worst.txid);
        // New arrivals must beat what was just thrown out by at least the incremental fee.
        CFeeRate removed_rate = CFeeRate::FromFee(e.GetFeesWithDescendants(), e.GetSizeWithDescendants());
        TrackPackageRemoved(CFeeRate(removed_rate.GetFeePerK() + m_opts.incremental_relay_feerate.GetFeePerK()));
        std::set<uint256> stage = CalculateDescendants(worst.txid);
        stage.insert(worst.txid);
        for (const uint256& id : stage) evicted.push_back(id);
        RemoveStaged(stage, MemPoolRemovalReason::SIZELIMIT);
    }
    return evicted;
}

void CTxMemPool::LimitSize()
{
    LOCK(cs);
    Expire(Now() - m_opts.expiry_seconds);
    TrimToSize(size_t(m_opts.max_size_bytes));
}

void CTxMemPool::Check() const
{
    LOCK(cs);
    auto fail = [](const std::string& what) { throw std::logic_error("mempool inconsistent: " + what); };
    int64_t vsize = 0;
    CAmount fee = 0;
    size_t usage = 0;
    size_t spent = 0;
    for (const auto& [txid, e] : m_entries) {
        vsize += e.GetVSize();
        fee += e.GetFee();
        usage += e.DynamicMemoryUsage();
        std::set<uint256> parents;
        for (const CTxIn& in : e.GetTx().vin) {
            auto s = m_spent_by.find(in.prevout);
            if (s == m_spent_by.end() || s->second != txid) fail("spent map misses an input of " + txid.GetHex());
            ++spent;
            if (m_entries.count(in.prevout.hash)) parents.insert(in.prevout.hash);
        }
        if (parents != e.GetParents()) fail("parents of " + txid.GetHex());
        for (const uint256& p : parents) {
            if (!m_entries.at(p).GetChildren().count(txid)) fail("child link of " + p.GetHex());
        }
        uint64_t n = 1;
        int64_t sz = e.GetVSize();
        CAmount f = e.GetFee();
        for (const uint256& a : CalculateAncestors(txid)) {
            ++n;
            sz += m_entries.at(a).GetVSize();
            f += m_entries.at(a).GetFee();
        }
        if (n != e.GetCountWithAncestors() || sz != e.GetSizeWithAncestors() || f != e.GetFeesWithAncestors()) {
            fail("ancestor totals of " + txid.GetHex());
        }
        n = 1;
        sz = e.GetVSize();
        f = e.GetFee();
        for (const uint256& d : CalculateDescendants(txid)) {
            ++n;
            sz += m_entries.at(d).GetVSize();
            f += m_entries.at(d).GetFee();
        }
        if (n != e.GetCountWithDescendants() || sz != e.GetSizeWithDescendants() || f != e.GetFeesWithDescendants()) {
            fail("descendant totals of " + txid.GetHex());
        }
        if (!m_by_ancestor_score.count(AncestorScore(e)) || !m_by_descendant_score.count(DescendantScore(e))) {
            fail("index of " + txid.GetHex());
        }
        auto w = m_wtxid_to_txid.find(e.GetTx().GetWtxid());
        if (w == m_wtxid_to_txid.end() || w->second != txid) fail("wtxid index of " + txid.GetHex());
    }
    size_t updates = 0;
    for (const auto& [txid, e] : m_entries) {
        if (!e.GetOdaFacts().IsUpdate()) continue;
        ++updates;
        auto u = m_pending_update.find(e.GetOdaFacts().model_id);
        if (u == m_pending_update.end() || u->second != txid) fail("pending update index of " + txid.GetHex());
    }
    if (updates != m_pending_update.size()) fail("pending update index size");
    if (spent != m_spent_by.size()) fail("spent map has extra entries");
    if (m_by_ancestor_score.size() != m_entries.size() || m_by_descendant_score.size() != m_entries.size()) fail("index sizes");
    if (m_wtxid_to_txid.size() != m_entries.size()) fail("wtxid index size");
    if (vsize != m_total_vsize || fee != m_total_fee || usage != m_usage) fail("pool totals");
}

std::optional<Coin> CoinsViewMemPool::GetCoin(const COutPoint& outpoint) const
{
    if (auto out = m_pool.GetUnconfirmedOutput(outpoint)) {
        if (node::IsUnspendableScript(out->script_pubkey)) return std::nullopt; // never a coin
        return Coin(*out, MEMPOOL_HEIGHT, false);
    }
    return m_base->GetCoin(outpoint);
}
