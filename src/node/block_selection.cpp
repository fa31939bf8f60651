#include <node/block_selection.h>

#include <node/mempool.h>

#include <algorithm>
#include <map>
#include <set>

namespace {

/** What is left of a candidate's package once some of its ancestors are in the block. */
struct PackageTotals {
    CAmount fee{0};
    int64_t vsize{0};
    int64_t weight{0};
};

struct Candidate {
    CAmount fee;
    int64_t vsize;
    uint256 txid;
};

struct BetterPackage {
    bool operator()(const Candidate& a, const Candidate& b) const
    {
        int c = CompareFeeRates(a.fee, a.vsize, b.fee, b.vsize);
        if (c != 0) return c > 0;
        return a.txid < b.txid;
    }
};

// Stop looking once this many packages in a row failed to fit and the block is nearly full.
constexpr int MAX_CONSECUTIVE_FAILURES = 1000;
constexpr int64_t NEARLY_FULL_MARGIN = 4000;

} // namespace

BlockSelection SelectBlockTransactions(const CTxMemPool& pool, const BlockSelectionOptions& options)
{
    LOCK(pool.cs);
    const auto& entries = pool.EntriesLocked();

    BlockSelection result;
    std::map<uint256, PackageTotals> remaining;
    std::set<Candidate, BetterPackage> queue;
    for (const auto& [txid, e] : entries) {
        PackageTotals t{e.GetFeesWithAncestors(), e.GetSizeWithAncestors(), e.GetWeightWithAncestors()};
        remaining.emplace(txid, t);
        queue.insert({t.fee, t.vsize, txid});
    }
    std::map<uint256, size_t> position; // txid -> index in result.txs
    std::set<uint256> unusable;         // not final: nothing depending on it can go in
    int failures = 0;

    while (!queue.empty()) {
        const Candidate best = *queue.begin();
        queue.erase(queue.begin());
        const PackageTotals& totals = remaining.at(best.txid);
        if (CFeeRate::FromFee(totals.fee, totals.vsize) < options.min_package_feerate) break; // all others pay less

        std::set<uint256> package = pool.CalculateAncestors(best.txid);
        for (auto it = package.begin(); it != package.end();) {
            it = position.count(*it) ? package.erase(it) : std::next(it);
        }
        package.insert(best.txid);

        if (result.total_weight + totals.weight > options.max_weight) {
            if (++failures > MAX_CONSECUTIVE_FAILURES &&
                result.total_weight > options.max_weight - NEARLY_FULL_MARGIN) {
                break;
            }
            continue;
        }
        bool usable = true;
        for (const uint256& id : package) {
            if (unusable.count(id)) usable = false;
            if (usable && options.is_final && !options.is_final(entries.at(id).GetTx())) {
                unusable.insert(id);
                usable = false;
            }
        }
        if (!usable) continue;
        failures = 0;

        // Parents first: an ancestor always has fewer in-pool ancestors than its descendant.
        std::vector<const CTxMemPoolEntry*> ordered;
        for (const uint256& id : package) ordered.push_back(&entries.at(id));
        std::sort(ordered.begin(), ordered.end(), [](const CTxMemPoolEntry* a, const CTxMemPoolEntry* b) {
            if (a->GetCountWithAncestors() != b->GetCountWithAncestors()) {
                return a->GetCountWithAncestors() < b->GetCountWithAncestors();
            }
            return a->GetTxid() < b->GetTxid();
        });
        for (const CTxMemPoolEntry* e : ordered) {
            SelectedTx sel{e->GetSharedTx(), e->GetFee(), e->GetWeight(), {}};
            for (const uint256& parent : e->GetParents()) sel.depends.push_back(position.at(parent));
            std::sort(sel.depends.begin(), sel.depends.end());
            position.emplace(e->GetTxid(), result.txs.size());
            result.txs.push_back(std::move(sel));
            result.total_weight += e->GetWeight();
            result.total_fees += e->GetFee();
            if (e->GetTxid() != best.txid) {
                const PackageTotals& t = remaining.at(e->GetTxid());
                queue.erase({t.fee, t.vsize, e->GetTxid()});
            }
        }
        // Descendants of what was just added now have smaller packages.
        for (const CTxMemPoolEntry* e : ordered) {
            for (const uint256& d : pool.CalculateDescendants(e->GetTxid())) {
                if (position.count(d)) continue;
                PackageTotals& t = remaining.at(d);
                bool queued = queue.erase({t.fee, t.vsize, d}) > 0;
                t.fee -= e->GetFee();
                t.vsize -= e->GetVSize();
                t.weight -= e->GetWeight();
                if (queued) queue.insert({t.fee, t.vsize, d});
            }
        }
    }
    return result;
}
