// Raw-transaction RPCs: getrawtransaction, decoderawtransaction, decodescript,
// createrawtransaction, validateaddress. Shapes and errors as Bitcoin Core's.
#include <rpc/mempool.h>

#include <consensus/amount.h>
#include <consensus/chainparams.h>
#include <hex.h>
#include <node/context.h>
#include <node/txindex.h>
#include <node/validation.h>
#include <rpc/core_write.h>
#include <rpc/protocol.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <script/address.h>
#include <script/script.h>
#include <script/standard.h>
#include <streams.h>

#include <set>

using nlohmann::json;

namespace {

bool ArgGiven(const JSONRPCRequest& r, size_t i) { return r.params.size() > i && !r.params[i].is_null(); }

/** Finds `txid` in a stored block; nullptr if the block cannot be read or lacks it. */
CTransactionRef FindInBlock(node::ChainstateManager& chainman, const node::CBlockIndex* index, const uint256& txid)
{
    CBlock block;
    if (!chainman.ReadBlock(index, block)) return nullptr;
    for (const CTransactionRef& tx : block.vtx) {
        if (tx->GetTxid() == txid) return tx;
    }
    return nullptr;
}

json getrawtransaction(const JSONRPCRequest& request)
{
    node::ChainstateManager& chainman = EnsureChainstate(request);
    CTxMemPool& pool = EnsureMemPool(request);
    const std::string& hrp = EnsureChainParams(request).Bech32HRP();
    const uint256 txid = ParseHashV(request.params[0], "parameter 1");
    int verbosity = 0;
    if (ArgGiven(request, 1)) {
        const json& v = request.params[1];
        if (v.is_boolean()) {
            verbosity = v.get<bool>() ? 1 : 0;
        } else if (v.is_number()) {
            verbosity = GetIntArg<int>(v, "verbose");
        } else {
            throw JSONRPCError(RPC_TYPE_ERROR, "verbosity must be a boolean or a number");
        }
    }

    bool given_block = ArgGiven(request, 2);
    node::TxIndex* txindex = request.context ? request.context->txindex.get() : nullptr;
    // The index follows the chain on the notification queue (node/txindex.h): let it
    // apply every block connected so far before it is asked.
    if (txindex && !given_block) chainman.Signals().SyncWithQueue();

    LOCK(chainman.Mutex());
    const node::CBlockIndex* block_index = nullptr;
    CTransactionRef tx;
    if (given_block) {
        const uint256 hash = ParseHashV(request.params[2], "parameter 3");
        block_index = chainman.LookupBlockIndex(hash);
        if (!block_index) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block hash not found");
        if (!block_index->HaveData()) throw JSONRPCError(RPC_MISC_ERROR, "Block not available");
        tx = FindInBlock(chainman, block_index, txid);
        if (!tx) {
            throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY,
                               "No such transaction found in the provided block. Use gettransaction for wallet transactions.");
        }
    } else {
        tx = pool.Get(txid);
        if (!tx) {
            if (!txindex) {
                throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY,
                                   "No such mempool transaction. Use -txindex or provide a block hash to enable "
                                   "blockchain transaction queries. Use gettransaction for wallet transactions.");
            }
            auto entry = txindex->Find(txid);
            if (entry) {
                block_index = chainman.LookupBlockIndex(entry->block_hash);
                if (block_index) tx = FindInBlock(chainman, block_index, txid);
            }
            if (!tx) {
                throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY,
                                   "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.");
            }
        }
    }
    if (verbosity <= 0) return HexStr(SerializeToBytes(*tx));

    json o = TxToJSON(*tx, hrp, /*include_hex=*/true, block_index ? &block_index->GetBlockHash() : nullptr);
    if (given_block) o["in_active_chain"] = chainman.ActiveChain().Contains(block_index);
    if (block_index) {
        if (chainman.ActiveChain().Contains(block_index)) {
            o["confirmations"] = chainman.ActiveHeight() - block_index->height + 1;
            o["time"] = block_index->GetBlockTime();
            o["blocktime"] = block_index->GetBlockTime();
        } else {
            o["confirmations"] = 0;
        }
    }
    return o;
}

json decoderawtransaction(const JSONRPCRequest& request)
{
    const std::string& hrp = EnsureChainParams(request).Bech32HRP();
    auto mtx = DecodeHexTx(request.params[0].get<std::string>());
    if (!mtx) throw JSONRPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed");
    return TxToJSON(CTransaction(std::move(*mtx)), hrp);
}

json decodescript(const JSONRPCRequest& request)
{
    const std::string& hrp = EnsureChainParams(request).Bech32HRP();
    ScriptBytes script;
    const std::string hex = request.params[0].get<std::string>();
    if (!hex.empty()) script = ParseHexV(request.params[0], "argument");
    json o = json::object();
    o["asm"] = ScriptToAsm(script);
    o["type"] = GetOutputTypeName(ClassifyOutput(script));
    std::string address = EncodeDestination(script, hrp);
    if (!address.empty()) o["address"] = address;
    return o;
}

json createrawtransaction(const JSONRPCRequest& request)
{
    const std::string& hrp = EnsureChainParams(request).Bech32HRP();
    const json& inputs = request.params[0];
    const json& outputs_arg = request.params[1];
    if (!inputs.is_array()) throw JSONRPCError(RPC_TYPE_ERROR, "inputs must be an array");
    int64_t locktime = 0;
    if (ArgGiven(request, 2)) {
        locktime = GetIntArg<int64_t>(request.params[2], "locktime");
        if (locktime < 0 || locktime > 0xffffffffLL) {
            throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range");
        }
    }
    const bool replaceable = ArgGiven(request, 3) && request.params[3].get<bool>();

    CMutableTransaction mtx;
    mtx.version = 2;
    mtx.lock_time = uint32_t(locktime);
    for (const json& in : inputs) {
        if (!in.is_object()) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, expected object");
        if (!in.contains("txid")) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, missing txid key");
        const uint256 txid = ParseHashV(in["txid"], "txid");
        if (!in.contains("vout") || !in["vout"].is_number()) {
            throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
        }
        const int64_t vout = GetIntArg<int64_t>(in["vout"], "vout");
        if (vout < 0 || vout > 0xffffffffLL) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
        uint32_t sequence = replaceable ? 0xfffffffd : (locktime ? 0xfffffffe : 0xffffffff);
        if (in.contains("sequence")) {
            if (!in["sequence"].is_number()) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, sequence number is out of range");
            const int64_t seq = GetIntArg<int64_t>(in["sequence"], "sequence");
            if (seq < 0 || seq > 0xffffffffLL) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, sequence number is out of range");
            sequence = uint32_t(seq);
        }
        mtx.vin.emplace_back(COutPoint(txid, uint32_t(vout)), sequence);
    }

    // Outputs: an object {address: amount, "data": hex, "oda": hex}, or an array of one-key
    // objects. "oda" is an ODA payload (doc/oda-protocol.md section 2): it becomes the one
    // ODA output, OP_RETURN <push "ODA1"> <push payload>, with value 0.
    std::vector<std::pair<std::string, json>> pairs;
    if (outputs_arg.is_object()) {
        for (auto it = outputs_arg.begin(); it != outputs_arg.end(); ++it) pairs.emplace_back(it.key(), it.value());
    } else if (outputs_arg.is_array()) {
        for (const json& o : outputs_arg) {
            if (!o.is_object() || o.size() != 1) {
                throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, key-value pair must contain exactly one key");
            }
            pairs.emplace_back(o.begin().key(), o.begin().value());
        }
    } else {
        throw JSONRPCError(RPC_TYPE_ERROR, "outputs must be an object or an array");
    }
    if (pairs.empty()) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, output argument must be non-empty");
    std::set<std::string> seen;
    bool have_data = false, have_oda = false;
    for (const auto& [key, value] : pairs) {
        if (key == "oda") {
            if (have_oda) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicate key: oda");
            have_oda = true;
            mtx.vout.emplace_back(0, OdaOutputScript(ParseHexV(value, "ODA payload")));
            continue;
        }
        if (key == "data") {
            if (have_data) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicate key: data");
            have_data = true;
            mtx.vout.emplace_back(0, NullDataScript(ParseHexV(value, "Data")));
            continue;
        }
        std::string error;
        auto spk = DecodeDestination(key, hrp, &error);
        if (!spk) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid ODA address: " + key);
        if (!seen.insert(key).second) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated address: " + key);
        mtx.vout.emplace_back(AmountFromValue(value), *spk);
    }
    return HexStr(SerializeToBytes(mtx));
}

json validateaddress(const JSONRPCRequest& request)
{
    const std::string& hrp = EnsureChainParams(request).Bech32HRP();
    const std::string address = request.params[0].get<std::string>();
    std::string error;
    auto spk = DecodeDestination(address, hrp, &error);
    json o = json::object();
    if (!spk) {
        o["isvalid"] = false;
        o["error_locations"] = json::array();
        o["error"] = error.empty() ? "Invalid address" : error;
        return o;
    }
    o["isvalid"] = true;
    o["address"] = EncodeDestination(*spk, hrp);
    o["scriptPubKey"] = HexStr(*spk);
    o["isscript"] = false;
    o["iswitness"] = true;
    o["witness_version"] = 1;
    o["witness_program"] = HexStr(std::vector<uint8_t>(spk->begin() + 2, spk->end()));
    return o;
}

} // namespace

void RegisterRawTransactionRPCCommands(CRPCTable& t)
{
    using A = RPCArg;
    t.AppendCommand({"rawtransactions", "getrawtransaction", &getrawtransaction,
                     RPCHelp{"getrawtransaction",
                             "Return the raw transaction data.\n"
                             "By default only mempool transactions are found; with -txindex any confirmed one, or\n"
                             "give the hash of the block that holds it.",
                             {{"txid", A::Type::STR_HEX, A::REQUIRED, "The transaction id"},
                              {"verbose", A::Type::ANY, A::OPTIONAL, "false/0 for hex, true/1 for a json object", "0"},
                              {"blockhash", A::Type::STR_HEX, A::OPTIONAL, "The block in which to look for the transaction"}},
                             "\"hex\", or a json object (decoderawtransaction's fields plus hex, blockhash, confirmations, time, blocktime, in_active_chain)",
                             HelpExampleCli("getrawtransaction", "\"mytxid\" true") + HelpExampleRpc("getrawtransaction", "\"mytxid\", true")}});
    t.AppendCommand({"rawtransactions", "decoderawtransaction", &decoderawtransaction,
                     RPCHelp{"decoderawtransaction", "Return a JSON object representing the serialized, hex-encoded transaction.",
                             {{"hexstring", A::Type::STR_HEX, A::REQUIRED, "The transaction hex string"}},
                             "{ \"txid\", \"hash\", \"size\", \"vsize\", \"weight\", \"version\", \"locktime\", \"vin\", \"vout\" }",
                             HelpExampleCli("decoderawtransaction", "\"hexstring\"")}});
    t.AppendCommand({"rawtransactions", "decodescript", &decodescript,
                     RPCHelp{"decodescript", "Decode a hex-encoded script.",
                             {{"hexstring", A::Type::STR_HEX, A::REQUIRED, "the hex-encoded script"}},
                             "{ \"asm\", \"type\", \"address\" (taproot only) }", HelpExampleCli("decodescript", "\"hexstring\"")}});
    t.AppendCommand({"rawtransactions", "createrawtransaction", &createrawtransaction,
                     RPCHelp{"createrawtransaction",
                             "Create a transaction spending the given inputs and creating new outputs.\n"
                             "Returns hex-encoded raw transaction. It is not signed and not stored or relayed.",
                             {{"inputs", A::Type::ARR, A::REQUIRED, "[{\"txid\": hex, \"vout\": n, \"sequence\": n}, ...]"},
                              {"outputs", A::Type::ANY, A::REQUIRED, "{\"address\": amount, \"data\": \"hex\", \"oda\": \"payload hex\"} or an array of such one-key objects; \"oda\" makes the ODA output OP_RETURN <\"ODA1\"> <payload> (doc/oda-protocol.md section 2)"},
                              {"locktime", A::Type::NUM, A::OPTIONAL, "Raw locktime. Non-0 value also locktime-activates inputs", "0"},
                              {"replaceable", A::Type::BOOL, A::OPTIONAL, "Marks this transaction as BIP125-replaceable (sequence only: ODA does not replace yet)", "false"}},
                             "\"transaction\"    (string) hex string of the transaction",
                             HelpExampleCli("createrawtransaction", "'[{\"txid\":\"myid\",\"vout\":0}]' '{\"address\":0.01}'")}});
    t.AppendCommand({"util", "validateaddress", &validateaddress,
                     RPCHelp{"validateaddress", "Return information about the given ODA address.",
                             {{"address", A::Type::STR, A::REQUIRED, "The ODA address to validate"}},
                             "{ \"isvalid\", \"address\", \"scriptPubKey\", \"isscript\", \"iswitness\", \"witness_version\", \"witness_program\", \"error\" }",
                             HelpExampleCli("validateaddress", "\"address\"")}});
}
