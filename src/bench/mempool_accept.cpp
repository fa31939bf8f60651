// Mempool acceptance rate: AcceptToMemoryPool on independent, signed key-path
// spends (one input, one output) against a fixed chain view, next to the cost
// of the signature check alone, so the ratio shows what policy and pool
// bookkeeping add on top of the unavoidable Schnorr verification.
#include <bench/bench.h>
#include <consensus/chainparams.h>
#include <node/mempool.h>
#include <node/mempool_accept.h>
#include <script/keys.h>
#include <script/sighash.h>
#include <script/sign.h>
#include <script/standard.h>
#include <script/verify.h>

#include <map>
#include <stdexcept>
#include <vector>

namespace {

constexpr int TX_COUNT = 1000;

void MempoolAccept(oda::bench::Bench& bench)
{
    auto params = CreateChainParams(ChainType::REGTEST);
    CKey key = *CKey::FromBytes(std::vector<uint8_t>(32, 0x5a));
    const ScriptBytes spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
    std::map<COutPoint, Coin> coins;
    std::vector<CTransactionRef> txs;
    std::vector<PrecomputedTxData> txdata;
    for (int i = 0; i < TX_COUNT; ++i) {
        uint256 h;
        h.data()[0] = uint8_t(i);
        h.data()[1] = uint8_t(i >> 8);
        h.data()[2] = 0xbe;
        const COutPoint prevout(h, 0);
        coins[prevout] = Coin(CTxOut(100000, spk), 1, false);
        CMutableTransaction mtx;
        mtx.vin.emplace_back(prevout);
        mtx.vout.emplace_back(90000, spk);
        std::string error;
        if (!SignTaprootKeyPath(mtx, 0, {CTxOut(100000, spk)}, key, 0x00, &error)) throw std::runtime_error(error);
        txs.push_back(MakeTransactionRef(std::move(mtx)));
        txdata.emplace_back(*txs.back(), std::vector<CTxOut>{CTxOut(100000, spk)});
    }
    MempoolChainView view;
    view.params = &params->GetConsensus();
    view.tip_height = 200;
    view.tip_median_time_past = 1700000000;
    view.get_coin = [&coins](const COutPoint& o) -> std::optional<Coin> {
        auto it = coins.find(o);
        if (it == coins.end()) return std::nullopt;
        return it->second;
    };

    bench.Note("independent 1-in/1-out taproot key-path spends, fresh pool per run");
    bench.Measure("AcceptToMemoryPool", TX_COUNT, "tx", [&] {
        CTxMemPool pool;
        for (const CTransactionRef& tx : txs) {
            if (!AcceptToMemoryPoolAt(view, pool, tx, {}).IsValid()) throw std::runtime_error("bench tx rejected");
        }
    });
    bench.Measure("VerifyInputSpend only", TX_COUNT, "tx", [&] {
        for (size_t i = 0; i < txs.size(); ++i) {
            if (!VerifyInputSpend(*txs[i], 0, txdata[i], nullptr)) throw std::runtime_error("bad signature");
        }
    });
    bench.Ratio("AcceptToMemoryPool", "VerifyInputSpend only");
}

} // namespace

ODA_BENCHMARK(mempool_accept, MempoolAccept);
