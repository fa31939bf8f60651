// Relay policy ("standardness"): rules a node applies to unconfirmed
// transactions on top of consensus, to keep its mempool cheap to validate and
// free of outputs nobody can or should spend. A non-standard transaction is
// still valid in a block; it is only not relayed or mined by default.
//
// The rules (doc/policy.md has the user-facing description):
//  - version 1 or 2                                              "version"
//  - weight <= MAX_STANDARD_TX_WEIGHT (400,000)                  "tx-size"
//  - stripped size >= 65 bytes (no 64-byte txs, CVE-2017-12842)  "tx-size-small"
//  - every input's scriptSig empty (taproot key path only)       "scriptsig-size"
//  - every output standard: taproot, ODA data (any size), or
//    OP_RETURN data up to 83 script bytes                        "scriptpubkey"
//  - at most one data (OP_RETURN) output, ODA or plain           "multi-op-return"
//  - no spendable output below the dust threshold                "dust"
#ifndef ODA_NODE_POLICY_H
#define ODA_NODE_POLICY_H

#include <node/feerate.h>
#include <primitives/transaction.h>

#include <cstdint>
#include <string>

static constexpr int64_t MAX_STANDARD_TX_WEIGHT = 400000;
static constexpr size_t MIN_STANDARD_TX_NONWITNESS_SIZE = 65;
static constexpr int32_t TX_MIN_STANDARD_VERSION = 1;
static constexpr int32_t TX_MAX_STANDARD_VERSION = 2;
/** -minrelaytxfee default, units per kvB. */
static constexpr CAmount DEFAULT_MIN_RELAY_TX_FEE = 1000;
/** -dustrelayfee default, units per kvB. */
static constexpr CAmount DUST_RELAY_TX_FEE = 3000;
/** -blockmintxfee default, units per kvB. */
static constexpr CAmount DEFAULT_BLOCK_MIN_TX_FEE = 1000;
/** -maxtxfee-like default for sendrawtransaction's maxfeerate: 0.10 coin per kvB. */
static constexpr CAmount DEFAULT_MAX_RAW_TX_FEE_RATE = 10000000;
/** ODA compute policy (doc/oda-protocol.md section 4): the minimum fee an ODA transaction
 *  pays for its compute units, in units per million CU (-mincomputefee), on top of the
 *  size-based relay fee. 1,000 per million CU: an inference on the Fashion-MNIST MLP
 *  (1,237,120 CU) needs 1,238 units more, scoring the small CNN on 10,000 samples
 *  (7.79e10 CU) 0.78 coin. */
static constexpr CAmount DEFAULT_MIN_FEE_PER_MILLION_CU = 1000;
/** ceil(compute_units * fee_per_million_cu / 10^6), saturating at MAX_MONEY + 1 (so that
 *  any fee falls short of an absurd requirement). compute_units, fee_per_million_cu >= 0. */
CAmount MinComputeFee(int64_t compute_units, CAmount fee_per_million_cu);

/**
 * Smallest value worth creating for `out`: what it costs at `dust_relay_fee` to
 * create it and later spend it (its serialized size + 67 vbytes for the spending input).
 * Unspendable (OP_RETURN / non-taproot) outputs have threshold 0.
 * With the default 3000 units/kvB a taproot output's threshold is 330 units.
 */
CAmount GetDustThreshold(const CTxOut& out, const CFeeRate& dust_relay_fee);
bool IsDust(const CTxOut& out, const CFeeRate& dust_relay_fee);

/** True when tx follows the rules above; otherwise false with `reason` set. */
bool IsStandardTx(const CTransaction& tx, const CFeeRate& dust_relay_fee, std::string& reason);

#endif // ODA_NODE_POLICY_H
