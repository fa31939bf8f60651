#include <rpc/client.h>

#include <rpc/protocol.h>

#include <set>
#include <stdexcept>
#include <utility>

namespace {
struct ConvertParam {
    const char* method;
    int index;       //!< 0-based position
    const char* name; //!< name for -named
};

// Parameters oda-cli sends as JSON. Families: append your entries (keep them grouped).
const ConvertParam CONVERT_PARAMS[] = {
    // control
    {"logging", 0, "include"},
    {"logging", 1, "exclude"},
    {"setmocktime", 0, "timestamp"},
    {"setban", 2, "bantime"},
    {"setban", 3, "absolute"},
    {"disconnectnode", 1, "nodeid"},
    {"echojson", 0, "arg0"},
    {"echojson", 1, "arg1"},
    {"echojson", 2, "arg2"},
    {"echojson", 3, "arg3"},
    {"echojson", 4, "arg4"},
    {"echojson", 5, "arg5"},
    {"echojson", 6, "arg6"},
    {"echojson", 7, "arg7"},
    {"echojson", 8, "arg8"},
    {"echojson", 9, "arg9"},
    // blockchain (Bitcoin Core's names; harmless until the commands exist)
    {"getblockhash", 0, "height"},
    {"getblock", 1, "verbosity"},
    {"getblock", 1, "verbose"},
    {"getblockheader", 1, "verbose"},
    {"gettxout", 1, "n"},
    {"gettxout", 2, "include_mempool"},
    {"getblockstats", 0, "hash_or_height"},
    {"getblockstats", 1, "stats"},
    {"getchaintxstats", 0, "nblocks"},
    {"waitforblockheight", 0, "height"},
    {"waitforblockheight", 1, "timeout"},
    {"waitfornewblock", 0, "timeout"},
    {"pruneblockchain", 0, "height"},
    {"scantxoutset", 1, "scanobjects"},
    // mempool / mining / raw transactions
    {"getrawmempool", 0, "verbose"},
    {"getrawmempool", 1, "mempool_sequence"},
    {"getmempoolancestors", 1, "verbose"},
    {"getmempooldescendants", 1, "verbose"},
    {"generatetoaddress", 0, "nblocks"},
    {"generatetoaddress", 2, "maxtries"},
    {"generatetodescriptor", 0, "num_blocks"},
    {"generatetodescriptor", 2, "maxtries"},
    {"generateblock", 1, "transactions"},
    {"generateblock", 2, "submit"},
    {"getblocktemplate", 0, "template_request"},
    {"prioritisetransaction", 1, "dummy"},
    {"prioritisetransaction", 2, "fee_delta"},
    {"getrawtransaction", 1, "verbose"},
    {"getrawtransaction", 1, "verbosity"},
    {"createrawtransaction", 0, "inputs"},
    {"createrawtransaction", 1, "outputs"},
    {"createrawtransaction", 2, "locktime"},
    {"sendrawtransaction", 1, "maxfeerate"},
    {"testmempoolaccept", 0, "rawtxs"},
    {"testmempoolaccept", 1, "maxfeerate"},
    {"decoderawtransaction", 1, "iswitness"},
    {"estimatesmartfee", 0, "conf_target"},
    // network
    {"setban", 2, "bantime"},
    {"setban", 3, "absolute"},
    {"setnetworkactive", 0, "state"},
    {"disconnectnode", 1, "nodeid"},
    {"addnode", 2, "v2transport"},
    // model files
    {"importmodelfile", 2, "size"},
    // wallet
    {"getbalance", 1, "minconf"},
    {"getbalance", 2, "include_watchonly"},
    {"sendtoaddress", 1, "amount"},
    {"sendtoaddress", 4, "subtractfeefromamount"},
    {"sendmany", 1, "amounts"},
    {"sendmany", 2, "minconf"},
    {"listunspent", 0, "minconf"},
    {"listunspent", 1, "maxconf"},
    {"listunspent", 2, "addresses"},
    {"listtransactions", 1, "count"},
    {"listtransactions", 2, "skip"},
    {"createwallet", 1, "disable_private_keys"},
    {"createwallet", 2, "blank"},
    {"settxfee", 0, "amount"},
    {"sendtoaddress", 5, "replaceable"},
    {"sendtoaddress", 6, "conf_target"},
    {"sendtoaddress", 8, "avoid_reuse"},
    {"sendtoaddress", 9, "fee_rate"},
    {"sendtoaddress", 10, "verbose"},
    {"sendmany", 4, "subtractfeefrom"},
    {"sendmany", 5, "replaceable"},
    {"sendmany", 6, "conf_target"},
    {"sendmany", 8, "fee_rate"},
    {"sendmany", 9, "verbose"},
    {"listunspent", 3, "include_unsafe"},
    {"listunspent", 4, "query_options"},
    {"listtransactions", 3, "include_watchonly"},
    {"gettransaction", 1, "include_watchonly"},
    {"gettransaction", 2, "verbose"},
    {"createwallet", 4, "avoid_reuse"},
    {"createwallet", 5, "descriptors"},
    {"createwallet", 6, "load_on_startup"},
    {"loadwallet", 1, "load_on_startup"},
    {"unloadwallet", 1, "load_on_startup"},
    {"getbalance", 3, "avoid_reuse"},
    {"rescanblockchain", 0, "start_height"},
    {"rescanblockchain", 1, "stop_height"},
    {"walletpassphrase", 1, "timeout"},
    {"listdescriptors", 0, "private"},
    {"importdescriptors", 0, "requests"},
    {"fundrawtransaction", 1, "options"},
    {"signrawtransactionwithwallet", 1, "prevtxs"},
    // ODA wallet and model commands (architecture and input stay strings: JSON text or a path)
    {"addmodel", 3, "options"},
    {"sendinference", 2, "options"},
    {"updateweights", 2, "options"},
};

bool IsConvertedByIndex(const std::string& method, int index)
{
    for (const ConvertParam& p : CONVERT_PARAMS) {
        if (method == p.method && index == p.index) return true;
    }
    return false;
}

bool IsConvertedByName(const std::string& method, const std::string& name)
{
    for (const ConvertParam& p : CONVERT_PARAMS) {
        if (method == p.method && name == p.name) return true;
    }
    return false;
}
} // namespace

nlohmann::json ParseNonRFCJSONValue(const std::string& text)
{
    nlohmann::json value;
    if (!ParseJSON(text, value)) throw std::runtime_error("Error parsing JSON: " + text);
    return value;
}

nlohmann::json RPCConvertValues(const std::string& method, const std::vector<std::string>& args)
{
    nlohmann::json params = nlohmann::json::array();
    for (size_t i = 0; i < args.size(); ++i) {
        if (IsConvertedByIndex(method, static_cast<int>(i))) {
            params.push_back(ParseNonRFCJSONValue(args[i]));
        } else {
            params.push_back(args[i]);
        }
    }
    return params;
}

nlohmann::json RPCConvertNamedValues(const std::string& method, const std::vector<std::string>& args)
{
    nlohmann::json params = nlohmann::json::object();
    for (const std::string& arg : args) {
        size_t eq = arg.find('=');
        if (eq == std::string::npos) {
            throw std::runtime_error("No '=' in named argument '" + arg +
                                     "', this needs to be present for every argument (even if it is empty)");
        }
        std::string name = arg.substr(0, eq);
        std::string value = arg.substr(eq + 1);
        if (params.contains(name)) throw std::runtime_error("Parameter " + name + " specified multiple times");
        params[name] = IsConvertedByName(method, name) ? ParseNonRFCJSONValue(value) : nlohmann::json(value);
    }
    return params;
}
