// Blocks, headers and transactions as the JSON objects Bitcoin Core's RPCs
// return (getblock, getblockheader, getrawtransaction, decoderawtransaction).
// Field names follow Bitcoin Core so that its tooling and our
// functional tests read them unchanged. Amounts are coins with 8 decimals.
#ifndef ODA_RPC_CORE_WRITE_H
#define ODA_RPC_CORE_WRITE_H

#include <oda/chain/payload.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <uint256.h>

#include <nlohmann/json.hpp>

#include <string>

namespace node {
class CBlockIndex;
}

/** Difficulty of a compact target, relative to Bitcoin's 0x1d00ffff (as Core reports it). */
double GetDifficulty(uint32_t bits);

/** {"asm", "hex", "address" (taproot only, for `hrp`), "type"} of an output script. */
nlohmann::json ScriptPubKeyToJSON(const ScriptBytes& script, const std::string& hrp);
/** {"pieces_root" (storage byte order), "file_size"}: how every RPC shows a file commitment. */
nlohmann::json CommitmentToJSON(const oda::chain::Commitment& c);
/** The fields of an ODA payload plus "kind" (its name); ScriptPubKeyToJSON adds it as "oda"
 *  to any output with the ODA tag, or {"error": why} when the payload does not decode. */
nlohmann::json OdaPayloadToJSON(const oda::chain::Payload& payload);

/** txid, hash, version, size, vsize, weight, locktime, vin (coinbase or txid/vout/scriptSig,
 *  txinwitness, sequence), vout (value, n, scriptPubKey); "hex" when include_hex; "blockhash"
 *  when block_hash is given and not null. */
nlohmann::json TxToJSON(const CTransaction& tx, const std::string& hrp, bool include_hex = false,
                        const uint256* block_hash = nullptr);

/** Header fields of an indexed block: hash, confirmations (-1 when not in the active chain),
 *  height, version, versionHex, merkleroot, time, mediantime, nonce, bits, difficulty,
 *  chainwork, nTx, previousblockhash, nextblockhash (when they exist).
 *  `tip` is the active tip and `next` the active chain's successor (or nullptr). */
nlohmann::json BlockHeaderToJSON(const node::CBlockIndex* tip, const node::CBlockIndex* index,
                                 const node::CBlockIndex* next);

/** BlockHeaderToJSON plus strippedsize, size, weight and "tx": txids (verbosity 1) or
 *  TxToJSON objects (verbosity >= 2), in Core's field order. */
nlohmann::json BlockToJSON(const CBlock& block, const node::CBlockIndex* tip, const node::CBlockIndex* index,
                           const node::CBlockIndex* next, int verbosity, const std::string& hrp);

#endif // ODA_RPC_CORE_WRITE_H
