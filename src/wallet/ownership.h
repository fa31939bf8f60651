// Ownership outputs (doc/oda-protocol.md section 2.5): the first output that is not OP_RETURN
// of an add-model or ownership-transfer transaction is the model's ownership outpoint. Spending
// it moves or (outside a transfer) breaks the ownership ("bad-oda-ownership-spend"), so the
// wallet never treats such an output as an ordinary coin: coin selection skips it, the balance
// leaves it out and listunspent marks it (`"ownership": "<modelid>"`, not spendable).
//
// Decided from the transaction alone (no registry lookup): a transaction in a block whose
// add-model or transfer failed would have made the block invalid, so a confirmed output that
// matches the rule is the ownership output; an unconfirmed one will be if it confirms, and
// must not be spent meanwhile either. Deterministic and cheap (one payload decode).
#ifndef ODA_WALLET_OWNERSHIP_H
#define ODA_WALLET_OWNERSHIP_H

#include <primitives/transaction.h>
#include <uint256.h>

#include <cstdint>
#include <optional>

/** The model whose ownership output `tx`'s output `index` is, if it is one. */
std::optional<uint256> OwnershipOutputModel(const CTransaction& tx, uint32_t index);

/** Index of tx's ownership output and the model it owns (nullopt for other transactions). */
std::optional<std::pair<uint32_t, uint256>> OwnershipOutput(const CTransaction& tx);

#endif // ODA_WALLET_OWNERSHIP_H
