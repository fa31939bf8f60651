#include <script/verify.h>

#include <script/keys.h>
#include <script/standard.h>

std::string ScriptErrorString(ScriptError err)
{
    switch (err) {
    case ScriptError::OK: return "no error";
    case ScriptError::SPENT_OUTPUT_MISSING: return "spent output unknown for this input";
    case ScriptError::NOT_TAPROOT_OUTPUT: return "spent output is not a taproot (witness v1, 32 bytes) output";
    case ScriptError::SCRIPTSIG_NOT_EMPTY: return "scriptSig must be empty";
    case ScriptError::WITNESS_STACK_SIZE: return "witness must hold exactly one element";
    case ScriptError::SCHNORR_SIG_SIZE: return "invalid Schnorr signature size";
    case ScriptError::SCHNORR_SIG_HASHTYPE: return "invalid Schnorr signature hash type";
    case ScriptError::SCHNORR_SIG: return "invalid Schnorr signature";
    }
    return "unknown error";
}

static bool SetError(ScriptError* out, ScriptError err)
{
    if (out) *out = err;
    return err == ScriptError::OK;
}

bool VerifyInputSpend(const CTransaction& tx, unsigned nIn, const PrecomputedTxData& txdata, ScriptError* error)
{
    if (!txdata.ready || nIn >= tx.vin.size() || txdata.spent_outputs.size() != tx.vin.size()) {
        return SetError(error, ScriptError::SPENT_OUTPUT_MISSING);
    }
    const auto output_key = GetTaprootOutputKey(txdata.spent_outputs[nIn].script_pubkey);
    if (!output_key) return SetError(error, ScriptError::NOT_TAPROOT_OUTPUT);
    const CTxIn& in = tx.vin[nIn];
    if (!in.script_sig.empty()) return SetError(error, ScriptError::SCRIPTSIG_NOT_EMPTY);
    if (in.witness.stack.size() != 1) return SetError(error, ScriptError::WITNESS_STACK_SIZE);
    const std::vector<uint8_t>& sig = in.witness.stack[0];
    uint8_t hash_type = SIGHASH_DEFAULT;
    if (sig.size() == 65) {
        hash_type = sig[64];
        // BIP 341: the default hash type must be expressed by the 64-byte form only.
        if (hash_type == SIGHASH_DEFAULT) return SetError(error, ScriptError::SCHNORR_SIG_HASHTYPE);
    } else if (sig.size() != 64) {
        return SetError(error, ScriptError::SCHNORR_SIG_SIZE);
    }
    const auto sighash = TaprootSignatureHash(tx, nIn, hash_type, txdata);
    // Preconditions on tx and txdata were checked above, so a failure here is the
    // hash type (invalid value, or SIGHASH_SINGLE without a matching output).
    if (!sighash) return SetError(error, ScriptError::SCHNORR_SIG_HASHTYPE);
    if (!VerifySchnorr(*output_key, *sighash, sig.data())) return SetError(error, ScriptError::SCHNORR_SIG);
    return SetError(error, ScriptError::OK);
}
