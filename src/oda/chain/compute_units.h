// Compute units of ODA transactions (doc/oda-protocol.md section 4), from the architecture
// alone: one run of the model on the inputs the transaction asks the network to run,
// oda/model/architecture.h ScoringCost = per-sample cost x samples + the weights' load
// (per-sample cost: multiply-accumulates, window reads, activation elements, layers):
//   add-model       ScoringCost(architecture, dataset samples)   (scoring the initial weights)
//   update-weights  ScoringCost(model's architecture, model's dataset samples)
//   infer           ScoringCost(model's architecture, 1)
//   other kinds     0
// The arithmetic is exact in integers; a product that does not fit in int64 saturates at
// INT64_MAX, which every limit rejects. Deterministic: no floating point, no state besides
// the registry view passed in.
#ifndef ODA_ODA_CHAIN_COMPUTE_UNITS_H
#define ODA_ODA_CHAIN_COMPUTE_UNITS_H

#include <oda/chain/payload.h>
#include <oda/chain/registry.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace oda::chain {

/** Cost of one inference (ScoringCost(info, 1)) of an architecture given in its encoded form
 *  (a registry record's `architecture` bytes); nullopt with `error` if the bytes do not
 *  decode or analyze. */
std::optional<uint64_t> InferenceCost(const std::vector<uint8_t>& encoded_architecture, std::string& error);

/** Compute units of one run on `samples` inputs (oda/model/architecture.h ScoringCost) as
 *  an i64, saturating at INT64_MAX: the one conversion every caller uses. */
int64_t RunComputeUnits(const model::ArchitectureInfo& info, uint64_t samples);
/** The same from a registry record's encoded architecture; nullopt with `error` if the bytes
 *  do not decode or analyze. */
std::optional<int64_t> RunComputeUnits(const std::vector<uint8_t>& encoded_architecture, uint64_t samples,
                                       std::string& error);

/** a x b saturating at INT64_MAX (both >= 0). */
int64_t SaturatingComputeProduct(uint64_t a, uint64_t b);

/** Compute units of one payload on top of `registry` (the state the transaction sees: for a
 *  block, the registry after the transactions before it). nullopt with `error` when an
 *  infer or update-weights names a model the registry does not have, or an architecture is
 *  invalid (the registry rules reject those transactions with their own reasons). */
std::optional<int64_t> PayloadComputeUnits(const Payload& payload, const RegistryView& registry, std::string& error);

/** Sum over a transaction's payloads (0 or 1 user payloads), saturating. */
std::optional<int64_t> TransactionComputeUnits(const std::vector<Payload>& payloads, const RegistryView& registry,
                                               std::string& error);

} // namespace oda::chain

#endif // ODA_ODA_CHAIN_COMPUTE_UNITS_H
