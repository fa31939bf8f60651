// Why a transaction left the memory pool. Shared by the pool, which decides it,
// and the observers told about it (validationinterface.h), so that an observer
// need not include the pool itself.
#ifndef ODA_NODE_MEMPOOL_REMOVAL_REASON_H
#define ODA_NODE_MEMPOOL_REMOVAL_REASON_H

#include <string>

enum class MemPoolRemovalReason {
    EXPIRY,    //!< older than -mempoolexpiry
    SIZELIMIT, //!< evicted to stay under -maxmempool
    REORG,     //!< no longer valid after a reorganization
    BLOCK,     //!< confirmed in a block
    CONFLICT,  //!< an input was spent by a block transaction
    REPLACED,  //!< replaced by a higher-fee update-weights of the same model (doc/policy.md)
    ODA_STALE, //!< the tip's registry no longer admits it: its model or version is gone, a better
               //!< update confirmed, or the royalty it pays no longer matches the owner
};
/** "expiry", "sizelimit", "reorg", "block", "conflict", "replaced", "oda-stale" (logs, ZeroMQ, RPC). */
std::string RemovalReasonToString(MemPoolRemovalReason reason);

#endif // ODA_NODE_MEMPOOL_REMOVAL_REASON_H
