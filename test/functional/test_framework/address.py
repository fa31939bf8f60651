"""bech32m (BIP 350) addresses: encode/decode, and the taproot address of an output key.

ODA accepts only witness v1 (32-byte program) for spending; other versions decode but the node
treats them as non-standard. HRPs: oda (main), toda (test), roda (regtest).
"""
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3
HRP_REGTEST = "roda"
HRP_TEST = "toda"
HRP_MAIN = "oda"


def _polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((top >> i) & 1) else 0
    return chk


def _hrp_expand(hrp):
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def bech32_encode(hrp, data, const=BECH32M_CONST):
    values = _hrp_expand(hrp) + data
    polymod = _polymod(values + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in data + checksum)


def bech32_decode(s):
    """(hrp, data, const) or (None, None, None) for an invalid string."""
    if any(ord(c) < 33 or ord(c) > 126 for c in s) or (s.lower() != s and s.upper() != s):
        return None, None, None
    s = s.lower()
    pos = s.rfind("1")
    if pos < 1 or pos + 7 > len(s) or len(s) > 90:
        return None, None, None
    if any(c not in CHARSET for c in s[pos + 1:]):
        return None, None, None
    hrp = s[:pos]
    data = [CHARSET.find(c) for c in s[pos + 1:]]
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        return None, None, None
    return hrp, data[:-6], const


def convertbits(data, frombits, tobits, pad=True):
    acc = 0
    bits = 0
    ret = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            return None
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if pad:
        if bits:
            ret.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return ret


def decode_segwit_address(hrp, addr):
    """(witness version, program bytes) or (None, None) when addr is not a valid address for hrp."""
    hrpgot, data, const = bech32_decode(addr)
    if hrpgot != hrp or not data:
        return None, None
    prog = convertbits(data[1:], 5, 8, False)
    if prog is None or not 2 <= len(prog) <= 40 or data[0] > 16:
        return None, None
    if data[0] == 0 and len(prog) not in (20, 32):
        return None, None
    if (data[0] == 0 and const != BECH32_CONST) or (data[0] != 0 and const != BECH32M_CONST):
        return None, None
    return data[0], bytes(prog)


def encode_segwit_address(hrp, witver, witprog):
    const = BECH32_CONST if witver == 0 else BECH32M_CONST
    addr = bech32_encode(hrp, [witver] + convertbits(list(witprog), 8, 5), const)
    if decode_segwit_address(hrp, addr) == (None, None):
        raise ValueError("cannot encode this witness program")
    return addr


def taproot_address(output_key, hrp=HRP_REGTEST):
    """bech32m address paying OP_1 <output_key>."""
    if len(output_key) != 32:
        raise ValueError("taproot output key must be 32 bytes")
    return encode_segwit_address(hrp, 1, output_key)


def address_to_script_pubkey(addr, hrp=HRP_REGTEST):
    ver, prog = decode_segwit_address(hrp, addr)
    if ver is None:
        raise ValueError(f"invalid address {addr}")
    return bytes([0x50 + ver if ver else 0, len(prog)]) + prog
