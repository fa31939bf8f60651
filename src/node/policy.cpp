#include <node/policy.h>

#include <consensus/amount.h>
#include <script/standard.h>

namespace {
/** Virtual size charged for later spending a witness output: outpoint 36, scriptSig
 *  length 1, sequence 4, and 26 vbytes of witness. This is Bitcoin Core's estimate for
 *  witness outputs, kept so that the familiar 330-unit taproot dust limit holds. */
constexpr int64_t WITNESS_INPUT_VSIZE = 36 + 1 + 4 + 26;
} // namespace

CAmount GetDustThreshold(const CTxOut& out, const CFeeRate& dust_relay_fee)
{
    if (!IsSpendableOutput(out.script_pubkey)) return 0;
    const int64_t out_size = 8 + int64_t(CompactSizeLen(out.script_pubkey.size())) + int64_t(out.script_pubkey.size());
    return dust_relay_fee.GetFee(out_size + WITNESS_INPUT_VSIZE);
}

bool IsDust(const CTxOut& out, const CFeeRate& dust_relay_fee)
{
    return out.value < GetDustThreshold(out, dust_relay_fee);
}

bool IsStandardTx(const CTransaction& tx, const CFeeRate& dust_relay_fee, std::string& reason)
{
    if (tx.version < TX_MIN_STANDARD_VERSION || tx.version > TX_MAX_STANDARD_VERSION) {
        reason = "version";
        return false;
    }
    if (TxWeight(tx) > MAX_STANDARD_TX_WEIGHT) {
        reason = "tx-size";
        return false;
    }
    if (tx.GetStrippedSize() < MIN_STANDARD_TX_NONWITNESS_SIZE) {
        reason = "tx-size-small";
        return false;
    }
    for (const CTxIn& in : tx.vin) {
        if (!in.script_sig.empty()) {
            reason = "scriptsig-size";
            return false;
        }
    }
    unsigned data_outputs = 0;
    for (const CTxOut& out : tx.vout) {
        const OutputType type = ClassifyOutput(out.script_pubkey);
        if (type == OutputType::NONSTANDARD) {
            reason = "scriptpubkey";
            return false;
        }
        if (type == OutputType::NULL_DATA) {
            if (out.script_pubkey.size() > MAX_NULL_DATA_SCRIPT_SIZE) {
                reason = "scriptpubkey";
                return false;
            }
            ++data_outputs;
        } else if (type == OutputType::ODA_DATA) {
            ++data_outputs;
        } else if (IsDust(out, dust_relay_fee)) {
            reason = "dust";
            return false;
        }
    }
    if (data_outputs > 1) {
        reason = "multi-op-return";
        return false;
    }
    return true;
}

CAmount MinComputeFee(int64_t compute_units, CAmount fee_per_million_cu)
{
    if (compute_units <= 0 || fee_per_million_cu <= 0) return 0;
    const unsigned __int128 product = static_cast<unsigned __int128>(compute_units) * static_cast<uint64_t>(fee_per_million_cu);
    const unsigned __int128 fee = (product + 999'999) / 1'000'000;
    return fee > static_cast<unsigned __int128>(MAX_MONEY) ? MAX_MONEY + 1 : static_cast<CAmount>(fee);
}
