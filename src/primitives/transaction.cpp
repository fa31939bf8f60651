#include <primitives/transaction.h>

#include <crypto/hash.h>
#include <streams.h>

std::string COutPoint::ToString() const
{
    return hash.GetHex() + ":" + std::to_string(n);
}

bool CMutableTransaction::HasWitness() const
{
    for (const CTxIn& in : vin) {
        if (!in.witness.IsNull()) return true;
    }
    return false;
}

uint256 CMutableTransaction::GetTxid() const
{
    return SerializeHash(TxNoWitness{*this});
}

CTransaction::CTransaction(const CMutableTransaction& tx)
    : version(tx.version), vin(tx.vin), vout(tx.vout), lock_time(tx.lock_time),
      m_has_witness(ComputeHasWitness()), m_txid(ComputeHash(false)), m_wtxid(ComputeHash(true)) {}

CTransaction::CTransaction(CMutableTransaction&& tx)
    : version(tx.version), vin(std::move(tx.vin)), vout(std::move(tx.vout)), lock_time(tx.lock_time),
      m_has_witness(ComputeHasWitness()), m_txid(ComputeHash(false)), m_wtxid(ComputeHash(true)) {}

bool CTransaction::ComputeHasWitness() const
{
    for (const CTxIn& in : vin) {
        if (!in.witness.IsNull()) return true;
    }
    return false;
}

uint256 CTransaction::ComputeHash(bool with_witness) const
{
    HashWriter hw;
    tx_detail::WriteTx(hw, *this, with_witness);
    return hw.GetHash();
}

CAmount CTransaction::GetValueOut() const
{
    CAmount total = 0;
    for (const CTxOut& out : vout) total += out.value;
    return total;
}

size_t CTransaction::GetStrippedSize() const
{
    SizeComputer sc;
    tx_detail::WriteTx(sc, *this, false);
    return sc.size();
}

size_t CTransaction::GetTotalSize() const
{
    SizeComputer sc;
    tx_detail::WriteTx(sc, *this, true);
    return sc.size();
}

std::optional<CMutableTransaction> DecodeRawTransaction(const std::vector<uint8_t>& bytes)
{
    try {
        CMutableTransaction mtx;
        DeserializeExact(bytes, mtx);
        return mtx;
    } catch (const std::exception&) {
    }
    // An input-less transaction (createrawtransaction '[]' ...) only parses without witness.
    try {
        CMutableTransaction legacy;
        TxNoWitnessReader reader{legacy};
        DeserializeExact(bytes, reader);
        if (legacy.vin.empty()) return legacy;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}
