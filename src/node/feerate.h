// Fee rates for relay and mining policy: an amount per 1,000 virtual bytes
// (units/kvB), where a transaction's virtual size is ceil(weight / 4) (BIP 141).
// Policy only: nothing here is consensus, but it is integer-only so that every
// node applying the same options makes the same decisions.
#ifndef ODA_NODE_FEERATE_H
#define ODA_NODE_FEERATE_H

#include <primitives/transaction.h>

#include <cstdint>
#include <string>

/** BIP 141 weight of a transaction: stripped size * 3 + total size. */
inline int64_t TxWeight(const CTransaction& tx)
{
    return int64_t(tx.GetStrippedSize()) * 3 + int64_t(tx.GetTotalSize());
}

/** Virtual size from a weight: ceil(weight / 4). */
inline int64_t VSizeFromWeight(int64_t weight) { return (weight + 3) / 4; }
inline int64_t TxVSize(const CTransaction& tx) { return VSizeFromWeight(TxWeight(tx)); }

/** Compares fee1/size1 with fee2/size2 exactly (no rounding): <0, 0, >0. Sizes must be > 0. */
inline int CompareFeeRates(int64_t fee1, int64_t size1, int64_t fee2, int64_t size2)
{
    __int128 a = static_cast<__int128>(fee1) * size2;
    __int128 b = static_cast<__int128>(fee2) * size1;
    return a < b ? -1 : (a > b ? 1 : 0);
}

class CFeeRate
{
    CAmount m_per_kvb{0};

public:
    CFeeRate() = default;
    explicit CFeeRate(CAmount units_per_kvb) : m_per_kvb(units_per_kvb) {}
    /** The rate of paying `fee` for `vsize` virtual bytes (rounded down); vsize 0 gives rate 0. */
    static CFeeRate FromFee(CAmount fee, int64_t vsize)
    {
        return CFeeRate(vsize > 0 ? static_cast<CAmount>(static_cast<__int128>(fee) * 1000 / vsize) : 0);
    }

    /** Fee for `vsize` virtual bytes, rounded up so a positive rate never yields a zero fee. */
    CAmount GetFee(int64_t vsize) const
    {
        if (vsize <= 0) return 0;
        __int128 num = static_cast<__int128>(m_per_kvb) * vsize;
        if (num >= 0) return static_cast<CAmount>((num + 999) / 1000);
        return static_cast<CAmount>(num / 1000);
    }
    CAmount GetFeePerK() const { return m_per_kvb; }

    /** "0.00001000 ODA/kvB" style: the rate in coins per kvB with 8 decimals. */
    std::string ToString() const;

    friend bool operator<(const CFeeRate& a, const CFeeRate& b) { return a.m_per_kvb < b.m_per_kvb; }
    friend bool operator>(const CFeeRate& a, const CFeeRate& b) { return a.m_per_kvb > b.m_per_kvb; }
    friend bool operator<=(const CFeeRate& a, const CFeeRate& b) { return a.m_per_kvb <= b.m_per_kvb; }
    friend bool operator>=(const CFeeRate& a, const CFeeRate& b) { return a.m_per_kvb >= b.m_per_kvb; }
    friend bool operator==(const CFeeRate& a, const CFeeRate& b) { return a.m_per_kvb == b.m_per_kvb; }
    friend bool operator!=(const CFeeRate& a, const CFeeRate& b) { return a.m_per_kvb != b.m_per_kvb; }
};

#endif // ODA_NODE_FEERATE_H
