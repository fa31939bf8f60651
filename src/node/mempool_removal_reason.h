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
};
/** "expiry", "sizelimit", "reorg", "block", "conflict" (logs, ZeroMQ, RPC). */
std::string RemovalReasonToString(MemPoolRemovalReason reason);

#endif // ODA_NODE_MEMPOOL_REMOVAL_REASON_H
