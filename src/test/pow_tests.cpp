#include <consensus/arith.h>
#include <consensus/chainparams.h>
#include <consensus/pow.h>

#include <boost/test/unit_test.hpp>

namespace {
arith_uint256 Arith(const char* hex) { return arith_uint256(hex); }

void CheckCompact(uint32_t compact, const char* value_hex, bool negative_expected, uint32_t reencoded)
{
    bool negative = false, overflow = false;
    const arith_uint256 v = DecodeCompact(compact, &negative, &overflow);
    BOOST_CHECK_MESSAGE(v == Arith(value_hex), "decode " << std::hex << compact);
    BOOST_CHECK_EQUAL(negative, negative_expected);
    BOOST_CHECK(!overflow);
    BOOST_CHECK_EQUAL(EncodeCompact(v), reencoded);
}
} // namespace

BOOST_AUTO_TEST_SUITE(pow_tests)

BOOST_AUTO_TEST_CASE(compact_encoding)
{
    // Values whose mantissa is shifted out entirely decode to zero (and are not "negative").
    for (uint32_t c : {0x00000000u, 0x00123456u, 0x01003456u, 0x02000056u, 0x03000000u, 0x04000000u,
                       0x00923456u, 0x01803456u, 0x02800056u, 0x03800000u, 0x04800000u}) {
        CheckCompact(c, "0x0", false, 0);
    }
    CheckCompact(0x01123456, "0x12", false, 0x01120000);
    CheckCompact(0x02123456, "0x1234", false, 0x02123400);
    CheckCompact(0x03123456, "0x123456", false, 0x03123456);
    CheckCompact(0x04123456, "0x12345600", false, 0x04123456);
    CheckCompact(0x05009234, "0x92340000", false, 0x05009234);
    CheckCompact(0x20123456, "0x1234560000000000000000000000000000000000000000000000000000000000", false, 0x20123456);
    // Bitcoin's and ODA's limits.
    CheckCompact(0x1d00ffff, "0x00000000ffff0000000000000000000000000000000000000000000000000000", false, 0x1d00ffff);
    CheckCompact(0x1e0fffff, "0x00000fffff000000000000000000000000000000000000000000000000000000", false, 0x1e0fffff);
    CheckCompact(0x207fffff, "0x7fffff0000000000000000000000000000000000000000000000000000000000", false, 0x207fffff);
    // Negative encodings: the sign bit with a non-zero mantissa.
    CheckCompact(0x01fedcba, "0x7e", true, 0x017e0000);
    CheckCompact(0x04923456, "0x12345600", true, 0x04123456);
    // A value whose top mantissa bit would read as the sign moves one byte down.
    BOOST_CHECK_EQUAL(EncodeCompact(arith_uint256(0x80)), 0x02008000u);
    BOOST_CHECK_EQUAL(EncodeCompact(arith_uint256(0x800000)), 0x04008000u);
    // Precision is 23 bits: lower bits are dropped.
    BOOST_CHECK_EQUAL(EncodeCompact(arith_uint256(0x12345678)), 0x04123456u);

    // Overflow: more than 256 bits.
    for (uint32_t c : {0xff123456u, 0x23000001u, 0x22000100u, 0x21010000u}) {
        bool negative = false, overflow = false;
        DecodeCompact(c, &negative, &overflow);
        BOOST_CHECK_MESSAGE(overflow, "overflow expected for " << std::hex << c);
    }
    for (uint32_t c : {0x22000001u, 0x2100ffffu, 0x20ffffffu}) {
        bool negative = false, overflow = false;
        DecodeCompact(c, &negative, &overflow);
        BOOST_CHECK_MESSAGE(!overflow, "no overflow expected for " << std::hex << c);
    }
}

BOOST_AUTO_TEST_CASE(check_proof_of_work)
{
    ConsensusParams p;
    p.pow_limit = ArithToUint256(DecodeCompact(0x1d00ffff)); // Bitcoin's limit
    // Bitcoin's genesis block hash meets its bits.
    const uint256 genesis_hash = *uint256::FromHex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    BOOST_CHECK(CheckProofOfWork(genesis_hash, 0x1d00ffff, p));
    // It even meets a 256 times harder target (it was lucky), but not a 65536 times harder one.
    BOOST_CHECK(CheckProofOfWork(genesis_hash, 0x1c00ffff, p));
    BOOST_CHECK(!CheckProofOfWork(genesis_hash, 0x1b00ffff, p));

    const arith_uint256 target = DecodeCompact(0x1c7fffff);
    BOOST_CHECK(CheckProofOfWork(ArithToUint256(target), 0x1c7fffff, p));      // hash == target
    BOOST_CHECK(!CheckProofOfWork(ArithToUint256(target + 1), 0x1c7fffff, p)); // one above
    BOOST_CHECK(CheckProofOfWork(uint256(), 0x1c7fffff, p));
    // Invalid bits fail whatever the hash.
    BOOST_CHECK(!CheckProofOfWork(uint256(), 0x1d01ffff, p)); // easier than the limit
    BOOST_CHECK(!CheckProofOfWork(uint256(), 0x00000000, p)); // zero target
    BOOST_CHECK(!CheckProofOfWork(uint256(), 0x1c800001, p)); // negative
    BOOST_CHECK(!CheckProofOfWork(uint256(), 0xff123456, p)); // overflow
    BOOST_CHECK(DeriveTarget(0x1d00ffff, p.pow_limit).has_value());
    BOOST_CHECK(!DeriveTarget(0x1d010000, p.pow_limit).has_value());
}

BOOST_AUTO_TEST_CASE(block_proof_and_chain_work)
{
    // Bitcoin's difficulty-1 work: 2^256 / (0xffff * 2^208 + 1) = 0x100010001.
    BOOST_CHECK(UintToArith256(GetBlockProof(0x1d00ffff)) == arith_uint256(0x100010001ULL));
    // Regtest-style minimum difficulty: just over 2^255, so 2 hashes.
    BOOST_CHECK(UintToArith256(GetBlockProof(0x207fffff)) == 2);
    // ODA main/test limit: 2^256 / (0xfffff * 2^216 + 1) = 2^20 + 1 (floor).
    BOOST_CHECK(UintToArith256(GetBlockProof(0x1e0fffff)) == arith_uint256((1u << 20) + 1));
    // Target 1 (hardest): 2^255.
    BOOST_CHECK(UintToArith256(GetBlockProof(0x01010000)) == (arith_uint256(1) << 255));
    // Invalid encodings carry no work.
    BOOST_CHECK(GetBlockProof(0).IsNull());
    BOOST_CHECK(GetBlockProof(0x04923456).IsNull());
    BOOST_CHECK(GetBlockProof(0xff123456).IsNull());
    // Harder target, more work.
    BOOST_CHECK_EQUAL(CompareChainWork(GetBlockProof(0x1c00ffff), GetBlockProof(0x1d00ffff)), 1);

    // Chain work compares as numbers, not bytes.
    uint256 small = ArithToUint256(arith_uint256(0x100));  // byte 1 set
    uint256 large = ArithToUint256(arith_uint256(1) << 200);
    BOOST_CHECK(large < small); // byte-wise blob order differs from numeric order...
    BOOST_CHECK_EQUAL(CompareChainWork(small, large), -1); // ...numeric order is right
    BOOST_CHECK_EQUAL(CompareChainWork(large, small), 1);
    BOOST_CHECK_EQUAL(CompareChainWork(large, large), 0);
    BOOST_CHECK(UintToArith256(AddChainWork(small, large)) == (arith_uint256(1) << 200) + 0x100);
    BOOST_CHECK(UintToArith256(SubChainWork(large, small)) == (arith_uint256(1) << 200) - 0x100);
    BOOST_CHECK(SubChainWork(small, large).IsNull());
    // Saturates instead of wrapping.
    const uint256 max = ArithToUint256(~arith_uint256(0));
    BOOST_CHECK(AddChainWork(max, small) == max);
    // Conversions round-trip and match the blob's little-endian layout.
    uint256 blob;
    blob.data()[0] = 0x01;
    blob.data()[31] = 0x80;
    BOOST_CHECK(UintToArith256(blob) == (arith_uint256(1) << 255) + 1);
    BOOST_CHECK(ArithToUint256(UintToArith256(blob)) == blob);
}

BOOST_AUTO_TEST_CASE(header_bits_hook)
{
    const auto chain = CreateChainParams(ChainType::MAIN);
    // Until the compute bonus of doc/oda-protocol.md section 6 lands, only the exact ASERT bits pass.
    BOOST_CHECK(IsPermittedHeaderBits(0x1e0fffff, 0x1e0fffff, chain->GetConsensus()));
    BOOST_CHECK(!IsPermittedHeaderBits(0x1e0ffffe, 0x1e0fffff, chain->GetConsensus()));
    BOOST_CHECK_EQUAL(chain->GetConsensus().compute_bonus_max_factor, 2);
}

BOOST_AUTO_TEST_SUITE_END()
