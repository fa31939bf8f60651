#include <consensus/block_check.h>
#include <consensus/block_context.h>
#include <consensus/chainparams.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>

#include <boost/test/unit_test.hpp>

namespace {

CTransactionRef Coinbase(int64_t height)
{
    CMutableTransaction mtx;
    mtx.vin.resize(1);
    mtx.vin[0].script_sig = CoinbaseHeightScript(height);
    mtx.vin[0].script_sig.push_back(0x00);
    mtx.vout.emplace_back(50 * COIN, ScriptBytes{0x51});
    return MakeTransactionRef(std::move(mtx));
}

CTransactionRef Locked(uint32_t lock_time)
{
    CMutableTransaction mtx;
    uint256 prev;
    prev.data()[0] = 0x42;
    mtx.vin.emplace_back(COutPoint(prev, 0), 0); // non-final sequence: the lock applies
    mtx.vout.emplace_back(1000, ScriptBytes{0x51});
    mtx.lock_time = lock_time;
    return MakeTransactionRef(std::move(mtx));
}

std::string Reason(const BlockValidationState& s) { return s.IsValid() ? "" : s.GetRejectReason(); }

} // namespace

BOOST_AUTO_TEST_SUITE(block_context_tests)

BOOST_AUTO_TEST_CASE(median_time_past)
{
    BOOST_CHECK_EQUAL(MedianTimePast({}), 0);
    BOOST_CHECK_EQUAL(MedianTimePast({5}), 5);
    BOOST_CHECK_EQUAL(MedianTimePast({1, 2}), 2); // index size/2 of the sorted list
    BOOST_CHECK_EQUAL(MedianTimePast({10, 1, 9, 2, 8, 3, 7, 4, 6, 5, 11}), 6);
    BOOST_CHECK_EQUAL(MedianTimePast({100, 100, 100, 1, 1}), 100);
}

BOOST_AUTO_TEST_CASE(header_context)
{
    const auto chain = CreateChainParams(ChainType::MAIN);
    const ConsensusParams& p = chain->GetConsensus();
    const CBlock& g = chain->GenesisBlock();
    PrevBlockInfo prev;
    prev.height = 0;
    prev.time = g.time;
    prev.bits = g.bits;
    prev.median_time_past = g.time;

    CBlockHeader h;
    h.hash_prev_block = g.GetHash();
    h.time = g.time + 60;
    h.bits = NextWorkRequired(0, g.time, g.bits, p);
    const int64_t now = g.time + 60;
    BlockValidationState ok;
    BOOST_CHECK(ContextualCheckBlockHeader(h, prev, now, ok, p));

    CBlockHeader wrong_bits = h;
    wrong_bits.bits = 0x1d00ffff;
    BlockValidationState s1;
    BOOST_CHECK(!ContextualCheckBlockHeader(wrong_bits, prev, now, s1, p));
    BOOST_CHECK_EQUAL(Reason(s1), "bad-diffbits");
    BOOST_CHECK(s1.GetResult() == BlockValidationResult::BLOCK_INVALID_HEADER);

    CBlockHeader old = h;
    old.time = g.time; // equal to the median: too old
    BlockValidationState s2;
    BOOST_CHECK(!ContextualCheckBlockHeader(old, prev, now, s2, p));
    BOOST_CHECK_EQUAL(Reason(s2), "time-too-old");

    CBlockHeader future = h;
    future.time = static_cast<uint32_t>(now + 7200);
    BlockValidationState s3;
    BOOST_CHECK(ContextualCheckBlockHeader(future, prev, now, s3, p)); // exactly 2 h: allowed
    future.time += 1;
    BOOST_CHECK(!ContextualCheckBlockHeader(future, prev, now, s3, p));
    BOOST_CHECK_EQUAL(Reason(s3), "time-too-new");
    BOOST_CHECK(s3.GetResult() == BlockValidationResult::BLOCK_TIME_FUTURE);

    // Regtest: any parent, bits must be the limit.
    const auto reg = CreateChainParams(ChainType::REGTEST);
    CBlockHeader r = h;
    r.bits = 0x207fffff;
    BlockValidationState s4;
    BOOST_CHECK(ContextualCheckBlockHeader(r, prev, now, s4, reg->GetConsensus()));
    r.bits = 0x207ffffe;
    BOOST_CHECK(!ContextualCheckBlockHeader(r, prev, now, s4, reg->GetConsensus()));
}

BOOST_AUTO_TEST_CASE(body_context)
{
    const auto chain = CreateChainParams(ChainType::REGTEST);
    const ConsensusParams& p = chain->GetConsensus();
    CBlock block;
    block.vtx = {Coinbase(5), Locked(4)};
    block.hash_merkle_root = BlockMerkleRoot(block);
    const int64_t mtp = 1'800'000'000;

    BlockValidationState ok;
    BOOST_CHECK(ContextualCheckBlock(block, 5, mtp, ok, p));

    BlockValidationState s1;
    BOOST_CHECK(!ContextualCheckBlock(block, 4, mtp, s1, p)); // lock 4 at height 4: not final
    BOOST_CHECK_EQUAL(Reason(s1), "bad-txns-nonfinal");

    block.vtx[1] = Locked(static_cast<uint32_t>(mtp)); // time lock equal to MTP: not final
    BlockValidationState s2;
    BOOST_CHECK(!ContextualCheckBlock(block, 5, mtp, s2, p));
    BOOST_CHECK_EQUAL(Reason(s2), "bad-txns-nonfinal");
    BlockValidationState s3;
    BOOST_CHECK(ContextualCheckBlock(block, 5, mtp + 1, s3, p));

    block.vtx[1] = Locked(0);
    BlockValidationState s4;
    BOOST_CHECK(!ContextualCheckBlock(block, 6, mtp, s4, p)); // coinbase says 5
    BOOST_CHECK_EQUAL(Reason(s4), "bad-cb-height");

    // A witness without a commitment.
    CMutableTransaction w;
    w.vin.emplace_back(COutPoint(uint256::ONE, 1));
    w.vin[0].witness.stack = {std::vector<uint8_t>(64, 7)};
    w.vout.emplace_back(1, ScriptBytes{0x51});
    block.vtx.push_back(MakeTransactionRef(std::move(w)));
    BlockValidationState s5;
    BOOST_CHECK(!ContextualCheckBlock(block, 5, mtp, s5, p));
    BOOST_CHECK_EQUAL(Reason(s5), "unexpected-witness");
    GenerateCoinbaseCommitment(block);
    BlockValidationState s6;
    BOOST_CHECK(ContextualCheckBlock(block, 5, mtp, s6, p));
}

BOOST_AUTO_TEST_SUITE_END()
