// CheckBlock and the contextual block helpers (witness commitment, BIP 34 height, subsidy).
#include <consensus/amount.h>
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <crypto/hash.h>
#include <streams.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

namespace {

uint256 Id(uint8_t n)
{
    uint256 h;
    h.data()[0] = n;
    h.data()[5] = 0x77;
    return h;
}

CTransactionRef Coinbase(int64_t height, CAmount value = 50 * COIN)
{
    CMutableTransaction mtx;
    mtx.vin.resize(1);
    mtx.vin[0].script_sig = CoinbaseHeightScript(height);
    mtx.vin[0].script_sig.push_back(0x00); // scriptSig must be at least 2 bytes
    mtx.vout.emplace_back(value, ScriptBytes{0x51, 0x20, 0x01});
    return MakeTransactionRef(std::move(mtx));
}

CTransactionRef Spend(uint8_t n, bool witness)
{
    CMutableTransaction mtx;
    mtx.vin.emplace_back(COutPoint(Id(n), 0));
    if (witness) mtx.vin[0].witness.stack = {std::vector<uint8_t>(64, n)};
    mtx.vout.emplace_back(1000, ScriptBytes{0x51, 0x20, n});
    return MakeTransactionRef(std::move(mtx));
}

/** Sets the merkle root and grinds the nonce until the header meets its bits. */
void Finish(CBlock& block, const ConsensusParams& params)
{
    block.hash_merkle_root = BlockMerkleRoot(block);
    block.nonce = 0;
    while (!CheckProofOfWork(block.GetHash(), block.bits, params)) ++block.nonce;
}

struct RegtestBlock {
    std::unique_ptr<const ChainParams> chain = CreateChainParams(ChainType::REGTEST);
    const ConsensusParams& params = chain->GetConsensus();
    CBlock block;
    RegtestBlock()
    {
        block.version = 1;
        block.hash_prev_block = chain->GenesisBlock().GetHash();
        block.time = chain->GenesisBlock().time + 60;
        block.bits = 0x207fffff;
        block.vtx = {Coinbase(1), Spend(1, false), Spend(2, false)};
        Finish(block, params);
    }
    std::string Check(bool check_pow = true, bool check_merkle = true, BlockValidationResult* result = nullptr)
    {
        BlockValidationState state;
        const bool ok = CheckBlock(block, state, params, check_pow, check_merkle);
        BOOST_CHECK_EQUAL(ok, state.IsValid());
        if (result) *result = state.GetResult();
        return ok ? "" : state.GetRejectReason();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(block_check_tests)

BOOST_AUTO_TEST_CASE(valid_block_passes)
{
    RegtestBlock t;
    BOOST_CHECK_EQUAL(t.Check(), "");
    BlockValidationState state;
    BOOST_CHECK(CheckWitnessCommitment(t.block, state));
    BOOST_CHECK(CheckCoinbaseHeight(t.block, 1, state));
    BOOST_CHECK(!CheckCoinbaseHeight(t.block, 2, state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-cb-height");
}

BOOST_AUTO_TEST_CASE(header_proof_of_work)
{
    RegtestBlock t;
    // A target far below what the nonce found: the header fails (probability of a chance
    // pass is 2^-224), and the result says "header", not "body".
    t.block.bits = 0x1d00ffff;
    BlockValidationResult result{};
    BOOST_CHECK_EQUAL(t.Check(true, true, &result), "high-hash");
    BOOST_CHECK(result == BlockValidationResult::BLOCK_INVALID_HEADER);
    BOOST_CHECK_EQUAL(t.Check(false), ""); // without the PoW check the body is fine
    // Bits easier than the network's limit are invalid even with a matching hash.
    const auto main = CreateChainParams(ChainType::MAIN);
    BlockValidationState state;
    CBlockHeader easy = t.block;
    easy.bits = 0x1f00ffff;
    BOOST_CHECK(!CheckBlockHeader(easy, state, main->GetConsensus()));
}

BOOST_AUTO_TEST_CASE(merkle_root_and_mutation)
{
    RegtestBlock t;
    BlockValidationResult result{};
    t.block.hash_merkle_root = Id(9);
    BOOST_CHECK_EQUAL(t.Check(false, true, &result), "bad-txnmrklroot");
    BOOST_CHECK(result == BlockValidationResult::BLOCK_MUTATED);
    BOOST_CHECK_EQUAL(t.Check(false, false), ""); // caller may skip the root check

    // CVE-2012-2459: repeating the last tx keeps the root (and the header hash) unchanged.
    RegtestBlock m;
    const uint256 hash_before = m.block.GetHash();
    m.block.vtx.push_back(m.block.vtx.back());
    BOOST_CHECK(BlockMerkleRoot(m.block) == m.block.hash_merkle_root);
    BOOST_CHECK(m.block.GetHash() == hash_before);
    BOOST_CHECK_EQUAL(m.Check(true, true, &result), "bad-txns-duplicate");
    BOOST_CHECK(result == BlockValidationResult::BLOCK_MUTATED);
}

BOOST_AUTO_TEST_CASE(structure_rules)
{
    BlockValidationResult result{};
    {
        RegtestBlock t;
        t.block.vtx.clear();
        Finish(t.block, t.params);
        BOOST_CHECK_EQUAL(t.Check(true, true, &result), "bad-blk-length");
        BOOST_CHECK(result == BlockValidationResult::BLOCK_CONSENSUS);
    }
    {
        RegtestBlock t;
        t.block.vtx = {Spend(1, false), Spend(2, false)};
        Finish(t.block, t.params);
        BOOST_CHECK_EQUAL(t.Check(), "bad-cb-missing");
    }
    {
        RegtestBlock t;
        t.block.vtx = {Coinbase(1), Spend(1, false), Coinbase(2)};
        Finish(t.block, t.params);
        BOOST_CHECK_EQUAL(t.Check(), "bad-cb-multiple");
    }
    {
        RegtestBlock t;
        CMutableTransaction bad;
        bad.vin.emplace_back(COutPoint(Id(3), 0));
        bad.vout.emplace_back(-1, ScriptBytes{0x51});
        t.block.vtx.push_back(MakeTransactionRef(std::move(bad)));
        Finish(t.block, t.params);
        BOOST_CHECK_EQUAL(t.Check(), "bad-txns-vout-negative");
    }
    {
        // The same transaction twice, not as a mutated pair: caught by the txid check.
        RegtestBlock t;
        t.block.vtx = {Coinbase(1), Spend(1, false), Spend(2, false), Spend(1, false)};
        Finish(t.block, t.params);
        bool mutated = true;
        BlockMerkleRoot(t.block, &mutated);
        BOOST_CHECK(!mutated);
        BOOST_CHECK_EQUAL(t.Check(true, true, &result), "bad-txns-duplicate");
        BOOST_CHECK(result == BlockValidationResult::BLOCK_CONSENSUS);
    }
}

BOOST_AUTO_TEST_CASE(weight_limit)
{
    RegtestBlock t;
    // Witness bytes weigh 1 each: three 1.4 MB witnesses pass CheckTransaction one by one but
    // the block weighs over 4,000,000.
    for (uint8_t n = 10; n < 13; ++n) {
        CMutableTransaction mtx;
        mtx.vin.emplace_back(COutPoint(Id(n), 0));
        mtx.vin[0].witness.stack = {std::vector<uint8_t>(1'400'000, n)};
        mtx.vout.emplace_back(1000, ScriptBytes{0x51});
        t.block.vtx.push_back(MakeTransactionRef(std::move(mtx)));
    }
    Finish(t.block, t.params);
    BOOST_CHECK_GT(GetBlockWeight(t.block), 4'000'000);
    BOOST_CHECK_EQUAL(t.Check(), "bad-blk-weight");
    t.block.vtx.pop_back();
    Finish(t.block, t.params);
    BOOST_CHECK_LE(GetBlockWeight(t.block), 4'000'000);
    BOOST_CHECK_EQUAL(t.Check(), "");
}

BOOST_AUTO_TEST_CASE(block_weight_formula)
{
    RegtestBlock t;
    // Block weight = 4 * (header + count) + sum of tx weights; tx weight = 3 * stripped + total.
    int64_t expected = 4 * (80 + 1);
    for (const auto& tx : t.block.vtx) expected += 3 * tx->GetStrippedSize() + tx->GetTotalSize();
    BOOST_CHECK_EQUAL(GetBlockWeight(t.block), expected);
    BOOST_CHECK_EQUAL(GetBlockWeight(t.block), 4 * static_cast<int64_t>(SerializeToBytes(t.block).size()));
    const CTransactionRef w = Spend(5, true);
    BOOST_CHECK_EQUAL(GetTransactionWeight(*w), 3 * static_cast<int64_t>(w->GetStrippedSize()) + static_cast<int64_t>(w->GetTotalSize()));
    BOOST_CHECK_LT(GetTransactionWeight(*w), 4 * static_cast<int64_t>(w->GetTotalSize()));
}

BOOST_AUTO_TEST_CASE(witness_commitment)
{
    RegtestBlock t;
    t.block.vtx = {Coinbase(1), Spend(1, true), Spend(2, false)};
    Finish(t.block, t.params);
    BlockValidationState state;
    BOOST_CHECK_EQUAL(GetWitnessCommitmentIndex(t.block), -1);
    BOOST_CHECK(!CheckWitnessCommitment(t.block, state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "unexpected-witness");

    const ScriptBytes script = GenerateCoinbaseCommitment(t.block);
    Finish(t.block, t.params);
    BOOST_REQUIRE_EQUAL(script.size(), 38u);
    BOOST_CHECK_EQUAL(HexStr(std::vector<uint8_t>(script.begin(), script.begin() + 6)), "6a24aa21a9ed");
    BOOST_CHECK_EQUAL(GetWitnessCommitmentIndex(t.block), 1);
    BOOST_CHECK(t.block.vtx[0]->vin[0].witness.stack == std::vector<std::vector<uint8_t>>{std::vector<uint8_t>(32, 0)});
    // The commitment is SHA256d(witness root || 32 zero bytes).
    {
        HashWriter hw;
        hw << BlockWitnessMerkleRoot(t.block);
        const std::vector<uint8_t> zeros(32, 0);
        hw.write(zeros.data(), zeros.size());
        const uint256 expected = hw.GetHash();
        BOOST_CHECK(std::equal(expected.begin(), expected.end(), script.begin() + 6));
    }
    BlockValidationState ok_state;
    BOOST_CHECK(CheckWitnessCommitment(t.block, ok_state));
    BOOST_CHECK_EQUAL(t.Check(), "");
    // Calling it again does not add a second output.
    BOOST_CHECK(GenerateCoinbaseCommitment(t.block) == script);
    BOOST_CHECK_EQUAL(t.block.vtx[0]->vout.size(), 2u);

    // A changed witness keeps txids, merkle root and block hash, but breaks the commitment.
    CBlock tampered = t.block;
    CMutableTransaction spend;
    spend.version = tampered.vtx[1]->version;
    spend.vin = tampered.vtx[1]->vin;
    spend.vout = tampered.vtx[1]->vout;
    spend.vin[0].witness.stack[0][0] ^= 0xff;
    tampered.vtx[1] = MakeTransactionRef(std::move(spend));
    BOOST_CHECK(tampered.GetHash() == t.block.GetHash());
    BOOST_CHECK(BlockMerkleRoot(tampered) == tampered.hash_merkle_root);
    BlockValidationState bad;
    BOOST_CHECK(!CheckWitnessCommitment(tampered, bad));
    BOOST_CHECK_EQUAL(bad.GetRejectReason(), "bad-witness-merkle-match");
    BOOST_CHECK(bad.GetResult() == BlockValidationResult::BLOCK_MUTATED);

    // Reserved value of the wrong size.
    CBlock bad_nonce = t.block;
    CMutableTransaction cb;
    cb.version = bad_nonce.vtx[0]->version;
    cb.vin = bad_nonce.vtx[0]->vin;
    cb.vout = bad_nonce.vtx[0]->vout;
    cb.vin[0].witness.stack = {std::vector<uint8_t>(31, 0)};
    bad_nonce.vtx[0] = MakeTransactionRef(std::move(cb));
    BlockValidationState bad2;
    BOOST_CHECK(!CheckWitnessCommitment(bad_nonce, bad2));
    BOOST_CHECK_EQUAL(bad2.GetRejectReason(), "bad-witness-nonce-size");

    // With no witness anywhere, no commitment is needed.
    RegtestBlock plain;
    BlockValidationState plain_state;
    BOOST_CHECK(CheckWitnessCommitment(plain.block, plain_state));
}

BOOST_AUTO_TEST_CASE(coinbase_height_script)
{
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(0)), "00");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(1)), "51");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(16)), "60");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(17)), "0111");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(127)), "017f");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(128)), "028000");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(255)), "02ff00");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(256)), "020001");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(32767)), "02ff7f");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(32768)), "03008000");
    // Bitcoin block 500,000's coinbase scriptSig starts with 0320a107.
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(500000)), "0320a107");
    BOOST_CHECK_EQUAL(HexStr(CoinbaseHeightScript(0x800000)), "0400008000");
    BOOST_CHECK_THROW(CoinbaseHeightScript(-1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(subsidy_schedule)
{
    const auto regtest = CreateChainParams(ChainType::REGTEST);
    const ConsensusParams& r = regtest->GetConsensus();
    BOOST_CHECK_EQUAL(GetBlockSubsidy(0, r), 50 * COIN);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(149, r), 50 * COIN);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(150, r), 25 * COIN);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(299, r), 25 * COIN);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(300, r), 1'250'000'000);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(150 * 33, r), 0); // 5e9 >> 33 == 0
    BOOST_CHECK_EQUAL(GetBlockSubsidy(150 * 64, r), 0);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(int64_t{150} * 1'000'000, r), 0);

    const auto main = CreateChainParams(ChainType::MAIN);
    const ConsensusParams& m = main->GetConsensus();
    BOOST_CHECK_EQUAL(GetBlockSubsidy(209'999, m), 50 * COIN);
    BOOST_CHECK_EQUAL(GetBlockSubsidy(210'000, m), 25 * COIN);
    // Total supply stays below MAX_MONEY.
    CAmount total = 0;
    for (int64_t era = 0; era < 70; ++era) total += GetBlockSubsidy(era * 210'000, m) * 210'000;
    BOOST_CHECK_EQUAL(total, 2'099'999'997'690'000LL);
    BOOST_CHECK(MoneyRange(total));
}

BOOST_AUTO_TEST_SUITE_END()
