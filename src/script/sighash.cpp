#include <script/sighash.h>

#include <crypto/hash.h>
#include <streams.h>

bool IsValidTaprootHashType(uint8_t hash_type)
{
    return hash_type <= SIGHASH_SINGLE || (hash_type >= (SIGHASH_ANYONECANPAY | SIGHASH_ALL) && hash_type <= (SIGHASH_ANYONECANPAY | SIGHASH_SINGLE));
}

template <typename Tx>
bool PrecomputedTxData::Init(const Tx& tx, std::vector<CTxOut> spent)
{
    ready = false;
    if (spent.size() != tx.vin.size()) return false;
    HashWriter prevouts, amounts, spks, sequences, outputs;
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        prevouts << tx.vin[i].prevout;
        amounts << spent[i].value;
        spks << spent[i].script_pubkey;
        sequences << tx.vin[i].sequence;
    }
    for (const CTxOut& out : tx.vout) outputs << out;
    sha_prevouts = prevouts.GetSHA256();
    sha_amounts = amounts.GetSHA256();
    sha_scriptpubkeys = spks.GetSHA256();
    sha_sequences = sequences.GetSHA256();
    sha_outputs = outputs.GetSHA256();
    spent_outputs = std::move(spent);
    ready = true;
    return true;
}

namespace {

/** Writes the BIP 341 message (key path, ext_flag 0, no annex) into s. The
 *  caller has checked every precondition. */
template <typename Stream, typename Tx>
void WriteSigMsg(Stream& s, const Tx& tx, unsigned nIn, uint8_t hash_type, const PrecomputedTxData& txdata)
{
    const uint8_t output_type = hash_type == SIGHASH_DEFAULT ? SIGHASH_ALL : (hash_type & 0x03);
    const bool anyone_can_pay = (hash_type & SIGHASH_ANYONECANPAY) != 0;
    Serialize(s, uint8_t{0x00}); // epoch
    Serialize(s, hash_type);
    Serialize(s, tx.version);
    Serialize(s, tx.lock_time);
    if (!anyone_can_pay) {
        s << txdata.sha_prevouts << txdata.sha_amounts << txdata.sha_scriptpubkeys << txdata.sha_sequences;
    }
    if (output_type == SIGHASH_ALL) s << txdata.sha_outputs;
    Serialize(s, uint8_t{0x00}); // spend_type: ext_flag 0, no annex
    if (anyone_can_pay) {
        const CTxOut& spent = txdata.spent_outputs[nIn];
        s << tx.vin[nIn].prevout << spent.value << spent.script_pubkey << tx.vin[nIn].sequence;
    } else {
        Serialize(s, static_cast<uint32_t>(nIn));
    }
    if (output_type == SIGHASH_SINGLE) {
        HashWriter single;
        single << tx.vout[nIn];
        s << single.GetSHA256();
    }
}

template <typename Tx>
bool Preconditions(const Tx& tx, unsigned nIn, uint8_t hash_type, const PrecomputedTxData& txdata)
{
    if (!txdata.ready || nIn >= tx.vin.size() || txdata.spent_outputs.size() != tx.vin.size()) return false;
    if (!IsValidTaprootHashType(hash_type)) return false;
    if ((hash_type & 0x03) == SIGHASH_SINGLE && nIn >= tx.vout.size()) return false;
    return true;
}

/** The tag prefix of "TapSighash", hashed once per process. */
const HashWriter& TapSighashPrefix()
{
    static const HashWriter prefix = HashWriter::Tagged("TapSighash");
    return prefix;
}

} // namespace

template <typename Tx>
std::optional<std::vector<uint8_t>> TaprootSignatureMessage(const Tx& tx, unsigned nIn, uint8_t hash_type, const PrecomputedTxData& txdata)
{
    if (!Preconditions(tx, nIn, hash_type, txdata)) return std::nullopt;
    std::vector<uint8_t> msg;
    VectorWriter w(msg);
    WriteSigMsg(w, tx, nIn, hash_type, txdata);
    return msg;
}

template <typename Tx>
std::optional<uint256> TaprootSignatureHash(const Tx& tx, unsigned nIn, uint8_t hash_type, const PrecomputedTxData& txdata)
{
    if (!Preconditions(tx, nIn, hash_type, txdata)) return std::nullopt;
    HashWriter hw = TapSighashPrefix();
    WriteSigMsg(hw, tx, nIn, hash_type, txdata);
    return hw.GetSHA256();
}

template bool PrecomputedTxData::Init(const CTransaction&, std::vector<CTxOut>);
template bool PrecomputedTxData::Init(const CMutableTransaction&, std::vector<CTxOut>);
template std::optional<std::vector<uint8_t>> TaprootSignatureMessage(const CTransaction&, unsigned, uint8_t, const PrecomputedTxData&);
template std::optional<std::vector<uint8_t>> TaprootSignatureMessage(const CMutableTransaction&, unsigned, uint8_t, const PrecomputedTxData&);
template std::optional<uint256> TaprootSignatureHash(const CTransaction&, unsigned, uint8_t, const PrecomputedTxData&);
template std::optional<uint256> TaprootSignatureHash(const CMutableTransaction&, unsigned, uint8_t, const PrecomputedTxData&);
