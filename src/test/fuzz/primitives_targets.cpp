// Fuzz targets for the wire formats of transactions and blocks (P2P "tx"/"block" payloads,
// sendrawtransaction/submitblock hex, block files) and the context-free checks run on them.
#include <consensus/amount.h>
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <consensus/consensus.h>
#include <consensus/merkle.h>
#include <consensus/tx_check.h>
#include <crypto/hash.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <rpc/core_write.h>
#include <rpc/protocol.h>
#include <streams.h>
#include <test/fuzz/fuzz.h>
#include <test/fuzz/seed_builders.h>

#include <set>
#include <string>
#include <vector>

using oda::fuzz::Assert;

namespace {

std::vector<std::vector<uint8_t>> TxSeeds()
{
    const oda::fuzz::SignedSpend spend = oda::fuzz::MakeSignedSpend();
    CMutableTransaction no_witness = spend.tx;
    for (auto& in : no_witness.vin) in.witness.stack.clear();
    CMutableTransaction empty; // no inputs, no outputs: parseable, never valid
    std::vector<std::vector<uint8_t>> seeds{
        SerializeToBytes(spend.tx),
        SerializeToBytes(no_witness),
        SerializeToBytes(oda::fuzz::MakeSeedCoinbase(5)),
        SerializeToBytes(empty),
    };
    for (const auto& tx : oda::fuzz::SeedGenesisBlock().vtx) seeds.push_back(SerializeToBytes(*tx));
    return seeds;
}

std::vector<std::vector<uint8_t>> BlockSeeds()
{
    CBlock mutated = oda::fuzz::MakeSeedBlock();
    mutated.vtx.push_back(mutated.vtx.back()); // CVE-2012-2459 shape: same root, duplicate tx
    return {
        SerializeToBytes(oda::fuzz::MakeSeedBlock()),
        SerializeToBytes(oda::fuzz::SeedGenesisBlock()),
        SerializeToBytes(mutated),
    };
}

/** Stripped (no witness) serialization of a block: header, count, each tx without witness. */
std::vector<uint8_t> StrippedBlockBytes(const CBlock& block)
{
    std::vector<uint8_t> out;
    VectorWriter w(out);
    static_cast<const CBlockHeader&>(block).Serialize(w);
    WriteCompactSize(w, block.vtx.size());
    for (const auto& tx : block.vtx) Serialize(w, TxNoWitness{*tx});
    return out;
}

const ChainParams& RegtestParams()
{
    static const std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    return *params;
}

/** The documented meaning of CheckTransaction passing, re-derived independently. */
void AssertValidTxProperties(const CTransaction& tx)
{
    Assert(!tx.vin.empty() && !tx.vout.empty(), "valid tx with no inputs or outputs");
    Assert(static_cast<int64_t>(tx.GetStrippedSize()) * WITNESS_SCALE_FACTOR <= MAX_BLOCK_WEIGHT, "valid tx too large");
    CAmount total = 0;
    for (const CTxOut& out : tx.vout) {
        Assert(MoneyRange(out.value), "valid tx with an output value out of range");
        total += out.value;
        Assert(MoneyRange(total), "valid tx with an output total out of range");
    }
    std::set<COutPoint> prevouts;
    for (const CTxIn& in : tx.vin) {
        Assert(prevouts.insert(in.prevout).second, "valid tx spends one outpoint twice");
        Assert(tx.IsCoinBase() || !in.prevout.IsNull(), "valid non-coinbase tx with a null prevout");
    }
}

} // namespace

// bytes -> transaction. Accepted encodings are canonical (re-serializing gives the same
// bytes), ids and sizes agree with the serializations they are defined by, and the
// context-free check is deterministic and means what it documents.
ODA_FUZZ_TARGET_SEEDS(tx_deserialize, TxSeeds)
{
    // The RPC decoder (witness form, else an input-less transaction without witness): what
    // it accepts re-serializes to the input, and it agrees with the strict reader below.
    const std::vector<uint8_t> input(data, data + size);
    const std::optional<CMutableTransaction> rpc_decoded = DecodeRawTransaction(input);
    if (rpc_decoded) Assert(SerializeToBytes(*rpc_decoded) == input, "DecodeRawTransaction result re-serializes differently");

    CMutableTransaction mtx;
    try {
        DeserializeExact(data, size, mtx);
    } catch (const SerializationError&) {
        return;
    }
    Assert(rpc_decoded && rpc_decoded->GetTxid() == mtx.GetTxid(), "DecodeRawTransaction refuses or changes a valid encoding");
    const CTransaction tx(mtx);
    const std::vector<uint8_t> full = SerializeToBytes(tx);
    Assert(full == std::vector<uint8_t>(data, data + size), "transaction re-serialization differs from its input");
    Assert(SerializeToBytes(mtx) == full, "mutable and immutable serializations differ");

    const std::vector<uint8_t> stripped = SerializeToBytes(TxNoWitness{tx});
    Assert(tx.GetTxid() == Hash256(stripped.data(), stripped.size()), "txid is not SHA256d of the stripped form");
    Assert(tx.GetWtxid() == Hash256(full.data(), full.size()), "wtxid is not SHA256d of the full form");
    Assert(mtx.GetTxid() == tx.GetTxid(), "mutable and immutable txids differ");
    Assert(tx.HasWitness() == mtx.HasWitness(), "HasWitness differs");
    Assert(tx.HasWitness() || tx.GetTxid() == tx.GetWtxid(), "txid != wtxid without witness");
    Assert(tx.GetStrippedSize() == stripped.size() && tx.GetTotalSize() == full.size(), "sizes");
    Assert(tx.HasWitness() == (stripped.size() != full.size()), "witness presence vs size");
    Assert(GetTransactionWeight(tx) == static_cast<int64_t>(stripped.size()) * 3 + static_cast<int64_t>(full.size()), "weight");

    // Decode again, from the full and from the stripped form (the latter has no witness).
    CMutableTransaction again;
    DeserializeExact(full, again);
    const CTransaction tx2(again);
    Assert(tx2.GetTxid() == tx.GetTxid() && tx2.GetWtxid() == tx.GetWtxid(), "round trip changes the ids");
    CMutableTransaction without;
    DeserializeExact(stripped, without);
    const CTransaction tx3(without);
    Assert(tx3.GetTxid() == tx.GetTxid() && !tx3.HasWitness() && tx3.GetWtxid() == tx.GetTxid(), "stripped decode");

    TxValidationState s1, s2;
    const bool ok1 = CheckTransaction(tx, s1);
    const bool ok2 = CheckTransaction(tx2, s2);
    Assert(ok1 == ok2 && s1.GetRejectReason() == s2.GetRejectReason(), "CheckTransaction is not deterministic");
    Assert(ok1 == s1.IsValid() && (ok1 || !s1.GetRejectReason().empty()), "CheckTransaction result vs state");
    if (ok1) AssertValidTxProperties(tx);

    // decoderawtransaction's path: any decodable transaction renders to JSON that parses.
    nlohmann::json parsed;
    Assert(ParseJSON(WriteJSON(TxToJSON(tx, "roda", true)), parsed), "TxToJSON output is not valid JSON");
}

// bytes -> block. Canonical encoding, hash/weight consistency, and the Merkle and
// context-free checks (without proof of work) are deterministic and agree with each other.
ODA_FUZZ_TARGET_SEEDS(block_deserialize, BlockSeeds)
{
    CBlock block;
    try {
        DeserializeExact(data, size, block);
    } catch (const SerializationError&) {
        return;
    }
    const std::vector<uint8_t> full = SerializeToBytes(block);
    Assert(full == std::vector<uint8_t>(data, data + size), "block re-serialization differs from its input");
    CBlock again;
    DeserializeExact(full, again);
    Assert(again.GetHash() == block.GetHash() && again.vtx.size() == block.vtx.size(), "block round trip");
    for (size_t i = 0; i < block.vtx.size(); ++i) {
        Assert(again.vtx[i]->GetWtxid() == block.vtx[i]->GetWtxid(), "block round trip changes a wtxid");
    }
    const std::vector<uint8_t> header_bytes = SerializeToBytes(block.GetHeader());
    Assert(header_bytes.size() == CBlockHeader::SIZE, "header size");
    Assert(block.GetHash() == Hash256(header_bytes.data(), header_bytes.size()), "block hash");

    const std::vector<uint8_t> stripped = StrippedBlockBytes(block);
    Assert(GetBlockWeight(block) == static_cast<int64_t>(stripped.size()) * 3 + static_cast<int64_t>(full.size()), "block weight");

    bool mutated1 = false, mutated2 = false;
    const uint256 root1 = BlockMerkleRoot(block, &mutated1);
    const uint256 root2 = BlockMerkleRoot(again, &mutated2);
    Assert(root1 == root2 && mutated1 == mutated2, "Merkle root is not deterministic");
    std::vector<uint256> txids;
    for (const auto& tx : block.vtx) txids.push_back(tx->GetTxid());
    Assert(ComputeMerkleRoot(txids) == root1, "BlockMerkleRoot differs from ComputeMerkleRoot over the txids");
    Assert(block.vtx.size() != 1 || root1 == block.vtx[0]->GetTxid(), "root of one transaction is its txid");
    // Two equal adjacent txids always form a mutated pair at the leaf level.
    for (size_t i = 0; i + 1 < txids.size(); i += 2) {
        if (txids[i] == txids[i + 1]) Assert(mutated1, "duplicate pair not reported as mutation");
    }
    bool wmutated = false;
    BlockWitnessMerkleRoot(block, &wmutated);

    const ConsensusParams& params = RegtestParams().GetConsensus();
    BlockValidationState s1, s2;
    const bool ok1 = CheckBlock(block, s1, params, /*check_pow=*/false);
    const bool ok2 = CheckBlock(again, s2, params, /*check_pow=*/false);
    Assert(ok1 == ok2 && s1.GetRejectReason() == s2.GetRejectReason(), "CheckBlock is not deterministic");
    Assert(ok1 || !s1.GetRejectReason().empty(), "CheckBlock rejection without a reason");
    if (ok1) {
        Assert(root1 == block.hash_merkle_root && !mutated1, "valid block with a wrong or mutated Merkle root");
        Assert(!block.vtx.empty() && block.vtx[0]->IsCoinBase(), "valid block without a leading coinbase");
        Assert(GetBlockWeight(block) <= params.max_block_weight, "valid block over the weight limit");
        Assert(std::set<uint256>(txids.begin(), txids.end()).size() == txids.size(), "valid block with duplicate txids");
        for (size_t i = 1; i < block.vtx.size(); ++i) Assert(!block.vtx[i]->IsCoinBase(), "valid block with two coinbases");
        for (const auto& tx : block.vtx) AssertValidTxProperties(*tx);
        // Contextual helpers whose precondition is a block that passed CheckBlock.
        BlockValidationState hs;
        CheckCoinbaseHeight(block, 1000, hs);
    }
    // Header PoW check: may fail, must not crash, and does not depend on the body.
    BlockValidationState p1, p2;
    Assert(CheckBlockHeader(block, p1, params) == CheckBlockHeader(again.GetHeader(), p2, params), "PoW check");

    const int commitment = GetWitnessCommitmentIndex(block);
    Assert(commitment >= -1, "commitment index");
    if (commitment >= 0) {
        const ScriptBytes& spk = block.vtx[0]->vout[commitment].script_pubkey;
        Assert(spk.size() >= MIN_WITNESS_COMMITMENT_SIZE &&
                   std::equal(std::begin(WITNESS_COMMITMENT_HEADER), std::end(WITNESS_COMMITMENT_HEADER), spk.begin()),
               "commitment index points at a non-commitment output");
    }
    BlockValidationState w1, w2;
    const bool wok1 = CheckWitnessCommitment(block, w1);
    Assert(wok1 == CheckWitnessCommitment(again, w2) && w1.GetRejectReason() == w2.GetRejectReason(), "witness commitment check");
    if (wok1 && commitment < 0) {
        for (const auto& tx : block.vtx) Assert(!tx->HasWitness(), "witness accepted without a commitment");
    }
}
