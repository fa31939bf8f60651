// Wallet RPCs of ODA transactions (doc/oda-protocol.md sections 2, 4, 7; doc/rpc.md):
//   addmodel       registers a model: files into the node's store, the initial score computed
//                  locally by the consensus engine (the network re-scores, so the claim must be
//                  exact), outputs [ownership (new wallet address), ODA add-model, change];
//   sendinference  pays for one inference: outputs [ODA infer, royalty per script, change];
//   updateweights  proposes better weights: scored locally first; a score that does not reach
//                  current + minimum improvement is refused (-26) and nothing is sent.
// Every transaction pays the size fee at the fee rate plus the compute fee of its compute
// units (interfaces::Chain::ComputeFee: node/policy.h MinComputeFee). The wallet never spends
// an ownership output (wallet/ownership.h). The node is reached through interfaces::Chain only.
#include <rpc/server.h>
#include <rpc/util.h>
#include <rpc/wallet_common.h>

#include <hex.h>
#include <interfaces/chain.h>
#include <oda/chain/compute_units.h>
#include <oda/chain/payload.h>
#include <oda/model/architecture.h>
#include <oda/model/fileio.h>
#include <script/address.h>
#include <script/standard.h>
#include <wallet/wallet.h>

#include <limits>
#include <set>
#include <string>
#include <vector>

namespace {
using json = nlohmann::json;
using Type = RPCArg::Type;

/** Value of the ownership output an add-model creates (above the 330-unit taproot dust). */
constexpr CAmount OWNERSHIP_OUTPUT_VALUE = 1000;
/** Largest architecture JSON or inference input file read from a path. */
constexpr uint64_t MAX_JSON_FILE_BYTES = 16ULL << 20;

bool HasParam(const JSONRPCRequest& r, size_t i) { return r.params.size() > i && !r.params[i].is_null(); }

const json& Options(const JSONRPCRequest& r, size_t i, const std::set<std::string>& known)
{
    static const json empty = json::object();
    if (!HasParam(r, i)) return empty;
    const json& o = r.params[i];
    if (!o.is_object()) throw JSONRPCError(RPC_TYPE_ERROR, "options must be an object");
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.count(it.key())) throw JSONRPCError(RPC_INVALID_PARAMETER, "Unknown option: " + it.key());
    }
    return o;
}

std::string ReadTextFile(const std::string& path, const std::string& what)
{
    std::vector<uint8_t> bytes;
    std::string error;
    if (!oda::model::ReadFileBounded(path, MAX_JSON_FILE_BYTES, bytes, error)) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, what + ": " + error);
    }
    return std::string(bytes.begin(), bytes.end());
}

/** The architecture argument: a JSON object, JSON text, or the path of a JSON file. */
oda::model::Architecture ParseArchitectureArg(const json& v, oda::model::ArchitectureInfo& info)
{
    std::string text;
    if (v.is_object()) {
        text = v.dump();
    } else if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        const size_t first = s.find_first_not_of(" \t\r\n");
        text = first != std::string::npos && s[first] == '{' ? s : ReadTextFile(s, "architecture file");
    } else {
        throw JSONRPCError(RPC_TYPE_ERROR, "architecture must be a JSON object or the path of a JSON file");
    }
    oda::model::Architecture arch;
    std::string error;
    if (!oda::model::ArchitectureFromJson(text, arch, error) || !oda::model::AnalyzeArchitecture(arch, info, error)) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid architecture: " + error);
    }
    return arch;
}

[[noreturn]] void ThrowModelCallError(interfaces::ModelCallFailure failure, const std::string& what, const std::string& error)
{
    using F = interfaces::ModelCallFailure;
    switch (failure) {
    case F::PATH: throw JSONRPCError(RPC_INVALID_PARAMETER, what + ": " + error);
    case F::CONTENT: throw JSONRPCError(RPC_DESERIALIZATION_ERROR, what + ": " + error);
    case F::MISMATCH: throw JSONRPCError(RPC_VERIFY_REJECTED, what + ": " + error);
    case F::MISSING: throw JSONRPCError(RPC_MISC_ERROR, what + ": " + error);
    default: throw JSONRPCError(RPC_MISC_ERROR, what + ": " + error);
    }
}

/** Imports a weights (want_weights) or dataset file into the node's store. */
interfaces::ModelFileInfo ImportFile(interfaces::Chain& chain, const json& v, bool want_weights)
{
    const std::string what = want_weights ? "weights" : "dataset";
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
        throw JSONRPCError(RPC_TYPE_ERROR, what + " must be the path of a file");
    }
    std::string error;
    interfaces::ModelCallFailure failure = interfaces::ModelCallFailure::NONE;
    auto info = chain.ImportModelFile(v.get<std::string>(), &error, &failure);
    if (!info) ThrowModelCallError(failure, what + " file", error);
    if (info->is_weights != want_weights) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, v.get<std::string>() + " is a " + (info->is_weights ? "weights" : "dataset") +
                                                      " file, not a " + what + " file");
    }
    return *info;
}

int64_t Score(interfaces::Chain& chain, const std::vector<uint8_t>& architecture, const uint256& weights_root,
              uint64_t weights_size, const uint256& dataset_root, uint64_t dataset_size)
{
    std::string error;
    interfaces::ModelCallFailure failure = interfaces::ModelCallFailure::NONE;
    auto score = chain.ScoreWeights(architecture, weights_root, weights_size, dataset_root, dataset_size, &error, &failure);
    if (!score) ThrowModelCallError(failure, "Cannot score the weights", error);
    return *score;
}

CAmount FeeRateOption(const json& options)
{
    return options.contains("fee_rate") ? ParseWalletFeeRate(options["fee_rate"]) : -1;
}

int64_t IntOption(const json& options, const std::string& name, int64_t dflt, int64_t lo, int64_t hi)
{
    if (!options.contains(name)) return dflt;
    const int64_t v = IntFromValue(options[name], name);
    if (v < lo || v > hi) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, name + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return v;
}

ScriptBytes ScriptOf(const CWallet& w, const std::string& address)
{
    std::string err;
    auto spk = DecodeDestination(address, w.Hrp(), &err);
    if (!spk) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid address: " + err);
    return *spk;
}

interfaces::ModelInfo GetModelOrThrow(interfaces::Chain& chain, const json& id_param)
{
    const uint256 id = ParseHashV(id_param, "modelid");
    auto model = chain.GetModel(id);
    if (!model) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Model not found");
    return *model;
}

/** Funds, signs and broadcasts outputs `recipients` (change last) paying `compute_fee` on top. */
CreatedTx SendOda(CWallet& w, interfaces::Chain& chain, const std::vector<Recipient>& recipients, int64_t compute_units,
                  CAmount fee_rate)
{
    CreateOptions options;
    options.extra_fee = chain.ComputeFee(compute_units);
    options.change_last = true;
    CreatedTx created = w.CreateTransaction(recipients, fee_rate, options);
    w.CommitTransaction(created.tx, created.fee);
    return created;
}

// ------------------------------------------------------------------ addmodel

json addmodel(const JSONRPCRequest& req)
{
    auto w = WalletForRequest(req);
    interfaces::Chain& chain = WalletChain(req);
    const json& options = Options(req, 3, {"royalty", "trainer_share", "parents", "min_improvement", "fee_rate"});

    oda::model::ArchitectureInfo info;
    oda::chain::AddModel add;
    add.architecture = ParseArchitectureArg(req.params[0], info);
    add.royalty = IntOption(options, "royalty", 0, 0, oda::chain::MAX_ROYALTY);
    add.trainer_share_bp = static_cast<uint16_t>(IntOption(options, "trainer_share", 0, 0, oda::chain::BASIS_POINTS));
    add.min_improvement = IntOption(options, "min_improvement", 1, 0, std::numeric_limits<int64_t>::max());
    if (options.contains("parents")) {
        const json& parents = options["parents"];
        if (!parents.is_array()) throw JSONRPCError(RPC_TYPE_ERROR, "parents must be an array of {\"modelid\", \"share\"}");
        for (const json& p : parents) {
            if (!p.is_object() || !p.contains("modelid") || !p.contains("share")) {
                throw JSONRPCError(RPC_TYPE_ERROR, "parents must be an array of {\"modelid\", \"share\"}");
            }
            const uint256 parent = ParseHashV(p["modelid"], "modelid");
            if (!chain.GetModel(parent)) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Parent model not found: " + parent.GetHex());
            add.parents.push_back({parent, static_cast<uint16_t>(IntOption(p, "share", 0, 1, oda::chain::BASIS_POINTS))});
        }
    }
    const std::vector<uint8_t> encoded = oda::model::EncodeArchitecture(add.architecture);

    const interfaces::ModelFileInfo weights = ImportFile(chain, req.params[1], /*want_weights=*/true);
    const interfaces::ModelFileInfo dataset = ImportFile(chain, req.params[2], /*want_weights=*/false);
    add.initial_weights = {weights.pieces_root, weights.size};
    add.dataset = {dataset.pieces_root, dataset.size};
    add.dataset_samples = dataset.samples;
    add.initial_score = Score(chain, encoded, weights.pieces_root, weights.size, dataset.pieces_root, dataset.size);

    // The payload's own rules (shares, dust, limits) give their message before anything is funded.
    const std::vector<uint8_t> payload = oda::chain::EncodeOdaPayload(add);
    oda::chain::Payload check;
    std::string error;
    if (!oda::chain::DecodeOdaPayload(payload, check, error)) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid add-model: " + error);
    const int64_t cu = oda::chain::RunComputeUnits(info, add.dataset_samples);

    const std::vector<Recipient> recipients{{ScriptOf(*w, w->GetNewAddress(false)), OWNERSHIP_OUTPUT_VALUE, false},
                                            {OdaOutputScript(payload), 0, false}};
    const CreatedTx created = SendOda(*w, chain, recipients, cu, FeeRateOption(options));
    const std::string txid = created.tx->GetTxid().GetHex();
    return json{{"txid", txid}, {"modelid", txid}, {"score", add.initial_score}, {"computeunits", cu},
                {"fee", ValueFromAmount(created.fee)}};
}

// ------------------------------------------------------------------ sendinference

/** The input argument: a JSON array, JSON array text, or a file (JSON array text, or exactly
 *  `expected` raw int8 bytes). */
std::vector<int8_t> ParseInferenceInput(const json& v, uint64_t expected, const std::string& shape)
{
    json values;
    if (v.is_array()) {
        values = v;
    } else if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        const size_t first = s.find_first_not_of(" \t\r\n");
        const std::string text = first != std::string::npos && s[first] == '[' ? s : ReadTextFile(s, "input file");
        const size_t tfirst = text.find_first_not_of(" \t\r\n");
        if (tfirst != std::string::npos && text[tfirst] == '[') {
            values = json::parse(text, nullptr, /*allow_exceptions=*/false);
            if (values.is_discarded()) throw JSONRPCError(RPC_DESERIALIZATION_ERROR, "input is not a valid JSON array");
        } else {
            if (text.size() != expected) {
                throw JSONRPCError(RPC_INVALID_PARAMETER, "input file has " + std::to_string(text.size()) +
                                                              " bytes, the model takes " + std::to_string(expected) +
                                                              " int8 values (shape " + shape + ")");
            }
            return std::vector<int8_t>(text.begin(), text.end());
        }
    } else {
        throw JSONRPCError(RPC_TYPE_ERROR, "input must be a JSON array of integers or the path of a file");
    }
    if (values.size() != expected) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "input has " + std::to_string(values.size()) + " values, the model takes " +
                                                      std::to_string(expected) + " (shape " + shape + ")");
    }
    std::vector<int8_t> input;
    input.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        const json& x = values[i];
        if (!x.is_number_integer() || x.get<int64_t>() < -128 || x.get<int64_t>() > 127) {
            throw JSONRPCError(RPC_INVALID_PARAMETER, "input value " + std::to_string(i) + " is not an integer in [-128, 127]");
        }
        input.push_back(static_cast<int8_t>(x.get<int64_t>()));
    }
    return input;
}

/** The version option: an index, or a weights pieces root (64 hex digits, storage order). */
uint32_t ParseVersionOption(const json& options, const interfaces::ModelInfo& model)
{
    if (!options.contains("version")) return model.current_version;
    const json& v = options["version"];
    if (v.is_number_integer()) {
        const int64_t index = v.get<int64_t>();
        if (index < 0 || index >= static_cast<int64_t>(model.versions.size())) {
            throw JSONRPCError(RPC_INVALID_PARAMETER, "The model has no version " + std::to_string(index) + " (it has " +
                                                          std::to_string(model.versions.size()) + ")");
        }
        return static_cast<uint32_t>(index);
    }
    if (v.is_string()) {
        const auto bytes = ParseHex(v.get<std::string>());
        if (!bytes || bytes->size() != 32) throw JSONRPCError(RPC_INVALID_PARAMETER, "version must be an index or a weights pieces root (64 hex digits)");
        const uint256 root(bytes->data());
        for (uint32_t i = 0; i < model.versions.size(); ++i) {
            if (model.versions[i].weights_root == root) return i; // the first version with that root, as consensus pins it
        }
        throw JSONRPCError(RPC_INVALID_PARAMETER, "No version of the model has weights " + v.get<std::string>());
    }
    throw JSONRPCError(RPC_TYPE_ERROR, "version must be an index or a weights pieces root");
}

json sendinference(const JSONRPCRequest& req)
{
    auto w = WalletForRequest(req);
    interfaces::Chain& chain = WalletChain(req);
    const json& options = Options(req, 2, {"version", "fee_rate"});
    const interfaces::ModelInfo model = GetModelOrThrow(chain, req.params[0]);
    const uint32_t version = ParseVersionOption(options, model);

    oda::model::Architecture arch;
    oda::model::ArchitectureInfo info;
    std::string error;
    if (!oda::model::DecodeArchitecture(model.architecture, arch, error) || !oda::model::AnalyzeArchitecture(arch, info, error)) {
        throw JSONRPCError(RPC_MISC_ERROR, "The model's architecture does not analyze: " + error);
    }
    oda::chain::Infer infer;
    infer.model_id = model.model_id;
    infer.weights_version = model.versions[version].weights_root;
    infer.input = ParseInferenceInput(req.params[1], oda::model::ShapeElements(info.input_shape),
                                      oda::model::ShapeToString(info.input_shape));

    auto owed = chain.RoyaltyOwed(model.model_id, version, &error);
    if (!owed) throw JSONRPCError(RPC_MISC_ERROR, "Cannot compute the royalty: " + error);
    std::vector<Recipient> recipients{{OdaOutputScript(oda::chain::EncodeOdaPayload(infer)), 0, false}};
    CAmount royalty = 0;
    json royalty_outputs = json::array();
    for (const auto& [script, amount] : *owed) {
        recipients.push_back({script, amount, false}); // one output per script (section 7)
        royalty += amount;
        royalty_outputs.push_back(json{{"address", EncodeDestination(script, w->Hrp())}, {"amount", ValueFromAmount(amount)}});
    }
    const int64_t cu = oda::chain::RunComputeUnits(info, 1);
    const CreatedTx created = SendOda(*w, chain, recipients, cu, FeeRateOption(options));
    return json{{"txid", created.tx->GetTxid().GetHex()}, {"version", version}, {"computeunits", cu},
                {"fee", ValueFromAmount(created.fee)}, {"royalty", ValueFromAmount(royalty)},
                {"royalty_outputs", royalty_outputs}};
}

// ------------------------------------------------------------------ updateweights

json updateweights(const JSONRPCRequest& req)
{
    auto w = WalletForRequest(req);
    interfaces::Chain& chain = WalletChain(req);
    const json& options = Options(req, 2, {"trainer_address", "fee_rate"});
    const interfaces::ModelInfo model = GetModelOrThrow(chain, req.params[0]);
    const interfaces::ModelFileInfo weights = ImportFile(chain, req.params[1], /*want_weights=*/true);
    const int64_t score = Score(chain, model.architecture, weights.pieces_root, weights.size, model.dataset_root, model.dataset_size);

    // bad-oda-not-improving (section 2.5): a sum beyond the i64 range cannot be reached.
    const int64_t current = model.current_score;
    const bool reachable = model.min_improvement <= std::numeric_limits<int64_t>::max() - current;
    if (!reachable || score < current + model.min_improvement) {
        throw JSONRPCError(RPC_VERIFY_REJECTED,
                           "bad-oda-not-improving: the weights score " + std::to_string(score) + ", the current score is " +
                               std::to_string(current) + " and the model needs at least " +
                               (reachable ? std::to_string(current + model.min_improvement) : std::string("more than the i64 range")) +
                               " (minimum improvement " + std::to_string(model.min_improvement) + "); nothing was sent");
    }
    oda::chain::UpdateWeights update;
    update.model_id = model.model_id;
    update.weights = {weights.pieces_root, weights.size};
    update.claimed_score = score;
    if (options.contains("trainer_address")) {
        if (!options["trainer_address"].is_string()) throw JSONRPCError(RPC_TYPE_ERROR, "trainer_address must be a string");
        update.trainer_script = ScriptOf(*w, options["trainer_address"].get<std::string>());
    } else {
        update.trainer_script = ScriptOf(*w, w->GetNewAddress(false));
    }
    std::string cost_error;
    const std::optional<int64_t> cu_run = oda::chain::RunComputeUnits(model.architecture, model.dataset_samples, cost_error);
    if (!cu_run) throw JSONRPCError(RPC_MISC_ERROR, "The model's architecture does not analyze: " + cost_error);
    const int64_t cu = *cu_run;
    const CreatedTx created = SendOda(*w, chain, {{OdaOutputScript(oda::chain::EncodeOdaPayload(update)), 0, false}}, cu,
                                      FeeRateOption(options));
    return json{{"txid", created.tx->GetTxid().GetHex()}, {"score", score}, {"previousscore", current},
                {"computeunits", cu}, {"fee", ValueFromAmount(created.fee)}};
}

void Add(CRPCTable& t, const std::string& name, std::function<json(const JSONRPCRequest&)> fn, const std::string& desc,
         std::vector<RPCArg> args, const std::string& result, const std::string& examples)
{
    t.AppendCommand({"wallet", name, WrapWalletHandler(std::move(fn)), RPCHelp{name, desc, std::move(args), result, examples}});
}
} // namespace

void RegisterWalletOdaRPCCommands(CRPCTable& t)
{
    Add(t, "addmodel", addmodel,
        "Registers a model on chain with an add-model transaction (doc/oda-protocol.md section 2).\n"
        "The weights and dataset files are imported into the node's model file store (as importmodelfile does), the\n"
        "initial score is computed locally by the consensus engine (the network re-scores it, so the claim is exact),\n"
        "and the transaction is funded, signed and broadcast. Outputs: the ownership output (a new wallet address,\n"
        "which the wallet never spends as a coin), the ODA output, then change. Fee: the size fee at the fee rate plus\n"
        "the compute fee of its compute units (a run of the architecture on the dataset's samples).\n"
        "Errors: -8 bad architecture, option or path, -22 invalid file, -6 insufficient funds, -26 rejected by the mempool.",
        {{"architecture", Type::ANY, RPCArg::REQUIRED, "The architecture: a JSON object (oda-model's JSON form), or the path of a JSON file"},
         {"weights", Type::STR, RPCArg::REQUIRED, "Path of the initial weights file (.odaw)"},
         {"dataset", Type::STR, RPCArg::REQUIRED, "Path of the scoring dataset file (.odad)"},
         {"options", Type::OBJ, RPCArg::OPTIONAL,
          "{\"royalty\": units per inference (0), \"trainer_share\": basis points (0), \"parents\": [{\"modelid\", \"share\"}],\n"
          " \"min_improvement\": score points an update must add (1), \"fee_rate\": units/vB}"}},
        "{\"txid\": hex, \"modelid\": hex (= txid), \"score\": n, \"computeunits\": n, \"fee\": amount}",
        HelpExampleCli("addmodel", "\"mlp.json\" \"mlp.odaw\" \"test.odad\" '{\"royalty\": 10000, \"trainer_share\": 2000}'") +
            HelpExampleRpc("addmodel", "\"mlp.json\", \"mlp.odaw\", \"test.odad\""));
    Add(t, "sendinference", sendinference,
        "Pays for one inference of a registered model (an infer transaction, doc/oda-protocol.md section 2): every node\n"
        "runs it and the block's coinbase carries its output (see getinference). The inference runs on the model's current\n"
        "version unless `version` is given. The royalty of section 7 is paid in one output per receiving script.\n"
        "Fee: the size fee at the fee rate plus the compute fee of one inference.\n"
        "Errors: -5 unknown model, -8 input of the wrong shape or value, unknown version, -6 insufficient funds.",
        {{"modelid", Type::STR_HEX, RPCArg::REQUIRED, "The model id"},
         {"input", Type::ANY, RPCArg::REQUIRED,
          "The input tensor: a JSON array of integers in [-128, 127] (as many as the model's input shape has elements),\n"
          "or the path of a file holding such an array or exactly that many raw int8 bytes"},
         {"options", Type::OBJ, RPCArg::OPTIONAL, "{\"version\": index or weights pieces root, \"fee_rate\": units/vB}"}},
        "{\"txid\": hex, \"version\": n, \"computeunits\": n, \"fee\": amount, \"royalty\": amount,\n"
        " \"royalty_outputs\": [{\"address\", \"amount\"}]}",
        HelpExampleCli("sendinference", "\"modelid\" \"[0,1,-5,...]\"") + HelpExampleCli("sendinference", "\"modelid\" \"input.json\"") +
            HelpExampleRpc("sendinference", "\"modelid\", [0, 1, -5]"));
    Add(t, "updateweights", updateweights,
        "Proposes new weights for a model (an update-weights transaction, doc/oda-protocol.md section 2.5). The weights are\n"
        "imported into the node's file store and scored locally on the model's dataset (which the store must hold); if the\n"
        "score does not reach the current score plus the model's minimum improvement, error -26 (RPC_VERIFY_REJECTED)\n"
        "gives both scores and nothing is broadcast. Fee: the size fee plus the compute fee of scoring the dataset.",
        {{"modelid", Type::STR_HEX, RPCArg::REQUIRED, "The model id"},
         {"weights", Type::STR, RPCArg::REQUIRED, "Path of the new weights file"},
         {"options", Type::OBJ, RPCArg::OPTIONAL, "{\"trainer_address\": who the trainer share pays (default: a new wallet address), \"fee_rate\": units/vB}"}},
        "{\"txid\": hex, \"score\": n, \"previousscore\": n, \"computeunits\": n, \"fee\": amount}",
        HelpExampleCli("updateweights", "\"modelid\" \"better.odaw\"") + HelpExampleRpc("updateweights", "\"modelid\", \"better.odaw\""));
}
