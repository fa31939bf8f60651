// Context-free consensus rules of ODA outputs (doc/oda-protocol.md section 2).
//
// A transaction's ODA output is an output whose script starts with OP_RETURN and whose first
// operation pushes "ODA1" (script/standard.h HasOdaTag). Failures, all TX_CONSENSUS:
//   "bad-oda-multiple"  more than one such output
//   "bad-oda-payload"   the output is not exactly OP_RETURN <push "ODA1"> <minimal push>
//                       ("non-minimal or malformed ODA output"), the payload does not decode
//                       (DecodeOdaPayload's message), a user payload is over
//                       params.max_oda_payload_bytes, a commitment's file is over
//                       max_weights_file_bytes / max_dataset_file_bytes, a coinbase payload
//                       is a user kind or a user transaction's payload is a coinbase kind
//                       (result, storage proof), or a storage proof holds more than
//                       params.storage_proofs_per_block proofs
// The debug message says which rule failed. Coinbase transactions may carry one result
// and one storage-proof output (two ODA outputs, of different kinds); see CheckOdaBlock.
#ifndef ODA_ODA_CHAIN_TX_CHECK_H
#define ODA_ODA_CHAIN_TX_CHECK_H

#include <consensus/params.h>
#include <consensus/validation.h>
#include <oda/chain/payload.h>
#include <primitives/block.h>
#include <primitives/transaction.h>

#include <optional>
#include <vector>

namespace oda::chain {

/** Indices of the outputs that carry the ODA tag (well-formed or not). */
std::vector<size_t> OdaOutputIndices(const CTransaction& tx);

/** The decoded payloads of tx's ODA outputs after the checks above; empty when it has none.
 *  On failure returns false with the state set. */
[[nodiscard]] bool CheckOdaTransaction(const CTransaction& tx, TxValidationState& state, const ConsensusParams& params,
                                       std::vector<Payload>* payloads = nullptr);

/** CheckOdaTransaction of every transaction; failures keep their reason with BLOCK_CONSENSUS
 *  and a debug message "tx <txid>: ...". */
[[nodiscard]] bool CheckOdaBlock(const CBlock& block, BlockValidationState& state, const ConsensusParams& params);

} // namespace oda::chain

#endif // ODA_ODA_CHAIN_TX_CHECK_H
