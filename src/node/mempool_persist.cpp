#include <node/mempool_persist.h>

#include <node/mempool.h>
#include <node/mempool_accept.h>
#include <node/validation.h>
#include <streams.h>
#include <util/fs.h>

#include <algorithm>

bool DumpMempool(const CTxMemPool& pool, const std::filesystem::path& path, std::string& error)
{
    DataStream out;
    {
        LOCK(pool.cs);
        std::vector<const CTxMemPoolEntry*> entries;
        for (const auto& [txid, e] : pool.EntriesLocked()) entries.push_back(&e);
        // Parents first, so loading never sees a child before its parent.
        std::sort(entries.begin(), entries.end(), [](const CTxMemPoolEntry* a, const CTxMemPoolEntry* b) {
            if (a->GetCountWithAncestors() != b->GetCountWithAncestors()) return a->GetCountWithAncestors() < b->GetCountWithAncestors();
            return a->GetSequence() < b->GetSequence();
        });
        Serialize(out, MEMPOOL_DUMP_VERSION);
        WriteCompactSize(out, entries.size());
        for (const CTxMemPoolEntry* e : entries) {
            Serialize(out, e->GetSharedTx());
            Serialize(out, e->GetTime());
        }
    }
    return WriteFileAtomic(path, std::string_view(reinterpret_cast<const char*>(out.data()), out.size()), error);
}

bool LoadMempool(node::ChainstateManager& chainman, CTxMemPool& pool, const std::filesystem::path& path,
                 MempoolLoadStats& stats, std::string& error)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return true;
    // The dump of a full pool is smaller than its memory estimate; allow generous slack.
    const size_t max_bytes = size_t(pool.Options().max_size_bytes) * 2 + (1 << 20);
    std::optional<std::string> data = ReadFileToString(path, max_bytes);
    if (!data) {
        error = "cannot read " + path.string();
        return false;
    }
    DataStream in(std::vector<uint8_t>(data->begin(), data->end()));
    const int64_t expiry_cutoff = pool.Now() - pool.Options().expiry_seconds;
    try {
        uint64_t version = 0;
        Unserialize(in, version);
        if (version != MEMPOOL_DUMP_VERSION) {
            error = "unknown mempool.dat version " + std::to_string(version);
            return false;
        }
        const uint64_t count = ReadCompactSize(in);
        for (uint64_t i = 0; i < count; ++i) {
            CTransactionRef tx;
            int64_t time = 0;
            Unserialize(in, tx);
            Unserialize(in, time);
            ++stats.read;
            if (time < expiry_cutoff) {
                ++stats.expired;
                continue;
            }
            MempoolAcceptOptions options;
            options.accept_time = time;
            // Takes the chain lock itself and runs ODA work (scoring, inference) without it.
            if (AcceptToMemoryPool(chainman, pool, tx, options).IsValid()) {
                ++stats.accepted;
            } else {
                ++stats.failed;
            }
        }
        if (!in.empty()) throw SerializationError("trailing data");
    } catch (const std::exception& e) {
        error = std::string("corrupt mempool.dat: ") + e.what();
        return false;
    }
    return true;
}
