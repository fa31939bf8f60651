#include <consensus/block_check.h>

#include <consensus/consensus.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/tx_check.h>
#include <crypto/hash.h>

#include <algorithm>
#include <set>
#include <stdexcept>

int64_t GetTransactionWeight(const CTransaction& tx)
{
    return static_cast<int64_t>(tx.GetStrippedSize()) * (WITNESS_SCALE_FACTOR - 1) +
           static_cast<int64_t>(tx.GetTotalSize());
}

int64_t GetBlockWeight(const CBlock& block)
{
    // Header and transaction count are counted in full in both the stripped and total size.
    const int64_t overhead = static_cast<int64_t>(CBlockHeader::SIZE + CompactSizeLen(block.vtx.size()));
    int64_t weight = overhead * WITNESS_SCALE_FACTOR;
    for (const CTransactionRef& tx : block.vtx) weight += GetTransactionWeight(*tx);
    return weight;
}

bool CheckBlockHeader(const CBlockHeader& header, BlockValidationState& state, const ConsensusParams& params)
{
    if (!CheckProofOfWork(header.GetHash(), header.bits, params)) {
        return state.Invalid(BlockValidationResult::BLOCK_INVALID_HEADER, "high-hash", "proof of work failed");
    }
    return true;
}

bool CheckBlock(const CBlock& block, BlockValidationState& state, const ConsensusParams& params,
                bool check_pow, bool check_merkle_root)
{
    if (check_pow && !CheckBlockHeader(block, state, params)) return false;

    if (check_merkle_root) {
        bool mutated = false;
        const uint256 root = BlockMerkleRoot(block, &mutated);
        if (root != block.hash_merkle_root) {
            return state.Invalid(BlockValidationResult::BLOCK_MUTATED, "bad-txnmrklroot", "hashMerkleRoot mismatch");
        }
        // Same root as a block without the duplicated transactions: the header could be valid.
        if (mutated) {
            return state.Invalid(BlockValidationResult::BLOCK_MUTATED, "bad-txns-duplicate", "duplicate transaction");
        }
    }

    // Cheap bounds before the full weight: each tx weighs at least WITNESS_SCALE_FACTOR * 10.
    if (block.vtx.empty() ||
        static_cast<int64_t>(block.vtx.size()) * WITNESS_SCALE_FACTOR > params.max_block_weight) {
        return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-blk-length", "size limits failed");
    }
    if (GetBlockWeight(block) > params.max_block_weight) {
        return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-blk-weight", "weight limit failed");
    }

    if (!block.vtx[0]->IsCoinBase()) {
        return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-cb-missing", "first tx is not coinbase");
    }
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        if (block.vtx[i]->IsCoinBase()) {
            return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-cb-multiple", "more than one coinbase");
        }
    }

    for (const CTransactionRef& tx : block.vtx) {
        TxValidationState tx_state;
        if (!CheckTransaction(*tx, tx_state)) {
            return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, tx_state.GetRejectReason(),
                                 "tx " + tx->GetTxid().GetHex() + " failed CheckTransaction");
        }
    }

    std::set<uint256> txids;
    for (const CTransactionRef& tx : block.vtx) {
        if (!txids.insert(tx->GetTxid()).second) {
            return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-txns-duplicate", "duplicate txid");
        }
    }
    return true;
}

// ----------------------------------------------------------------- witness commitment
namespace {
bool IsWitnessCommitment(const ScriptBytes& script)
{
    return script.size() >= MIN_WITNESS_COMMITMENT_SIZE &&
           std::equal(std::begin(WITNESS_COMMITMENT_HEADER), std::end(WITNESS_COMMITMENT_HEADER), script.begin());
}

uint256 CommitmentHash(const uint256& witness_root, const std::vector<uint8_t>& reserved_value)
{
    HashWriter hw;
    hw << witness_root;
    hw.write(reserved_value.data(), reserved_value.size());
    return hw.GetHash();
}
} // namespace

int GetWitnessCommitmentIndex(const CBlock& block)
{
    if (block.vtx.empty()) return -1;
    const std::vector<CTxOut>& outs = block.vtx[0]->vout;
    for (size_t i = outs.size(); i-- > 0;) {
        if (IsWitnessCommitment(outs[i].script_pubkey)) return static_cast<int>(i);
    }
    return -1;
}

ScriptBytes GenerateCoinbaseCommitment(CBlock& block)
{
    const int existing = GetWitnessCommitmentIndex(block);
    if (existing >= 0) return block.vtx[0]->vout[existing].script_pubkey;

    const std::vector<uint8_t> reserved_value(32, 0x00);
    // The coinbase's wtxid is taken as zero in the witness root, so its own witness
    // (added below) does not change the root.
    const uint256 commitment = CommitmentHash(BlockWitnessMerkleRoot(block), reserved_value);

    ScriptBytes script(std::begin(WITNESS_COMMITMENT_HEADER), std::end(WITNESS_COMMITMENT_HEADER));
    script.insert(script.end(), commitment.begin(), commitment.end());

    CMutableTransaction coinbase;
    coinbase.version = block.vtx[0]->version;
    coinbase.vin = block.vtx[0]->vin;
    coinbase.vout = block.vtx[0]->vout;
    coinbase.lock_time = block.vtx[0]->lock_time;
    coinbase.vin[0].witness.stack = {reserved_value};
    coinbase.vout.emplace_back(0, script);
    block.vtx[0] = MakeTransactionRef(std::move(coinbase));
    return script;
}

bool CheckWitnessCommitment(const CBlock& block, BlockValidationState& state)
{
    const int index = GetWitnessCommitmentIndex(block);
    if (index >= 0) {
        const CScriptWitness& witness = block.vtx[0]->vin[0].witness;
        if (witness.stack.size() != 1 || witness.stack[0].size() != 32) {
            return state.Invalid(BlockValidationResult::BLOCK_MUTATED, "bad-witness-nonce-size",
                                 "invalid witness reserved value size");
        }
        const uint256 expected = CommitmentHash(BlockWitnessMerkleRoot(block), witness.stack[0]);
        const ScriptBytes& script = block.vtx[0]->vout[index].script_pubkey;
        if (!std::equal(expected.begin(), expected.end(), script.begin() + sizeof(WITNESS_COMMITMENT_HEADER))) {
            return state.Invalid(BlockValidationResult::BLOCK_MUTATED, "bad-witness-merkle-match",
                                 "witness merkle commitment mismatch");
        }
        return true;
    }
    for (const CTransactionRef& tx : block.vtx) {
        if (tx->HasWitness()) {
            return state.Invalid(BlockValidationResult::BLOCK_MUTATED, "unexpected-witness",
                                 "witness data without a commitment");
        }
    }
    return true;
}

// ----------------------------------------------------------------------- BIP 34
ScriptBytes CoinbaseHeightScript(int64_t height)
{
    if (height < 0) throw std::invalid_argument("CoinbaseHeightScript: negative height");
    if (height == 0) return {0x00};                                     // OP_0
    if (height >= 1 && height <= 16) return {static_cast<uint8_t>(0x50 + height)}; // OP_1..OP_16
    // Minimal script number: little-endian magnitude, with an extra 0x00 byte when the top
    // bit is set (it would otherwise read as the sign). Heights are never negative.
    std::vector<uint8_t> number;
    uint64_t magnitude = static_cast<uint64_t>(height);
    while (magnitude) {
        number.push_back(static_cast<uint8_t>(magnitude & 0xff));
        magnitude >>= 8;
    }
    if (number.back() & 0x80) number.push_back(0x00);
    ScriptBytes script;
    script.push_back(static_cast<uint8_t>(number.size())); // direct push: at most 9 bytes
    script.insert(script.end(), number.begin(), number.end());
    return script;
}

bool CheckCoinbaseHeight(const CBlock& block, int64_t height, BlockValidationState& state)
{
    const ScriptBytes expected = CoinbaseHeightScript(height);
    const ScriptBytes& script_sig = block.vtx[0]->vin[0].script_sig;
    if (script_sig.size() < expected.size() || !std::equal(expected.begin(), expected.end(), script_sig.begin())) {
        return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-cb-height", "block height mismatch in coinbase");
    }
    return true;
}

// ---------------------------------------------------------------------- subsidy
CAmount GetBlockSubsidy(int64_t height, const ConsensusParams& params)
{
    if (height < 0 || params.subsidy_halving_interval <= 0) return 0;
    const int64_t halvings = height / params.subsidy_halving_interval;
    if (halvings >= 64) return 0;
    return params.initial_subsidy >> halvings;
}
