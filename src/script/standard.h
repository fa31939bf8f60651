// The output types of ODA and their builders.
//
//   WITNESS_V1_TAPROOT  OP_1 <32-byte x-only output key>        (0x51 0x20 <32>)
//   ODA_DATA            OP_RETURN <push "ODA1"> <push payload>   (minimal pushes, nothing after)
//   NULL_DATA           OP_RETURN followed only by pushes        (other data carriers)
//   NONSTANDARD         anything else (unspendable)
//
// Only WITNESS_V1_TAPROOT outputs can be spent. "Minimal push" means the push
// opcode MinimalPushOpcode(size) of script/script.h (OP_PUSHDATA4 allowed for
// payloads above 65535 bytes; a one-byte payload is a data push, not OP_1..OP_16).
#ifndef ODA_SCRIPT_STANDARD_H
#define ODA_SCRIPT_STANDARD_H

#include <primitives/transaction.h>
#include <script/keys.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

enum class OutputType {
    WITNESS_V1_TAPROOT,
    NULL_DATA,
    ODA_DATA,
    NONSTANDARD,
};

/** The 4-byte tag that starts every ODA data output. */
inline constexpr uint8_t ODA_TAG[4] = {'O', 'D', 'A', '1'};
/** Largest standard NULL_DATA script (OP_RETURN + 80 data bytes with push opcodes),
 *  as Bitcoin's relay policy. Does not apply to ODA_DATA. */
static constexpr size_t MAX_NULL_DATA_SCRIPT_SIZE = 83;
/** Size of a taproot scriptPubKey. */
static constexpr size_t TAPROOT_SCRIPT_SIZE = 34;

/** Type of a scriptPubKey. Total: any bytes give one of the four types. */
OutputType ClassifyOutput(const ScriptBytes& spk);

/** "witness_v1_taproot", "nulldata", "oda", "nonstandard". */
std::string GetOutputTypeName(OutputType type);

/** OP_1 <output_key>. */
ScriptBytes TaprootOutputScript(const XOnlyPubKey& output_key);
/** BIP 86 output for an internal key: OP_1 <TaprootTweak(internal_key)> (no script
 *  tree). nullopt when the internal key is not on the curve. */
std::optional<ScriptBytes> Bip86OutputScript(const XOnlyPubKey& internal_key);
/** OP_RETURN <push "ODA1"> <push payload>, minimal pushes. */
ScriptBytes OdaOutputScript(const std::vector<uint8_t>& payload);
/** OP_RETURN <push data> (minimal push; OP_0 for empty data). */
ScriptBytes NullDataScript(const std::vector<uint8_t>& data);

/** The 32-byte output key of a WITNESS_V1_TAPROOT script; nullopt otherwise. The
 *  key is not checked against the curve (an off-curve key is simply unspendable). */
std::optional<XOnlyPubKey> GetTaprootOutputKey(const ScriptBytes& spk);

/** The payload of an ODA_DATA output; nullopt for any other script (including a
 *  non-minimal push, a missing or different tag, or bytes after the payload). */
std::optional<std::vector<uint8_t>> ExtractOdaPayload(const ScriptBytes& spk);

/** True for an OP_RETURN whose first operation pushes "ODA1" in any push form,
 *  even when the output is not a well-formed ODA_DATA output. Lets consensus
 *  reject malformed ODA outputs instead of reading them as plain data. */
bool HasOdaTag(const ScriptBytes& spk);

/** Relay policy: taproot outputs, ODA outputs, and NULL_DATA up to
 *  MAX_NULL_DATA_SCRIPT_SIZE bytes. */
bool IsStandardOutput(const ScriptBytes& spk);

/** Only witness v1 outputs with a 32-byte program can ever be spent. */
bool IsSpendableOutput(const ScriptBytes& spk);

#endif // ODA_SCRIPT_STANDARD_H
