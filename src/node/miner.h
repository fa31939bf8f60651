// Block assembly and the simple built-in miner.
//
// BlockAssembler builds a block template on the active tip:
//  - transactions chosen from the mempool by ancestor package fee rate
//    (node/block_selection.h) within the weight limit minus a coinbase
//    reserve, final at the new height and the tip's median time past;
//  - ODA transactions kept in block order only if they pass the block's ODA rules
//    (oda/chain/block_rules.h: executed with the chainstate's executor, compute units
//    within the per-transaction and per-block limits, royalties paid; one whose file is
//    not held or whose execution fails is left out, with the reason in the log), the
//    result payload's bytes counted toward the block weight;
//  - a coinbase: scriptSig = BIP 34 height + an extra-nonce push, one output
//    paying subsidy + fees to the given script, then (when the block has compute) the
//    ODA result output (compute units + one output tensor per infer), and the BIP 141
//    witness commitment (always present: harmless without witnesses, and getblocktemplate
//    reports it as default_witness_commitment);
//  - header: version 0x20000000, time = max(MTP + 1, now), bits = NextWorkRequired.
// The template is checked with ChainstateManager::TestBlockValidity (except
// proof of work) before it is returned.
//
// GenerateBlocks is the regtest miner behind generatetoaddress / generateblock:
// it grinds the nonce until CheckProofOfWork and submits through ProcessNewBlock.
#ifndef ODA_NODE_MINER_H
#define ODA_NODE_MINER_H

#include <node/block_selection.h>
#include <node/mempool.h>
#include <oda/chain/payload.h>
#include <primitives/block.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace node {
class ChainstateManager;
}
struct ConsensusParams;

/** Weight kept free for the coinbase transaction. */
static constexpr int64_t COINBASE_WEIGHT_RESERVE = 4000;
/** Block header version of new blocks (BIP 9 top bits, no deployment signalled). */
static constexpr int32_t BLOCK_VERSION = 0x20000000;

struct BlockAssemblerOptions {
    int64_t max_block_weight{4000000};
    CFeeRate block_min_feerate{1000};
};

struct BlockTemplate {
    CBlock block;
    int64_t height{0};
    CAmount coinbase_value{0};          //!< subsidy + fees
    CAmount total_fees{0};
    /** Per non-coinbase transaction (block.vtx[i + 1]): fee, weight and in-block parents
     *  (1-based indexes into block.vtx, as getblocktemplate "depends"). */
    std::vector<CAmount> tx_fees;
    std::vector<int64_t> tx_weights;
    std::vector<std::vector<size_t>> tx_depends;
    int64_t total_weight{0};            //!< including the coinbase
    ScriptBytes witness_commitment;     //!< script of the commitment output
    int64_t median_time_past{0};        //!< of the tip: the block's time must exceed it
    /** ODA compute units of the block (doc/oda-protocol.md section 4) and, when above 0, the
     *  result payload the coinbase carries (and its output script, which getblocktemplate
     *  hands to external miners). */
    int64_t compute_units{0};
    std::optional<oda::chain::Result> oda_result;
    ScriptBytes oda_result_script;
};

class BlockAssembler
{
    node::ChainstateManager& m_chainman;
    const CTxMemPool* m_mempool;
    BlockAssemblerOptions m_options;

public:
    /** `mempool` may be null: then only explicitly given transactions go in. */
    BlockAssembler(node::ChainstateManager& chainman, const CTxMemPool* mempool, BlockAssemblerOptions options = {});

    /**
     * A template on the current tip paying to `coinbase_script`. With `txs` set, exactly
     * those transactions (in that order, fees computed from the UTXO set and the earlier
     * ones) instead of the mempool's. Returns nullptr and sets `error` if the result is
     * not a valid block (e.g. a given transaction is invalid on the tip).
     */
    std::unique_ptr<BlockTemplate> CreateNewBlock(const ScriptBytes& coinbase_script, std::string& error,
                                                  const std::optional<std::vector<CTransactionRef>>& txs = std::nullopt);
};

/** Rewrites the coinbase scriptSig as <height> <extra_nonce> and recomputes the merkle root
 *  (the witness commitment does not depend on the coinbase, so it stays valid). */
void IncrementExtraNonce(CBlock& block, int64_t height, uint32_t extra_nonce);

/** Coinbase scriptSig for `height` with an extra nonce (always 2..100 bytes). */
ScriptBytes CoinbaseScriptSig(int64_t height, uint32_t extra_nonce);

/**
 * Grinds block.nonce until the header hash meets its bits, using at most `max_tries`
 * hashes (decremented). Returns true when found; false when tries ran out or the nonce
 * space is exhausted (the caller then changes the extra nonce and tries again).
 */
bool GrindNonce(CBlock& block, const ConsensusParams& params, uint64_t& max_tries);

/**
 * Mines `nblocks` blocks on the tip paying to `coinbase_script` and submits each
 * (generatetoaddress). With `txs`, one block containing exactly those transactions
 * (generateblock). Returns the new block hashes; stops early (returning fewer) when
 * max_tries is used up. Sets `error` and returns what was mined so far when a block is
 * rejected.
 */
std::vector<uint256> GenerateBlocks(node::ChainstateManager& chainman, const CTxMemPool* mempool,
                                    const ScriptBytes& coinbase_script, int nblocks, uint64_t max_tries,
                                    std::string& error,
                                    const std::optional<std::vector<CTransactionRef>>& txs = std::nullopt);

#endif // ODA_NODE_MINER_H
