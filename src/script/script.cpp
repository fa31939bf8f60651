#include <script/script.h>

#include <hex.h>

std::string GetOpName(opcodetype op)
{
    // Names of Bitcoin's opcodes, so that foreign or nonstandard scripts print
    // the way users of Bitcoin tools expect.
    switch (static_cast<uint8_t>(op)) {
    case 0x00: return "0";
    case 0x4c: return "OP_PUSHDATA1";
    case 0x4d: return "OP_PUSHDATA2";
    case 0x4e: return "OP_PUSHDATA4";
    case 0x4f: return "-1";
    case 0x50: return "OP_RESERVED";
    case 0x61: return "OP_NOP";
    case 0x62: return "OP_VER";
    case 0x63: return "OP_IF";
    case 0x64: return "OP_NOTIF";
    case 0x65: return "OP_VERIF";
    case 0x66: return "OP_VERNOTIF";
    case 0x67: return "OP_ELSE";
    case 0x68: return "OP_ENDIF";
    case 0x69: return "OP_VERIFY";
    case 0x6a: return "OP_RETURN";
    case 0x6b: return "OP_TOALTSTACK";
    case 0x6c: return "OP_FROMALTSTACK";
    case 0x6d: return "OP_2DROP";
    case 0x6e: return "OP_2DUP";
    case 0x6f: return "OP_3DUP";
    case 0x70: return "OP_2OVER";
    case 0x71: return "OP_2ROT";
    case 0x72: return "OP_2SWAP";
    case 0x73: return "OP_IFDUP";
    case 0x74: return "OP_DEPTH";
    case 0x75: return "OP_DROP";
    case 0x76: return "OP_DUP";
    case 0x77: return "OP_NIP";
    case 0x78: return "OP_OVER";
    case 0x79: return "OP_PICK";
    case 0x7a: return "OP_ROLL";
    case 0x7b: return "OP_ROT";
    case 0x7c: return "OP_SWAP";
    case 0x7d: return "OP_TUCK";
    case 0x7e: return "OP_CAT";
    case 0x7f: return "OP_SUBSTR";
    case 0x80: return "OP_LEFT";
    case 0x81: return "OP_RIGHT";
    case 0x82: return "OP_SIZE";
    case 0x83: return "OP_INVERT";
    case 0x84: return "OP_AND";
    case 0x85: return "OP_OR";
    case 0x86: return "OP_XOR";
    case 0x87: return "OP_EQUAL";
    case 0x88: return "OP_EQUALVERIFY";
    case 0x89: return "OP_RESERVED1";
    case 0x8a: return "OP_RESERVED2";
    case 0x8b: return "OP_1ADD";
    case 0x8c: return "OP_1SUB";
    case 0x8d: return "OP_2MUL";
    case 0x8e: return "OP_2DIV";
    case 0x8f: return "OP_NEGATE";
    case 0x90: return "OP_ABS";
    case 0x91: return "OP_NOT";
    case 0x92: return "OP_0NOTEQUAL";
    case 0x93: return "OP_ADD";
    case 0x94: return "OP_SUB";
    case 0x95: return "OP_MUL";
    case 0x96: return "OP_DIV";
    case 0x97: return "OP_MOD";
    case 0x98: return "OP_LSHIFT";
    case 0x99: return "OP_RSHIFT";
    case 0x9a: return "OP_BOOLAND";
    case 0x9b: return "OP_BOOLOR";
    case 0x9c: return "OP_NUMEQUAL";
    case 0x9d: return "OP_NUMEQUALVERIFY";
    case 0x9e: return "OP_NUMNOTEQUAL";
    case 0x9f: return "OP_LESSTHAN";
    case 0xa0: return "OP_GREATERTHAN";
    case 0xa1: return "OP_LESSTHANOREQUAL";
    case 0xa2: return "OP_GREATERTHANOREQUAL";
    case 0xa3: return "OP_MIN";
    case 0xa4: return "OP_MAX";
    case 0xa5: return "OP_WITHIN";
    case 0xa6: return "OP_RIPEMD160";
    case 0xa7: return "OP_SHA1";
    case 0xa8: return "OP_SHA256";
    case 0xa9: return "OP_HASH160";
    case 0xaa: return "OP_HASH256";
    case 0xab: return "OP_CODESEPARATOR";
    case 0xac: return "OP_CHECKSIG";
    case 0xad: return "OP_CHECKSIGVERIFY";
    case 0xae: return "OP_CHECKMULTISIG";
    case 0xaf: return "OP_CHECKMULTISIGVERIFY";
    case 0xb0: return "OP_NOP1";
    case 0xb1: return "OP_CHECKLOCKTIMEVERIFY";
    case 0xb2: return "OP_CHECKSEQUENCEVERIFY";
    case 0xb3: return "OP_NOP4";
    case 0xb4: return "OP_NOP5";
    case 0xb5: return "OP_NOP6";
    case 0xb6: return "OP_NOP7";
    case 0xb7: return "OP_NOP8";
    case 0xb8: return "OP_NOP9";
    case 0xb9: return "OP_NOP10";
    case 0xba: return "OP_CHECKSIGADD";
    case 0xff: return "OP_INVALIDOPCODE";
    default: break;
    }
    int n = DecodeSmallInt(op);
    if (n > 0) return std::to_string(n);
    return "OP_UNKNOWN";
}

int DecodeSmallInt(opcodetype op)
{
    if (op == OP_0) return 0;
    if (op >= OP_1 && op <= OP_16) return static_cast<int>(op) - static_cast<int>(OP_1) + 1;
    return -1;
}

opcodetype EncodeSmallInt(int n)
{
    if (n == 0) return OP_0;
    return static_cast<opcodetype>(static_cast<int>(OP_1) + n - 1);
}

opcodetype MinimalPushOpcode(size_t size)
{
    if (size < OP_PUSHDATA1) return static_cast<opcodetype>(size);
    if (size <= 0xff) return OP_PUSHDATA1;
    if (size <= 0xffff) return OP_PUSHDATA2;
    return OP_PUSHDATA4;
}

ScriptBuilder& ScriptBuilder::PushOpcode(opcodetype op)
{
    m_script.push_back(static_cast<uint8_t>(op));
    return *this;
}

ScriptBuilder& ScriptBuilder::PushData(const uint8_t* data, size_t size)
{
    opcodetype op = MinimalPushOpcode(size);
    m_script.push_back(static_cast<uint8_t>(op));
    if (op == OP_PUSHDATA1) {
        m_script.push_back(static_cast<uint8_t>(size));
    } else if (op == OP_PUSHDATA2) {
        m_script.push_back(static_cast<uint8_t>(size));
        m_script.push_back(static_cast<uint8_t>(size >> 8));
    } else if (op == OP_PUSHDATA4) {
        for (int i = 0; i < 4; ++i) m_script.push_back(static_cast<uint8_t>(static_cast<uint64_t>(size) >> (8 * i)));
    }
    if (size) m_script.insert(m_script.end(), data, data + size);
    return *this;
}

bool ScriptOp::IsMinimalPush() const
{
    return IsPush() && opcode == MinimalPushOpcode(size);
}

bool GetScriptOp(const ScriptBytes& script, size_t& pos, ScriptOp& op)
{
    op = ScriptOp{};
    const size_t end = script.size();
    if (pos >= end) return false;
    size_t p = pos;
    const opcodetype code = static_cast<opcodetype>(script[p++]);
    if (code > OP_PUSHDATA4) {
        op.opcode = code;
        pos = p;
        return true;
    }
    // A push: find its length, then check the data fits before touching it.
    size_t len = 0;
    size_t len_bytes = code == OP_PUSHDATA1 ? 1 : code == OP_PUSHDATA2 ? 2 : code == OP_PUSHDATA4 ? 4 : 0;
    if (len_bytes == 0) {
        len = code;
    } else {
        if (end - p < len_bytes) return false;
        uint64_t v = 0;
        for (size_t i = 0; i < len_bytes; ++i) v |= static_cast<uint64_t>(script[p + i]) << (8 * i);
        p += len_bytes;
        if (v > end - p) return false;
        len = static_cast<size_t>(v);
    }
    if (len > end - p) return false;
    op.opcode = code;
    op.data = script.data() + p;
    op.size = len;
    pos = p + len;
    return true;
}

bool IsPushOnly(const ScriptBytes& script, size_t from)
{
    size_t pos = from;
    ScriptOp op;
    while (pos < script.size()) {
        if (!GetScriptOp(script, pos, op)) return false;
        // As in Bitcoin, everything up to OP_16 counts, including OP_RESERVED
        // (0x50), so that data outputs classify the same way in both.
        if (op.opcode > OP_16) return false;
    }
    return true;
}

/** Value of a push of up to 4 bytes read as a Bitcoin script number
 *  (little-endian, sign bit in the top bit of the last byte). */
static int64_t ScriptNumValue(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    int64_t v = 0;
    for (size_t i = 0; i < size; ++i) v |= static_cast<int64_t>(data[i]) << (8 * i);
    const int64_t sign_bit = int64_t{0x80} << (8 * (size - 1));
    if (data[size - 1] & 0x80) return -(v & ~sign_bit);
    return v;
}

std::string ScriptToAsm(const ScriptBytes& script)
{
    std::string out;
    size_t pos = 0;
    ScriptOp op;
    while (pos < script.size()) {
        if (!out.empty()) out += ' ';
        if (!GetScriptOp(script, pos, op)) {
            out += "[error]";
            break;
        }
        if (op.IsPush()) {
            if (op.size <= 4) {
                out += std::to_string(ScriptNumValue(op.data, op.size));
            } else {
                out += HexStr(op.data, op.size);
            }
        } else {
            out += GetOpName(op.opcode);
        }
    }
    return out;
}
