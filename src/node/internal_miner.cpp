#include <node/internal_miner.h>

#include <consensus/chainparams.h>
#include <node/context.h>
#include <node/miner.h>
#include <node/validation.h>
#include <script/address.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/strencodings.h>

#include <memory>

namespace node {

namespace {
/** Hashes between checks for a new tip, a stale template or a stop request: small enough
 *  that a stop is seen quickly, large enough that the checks cost nothing. */
constexpr uint64_t HASHES_PER_CHUNK = 50'000;
/** Pause after a template could not be built, before trying again. */
constexpr std::chrono::milliseconds RETRY_AFTER_FAILURE{1000};
/** Each thread's extra nonces start at thread_index << 24, so threads never share a header. */
constexpr int EXTRA_NONCE_SHIFT = 24;
} // namespace

InternalMiner::InternalMiner(ChainstateManager& chainman, const CTxMemPool* mempool, InternalMinerOptions options)
    : m_chainman(chainman), m_mempool(mempool), m_options(std::move(options))
{
}

InternalMiner::~InternalMiner() { Stop(); }

void InternalMiner::Start()
{
    LOCK(m_mutex);
    if (!m_threads.empty()) return;
    m_stop = false;
    LogPrintf("InternalMiner: mining with %d thread%s%s\n", m_options.threads, m_options.threads == 1 ? "" : "s",
              m_options.pace.count() ? strprintf(", pausing %lld ms after each block", static_cast<long long>(m_options.pace.count())).c_str() : "");
    for (int i = 0; i < m_options.threads; ++i) m_threads.emplace_back([this, i] { Work(i); });
}

void InternalMiner::Stop()
{
    std::vector<std::thread> threads;
    {
        LOCK(m_mutex);
        m_stop = true;
        threads.swap(m_threads);
    }
    m_cv.notify_all();
    for (std::thread& t : threads) t.join();
    if (!threads.empty()) {
        LogPrintf("InternalMiner: stopped (%llu blocks found)\n", static_cast<unsigned long long>(m_found.load()));
    }
}

bool InternalMiner::Pause(std::chrono::milliseconds d)
{
    UniqueLock<Mutex> lock(m_mutex);
    const auto until = std::chrono::steady_clock::now() + d;
    while (!m_stop && std::chrono::steady_clock::now() < until) m_cv.wait_until(lock, until);
    return !m_stop;
}

void InternalMiner::Work(int thread_index)
{
    const ConsensusParams& consensus = m_chainman.Consensus();
    uint32_t extra_nonce = static_cast<uint32_t>(thread_index) << EXTRA_NONCE_SHIFT;
    while (!Stopping()) {
        if (m_chainman.FatalErrorOccurred()) {
            LogPrintf("InternalMiner: thread %d stops: validation stopped after a fatal error\n", thread_index);
            return;
        }
        const CBlockIndex* tip = m_chainman.ActiveTip();
        std::string error;
        BlockAssembler assembler(m_chainman, m_mempool);
        std::unique_ptr<BlockTemplate> tmpl = assembler.CreateNewBlock(m_options.coinbase_script, error);
        if (!tmpl) {
            LogPrintf("InternalMiner: cannot build a block template: %s\n", error.c_str());
            if (!Pause(RETRY_AFTER_FAILURE)) return;
            continue;
        }
        CBlock& block = tmpl->block;
        const auto built = std::chrono::steady_clock::now();
        bool found = false;
        bool stale = false;
        while (!found && !stale && !Stopping()) {
            IncrementExtraNonce(block, tmpl->height, ++extra_nonce);
            block.nonce = 0;
            for (;;) {
                uint64_t tries = HASHES_PER_CHUNK;
                if (GrindNonce(block, consensus, tries)) {
                    found = true;
                    break;
                }
                if (tries > 0) break; // nonce space used up: next extra nonce
                if (Stopping()) break;
                if (m_chainman.ActiveTip() != tip || std::chrono::steady_clock::now() - built > m_options.refresh) {
                    stale = true; // a new tip, or new mempool transactions may be waiting
                    break;
                }
            }
        }
        if (!found) continue;
        if (m_chainman.ActiveTip() != tip) continue; // someone else extended the tip meanwhile
        auto shared = std::make_shared<const CBlock>(block);
        BlockValidationState state;
        bool new_block = false;
        if (!m_chainman.ProcessNewBlock(shared, /*force_processing=*/true, &new_block, &state)) {
            LogPrintf("InternalMiner: block %s not accepted: %s\n", block.GetHash().GetHex().c_str(), state.ToString().c_str());
            if (!Pause(RETRY_AFTER_FAILURE)) return;
            continue;
        }
        ++m_found;
        LogPrintf("InternalMiner: found block %s at height %lld (%u transactions, thread %d)\n",
                  block.GetHash().GetHex().c_str(), static_cast<long long>(tmpl->height),
                  static_cast<unsigned>(block.vtx.size()), thread_index);
        if (m_options.pace.count() > 0 && !Pause(m_options.pace)) return;
    }
}

void AddMinerArgs(ArgsManager& args)
{
    args.AddArg("-mine=<address>", "Mine blocks with the built-in miner, paying the coinbase to <address> (doc/mining.md)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-minethreads=<n>", strprintf("Number of built-in miner threads with -mine (1 to %d, default: %d)",
                                              MAX_MINE_THREADS, DEFAULT_MINE_THREADS),
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-minepace=<ms>", "With -mine, pause <ms> milliseconds after each block found, so that a regtest node "
                "(minimum difficulty) does not find blocks back to back (default: 0)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
}

bool CreateInternalMiner(NodeContext& node, std::string& error)
{
    const ArgsManager& args = *node.args;
    const std::string address = args.GetArg("-mine", "");
    if (!args.IsArgSet("-mine") || args.IsArgNegated("-mine")) return true;
    std::string why;
    auto script = DecodeDestination(address, node.chainparams->Bech32HRP(), &why);
    if (address.empty() || !script) {
        error = strprintf("Invalid -mine address '%s'%s", SanitizeString(address, 100).c_str(),
                          why.empty() ? "" : (": " + why).c_str());
        return false;
    }
    InternalMinerOptions opts;
    opts.coinbase_script = *script;
    const int64_t threads = args.GetIntArg("-minethreads", DEFAULT_MINE_THREADS);
    if (threads < 1 || threads > MAX_MINE_THREADS) {
        error = strprintf("Invalid -minethreads=%lld (1 to %d)", static_cast<long long>(threads), MAX_MINE_THREADS);
        return false;
    }
    opts.threads = static_cast<int>(threads);
    const int64_t pace = args.GetIntArg("-minepace", 0);
    if (pace < 0 || pace > 3'600'000) {
        error = strprintf("Invalid -minepace=%lld (0 to 3600000 milliseconds)", static_cast<long long>(pace));
        return false;
    }
    opts.pace = std::chrono::milliseconds(pace);
    node.miner = std::make_shared<InternalMiner>(*node.chainman, node.mempool.get(), std::move(opts));
    return true;
}

} // namespace node
