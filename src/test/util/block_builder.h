// Builds a mined regtest block on a given parent, for unit tests and benchmarks that
// drive the chainstate directly: BIP 34 coinbase (with an extra nonce so that
// competing forks get distinct coinbases), witness commitment when needed, the
// Merkle root, the required bits, and a nonce that meets them.
#ifndef ODA_TEST_UTIL_BLOCK_BUILDER_H
#define ODA_TEST_UTIL_BLOCK_BUILDER_H

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <consensus/params.h>
#include <consensus/pow.h>
#include <node/blockindex.h>
#include <primitives/block.h>

#include <vector>

/** A block on `prev` holding `txs`, whose coinbase pays subsidy + coinbase_extra to `spk`
 *  (coinbase_extra = the fees it may claim, plus any deliberate overpayment). */
inline CBlock BuildTestBlock(const node::CBlockIndex* prev, const ConsensusParams& consensus, const ScriptBytes& spk,
                             uint32_t extra_nonce, const std::vector<CMutableTransaction>& txs,
                             CAmount coinbase_extra = 0)
{
    const int height = prev->height + 1;
    CMutableTransaction cb;
    cb.vin.emplace_back(COutPoint());
    cb.vin[0].script_sig = CoinbaseHeightScript(height);
    for (int i = 0; i < 4; ++i) cb.vin[0].script_sig.push_back(static_cast<uint8_t>(extra_nonce >> (8 * i)));
    cb.vout.emplace_back(GetBlockSubsidy(height, consensus) + coinbase_extra, spk);
    CBlock block;
    block.version = 0x20000000;
    block.hash_prev_block = prev->GetBlockHash();
    block.time = prev->time + 60;
    block.bits = NextWorkRequired(prev->height, prev->time, prev->bits, consensus);
    block.vtx.push_back(MakeTransactionRef(std::move(cb)));
    bool witness = false;
    for (const auto& tx : txs) {
        block.vtx.push_back(MakeTransactionRef(tx));
        witness |= block.vtx.back()->HasWitness();
    }
    if (witness) GenerateCoinbaseCommitment(block);
    block.hash_merkle_root = BlockMerkleRoot(block);
    while (!CheckProofOfWork(block.GetHash(), block.bits, consensus)) ++block.nonce;
    return block;
}

#endif // ODA_TEST_UTIL_BLOCK_BUILDER_H
