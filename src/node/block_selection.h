// Choosing which mempool transactions go into a new block.
//
// The rule (as Bitcoin Core's miner): repeatedly take the not-yet-chosen
// transaction whose *package* — itself plus its not-yet-chosen in-pool
// ancestors — pays the highest fee rate, and add the whole package, parents
// first. A child paying a high fee therefore pulls in its cheap parent
// (child-pays-for-parent). Packages that do not fit in the remaining weight, or
// contain a transaction that is not final at the new height, are skipped.
// Ties are broken by txid, so the result is a pure function of the pool.
#ifndef ODA_NODE_BLOCK_SELECTION_H
#define ODA_NODE_BLOCK_SELECTION_H

#include <node/feerate.h>
#include <primitives/transaction.h>

#include <cstdint>
#include <functional>
#include <vector>

class CTxMemPool;

struct BlockSelectionOptions {
    /** Weight available for the selected transactions (block limit minus the coinbase reserve). */
    int64_t max_weight{4000000 - 4000};
    /** Packages paying less than this are not worth block space (-blockmintxfee). */
    CFeeRate min_package_feerate{1000};
    /** Whether a transaction may be included at the new height/time (IsFinalTx). Null: all final. */
    std::function<bool(const CTransaction&)> is_final;
};

struct SelectedTx {
    CTransactionRef tx;
    CAmount fee;
    int64_t weight;
    /** Indexes (into the selection) of the in-block transactions this one spends. */
    std::vector<size_t> depends;
};

struct BlockSelection {
    std::vector<SelectedTx> txs; //!< parents always before children
    int64_t total_weight{0};
    CAmount total_fees{0};
};

/** Selects transactions from `pool` (takes its lock) as described above. */
BlockSelection SelectBlockTransactions(const CTxMemPool& pool, const BlockSelectionOptions& options);

#endif // ODA_NODE_BLOCK_SELECTION_H
