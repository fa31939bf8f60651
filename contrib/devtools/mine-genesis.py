#!/usr/bin/env python3
"""Mine the ODA genesis blocks (developer tool; its output is hard-coded in
src/consensus/chainparams.cpp and checked by src/test/chainparams_tests.cpp).

Genesis coinbase (transaction version 1, lock_time 0):
  one input:  null prevout (32 zero bytes, index 0xffffffff), sequence 0xffffffff,
              scriptSig = OP_0 (BIP 34 height 0) + a direct push of GENESIS_MESSAGE
  one output: 50 coins to a bare OP_RETURN script (0x6a): provably unspendable
Header: version 1, null previous hash, merkle root = coinbase txid, the time and bits of
the network below, and the first nonce (counting from 0) whose SHA256d meets the target.

Usage: contrib/devtools/mine-genesis.py [main|test|regtest ...]
Prints, per network, the time, bits, nonce, merkle root and block hash (display order).
Standard library only.
"""
import hashlib
import struct
import sys

GENESIS_MESSAGE = b"ODA genesis 2026-11-22: open decentralized AI, models in consensus"
COIN = 100_000_000

# network -> (time, bits)
NETWORKS = {
    "main": (1795305600, 0x1e0fffff),     # 2026-11-22 00:00:00 UTC
    "test": (1795305601, 0x1e0fffff),
    "regtest": (1795305602, 0x207fffff),
}


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def compact_size(n: int) -> bytes:
    assert n < 253
    return bytes([n])


def push(data: bytes) -> bytes:
    assert 1 <= len(data) <= 75, "direct push only"
    return bytes([len(data)]) + data


def coinbase_tx() -> bytes:
    script_sig = b"\x00" + push(GENESIS_MESSAGE)  # OP_0 = height 0, then the message
    script_pubkey = b"\x6a"                      # OP_RETURN
    tx = struct.pack("<i", 1)
    tx += compact_size(1) + b"\x00" * 32 + struct.pack("<I", 0xFFFFFFFF)
    tx += compact_size(len(script_sig)) + script_sig + struct.pack("<I", 0xFFFFFFFF)
    tx += compact_size(1) + struct.pack("<q", 50 * COIN) + compact_size(len(script_pubkey)) + script_pubkey
    tx += struct.pack("<I", 0)
    return tx


def target_from_bits(bits: int) -> int:
    size, mantissa = bits >> 24, bits & 0x007FFFFF
    return mantissa >> (8 * (3 - size)) if size <= 3 else mantissa << (8 * (size - 3))


def mine(time: int, bits: int):
    tx = coinbase_tx()
    merkle_root = sha256d(tx)  # one transaction: the root is its txid
    target = target_from_bits(bits)
    prefix = struct.pack("<i", 1) + b"\x00" * 32 + merkle_root + struct.pack("<II", time, bits)
    for nonce in range(1 << 32):
        header = prefix + struct.pack("<I", nonce)
        h = sha256d(header)
        if int.from_bytes(h, "little") <= target:
            return tx, merkle_root, nonce, h, header
    raise RuntimeError("nonce space exhausted: change the time")


def main():
    names = sys.argv[1:] or list(NETWORKS)
    for name in names:
        time, bits = NETWORKS[name]
        tx, root, nonce, h, header = mine(time, bits)
        print(f"{name}: time={time} bits=0x{bits:08x} nonce={nonce}")
        print(f"  coinbase   {tx.hex()}")
        print(f"  merkleroot {root[::-1].hex()}")
        print(f"  hash       {h[::-1].hex()}")
        block = header + bytes([1]) + tx
        print(f"  block      {block.hex()}")


if __name__ == "__main__":
    main()
