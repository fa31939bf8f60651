// Mempool RPCs: getmempoolinfo, getrawmempool, getmempoolentry, getmempoolancestors,
// getmempooldescendants, testmempoolaccept, sendrawtransaction. Shapes and error
// codes as Bitcoin Core's.
#include <rpc/mempool.h>

#include <consensus/chainparams.h>
#include <node/context.h>
#include <node/mempool_accept.h>
#include <node/mempool_init.h>
#include <node/mempool_persist.h>
#include <node/policy.h>
#include <node/validation.h>
#include <rpc/protocol.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <streams.h>
#include <hex.h>

#include <set>

using nlohmann::json;

CTxMemPool& EnsureMemPool(const JSONRPCRequest& request)
{
    if (!request.context || !request.context->mempool) {
        throw JSONRPCError(RPC_MISC_ERROR, "Mempool disabled or instance not found");
    }
    return *request.context->mempool;
}

node::ChainstateManager& EnsureChainstate(const JSONRPCRequest& request)
{
    if (!request.context || !request.context->chainman) {
        throw JSONRPCError(RPC_MISC_ERROR, "Node chainstate not found");
    }
    return *request.context->chainman;
}

const ChainParams& EnsureChainParams(const JSONRPCRequest& request)
{
    if (!request.context || !request.context->chainparams) {
        throw JSONRPCError(RPC_MISC_ERROR, "Chain parameters not found");
    }
    return *request.context->chainparams;
}

std::optional<CMutableTransaction> DecodeHexTx(const std::string& hex)
{
    auto bytes = ParseHex(hex);
    if (!bytes || bytes->empty()) return std::nullopt;
    return DecodeRawTransaction(*bytes);
}

json MempoolEntryToJSON(const CTxMemPool& pool, const CTxMemPoolEntry& e)
{
    json fees = json::object();
    fees["base"] = ValueFromAmount(e.GetFee());
    fees["modified"] = ValueFromAmount(e.GetFee());
    fees["ancestor"] = ValueFromAmount(e.GetFeesWithAncestors());
    fees["descendant"] = ValueFromAmount(e.GetFeesWithDescendants());
    json depends = json::array();
    for (const uint256& p : e.GetParents()) depends.push_back(p.GetHex());
    json spentby = json::array();
    for (const uint256& c : e.GetChildren()) spentby.push_back(c.GetHex());
    json o = json::object();
    o["vsize"] = e.GetVSize();
    o["weight"] = e.GetWeight();
    o["time"] = e.GetTime();
    o["height"] = e.GetHeight();
    o["descendantcount"] = e.GetCountWithDescendants();
    o["descendantsize"] = e.GetSizeWithDescendants();
    o["ancestorcount"] = e.GetCountWithAncestors();
    o["ancestorsize"] = e.GetSizeWithAncestors();
    o["wtxid"] = e.GetTx().GetWtxid().GetHex();
    o["computeunits"] = e.GetComputeUnits();
    o["fees"] = fees;
    o["depends"] = depends;
    o["spentby"] = spentby;
    o["bip125-replaceable"] = false;
    o["unbroadcast"] = false;
    (void)pool;
    return o;
}

namespace {

bool ArgGiven(const JSONRPCRequest& r, size_t i) { return r.params.size() > i && !r.params[i].is_null(); }

/** verbose as bool or number (Core accepts both for some calls). */
bool ParseVerbose(const json& v)
{
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number()) return GetIntArg<int64_t>(v, "verbose") != 0;
    throw JSONRPCError(RPC_TYPE_ERROR, "verbose must be a boolean");
}

/** maxfeerate in coins/kvB -> CFeeRate; 0 means no limit. */
CFeeRate ParseMaxFeeRate(const JSONRPCRequest& r, size_t i)
{
    if (!ArgGiven(r, i)) return CFeeRate(DEFAULT_MAX_RAW_TX_FEE_RATE);
    return CFeeRate(AmountFromValue(r.params[i]));
}

json getmempoolinfo(const JSONRPCRequest& request)
{
    CTxMemPool& pool = EnsureMemPool(request);
    LOCK(pool.cs);
    const MemPoolOptions& opts = pool.Options();
    json o = json::object();
    o["loaded"] = true;
    o["size"] = pool.Size();
    o["bytes"] = pool.TotalVSize();
    o["usage"] = pool.DynamicMemoryUsage();
    o["total_fee"] = ValueFromAmount(pool.TotalFee());
    o["maxmempool"] = opts.max_size_bytes;
    o["mempoolminfee"] = ValueFromAmount(std::max(pool.GetMinFee(), opts.min_relay_feerate).GetFeePerK());
    o["minrelaytxfee"] = ValueFromAmount(opts.min_relay_feerate.GetFeePerK());
    o["incrementalrelayfee"] = ValueFromAmount(opts.incremental_relay_feerate.GetFeePerK());
    o["unbroadcastcount"] = 0;
    o["fullrbf"] = false;
    return o;
}

json getrawmempool(const JSONRPCRequest& request)
{
    CTxMemPool& pool = EnsureMemPool(request);
    const bool verbose = ArgGiven(request, 0) && ParseVerbose(request.params[0]);
    const bool with_sequence = ArgGiven(request, 1) && request.params[1].get<bool>();
    if (verbose && with_sequence) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "Verbose results cannot contain mempool sequence values.");
    }
    LOCK(pool.cs);
    if (verbose) {
        json o = json::object();
        for (const auto& [txid, e] : pool.EntriesLocked()) o[txid.GetHex()] = MempoolEntryToJSON(pool, e);
        return o;
    }
    json txids = json::array();
    for (const uint256& txid : pool.Txids()) txids.push_back(txid.GetHex());
    if (!with_sequence) return txids;
    json o = json::object();
    o["txids"] = txids;
    o["mempool_sequence"] = pool.GetSequence();
    return o;
}

json getmempoolentry(const JSONRPCRequest& request)
{
    CTxMemPool& pool = EnsureMemPool(request);
    const uint256 txid = ParseHashV(request.params[0], "txid");
    LOCK(pool.cs);
    auto it = pool.EntriesLocked().find(txid);
    if (it == pool.EntriesLocked().end()) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
    return MempoolEntryToJSON(pool, it->second);
}

json RelativesToJSON(const JSONRPCRequest& request, bool ancestors)
{
    CTxMemPool& pool = EnsureMemPool(request);
    const uint256 txid = ParseHashV(request.params[0], "txid");
    const bool verbose = ArgGiven(request, 1) && ParseVerbose(request.params[1]);
    LOCK(pool.cs);
    if (!pool.Exists(txid)) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
    std::set<uint256> ids = ancestors ? pool.CalculateAncestors(txid) : pool.CalculateDescendants(txid);
    if (!verbose) {
        json a = json::array();
        for (const uint256& id : ids) a.push_back(id.GetHex());
        return a;
    }
    json o = json::object();
    for (const uint256& id : ids) o[id.GetHex()] = MempoolEntryToJSON(pool, pool.EntriesLocked().at(id));
    return o;
}

json getmempoolancestors(const JSONRPCRequest& request) { return RelativesToJSON(request, true); }
json getmempooldescendants(const JSONRPCRequest& request) { return RelativesToJSON(request, false); }

json testmempoolaccept(const JSONRPCRequest& request)
{
    CTxMemPool& pool = EnsureMemPool(request);
    node::ChainstateManager& chainman = EnsureChainstate(request);
    const json& rawtxs = request.params[0];
    if (!rawtxs.is_array()) throw JSONRPCError(RPC_TYPE_ERROR, "rawtxs must be an array");
    if (rawtxs.empty() || rawtxs.size() > 25) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "Array must contain between 1 and 25 transactions.");
    }
    const CFeeRate max_feerate = ParseMaxFeeRate(request, 1);
    std::vector<CTransactionRef> txs;
    for (const json& raw : rawtxs) {
        if (!raw.is_string()) throw JSONRPCError(RPC_TYPE_ERROR, "rawtxs must contain hex strings");
        auto mtx = DecodeHexTx(raw.get<std::string>());
        if (!mtx) {
            throw JSONRPCError(RPC_DESERIALIZATION_ERROR,
                               "TX decode failed: " + raw.get<std::string>() + " Make sure the tx has at least one input.");
        }
        txs.push_back(MakeTransactionRef(std::move(*mtx)));
    }
    // Each transaction is tested on its own against the chain and the current pool
    // (no package evaluation yet: a child of another listed transaction reports missing-inputs).
    json results = json::array();
    for (const CTransactionRef& tx : txs) {
        json r = json::object();
        r["txid"] = tx->GetTxid().GetHex();
        r["wtxid"] = tx->GetWtxid().GetHex();
        MempoolAcceptResult res = AcceptToMemoryPool(chainman, pool, tx, /*test_accept=*/true);
        if (res.IsValid()) {
            if (max_feerate.GetFeePerK() != 0 && res.fee > max_feerate.GetFee(res.vsize)) {
                r["allowed"] = false;
                r["reject-reason"] = "max-fee-exceeded";
            } else {
                r["allowed"] = true;
                r["vsize"] = res.vsize;
                json fees = json::object();
                fees["base"] = ValueFromAmount(res.fee);
                fees["effective-feerate"] = ValueFromAmount(CFeeRate::FromFee(res.fee, res.vsize).GetFeePerK());
                fees["effective-includes"] = json::array({tx->GetWtxid().GetHex()});
                r["fees"] = fees;
            }
        } else {
            r["allowed"] = false;
            if (res.state.GetResult() == TxValidationResult::TX_MISSING_INPUTS) {
                r["reject-reason"] = "missing-inputs";
            } else {
                r["reject-reason"] = res.state.GetRejectReason();
            }
        }
        results.push_back(r);
    }
    return results;
}

json sendrawtransaction(const JSONRPCRequest& request)
{
    CTxMemPool& pool = EnsureMemPool(request);
    node::ChainstateManager& chainman = EnsureChainstate(request);
    auto mtx = DecodeHexTx(request.params[0].get<std::string>());
    if (!mtx) throw JSONRPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed. Make sure the tx has at least one input.");
    CTransactionRef tx = MakeTransactionRef(std::move(*mtx));

    if (pool.Exists(tx->GetTxid())) return tx->GetTxid().GetHex(); // already known: nothing to do

    // One acceptance: the maximum fee rate is one of its checks, refused before the pool
    // changes. No lock is held here, so the ODA work of acceptance runs without them.
    MempoolAcceptOptions options;
    options.max_feerate = ParseMaxFeeRate(request, 1);
    MempoolAcceptResult res = AcceptToMemoryPool(chainman, pool, tx, options);
    if (res.IsValid()) return tx->GetTxid().GetHex();
    const TxValidationState& st = res.state;
    if (st.GetResult() == TxValidationResult::TX_MISSING_INPUTS) {
        throw JSONRPCError(RPC_VERIFY_ERROR, "bad-txns-inputs-missingorspent");
    }
    if (st.GetRejectReason() == "txn-already-known") {
        throw JSONRPCError(RPC_VERIFY_ALREADY_IN_CHAIN, "Transaction already in block chain");
    }
    if (st.GetRejectReason() == "txn-already-in-mempool") return tx->GetTxid().GetHex(); // raced with a peer
    if (st.GetRejectReason() == "max-fee-exceeded") {
        throw JSONRPCError(RPC_VERIFY_ERROR, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)");
    }
    throw JSONRPCError(RPC_VERIFY_REJECTED, st.ToString());
}

json savemempool(const JSONRPCRequest& request)
{
    CTxMemPool& pool = EnsureMemPool(request);
    if (!request.context->args) throw JSONRPCError(RPC_MISC_ERROR, "Unable to dump mempool to disk");
    const std::filesystem::path path = MempoolDumpPath(*request.context);
    std::string error;
    if (!DumpMempool(pool, path, error)) throw JSONRPCError(RPC_MISC_ERROR, "Unable to dump mempool to disk");
    json o = json::object();
    o["filename"] = path.string();
    return o;
}

const std::string VERBOSE_ENTRY_HELP =
    "{\n"
    "  \"vsize\" : n, \"weight\" : n, \"time\" : n, \"height\" : n,\n"
    "  \"descendantcount\" : n, \"descendantsize\" : n, \"ancestorcount\" : n, \"ancestorsize\" : n,\n"
    "  \"wtxid\" : \"hex\", \"computeunits\" : n (ODA compute units, 0 without compute work),\n"
    "  \"fees\" : {\"base\", \"modified\", \"ancestor\", \"descendant\"},\n"
    "  \"depends\" : [\"txid\", ...], \"spentby\" : [\"txid\", ...], \"bip125-replaceable\" : false,\n"
    "  \"unbroadcast\" : false\n"
    "}";

} // namespace

void RegisterMempoolRPCCommands(CRPCTable& t)
{
    using A = RPCArg;
    t.AppendCommand({"blockchain", "getmempoolinfo", &getmempoolinfo,
                     RPCHelp{"getmempoolinfo", "Returns details on the active state of the TX memory pool.", {},
                             "{ \"loaded\", \"size\", \"bytes\", \"usage\", \"total_fee\", \"maxmempool\", "
                             "\"mempoolminfee\", \"minrelaytxfee\", \"incrementalrelayfee\", \"unbroadcastcount\", "
                             "\"fullrbf\" }",
                             HelpExampleCli("getmempoolinfo", "") + HelpExampleRpc("getmempoolinfo", "")}});
    t.AppendCommand({"blockchain", "getrawmempool", &getrawmempool,
                     RPCHelp{"getrawmempool",
                             "Returns all transaction ids in memory pool as a json array of string transaction ids.",
                             {{"verbose", A::Type::BOOL, A::OPTIONAL, "True for a json object, false for array of transaction ids", "false"},
                              {"mempool_sequence", A::Type::BOOL, A::OPTIONAL, "If verbose=false, returns a json object with transaction list and mempool sequence number attached.", "false"}},
                             "[\"txid\", ...] (verbose=false), or {\"txid\" : " + VERBOSE_ENTRY_HELP + ", ...}",
                             HelpExampleCli("getrawmempool", "true") + HelpExampleRpc("getrawmempool", "true")}});
    t.AppendCommand({"blockchain", "getmempoolentry", &getmempoolentry,
                     RPCHelp{"getmempoolentry", "Returns mempool data for given transaction",
                             {{"txid", A::Type::STR_HEX, A::REQUIRED, "The transaction id (must be in mempool)"}},
                             VERBOSE_ENTRY_HELP, HelpExampleCli("getmempoolentry", "\"mytxid\"")}});
    t.AppendCommand({"blockchain", "getmempoolancestors", &getmempoolancestors,
                     RPCHelp{"getmempoolancestors", "If txid is in the mempool, returns all in-mempool ancestors.",
                             {{"txid", A::Type::STR_HEX, A::REQUIRED, "The transaction id (must be in mempool)"},
                              {"verbose", A::Type::BOOL, A::OPTIONAL, "True for a json object, false for array of transaction ids", "false"}},
                             "[\"txid\", ...] or {\"txid\" : {...}, ...}", HelpExampleCli("getmempoolancestors", "\"mytxid\"")}});
    t.AppendCommand({"blockchain", "getmempooldescendants", &getmempooldescendants,
                     RPCHelp{"getmempooldescendants", "If txid is in the mempool, returns all in-mempool descendants.",
                             {{"txid", A::Type::STR_HEX, A::REQUIRED, "The transaction id (must be in mempool)"},
                              {"verbose", A::Type::BOOL, A::OPTIONAL, "True for a json object, false for array of transaction ids", "false"}},
                             "[\"txid\", ...] or {\"txid\" : {...}, ...}", HelpExampleCli("getmempooldescendants", "\"mytxid\"")}});
    t.AppendCommand({"blockchain", "savemempool", &savemempool,
                     RPCHelp{"savemempool", "Dumps the mempool to disk (mempool.dat in the network's data directory).", {},
                             "{ \"filename\" : \"str\" }    the directory and file where the mempool was saved",
                             HelpExampleCli("savemempool", "") + HelpExampleRpc("savemempool", "")}});
    t.AppendCommand({"rawtransactions", "testmempoolaccept", &testmempoolaccept,
                     RPCHelp{"testmempoolaccept",
                             "Returns result of mempool acceptance tests indicating if raw transactions would be accepted by mempool.\n"
                             "Each transaction is tested independently against the chain and the current mempool.\n"
                             "This checks if transactions violate the consensus or policy rules.",
                             {{"rawtxs", A::Type::ARR, A::REQUIRED, "An array of hex strings of raw transactions (1 to 25)."},
                              {"maxfeerate", A::Type::AMOUNT, A::OPTIONAL, "Reject transactions whose fee rate is higher than the specified value, expressed in ODA/kvB", "0.10"}},
                             "[{\"txid\", \"wtxid\", \"allowed\", \"vsize\", \"fees\": {\"base\", \"effective-feerate\", \"effective-includes\"}, \"reject-reason\"}, ...]",
                             HelpExampleCli("testmempoolaccept", "'[\"signedhex\"]'") + HelpExampleRpc("testmempoolaccept", "[\"signedhex\"]")}});
    t.AppendCommand({"rawtransactions", "sendrawtransaction", &sendrawtransaction,
                     RPCHelp{"sendrawtransaction",
                             "Submit a raw transaction (serialized, hex-encoded) to the local node's mempool.\n"
                             "Replacement of a mempool transaction (RBF) is not supported, except of a pending update-weights\n"
                             "of the same model by one paying more (doc/policy.md).",
                             {{"hexstring", A::Type::STR_HEX, A::REQUIRED, "The hex string of the raw transaction"},
                              {"maxfeerate", A::Type::AMOUNT, A::OPTIONAL, "Reject transactions whose fee rate is higher than the specified value, expressed in ODA/kvB. Set to 0 to accept any fee rate.", "0.10"}},
                             "\"hex\"    (string) The transaction hash in hex",
                             HelpExampleCli("sendrawtransaction", "\"signedhex\"") + HelpExampleRpc("sendrawtransaction", "\"signedhex\"")}});
}
