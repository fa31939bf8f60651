// Node subsystem hooks (declared in node/init.h): chain parameters, the
// chainstate (block storage, UTXO set, validation) and the mempool (with the block-assembly options).
//
// Start: ChainParams for the selected network -> ChainstateManager::Load (which
// creates the genesis state on first start, rebuilds on -reindex*, and replays
// blocks after a crash) -> the -txindex observer (caught up to the tip, then
// registered). Stop: reverse order; the chainstate flushes to disk.
#include <node/init.h>

#include <consensus/chainparams.h>
#include <node/context.h>
#include <node/data_wait.h>
#include <node/internal_miner.h>
#include <node/mempool_init.h>
#include <node/inference_index.h>
#include <node/oda_executor.h>
#include <node/txindex.h>
#include <node/validation.h>
#include <oda/storage/file_store.h>
#include <util/args.h>
#include <util/logging.h>

#include <thread>

namespace {
constexpr int64_t DEFAULT_DBCACHE_MB = 450;
constexpr int64_t MIN_DBCACHE_MB = 4;
constexpr int64_t MAX_DBCACHE_MB = 1 << 20;
/** Upper bound on -par (script check threads, including the main one). */
constexpr int MAX_SCRIPTCHECK_THREADS = 15;
/** Opens the model file store (doc/files.md, odafiles/): before the chainstate, which will
 *  look files up while it validates blocks. */
bool StartFileStore(NodeContext& node, std::string& error)
{
    auto store = std::make_shared<oda::storage::FileStore>(
        node.args->GetDataDirNet() / "odafiles", oda::storage::FileLimits::FromConsensus(node.chainparams->GetConsensus()));
    if (!store->Open(error)) {
        error = "Cannot open the model file store: " + error;
        return false;
    }
    node.file_store = std::move(store);
    // The executor reads the store; validation and the mempool share it (and its cache).
    node.oda_executor = std::make_shared<node::EngineExecutor>(node.file_store);
    return true;
}
} // namespace

void AddNodeSubsystemArgs(ArgsManager& args)
{
    args.AddArg("-dbcache=<n>", "Maximum database cache size <n> MiB (minimum 4, default: 450). The UTXO cache is flushed when it grows past its share.",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-par=<n>", "Number of script verification threads (1 to 15, 0 = number of cores, default: 0)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-txindex", "Maintain a full transaction index, used by the getrawtransaction rpc call (default: 0)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-reindex", "Rebuild chain state and block index from the blk*.dat files on disk",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-reindex-chainstate", "Rebuild chain state from the currently indexed blocks",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-assumevalid=<hex>", "If this block is in the chain assume that it and its ancestors are valid and potentially skip their script verification (0 to verify all, default: 0)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-testfaultinject=<point>", "Make one kind of write fail after start-up, to test fatal-error handling: blockwrite, undowrite, coinsflush, diskspace (tests only)",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
    AddMempoolArgs(args);
    node::AddMinerArgs(args);
}

bool StartNodeSubsystems(NodeContext& node, std::string& error)
{
    ArgsManager& args = *node.args;
    const std::string chain_name = args.GetChainTypeString();
    std::optional<ChainType> chain = ChainTypeFromString(chain_name);
    if (!chain) {
        error = "Unknown chain " + chain_name;
        return false;
    }
    node.chainparams = CreateChainParams(*chain);
    if (!StartFileStore(node, error)) return false;

    node::ChainstateOptions opts;
    opts.datadir = args.GetDataDirNet().string();
    const int64_t dbcache_mb = std::clamp<int64_t>(args.GetIntArg("-dbcache", DEFAULT_DBCACHE_MB), MIN_DBCACHE_MB, MAX_DBCACHE_MB);
    opts.dbcache_bytes = dbcache_mb << 20;
    int par = static_cast<int>(args.GetIntArg("-par", 0));
    if (par <= 0) par = static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) + par;
    par = std::clamp(par, 1, MAX_SCRIPTCHECK_THREADS);
    opts.script_threads = par - 1; // the validating thread checks too
    const bool txindex = args.GetBoolArg("-txindex", false);
    opts.reindex = args.GetBoolArg("-reindex", false);
    opts.reindex_chainstate = args.GetBoolArg("-reindex-chainstate", false);
    const std::string assumevalid = args.GetArg("-assumevalid", "0");
    if (assumevalid != "0" && !assumevalid.empty()) {
        auto hash = uint256::FromHex(assumevalid);
        if (!hash) {
            error = "Invalid -assumevalid: " + assumevalid + " (expected a 64-digit block hash or 0)";
            return false;
        }
        opts.assumevalid = *hash;
    }
    opts.clock = &node.clock;
    opts.test_fault = args.GetArg("-testfaultinject", "");
    LogPrintf("Chainstate: datadir=%s dbcache=%lldMiB script threads=%d txindex=%d\n", opts.datadir.c_str(),
              static_cast<long long>(dbcache_mb), par, txindex ? 1 : 0);

    auto chainman = std::make_shared<node::ChainstateManager>(*node.chainparams, opts);
    // Before Load: blocks replayed or reindexed at start-up are executed too, and blocks found
    // waiting for files at start-up register them.
    chainman->SetOdaExecutor(node.oda_executor.get());
    auto data_waiter = std::make_shared<node::BlockDataWaiter>(*chainman, *node.file_store);
    data_waiter->Start();
    if (!chainman->Load(error)) {
        data_waiter->Stop();
        return false;
    }
    node.chainman = std::move(chainman);
    node.data_waiter = std::move(data_waiter);
    if (txindex) {
        // -reindex / -reindex-chainstate rebuild the index with the chainstate.
        auto index = std::make_shared<node::TxIndex>(
            *node.chainman, node::DBOptions{opts.datadir + "/indexes/txindex", 2 << 20, opts.reindex || opts.reindex_chainstate});
        if (!index->Start(error)) return false;
        node.txindex = std::move(index);
    }
    {
        // Always on (getinference); rebuilt with the chainstate like -txindex.
        auto index = std::make_shared<node::InferenceIndex>(
            *node.chainman, node::DBOptions{opts.datadir + "/indexes/inferindex", 1 << 20, opts.reindex || opts.reindex_chainstate});
        if (!index->Start(error)) return false;
        node.inference_index = std::move(index);
    }
    if (!StartMempool(node, error)) return false;
    // -mine: created (options checked) here, started by init once every service runs.
    return node::CreateInternalMiner(node, error);
}

void StopNodeSubsystems(NodeContext& node)
{
    if (node.miner) {
        node.miner->Stop(); // before the mempool and chainstate it uses
        node.miner.reset();
    }
    StopMempool(node);
    if (node.inference_index) {
        node.inference_index->Stop();
        node.inference_index.reset();
    }
    if (node.txindex) {
        node.txindex->Stop(); // applies what is still queued, then unregisters
        node.txindex.reset();
    }
    if (node.data_waiter) {
        node.data_waiter->Stop(); // a retry in progress finishes first
        node.data_waiter.reset();
    }
    if (node.chainman) {
        node.chainman->FlushStateToDisk(node::FlushMode::ALWAYS);
        node.chainman->SetOdaExecutor(nullptr);
        node.chainman.reset(); // destructor flushes again (cheap) and closes the databases
    }
    node.oda_executor.reset(); // reads file_store
    node.file_store.reset();
    node.chainparams.reset();
}
