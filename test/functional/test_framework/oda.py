"""ODA payloads (doc/oda-protocol.md section 2.2) encoded in Python, for building ODA
transactions in tests. Hashes are given as the RPCs show them (doc/oda-protocol.md section 2):
model ids (txids) as byte-reversed display hex, file roots (pieces roots, weights versions) in
storage byte order; both are written in the byte order the node's codec uses."""
import struct

from .blocktools import push_data
from .messages import hex_to_hash, ser_compact_size

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
