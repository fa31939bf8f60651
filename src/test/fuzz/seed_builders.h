// Valid example objects the fuzz targets' seed functions serialize, so that the smoke test
// (and a fresh libFuzzer corpus) starts from real structure: a signed taproot spend with a
// witness, a coinbase, and a block holding both with a correct witness commitment and
// Merkle root. Everything is deterministic (fixed keys, fixed aux randomness).
#ifndef ODA_TEST_FUZZ_SEED_BUILDERS_H
#define ODA_TEST_FUZZ_SEED_BUILDERS_H

#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <consensus/merkle.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>

#include <cstdint>
#include <vector>

namespace oda::fuzz {

/** A fixed, valid secret key (bytes 1..32). */
inline CKey SeedKey(uint8_t salt = 0)
{
    std::vector<uint8_t> secret(32);
    for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i + 1 + salt);
    return *CKey::FromBytes(secret);
}

/** The BIP 86 taproot output of SeedKey(salt). */
inline ScriptBytes SeedTaprootScript(uint8_t salt = 0)
{
    return *Bip86OutputScript(SeedKey(salt).GetXOnlyPubKey());
}

/** One signed spend plus the outputs it spends: two taproot inputs (hash types DEFAULT and
 *  ALL), a taproot output and an ODA data output. */
struct SignedSpend {
    CMutableTransaction tx;
    std::vector<CTxOut> spent;
};

inline SignedSpend MakeSignedSpend()
{
    SignedSpend s;
    uint256 prev;
    for (size_t i = 0; i < 32; ++i) prev.data()[i] = static_cast<uint8_t>(0xa0 + i);
    s.tx.vin.emplace_back(COutPoint(prev, 0), 0xfffffffd);
    s.tx.vin.emplace_back(COutPoint(prev, 7));
    s.tx.vout.emplace_back(40 * 100'000'000LL, SeedTaprootScript(1));
    s.tx.vout.emplace_back(0, OdaOutputScript({0x01, 0x02, 0x03, 0x04, 0x05}));
    s.tx.lock_time = 17;
    s.spent = {CTxOut(25 * 100'000'000LL, SeedTaprootScript()), CTxOut(16 * 100'000'000LL, SeedTaprootScript())};
    const uint256 aux;
    SignTaprootKeyPath(s.tx, 0, s.spent, SeedKey(), /*hash_type=*/0x00, nullptr, &aux);
    SignTaprootKeyPath(s.tx, 1, s.spent, SeedKey(), /*hash_type=*/0x01, nullptr, &aux);
    return s;
}

/** A coinbase for `height` paying 50 coins to a taproot output. */
inline CMutableTransaction MakeSeedCoinbase(int64_t height)
{
    CMutableTransaction cb;
    cb.vin.emplace_back(COutPoint());
    cb.vin[0].script_sig = CoinbaseHeightScript(height);
    cb.vin[0].script_sig.push_back(0x42);
    cb.vout.emplace_back(50 * 100'000'000LL, SeedTaprootScript(2));
    return cb;
}

/** A regtest-shaped block (not mined: tests skip the PoW check) holding a coinbase and the
 *  signed spend, with a witness commitment and the right Merkle root. */
inline CBlock MakeSeedBlock()
{
    CBlock block;
    block.version = 0x20000000;
    block.time = 1'700'000'000;
    block.bits = 0x207fffff;
    block.vtx.push_back(MakeTransactionRef(MakeSeedCoinbase(1000)));
    block.vtx.push_back(MakeTransactionRef(MakeSignedSpend().tx));
    GenerateCoinbaseCommitment(block);
    block.hash_merkle_root = BlockMerkleRoot(block);
    return block;
}

/** The regtest genesis block (a real block that passes every context-free check). */
inline CBlock SeedGenesisBlock()
{
    return CreateChainParams(ChainType::REGTEST)->GenesisBlock();
}

} // namespace oda::fuzz

#endif // ODA_TEST_FUZZ_SEED_BUILDERS_H
