#include <node/mempool_init.h>

#include <node/context.h>
#include <node/mempool.h>
#include <node/mempool_persist.h>
#include <node/mempool_sync.h>
#include <node/oda_executor.h>
#include <node/policy.h>
#include <consensus/amount.h>
#include <node/validation.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/strencodings.h>

namespace {

/** A fee-rate option given in coins per kvB ("0.00001"); false if it does not parse. */
bool ParseFeeRateArg(const ArgsManager& args, const std::string& name, CFeeRate& out, std::string& error)
{
    if (!args.IsArgSet(name)) return true;
    const std::string value = args.GetArg(name, "");
    std::optional<int64_t> units = ParseMoney(value);
    if (!units) {
        error = "Invalid amount for " + name + "=<amount>: '" + value + "'";
        return false;
    }
    out = CFeeRate(*units);
    return true;
}

bool ParseNonNegative(const ArgsManager& args, const std::string& name, int64_t def, int64_t& out, std::string& error)
{
    out = args.GetIntArg(name, def);
    if (out < 0) {
        error = "Invalid value for " + name + ": must not be negative";
        return false;
    }
    return true;
}

} // namespace

void AddMempoolArgs(ArgsManager& args)
{
    const auto cat = OptionsCategory::OPTIONS;
    args.AddArg("-persistmempool", "Whether to save the mempool on shutdown and load on restart (default: 1)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-maxmempool=<n>", "Keep the transaction memory pool below <n> megabytes (default: 300)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-mempoolexpiry=<n>", "Do not keep transactions in the mempool longer than <n> hours (default: 336)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-minrelaytxfee=<amt>", "Fees (in ODA/kvB) smaller than this are considered zero fee for relaying and mempool acceptance (default: 0.00001)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-incrementalrelayfee=<amt>", "Fee rate (in ODA/kvB) the mempool minimum fee rises by over an evicted package (default: 0.00001)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-dustrelayfee=<amt>", "Fee rate (in ODA/kvB) used to define dust outputs (default: 0.00003)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-blockmintxfee=<amt>", "Set lowest fee rate (in ODA/kvB) for transactions to be included in block creation (default: 0.00001)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-mincomputefee=<n>", strprintf("Minimum fee, in base units per million compute units, that an ODA transaction pays for its compute work on top of -minrelaytxfee (default: %lld)", static_cast<long long>(DEFAULT_MIN_FEE_PER_MILLION_CU)), ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-limitancestorcount=<n>", "Do not accept transactions if number of in-mempool ancestors is <n> or more (default: 25)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-limitancestorsize=<n>", "Do not accept transactions whose size with all in-mempool ancestors exceeds <n> kilobytes (default: 101)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-limitdescendantcount=<n>", "Do not accept transactions if any ancestor would have <n> or more in-mempool descendants (default: 25)", ArgsManager::ALLOW_ANY, cat);
    args.AddArg("-limitdescendantsize=<n>", "Do not accept transactions if any ancestor would have more than <n> kilobytes of in-mempool descendants (default: 101)", ArgsManager::ALLOW_ANY, cat);
}

bool StartMempool(NodeContext& node, std::string& error)
{
    const ArgsManager& args = *node.args;
    MemPoolOptions opts;
    int64_t v = 0;
    if (!ParseNonNegative(args, "-maxmempool", DEFAULT_MAX_MEMPOOL_SIZE_MB, v, error)) return false;
    opts.max_size_bytes = v * 1000000;
    if (!ParseNonNegative(args, "-mempoolexpiry", DEFAULT_MEMPOOL_EXPIRY_HOURS, v, error)) return false;
    opts.expiry_seconds = v * 60 * 60;
    if (!ParseFeeRateArg(args, "-minrelaytxfee", opts.min_relay_feerate, error)) return false;
    if (!ParseFeeRateArg(args, "-incrementalrelayfee", opts.incremental_relay_feerate, error)) return false;
    if (!ParseFeeRateArg(args, "-dustrelayfee", opts.dust_relay_feerate, error)) return false;
    if (!ParseNonNegative(args, "-mincomputefee", DEFAULT_MIN_FEE_PER_MILLION_CU, opts.min_compute_fee_per_million_cu, error)) return false;
    if (opts.min_compute_fee_per_million_cu > MAX_MONEY) {
        error = "Invalid value for -mincomputefee: more than the money supply per million compute units";
        return false;
    }
    if (!ParseNonNegative(args, "-limitancestorcount", DEFAULT_ANCESTOR_LIMIT, opts.limits.ancestor_count, error)) return false;
    if (!ParseNonNegative(args, "-limitancestorsize", DEFAULT_ANCESTOR_SIZE_LIMIT_KVB, v, error)) return false;
    opts.limits.ancestor_size_vbytes = v * 1000;
    if (!ParseNonNegative(args, "-limitdescendantcount", DEFAULT_DESCENDANT_LIMIT, opts.limits.descendant_count, error)) return false;
    if (!ParseNonNegative(args, "-limitdescendantsize", DEFAULT_DESCENDANT_SIZE_LIMIT_KVB, v, error)) return false;
    opts.limits.descendant_size_vbytes = v * 1000;
    // -maxmempool below 5 MB would evict nearly everything at once (Core's floor).
    if (opts.max_size_bytes < 5000000) {
        error = "-maxmempool must be at least 5 MB";
        return false;
    }
    const MockableClock* clock = &node.clock;
    opts.clock = [clock] { return clock->Now(); };
    opts.signals = &node.chainman->Signals();
    opts.file_store = node.file_store.get();
    // The executor blocks use: what the pool runs on arrival is in its cache for the block.
    opts.oda_executor = node.oda_executor.get();

    node.mempool = std::make_shared<CTxMemPool>(opts);
    node.mempool_sync = std::make_shared<MempoolChainSync>(*node.chainman, *node.mempool);
    node.chainman->Signals().Register(node.mempool_sync.get());
    LogPrintf("Mempool: max %lld MB, min relay fee %s, min compute fee %lld per million CU\n",
              static_cast<long long>(opts.max_size_bytes / 1000000), opts.min_relay_feerate.ToString().c_str(),
              static_cast<long long>(opts.min_compute_fee_per_million_cu));
    if (args.GetBoolArg("-persistmempool", DEFAULT_PERSIST_MEMPOOL)) {
        MempoolLoadStats stats;
        std::string load_error;
        if (!LoadMempool(*node.chainman, *node.mempool, MempoolDumpPath(node), stats, load_error)) {
            LogPrintf("Mempool: ignoring mempool.dat: %s\n", load_error.c_str());
        }
        LogPrintf("Mempool: loaded %llu of %llu transactions from mempool.dat (%llu failed, %llu expired)\n",
                  static_cast<unsigned long long>(stats.accepted), static_cast<unsigned long long>(stats.read),
                  static_cast<unsigned long long>(stats.failed), static_cast<unsigned long long>(stats.expired));
    }
    return true;
}

std::filesystem::path MempoolDumpPath(const NodeContext& node)
{
    return node.args->GetDataDirNet() / "mempool.dat";
}

void StopMempool(NodeContext& node)
{
    if (node.mempool && node.args && node.args->GetBoolArg("-persistmempool", DEFAULT_PERSIST_MEMPOOL)) {
        std::string error;
        if (DumpMempool(*node.mempool, MempoolDumpPath(node), error)) {
            LogPrintf("Mempool: saved %u transactions to mempool.dat\n", static_cast<unsigned>(node.mempool->Size()));
        } else {
            LogPrintf("Mempool: failed to save mempool.dat: %s\n", error.c_str());
        }
    }
    if (node.chainman && node.mempool_sync) node.chainman->Signals().Unregister(node.mempool_sync.get());
    node.mempool_sync.reset();
    node.mempool.reset();
}
