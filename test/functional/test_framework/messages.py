"""Bitcoin-identical serialization of ODA transactions and blocks, and the hashes over them.

Everything here works on bytes and Python ints; amounts are integers in base units
(1 coin = COIN units). Deserializers take a `io.BytesIO`-like stream and raise
`ValueError` on truncated or malformed input.
"""
import copy
import hashlib
import io
import struct

COIN = 100_000_000
MAX_MONEY = 21_000_000 * COIN
SEQUENCE_FINAL = 0xFFFFFFFF
WITNESS_COMMITMENT_HEADER = b"\xaa\x21\xa9\xed"

# BIP 341 hash types.
SIGHASH_DEFAULT = 0x00
SIGHASH_ALL = 0x01
SIGHASH_NONE = 0x02
SIGHASH_SINGLE = 0x03
SIGHASH_ANYONECANPAY = 0x80


# ---- hashes -------------------------------------------------------------------------------
def sha256(data):
    return hashlib.sha256(data).digest()


def hash256(data):
    """SHA256d, as Bitcoin uses it for txids, block hashes and checksums."""
    return sha256(sha256(data))


def tagged_hash(tag, data):
    """BIP 340 tagged hash: SHA256(SHA256(tag) || SHA256(tag) || data)."""
    tag_hash = sha256(tag.encode())
    return sha256(tag_hash + tag_hash + data)


def uint256_from_bytes(b):
    return int.from_bytes(b, "little")


def uint256_to_bytes(n):
    return n.to_bytes(32, "little")


def hash_to_hex(h):
    """Display form of a 32-byte hash (byte-reversed hex), as RPC shows txids and block hashes."""
    return h[::-1].hex()


def hex_to_hash(s):
    b = bytes.fromhex(s)
    if len(b) != 32:
        raise ValueError("hash must be 32 bytes")
    return b[::-1]


# ---- primitive (de)serialization ------------------------------------------------------------
def _read(f, n):
    b = f.read(n)
    if len(b) != n:
        raise ValueError("unexpected end of data")
    return b


def ser_compact_size(n):
    if n < 0xFD:
        return struct.pack("<B", n)
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def deser_compact_size(f, max_size=0x02000000):
    n = _read(f, 1)[0]
    if n == 0xFD:
        n = struct.unpack("<H", _read(f, 2))[0]
        minimum = 0xFD
    elif n == 0xFE:
        n = struct.unpack("<I", _read(f, 4))[0]
        minimum = 0x10000
    elif n == 0xFF:
        n = struct.unpack("<Q", _read(f, 8))[0]
        minimum = 0x100000000
    else:
        minimum = 0
    if n < minimum:
        raise ValueError("non-canonical CompactSize")
    if n > max_size:
        raise ValueError("CompactSize too large")
    return n


def ser_string(b):
    return ser_compact_size(len(b)) + bytes(b)


def deser_string(f):
    return _read(f, deser_compact_size(f))


def ser_vector(items, ser=lambda x: x.serialize()):
    return ser_compact_size(len(items)) + b"".join(ser(i) for i in items)


def deser_vector(f, cls):
    out = []
    for _ in range(deser_compact_size(f)):
        obj = cls()
        obj.deserialize(f)
        out.append(obj)
    return out


# ---- transactions ------------------------------------------------------------------------
class COutPoint:
    def __init__(self, hash=0, n=0):
        self.hash = hash  # int (little-endian interpretation of the 32 bytes)
        self.n = n

    def deserialize(self, f):
        self.hash = uint256_from_bytes(_read(f, 32))
        self.n = struct.unpack("<I", _read(f, 4))[0]

    def serialize(self):
        return uint256_to_bytes(self.hash) + struct.pack("<I", self.n)

    def __repr__(self):
        return f"COutPoint(hash={self.hash:064x} n={self.n})"


class CTxIn:
    def __init__(self, outpoint=None, script_sig=b"", sequence=SEQUENCE_FINAL):
        self.prevout = outpoint if outpoint is not None else COutPoint()
        self.script_sig = script_sig
        self.sequence = sequence

    def deserialize(self, f):
        self.prevout = COutPoint()
        self.prevout.deserialize(f)
        self.script_sig = deser_string(f)
        self.sequence = struct.unpack("<I", _read(f, 4))[0]

    def serialize(self):
        return self.prevout.serialize() + ser_string(self.script_sig) + struct.pack("<I", self.sequence)


class CTxOut:
    def __init__(self, value=0, script_pubkey=b""):
        self.value = value
        self.script_pubkey = script_pubkey

    def deserialize(self, f):
        self.value = struct.unpack("<q", _read(f, 8))[0]
        self.script_pubkey = deser_string(f)

    def serialize(self):
        return struct.pack("<q", self.value) + ser_string(self.script_pubkey)


class CTxInWitness:
    """The BIP 144 witness stack of one input."""
    def __init__(self, stack=None):
        self.stack = list(stack or [])

    def deserialize(self, f):
        self.stack = [deser_string(f) for _ in range(deser_compact_size(f))]

    def serialize(self):
        return ser_compact_size(len(self.stack)) + b"".join(ser_string(x) for x in self.stack)

    def is_null(self):
        return not self.stack


class CTransaction:
    """A mutable transaction; txid/wtxid are recomputed on every call (no caching surprises)."""
    def __init__(self, tx=None):
        if tx is None:
            self.version = 2
            self.vin = []
            self.vout = []
            self.wit = []  # one CTxInWitness per input (may be shorter: missing = empty)
            self.locktime = 0
        else:
            self.__dict__ = copy.deepcopy(tx.__dict__)

    def has_witness(self):
        return any(not w.is_null() for w in self.wit)

    def deserialize(self, f):
        self.version = struct.unpack("<i", _read(f, 4))[0]
        self.vin = deser_vector(f, CTxIn)
        flags = 0
        if not self.vin:
            flags = _read(f, 1)[0]
            if flags != 0:
                self.vin = deser_vector(f, CTxIn)
                self.vout = deser_vector(f, CTxOut)
        else:
            self.vout = deser_vector(f, CTxOut)
        self.wit = []
        if flags & 1:
            for _ in self.vin:
                w = CTxInWitness()
                w.deserialize(f)
                self.wit.append(w)
            if not self.has_witness():
                raise ValueError("superfluous witness record")
        elif flags:
            raise ValueError("unknown transaction flags")
        self.locktime = struct.unpack("<I", _read(f, 4))[0]
        return self

    def serialize_without_witness(self):
        return (struct.pack("<i", self.version) + ser_vector(self.vin) + ser_vector(self.vout)
                + struct.pack("<I", self.locktime))

    def serialize_with_witness(self):
        if not self.has_witness():
            return self.serialize_without_witness()
        wits = [self.wit[i] if i < len(self.wit) else CTxInWitness() for i in range(len(self.vin))]
        return (struct.pack("<i", self.version) + b"\x00\x01" + ser_vector(self.vin)
                + ser_vector(self.vout) + b"".join(w.serialize() for w in wits)
                + struct.pack("<I", self.locktime))

    serialize = serialize_with_witness

    def txid_bytes(self):
        return hash256(self.serialize_without_witness())

    def wtxid_bytes(self):
        return hash256(self.serialize_with_witness())

    @property
    def txid(self):
        return hash_to_hex(self.txid_bytes())

    @property
    def wtxid(self):
        return hash_to_hex(self.wtxid_bytes())

    @property
    def sha256(self):
        """The txid as an int (COutPoint.hash form)."""
        return uint256_from_bytes(self.txid_bytes())

    def get_weight(self):
        base = len(self.serialize_without_witness())
        total = len(self.serialize_with_witness())
        return base * 3 + total

    def get_vsize(self):
        return (self.get_weight() + 3) // 4

    def is_coinbase(self):
        return len(self.vin) == 1 and self.vin[0].prevout.hash == 0 and self.vin[0].prevout.n == 0xFFFFFFFF

    def __repr__(self):
        return f"CTransaction(txid={self.txid} vin={len(self.vin)} vout={len(self.vout)})"


def tx_from_hex(hexstring):
    f = io.BytesIO(bytes.fromhex(hexstring))
    tx = CTransaction().deserialize(f)
    if f.read(1):
        raise ValueError("trailing bytes after transaction")
    return tx


# ---- blocks ------------------------------------------------------------------------------
class CBlockHeader:
    def __init__(self, header=None):
        if header is None:
            self.version = 0x20000000
            self.hashPrevBlock = 0
            self.hashMerkleRoot = 0
            self.time = 0
            self.bits = 0
            self.nonce = 0
        else:
            self.version = header.version
            self.hashPrevBlock = header.hashPrevBlock
            self.hashMerkleRoot = header.hashMerkleRoot
            self.time = header.time
            self.bits = header.bits
            self.nonce = header.nonce

    def deserialize(self, f):
        self.version = struct.unpack("<i", _read(f, 4))[0]
        self.hashPrevBlock = uint256_from_bytes(_read(f, 32))
        self.hashMerkleRoot = uint256_from_bytes(_read(f, 32))
        self.time, self.bits, self.nonce = struct.unpack("<III", _read(f, 12))
        return self

    def serialize_header(self):
        return (struct.pack("<i", self.version) + uint256_to_bytes(self.hashPrevBlock)
                + uint256_to_bytes(self.hashMerkleRoot) + struct.pack("<III", self.time, self.bits, self.nonce))

    def hash_bytes(self):
        return hash256(self.serialize_header())

    @property
    def sha256(self):
        return uint256_from_bytes(self.hash_bytes())

    @property
    def hash(self):
        return hash_to_hex(self.hash_bytes())


def bits_to_target(bits):
    exponent = bits >> 24
    mantissa = bits & 0x007FFFFF
    if exponent <= 3:
        return mantissa >> (8 * (3 - exponent))
    return mantissa << (8 * (exponent - 3))


def merkle_root(hashes):
    """Bitcoin's Merkle root over 32-byte hashes (odd levels duplicate their last entry)."""
    if not hashes:
        return b"\x00" * 32
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [hash256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


class CBlock(CBlockHeader):
    def __init__(self, header=None):
        super().__init__(header)
        self.vtx = []

    def deserialize(self, f):
        super().deserialize(f)
        self.vtx = deser_vector(f, CTransaction)
        return self

    def serialize(self, with_witness=True):
        ser = (lambda t: t.serialize_with_witness()) if with_witness else (lambda t: t.serialize_without_witness())
        return self.serialize_header() + ser_vector(self.vtx, ser)

    def calc_merkle_root(self):
        return uint256_from_bytes(merkle_root([tx.txid_bytes() for tx in self.vtx]))

    def calc_witness_merkle_root(self):
        # BIP 141: the coinbase's wtxid counts as 32 zero bytes.
        leaves = [b"\x00" * 32] + [tx.wtxid_bytes() for tx in self.vtx[1:]]
        return merkle_root(leaves)

    def get_weight(self):
        return len(self.serialize(False)) * 3 + len(self.serialize(True))

    def is_valid_pow(self):
        return self.sha256 <= bits_to_target(self.bits)

    def solve(self):
        """Grind the nonce until the header hash meets its own nBits (instant at regtest's limit)."""
        self.hashMerkleRoot = self.calc_merkle_root()
        target = bits_to_target(self.bits)
        while self.sha256 > target:
            self.nonce += 1
            if self.nonce > 0xFFFFFFFF:
                self.nonce = 0
                self.time += 1

    def __repr__(self):
        return f"CBlock(hash={self.hash} ntx={len(self.vtx)})"


def block_from_hex(hexstring):
    f = io.BytesIO(bytes.fromhex(hexstring))
    block = CBlock().deserialize(f)
    if f.read(1):
        raise ValueError("trailing bytes after block")
    return block


# ---- BIP 341 signature message -------------------------------------------------------------
def taproot_signature_msg(tx, spent_utxos, hash_type, input_index):
    """BIP 341 SigMsg for a key-path spend (ext_flag 0, no annex).

    spent_utxos: list of CTxOut, one per input of tx (amount and scriptPubKey being spent).
    Returns the message bytes (without the epoch byte); see taproot_signature_hash.
    """
    if hash_type not in (0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83):
        raise ValueError(f"invalid hash type {hash_type:#x}")
    if len(spent_utxos) != len(tx.vin):
        raise ValueError("need one spent output per input")
    output_type = SIGHASH_ALL if hash_type == SIGHASH_DEFAULT else hash_type & 3
    anyone_can_pay = hash_type & SIGHASH_ANYONECANPAY
    msg = bytes([hash_type]) + struct.pack("<i", tx.version) + struct.pack("<I", tx.locktime)
    if not anyone_can_pay:
        msg += sha256(b"".join(i.prevout.serialize() for i in tx.vin))
        msg += sha256(b"".join(struct.pack("<q", u.value) for u in spent_utxos))
        msg += sha256(b"".join(ser_string(u.script_pubkey) for u in spent_utxos))
        msg += sha256(b"".join(struct.pack("<I", i.sequence) for i in tx.vin))
    if output_type == SIGHASH_ALL:
        msg += sha256(b"".join(o.serialize() for o in tx.vout))
    spend_type = 0  # ext_flag 0, no annex
    msg += bytes([spend_type])
    if anyone_can_pay:
        txin = tx.vin[input_index]
        spent = spent_utxos[input_index]
        msg += (txin.prevout.serialize() + struct.pack("<q", spent.value) + ser_string(spent.script_pubkey)
                + struct.pack("<I", txin.sequence))
    else:
        msg += struct.pack("<I", input_index)
    if output_type == SIGHASH_SINGLE:
        if input_index >= len(tx.vout):
            raise ValueError("SIGHASH_SINGLE without a matching output")
        msg += sha256(tx.vout[input_index].serialize())
    return msg


def taproot_signature_hash(tx, spent_utxos, hash_type, input_index):
    """The 32-byte BIP 341 key-path signature hash: TapSighash(0x00 || SigMsg)."""
    return tagged_hash("TapSighash", b"\x00" + taproot_signature_msg(tx, spent_utxos, hash_type, input_index))
