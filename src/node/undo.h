// Undo data: what a block's transactions spent, so the block can be
// disconnected during a reorg. One CTxUndo per non-coinbase transaction, in
// block order; its coins are the spent outputs in input order, each with the
// height and coinbase flag it had in the UTXO set.
#ifndef ODA_NODE_UNDO_H
#define ODA_NODE_UNDO_H

#include <primitives/coin.h>
#include <serialize.h>

#include <vector>

namespace node {

struct TxUndo {
    std::vector<Coin> spent;
    ODA_SERIALIZE_FIELDS(spent)
};

struct BlockUndo {
    std::vector<TxUndo> txs; //!< excludes the coinbase
    // Room for ODA registry undo (doc/oda-protocol.md section 5) is added here later, versioned.
    ODA_SERIALIZE_FIELDS(txs)
};

} // namespace node

#endif // ODA_NODE_UNDO_H
