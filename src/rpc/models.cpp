// The model registry over RPC (doc/oda-protocol.md section 2.5): getregistryinfo (with a hash
// two nodes can compare), listmodels and getmodel. All read the registry as flushed to the
// chainstate database after a forced flush, as gettxoutsetinfo does, so what they show is
// exactly what a restart would load.
#include <hex.h>
#include <node/context.h>
#include <node/validation.h>
#include <oda/chain/registry.h>
#include <oda/model/architecture.h>
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

json ModelToJSON(const uint256& id, const ModelRecord& m, const std::vector<ModelVersion>& versions, const std::string& hrp)
{
    json out = ModelSummary(id, m, hrp);
    out["owner_script"] = HexStr(m.owner_script);
    out["architecture"] = HexStr(m.architecture);
    oda::model::Architecture arch;
    std::string error;
    if (oda::model::DecodeArchitecture(m.architecture, arch, error)) {
        out["objective"] = oda::model::ObjectiveName(arch.objective);
    }
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
    return ModelToJSON(id, *record, oda::chain::ReadVersions(db, id, *record), chainman.Params().Bech32HRP());
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
                                 "Error -5 (RPC_INVALID_ADDRESS_OR_KEY) \"Model not found\".",
                                 HelpExampleCli("getmodel", "\"modelid\"") + HelpExampleRpc("getmodel", "\"modelid\"")}});
}
