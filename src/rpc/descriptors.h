// Descriptor utility RPCs (getdescriptorinfo, deriveaddresses) and the range argument they
// share with importdescriptors. Compiled into libodawallet.a with the wallet RPCs: descriptors
// are wallet-layer code, but these commands need no loaded wallet (they also work with
// -disablewallet).
#ifndef ODA_RPC_DESCRIPTORS_H
#define ODA_RPC_DESCRIPTORS_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <utility>

class CRPCTable;

/** Largest range end accepted (as Bitcoin Core: below 1e7). */
constexpr int64_t MAX_DESCRIPTOR_RANGE_END = 10'000'000;

/** A descriptor range given as `end` or `[begin, end]` (both inclusive). Throws a JSONRPCError
 *  (RPC_INVALID_PARAMETER) for any other shape, negative bounds, begin > end or end >= 1e7. */
std::pair<uint32_t, uint32_t> ParseDescriptorRange(const nlohmann::json& value);

void RegisterDescriptorRPCCommands(CRPCTable& table);

#endif // ODA_RPC_DESCRIPTORS_H
