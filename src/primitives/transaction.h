// Transactions, byte-for-byte Bitcoin's format including the BIP 144 witness
// serialization: version, [marker 0x00, flag 0x01], inputs, outputs,
// [witness stacks], lock_time. txid = SHA256d of the form without witness,
// wtxid = SHA256d of the full form.
#ifndef ODA_PRIMITIVES_TRANSACTION_H
#define ODA_PRIMITIVES_TRANSACTION_H

#include <serialize.h>
#include <uint256.h>

#include <cstdint>
#include <memory>
#include <string>
#include <optional>
#include <vector>

/** Amount in base units (1 coin = 100,000,000 units). */
using CAmount = int64_t;

/** A byte script (scriptPubKey or scriptSig); its meaning lives in src/script. */
using ScriptBytes = std::vector<uint8_t>;

struct COutPoint {
    uint256 hash;
    uint32_t n{NULL_INDEX};

    static constexpr uint32_t NULL_INDEX = 0xffffffff;

    COutPoint() = default;
    COutPoint(const uint256& h, uint32_t i) : hash(h), n(i) {}
    bool IsNull() const { return hash.IsNull() && n == NULL_INDEX; }
    friend bool operator==(const COutPoint& a, const COutPoint& b) { return a.hash == b.hash && a.n == b.n; }
    friend bool operator!=(const COutPoint& a, const COutPoint& b) { return !(a == b); }
    friend bool operator<(const COutPoint& a, const COutPoint& b)
    {
        int c = a.hash.Compare(b.hash);
        return c < 0 || (c == 0 && a.n < b.n);
    }
    std::string ToString() const;

    ODA_SERIALIZE_FIELDS(hash, n)
};

/** Witness stack of one input (BIP 141). */
struct CScriptWitness {
    std::vector<std::vector<uint8_t>> stack;
    bool IsNull() const { return stack.empty(); }
};

struct CTxIn {
    COutPoint prevout;
    ScriptBytes script_sig;
    uint32_t sequence{SEQUENCE_FINAL};
    CScriptWitness witness;  //!< serialized separately (BIP 144), not by ODA_SERIALIZE_FIELDS

    static constexpr uint32_t SEQUENCE_FINAL = 0xffffffff;

    CTxIn() = default;
    explicit CTxIn(const COutPoint& p, uint32_t seq = SEQUENCE_FINAL) : prevout(p), sequence(seq) {}

    ODA_SERIALIZE_FIELDS(prevout, script_sig, sequence)
};

struct CTxOut {
    CAmount value{-1};
    ScriptBytes script_pubkey;

    CTxOut() = default;
    CTxOut(CAmount v, ScriptBytes spk) : value(v), script_pubkey(std::move(spk)) {}
    bool IsNull() const { return value == -1; }
    friend bool operator==(const CTxOut& a, const CTxOut& b) { return a.value == b.value && a.script_pubkey == b.script_pubkey; }

    ODA_SERIALIZE_FIELDS(value, script_pubkey)
};

/** The mutable form, used while building a transaction. */
struct CMutableTransaction {
    int32_t version{2};
    std::vector<CTxIn> vin;
    std::vector<CTxOut> vout;
    uint32_t lock_time{0};

    bool HasWitness() const;
    uint256 GetTxid() const;

    template <typename Stream> void Serialize(Stream& s) const;
    template <typename Stream> void Unserialize(Stream& s);
};

/** An immutable transaction with its txid and wtxid computed once. */
class CTransaction
{
public:
    const int32_t version;
    const std::vector<CTxIn> vin;
    const std::vector<CTxOut> vout;
    const uint32_t lock_time;

    explicit CTransaction(const CMutableTransaction& tx);
    explicit CTransaction(CMutableTransaction&& tx);

    const uint256& GetTxid() const { return m_txid; }
    const uint256& GetWtxid() const { return m_wtxid; }
    bool IsCoinBase() const { return vin.size() == 1 && vin[0].prevout.IsNull(); }
    bool HasWitness() const { return m_has_witness; }
    /** Sum of output values; the caller checks money range first. */
    CAmount GetValueOut() const;
    /** Serialized size without witness (stripped) and with witness (total). */
    size_t GetStrippedSize() const;
    size_t GetTotalSize() const;

    template <typename Stream> void Serialize(Stream& s) const;

private:
    bool ComputeHasWitness() const;
    uint256 ComputeHash(bool with_witness) const;
    const bool m_has_witness;
    const uint256 m_txid;
    const uint256 m_wtxid;
};

using CTransactionRef = std::shared_ptr<const CTransaction>;
template <typename Tx> CTransactionRef MakeTransactionRef(Tx&& tx) { return std::make_shared<const CTransaction>(std::forward<Tx>(tx)); }

/** Wraps a transaction so that it serializes without witness data (for txids, sighash). */
template <typename Tx>
struct TxNoWitness {
    const Tx& tx;
    template <typename Stream> void Serialize(Stream& s) const;
};
template <typename Tx> TxNoWitness(const Tx&) -> TxNoWitness<Tx>;

/** Reads a transaction in the form without witness (no BIP 144 marker). The witness-aware
 *  reader takes the 0x00 input count of a transaction with no inputs yet (as
 *  createrawtransaction writes one for fundrawtransaction) for the marker; this one does not. */
struct TxNoWitnessReader {
    CMutableTransaction& tx;
    template <typename Stream> void Unserialize(Stream& s);
};

/** Decodes a whole serialized transaction: the witness form (BIP 144), or else, for a
 *  transaction without inputs, the form without witness. nullopt on any decoding error or
 *  trailing bytes; never throws. */
std::optional<CMutableTransaction> DecodeRawTransaction(const std::vector<uint8_t>& bytes);


// ------------------------------------------------------------ serialization
namespace tx_detail {

template <typename Stream, typename Tx>
void WriteTx(Stream& s, const Tx& tx, bool with_witness)
{
    Serialize(s, tx.version);
    bool witness = with_witness && tx.HasWitness();
    if (witness) {
        // BIP 144: an empty input vector (marker 0x00) followed by flag 0x01.
        uint8_t marker_flag[2] = {0x00, 0x01};
        s.write(marker_flag, 2);
    }
    Serialize(s, tx.vin);
    Serialize(s, tx.vout);
    if (witness) {
        for (const CTxIn& in : tx.vin) Serialize(s, in.witness.stack);
    }
    Serialize(s, tx.lock_time);
}

template <typename Stream>
void ReadTx(Stream& s, CMutableTransaction& tx)
{
    Unserialize(s, tx.version);
    uint8_t flags = 0;
    tx.vin.clear();
    tx.vout.clear();
    Unserialize(s, tx.vin);
    if (tx.vin.empty()) {
        // Either a witness marker or a transaction without inputs (never valid, but parseable).
        Unserialize(s, flags);
        if (flags != 0) {
            Unserialize(s, tx.vin);
            Unserialize(s, tx.vout);
        }
    } else {
        Unserialize(s, tx.vout);
    }
    if (flags & 1) {
        flags ^= 1;
        for (CTxIn& in : tx.vin) Unserialize(s, in.witness.stack);
        bool any = false;
        for (const CTxIn& in : tx.vin) any |= !in.witness.IsNull();
        // BIP 144: the witness form must not be used when all witnesses are empty.
        if (!any) throw SerializationError("superfluous witness record");
    }
    if (flags) throw SerializationError("unknown transaction optional data");
    Unserialize(s, tx.lock_time);
}

} // namespace tx_detail

template <typename Stream> void CMutableTransaction::Serialize(Stream& s) const { tx_detail::WriteTx(s, *this, true); }
template <typename Stream> void CMutableTransaction::Unserialize(Stream& s) { tx_detail::ReadTx(s, *this); }
template <typename Stream> void CTransaction::Serialize(Stream& s) const { tx_detail::WriteTx(s, *this, true); }
template <typename Tx> template <typename Stream> void TxNoWitness<Tx>::Serialize(Stream& s) const { tx_detail::WriteTx(s, tx, false); }
template <typename Stream> void TxNoWitnessReader::Unserialize(Stream& s)
{
    ::Unserialize(s, tx.version);
    ::Unserialize(s, tx.vin);
    ::Unserialize(s, tx.vout);
    ::Unserialize(s, tx.lock_time);
}

/** Deserializes a CTransactionRef (used inside blocks). */
template <typename Stream>
void Serialize(Stream& s, const CTransactionRef& tx) { tx->Serialize(s); }
template <typename Stream>
void Unserialize(Stream& s, CTransactionRef& tx)
{
    CMutableTransaction mtx;
    mtx.Unserialize(s);
    tx = MakeTransactionRef(std::move(mtx));
}

#endif // ODA_PRIMITIVES_TRANSACTION_H
