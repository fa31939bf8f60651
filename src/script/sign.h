// Signing a taproot key-path input (BIP 86 outputs: the output key is the
// internal key tweaked with no script tree).
#ifndef ODA_SCRIPT_SIGN_H
#define ODA_SCRIPT_SIGN_H

#include <primitives/transaction.h>
#include <script/keys.h>

#include <cstdint>
#include <string>
#include <vector>

/** Signs input nIn of tx, which spends spent_outputs[nIn] (spent_outputs has one
 *  entry per input, in order), with the BIP 86 tweak of internal_key, and writes
 *  the witness (64-byte signature for SIGHASH_DEFAULT, else 65 bytes with the hash
 *  type appended). Clears the input's scriptSig. Aux randomness comes from the OS
 *  CSPRNG unless `aux_rand` is given (tests). The signature is verified before
 *  it is written. Returns false with a reason in *error (if given) when: nIn is
 *  out of range, spent_outputs does not match the inputs, the spent output is not
 *  the taproot output of internal_key, the key is invalid, the hash type is
 *  invalid, or SIGHASH_SINGLE has no matching output. tx is unchanged on failure. */
bool SignTaprootKeyPath(CMutableTransaction& tx, unsigned nIn, const std::vector<CTxOut>& spent_outputs,
                        const CKey& internal_key, uint8_t hash_type, std::string* error,
                        const uint256* aux_rand = nullptr);

#endif // ODA_SCRIPT_SIGN_H
