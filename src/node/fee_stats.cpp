#include <node/fee_stats.h>

#include <consensus/block_check.h>
#include <node/validation.h>
#include <oda/chain/tx_check.h>
#include <util/sync.h>

#include <algorithm>
#include <mutex>

namespace node {

std::vector<CAmount> BlockFeeRates(const CBlock& block, const BlockUndo& undo)
{
    std::vector<CAmount> rates;
    if (block.vtx.empty() || undo.txs.size() + 1 != block.vtx.size()) return rates;
    for (size_t t = 1; t < block.vtx.size(); ++t) {
        const CTransaction& tx = *block.vtx[t];
        // An ODA transaction's fee mostly pays for its compute units (-mincomputefee), not
        // its bytes: counting it would inflate the size-based rate every wallet is offered.
        if (!oda::chain::OdaOutputIndices(tx).empty()) continue;
        CAmount in = 0, out = 0;
        for (const Coin& c : undo.txs[t - 1].spent) in += c.out.value;
        for (const CTxOut& o : tx.vout) out += o.value;
        const int64_t vsize = (GetTransactionWeight(tx) + 3) / 4;
        if (vsize > 0 && in >= out) rates.push_back((in - out) * 1000 / vsize);
    }
    return rates;
}

std::optional<CAmount> MedianFeeRate(const ChainstateManager& chainman, int blocks)
{
    LOCK(chainman.Mutex());
    std::vector<CAmount> rates;
    const CBlockIndex* idx = chainman.ActiveTip();
    for (int i = 0; i < blocks && idx && idx->height > 0; ++i, idx = idx->pprev) {
        CBlock block;
        BlockUndo undo;
        if (!chainman.ReadBlock(idx, block) || !chainman.ReadUndo(idx, undo)) break;
        const std::vector<CAmount> block_rates = BlockFeeRates(block, undo);
        rates.insert(rates.end(), block_rates.begin(), block_rates.end());
    }
    if (rates.empty()) return std::nullopt;
    std::sort(rates.begin(), rates.end());
    return rates[rates.size() / 2];
}

} // namespace node
