// Fee-rate statistics of confirmed blocks, computed by the node from its own block and undo
// data (the undo record holds the coins each transaction spent, so the fee of a confirmed
// transaction is known without the UTXO set it saw). The wallet reads the result through
// interfaces::Chain::MedianFeeRate and never opens block or undo files itself.
//
// Rates are integers, units per 1000 virtual bytes, truncated: fee * 1000 / vsize with
// vsize = ceil(weight / 4). No floating point, so every node computes the same numbers.
#ifndef ODA_NODE_FEE_STATS_H
#define ODA_NODE_FEE_STATS_H

#include <consensus/amount.h>
#include <node/undo.h>
#include <primitives/block.h>

#include <optional>
#include <vector>

namespace node {

class ChainstateManager;

/** Fee rate of each non-coinbase transaction of `block`, in block order, given the block's
 *  undo record. Empty when the undo record does not match the block (a record per
 *  non-coinbase transaction). A transaction whose outputs exceed its inputs (impossible in
 *  a valid block) or of zero size is skipped, and so is an ODA transaction (its fee mostly
 *  pays for compute units, node/policy.h MinComputeFee, not for its size). */
std::vector<CAmount> BlockFeeRates(const CBlock& block, const BlockUndo& undo);

/** Median of BlockFeeRates over the last `blocks` blocks of the active chain (genesis
 *  excluded), the upper median for an even count; nullopt when they have no non-coinbase
 *  transaction. A block or undo record that cannot be read ends the walk (the blocks above
 *  it still count). Takes the chainstate lock. */
std::optional<CAmount> MedianFeeRate(const ChainstateManager& chainman, int blocks);

} // namespace node

#endif // ODA_NODE_FEE_STATS_H
