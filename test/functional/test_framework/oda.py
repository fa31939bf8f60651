"""ODA payloads (doc/oda-protocol.md section 2.2) encoded in Python, for building ODA
transactions in tests. Hashes are given as the RPCs show them (doc/oda-protocol.md section 2):
model ids (txids) as byte-reversed display hex, file roots (pieces roots, weights versions) in
storage byte order; both are written in the byte order the node's codec uses."""
import io
import struct

from .blocktools import push_data
from .messages import deser_compact_size, hex_to_hash, ser_compact_size

# Element types of an output tensor in a result payload (kind 4).
TENSOR_INT8 = 0
TENSOR_INT32 = 1

# The architecture of the add-model test vector (section 2.4): input {4}, DENSE 3, RELU,
# DENSE 2, logits output, objective accuracy.
EXAMPLE_ARCHITECTURE = bytes.fromhex("01010400000001030103000000000501020000000001")


def oda_script(payload):
    """OP_RETURN <push "ODA1"> <push payload>."""
    return b"\x6a" + push_data(b"ODA1") + push_data(payload)


def _h(display_hex):
    return hex_to_hash(display_hex)


def _root(root_hex):
    return bytes.fromhex(root_hex)


def commitment(root_hex, size):
    return _root(root_hex) + struct.pack("<Q", size)


def add_model(*, architecture=EXAMPLE_ARCHITECTURE, dataset=("11" * 32, 70000), samples=100,
              weights=("22" * 32, 23), score=42, royalty=100000, trainer_share_bp=1000, parents=(),
              min_improvement=1):
    out = b"\x01" + ser_compact_size(len(architecture)) + architecture
    out += commitment(*dataset) + struct.pack("<I", samples)
    out += commitment(*weights) + struct.pack("<q", score) + struct.pack("<q", royalty)
    out += struct.pack("<H", trainer_share_bp)
    out += ser_compact_size(len(parents))
    for model_id, share in parents:
        out += _h(model_id) + struct.pack("<H", share)
    return out + struct.pack("<q", min_improvement)


def infer(model_id, weights_root, values):
    return b"\x02" + _h(model_id) + _root(weights_root) + ser_compact_size(len(values)) + \
        bytes(v & 0xff for v in values)


def update_weights(model_id, weights, score, trainer_script):
    return b"\x03" + _h(model_id) + commitment(*weights) + struct.pack("<q", score) + \
        ser_compact_size(len(trainer_script)) + trainer_script


def transfer(model_id):
    return b"\x06" + _h(model_id)


def result(compute_units, outputs):
    """Result payload (kind 4, coinbase only): the block's compute units and one output tensor per
    infer in block order; each tensor (element type, [values]), TENSOR_INT8 or TENSOR_INT32."""
    out = b"\x04" + struct.pack("<q", compute_units) + ser_compact_size(len(outputs))
    for kind, values in outputs:
        out += bytes([kind]) + ser_compact_size(len(values))
        fmt = "<b" if kind == TENSOR_INT8 else "<i"
        out += b"".join(struct.pack(fmt, v) for v in values)
    return out


def decode_result(payload):
    """Inverse of result(): (compute_units, [(element type, [values])]). Raises ValueError on
    anything else (another kind, truncation, trailing bytes, an unknown element type)."""
    f = io.BytesIO(payload)
    if f.read(1) != b"\x04":
        raise ValueError("not a result payload")
    try:
        (compute_units,) = struct.unpack("<q", f.read(8))
        outputs = []
        for _ in range(deser_compact_size(f)):
            kind = f.read(1)[0]
            if kind not in (TENSOR_INT8, TENSOR_INT32):
                raise ValueError("unknown tensor element type")
            size, fmt = (1, "<b") if kind == TENSOR_INT8 else (4, "<i")
            values = []
            for _ in range(deser_compact_size(f)):
                (v,) = struct.unpack(fmt, f.read(size))
                values.append(v)
            outputs.append((kind, values))
    except (struct.error, IndexError) as e:
        raise ValueError(f"truncated result payload: {e}")
    if f.read(1):
        raise ValueError("trailing bytes")
    return compute_units, outputs


def extract_payload(script):
    """The payload of an ODA output script OP_RETURN <push "ODA1"> <push payload>, or None."""
    if not script.startswith(b"\x6a\x04ODA1"):
        return None
    rest = script[6:]
    if not rest:
        return None
    op = rest[0]
    if op <= 75:
        n, data = op, rest[1:]
    elif op == 0x4c:
        n, data = rest[1], rest[2:]
    elif op == 0x4d:
        n, data = struct.unpack("<H", rest[1:3])[0], rest[3:]
    elif op == 0x4e:
        n, data = struct.unpack("<I", rest[1:5])[0], rest[5:]
    else:
        return None
    return data if len(data) == n else None


def coinbase_result(block_or_tx):
    """(compute_units, outputs) of a coinbase's result output (a CBlock or a CTransaction), or None."""
    tx = block_or_tx.vtx[0] if hasattr(block_or_tx, "vtx") else block_or_tx
    for out in tx.vout:
        payload = extract_payload(out.script_pubkey)
        if payload and payload[0] == 4:
            return decode_result(payload)
    return None
