#include <node/miner.h>

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/tx_verify.h>
#include <node/validation.h>
#include <oda/chain/registry_rules.h>
#include <oda/chain/tx_check.h>

#include <algorithm>

ScriptBytes CoinbaseScriptSig(int64_t height, uint32_t extra_nonce)
{
    ScriptBytes script = CoinbaseHeightScript(height);
    // A fixed-size push keeps the scriptSig length independent of the nonce (>= 2 bytes always).
    script.push_back(0x04);
    for (int i = 0; i < 4; ++i) script.push_back(uint8_t(extra_nonce >> (8 * i)));
    return script;
}

void IncrementExtraNonce(CBlock& block, int64_t height, uint32_t extra_nonce)
{
    const CTransaction& old = *block.vtx[0];
    CMutableTransaction coinbase;
    coinbase.version = old.version;
    coinbase.vin = old.vin; // keeps the witness reserved value
    coinbase.vout = old.vout;
    coinbase.lock_time = old.lock_time;
    coinbase.vin[0].script_sig = CoinbaseScriptSig(height, extra_nonce);
    block.vtx[0] = MakeTransactionRef(std::move(coinbase));
    block.hash_merkle_root = BlockMerkleRoot(block);
}

bool GrindNonce(CBlock& block, const ConsensusParams& params, uint64_t& max_tries)
{
    while (max_tries > 0) {
        --max_tries;
        if (CheckProofOfWork(block.GetHash(), block.bits, params)) return true;
        if (block.nonce == 0xffffffff) return false;
        ++block.nonce;
    }
    return false;
}

BlockAssembler::BlockAssembler(node::ChainstateManager& chainman, const CTxMemPool* mempool, BlockAssemblerOptions options)
    : m_chainman(chainman), m_mempool(mempool), m_options(options)
{
}

std::unique_ptr<BlockTemplate> BlockAssembler::CreateNewBlock(const ScriptBytes& coinbase_script, std::string& error,
                                                              const std::optional<std::vector<CTransactionRef>>& txs)
{
    LOCK(m_chainman.Mutex());
    const node::CBlockIndex* tip = m_chainman.ActiveTip();
    if (!tip) {
        error = "no chain tip";
        return nullptr;
    }
    const ConsensusParams& params = m_chainman.Consensus();
    auto tmpl = std::make_unique<BlockTemplate>();
    CBlock& block = tmpl->block;
    tmpl->height = int64_t(tip->height) + 1;
    tmpl->median_time_past = tip->GetMedianTimePast();
    const int64_t lock_time_cutoff = tmpl->median_time_past;

    block.version = BLOCK_VERSION;
    block.hash_prev_block = tip->GetBlockHash();
    block.time = uint32_t(std::max<int64_t>(tmpl->median_time_past + 1, m_chainman.Now()));
    block.bits = NextWorkRequired(tip->height, tip->GetBlockTime(), tip->bits, params);
    block.nonce = 0;
    block.vtx.emplace_back(); // coinbase placeholder

    if (txs) {
        // Explicit transactions (generateblock): fees from the UTXO set and the earlier ones.
        node::CoinsViewCache view(&m_chainman.CoinsTip());
        for (const CTransactionRef& tx : *txs) {
            CAmount in = 0;
            bool have_all = true;
            for (const CTxIn& txin : tx->vin) {
                std::optional<Coin> coin = view.GetCoin(txin.prevout);
                if (!coin) {
                    have_all = false;
                    break;
                }
                in += coin->out.value;
            }
            CAmount fee = have_all ? in - tx->GetValueOut() : 0;
            if (have_all) {
                for (const CTxIn& txin : tx->vin) view.SpendCoin(txin.prevout);
                view.AddCoins(*tx, uint32_t(tmpl->height), true);
            }
            block.vtx.push_back(tx);
            tmpl->tx_fees.push_back(fee);
            tmpl->tx_weights.push_back(TxWeight(*tx));
            tmpl->tx_depends.emplace_back();
            tmpl->total_fees += fee;
        }
    } else if (m_mempool) {
        BlockSelectionOptions sel_opts;
        sel_opts.max_weight = m_options.max_block_weight - COINBASE_WEIGHT_RESERVE;
        sel_opts.min_package_feerate = m_options.block_min_feerate;
        const int64_t height = tmpl->height;
        sel_opts.is_final = [height, lock_time_cutoff](const CTransaction& tx) {
            return IsFinalTx(tx, height, lock_time_cutoff);
        };
        BlockSelection sel = SelectBlockTransactions(*m_mempool, sel_opts);
        // The pool checks ODA transactions against the tip's registry one by one; in a block
        // they apply in order (two updates of one model, a transfer then an update, ...).
        // Keep those that pass in block order, and drop the descendants of those that do not.
        oda::chain::RegistryCache registry(&m_chainman.RegistryTip());
        oda::chain::RegistryUndo scratch_undo;
        oda::chain::RegistryBlockApplier applier(registry, scratch_undo, static_cast<uint32_t>(height), nullptr);
        std::vector<size_t> vtx_index(sel.txs.size(), 0); // 0 = left out
        tmpl->total_fees = 0;
        for (size_t i = 0; i < sel.txs.size(); ++i) {
            const SelectedTx& s = sel.txs[i];
            bool keep = std::all_of(s.depends.begin(), s.depends.end(), [&](size_t d) { return vtx_index[d] != 0; });
            if (keep) {
                std::vector<oda::chain::Payload> payloads;
                TxValidationState oda_state;
                keep = oda::chain::CheckOdaTransaction(*s.tx, oda_state, params, &payloads) &&
                       applier.ApplyTransaction(*s.tx, payloads, oda_state);
            }
            if (!keep) continue;
            vtx_index[i] = block.vtx.size();
            block.vtx.push_back(s.tx);
            tmpl->tx_fees.push_back(s.fee);
            tmpl->tx_weights.push_back(s.weight);
            std::vector<size_t> depends;
            for (size_t d : s.depends) depends.push_back(vtx_index[d]); // vtx index (coinbase is 0)
            tmpl->tx_depends.push_back(std::move(depends));
            tmpl->total_fees += s.fee;
        }
    }

    tmpl->coinbase_value = GetBlockSubsidy(tmpl->height, params) + tmpl->total_fees;
    CMutableTransaction coinbase;
    coinbase.version = 2;
    coinbase.vin.emplace_back(COutPoint());
    coinbase.vin[0].script_sig = CoinbaseScriptSig(tmpl->height, 0);
    coinbase.vout.emplace_back(tmpl->coinbase_value, coinbase_script);
    block.vtx[0] = MakeTransactionRef(std::move(coinbase));
    tmpl->witness_commitment = GenerateCoinbaseCommitment(block);
    block.hash_merkle_root = BlockMerkleRoot(block);

    tmpl->total_weight = 0;
    for (const CTransactionRef& tx : block.vtx) tmpl->total_weight += TxWeight(*tx);

    BlockValidationState state;
    if (!m_chainman.TestBlockValidity(block, state, /*check_pow=*/false, /*check_merkle_root=*/true)) {
        error = "TestBlockValidity failed: " + state.ToString();
        return nullptr;
    }
    return tmpl;
}

std::vector<uint256> GenerateBlocks(node::ChainstateManager& chainman, const CTxMemPool* mempool,
                                    const ScriptBytes& coinbase_script, int nblocks, uint64_t max_tries,
                                    std::string& error, const std::optional<std::vector<CTransactionRef>>& txs)
{
    std::vector<uint256> hashes;
    const ConsensusParams& params = chainman.Consensus();
    for (int i = 0; i < nblocks && max_tries > 0; ++i) {
        BlockAssembler assembler(chainman, txs ? nullptr : mempool);
        std::unique_ptr<BlockTemplate> tmpl = assembler.CreateNewBlock(coinbase_script, error, txs);
        if (!tmpl) return hashes;
        CBlock& block = tmpl->block;
        uint32_t extra_nonce = 0;
        bool found = false;
        while (max_tries > 0) {
            IncrementExtraNonce(block, tmpl->height, ++extra_nonce);
            block.nonce = 0;
            if (GrindNonce(block, params, max_tries)) {
                found = true;
                break;
            }
        }
        if (!found) break;
        auto shared = std::make_shared<const CBlock>(block);
        BlockValidationState state;
        bool new_block = false;
        if (!chainman.ProcessNewBlock(shared, /*force_processing=*/true, &new_block, &state)) {
            error = "ProcessNewBlock, block not accepted: " + state.ToString();
            return hashes;
        }
        hashes.push_back(block.GetHash());
    }
    return hashes;
}
