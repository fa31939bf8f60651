// An unspent transaction output as the UTXO set stores it: the output, the
// height of the block that created it, and whether it came from a coinbase
// (coinbase outputs mature after COINBASE_MATURITY blocks).
#ifndef ODA_PRIMITIVES_COIN_H
#define ODA_PRIMITIVES_COIN_H

#include <primitives/transaction.h>
#include <serialize.h>

#include <cstdint>

struct Coin {
    CTxOut out;
    uint32_t height{0};
    bool coinbase{false};

    Coin() = default;
    Coin(CTxOut o, uint32_t h, bool cb) : out(std::move(o)), height(h), coinbase(cb) {}
    bool IsSpent() const { return out.IsNull(); }
    friend bool operator==(const Coin& a, const Coin& b) { return a.out == b.out && a.height == b.height && a.coinbase == b.coinbase; }

    ODA_SERIALIZE_FIELDS(out, height, coinbase)
};

#endif // ODA_PRIMITIVES_COIN_H
