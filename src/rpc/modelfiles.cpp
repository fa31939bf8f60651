// Model file RPCs: importmodelfile, getmodelfiles (the store of oda/storage/file_store.h,
// files named by their BEP 52 pieces root, doc/oda-protocol.md section 2.2; layout in
// doc/files.md). Pieces roots are printed as the root's bytes in storage order
// (uint256::ToHexBytes), the form `oda-model inspect` and BitTorrent clients show.
#include <hex.h>
#include <node/context.h>
#include <oda/storage/file_store.h>
#include <rpc/register.h>
#include <rpc/server.h>
#include <rpc/util.h>

namespace {

using oda::storage::FileInfo;
using oda::storage::FileKind;
using oda::storage::FileStore;

FileStore& EnsureFileStore(const JSONRPCRequest& request)
{
    if (!request.context || !request.context->file_store) {
        throw JSONRPCError(RPC_INTERNAL_ERROR, "Model file store not found");
    }
    return *request.context->file_store;
}

/** A pieces root in storage byte order (64 hex digits). */
uint256 ParsePiecesRoot(const nlohmann::json& v)
{
    const std::string& hex = v.get_ref<const std::string&>();
    const auto bytes = ParseHex(hex);
    if (hex.size() != 64 || !bytes) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "piecesroot must be 64 hex digits (not '" + hex.substr(0, 80) + "')");
    }
    return uint256(bytes->data());
}

nlohmann::json Shape(const std::vector<uint32_t>& shape)
{
    nlohmann::json out = nlohmann::json::array();
    for (uint32_t d : shape) out.push_back(d);
    return out;
}

/** The facts of a held file, as both commands print them. */
void AddFileInfo(nlohmann::json& out, const FileInfo& info)
{
    out["kind"] = oda::storage::FileKindName(info.kind);
    if (info.kind == FileKind::WEIGHTS) {
        out["architecture_hash"] = info.architecture_hash.GetHex();
        out["layers"] = info.layer_count;
    } else {
        out["samples"] = info.sample_count;
        out["input_shape"] = Shape(info.input_shape);
        if (!info.target_shape.empty()) out["target_shape"] = Shape(info.target_shape);
    }
}

nlohmann::json importmodelfile(const JSONRPCRequest& request)
{
    FileStore& store = EnsureFileStore(request);
    const std::string path = request.params[0].get<std::string>();
    if (path.empty()) throw JSONRPCError(RPC_INVALID_PARAMETER, "path must not be empty");
    std::optional<oda::chain::Commitment> expected;
    const bool has_root = request.params.size() > 1 && !request.params[1].is_null();
    const bool has_size = request.params.size() > 2 && !request.params[2].is_null();
    if (has_root != has_size) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "piecesroot and size must be given together");
    }
    if (has_root) {
        const int64_t size = GetIntArg<int64_t>(request.params[2], "size");
        if (size <= 0) throw JSONRPCError(RPC_INVALID_PARAMETER, "size must be positive");
        expected = oda::chain::Commitment{ParsePiecesRoot(request.params[1]), static_cast<uint64_t>(size)};
    }

    std::string error;
    oda::storage::ImportFailure failure = oda::storage::ImportFailure::NONE;
    const auto result = store.Import(path, expected, error, &failure);
    if (!result) {
        switch (failure) {
        case oda::storage::ImportFailure::PATH: throw JSONRPCError(RPC_INVALID_PARAMETER, error);
        case oda::storage::ImportFailure::CONTENT: throw JSONRPCError(RPC_DESERIALIZATION_ERROR, "Invalid model file: " + error);
        case oda::storage::ImportFailure::MISMATCH: throw JSONRPCError(RPC_VERIFY_REJECTED, "Invalid model file: " + error);
        default: throw JSONRPCError(RPC_MISC_ERROR, error);
        }
    }
    const FileInfo& info = result->info;
    nlohmann::json out = {{"piecesroot", info.commitment.pieces_root.ToHexBytes()}, {"size", info.commitment.file_size}};
    AddFileInfo(out, info);
    out["path"] = store.PathFor(info.commitment.pieces_root).string();
    out["new"] = result->newly_stored;
    return out;
}

nlohmann::json getmodelfiles(const JSONRPCRequest& request)
{
    FileStore& store = EnsureFileStore(request);
    nlohmann::json out = nlohmann::json::array();
    for (const oda::storage::FileEntry& e : store.List()) {
        nlohmann::json j = {{"piecesroot", e.commitment.pieces_root.ToHexBytes()},
                            {"size", e.commitment.file_size},
                            {"status", oda::storage::FileStatusName(e.status)}};
        if (e.info) AddFileInfo(j, *e.info);
        j["path"] = e.path.string();
        j["bytes_have"] = e.bytes_have;
        if (!e.reasons.empty()) {
            nlohmann::json why = nlohmann::json::array();
            for (const std::string& r : e.reasons) why.push_back(r);
            j["needed_by"] = why;
        }
        out.push_back(std::move(j));
    }
    return out;
}

const char* const FILE_FIELDS =
    "  \"piecesroot\" : \"hex\",    (string) BEP 52 pieces root of the file (bytes in storage order)\n"
    "  \"size\" : n,               (numeric) file size in bytes\n"
    "  \"kind\" : \"str\",           (string) \"weights\" or \"dataset\"\n"
    "  \"architecture_hash\" : \"hex\", (string, weights) the architecture the weights are bound to\n"
    "  \"layers\" : n,             (numeric, weights) number of layers\n"
    "  \"samples\" : n,            (numeric, dataset) number of samples\n"
    "  \"input_shape\" : [n,...],  (json array, dataset) shape of one input tensor\n"
    "  \"target_shape\" : [n,...], (json array, dataset with regression targets) shape of one target\n"
    "  \"path\" : \"str\",           (string) where the file is (or will be) stored\n";

} // namespace

void RegisterModelFilesRPCCommands(CRPCTable& t)
{
    using Type = RPCArg::Type;
    t.AppendCommand({"modelfiles", "importmodelfile", &importmodelfile,
                     RPCHelp{"importmodelfile",
                             "Imports a weights or dataset file into the node's model file store (<datadir>/odafiles/).\n"
                             "The file is hashed (BEP 52 pieces root), its kind detected, parsed and validated once, "
                             "and stored under its pieces root; a file that fails is not stored.\n"
                             "Importing a file that is already held changes nothing and returns the same result.\n"
                             "Errors: -8 for a path that cannot be read or is not a regular file, -22 for a file that "
                             "is not a valid weights or dataset file (or is above the consensus size limit of its "
                             "kind), -26 when it does not match the given piecesroot and size, -1 when it cannot be written "
                             "(less than 50 MiB would stay free on the disk, or an I/O error).",
                             {{"path", Type::STR, RPCArg::REQUIRED,
                               "The file to import (absolute, or relative to odad's working directory)"},
                              {"piecesroot", Type::STR_HEX, RPCArg::OPTIONAL,
                               "The pieces root the file must have (with size), e.g. from a commitment"},
                              {"size", Type::NUM, RPCArg::OPTIONAL, "The size in bytes the file must have (with piecesroot)"}},
                             std::string("{\n") + FILE_FIELDS +
                                 "  \"new\" : true|false        (boolean) false if the file was already held\n}",
                             HelpExampleCli("importmodelfile", "\"/tmp/model.odaw\"") +
                                 HelpExampleRpc("importmodelfile", "\"/tmp/model.odaw\"")}});
    t.AppendCommand({"modelfiles", "getmodelfiles", &getmodelfiles,
                     RPCHelp{"getmodelfiles",
                             "Lists the model files the node holds and the ones it needs (waits for), ordered by "
                             "pieces root.",
                             {},
                             std::string("[\n {\n") + FILE_FIELDS +
                                 "  \"status\" : \"str\",         (string) \"held\" or \"needed\" (later: \"fetching\")\n"
                                 "  \"bytes_have\" : n,         (numeric) bytes present (the size when held)\n"
                                 "  \"needed_by\" : [\"str\",...] (json array, needed files) what waits for the file\n"
                                 " },\n ...\n]\n"
                                 "kind and the fields after it up to path are present for held files only.",
                             HelpExampleCli("getmodelfiles", "") + HelpExampleRpc("getmodelfiles", "")}});
}
