// Mining RPCs: getmininginfo, getblocktemplate (BIP 22/23 template and proposal
// modes), submitblock (BIP 22 results), generatetoaddress, generateblock.
#include <rpc/mempool.h>

#include <consensus/arith.h>
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <consensus/pow.h>
#include <hex.h>
#include <node/context.h>
#include <node/miner.h>
#include <node/validation.h>
#include <oda/chain/compute_units.h>
#include <oda/chain/registry_rules.h>
#include <oda/chain/tx_check.h>
#include <rpc/core_write.h>
#include <rpc/protocol.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <script/address.h>
#include <script/standard.h>
#include <streams.h>

#include <cstdint>
#include <cstdio>

using nlohmann::json;

namespace {

constexpr uint64_t DEFAULT_MAX_TRIES = 1000000;

bool ArgGiven(const JSONRPCRequest& r, size_t i) { return r.params.size() > i && !r.params[i].is_null(); }

ScriptBytes DecodeAddressOrThrow(const JSONRPCRequest& request, const std::string& address)
{
    std::string error;
    auto spk = DecodeDestination(address, EnsureChainParams(request).Bech32HRP(), &error);
    if (!spk) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
    return *spk;
}

json HashesToJSON(const std::vector<uint256>& hashes)
{
    json a = json::array();
    for (const uint256& h : hashes) a.push_back(h.GetHex());
    return a;
}

/** submitblock / proposal answer for a block that cannot be judged until the node has a model
 *  file (doc/oda-protocol.md section 5): neither accepted nor invalid (doc/mining.md). */
constexpr const char* WAITING_FOR_DATA_RESULT = "inconclusive-waiting-for-data";

/** BIP 22 result for a rejected or accepted block. */
json BIP22Result(const BlockValidationState& state)
{
    if (state.IsValid()) return nullptr;
    if (state.IsError()) throw JSONRPCError(RPC_VERIFY_ERROR, state.ToString());
    if (state.GetResult() == BlockValidationResult::BLOCK_DATA_UNAVAILABLE) return WAITING_FOR_DATA_RESULT;
    std::string reason = state.GetRejectReason();
    return reason.empty() ? json("rejected") : json(reason);
}

std::string BitsHex(uint32_t bits)
{
    char buf[9];
    std::snprintf(buf, sizeof(buf), "%08x", bits);
    return buf;
}

std::string TargetHex(uint32_t bits)
{
    return ArithToUint256(DecodeCompact(bits)).GetHex();
}

json getmininginfo(const JSONRPCRequest& request)
{
    node::ChainstateManager& chainman = EnsureChainstate(request);
    CTxMemPool& pool = EnsureMemPool(request);
    LOCK(chainman.Mutex());
    const node::CBlockIndex* tip = chainman.ActiveTip();
    json o = json::object();
    o["blocks"] = chainman.ActiveHeight();
    if (tip) {
        o["difficulty"] = GetDifficulty(tip->bits);
        o["bits"] = BitsHex(tip->bits);
        o["target"] = TargetHex(tip->bits);
    }
    o["networkhashps"] = 0;
    o["pooledtx"] = pool.Size();
    o["chain"] = ChainTypeToString(chainman.Params().GetChainType());
    o["warnings"] = json::array();
    return o;
}

/** Compute units of each non-coinbase transaction of the template (doc/oda-protocol.md section 4),
 *  each on the registry after the transactions before it, as block connection counts them. */
std::vector<int64_t> TemplateComputeUnits(node::ChainstateManager& chainman, const BlockTemplate& t)
{
    const CBlock& block = t.block;
    std::vector<int64_t> out(block.vtx.size() > 0 ? block.vtx.size() - 1 : 0, 0);
    LOCK(chainman.Mutex());
    oda::chain::RegistryCache registry(&chainman.RegistryTip());
    oda::chain::RegistryUndo undo;
    // No executor: only the registry's bookkeeping is needed here (the template was validated).
    oda::chain::RegistryBlockApplier applier(registry, undo, static_cast<uint32_t>(t.height), nullptr);
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        std::vector<oda::chain::Payload> payloads;
        TxValidationState state;
        if (!oda::chain::CheckOdaTransaction(*block.vtx[i], state, chainman.Consensus(), &payloads)) continue;
        std::string error;
        out[i - 1] = oda::chain::TransactionComputeUnits(payloads, registry, error).value_or(0);
        if (!applier.ApplyTransaction(*block.vtx[i], payloads, state)) break; // (cannot happen: validated)
    }
    return out;
}

/** The coinbase's ODA outputs of the assembled template (the result payload, doc/oda-protocol.md
 *  section 2.2 kind 4) that an external miner copies into its own coinbase, and the block's
 *  compute units (doc/mining.md). */
json CoinbaseOdaToJSON(const ConsensusParams& consensus, const BlockTemplate& t, int64_t tx_compute_units)
{
    json outputs = json::array();
    std::optional<int64_t> claimed;
    const CTransaction& coinbase = *t.block.vtx[0];
    std::vector<oda::chain::Payload> payloads;
    TxValidationState state;
    const bool decoded = oda::chain::CheckOdaTransaction(coinbase, state, consensus, &payloads);
    size_t next_payload = 0;
    for (size_t n = 0; n < coinbase.vout.size(); ++n) {
        const CTxOut& out = coinbase.vout[n];
        if (!HasOdaTag(out.script_pubkey)) continue;
        json o = json::object();
        o["index"] = n;
        o["script"] = HexStr(out.script_pubkey);
        o["value"] = out.value;
        if (decoded && next_payload < payloads.size()) {
            const oda::chain::Payload& p = payloads[next_payload++];
            o["kind"] = oda::chain::PayloadKindName(oda::chain::KindOf(p));
            if (const auto* r = std::get_if<oda::chain::Result>(&p)) {
                claimed = r->compute_units;
                o["results"] = r->outputs.size();
            }
        }
        outputs.push_back(o);
    }
    json o = json::object();
    o["coinbase_outputs"] = outputs;
    // The result payload's claim is what the block commits to; without one, the transactions' sum.
    o["computeunits"] = claimed.value_or(tx_compute_units);
    o["max_block_computeunits"] = consensus.max_block_compute_units;
    return o;
}

json TemplateToJSON(node::ChainstateManager& chainman, const BlockTemplate& t)
{
    const CBlock& block = t.block;
    const std::vector<int64_t> cu = TemplateComputeUnits(chainman, t);
    int64_t total_cu = 0;
    for (int64_t c : cu) total_cu = c > INT64_MAX - total_cu ? INT64_MAX : total_cu + c; // saturating, as the rules
    json txs = json::array();
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        const CTransaction& tx = *block.vtx[i];
        json e = json::object();
        e["data"] = HexStr(SerializeToBytes(tx));
        e["txid"] = tx.GetTxid().GetHex();
        e["hash"] = tx.GetWtxid().GetHex();
        json deps = json::array();
        for (size_t d : t.tx_depends[i - 1]) deps.push_back(d);
        e["depends"] = deps;
        e["fee"] = t.tx_fees[i - 1];
        e["sigops"] = 0;
        e["weight"] = t.tx_weights[i - 1];
        e["computeunits"] = cu[i - 1];
        txs.push_back(e);
    }
    json o = json::object();
    o["capabilities"] = json::array({"proposal"});
    o["version"] = block.version;
    o["rules"] = json::array({"!segwit", "taproot"});
    o["vbavailable"] = json::object();
    o["vbrequired"] = 0;
    o["previousblockhash"] = block.hash_prev_block.GetHex();
    o["transactions"] = txs;
    o["coinbaseaux"] = json::object();
    o["coinbasevalue"] = t.coinbase_value;
    o["longpollid"] = block.hash_prev_block.GetHex() + std::to_string(t.block.vtx.size());
    o["target"] = TargetHex(block.bits);
    o["mintime"] = t.median_time_past + 1;
    o["mutable"] = json::array({"time", "transactions", "prevblock"});
    o["noncerange"] = "00000000ffffffff";
    o["sigoplimit"] = 80000;
    o["sizelimit"] = 4000000;
    o["weightlimit"] = chainman.Consensus().max_block_weight;
    o["curtime"] = block.time;
    o["bits"] = BitsHex(block.bits);
    o["height"] = t.height;
    o["default_witness_commitment"] = HexStr(t.witness_commitment);
    o["oda"] = CoinbaseOdaToJSON(chainman.Consensus(), t, total_cu);
    return o;
}

json getblocktemplate(const JSONRPCRequest& request)
{
    node::ChainstateManager& chainman = EnsureChainstate(request);
    CTxMemPool& pool = EnsureMemPool(request);
    std::string mode = "template";
    json req = ArgGiven(request, 0) ? request.params[0] : json::object();
    if (!req.is_object()) throw JSONRPCError(RPC_TYPE_ERROR, "template_request must be an object");
    if (req.contains("mode") && !req["mode"].is_null()) {
        if (!req["mode"].is_string()) throw JSONRPCError(RPC_TYPE_ERROR, "mode must be a string");
        mode = req["mode"].get<std::string>();
    }
    if (mode == "proposal") {
        if (!req.contains("data") || !req["data"].is_string()) {
            throw JSONRPCError(RPC_TYPE_ERROR, "Missing data String key for proposal");
        }
        auto bytes = ParseHex(req["data"].get<std::string>());
        CBlock block;
        try {
            if (!bytes) throw std::runtime_error("hex");
            DeserializeExact(*bytes, block);
        } catch (const std::exception&) {
            throw JSONRPCError(RPC_DESERIALIZATION_ERROR, "Block decode failed");
        }
        LOCK(chainman.Mutex());
        const uint256 hash = block.GetHash();
        if (const node::CBlockIndex* index = chainman.LookupBlockIndex(hash)) {
            if (index->IsValid(node::BLOCK_VALID_SCRIPTS)) return "duplicate";
            if (index->status & node::BLOCK_FAILED_MASK) return "duplicate-invalid";
            return "duplicate-inconclusive";
        }
        const node::CBlockIndex* tip = chainman.ActiveTip();
        if (!tip || block.hash_prev_block != tip->GetBlockHash()) return "inconclusive-not-best-prevblk";
        BlockValidationState state;
        chainman.TestBlockValidity(block, state, /*check_pow=*/false, /*check_merkle_root=*/true);
        return BIP22Result(state);
    }
    if (mode != "template") throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid mode");

    bool segwit = false;
    if (req.contains("rules") && req["rules"].is_array()) {
        for (const json& r : req["rules"]) segwit |= r.is_string() && r.get<std::string>() == "segwit";
    }
    if (!segwit) {
        throw JSONRPCError(RPC_INVALID_PARAMETER,
                           "getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})");
    }
    if (chainman.Params().GetChainType() != ChainType::REGTEST && chainman.IsInitialBlockDownload()) {
        throw JSONRPCError(RPC_CLIENT_IN_INITIAL_DOWNLOAD, "ODA is in initial sync and waiting for blocks...");
    }
    // The template's coinbase is a placeholder: BIP 22 miners build their own from coinbasevalue.
    std::string error;
    BlockAssembler assembler(chainman, &pool);
    std::unique_ptr<BlockTemplate> tmpl = assembler.CreateNewBlock(ScriptBytes{0x51}, error);
    if (!tmpl) throw JSONRPCError(RPC_OUT_OF_MEMORY, "Could not create block template: " + error);
    return TemplateToJSON(chainman, *tmpl);
}

json submitblock(const JSONRPCRequest& request)
{
    node::ChainstateManager& chainman = EnsureChainstate(request);
    auto bytes = ParseHex(request.params[0].get<std::string>());
    auto block = std::make_shared<CBlock>();
    try {
        if (!bytes) throw std::runtime_error("hex");
        DeserializeExact(*bytes, *block);
    } catch (const std::exception&) {
        throw JSONRPCError(RPC_DESERIALIZATION_ERROR, "Block decode failed");
    }
    if (block->vtx.empty() || !block->vtx[0]->IsCoinBase()) {
        throw JSONRPCError(RPC_DESERIALIZATION_ERROR, "Block does not start with a coinbase");
    }
    const uint256 hash = block->GetHash();
    {
        LOCK(chainman.Mutex());
        if (const node::CBlockIndex* index = chainman.LookupBlockIndex(hash)) {
            if (index->status & node::BLOCK_FAILED_MASK) return "duplicate-invalid";
            if (index->HaveData() && chainman.WaitingFor(index)) return WAITING_FOR_DATA_RESULT;
            if (index->HaveData()) return "duplicate";
        }
    }
    bool new_block = false;
    BlockValidationState state;
    bool accepted = chainman.ProcessNewBlock(block, /*force_processing=*/true, &new_block, &state);
    if (!accepted) {
        json r = BIP22Result(state);
        return r.is_null() ? json("rejected") : r;
    }
    if (!new_block) return "duplicate";
    LOCK(chainman.Mutex());
    const node::CBlockIndex* index = chainman.LookupBlockIndex(hash);
    if (index && (index->status & node::BLOCK_FAILED_MASK)) {
        return state.GetRejectReason().empty() ? json("rejected") : json(state.GetRejectReason());
    }
    // It (or a block below it) waits for a model file: stored, never marked invalid, connected
    // once the file arrives (getchaintips shows it as waiting-for-data).
    if (index && chainman.WaitingFor(index)) return WAITING_FOR_DATA_RESULT;
    // Stored but not connected (not on the most-work chain): neither accepted nor rejected yet.
    if (!index || !chainman.ActiveChain().Contains(index)) return "inconclusive";
    return nullptr;
}

json generatetoaddress(const JSONRPCRequest& request)
{
    node::ChainstateManager& chainman = EnsureChainstate(request);
    CTxMemPool& pool = EnsureMemPool(request);
    const int nblocks = GetIntArg<int>(request.params[0], "nblocks");
    const ScriptBytes spk = DecodeAddressOrThrow(request, request.params[1].get<std::string>());
    uint64_t max_tries = DEFAULT_MAX_TRIES;
    if (ArgGiven(request, 2)) {
        const int64_t v = GetIntArg<int64_t>(request.params[2], "maxtries");
        if (v < 0) throw JSONRPCError(RPC_INVALID_PARAMETER, "maxtries must be non-negative");
        max_tries = uint64_t(v);
    }
    if (nblocks < 0) throw JSONRPCError(RPC_INVALID_PARAMETER, "nblocks must be non-negative");
    std::string error;
    std::vector<uint256> hashes = GenerateBlocks(chainman, &pool, spk, nblocks, max_tries, error);
    if (!error.empty()) throw JSONRPCError(RPC_INTERNAL_ERROR, error);
    return HashesToJSON(hashes);
}

json generateblock(const JSONRPCRequest& request)
{
    node::ChainstateManager& chainman = EnsureChainstate(request);
    CTxMemPool& pool = EnsureMemPool(request);
    const ScriptBytes spk = DecodeAddressOrThrow(request, request.params[0].get<std::string>());
    const json& list = request.params[1];
    if (!list.is_array()) throw JSONRPCError(RPC_TYPE_ERROR, "transactions must be an array");
    const bool submit = !ArgGiven(request, 2) || request.params[2].get<bool>();
    std::vector<CTransactionRef> txs;
    for (const json& item : list) {
        if (!item.is_string()) throw JSONRPCError(RPC_TYPE_ERROR, "transactions must contain strings");
        const std::string s = item.get<std::string>();
        if (auto txid = uint256::FromHex(s)) {
            CTransactionRef tx = pool.Get(*txid);
            if (!tx) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction " + s + " not in mempool.");
            txs.push_back(tx);
            continue;
        }
        auto mtx = DecodeHexTx(s);
        if (!mtx) throw JSONRPCError(RPC_DESERIALIZATION_ERROR, "Transaction decode failed for " + s);
        txs.push_back(MakeTransactionRef(std::move(*mtx)));
    }

    std::string error;
    BlockAssembler assembler(chainman, nullptr);
    std::unique_ptr<BlockTemplate> tmpl = assembler.CreateNewBlock(spk, error, txs);
    if (!tmpl) throw JSONRPCError(RPC_VERIFY_ERROR, error);
    CBlock& block = tmpl->block;
    uint64_t max_tries = DEFAULT_MAX_TRIES;
    bool found = false;
    for (uint32_t extra = 1; max_tries > 0 && !found; ++extra) {
        IncrementExtraNonce(block, tmpl->height, extra);
        block.nonce = 0;
        found = GrindNonce(block, chainman.Consensus(), max_tries);
    }
    if (!found) throw JSONRPCError(RPC_MISC_ERROR, "Failed to make block.");
    json o = json::object();
    o["hash"] = block.GetHash().GetHex();
    if (!submit) {
        o["hex"] = HexStr(SerializeToBytes(block));
        return o;
    }
    BlockValidationState state;
    bool new_block = false;
    if (!chainman.ProcessNewBlock(std::make_shared<const CBlock>(block), true, &new_block, &state)) {
        throw JSONRPCError(RPC_INTERNAL_ERROR, "ProcessNewBlock, block not accepted: " + state.ToString());
    }
    return o;
}

} // namespace

void RegisterMiningRPCCommands(CRPCTable& t)
{
    using A = RPCArg;
    t.AppendCommand({"mining", "getmininginfo", &getmininginfo,
                     RPCHelp{"getmininginfo", "Returns a json object containing mining-related information.", {},
                             "{ \"blocks\", \"difficulty\", \"bits\", \"target\", \"networkhashps\", \"pooledtx\", \"chain\", \"warnings\" }",
                             HelpExampleCli("getmininginfo", "") + HelpExampleRpc("getmininginfo", "")}});
    t.AppendCommand({"mining", "getblocktemplate", &getblocktemplate,
                     RPCHelp{"getblocktemplate",
                             "Returns data needed to construct a block to work on (BIP 22, BIP 23, BIP 145).\n"
                             "With {\"mode\": \"proposal\", \"data\": hex} checks a block proposal instead.",
                             {{"template_request", A::Type::OBJ, A::OPTIONAL, "{\"mode\": \"template\"|\"proposal\", \"rules\": [\"segwit\"], \"data\": hex}", "{}"}},
                             "BIP 22 template object, or for proposals null / a reject reason (\"inconclusive-waiting-for-data\" when\n"
                             "a model file is missing). ODA additions (doc/mining.md): each transaction has \"computeunits\"; \"oda\":\n"
                             "{\"coinbase_outputs\": [{\"index\", \"script\", \"value\", \"kind\", \"results\"}] (copy them into the\n"
                             "coinbase, in this order, for exactly this transaction list), \"computeunits\" (the block's),\n"
                             "\"max_block_computeunits\"}",
                             HelpExampleCli("getblocktemplate", "'{\"rules\": [\"segwit\"]}'") +
                                 HelpExampleRpc("getblocktemplate", "{\"rules\": [\"segwit\"]}")}});
    t.AppendCommand({"mining", "submitblock", &submitblock,
                     RPCHelp{"submitblock", "Attempts to submit new block to network (BIP 22).",
                             {{"hexdata", A::Type::STR_HEX, A::REQUIRED, "the hex-encoded block data to submit"},
                              {"dummy", A::Type::ANY, A::OPTIONAL, "dummy value, for compatibility with BIP22. This value is ignored."}},
                             "null if accepted, else a string: \"duplicate\", \"duplicate-invalid\", \"inconclusive\" (stored, not on the best chain),\n"
                             "\"inconclusive-waiting-for-data\" (stored, not invalid: it or a block below it needs a model file the node lacks;\n"
                             "it connects when the file arrives, see getchaintips) or the reject reason",
                             HelpExampleCli("submitblock", "\"mydata\"") + HelpExampleRpc("submitblock", "\"mydata\"")}});
    t.AppendCommand({"generating", "generatetoaddress", &generatetoaddress,
                     RPCHelp{"generatetoaddress", "Mine blocks immediately to a specified address (before the RPC call returns)",
                             {{"nblocks", A::Type::NUM, A::REQUIRED, "How many blocks are generated."},
                              {"address", A::Type::STR, A::REQUIRED, "The address to send the newly generated coins to."},
                              {"maxtries", A::Type::NUM, A::OPTIONAL, "How many iterations to try.", "1000000"}},
                             "[\"blockhash\", ...]    (json array) hashes of blocks generated",
                             HelpExampleCli("generatetoaddress", "11 \"myaddress\"") + HelpExampleRpc("generatetoaddress", "11, \"myaddress\"")}});
    t.AppendCommand({"generating", "generateblock", &generateblock,
                     RPCHelp{"generateblock", "Mine a set of ordered transactions to a specified address and return the block hash.",
                             {{"output", A::Type::STR, A::REQUIRED, "The address to send the newly generated coins to."},
                              {"transactions", A::Type::ARR, A::REQUIRED, "An array of hex strings which are either txids or raw transactions.\nTxids must reference transactions currently in the mempool."},
                              {"submit", A::Type::BOOL, A::OPTIONAL, "Whether to submit the block to the node. If false, the hex of the block is returned too.", "true"}},
                             "{ \"hash\" : \"hex\", \"hex\" : \"hex\" (if submit=false) }",
                             HelpExampleCli("generateblock", "\"myaddress\" '[\"rawtx\", \"mempool_txid\"]'")}});
}
