// The royalty an infer transaction owes (doc/oda-protocol.md section 7), in exact integers
// so that every node computes the same amounts.
//
// With R the model's royalty per inference, t its trainer share and w_i its parents'
// shares (basis points, t + sum w_i <= 10,000 by the payload rules):
//   trainer of the version used    floor(R*t / 10^4)   (version 0: the owner's script)
//   current owner of each parent   floor(R*w_i / 10^4)
//   the model's current owner      R - the above (never negative)
// Amounts owed to the same script are added (a trainer who is also the owner is owed one
// sum), and consensus checks, per distinct script, that the transaction's outputs to that
// script add up to at least what it is owed ("bad-oda-royalty"). Zero amounts are not owed.
#ifndef ODA_ODA_CHAIN_ROYALTY_H
#define ODA_ODA_CHAIN_ROYALTY_H

#include <oda/chain/registry.h>
#include <primitives/transaction.h>

#include <map>
#include <optional>
#include <string>

namespace oda::chain {

/** Amount owed per script, ordered by script bytes (deterministic). */
using RoyaltyOwed = std::map<ScriptBytes, CAmount>;

/** floor(royalty * share_bp / 10^4) without overflow (royalty <= MAX_ROYALTY). */
CAmount RoyaltyShare(int64_t royalty, uint16_t share_bp);

/** What one inference on `model` at `version` owes. The parents' owner scripts are read from
 *  `registry`; nullopt with `error` if a parent is missing (cannot happen on a consistent
 *  registry: a parent exists before its child and is only removed after it). */
std::optional<RoyaltyOwed> ComputeRoyaltyOwed(const ModelRecord& model, const ModelVersion& version,
                                              const RegistryView& registry, std::string& error);

/** Does `tx` pay every script at least what it is owed (summing its outputs per script)?
 *  On false, `debug` names the first script short and both amounts. */
bool PaysRoyalty(const CTransaction& tx, const RoyaltyOwed& owed, std::string& debug);

/** Total of the amounts owed. */
CAmount RoyaltyTotal(const RoyaltyOwed& owed);

} // namespace oda::chain

#endif // ODA_ODA_CHAIN_ROYALTY_H
