// Script bytes: the opcodes ODA needs, a builder that always uses the minimal
// push opcode, a bounds-checked reader of one operation at a time, and the
// Bitcoin-style "asm" text used by RPCs.
//
// ODA does not execute scripts: an output is either a taproot key (OP_1 <32>)
// or OP_RETURN data (see script/standard.h). This file only parses and builds.
#ifndef ODA_SCRIPT_SCRIPT_H
#define ODA_SCRIPT_SCRIPT_H

#include <primitives/transaction.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

/** Opcode values (Bitcoin's numbering). Only the push opcodes, OP_1..OP_16 and
 *  OP_RETURN have a meaning in ODA; the others exist so that foreign scripts
 *  print with their usual names. */
enum opcodetype : uint8_t {
    OP_0 = 0x00,
    OP_FALSE = OP_0,
    OP_PUSHDATA1 = 0x4c,
    OP_PUSHDATA2 = 0x4d,
    OP_PUSHDATA4 = 0x4e,
    OP_1NEGATE = 0x4f,
    OP_RESERVED = 0x50,
    OP_1 = 0x51,
    OP_TRUE = OP_1,
    OP_2 = 0x52,
    OP_3 = 0x53,
    OP_4 = 0x54,
    OP_5 = 0x55,
    OP_6 = 0x56,
    OP_7 = 0x57,
    OP_8 = 0x58,
    OP_9 = 0x59,
    OP_10 = 0x5a,
    OP_11 = 0x5b,
    OP_12 = 0x5c,
    OP_13 = 0x5d,
    OP_14 = 0x5e,
    OP_15 = 0x5f,
    OP_16 = 0x60,
    OP_NOP = 0x61,
    OP_RETURN = 0x6a,
    OP_INVALIDOPCODE = 0xff,
};

/** Name of an opcode as Bitcoin prints it ("OP_RETURN", "OP_CHECKSIG", ...);
 *  "OP_UNKNOWN" for values without a name. */
std::string GetOpName(opcodetype op);

/** OP_1..OP_16 -> 1..16, OP_0 -> 0; -1 for anything else. */
int DecodeSmallInt(opcodetype op);
/** 0..16 -> OP_0, OP_1..OP_16. Precondition: 0 <= n <= 16. */
opcodetype EncodeSmallInt(int n);

/** The push opcode a minimal push of `size` bytes starts with: OP_0 for 0 bytes,
 *  the length itself for 1..75, then OP_PUSHDATA1/2/4. (Single bytes are pushed
 *  as data, never replaced by OP_1..OP_16: this is the rule ODA outputs use.) */
opcodetype MinimalPushOpcode(size_t size);

/** Appends operations to a script. Pushes always use MinimalPushOpcode. */
class ScriptBuilder
{
    ScriptBytes m_script;

public:
    ScriptBuilder() = default;

    ScriptBuilder& PushOpcode(opcodetype op);
    ScriptBuilder& PushData(const uint8_t* data, size_t size);
    ScriptBuilder& PushData(const std::vector<uint8_t>& data) { return PushData(data.data(), data.size()); }

    const ScriptBytes& Get() const { return m_script; }
    ScriptBytes Release() { return std::move(m_script); }
};

/** One parsed operation. For a push (opcode <= OP_PUSHDATA4), `data`/`size`
 *  view the pushed bytes inside the script (valid while the script lives). */
struct ScriptOp {
    opcodetype opcode{OP_INVALIDOPCODE};
    const uint8_t* data{nullptr};
    size_t size{0};
    /** True when a push used the shortest encoding for its length (MinimalPushOpcode). */
    bool IsMinimalPush() const;
    bool IsPush() const { return opcode <= OP_PUSHDATA4; }
};

/** Reads the operation at script[pos] and advances pos past it.
 *  Returns false, leaving pos and op.opcode = OP_INVALIDOPCODE, when pos is at
 *  the end or when a push's length prefix or data would run past the end.
 *  (At the end: pos == script.size(); truncated: pos < script.size().)
 *  Never reads outside the script, whatever the bytes. */
bool GetScriptOp(const ScriptBytes& script, size_t& pos, ScriptOp& op);

/** True when every operation from `from` on is an opcode up to OP_16 (pushes,
 *  OP_1NEGATE, OP_RESERVED, OP_1..OP_16: Bitcoin's definition) and the script
 *  parses to its end. */
bool IsPushOnly(const ScriptBytes& script, size_t from = 0);

/** Bitcoin Core's "asm" form: operations separated by spaces; pushes of up to
 *  4 bytes as their script-number value, longer pushes as hex; OP_0 -> "0",
 *  OP_1NEGATE -> "-1", OP_1..OP_16 -> "1".."16"; a truncated push ends the text
 *  with "[error]". */
std::string ScriptToAsm(const ScriptBytes& script);

#endif // ODA_SCRIPT_SCRIPT_H
