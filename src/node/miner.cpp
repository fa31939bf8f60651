#include <node/miner.h>

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/tx_verify.h>
#include <node/validation.h>
#include <oda/chain/block_rules.h>
#include <oda/chain/registry_rules.h>
#include <oda/chain/tx_check.h>
#include <oda/model/architecture.h>
#include <script/standard.h>
#include <util/logging.h>

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

namespace {
/** Result payload bytes before its tensors: kind, compute units, the tensor count. */
constexpr size_t RESULT_BASE_BYTES = 1 + 8 + 9;
/** Weight of the coinbase output that carries a result payload of `payload_bytes`: value,
 *  script length, OP_RETURN, the "ODA1" push and the payload's push prefix, all non-witness. */
int64_t ResultOutputWeight(size_t payload_bytes) { return 4 * int64_t(8 + 9 + 1 + 5 + 5 + payload_bytes); }

/** Does the payload ask for compute (and so make the block carry a result)? */
bool NeedsResult(const oda::chain::Payload& p)
{
    return std::holds_alternative<oda::chain::AddModel>(p) || std::holds_alternative<oda::chain::UpdateWeights>(p) ||
           std::holds_alternative<oda::chain::Infer>(p);
}

/** Bytes an infer's output tensor adds to the result payload, from the architecture alone
 *  (known before the inference runs); 0 when the model is unknown (the rules reject it). */
size_t InferResultBytes(const oda::chain::Infer& infer, const oda::chain::RegistryView& registry)
{
    const std::optional<oda::chain::ModelRecord> record = registry.GetModel(infer.model_id);
    if (!record) return 0;
    oda::model::Architecture arch;
    oda::model::ArchitectureInfo info;
    std::string error;
    if (!oda::model::DecodeArchitecture(record->architecture, arch, error) ||
        !oda::model::AnalyzeArchitecture(arch, info, error)) {
        return 0;
    }
    return 1 + 9 + oda::model::ShapeElements(info.output_shape) * (arch.logits_output ? 4 : 1);
}

/** The result payload bytes a transaction's payloads add (its infers' tensors). */
size_t TxResultBytes(const std::vector<oda::chain::Payload>& payloads, const oda::chain::RegistryView& registry)
{
    size_t bytes = 0;
    for (const oda::chain::Payload& p : payloads) {
        if (const auto* infer = std::get_if<oda::chain::Infer>(&p)) bytes += InferResultBytes(*infer, registry);
    }
    return bytes;
}

bool HasInfer(const std::vector<oda::chain::Payload>& payloads)
{
    return std::any_of(payloads.begin(), payloads.end(),
                       [](const oda::chain::Payload& p) { return std::holds_alternative<oda::chain::Infer>(p); });
}
} // namespace

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

    // The ODA rules of the block in the making (oda/chain/block_rules.h), with the executor:
    // they run the infers and scores (from the cache when the mempool saw them), count the
    // compute units against the limits and give the coinbase's result payload.
    oda::chain::OdaExecutor* executor = m_chainman.GetOdaExecutor();
    oda::chain::RegistryCache registry(&m_chainman.RegistryTip());
    oda::chain::RegistryUndo scratch_undo;
    oda::chain::BlockOdaRules rules(registry, scratch_undo, static_cast<uint32_t>(tmpl->height), params, executor);

    if (txs) {
        rules.Prefetch(*txs);
        bool oda_failed = false; // after a failure TestBlockValidity reports the reason
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
            if (!oda_failed) {
                std::vector<oda::chain::Payload> payloads;
                TxValidationState oda_state;
                oda_failed = !oda::chain::CheckOdaTransaction(*tx, oda_state, params, &payloads) ||
                             !rules.ApplyTransaction(*tx, payloads, oda_state);
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
        std::vector<CTransactionRef> selected;
        for (const SelectedTx& s : sel.txs) selected.push_back(s.tx);
        rules.Prefetch(selected); // infers of one model version as one batch
        // The pool checks ODA transactions against the tip's registry one by one; in a block
        // they apply in order (two updates of one model, a transfer then an update, ...) and
        // share the block's compute and weight limits, the result payload's bytes included.
        // Keep those that pass in block order, and drop the descendants of those that do not.
        const int64_t weight_budget = m_options.max_block_weight - COINBASE_WEIGHT_RESERVE;
        int64_t weight = 0;
        bool result_counted = false;
        std::vector<size_t> vtx_index(sel.txs.size(), 0); // 0 = left out
        tmpl->total_fees = 0;
        for (size_t i = 0; i < sel.txs.size(); ++i) {
            const SelectedTx& s = sel.txs[i];
            const std::string txid = s.tx->GetTxid().GetHex();
            if (!std::all_of(s.depends.begin(), s.depends.end(), [&](size_t d) { return vtx_index[d] != 0; })) continue;
            std::vector<oda::chain::Payload> payloads;
            TxValidationState oda_state;
            if (!oda::chain::CheckOdaTransaction(*s.tx, oda_state, params, &payloads)) {
                LogPrintf("CreateNewBlock: leaving out tx %s: %s\n", txid.c_str(), oda_state.ToString().c_str());
                continue;
            }
            if (!executor && HasInfer(payloads)) {
                LogPrintf("CreateNewBlock: leaving out infer tx %s: no executor to run it\n", txid.c_str());
                continue;
            }
            const bool needs_result = std::any_of(payloads.begin(), payloads.end(), NeedsResult);
            int64_t extra = 4 * int64_t(TxResultBytes(payloads, registry));
            if (needs_result && !result_counted) extra += ResultOutputWeight(RESULT_BASE_BYTES);
            if (weight + s.weight + extra > weight_budget) {
                LogPrintf("CreateNewBlock: leaving out tx %s: its weight %lld with %lld of result output does not fit\n",
                          txid.c_str(), static_cast<long long>(s.weight), static_cast<long long>(extra));
                continue;
            }
            if (!rules.ApplyTransaction(*s.tx, payloads, oda_state)) {
                const bool missing = oda_state.GetResult() == TxValidationResult::TX_DATA_UNAVAILABLE;
                LogPrintf("CreateNewBlock: leaving out tx %s: %s%s\n", txid.c_str(), oda_state.ToString().c_str(),
                          missing ? " (a model file is not held: importmodelfile)" : "");
                continue;
            }
            weight += s.weight + extra;
            result_counted |= needs_result;
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
    // The result payload (doc/oda-protocol.md section 4): the block's compute units and one
    // output per infer, in block order; only in blocks with compute.
    tmpl->compute_units = rules.TotalComputeUnits();
    if (std::optional<oda::chain::Result> result = rules.ExpectedResult()) {
        tmpl->oda_result_script = OdaOutputScript(oda::chain::EncodeOdaPayload(*result));
        coinbase.vout.emplace_back(0, tmpl->oda_result_script);
        tmpl->oda_result = std::move(result);
    }
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
