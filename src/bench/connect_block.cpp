// ConnectBlock for a block of 2,000 taproot key-path spends, through the node's own
// validation path (TestBlockValidity: context checks + ConnectBlock on a throwaway
// view), with script checks on the caller only and then spread over both cores by
// the check queue. Timing the 2-thread run by CPU time would hide the speed-up, so
// its wall-clock rate is printed too.
#include <bench/bench.h>
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <node/blockindex.h>
#include <node/validation.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <test/util/block_builder.h>
#include <util/time.h>

#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr int SPENDS = 2000;

/** A regtest chain in a temporary directory with SPENDS mature key-path outputs at the tip,
 *  and an unconnected block spending all of them. */
struct SpendBlockSetup {
    std::filesystem::path dir;
    std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    MockableClock clock;
    std::unique_ptr<node::ChainstateManager> chainman;
    CKey key = *CKey::FromBytes(std::vector<uint8_t>(32, 0x42));
    ScriptBytes spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
    uint32_t extra_nonce{0};
    CBlock spend_block;

    explicit SpendBlockSetup(int script_threads)
    {
        std::random_device rd;
        dir = std::filesystem::temp_directory_path() / ("oda_bench_connect_" + std::to_string(rd()));
        clock.SetMockTime(params->GenesisBlock().time + 10000000);
        node::ChainstateOptions opts;
        opts.datadir = (dir / "regtest").string();
        opts.dbcache_bytes = 64 << 20;
        opts.script_threads = script_threads;
        opts.clock = &clock;
        chainman = std::make_unique<node::ChainstateManager>(*params, opts);
        std::string error;
        if (!chainman->Load(error)) throw std::runtime_error(error);

        // 101 blocks: the first coinbase matures; then fan it out into SPENDS outputs.
        std::vector<uint256> coinbases;
        for (int i = 0; i < 101; ++i) coinbases.push_back(Extend({}).vtx[0]->GetTxid());
        const CAmount subsidy = GetBlockSubsidy(1, params->GetConsensus());
        CMutableTransaction fan;
        fan.vin.emplace_back(COutPoint(coinbases[0], 0));
        const CAmount each = (subsidy - 100000) / SPENDS;
        for (int i = 0; i < SPENDS; ++i) fan.vout.emplace_back(each, spk);
        Sign(fan, {CTxOut(subsidy, spk)});
        const CTransaction fan_tx(fan);
        Extend({fan}, subsidy - each * SPENDS);

        std::vector<CMutableTransaction> spends;
        for (int i = 0; i < SPENDS; ++i) {
            CMutableTransaction tx;
            tx.vin.emplace_back(COutPoint(fan_tx.GetTxid(), i));
            tx.vout.emplace_back(each - 1000, spk);
            Sign(tx, {CTxOut(each, spk)});
            spends.push_back(std::move(tx));
        }
        spend_block = MakeBlock(spends, CAmount{1000} * SPENDS);
    }

    ~SpendBlockSetup()
    {
        chainman.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    void Sign(CMutableTransaction& tx, const std::vector<CTxOut>& spent)
    {
        std::string error;
        if (!SignTaprootKeyPath(tx, 0, spent, key, 0x00, &error)) throw std::runtime_error(error);
    }

    CBlock MakeBlock(const std::vector<CMutableTransaction>& txs, CAmount fees)
    {
        return BuildTestBlock(chainman->ActiveTip(), params->GetConsensus(), spk, ++extra_nonce, txs, fees);
    }

    CBlock Extend(const std::vector<CMutableTransaction>& txs, CAmount fees = 0)
    {
        CBlock block = MakeBlock(txs, fees);
        BlockValidationState state;
        bool is_new = false;
        if (!chainman->ProcessNewBlock(std::make_shared<const CBlock>(block), true, &is_new, &state)) {
            throw std::runtime_error("setup block rejected: " + state.ToString());
        }
        return block;
    }

    void ConnectOnce()
    {
        LOCK(chainman->Mutex());
        BlockValidationState state;
        if (!chainman->TestBlockValidity(spend_block, state, /*check_pow=*/true, /*check_merkle_root=*/true)) {
            throw std::runtime_error("bench block invalid: " + state.ToString());
        }
    }
};

void ConnectBlock2000(oda::bench::Bench& bench)
{
    bench.Note("regtest block of 2,000 one-input taproot key-path spends (TestBlockValidity -> ConnectBlock)");
    {
        SpendBlockSetup one_core(/*script_threads=*/0);
        bench.Measure("ConnectBlock, 1 core", SPENDS, "input", [&] { one_core.ConnectOnce(); });
    }
    {
        SpendBlockSetup two_cores(/*script_threads=*/1);
        const auto& m = bench.Measure("ConnectBlock, check queue on 2 cores", SPENDS, "input",
                                      [&] { two_cores.ConnectOnce(); });
        const auto& single = bench.Results()[bench.Results().size() - 2];
        bench.Note("wall clock: 1 core " + oda::bench::Si(SPENDS / single.median_wall_seconds) + "input/s, " +
                   "2 cores " + oda::bench::Si(SPENDS / m.median_wall_seconds) + "input/s, speed-up " +
                   std::to_string(single.median_wall_seconds / m.median_wall_seconds) + "x");
    }
}

} // namespace

ODA_BENCHMARK(connect_block_2000, ConnectBlock2000);
