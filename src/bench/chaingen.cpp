// oda-chaingen: writes a valid regtest chain whose blocks carry many signed
// taproot key-path spends, one hex-encoded block per line (what `submitblock`
// takes), starting on the regtest genesis. Used by contrib/bench/p2p_ibd_bench.py
// and test/functional/feature_chaingen.py; the Python signer is far too slow
// (~20 ms per signature) to build such chains.
//
// Chain shape:
//   - heights 1..100: coinbase-only blocks paying one key (the first coinbase
//     matures at height 101, COINBASE_MATURITY);
//   - then -blocks=N blocks with transactions. The first splits the coinbase of
//     height 1 into many outputs (the "fan"); every block spends the oldest
//     outputs of a FIFO pool with 1-input transactions of 2 outputs (1 output once
//     a value gets small), so the pool only grows. A coinbase joins the pool when
//     it matures. Every transaction pays a small fee; the coinbase claims
//     subsidy + fees exactly.
//   - block time = genesis time + height * spacing (default 1 s): increasing, so
//     median-time-past holds, and a 2,100-block chain ends 35 minutes after the
//     regtest genesis, which is already in the past (a 60 s spacing would put the
//     tip 35 hours after genesis, beyond the 2 h future limit for a while).
//
// Signing uses the node's own code (BIP 341 key-path message, BIP 340 through
// libsecp256k1) with the taproot-tweaked secret computed once, on -threads threads
// per block (a txid does not cover the witness, so a block's transactions are chosen
// first and signed afterwards). The output is deterministic for a given -seed (the
// BIP 340 aux randomness is derived from it) whatever the thread count.
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <consensus/consensus.h>
#include <consensus/pow.h>
#include <crypto/hash.h>
#include <hex.h>
#include <node/blockindex.h>
#include <primitives/block.h>
#include <primitives/transaction.h>
#include <script/keys.h>
#include <script/sighash.h>
#include <script/standard.h>
#include <streams.h>
#include <test/util/block_builder.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int DEFAULT_BLOCKS = 2000;
/** 150 spends per block: 2,000 blocks hold 300,000 transactions, which one run of the P2P
 *  benchmark validates twice within a few minutes on a 2-core machine (doc/benchmarks.md). */
constexpr int DEFAULT_TXS_PER_BLOCK = 150;
constexpr CAmount FEE = 200;           //!< per transaction (about 1 sat/vB)
constexpr CAmount MIN_OUTPUT = 1000;   //!< a value below 2 * MIN_OUTPUT + FEE is not split
/** Weight kept free in a "full" block for the header, the transaction count and the coinbase
 *  (about 650 WU with its witness commitment). */
constexpr int64_t FULL_BLOCK_RESERVE = 4000;
/** Outputs of the fan transaction in "full" mode (a full block holds ~6,490 spends). */
constexpr int FULL_FAN_OUTPUTS = 7000;

struct Options {
    int blocks{DEFAULT_BLOCKS};
    int txs_per_block{DEFAULT_TXS_PER_BLOCK}; //!< 0 = fill each block up to the weight limit
    std::string out;
    std::string seed{"1"};
    int64_t spacing{1};
    int threads{0}; //!< signing threads; 0 = one per core
};

struct Utxo {
    COutPoint outpoint;
    CAmount value;
};

uint256 SeedHash(const std::string& purpose, const std::string& seed)
{
    const std::string s = "oda-chaingen " + purpose + " " + seed;
    return Sha256(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bool ParseInt(const std::string& s, int64_t min, int64_t max, int64_t& out)
{
    if (s.empty()) return false;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (*end != '\0' || v < min || v > max) return false;
    out = v;
    return true;
}

void Usage()
{
    std::printf(
        "usage: oda-chaingen -out=FILE [-blocks=N] [-txs-per-block=K|full] [-seed=S] [-spacing=SECONDS]\n"
        "                    [-threads=T]\n"
        "Writes a regtest chain, one hex block per line, starting on the regtest genesis:\n"
        "100 coinbase-only blocks, then N blocks (default %d) of K one-input taproot key-path\n"
        "spends each (default %d; 'full' = as many as fit the %lld weight limit). Block times are\n"
        "genesis time + height * SECONDS (default 1). T threads sign (default: one per core;\n"
        "the output does not depend on T). Statistics go to stderr.\n",
        DEFAULT_BLOCKS, DEFAULT_TXS_PER_BLOCK, static_cast<long long>(MAX_BLOCK_WEIGHT));
}

/** Builds and writes the chain. */
class ChainGenerator
{
    std::unique_ptr<const ChainParams> m_params = CreateChainParams(ChainType::REGTEST);
    const Options m_opts;
    CKey m_signing_key; //!< the tweaked secret for m_spk's output key
    ScriptBytes m_spk;
    uint256 m_aux;
    uint256 m_tip_hash;
    node::CBlockIndex m_tip; //!< header fields of the last block written (BuildTestBlock's "prev")
    std::vector<Utxo> m_coinbases; //!< by height - 1
    std::deque<Utxo> m_pool;
    std::FILE* m_out;

public:
    uint64_t txs_written{0};
    uint64_t bytes_written{0};
    int64_t max_weight{0};
    int64_t loaded_weight_sum{0};

    ChainGenerator(Options opts, std::FILE* out) : m_opts(std::move(opts)), m_out(out)
    {
        const auto key = CKey::FromBytes(SeedHash("key", m_opts.seed).data(), 32);
        if (!key) throw std::runtime_error("the seed gives an invalid key; try another -seed");
        const auto tweaked = TaprootTweakSecret(*key);
        const auto output_key = TaprootTweak(key->GetXOnlyPubKey());
        if (!tweaked || !output_key || tweaked->GetXOnlyPubKey() != *output_key) {
            throw std::runtime_error("taproot tweak failed; try another -seed");
        }
        m_signing_key = *tweaked;
        m_spk = TaprootOutputScript(*output_key);
        m_aux = SeedHash("aux", m_opts.seed);
        const CBlock& genesis = m_params->GenesisBlock();
        m_tip_hash = genesis.GetHash();
        m_tip = node::CBlockIndex(genesis);
        m_tip.phash = &m_tip_hash;
        m_tip.height = 0;
    }

    int64_t MaxFutureBlockTime() const { return m_params->GetConsensus().max_future_block_time; }

    int64_t LastBlockTime() const
    {
        return int64_t(m_params->GenesisBlock().time) + int64_t(COINBASE_MATURITY + m_opts.blocks) * m_opts.spacing;
    }

    void Run()
    {
        for (int i = 0; i < COINBASE_MATURITY; ++i) Extend({}, 0);
        for (int i = 0; i < m_opts.blocks; ++i) {
            const int height = m_tip.height + 1;
            std::vector<CMutableTransaction> txs;
            std::vector<CAmount> spent_values;
            CAmount fees = 0;
            int64_t weight = 0;
            const Utxo matured = m_coinbases.at(height - COINBASE_MATURITY - 1);
            if (i == 0) {
                const int fan_outputs = m_opts.txs_per_block ? std::max(m_opts.txs_per_block, 2) : FULL_FAN_OUTPUTS;
                txs.push_back(Spend(matured, fan_outputs, fees, weight));
                spent_values.push_back(matured.value);
            } else if (matured.value >= MIN_OUTPUT) {
                // (After ~64 regtest halvings, a coinbase of a block without fees pays nothing.)
                m_pool.push_back(matured);
            }
            const int64_t budget = m_params->GetConsensus().max_block_weight - FULL_BLOCK_RESERVE;
            const int64_t spend_weight = TwoOutputSpendWeight();
            while (true) {
                if (m_opts.txs_per_block) {
                    if (static_cast<int>(txs.size()) >= m_opts.txs_per_block) break;
                } else if (weight + spend_weight > budget) {
                    break;
                }
                const Utxo u = m_pool.front();
                m_pool.pop_front();
                txs.push_back(Spend(u, u.value >= 2 * MIN_OUTPUT + FEE ? 2 : 1, fees, weight));
                spent_values.push_back(u.value);
            }
            SignAll(txs, spent_values);
            const int64_t block_weight = Extend(txs, fees);
            loaded_weight_sum += block_weight;
            if (block_weight > max_weight) max_weight = block_weight;
        }
    }

private:
    /** The weight of a 1-input, 2-output key-path spend (every field has a fixed size). */
    int64_t TwoOutputSpendWeight() const
    {
        CMutableTransaction tx;
        tx.vin.emplace_back(COutPoint(uint256(), 0));
        tx.vin[0].witness.stack.assign(1, std::vector<uint8_t>(64));
        tx.vout.assign(2, CTxOut(MIN_OUTPUT, m_spk));
        return GetTransactionWeight(CTransaction(tx));
    }

    /** A transaction spending `u` into `n_out` outputs to the chain's key, with a zero
     *  placeholder signature (SignAll replaces it; the txid does not cover the witness and the
     *  weight does not change). The new outputs join the pool, the fee joins `fees`, the
     *  weight joins `weight`. */
    CMutableTransaction Spend(const Utxo& u, int n_out, CAmount& fees, int64_t& weight)
    {
        const CAmount fee = u.value >= MIN_OUTPUT * n_out + FEE ? FEE : 0;
        const CAmount each = (u.value - fee) / n_out;
        if (each <= 0) throw std::runtime_error("output value too small to split");
        CMutableTransaction tx;
        tx.vin.emplace_back(u.outpoint);
        tx.vin[0].sequence = 0xfffffffd;
        for (int i = 0; i < n_out; ++i) tx.vout.emplace_back(each, m_spk);
        tx.vout[0].value += u.value - fee - each * n_out; // the rounding remainder
        tx.vin[0].witness.stack.assign(1, std::vector<uint8_t>(64, 0));
        const CTransaction final_tx(tx);
        for (int i = 0; i < n_out; ++i) m_pool.push_back({COutPoint(final_tx.GetTxid(), i), tx.vout[i].value});
        fees += fee;
        weight += GetTransactionWeight(final_tx);
        return tx;
    }

    /** Signs input 0 of every transaction (spending spent_values[i] paid to m_spk): BIP 341
     *  key-path message, SIGHASH_DEFAULT, BIP 340 signature with the tweaked key. The
     *  transactions are independent, so m_opts.threads threads share them; the result does not
     *  depend on the thread count (the aux randomness is fixed). */
    void SignAll(std::vector<CMutableTransaction>& txs, const std::vector<CAmount>& spent_values) const
    {
        std::atomic<bool> failed{false};
        auto sign_range = [&](size_t begin, size_t end) {
            for (size_t i = begin; i < end && !failed; ++i) {
                CMutableTransaction& tx = txs[i];
                const PrecomputedTxData txdata(tx, {CTxOut(spent_values[i], m_spk)});
                const auto sighash = TaprootSignatureHash(tx, 0, SIGHASH_DEFAULT, txdata);
                const auto sig = sighash ? SignSchnorr(m_signing_key, *sighash, m_aux) : std::nullopt;
                if (!sig) {
                    failed = true;
                    return;
                }
                tx.vin[0].witness.stack.assign(1, std::vector<uint8_t>(sig->begin(), sig->end()));
            }
        };
        const size_t n_threads = std::min<size_t>(std::max(1, m_opts.threads), std::max<size_t>(1, txs.size() / 16));
        const size_t chunk = (txs.size() + n_threads - 1) / std::max<size_t>(1, n_threads);
        std::vector<std::thread> workers;
        for (size_t t = 1; t < n_threads; ++t) {
            workers.emplace_back(sign_range, std::min(txs.size(), t * chunk), std::min(txs.size(), (t + 1) * chunk));
        }
        sign_range(0, std::min(txs.size(), chunk));
        for (std::thread& w : workers) w.join();
        if (failed) throw std::runtime_error("signing failed");
    }

    /** Builds the next block with `txs`, writes it, makes it the tip; returns its weight. */
    int64_t Extend(const std::vector<CMutableTransaction>& txs, CAmount fees)
    {
        const ConsensusParams& consensus = m_params->GetConsensus();
        CBlock block = BuildTestBlock(&m_tip, consensus, m_spk, /*extra_nonce=*/0, txs, fees);
        // BuildTestBlock spaces blocks 60 s apart; restamp and grind the nonce again.
        block.time = static_cast<uint32_t>(int64_t(m_params->GenesisBlock().time) + (m_tip.height + 1) * m_opts.spacing);
        block.nonce = 0;
        while (!CheckProofOfWork(block.GetHash(), block.bits, consensus)) ++block.nonce;
        const int64_t weight = GetBlockWeight(block);
        if (weight > consensus.max_block_weight) throw std::runtime_error("block over the weight limit");

        const std::vector<uint8_t> bytes = SerializeToBytes(block);
        const std::string hex = HexStr(bytes);
        if (std::fwrite(hex.data(), 1, hex.size(), m_out) != hex.size() || std::fputc('\n', m_out) == EOF) {
            throw std::runtime_error("write failed");
        }
        bytes_written += bytes.size();
        txs_written += block.vtx.size();

        m_tip_hash = block.GetHash();
        const int height = m_tip.height + 1;
        m_tip = node::CBlockIndex(block);
        m_tip.phash = &m_tip_hash;
        m_tip.height = height;
        m_coinbases.push_back({COutPoint(block.vtx[0]->GetTxid(), 0), block.vtx[0]->vout[0].value});
        return weight;
    }
};

} // namespace

int main(int argc, char** argv)
{
    Options opts;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
        int64_t v = 0;
        if (name == "-h" || name == "-help" || name == "--help") {
            Usage();
            return 0;
        } else if (name == "-blocks" && ParseInt(value, 1, 1000000, v)) {
            opts.blocks = static_cast<int>(v);
        } else if (name == "-txs-per-block" && value == "full") {
            opts.txs_per_block = 0;
        } else if (name == "-txs-per-block" && ParseInt(value, 1, 100000, v)) {
            opts.txs_per_block = static_cast<int>(v);
        } else if (name == "-spacing" && ParseInt(value, 1, 600, v)) {
            opts.spacing = v;
        } else if (name == "-threads" && ParseInt(value, 0, 64, v)) {
            opts.threads = static_cast<int>(v);
        } else if (name == "-out" && !value.empty()) {
            opts.out = value;
        } else if (name == "-seed" && eq != std::string::npos) {
            opts.seed = value;
        } else {
            std::fprintf(stderr, "oda-chaingen: bad argument %s (try -help)\n", arg.c_str());
            return 1;
        }
    }
    if (opts.threads == 0) opts.threads = std::max(1u, std::thread::hardware_concurrency());
    if (opts.out.empty()) {
        std::fprintf(stderr, "oda-chaingen: -out=FILE is required (try -help)\n");
        return 1;
    }
    std::FILE* out = std::fopen(opts.out.c_str(), "wb");
    if (!out) {
        std::fprintf(stderr, "oda-chaingen: cannot open %s for writing\n", opts.out.c_str());
        return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    try {
        ChainGenerator gen(opts, out);
        const int64_t future_limit = int64_t(std::time(nullptr)) + gen.MaxFutureBlockTime();
        if (gen.LastBlockTime() > future_limit) {
            std::fprintf(stderr, "oda-chaingen: warning: the last block's time is %lld s beyond now + 2 h; nodes "
                                 "reject it until then (use a smaller -spacing)\n",
                         static_cast<long long>(gen.LastBlockTime() - future_limit));
        }
        gen.Run();
        const int close_rc = std::fclose(out);
        out = nullptr;
        if (close_rc != 0) throw std::runtime_error("write failed");
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const uint64_t spends = gen.txs_written - (COINBASE_MATURITY + opts.blocks);
        std::fprintf(stderr,
                     "oda-chaingen: wrote %d blocks (%llu transactions, %llu of them spends; %.1f MB) to %s in %.2f s "
                     "(%.0f spends/s); loaded blocks: mean weight %lld WU, max %lld WU\n",
                     COINBASE_MATURITY + opts.blocks, static_cast<unsigned long long>(gen.txs_written),
                     static_cast<unsigned long long>(spends), gen.bytes_written / 1e6, opts.out.c_str(), secs,
                     spends / secs, static_cast<long long>(gen.loaded_weight_sum / opts.blocks),
                     static_cast<long long>(gen.max_weight));
    } catch (const std::exception& e) {
        if (out) std::fclose(out);
        std::fprintf(stderr, "oda-chaingen: %s\n", e.what());
        return 1;
    }
    return 0;
}
