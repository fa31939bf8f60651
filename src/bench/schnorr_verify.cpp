// Schnorr verification throughput through the node's own code (VerifyInputSpend: the
// BIP 341 signature message from the shared precomputed data, then the BIP 340 check)
// next to libsecp256k1's secp256k1_schnorrsig_verify called directly on the same
// (message, signature, key) triples. Every signature has its own key, as the inputs
// of a real block do, so both sides parse (lift) the x-only key once per signature;
// the ratio is then the overhead of our layer: the signature message and the checks.
#include <bench/bench.h>
#include <script/keys.h>
#include <script/sighash.h>
#include <script/sign.h>
#include <script/standard.h>
#include <script/verify.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <stdexcept>
#include <vector>

namespace {

constexpr int SIGS = 1000;

void SchnorrVerify(oda::bench::Bench& bench)
{
    std::vector<CTransaction> txs;
    std::vector<PrecomputedTxData> txdata;
    std::vector<uint256> sighashes;
    std::vector<std::vector<uint8_t>> sigs;
    std::vector<XOnlyPubKey> output_keys;
    txs.reserve(SIGS);
    txdata.reserve(SIGS);
    for (int i = 0; i < SIGS; ++i) {
        std::vector<uint8_t> secret(32, 0x37);
        secret[0] = uint8_t(i);
        secret[1] = uint8_t(i >> 8);
        const CKey key = *CKey::FromBytes(secret);
        output_keys.push_back(*TaprootTweak(key.GetXOnlyPubKey()));
        const ScriptBytes spk = TaprootOutputScript(output_keys.back());
        uint256 prev;
        prev.data()[0] = uint8_t(i);
        prev.data()[1] = uint8_t(i >> 8);
        CMutableTransaction mtx;
        mtx.vin.emplace_back(COutPoint(prev, 0));
        mtx.vout.emplace_back(90000, spk);
        const std::vector<CTxOut> spent{CTxOut(100000, spk)};
        std::string error;
        if (!SignTaprootKeyPath(mtx, 0, spent, key, 0x00, &error)) throw std::runtime_error(error);
        txs.emplace_back(mtx);
        txdata.emplace_back(txs.back(), spent);
        sighashes.push_back(*TaprootSignatureHash(txs.back(), 0, 0x00, txdata.back()));
        sigs.push_back(txs.back().vin[0].witness.stack[0]);
    }

    secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
    bench.Note("1,000 BIP 341 key-path signatures, each by its own key");
    bench.Measure("libsecp256k1 xonly_pubkey_parse + schnorrsig_verify", SIGS, "sig", [&] {
        for (int i = 0; i < SIGS; ++i) {
            secp256k1_xonly_pubkey pubkey;
            if (!secp256k1_xonly_pubkey_parse(ctx, &pubkey, output_keys[i].data()) ||
                !secp256k1_schnorrsig_verify(ctx, sigs[i].data(), sighashes[i].data(), 32, &pubkey)) {
                throw std::runtime_error("libsecp256k1 rejected a valid signature");
            }
        }
    });
    bench.Measure("VerifyInputSpend (node)", SIGS, "sig", [&] {
        for (int i = 0; i < SIGS; ++i) {
            if (!VerifyInputSpend(txs[i], 0, txdata[i], nullptr)) throw std::runtime_error("node rejected a valid spend");
        }
    });
    bench.Ratio("VerifyInputSpend (node)", "libsecp256k1 xonly_pubkey_parse + schnorrsig_verify");
    secp256k1_context_destroy(ctx);
}

} // namespace

ODA_BENCHMARK(schnorr_verify, SchnorrVerify);
