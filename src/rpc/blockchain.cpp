#include <rpc/blockchain.h>

#include <consensus/chainparams.h>
#include <crypto/hash.h>
#include <hex.h>
#include <node/context.h>
#include <node/mempool.h>
#include <node/validation.h>
#include <rpc/core_write.h>
#include <rpc/protocol.h>
#include <rpc/request.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <streams.h>
#include <util/strencodings.h>

#include <set>

using nlohmann::json;
using node::CBlockIndex;
using node::ChainstateManager;

node::ChainstateManager& EnsureChainman(const JSONRPCRequest& request)
{
    if (!request.context || !request.context->chainman) {
        throw JSONRPCError(RPC_INTERNAL_ERROR, "Node chainstate not found");
    }
    return *request.context->chainman;
}

namespace {

std::string Hrp(const ChainstateManager& chainman) { return chainman.Params().Bech32HRP(); }

const CBlockIndex* ParseBlockArg(ChainstateManager& chainman, const json& v) EXCLUSIVE_LOCKS_REQUIRED(chainman.Mutex())
{
    uint256 hash = ParseHashV(v, "blockhash");
    const CBlockIndex* index = chainman.LookupBlockIndex(hash);
    if (!index) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    return index;
}

json getblockcount(const JSONRPCRequest& request)
{
    return EnsureChainman(request).ActiveHeight();
}

json getbestblockhash(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    return chainman.ActiveTip()->GetBlockHash().GetHex();
}

json getblockhash(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    const int64_t height = GetIntArg<int64_t>(request.params[0], "height");
    if (height < 0 || height > chainman.ActiveHeight()) throw JSONRPCError(RPC_INVALID_PARAMETER, "Block height out of range");
    return chainman.ActiveChain()[static_cast<int>(height)]->GetBlockHash().GetHex();
}

json getdifficulty(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    return GetDifficulty(chainman.ActiveTip()->bits);
}

/** A block waiting for data: hash, height, its missing files (pieces roots in storage byte
 *  order, doc/oda-protocol.md section 2.1) and why (which transaction). */
json WaitingToJSON(const node::WaitingBlock& w)
{
    json files = json::array();
    for (const auto& c : w.missing) files.push_back(CommitmentToJSON(c));
    return json{{"hash", w.hash.GetHex()}, {"height", w.height}, {"missing_files", files}, {"reason", w.reason}};
}

json getblockchaininfo(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    const CBlockIndex* tip = chainman.ActiveTip();
    const CBlockIndex* best_header = chainman.BestHeader();
    json out = json::object();
    out["chain"] = ChainTypeToString(chainman.Params().GetChainType());
    out["blocks"] = chainman.ActiveHeight();
    out["headers"] = best_header ? best_header->height : -1;
    out["bestblockhash"] = tip->GetBlockHash().GetHex();
    out["bits"] = strprintf("%08x", tip->bits);
    out["difficulty"] = GetDifficulty(tip->bits);
    out["time"] = tip->time;
    out["mediantime"] = tip->GetMedianTimePast();
    out["verificationprogress"] = chainman.GuessVerificationProgress(tip);
    out["initialblockdownload"] = chainman.IsInitialBlockDownload();
    out["chainwork"] = tip->chain_work.GetHex();
    out["size_on_disk"] = chainman.SizeOnDisk();
    out["pruned"] = false;
    json waiting = json::array();
    for (const node::WaitingBlock& w : chainman.GetWaitingBlocks()) waiting.push_back(WaitingToJSON(w));
    out["waiting_for_data_count"] = waiting.size();
    out["waiting_for_data"] = waiting;
    out["warnings"] = "";
    return out;
}

json getblockheader(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    const CBlockIndex* index = ParseBlockArg(chainman, request.params[0]);
    const bool verbose = request.params.size() < 2 || request.params[1].is_null() || request.params[1].get<bool>();
    if (!verbose) return HexStr(SerializeToBytes(index->GetBlockHeader()));
    return BlockHeaderToJSON(chainman.ActiveTip(), index, chainman.ActiveChain().Next(index));
}

json getblock(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    const CBlockIndex* index = ParseBlockArg(chainman, request.params[0]);
    int verbosity = 1;
    if (request.params.size() > 1 && !request.params[1].is_null()) {
        // Core accepts a boolean here too (false = 0, true = 1).
        if (request.params[1].is_boolean()) {
            verbosity = request.params[1].get<bool>() ? 1 : 0;
        } else if (request.params[1].is_number()) {
            verbosity = GetIntArg<int>(request.params[1], "verbosity");
        } else {
            throw JSONRPCError(RPC_TYPE_ERROR, "verbosity must be a number or boolean");
        }
    }
    if (!index->HaveData()) throw JSONRPCError(RPC_MISC_ERROR, "Block not available");
    CBlock block;
    std::string err;
    if (!chainman.ReadBlock(index, block, &err)) throw JSONRPCError(RPC_MISC_ERROR, "Block not found on disk: " + err);
    if (verbosity <= 0) return HexStr(SerializeToBytes(block));
    return BlockToJSON(block, chainman.ActiveTip(), index, chainman.ActiveChain().Next(index), verbosity, Hrp(chainman));
}

json getchaintips(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    json out = json::array();
    for (const node::ChainTip& tip : chainman.GetChainTips()) {
        json t{{"height", tip.index->height},
               {"hash", tip.index->GetBlockHash().GetHex()},
               {"branchlen", tip.branch_length},
               {"status", tip.status}};
        if (tip.waiting) {
            // The block that waits may be the tip or one of its ancestors on this branch.
            t["waiting_block"] = tip.waiting->hash.GetHex();
            json files = json::array();
            for (const auto& c : tip.waiting->missing) files.push_back(CommitmentToJSON(c));
            t["missing_files"] = files;
        }
        out.push_back(t);
    }
    return out;
}

json gettxout(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    const uint256 txid = ParseHashV(request.params[0], "txid");
    const int64_t n = GetIntArg<int64_t>(request.params[1], "n");
    if (n < 0 || n > 0xffffffffLL) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid output index");
    const bool include_mempool = request.params.size() < 3 || request.params[2].is_null() || request.params[2].get<bool>();
    // Mempool overlay: when include_mempool is true, coins that mempool transactions spend
    // are hidden and unconfirmed outputs are shown (confirmations 0, bestblock = tip).
    const COutPoint outpoint(txid, static_cast<uint32_t>(n));
    std::optional<Coin> coin;
    if (include_mempool && request.context && request.context->mempool) {
        CTxMemPool& pool = *request.context->mempool;
        LOCK(pool.cs);
        if (pool.GetSpender(outpoint)) return json(nullptr);
        coin = CoinsViewMemPool(&chainman.CoinsTip(), pool).GetCoin(outpoint);
    } else {
        coin = chainman.CoinsTip().GetCoin(outpoint);
    }
    if (!coin) return json(nullptr);
    const CBlockIndex* tip = chainman.ActiveTip();
    json out = json::object();
    out["bestblock"] = tip->GetBlockHash().GetHex();
    out["confirmations"] = coin->height == 0x7fffffff ? 0 : tip->height - static_cast<int>(coin->height) + 1;
    out["value"] = ValueFromAmount(coin->out.value);
    out["scriptPubKey"] = ScriptPubKeyToJSON(coin->out.script_pubkey, Hrp(chainman));
    out["coinbase"] = coin->coinbase;
    return out;
}

json gettxoutsetinfo(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    LOCK(chainman.Mutex());
    // Statistics come from the database: write the cache out first.
    chainman.FlushStateToDisk(node::FlushMode::ALWAYS);
    const CBlockIndex* tip = chainman.ActiveTip();
    // hash_serialized_3 = SHA256d over, in key order, every (outpoint, coin) serialized as
    // the chainstate database stores them (ODA's own definition; not comparable to Core's).
    HashWriter hasher;
    uint64_t txouts = 0, bogosize = 0;
    std::set<uint256> txids;
    CAmount total = 0;
    for (auto cursor = chainman.CoinsDB().Cursor(); cursor->Valid(); cursor->Next()) {
        COutPoint outpoint;
        Coin coin;
        if (!cursor->GetKey(outpoint) || !cursor->GetValue(coin)) throw JSONRPCError(RPC_DATABASE_ERROR, "Unable to read UTXO set");
        hasher << outpoint << coin;
        ++txouts;
        txids.insert(outpoint.hash);
        total += coin.out.value;
        bogosize += 50 + coin.out.script_pubkey.size();
    }
    json out = json::object();
    out["height"] = tip->height;
    out["bestblock"] = tip->GetBlockHash().GetHex();
    out["txouts"] = txouts;
    out["transactions"] = txids.size();
    out["bogosize"] = bogosize;
    out["hash_serialized_3"] = hasher.GetHash().GetHex();
    out["total_amount"] = ValueFromAmount(total);
    out["disk_size"] = chainman.CoinsDB().EstimateSize();
    return out;
}

json invalidateblock(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    BlockValidationState state;
    CBlockIndex* index = nullptr;
    {
        LOCK(chainman.Mutex());
        index = chainman.LookupBlockIndex(ParseHashV(request.params[0], "blockhash"));
        if (!index) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    }
    // Without the lock: activating the best chain afterwards releases it between steps.
    // (Block index entries live as long as the ChainstateManager.)
    chainman.InvalidateBlock(state, index);
    if (!state.IsValid()) throw JSONRPCError(RPC_DATABASE_ERROR, state.ToString());
    return json(nullptr);
}

json reconsiderblock(const JSONRPCRequest& request)
{
    auto& chainman = EnsureChainman(request);
    BlockValidationState state;
    CBlockIndex* index = nullptr;
    {
        LOCK(chainman.Mutex());
        index = chainman.LookupBlockIndex(ParseHashV(request.params[0], "blockhash"));
        if (!index) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    }
    chainman.ReconsiderBlock(state, index);
    if (!state.IsValid()) throw JSONRPCError(RPC_DATABASE_ERROR, state.ToString());
    return json(nullptr);
}

RPCArg BlockHashArg() { return {"blockhash", RPCArg::Type::STR_HEX, RPCArg::REQUIRED, "the block hash"}; }

} // namespace

void RegisterBlockchainRPCCommands(CRPCTable& table)
{
    const std::string cat = "blockchain";
    table.AppendCommand({cat, "getblockcount", &getblockcount,
                         RPCHelp{"getblockcount", "Returns the height of the most-work fully-validated chain.\nThe genesis block has height 0.", {},
                                 "n    (numeric) The current block count",
                                 HelpExampleCli("getblockcount", "") + HelpExampleRpc("getblockcount", "")}});
    table.AppendCommand({cat, "getbestblockhash", &getbestblockhash,
                         RPCHelp{"getbestblockhash", "Returns the hash of the best (tip) block in the most-work fully-validated chain.", {},
                                 "\"hex\"    (string) the block hash, hex-encoded",
                                 HelpExampleCli("getbestblockhash", "") + HelpExampleRpc("getbestblockhash", "")}});
    table.AppendCommand({cat, "getblockhash", &getblockhash,
                         RPCHelp{"getblockhash", "Returns hash of block in best-block-chain at height provided.",
                                 {{"height", RPCArg::Type::NUM, RPCArg::REQUIRED, "The height index"}},
                                 "\"hex\"    (string) The block hash",
                                 HelpExampleCli("getblockhash", "1000") + HelpExampleRpc("getblockhash", "1000")}});
    table.AppendCommand({cat, "getdifficulty", &getdifficulty,
                         RPCHelp{"getdifficulty", "Returns the proof-of-work difficulty as a multiple of the minimum difficulty.", {},
                                 "n.nnn    (numeric) the proof-of-work difficulty",
                                 HelpExampleCli("getdifficulty", "") + HelpExampleRpc("getdifficulty", "")}});
    table.AppendCommand({cat, "getblockchaininfo", &getblockchaininfo,
                         RPCHelp{"getblockchaininfo", "Returns an object containing various state info regarding blockchain processing.", {},
                                 "{ \"chain\", \"blocks\", \"headers\", \"bestblockhash\", \"difficulty\", \"time\", \"mediantime\",\n"
                                 "  \"verificationprogress\", \"initialblockdownload\", \"chainwork\", \"size_on_disk\", \"pruned\",\n"
                                 "  \"waiting_for_data_count\", \"waiting_for_data\": [{\"hash\", \"height\", \"missing_files\": [{\"pieces_root\", \"file_size\"}], \"reason\"}],\n"
                                 "  \"warnings\" }\n"
                                 "waiting_for_data: blocks that can be judged only once the node has these model files\n"
                                 "(doc/oda-protocol.md section 5); pieces roots in storage byte order.",
                                 HelpExampleCli("getblockchaininfo", "") + HelpExampleRpc("getblockchaininfo", "")}});
    table.AppendCommand({cat, "getblockheader", &getblockheader,
                         RPCHelp{"getblockheader", "If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.\n"
                                                   "If verbose is true, returns an Object with information about blockheader <hash>.",
                                 {BlockHashArg(), {"verbose", RPCArg::Type::BOOL, RPCArg::OPTIONAL, "true for a json object, false for the hex-encoded data", "true"}},
                                 "{...} or \"hex\"",
                                 HelpExampleCli("getblockheader", "\"<hash>\"") + HelpExampleRpc("getblockheader", "\"<hash>\"")}});
    table.AppendCommand({cat, "getblock", &getblock,
                         RPCHelp{"getblock", "If verbosity is 0, returns a string that is serialized, hex-encoded data for block 'hash'.\n"
                                             "If verbosity is 1, returns an Object with information about block <hash>.\n"
                                             "If verbosity is 2, returns an Object with information about block <hash> and information about each transaction.",
                                 {BlockHashArg(), {"verbosity", RPCArg::Type::ANY, RPCArg::OPTIONAL, "0 for hex-encoded data, 1 for a JSON object, 2 for JSON object with transaction data", "1"}},
                                 "\"hex\" or {...}",
                                 HelpExampleCli("getblock", "\"<hash>\"") + HelpExampleRpc("getblock", "\"<hash>\"")}});
    table.AppendCommand({cat, "getchaintips", &getchaintips,
                         RPCHelp{"getchaintips", "Return information about all known tips in the block tree, including the main chain as well as orphaned branches.", {},
                                 "[{\"height\", \"hash\", \"branchlen\", \"status\"}, ...]  status: active, valid-fork, valid-headers, headers-only, invalid,\n"
                                 "waiting-for-data (the tip or a block below it on the branch lacks a model file: neither valid nor invalid;\n"
                                 "then also \"waiting_block\": hash and \"missing_files\": [{\"pieces_root\", \"file_size\"}], roots in storage byte order)",
                                 HelpExampleCli("getchaintips", "") + HelpExampleRpc("getchaintips", "")}});
    table.AppendCommand({cat, "gettxout", &gettxout,
                         RPCHelp{"gettxout", "Returns details about an unspent transaction output.",
                                 {{"txid", RPCArg::Type::STR_HEX, RPCArg::REQUIRED, "The transaction id"},
                                  {"n", RPCArg::Type::NUM, RPCArg::REQUIRED, "vout number"},
                                  {"include_mempool", RPCArg::Type::BOOL, RPCArg::OPTIONAL, "Whether to include the mempool.", "true"}},
                                 "null, or {\"bestblock\", \"confirmations\", \"value\", \"scriptPubKey\", \"coinbase\"}",
                                 HelpExampleCli("gettxout", "\"txid\" 1") + HelpExampleRpc("gettxout", "\"txid\", 1")}});
    table.AppendCommand({cat, "gettxoutsetinfo", &gettxoutsetinfo,
                         RPCHelp{"gettxoutsetinfo", "Returns statistics about the unspent transaction output set.\nNote this call may take some time.", {},
                                 "{\"height\", \"bestblock\", \"txouts\", \"transactions\", \"bogosize\", \"hash_serialized_3\", \"total_amount\", \"disk_size\"}",
                                 HelpExampleCli("gettxoutsetinfo", "") + HelpExampleRpc("gettxoutsetinfo", "")}});
    table.AppendCommand({cat, "invalidateblock", &invalidateblock,
                         RPCHelp{"invalidateblock", "Permanently marks a block as invalid, as if it violated a consensus rule.", {BlockHashArg()}, "",
                                 HelpExampleCli("invalidateblock", "\"blockhash\"") + HelpExampleRpc("invalidateblock", "\"blockhash\"")}});
    table.AppendCommand({cat, "reconsiderblock", &reconsiderblock,
                         RPCHelp{"reconsiderblock", "Removes invalidity status of a block, its ancestors and its descendants, reconsider them for activation.\n"
                                                    "This can be used to undo the effects of invalidateblock.", {BlockHashArg()}, "",
                                 HelpExampleCli("reconsiderblock", "\"blockhash\"") + HelpExampleRpc("reconsiderblock", "\"blockhash\"")}});
}
