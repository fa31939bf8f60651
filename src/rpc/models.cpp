// The model registry over RPC (doc/oda-protocol.md section 2.5): getregistryinfo (with a hash
// two nodes can compare), listmodels and getmodel. All read the registry as flushed to the
// chainstate database after a forced flush, as gettxoutsetinfo does, so what they show is
// exactly what a restart would load.
#include <hex.h>
#include <node/context.h>
#include <node/inference_index.h>
#include <node/mempool.h>
#include <node/model_eval.h>
#include <node/validation.h>
#include <oda/chain/compute_units.h>
#include <oda/chain/registry.h>
#include <oda/chain/royalty.h>
#include <oda/model/architecture.h>
#include <oda/model/fileio.h>
#include <oda/model/model.h>
#include <oda/storage/file_store.h>
#include <rpc/core_write.h>
#include <rpc/register.h>
#include <rpc/request.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <script/address.h>
#include <util/sync.h>

using nlohmann::json;
using oda::chain::ModelRecord;
using oda::chain::ModelVersion;

node::ChainstateManager& EnsureChainman(const JSONRPCRequest& request); // rpc/blockchain.cpp

namespace {

/** Flushes so the database holds the tip's registry. Hold chainman.Mutex(). */
void FlushForRead(node::ChainstateManager& chainman)
{
    if (!chainman.FlushStateToDisk(node::FlushMode::ALWAYS)) {
        throw JSONRPCError(RPC_DATABASE_ERROR, "Unable to flush the chain state to disk");
    }
}

json VersionToJSON(uint32_t index, const ModelVersion& v, const std::string& hrp)
{
    json out = json::object();
    out["version"] = index;
    out["weights"] = CommitmentToJSON(v.weights);
    out["score"] = v.score;
    out["height"] = v.height;
    out["txid"] = v.txid.GetHex();
    out["trainer_script"] = HexStr(v.trainer_script);
    const std::string address = EncodeDestination(v.trainer_script, hrp);
    if (!address.empty()) out["trainer_address"] = address;
    return out;
}

json ModelSummary(const uint256& id, const ModelRecord& m, const std::string& hrp)
{
    json out = json::object();
    out["modelid"] = id.GetHex();
    out["owner"] = json{{"txid", m.owner.hash.GetHex()}, {"vout", m.owner.n}};
    out["owner_address"] = EncodeDestination(m.owner_script, hrp);
    out["current_version"] = m.current_version;
    out["current_score"] = m.current_score;
    out["versions"] = m.version_count;
    out["height"] = m.added_height;
    return out;
}

/** Who gets what of one inference's royalty (doc/oda-protocol.md section 7), by role, for the
 *  current version; and the per-script sums an infer transaction must pay. */
json RoyaltySplitToJSON(const ModelRecord& m, const ModelVersion& current, const oda::chain::RegistryView& registry,
                        const std::string& hrp)
{
    json out = json::object();
    out["per_inference"] = m.royalty;
    const CAmount trainer = oda::chain::RoyaltyShare(m.royalty, m.trainer_share_bp);
    CAmount rest = m.royalty - trainer;
    out["trainer"] = json{{"address", EncodeDestination(current.trainer_script, hrp)}, {"amount", trainer}};
    json parents = json::array();
    for (const auto& p : m.parents) {
        const CAmount share = oda::chain::RoyaltyShare(m.royalty, p.share_bp);
        rest -= share;
        json entry{{"modelid", p.model_id.GetHex()}, {"amount", share}};
        if (auto parent = registry.GetModel(p.model_id)) entry["address"] = EncodeDestination(parent->owner_script, hrp);
        parents.push_back(entry);
    }
    out["parents"] = parents;
    out["owner"] = json{{"address", EncodeDestination(m.owner_script, hrp)}, {"amount", rest}};
    std::string error;
    json outputs = json::array();
    if (auto owed = oda::chain::ComputeRoyaltyOwed(m, current, registry, error)) {
        for (const auto& [script, amount] : *owed) {
            outputs.push_back(json{{"address", EncodeDestination(script, hrp)}, {"script", HexStr(script)}, {"amount", amount}});
        }
    }
    out["outputs"] = outputs;
    return out;
}

json ModelToJSON(const uint256& id, const ModelRecord& m, const std::vector<ModelVersion>& versions, const std::string& hrp,
                 const oda::chain::RegistryView& registry)
{
    json out = ModelSummary(id, m, hrp);
    out["owner_script"] = HexStr(m.owner_script);
    out["architecture"] = HexStr(m.architecture);
    oda::model::Architecture arch;
    oda::model::ArchitectureInfo info;
    std::string error;
    const bool decoded = oda::model::DecodeArchitecture(m.architecture, arch, error);
    if (decoded) out["objective"] = oda::model::ObjectiveName(arch.objective);
    out["dataset"] = CommitmentToJSON(m.dataset);
    out["dataset_samples"] = m.dataset_samples;
    out["royalty"] = m.royalty;
    out["trainer_share_bp"] = m.trainer_share_bp;
    json parents = json::array();
    for (const auto& p : m.parents) parents.push_back(json{{"modelid", p.model_id.GetHex()}, {"share_bp", p.share_bp}});
    out["parents"] = parents;
    out["min_improvement"] = m.min_improvement;
    json list = json::array();
    for (uint32_t i = 0; i < versions.size(); ++i) list.push_back(VersionToJSON(i, versions[i], hrp));
    out["version_list"] = list;
    if (decoded && oda::model::AnalyzeArchitecture(arch, info, error)) {
        out["computeunits_per_inference"] = oda::chain::RunComputeUnits(info, 1);
        out["computeunits_per_scoring"] = oda::chain::RunComputeUnits(info, m.dataset_samples);
    }
    if (m.current_version < versions.size()) {
        out["royalty_split"] = RoyaltySplitToJSON(m, versions[m.current_version], registry, hrp);
    }
    return out;
}

json getregistryinfo(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    FlushForRead(chainman);
    const node::RegistryViewDB& db = chainman.RegistryDB();
    oda::chain::RegistryHasher hasher;
    uint64_t models = 0, versions = 0;
    db.ForEachModel([&](const uint256& id, const ModelRecord& record) {
        oda::chain::ModelWithVersions full{id, record, oda::chain::ReadVersions(db, id, record)};
        ++models;
        versions += full.versions.size();
        hasher.Add(full);
    });
    const node::CBlockIndex* tip = chainman.ActiveTip();
    json out = json::object();
    out["height"] = tip ? tip->height : -1;
    out["bestblock"] = tip ? tip->GetBlockHash().GetHex() : uint256().GetHex();
    out["models"] = models;
    out["versions"] = versions;
    out["hash"] = hasher.Finalize().GetHex();
    return out;
}

json listmodels(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    FlushForRead(chainman);
    const std::string hrp = chainman.Params().Bech32HRP();
    json out = json::array();
    chainman.RegistryDB().ForEachModel(
        [&](const uint256& id, const ModelRecord& record) { out.push_back(ModelSummary(id, record, hrp)); });
    return out;
}

json getmodel(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    const uint256 id = ParseHashV(request.params[0], "modelid");
    LOCK(chainman.Mutex());
    FlushForRead(chainman);
    const node::RegistryViewDB& db = chainman.RegistryDB();
    std::optional<ModelRecord> record = db.GetModel(id);
    if (!record) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Model not found");
    return ModelToJSON(id, *record, oda::chain::ReadVersions(db, id, *record), chainman.Params().Bech32HRP(), db);
}

/** A file argument of evaluatemodel: read from its path, bounded by the consensus limit of its kind. */
std::vector<uint8_t> ReadModelFileArg(const json& v, int64_t max_size, const std::string& what)
{
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) throw JSONRPCError(RPC_TYPE_ERROR, what + " must be a path");
    std::vector<uint8_t> bytes;
    std::string error;
    if (!oda::model::ReadFileBounded(v.get<std::string>(), static_cast<uint64_t>(max_size), bytes, error)) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, what + " file: " + error);
    }
    return bytes;
}

json evaluatemodel(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    const uint256 id = ParseHashV(request.params[0], "modelid");
    std::optional<ModelRecord> record;
    std::optional<ModelVersion> current;
    {
        LOCK(chainman.Mutex());
        const oda::chain::RegistryView& registry = chainman.RegistryTip();
        record = registry.GetModel(id);
        if (record) current = registry.GetVersion(id, record->current_version);
    }
    if (!record || !current) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Model not found");
    const bool own_weights = request.params.size() > 1 && !request.params[1].is_null();
    const bool own_dataset = request.params.size() > 2 && !request.params[2].is_null();
    const auto& params = chainman.Params().GetConsensus();
    oda::storage::FileStore* store = request.context ? request.context->file_store.get() : nullptr;
    auto from_store = [&](const oda::chain::Commitment& c, const std::string& what) {
        std::vector<uint8_t> bytes;
        std::string error;
        if (!store || !store->Has(c)) {
            throw JSONRPCError(RPC_MISC_ERROR, "The node's model file store lacks the model's " + what + " file (pieces root " +
                                                   c.pieces_root.ToHexBytes() + "): import it with importmodelfile, or give a path");
        }
        if (!store->ReadVerified(c, bytes, error)) throw JSONRPCError(RPC_MISC_ERROR, what + ": " + error);
        return bytes;
    };
    // Files are read outside the chain lock; scoring runs without any lock.
    const std::vector<uint8_t> weights = own_weights ? ReadModelFileArg(request.params[1], params.max_weights_file_bytes, "weights")
                                                     : from_store(current->weights, "weights");
    const std::vector<uint8_t> dataset = own_dataset ? ReadModelFileArg(request.params[2], params.max_dataset_file_bytes, "dataset")
                                                     : from_store(record->dataset, "dataset");
    std::string error;
    const auto score = node::ScoreFileBytes(record->architecture, weights, dataset, error);
    if (!score) throw JSONRPCError(RPC_DESERIALIZATION_ERROR, error);
    json out = json::object();
    out["modelid"] = id.GetHex();
    out["score"] = *score;
    out["current_score"] = record->current_score;
    out["current_version"] = record->current_version;
    out["weights"] = own_weights ? json(request.params[1].get<std::string>()) : json(current->weights.pieces_root.ToHexBytes());
    out["dataset"] = own_dataset ? json(request.params[2].get<std::string>()) : json(record->dataset.pieces_root.ToHexBytes());
    const bool reachable = record->min_improvement <= std::numeric_limits<int64_t>::max() - record->current_score;
    out["improves"] = reachable && !own_dataset && *score >= record->current_score + record->min_improvement;
    return out;
}

/** The one place where the waiting state of doc/oda-protocol.md section 5 plugs into
 *  getinference: a block that holds `txid` and is kept waiting for a model file (neither
 *  valid nor invalid, not connected) makes the inference "waiting-for-data". Returns that
 *  block's hash. Until the chainstate exposes its waiting blocks, none is reported. */
/** The waiting block (node/validation.h GetWaitingBlocks: a block held until its model files
 *  arrive) that carries `txid`, if any. Few blocks wait at a time, so reading them is cheap. */
std::optional<uint256> FindWaitingInferenceBlock(node::ChainstateManager& chainman, const uint256& txid)
{
    for (const node::WaitingBlock& waiting : chainman.GetWaitingBlocks()) {
        const node::CBlockIndex* index = WITH_LOCK(chainman.Mutex(), return chainman.LookupBlockIndex(waiting.hash));
        CBlock block;
        if (!index || !chainman.ReadBlock(index, block)) continue;
        for (const CTransactionRef& tx : block.vtx) {
            if (tx->GetTxid() == txid) return waiting.hash;
        }
    }
    return std::nullopt;
}

void AddInferFields(json& out, const oda::chain::Infer& infer, const oda::chain::RegistryView& registry)
{
    out["modelid"] = infer.model_id.GetHex();
    out["weights_version"] = infer.weights_version.ToHexBytes();
    if (auto version = registry.FindVersion(infer.model_id, infer.weights_version)) {
        out["version"] = *version;
    } else {
        out["version"] = nullptr; // the model or version is gone (a reorg) or not registered yet
    }
    out["input_size"] = infer.input.size();
}

json getinference(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    const uint256 txid = ParseHashV(request.params[0], "txid");
    node::InferenceIndex* index = request.context ? request.context->inference_index.get() : nullptr;
    if (!index) throw JSONRPCError(RPC_MISC_ERROR, "The inference index is not running");
    // The index follows the chain on the notification queue: let it see every connected block.
    chainman.Signals().SyncWithQueue();
    json out = json::object();
    out["txid"] = txid.GetHex();

    if (const auto entry = index->Find(txid)) {
        CBlock block;
        std::string error;
        const node::CBlockIndex* where = nullptr;
        int confirmations = 0;
        {
            LOCK(chainman.Mutex());
            where = chainman.LookupBlockIndex(entry->block_hash);
            if (where && chainman.ActiveChain().Contains(where)) confirmations = chainman.ActiveHeight() - where->height + 1;
        }
        // An entry names an active-chain block (the index erases disconnected blocks' entries).
        if (where && confirmations > 0 && chainman.ReadBlock(where, block, &error) && entry->tx_number < block.vtx.size()) {
            const auto infer = node::InferOf(*block.vtx[entry->tx_number]);
            if (infer) {
                out["status"] = "confirmed";
                {
                    LOCK(chainman.Mutex());
                    AddInferFields(out, *infer, chainman.RegistryTip());
                }
                const auto result = node::ResultOf(*block.vtx[0]);
                if (result && entry->result_index < result->outputs.size()) {
                    const oda::chain::OutputTensor& tensor = result->outputs[entry->result_index];
                    json values = json::array();
                    for (int32_t v : tensor.values) values.push_back(v);
                    out["output"] = values;
                    out["output_type"] = tensor.type == oda::chain::TensorType::INT8 ? "int8" : "int32";
                    if (!tensor.values.empty()) out["argmax"] = oda::model::Argmax(tensor.values.data(), tensor.values.size());
                } else {
                    out["output"] = nullptr; // a block whose coinbase carries no result payload (claims not executed)
                }
                out["blockhash"] = where->GetBlockHash().GetHex();
                out["height"] = where->height;
                out["confirmations"] = confirmations;
                return out;
            }
        }
    }
    if (const auto waiting = FindWaitingInferenceBlock(chainman, txid)) {
        out["status"] = "waiting-for-data";
        out["blockhash"] = waiting->GetHex();
        return out;
    }
    if (request.context && request.context->mempool) {
        if (CTransactionRef tx = request.context->mempool->Get(txid)) {
            const auto infer = node::InferOf(*tx);
            if (!infer) throw JSONRPCError(RPC_INVALID_PARAMETER, "Transaction " + txid.GetHex() + " is not an inference");
            out["status"] = "pending";
            LOCK(chainman.Mutex());
            AddInferFields(out, *infer, chainman.RegistryTip());
            out["confirmations"] = 0;
            return out;
        }
    }
    throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "No inference transaction with this txid in the mempool or the active chain");
}

} // namespace

void RegisterModelRPCCommands(CRPCTable& table)
{
    const std::string cat = "models";
    table.AppendCommand({cat, "getregistryinfo", &getregistryinfo,
                         RPCHelp{"getregistryinfo",
                                 "Returns statistics about the model registry at the tip, with a hash to compare two nodes' registries.\n"
                                 "hash = SHA-256 over every model (id, record, all versions) serialized in model-id order\n"
                                 "(doc/oda-protocol.md section 2.5). Flushes the chain state first.", {},
                                 "{\"height\", \"bestblock\", \"models\", \"versions\", \"hash\"}",
                                 HelpExampleCli("getregistryinfo", "") + HelpExampleRpc("getregistryinfo", "")}});
    table.AppendCommand({cat, "listmodels", &listmodels,
                         RPCHelp{"listmodels", "Lists every registered model in model-id order, with its owner and current version.", {},
                                 "[{\"modelid\", \"owner\": {\"txid\", \"vout\"}, \"owner_address\", \"current_version\",\n"
                                 "  \"current_score\", \"versions\", \"height\"}, ...]",
                                 HelpExampleCli("listmodels", "") + HelpExampleRpc("listmodels", "")}});
    table.AppendCommand({cat, "getmodel", &getmodel,
                         RPCHelp{"getmodel", "Returns everything the registry holds about a model: its add-model terms, its owner and every version ever accepted.",
                                 {{"modelid", RPCArg::Type::STR_HEX, RPCArg::REQUIRED, "The model id (txid of its add-model transaction)"}},
                                 "{ the listmodels fields, \"owner_script\", \"architecture\" (hex), \"objective\", \"dataset\": {\"pieces_root\", \"file_size\"},\n"
                                 "  \"dataset_samples\", \"royalty\", \"trainer_share_bp\", \"parents\": [{\"modelid\", \"share_bp\"}], \"min_improvement\",\n"
                                 "  \"version_list\": [{\"version\", \"weights\": {\"pieces_root\", \"file_size\"}, \"score\", \"height\", \"txid\",\n"
                                 "  \"trainer_script\", \"trainer_address\"}, ...] }\n"
                                 "  \"computeunits_per_inference\", \"computeunits_per_scoring\" (a run on one sample, and on the dataset's samples: what an update-weights costs),\n"
                                 "  \"royalty_split\": {\"per_inference\", \"owner\": {\"address\", \"amount\"}, \"trainer\": {\"address\", \"amount\"},\n"
                                 "    \"parents\": [{\"modelid\", \"address\", \"amount\"}], \"outputs\": [{\"address\", \"script\", \"amount\"}]}\n"
                                 "  (section 7, for the current version; outputs = what an infer must pay, one per script, in units) }\n"
                                 "Error -5 (RPC_INVALID_ADDRESS_OR_KEY) \"Model not found\".",
                                 HelpExampleCli("getmodel", "\"modelid\"") + HelpExampleRpc("getmodel", "\"modelid\"")}});
    table.AppendCommand({cat, "getinference", &getinference,
                         RPCHelp{"getinference",
                                 "The state and output of an inference (an infer transaction, doc/oda-protocol.md section 2): pending in the\n"
                                 "mempool, confirmed in the active chain (its output from the block's coinbase result payload), or\n"
                                 "waiting-for-data (in a block held until a model file arrives). Uses the always-on inference index.",
                                 {{"txid", RPCArg::Type::STR_HEX, RPCArg::REQUIRED, "The infer transaction's id"}},
                                 "{\"txid\", \"status\": \"pending\"|\"confirmed\"|\"waiting-for-data\", \"modelid\", \"version\" (index, null if\n"
                                 " the version is not registered), \"weights_version\" (pieces root), \"input_size\", \"output\": [n,...] (confirmed;\n"
                                 " null when the block carries no result), \"output_type\": \"int8\"|\"int32\", \"argmax\", \"blockhash\", \"height\",\n"
                                 " \"confirmations\"}\n"
                                 "Errors: -5 no such inference in the mempool or the active chain, -8 a mempool transaction that is not an infer.",
                                 HelpExampleCli("getinference", "\"txid\"") + HelpExampleRpc("getinference", "\"txid\"")}});
    table.AppendCommand({cat, "evaluatemodel", &evaluatemodel,
                         RPCHelp{"evaluatemodel",
                                 "Scores a model's current weights (or the given weights file) on its dataset (or the given dataset file)\n"
                                 "locally with the consensus engine: the score every node would compute. Nothing is sent. The model's\n"
                                 "own files come from the node's file store; given files are read from their path (not stored).",
                                 {{"modelid", RPCArg::Type::STR_HEX, RPCArg::REQUIRED, "The model id"},
                                  {"weights", RPCArg::Type::STR, RPCArg::OPTIONAL, "Path of a weights file to score instead of the current version's"},
                                  {"dataset", RPCArg::Type::STR, RPCArg::OPTIONAL, "Path of a dataset file to score on instead of the model's"}},
                                 "{\"modelid\", \"score\", \"current_score\", \"current_version\", \"weights\", \"dataset\",\n"
                                 " \"improves\": true when an update-weights with these weights would be accepted (model's dataset only) }\n"
                                 "Errors: -5 unknown model, -1 a file the store lacks, -8 unreadable path, -22 files that are invalid or do not fit.",
                                 HelpExampleCli("evaluatemodel", "\"modelid\"") + HelpExampleCli("evaluatemodel", "\"modelid\" \"better.odaw\"") +
                                     HelpExampleRpc("evaluatemodel", "\"modelid\"")}});
}
