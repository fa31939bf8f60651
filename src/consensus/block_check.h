// Block rules that need no chain state: weight, proof of work, Merkle root, coinbase
// placement, per-transaction checks; plus the BIP 141 witness commitment, the BIP 34 height
// in the coinbase and the block subsidy, which validation applies with the block's height.
#ifndef ODA_CONSENSUS_BLOCK_CHECK_H
#define ODA_CONSENSUS_BLOCK_CHECK_H

#include <consensus/params.h>
#include <consensus/validation.h>
#include <primitives/block.h>
#include <primitives/transaction.h>

#include <cstdint>

/** BIP 141 weight: stripped size * (WITNESS_SCALE_FACTOR - 1) + total size. */
int64_t GetTransactionWeight(const CTransaction& tx);
/** BIP 141 weight of the serialized block. */
int64_t GetBlockWeight(const CBlock& block);

/** Proof of work of the header against its own nBits and params.pow_limit.
 *  Fails with BLOCK_INVALID_HEADER "high-hash". Whether nBits is the right target for the
 *  header's position in the chain is a contextual check (see pow.h NextWorkRequired). */
bool CheckBlockHeader(const CBlockHeader& header, BlockValidationState& state, const ConsensusParams& params);

/** Context-free block checks, in this order (first failure wins):
 *  - header PoW when check_pow ("high-hash", BLOCK_INVALID_HEADER)
 *  - when check_merkle_root: "bad-txnmrklroot" (root differs) and "bad-txns-duplicate"
 *    (CVE-2012-2459 mutation), both BLOCK_MUTATED: the body, not the header, is bad
 *  - "bad-blk-length": no transactions, or too many to fit the weight limit
 *  - "bad-blk-weight": GetBlockWeight > params.max_block_weight
 *  - "bad-cb-missing": first tx not a coinbase; "bad-cb-multiple": a later one is
 *  - CheckTransaction of each tx: its reason, prefixed debug "tx <txid>"
 *  - "bad-txns-duplicate": two transactions with the same txid
 *  All but the first are BLOCK_CONSENSUS unless noted. */
bool CheckBlock(const CBlock& block, BlockValidationState& state, const ConsensusParams& params,
                bool check_pow = true, bool check_merkle_root = true);

// ------------------------------------------------------------- BIP 141 witness commitment
/** Coinbase output script prefix of the witness commitment: OP_RETURN, push 36, aa21a9ed. */
static constexpr uint8_t WITNESS_COMMITMENT_HEADER[6] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
static constexpr size_t MIN_WITNESS_COMMITMENT_SIZE = 38;

/** Index of the last coinbase output that is a witness commitment (script of at least 38
 *  bytes starting with WITNESS_COMMITMENT_HEADER), or -1 (also for a block with no txs). */
int GetWitnessCommitmentIndex(const CBlock& block);

/** For miners, after all transactions are in place: gives the coinbase (block.vtx[0]) the
 *  32-byte zero witness reserved value and appends the commitment output
 *  SHA256d(witness root || reserved value); returns that output's script. The coinbase txid
 *  changes, so recompute hash_merkle_root afterwards. Does nothing but return the existing
 *  script when the coinbase already has a commitment. Precondition: block.vtx non-empty. */
ScriptBytes GenerateCoinbaseCommitment(CBlock& block);

/** BIP 141 check, done by validation: with a commitment output, the coinbase witness must
 *  be exactly one 32-byte element ("bad-witness-nonce-size") and the commitment must match
 *  ("bad-witness-merkle-match"); without one, no transaction may carry a witness
 *  ("unexpected-witness"). All BLOCK_MUTATED (a witness change does not change the hash). */
bool CheckWitnessCommitment(const CBlock& block, BlockValidationState& state);

// ------------------------------------------------------------------- BIP 34 height
/** The minimal push of `height` a coinbase scriptSig starts with, as Bitcoin writes
 *  `CScript() << height`: OP_0 for 0, OP_1..OP_16 for 1..16, else a minimal little-endian
 *  sign-magnitude number push. Throws std::invalid_argument for a negative height (heights
 *  come from the block index, so that is a programming error). */
ScriptBytes CoinbaseHeightScript(int64_t height);

/** Fails with BLOCK_CONSENSUS "bad-cb-height" unless the coinbase scriptSig starts with
 *  CoinbaseHeightScript(height). Precondition: CheckBlock passed (vtx[0] is a coinbase). */
bool CheckCoinbaseHeight(const CBlock& block, int64_t height, BlockValidationState& state);

// -------------------------------------------------------------------- subsidy
/** New coins a block at `height` may create: initial_subsidy halved every
 *  subsidy_halving_interval blocks, 0 after 64 halvings. */
CAmount GetBlockSubsidy(int64_t height, const ConsensusParams& params);

#endif // ODA_CONSENSUS_BLOCK_CHECK_H
