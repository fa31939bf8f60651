// mempool.dat: the pool saved at shutdown (-persistmempool, default on) and
// offered back to AcceptToMemoryPool at start, so a restart does not forget
// unconfirmed transactions. Also behind the `savemempool` RPC.
//
// Format (little-endian, Bitcoin-style serialization): version u64 (= 1),
// CompactSize count, then per transaction in parents-first order: the
// transaction (witness form) and its arrival time i64 (seconds).
//
// Loading re-validates every transaction against the current tip with the
// normal rules (its arrival time is kept); transactions older than
// -mempoolexpiry or no longer valid are skipped. A missing file is not an
// error; a corrupt one is reported and ignored (the pool stays as loaded so far).
#ifndef ODA_NODE_MEMPOOL_PERSIST_H
#define ODA_NODE_MEMPOOL_PERSIST_H

#include <cstdint>
#include <filesystem>
#include <string>

class CTxMemPool;
namespace node {
class ChainstateManager;
}

static constexpr uint64_t MEMPOOL_DUMP_VERSION = 1;
static constexpr bool DEFAULT_PERSIST_MEMPOOL = true;

/** Writes the pool to `path` atomically. False with `error` on an I/O failure. */
bool DumpMempool(const CTxMemPool& pool, const std::filesystem::path& path, std::string& error);

struct MempoolLoadStats {
    uint64_t read{0};
    uint64_t accepted{0};
    uint64_t failed{0};
    uint64_t expired{0};
};

/** Offers the transactions in `path` to the pool. False with `error` for an unreadable or
 *  corrupt file (transactions accepted before the corruption stay). */
bool LoadMempool(node::ChainstateManager& chainman, CTxMemPool& pool, const std::filesystem::path& path,
                 MempoolLoadStats& stats, std::string& error);

#endif // ODA_NODE_MEMPOOL_PERSIST_H
