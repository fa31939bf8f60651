#include <script/sign.h>

#include <script/sighash.h>
#include <script/standard.h>

static bool Fail(std::string* error, const char* why)
{
    if (error) *error = why;
    return false;
}

bool SignTaprootKeyPath(CMutableTransaction& tx, unsigned nIn, const std::vector<CTxOut>& spent_outputs,
                        const CKey& internal_key, uint8_t hash_type, std::string* error,
                        const uint256* aux_rand)
{
    if (nIn >= tx.vin.size()) return Fail(error, "input index out of range");
    if (spent_outputs.size() != tx.vin.size()) return Fail(error, "need one spent output per input");
    if (!internal_key.IsValid()) return Fail(error, "invalid private key");
    if (!IsValidTaprootHashType(hash_type)) return Fail(error, "invalid signature hash type");
    if ((hash_type & 0x03) == SIGHASH_SINGLE && nIn >= tx.vout.size()) {
        return Fail(error, "SIGHASH_SINGLE without an output at the input's index");
    }
    const auto output_key = GetTaprootOutputKey(spent_outputs[nIn].script_pubkey);
    if (!output_key) return Fail(error, "spent output is not a taproot output");
    const auto tweaked = TaprootTweakSecret(internal_key);
    if (!tweaked) return Fail(error, "key tweak failed");
    if (tweaked->GetXOnlyPubKey() != *output_key) return Fail(error, "key does not match the spent output");

    const PrecomputedTxData txdata(tx, spent_outputs);
    const auto sighash = TaprootSignatureHash(tx, nIn, hash_type, txdata);
    if (!sighash) return Fail(error, "cannot compute the signature hash");
    uint256 aux;
    if (aux_rand) {
        aux = *aux_rand;
    } else {
        GetStrongRandBytes(aux.data(), aux.size());
    }
    const auto sig = SignSchnorr(*tweaked, *sighash, aux);
    if (!sig || !VerifySchnorr(*output_key, *sighash, *sig)) return Fail(error, "signing failed");

    std::vector<uint8_t> witness_sig(sig->begin(), sig->end());
    if (hash_type != SIGHASH_DEFAULT) witness_sig.push_back(hash_type);
    tx.vin[nIn].script_sig.clear();
    tx.vin[nIn].witness.stack.assign(1, std::move(witness_sig));
    return true;
}
