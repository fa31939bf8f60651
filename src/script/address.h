// Addresses. Generic segwit addresses (BIP 173 / BIP 350: witness version 0 with
// bech32, versions 1..16 with bech32m, programs of 2..40 bytes, 20 or 32 for v0),
// and ODA's destination rules on top: an ODA address is always a taproot output
// (witness v1, 32-byte program) under the network's HRP ("oda", "toda", "roda").
#ifndef ODA_SCRIPT_ADDRESS_H
#define ODA_SCRIPT_ADDRESS_H

#include <primitives/transaction.h>

#include <optional>
#include <string>
#include <vector>

struct WitnessProgram {
    int version{0};               //!< 0..16
    std::vector<uint8_t> program; //!< 2..40 bytes

    friend bool operator==(const WitnessProgram& a, const WitnessProgram& b) { return a.version == b.version && a.program == b.program; }
};

/** Segwit address of a witness program; "" when version or program length are
 *  out of BIP 141's ranges, or the HRP is empty. */
std::string EncodeSegwitAddress(const std::string& hrp, const WitnessProgram& wp);

/** Decodes a segwit address for `hrp` (compared case-insensitively). On failure
 *  returns nullopt and, if `error` is given, a reason such as "invalid checksum",
 *  "wrong network prefix", "invalid witness version", "invalid program length". */
std::optional<WitnessProgram> DecodeSegwitAddress(const std::string& hrp, const std::string& addr, std::string* error = nullptr);

/** scriptPubKey of a witness program: OP_n <push program>. */
ScriptBytes WitnessProgramScript(const WitnessProgram& wp);

/** Address of a taproot (OP_1 <32 bytes>) scriptPubKey under `hrp`; "" for any
 *  other script (ODA has no addresses for other output types). */
std::string EncodeDestination(const ScriptBytes& spk, const std::string& hrp);

/** The taproot scriptPubKey an address pays to. Accepts only witness v1 32-byte
 *  programs under `hrp`. On failure returns nullopt and, if `error` is given, one of:
 *  "invalid checksum" (with detail), "wrong network prefix (expected <hrp>)",
 *  "only taproot (witness v1, 32 bytes) addresses are supported", or another
 *  decoding error. */
std::optional<ScriptBytes> DecodeDestination(const std::string& str, const std::string& hrp, std::string* error = nullptr);

#endif // ODA_SCRIPT_ADDRESS_H
