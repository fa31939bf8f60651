// Spending rules: the only way to spend an ODA output is a taproot key-path
// spend (BIP 341) with a BIP 340 signature.
//
// For input nIn of tx, spending txdata.spent_outputs[nIn]:
//   - the spent output is OP_1 <32-byte output key>;
//   - the input's scriptSig is empty;
//   - the witness stack has exactly one element, the signature:
//       64 bytes  -> hash type SIGHASH_DEFAULT,
//       65 bytes  -> last byte is the hash type, which must not be 0x00 and must
//                    be a valid BIP 341 hash type;
//   - the signature is valid for the output key over the BIP 341 key-path message.
//
// Thread safety and cost: VerifyInputSpend only reads its arguments and the
// shared immutable libsecp256k1 context, so many threads may check inputs of
// the same transaction at once with one shared PrecomputedTxData. Per call it
// hashes one signature message and verifies one signature.
#ifndef ODA_SCRIPT_VERIFY_H
#define ODA_SCRIPT_VERIFY_H

#include <primitives/transaction.h>
#include <script/sighash.h>

#include <string>

enum class ScriptError {
    OK,
    SPENT_OUTPUT_MISSING,   //!< txdata not ready, or nIn out of range
    NOT_TAPROOT_OUTPUT,     //!< spent output is not OP_1 <32 bytes> (unspendable)
    SCRIPTSIG_NOT_EMPTY,
    WITNESS_STACK_SIZE,     //!< witness stack does not hold exactly one element
    SCHNORR_SIG_SIZE,       //!< signature is neither 64 nor 65 bytes
    SCHNORR_SIG_HASHTYPE,   //!< invalid hash type (incl. explicit 0x00, SINGLE without output)
    SCHNORR_SIG,            //!< signature does not verify (or output key not on the curve)
};

/** Short text for an error, as used in reject reasons and RPC messages. */
std::string ScriptErrorString(ScriptError err);

/** Checks that input nIn of tx is a valid spend of txdata.spent_outputs[nIn]
 *  (rules above). txdata must have been built from this tx. Returns true and
 *  sets *error = OK on success; false and the reason otherwise. `error` may be null. */
bool VerifyInputSpend(const CTransaction& tx, unsigned nIn, const PrecomputedTxData& txdata, ScriptError* error);

#endif // ODA_SCRIPT_VERIFY_H
