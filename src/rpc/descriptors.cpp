// getdescriptorinfo and deriveaddresses, shaped as Bitcoin Core's, for the tr() descriptors an
// ODA wallet understands (wallet/descriptor.h).
#include <rpc/descriptors.h>

#include <rpc/mempool.h>
#include <rpc/protocol.h>
#include <rpc/register.h>
#include <rpc/server.h>
#include <rpc/util.h>

#include <consensus/chainparams.h>
#include <script/address.h>
#include <wallet/descriptor.h>

#include <string>

using nlohmann::json;

namespace {
//! deriveaddresses answers at most this many addresses per call (bounds the work of one request).
constexpr int64_t MAX_DERIVE_ADDRESSES = 10'000;

Descriptor ParseOrThrow(const std::string& text, bool require_checksum)
{
    std::string error;
    auto desc = Descriptor::Parse(text, &error, require_checksum);
    if (!desc) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, error);
    return *desc;
}

json getdescriptorinfo(const JSONRPCRequest& request)
{
    const std::string text = request.params[0].get<std::string>();
    const Descriptor desc = ParseOrThrow(text, /*require_checksum=*/false);
    json o;
    o["descriptor"] = desc.ToString(false);
    o["checksum"] = DescriptorChecksum(text.substr(0, text.find('#')));
    o["isrange"] = desc.IsRange();
    o["issolvable"] = true;
    o["hasprivatekeys"] = desc.HasPrivateKeys();
    return o;
}

json deriveaddresses(const JSONRPCRequest& request)
{
    const Descriptor desc = ParseOrThrow(request.params[0].get<std::string>(), /*require_checksum=*/true);
    const bool range_given = request.params.size() > 1 && !request.params[1].is_null();
    if (desc.IsRange() && !range_given) throw JSONRPCError(RPC_INVALID_PARAMETER, "Range must be specified for a ranged descriptor");
    if (!desc.IsRange() && range_given) throw JSONRPCError(RPC_INVALID_PARAMETER, "Range should not be specified for an un-ranged descriptor");
    std::pair<uint32_t, uint32_t> range{0, 0};
    if (range_given) range = ParseDescriptorRange(request.params[1]);
    if (int64_t{range.second} - range.first >= MAX_DERIVE_ADDRESSES) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "Range is too large: at most " + std::to_string(MAX_DERIVE_ADDRESSES) + " addresses per call");
    }
    const std::string& hrp = EnsureChainParams(request).Bech32HRP();
    json out = json::array();
    for (uint64_t pos = range.first; pos <= range.second; ++pos) {
        const auto script = desc.ScriptAt(static_cast<uint32_t>(pos));
        if (!script) throw JSONRPCError(RPC_INVALID_ADDRESS_OR_KEY, "Cannot derive script at position " + std::to_string(pos));
        out.push_back(EncodeDestination(*script, hrp));
    }
    return out;
}
} // namespace

std::pair<uint32_t, uint32_t> ParseDescriptorRange(const json& value)
{
    int64_t begin = 0, end = 0;
    if (value.is_number()) {
        end = GetIntArg<int64_t>(value, "range");
    } else if (value.is_array() && value.size() == 2 && value[0].is_number() && value[1].is_number()) {
        begin = GetIntArg<int64_t>(value[0], "range");
        end = GetIntArg<int64_t>(value[1], "range");
    } else {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "Range must be specified as end or as [begin,end]");
    }
    if (begin < 0 || end < 0 || begin > end || end >= MAX_DESCRIPTOR_RANGE_END) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "Range specified as [begin,end] must not have begin after end, and end must be below 1e7");
    }
    return {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
}

void RegisterDescriptorRPCCommands(CRPCTable& t)
{
    using Type = RPCArg::Type;
    t.AppendCommand({"util", "getdescriptorinfo", getdescriptorinfo,
                     RPCHelp{"getdescriptorinfo",
                             "Analyses a tr() descriptor: its public form with checksum, the checksum of the input, and its kind.",
                             {{"descriptor", Type::STR, RPCArg::REQUIRED, "The descriptor (checksum optional)"}},
                             "{\"descriptor\": str, \"checksum\": str, \"isrange\": bool, \"issolvable\": bool, \"hasprivatekeys\": bool}",
                             HelpExampleCli("getdescriptorinfo", "\"tr(tpub.../0/*)\"")}});
    t.AppendCommand({"util", "deriveaddresses", deriveaddresses,
                     RPCHelp{"deriveaddresses",
                             "Addresses of a tr() descriptor (with checksum) at the positions of a range (inclusive; at most 10,000).",
                             {{"descriptor", Type::STR, RPCArg::REQUIRED, "The descriptor, with its checksum"},
                              {"range", Type::ANY, RPCArg::OPTIONAL, "end or [begin,end] for a ranged descriptor"}},
                             "[\"address\", ...]",
                             HelpExampleCli("deriveaddresses", "\"tr(tpub.../0/*)#checksum\" \"[0,2]\"")}});
}
