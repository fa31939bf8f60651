// Undo data: what a block changed, so the block can be disconnected during a reorg.
// One TxUndo per non-coinbase transaction, in block order; its coins are the spent outputs
// in input order, each with the height and coinbase flag it had in the UTXO set. Since
// version 1 the record also carries the block's registry undo (oda/chain/registry.h).
//
// Record layouts (the rev file record's payload, doc/files.md):
//   version 0 (legacy)  txs                                  (CompactSize count first)
//   version 1           ff . 01 . txs . registry undo
// A version-0 record starts with a CompactSize; its first byte is never ff (that would
// announce a count above 2^32, beyond MAX_SERIALIZED_SIZE), so the ff marker tells the two
// apart and old records still read (with an empty registry undo). Writers always write the
// current version. Unknown versions and malformed records throw SerializationError.
#ifndef ODA_NODE_UNDO_H
#define ODA_NODE_UNDO_H

#include <oda/chain/registry.h>
#include <primitives/coin.h>
#include <serialize.h>

#include <vector>

namespace node {

struct TxUndo {
    std::vector<Coin> spent;
    ODA_SERIALIZE_FIELDS(spent)
};

struct BlockUndo {
    static constexpr uint8_t VERSION_MARKER = 0xff;
    static constexpr uint8_t LEGACY_VERSION = 0;
    static constexpr uint8_t CURRENT_VERSION = 1;

    /** The version read (LEGACY_VERSION for an old record); Serialize writes `version`, so a
     *  default-constructed record is written in the current layout. */
    uint8_t version{CURRENT_VERSION};
    std::vector<TxUndo> txs;           //!< excludes the coinbase
    oda::chain::RegistryUndo registry; //!< empty in a legacy record

    template <typename Stream> void Serialize(Stream& s) const
    {
        if (version == LEGACY_VERSION) {
            ::Serialize(s, txs);
            return;
        }
        ::Serialize(s, VERSION_MARKER);
        ::Serialize(s, version);
        ::Serialize(s, txs);
        ::Serialize(s, registry);
    }

    template <typename Stream> void Unserialize(Stream& s)
    {
        uint8_t first = 0;
        ::Unserialize(s, first);
        txs.clear();
        registry = oda::chain::RegistryUndo();
        if (first != VERSION_MARKER) {
            version = LEGACY_VERSION;
            const uint64_t count = FinishCompactSize(s, first);
            // Grown element by element: a lying count costs no more than the bytes present.
            for (uint64_t i = 0; i < count; ++i) {
                txs.emplace_back();
                ::Unserialize(s, txs.back());
            }
            return;
        }
        ::Unserialize(s, version);
        if (version != CURRENT_VERSION) throw SerializationError("unknown undo record version " + std::to_string(version));
        ::Unserialize(s, txs);
        ::Unserialize(s, registry);
    }

private:
    /** The rest of a CompactSize whose first byte (not ff) was already read; the same
     *  canonical-form and size rules as ReadCompactSize. */
    template <typename Stream> static uint64_t FinishCompactSize(Stream& s, uint8_t first)
    {
        uint64_t n = first;
        if (first == 253) {
            n = ReadLE<uint16_t>(s);
            if (n < 253) throw SerializationError("non-canonical CompactSize");
        } else if (first == 254) {
            n = ReadLE<uint32_t>(s);
            if (n <= 0xffff) throw SerializationError("non-canonical CompactSize");
        }
        if (n > MAX_SERIALIZED_SIZE) throw SerializationError("CompactSize exceeds maximum size");
        return n;
    }
};

} // namespace node

#endif // ODA_NODE_UNDO_H
