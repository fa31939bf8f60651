// Wallet RPCs (Bitcoin Core's descriptor wallet commands, taproot key path only).
// Compiled into libodawallet.a (Makefile.wallet.include); lives under rpc/ because the
// wallet layer may not include rpc/ headers. A request reaches a wallet through the
// "/wallet/<name>" URI, or without one when exactly one wallet is loaded.
#include <rpc/descriptors.h>
#include <rpc/register.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <rpc/wallet_common.h>

#include <hex.h>
#include <interfaces/chain.h>
#include <node/context.h>
#include <script/address.h>
#include <streams.h>
#include <wallet/load.h>
#include <wallet/wallet.h>

#include <algorithm>
#include <limits>
#include <set>

namespace {
using json = nlohmann::json;
using Type = RPCArg::Type;
constexpr bool OPT = RPCArg::OPTIONAL;
constexpr bool REQ = RPCArg::REQUIRED;

WalletManager& EnsureWalletManager(const JSONRPCRequest& req)
{
    WalletManager* m = req.context ? req.context->wallet_manager.get() : nullptr;
    if (!m) throw JSONRPCError(RPC_METHOD_NOT_FOUND, "Method not found (wallet is disabled)");
    return *m;
}

/** The request's wallet, up to date with every chain and mempool change that happened
 *  before the request: notifications reach wallets on the node's notification thread, so
 *  this first waits for them (with no lock held: the wallet's callbacks need its lock). */
std::shared_ptr<CWallet> GetWalletForRequest(const JSONRPCRequest& req)
{
    WalletManager& m = EnsureWalletManager(req);
    if (interfaces::Chain* chain = m.Chain()) chain->WaitForNotifications();
    std::string name;
    if (req.GetWalletName(name)) {
        auto w = m.GetWallet(name);
        if (!w) throw JSONRPCError(RPC_WALLET_NOT_FOUND, "Requested wallet does not exist or is not loaded");
        return w;
    }
    auto all = m.GetWallets();
    if (all.size() == 1) return all[0];
    if (all.empty()) {
        throw JSONRPCError(RPC_WALLET_NOT_FOUND, "No wallet is loaded. Load a wallet using loadwallet or create a new one with createwallet. (Note: A default wallet is no longer automatically created)");
    }
    throw JSONRPCError(RPC_WALLET_NOT_SPECIFIED, "Wallet file not specified (must request wallet RPC through /wallet/<filename> uri-path).");
}

/** Turns WalletError into the JSON-RPC error with its code. */
RPCHandler Wrap(std::function<json(const JSONRPCRequest&)> fn)
{
    return [fn](const JSONRPCRequest& req) -> json {
        try {
            return fn(req);
        } catch (const WalletError& e) {
            throw JSONRPCError(e.code, e.what());
        }
    };
}

bool Has(const JSONRPCRequest& r, size_t i) { return r.params.size() > i && !r.params[i].is_null(); }

ScriptBytes ParseAddress(const CWallet& w, const json& v)
{
    if (!v.is_string()) throw JSONRPCError(RPC_TYPE_ERROR, "address must be a string");
    std::string err;
    auto spk = DecodeDestination(v.get<std::string>(), w.Hrp(), &err);
    if (!spk) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid address: " + err);
    return *spk;
}

/** fee_rate in units per vB (up to 3 decimals) -> units per kvB. */
CAmount ParseFeeRate(const json& v)
{
    if (!v.is_number() && !v.is_string()) throw JSONRPCError(RPC_TYPE_ERROR, "fee_rate must be a number");
    CAmount as_coins;
    try {
        as_coins = AmountFromValue(v); // value * 1e8, exact
    } catch (const JSONRPCError& e) {
        throw JSONRPCError(RPC_TYPE_ERROR, std::string("Invalid fee_rate: ") + e.what());
    }
    if (as_coins % 100000 != 0) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid fee_rate: at most 3 decimal places (units/vB)");
    const CAmount per_kvb = as_coins / 100000;
    if (per_kvb <= 0) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid fee_rate: must be positive (units/vB)");
    if (per_kvb > 10000000) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid fee_rate: too high (more than 10000 units/vB)");
    return per_kvb;
}

json TxPartsCommon(const CWallet& w, const WalletTx& wtx, json& entry)
{
    const int depth = w.GetDepth(wtx);
    entry["confirmations"] = depth;
    if (wtx.tx->IsCoinBase()) entry["generated"] = true;
    if (wtx.IsConfirmed()) {
        entry["blockhash"] = wtx.block_hash.GetHex();
        entry["blockheight"] = wtx.block_height;
        entry["blocktime"] = wtx.time;
    } else {
        entry["trusted"] = depth == 0 && wtx.from_me && !wtx.abandoned;
    }
    if (wtx.IsConflicted()) {
        entry["walletconflicts"] = json::array();
    }
    entry["txid"] = wtx.tx->GetTxid().GetHex();
    entry["time"] = wtx.time;
    entry["timereceived"] = wtx.time;
    return entry;
}

/** listtransactions/gettransaction detail entries (sends per non-change output, receives per mine output). */
std::vector<json> TxDetails(const CWallet& w, const WalletTx& wtx)
{
    std::vector<json> out;
    const CTransaction& tx = *wtx.tx;
    const int depth = w.GetDepth(wtx);
    if (wtx.from_me) {
        for (uint32_t i = 0; i < tx.vout.size(); ++i) {
            const CTxOut& o = tx.vout[i];
            if (w.IsChange(o)) continue;
            json d;
            d["address"] = EncodeDestination(o.script_pubkey, w.Hrp());
            d["category"] = "send";
            d["amount"] = ValueFromAmount(-o.value);
            d["vout"] = i;
            d["fee"] = ValueFromAmount(-wtx.fee);
            d["abandoned"] = wtx.abandoned;
            out.push_back(d);
        }
    }
    for (uint32_t i = 0; i < tx.vout.size(); ++i) {
        const CTxOut& o = tx.vout[i];
        if (!w.IsMine(o.script_pubkey) || (wtx.from_me && w.IsChange(o))) continue;
        json d;
        d["address"] = EncodeDestination(o.script_pubkey, w.Hrp());
        if (tx.IsCoinBase()) {
            d["category"] = depth < 1 ? "orphan" : (depth < 101 ? "immature" : "generate");
        } else {
            d["category"] = "receive";
        }
        d["amount"] = ValueFromAmount(o.value);
        d["vout"] = i;
        out.push_back(d);
    }
    return out;
}

// ------------------------------------------------------------------ wallet management

json createwallet(const JSONRPCRequest& req)
{
    WalletManager& m = EnsureWalletManager(req);
    const std::string name = req.params[0].get<std::string>();
    CWallet::Options o;
    if (Has(req, 1)) o.disable_private_keys = req.params[1].get<bool>();
    if (Has(req, 2)) o.blank = req.params[2].get<bool>();
    if (Has(req, 3)) o.passphrase = req.params[3].get<std::string>();
    if (Has(req, 5) && !req.params[5].get<bool>()) throw JSONRPCError(RPC_WALLET_ERROR, "Only descriptor wallets are supported");
    json warnings = json::array();
    if (Has(req, 3) && o.passphrase.empty()) warnings.push_back("Empty string given as passphrase, wallet will not be encrypted.");
    m.CreateWallet(name, o);
    return json{{"name", name}, {"warnings", warnings}};
}

json loadwallet(const JSONRPCRequest& req)
{
    WalletManager& m = EnsureWalletManager(req);
    const std::string name = req.params[0].get<std::string>();
    m.LoadWallet(name);
    return json{{"name", name}, {"warnings", json::array()}};
}

json unloadwallet(const JSONRPCRequest& req)
{
    WalletManager& m = EnsureWalletManager(req);
    std::string name;
    const bool from_uri = req.GetWalletName(name);
    if (Has(req, 0)) {
        const std::string given = req.params[0].get<std::string>();
        if (from_uri && given != name) throw JSONRPCError(RPC_INVALID_PARAMETER, "RPC endpoint wallet and wallet_name parameter specify different wallets");
        name = given;
    } else if (!from_uri) {
        name = GetWalletForRequest(req)->Name();
    }
    m.UnloadWallet(name);
    return json{{"warnings", json::array()}};
}

json listwallets(const JSONRPCRequest& req)
{
    json out = json::array();
    for (const auto& n : EnsureWalletManager(req).ListWallets()) out.push_back(n);
    return out;
}

json listwalletdir(const JSONRPCRequest& req)
{
    json arr = json::array();
    for (const auto& n : EnsureWalletManager(req).ListWalletDir()) arr.push_back(json{{"name", n}});
    return json{{"wallets", arr}};
}

json getwalletinfo(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const WalletBalance b = w->GetBalance();
    json o;
    o["walletname"] = w->Name();
    o["walletversion"] = 1;
    o["format"] = "sqlite";
    o["balance"] = ValueFromAmount(b.trusted);
    o["unconfirmed_balance"] = ValueFromAmount(b.untrusted_pending);
    o["immature_balance"] = ValueFromAmount(b.immature);
    o["txcount"] = w->Transactions().size();
    uint64_t ext = 0, internal = 0;
    for (const auto& [s, r] : w->ListDescriptors(false)) {
        if (!r.active) continue;
        (r.internal ? internal : ext) += r.range_end - std::min(r.range_end, r.next_index);
    }
    o["keypoolsize"] = ext;
    o["keypoolsize_hd_internal"] = internal;
    if (w->IsCrypted()) o["unlocked_until"] = w->UnlockedUntil();
    o["private_keys_enabled"] = w->HasPrivateKeys();
    o["avoid_reuse"] = false;
    o["scanning"] = false;
    o["descriptors"] = true;
    return o;
}

// ------------------------------------------------------------------ addresses

json getnewaddress(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    if (Has(req, 1) && req.params[1].get<std::string>() != "bech32m") {
        throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Unknown address type '" + req.params[1].get<std::string>() + "' (ODA supports only bech32m)");
    }
    return w->GetNewAddress(false);
}

json getrawchangeaddress(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    if (Has(req, 0) && req.params[0].get<std::string>() != "bech32m") {
        throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Unknown address type '" + req.params[0].get<std::string>() + "' (ODA supports only bech32m)");
    }
    return w->GetNewAddress(true);
}

json getaddressinfo(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const std::string addr = req.params[0].get<std::string>();
    const ScriptBytes spk = ParseAddress(*w, req.params[0]);
    const auto info = w->GetAddressInfo(spk);
    json o;
    o["address"] = addr;
    o["scriptPubKey"] = HexStr(spk);
    o["ismine"] = info.ismine;
    o["solvable"] = info.solvable;
    if (info.ismine) {
        o["desc"] = info.desc;
        o["parent_desc"] = info.parent_desc;
        o["hdkeypath"] = info.hdkeypath;
    }
    o["iswatchonly"] = info.ismine && !w->HasPrivateKeys();
    o["isscript"] = false;
    o["iswitness"] = true;
    o["witness_version"] = 1;
    o["witness_program"] = HexStr(std::vector<uint8_t>(spk.begin() + 2, spk.end()));
    o["ischange"] = info.ischange;
    o["labels"] = json::array();
    return o;
}

// ------------------------------------------------------------------ balances and history

json getbalance(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    if (Has(req, 0) && req.params[0].get<std::string>() != "*") throw JSONRPCError(RPC_METHOD_DEPRECATED, "dummy first argument must be excluded or set to \"*\".");
    const int minconf = Has(req, 1) ? GetIntArg<int>(req.params[1], "minconf") : 0;
    if (minconf < 0) throw JSONRPCError(RPC_INVALID_PARAMETER, "minconf must not be negative");
    return ValueFromAmount(w->GetBalance(minconf).trusted);
}

json getbalances(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const WalletBalance b = w->GetBalance();
    json mine{{"trusted", ValueFromAmount(b.trusted)},
              {"untrusted_pending", ValueFromAmount(b.untrusted_pending)},
              {"immature", ValueFromAmount(b.immature)}};
    return json{{"mine", mine}};
}

json listunspent(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const int minconf = Has(req, 0) ? GetIntArg<int>(req.params[0], "minconf") : 1;
    const int maxconf = Has(req, 1) ? GetIntArg<int>(req.params[1], "maxconf") : 9999999;
    std::set<ScriptBytes> filter;
    if (Has(req, 2)) {
        for (const auto& a : req.params[2]) {
            if (!filter.insert(ParseAddress(*w, a)).second) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated address: " + a.get<std::string>());
        }
    }
    const bool include_unsafe = Has(req, 3) ? req.params[3].get<bool>() : true;
    json out = json::array();
    auto outs = w->ListUnspent(minconf, maxconf, include_unsafe);
    std::sort(outs.begin(), outs.end(), [](const WalletOutput& a, const WalletOutput& b) {
        if (a.depth != b.depth) return a.depth > b.depth;
        return a.outpoint.hash < b.outpoint.hash || (a.outpoint.hash == b.outpoint.hash && a.outpoint.n < b.outpoint.n);
    });
    for (const auto& o : outs) {
        if (!filter.empty() && !filter.count(o.txout.script_pubkey)) continue;
        const auto info = w->GetAddressInfo(o.txout.script_pubkey);
        json e;
        e["txid"] = o.outpoint.hash.GetHex();
        e["vout"] = o.outpoint.n;
        e["address"] = EncodeDestination(o.txout.script_pubkey, w->Hrp());
        e["scriptPubKey"] = HexStr(o.txout.script_pubkey);
        e["amount"] = ValueFromAmount(o.txout.value);
        e["confirmations"] = o.depth;
        // An ownership output is the model's, not a coin: never offered as spendable.
        e["spendable"] = w->HasPrivateKeys() && !o.ownership;
        if (o.ownership) e["ownership"] = o.ownership->GetHex();
        e["solvable"] = true;
        e["desc"] = info.desc;
        e["parent_descs"] = json::array({info.parent_desc});
        e["safe"] = o.trusted;
        out.push_back(e);
    }
    return out;
}

json listtransactions(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    if (Has(req, 0) && req.params[0].get<std::string>() != "*") throw JSONRPCError(RPC_INVALID_PARAMETER, "Labels are not supported; use \"*\"");
    const int count = Has(req, 1) ? GetIntArg<int>(req.params[1], "count") : 10;
    const int skip = Has(req, 2) ? GetIntArg<int>(req.params[2], "skip") : 0;
    if (count < 0) throw JSONRPCError(RPC_INVALID_PARAMETER, "Negative count");
    if (skip < 0) throw JSONRPCError(RPC_INVALID_PARAMETER, "Negative from");
    std::vector<std::pair<int64_t, json>> all;
    for (const auto& [txid, wtx] : w->Transactions()) {
        json common;
        TxPartsCommon(*w, wtx, common);
        for (json d : TxDetails(*w, wtx)) {
            for (auto it = common.begin(); it != common.end(); ++it) d[it.key()] = it.value();
            all.emplace_back(wtx.time, d);
        }
    }
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // The most recent `count` after skipping `skip` from the end, oldest first (as Bitcoin Core).
    json out = json::array();
    const int n = static_cast<int>(all.size());
    const int end = std::max(0, n - skip);
    const int begin = std::max(0, end - count);
    for (int i = begin; i < end; ++i) out.push_back(all[i].second);
    return out;
}

json gettransaction(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const uint256 txid = ParseHashV(req.params[0], "txid");
    auto wtx = w->GetTx(txid);
    if (!wtx) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
    const CAmount credit = w->GetCredit(*wtx->tx);
    const CAmount debit = w->GetDebit(*wtx->tx);
    const CAmount fee = wtx->from_me ? wtx->fee : 0;
    json o;
    o["amount"] = ValueFromAmount(credit - debit + fee);
    if (wtx->from_me) o["fee"] = ValueFromAmount(-fee);
    TxPartsCommon(*w, *wtx, o);
    json details = json::array();
    for (const auto& d : TxDetails(*w, *wtx)) details.push_back(d);
    o["details"] = details;
    o["hex"] = HexStr(SerializeToBytes(*wtx->tx));
    if (wtx->abandoned) o["abandoned"] = true;
    return o;
}

json rescanblockchain(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const int tip = w->TipHeight();
    const int start = Has(req, 0) ? GetIntArg<int>(req.params[0], "start_height") : 0;
    const int stop = Has(req, 1) ? GetIntArg<int>(req.params[1], "stop_height") : tip;
    if (start < 0 || start > tip) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid start_height");
    if (stop < 0 || stop > tip) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid stop_height");
    if (stop < start) throw JSONRPCError(RPC_INVALID_PARAMETER, "stop_height must be greater than start_height");
    auto [a, b] = w->Rescan(start, stop);
    return json{{"start_height", a}, {"stop_height", b}};
}

json abandontransaction(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    w->AbandonTransaction(ParseHashV(req.params[0], "txid"));
    return nullptr;
}

// ------------------------------------------------------------------ sending

json SendCommon(CWallet& w, const std::vector<Recipient>& recipients, const json& fee_rate, bool verbose)
{
    const CAmount rate = fee_rate.is_null() ? -1 : ParseFeeRate(fee_rate);
    CreatedTx created = w.CreateTransaction(recipients, rate);
    w.CommitTransaction(created.tx, created.fee);
    const std::string txid = created.tx->GetTxid().GetHex();
    if (verbose) return json{{"txid", txid}, {"fee_reason", fee_rate.is_null() ? "Fallback fee" : "Explicit fee rate"}};
    return txid;
}

json sendtoaddress(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    Recipient r;
    r.script = ParseAddress(*w, req.params[0]);
    r.amount = AmountFromValue(req.params[1]);
    if (r.amount <= 0) throw JSONRPCError(RPC_TYPE_ERROR, "Invalid amount for send");
    if (Has(req, 4)) r.subtract_fee = req.params[4].get<bool>();
    if (Has(req, 6) || Has(req, 7)) {
        if (Has(req, 9)) throw JSONRPCError(RPC_INVALID_PARAMETER, "Cannot specify both conf_target and fee_rate. Please provide either a confirmation target in blocks for automatic fee estimation, or an explicit fee rate.");
    }
    const json fee_rate = Has(req, 9) ? req.params[9] : json();
    const bool verbose = Has(req, 10) && req.params[10].get<bool>();
    return SendCommon(*w, {r}, fee_rate, verbose);
}

json sendmany(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    if (Has(req, 0) && req.params[0].get<std::string>() != "") throw JSONRPCError(RPC_INVALID_PARAMETER, "Dummy value must be set to \"\"");
    const json& amounts = req.params[1];
    if (!amounts.is_object() || amounts.empty()) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, amounts must be a non-empty object");
    std::set<std::string> subtract;
    if (Has(req, 4)) for (const auto& a : req.params[4]) subtract.insert(a.get<std::string>());
    std::vector<Recipient> recipients;
    std::set<ScriptBytes> seen;
    for (auto it = amounts.begin(); it != amounts.end(); ++it) {
        Recipient r;
        r.script = ParseAddress(*w, json(it.key()));
        if (!seen.insert(r.script).second) throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated address: " + it.key());
        r.amount = AmountFromValue(it.value());
        if (r.amount <= 0) throw JSONRPCError(RPC_TYPE_ERROR, "Invalid amount for send");
        r.subtract_fee = subtract.count(it.key()) > 0;
        recipients.push_back(r);
    }
    const json fee_rate = Has(req, 8) ? req.params[8] : json();
    const bool verbose = Has(req, 9) && req.params[9].get<bool>();
    return SendCommon(*w, recipients, fee_rate, verbose);
}

/** The "hexstring" parameter as a transaction: RPC_DESERIALIZATION_ERROR "TX decode failed"
 *  when it is hex but not exactly one serialized transaction. */
CMutableTransaction TxFromHexParam(const json& param)
{
    auto mtx = DecodeRawTransaction(ParseHexV(param, "hexstring"));
    if (!mtx) throw JSONRPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed");
    return *mtx;
}

json fundrawtransaction(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    CMutableTransaction mtx = TxFromHexParam(req.params[0]);
    CAmount rate = -1;
    int change_pos = -1; // random
    if (Has(req, 1)) {
        if (!req.params[1].is_object()) throw JSONRPCError(RPC_TYPE_ERROR, "options must be an object");
        if (req.params[1].contains("fee_rate")) rate = ParseFeeRate(req.params[1]["fee_rate"]);
        if (req.params[1].contains("changePosition")) {
            const json& pos = req.params[1]["changePosition"];
            if (!pos.is_number_integer()) throw JSONRPCError(RPC_TYPE_ERROR, "changePosition must be an integer");
            const int64_t wanted = pos.get<int64_t>();
            if (wanted < -1 || wanted > 1'000'000) throw JSONRPCError(RPC_INVALID_PARAMETER, "changePosition out of bounds");
            change_pos = static_cast<int>(wanted);
        }
    }
    const CAmount fee = w->FundTransaction(mtx, rate, change_pos);
    return json{{"hex", HexStr(SerializeToBytes(mtx))}, {"fee", ValueFromAmount(fee)}, {"changepos", change_pos}};
}

json signrawtransactionwithwallet(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    CMutableTransaction mtx = TxFromHexParam(req.params[0]);
    std::vector<CTxOut> spent;
    json errors = json::array();
    bool missing = false;
    for (const auto& in : mtx.vin) {
        auto o = w->FindSpentOutput(in.prevout);
        if (!o) {
            missing = true;
            errors.push_back(json{{"txid", in.prevout.hash.GetHex()}, {"vout", in.prevout.n}, {"error", "Input not found or already spent"}});
            spent.push_back(CTxOut{});
        } else {
            spent.push_back(*o);
        }
    }
    bool complete = false;
    if (!missing) {
        std::vector<std::string> errs;
        complete = w->SignTransaction(mtx, spent, errs);
        for (const auto& e : errs) errors.push_back(json{{"error", e}});
    }
    json out{{"hex", HexStr(SerializeToBytes(mtx))}, {"complete", complete}};
    if (!errors.empty()) out["errors"] = errors;
    return out;
}

// ------------------------------------------------------------------ descriptors

json listdescriptors(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const bool priv = Has(req, 0) && req.params[0].get<bool>();
    json arr = json::array();
    for (const auto& [s, r] : w->ListDescriptors(priv)) {
        json d{{"desc", s}, {"timestamp", r.timestamp}, {"active", r.active}};
        auto parsed = Descriptor::Parse(s, nullptr);
        if (parsed && parsed->IsRange()) {
            d["internal"] = r.internal;
            d["range"] = json::array({0, r.range_end == 0 ? 0 : r.range_end - 1});
            d["next"] = r.next_index;
            d["next_index"] = r.next_index;
        }
        arr.push_back(d);
    }
    return json{{"wallet_name", w->Name()}, {"descriptors", arr}};
}

json importdescriptors(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const json& requests = req.params[0];
    if (!requests.is_array()) throw JSONRPCError(RPC_TYPE_ERROR, "requests must be an array");
    json results = json::array();
    for (const auto& r : requests) {
        json res;
        try {
            if (!r.is_object()) throw JSONRPCError(RPC_TYPE_ERROR, "request must be an object");
            if (!r.contains("desc") || !r["desc"].is_string()) throw JSONRPCError(RPC_INVALID_PARAMETER, "Descriptor not found.");
            if (!r.contains("timestamp")) throw JSONRPCError(RPC_TYPE_ERROR, "Missing required timestamp field for key");
            int64_t ts;
            if (r["timestamp"].is_string() && r["timestamp"].get<std::string>() == "now") {
                ts = std::numeric_limits<int64_t>::max();
            } else if (r["timestamp"].is_number()) {
                ts = GetIntArg<int64_t>(r["timestamp"], "timestamp");
            } else {
                throw JSONRPCError(RPC_TYPE_ERROR, "Expected number or \"now\" timestamp value for key. got type " + std::string(r["timestamp"].type_name()));
            }
            const bool active = r.value("active", false);
            const bool internal = r.value("internal", false);
            std::optional<std::pair<uint32_t, uint32_t>> range;
            if (r.contains("range")) range = ParseDescriptorRange(r["range"]);
            std::optional<uint32_t> next;
            if (r.contains("next_index")) next = GetIntArg<uint32_t>(r["next_index"], "next_index");
            auto warnings = w->ImportDescriptor(r["desc"].get<std::string>(), ts, active, internal, range, next);
            res["success"] = true;
            if (!warnings.empty()) res["warnings"] = warnings;
        } catch (const WalletError& e) {
            res["success"] = false;
            res["error"] = JSONRPCErrorObject(e.code, e.what());
        } catch (const JSONRPCError& e) {
            res["success"] = false;
            res["error"] = JSONRPCErrorObject(e.Code(), e.what());
        }
        results.push_back(res);
    }
    return results;
}

// ------------------------------------------------------------------ encryption and backup

json encryptwallet(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const std::string pass = req.params[0].get<std::string>();
    if (pass.empty()) throw JSONRPCError(RPC_INVALID_PARAMETER, "passphrase cannot be empty");
    w->EncryptWallet(pass);
    return "wallet encrypted; The keypool has been flushed and a new HD seed was generated (if you are using HD). You need to make a new backup.";
}

json walletpassphrase(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const std::string pass = req.params[0].get<std::string>();
    const int64_t timeout = GetIntArg<int64_t>(req.params[1], "timeout");
    if (timeout < 0) throw JSONRPCError(RPC_INVALID_PARAMETER, "Timeout cannot be negative.");
    if (pass.empty()) throw JSONRPCError(RPC_INVALID_PARAMETER, "passphrase cannot be empty");
    w->Unlock(pass, timeout);
    return nullptr;
}

json walletlock(const JSONRPCRequest& req)
{
    GetWalletForRequest(req)->Lock();
    return nullptr;
}

json walletpassphrasechange(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    const std::string oldp = req.params[0].get<std::string>();
    const std::string newp = req.params[1].get<std::string>();
    if (oldp.empty() || newp.empty()) throw JSONRPCError(RPC_INVALID_PARAMETER, "passphrase cannot be empty");
    w->ChangePassphrase(oldp, newp);
    return nullptr;
}

json backupwallet(const JSONRPCRequest& req)
{
    auto w = GetWalletForRequest(req);
    std::string err;
    if (!w->Database().Backup(req.params[0].get<std::string>(), &err)) throw JSONRPCError(RPC_WALLET_ERROR, "Error: Wallet backup failed! " + err);
    return nullptr;
}

} // namespace

std::shared_ptr<CWallet> WalletForRequest(const JSONRPCRequest& req) { return GetWalletForRequest(req); }

interfaces::Chain& WalletChain(const JSONRPCRequest& req)
{
    interfaces::Chain* chain = EnsureWalletManager(req).Chain();
    if (!chain) throw JSONRPCError(RPC_WALLET_ERROR, "The wallet service is not attached to a node");
    return *chain;
}

CAmount ParseWalletFeeRate(const nlohmann::json& v) { return ParseFeeRate(v); }

RPCHandler WrapWalletHandler(std::function<nlohmann::json(const JSONRPCRequest&)> fn) { return Wrap(std::move(fn)); }

namespace {
void Add(CRPCTable& t, const std::string& name, std::function<json(const JSONRPCRequest&)> fn, const std::string& desc,
         std::vector<RPCArg> args, const std::string& result = "")
{
    t.AppendCommand({"wallet", name, Wrap(std::move(fn)), RPCHelp{name, desc, std::move(args), result, HelpExampleCli(name, "")}});
}
} // namespace

void RegisterWalletRPCCommands(CRPCTable& t)
{
    Add(t, "createwallet", createwallet, "Creates and loads a new descriptor wallet (taproot, BIP 86 paths).",
        {{"wallet_name", Type::STR, REQ, "The name for the new wallet"},
         {"disable_private_keys", Type::BOOL, OPT, "Disable the possibility of private keys (watch-only)", "false"},
         {"blank", Type::BOOL, OPT, "Create a blank wallet without keys or descriptors", "false"},
         {"passphrase", Type::STR, OPT, "Encrypt the wallet with this passphrase"},
         {"avoid_reuse", Type::BOOL, OPT, "Ignored", "false"},
         {"descriptors", Type::BOOL, OPT, "Must be true (descriptor wallets only)", "true"},
         {"load_on_startup", Type::BOOL, OPT, "Ignored"}},
        "{\"name\": str, \"warnings\": [str]}");
    Add(t, "loadwallet", loadwallet, "Loads a wallet from a wallet file in the wallets directory.",
        {{"filename", Type::STR, REQ, "The wallet name"}, {"load_on_startup", Type::BOOL, OPT, "Ignored"}});
    Add(t, "unloadwallet", unloadwallet, "Unloads the wallet of the endpoint or the named wallet.",
        {{"wallet_name", Type::STR, OPT, "The wallet to unload"}, {"load_on_startup", Type::BOOL, OPT, "Ignored"}});
    Add(t, "listwallets", listwallets, "Names of the loaded wallets.", {});
    Add(t, "listwalletdir", listwalletdir, "Wallets found in the wallets directory.", {});
    Add(t, "getwalletinfo", getwalletinfo, "Wallet state.", {});
    Add(t, "getnewaddress", getnewaddress, "A new bech32m (taproot) receive address.",
        {{"label", Type::STR, OPT, "Ignored (labels are not stored yet)"}, {"address_type", Type::STR, OPT, "Only \"bech32m\"", "bech32m"}});
    Add(t, "getrawchangeaddress", getrawchangeaddress, "A new bech32m change address.",
        {{"address_type", Type::STR, OPT, "Only \"bech32m\"", "bech32m"}});
    Add(t, "getaddressinfo", getaddressinfo, "What the wallet knows about an address.",
        {{"address", Type::STR, REQ, "The address"}});
    Add(t, "getbalance", getbalance, "Trusted balance with at least minconf confirmations (0 counts own unconfirmed change).",
        {{"dummy", Type::STR, OPT, "Must be \"*\" if given"}, {"minconf", Type::NUM, OPT, "Minimum confirmations", "0"},
         {"include_watchonly", Type::BOOL, OPT, "Ignored"}, {"avoid_reuse", Type::BOOL, OPT, "Ignored"}});
    Add(t, "getbalances", getbalances, "Balances: trusted, untrusted_pending, immature.", {});
    Add(t, "listunspent", listunspent, "Unspent wallet outputs. A model's ownership output (doc/oda-protocol.md section 2.5) is listed with\n"
        "\"ownership\": \"<modelid>\" and \"spendable\": false: the wallet never spends it as a coin.",
        {{"minconf", Type::NUM, OPT, "Minimum confirmations", "1"}, {"maxconf", Type::NUM, OPT, "Maximum confirmations", "9999999"},
         {"addresses", Type::ARR, OPT, "Only these addresses"}, {"include_unsafe", Type::BOOL, OPT, "Include untrusted unconfirmed outputs", "true"},
         {"query_options", Type::OBJ, OPT, "Ignored"}});
    Add(t, "listtransactions", listtransactions, "Recent wallet transactions (oldest first).",
        {{"label", Type::STR, OPT, "Must be \"*\""}, {"count", Type::NUM, OPT, "How many", "10"}, {"skip", Type::NUM, OPT, "How many to skip", "0"},
         {"include_watchonly", Type::BOOL, OPT, "Ignored"}});
    Add(t, "gettransaction", gettransaction, "Details of a wallet transaction.",
        {{"txid", Type::STR, REQ, "The transaction id"}, {"include_watchonly", Type::BOOL, OPT, "Ignored"}, {"verbose", Type::BOOL, OPT, "Ignored"}});
    Add(t, "rescanblockchain", rescanblockchain, "Rescans the active chain for wallet transactions.",
        {{"start_height", Type::NUM, OPT, "First height", "0"}, {"stop_height", Type::NUM, OPT, "Last height", "tip"}});
    Add(t, "abandontransaction", abandontransaction, "Marks an unconfirmed transaction that is not in the mempool as abandoned.",
        {{"txid", Type::STR, REQ, "The transaction id"}});
    Add(t, "sendtoaddress", sendtoaddress, "Sends an amount to an address; returns the txid.",
        {{"address", Type::STR, REQ, "Destination"}, {"amount", Type::AMOUNT, REQ, "Amount in coins"},
         {"comment", Type::STR, OPT, "Ignored"}, {"comment_to", Type::STR, OPT, "Ignored"},
         {"subtractfeefromamount", Type::BOOL, OPT, "The fee is deducted from the amount", "false"},
         {"replaceable", Type::BOOL, OPT, "Ignored (always signals BIP 125)"}, {"conf_target", Type::NUM, OPT, "Ignored"},
         {"estimate_mode", Type::STR, OPT, "Ignored"}, {"avoid_reuse", Type::BOOL, OPT, "Ignored"},
         {"fee_rate", Type::AMOUNT, OPT, "Fee rate in units/vB"}, {"verbose", Type::BOOL, OPT, "Return an object", "false"}});
    Add(t, "sendmany", sendmany, "Sends to several addresses in one transaction; returns the txid.",
        {{"dummy", Type::STR, OPT, "Must be \"\""}, {"amounts", Type::OBJ, REQ, "{address: amount}"},
         {"minconf", Type::NUM, OPT, "Ignored"}, {"comment", Type::STR, OPT, "Ignored"},
         {"subtractfeefrom", Type::ARR, OPT, "Addresses that pay the fee"}, {"replaceable", Type::BOOL, OPT, "Ignored"},
         {"conf_target", Type::NUM, OPT, "Ignored"}, {"estimate_mode", Type::STR, OPT, "Ignored"},
         {"fee_rate", Type::AMOUNT, OPT, "Fee rate in units/vB"}, {"verbose", Type::BOOL, OPT, "Return an object", "false"}});
    Add(t, "fundrawtransaction", fundrawtransaction, "Adds wallet inputs and change to a raw transaction without inputs.",
        {{"hexstring", Type::STR_HEX, REQ, "The raw transaction"}, {"options", Type::OBJ, OPT, "{\"fee_rate\": units/vB, \"changePosition\": n (where the change output goes; default random)}"}});
    Add(t, "signrawtransactionwithwallet", signrawtransactionwithwallet, "Signs the inputs that spend wallet outputs.",
        {{"hexstring", Type::STR_HEX, REQ, "The raw transaction"}, {"prevtxs", Type::ARR, OPT, "Ignored"}, {"sighashtype", Type::STR, OPT, "Only DEFAULT"}});
    Add(t, "listdescriptors", listdescriptors, "The wallet's descriptors.",
        {{"private", Type::BOOL, OPT, "Show private descriptors", "false"}});
    Add(t, "importdescriptors", importdescriptors, "Imports tr() descriptors (and rescans from their timestamp).",
        {{"requests", Type::ARR, REQ, "[{desc, timestamp, active, internal, range, next_index}]"}});
    Add(t, "encryptwallet", encryptwallet, "Encrypts the wallet's private keys with a passphrase.",
        {{"passphrase", Type::STR, REQ, "The passphrase"}});
    Add(t, "walletpassphrase", walletpassphrase, "Unlocks the wallet for timeout seconds.",
        {{"passphrase", Type::STR, REQ, "The passphrase"}, {"timeout", Type::NUM, REQ, "Seconds"}});
    Add(t, "walletlock", walletlock, "Locks the wallet.", {});
    Add(t, "walletpassphrasechange", walletpassphrasechange, "Changes the passphrase.",
        {{"oldpassphrase", Type::STR, REQ, "Current passphrase"}, {"newpassphrase", Type::STR, REQ, "New passphrase"}});
    Add(t, "backupwallet", backupwallet, "Copies the wallet file (SQLite online backup) to destination.",
        {{"destination", Type::STR, REQ, "The destination file"}});
    RegisterWalletOdaRPCCommands(t);
}
