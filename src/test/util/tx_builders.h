// Unsigned transactions of a given shape, for tests of the mempool and block
// selection that never check signatures.
#ifndef ODA_TEST_UTIL_TX_BUILDERS_H
#define ODA_TEST_UTIL_TX_BUILDERS_H

#include <primitives/transaction.h>

#include <vector>

/** A transaction spending `prevouts`, with `n_out` taproot-shaped outputs of 0.01 coin;
 *  `tag` (the lock time) makes otherwise equal transactions distinct. */
inline CTransactionRef MakeShapedTx(const std::vector<COutPoint>& prevouts, unsigned n_out, uint32_t tag)
{
    CMutableTransaction mtx;
    for (const COutPoint& p : prevouts) mtx.vin.emplace_back(p);
    for (unsigned i = 0; i < n_out; ++i) {
        ScriptBytes spk(34, 0x00);
        spk[0] = 0x51;
        spk[1] = 0x20;
        mtx.vout.emplace_back(1000000, spk);
    }
    mtx.lock_time = tag;
    return MakeTransactionRef(std::move(mtx));
}

#endif // ODA_TEST_UTIL_TX_BUILDERS_H
