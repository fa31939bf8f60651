"""Build coinbases and blocks by hand, and MiniWallet: a test-owned taproot key that mines,
tracks its outputs and signs key-path spends.

Consensus shapes followed here (COMMON protocol choices):
- coinbase scriptSig starts with the BIP 34 height as a script number push (OP_1..OP_16 for
  small heights, as Bitcoin's `CScript() << height`) and is padded to at least 2 bytes;
- BIP 141 commitment: coinbase witness = one 32-byte zero element, output
  OP_RETURN 0x24 aa21a9ed || SHA256d(witness merkle root || 32 zero bytes);
- regtest nBits 0x207fffff; subsidy 50 coins halving every 150 blocks.
"""
import time

from .address import taproot_address
from .key import deterministic_key
from .messages import (
    COIN, SIGHASH_DEFAULT, WITNESS_COMMITMENT_HEADER, CBlock, COutPoint, CTransaction, CTxIn,
    CTxInWitness, CTxOut, block_from_hex, hash256, hex_to_hash, taproot_signature_hash,
    tx_from_hex, uint256_from_bytes,
)

REGTEST_BITS = 0x207FFFFF
REGTEST_HALVING_INTERVAL = 150
COINBASE_MATURITY = 100
MAX_BLOCK_WEIGHT = 4_000_000
OP_RETURN = 0x6A
OP_0 = 0x00
OP_TRUE = 0x51
# Blocks whose version signals BIP 9 style top bits, as Bitcoin's miner writes them.
VERSIONBITS_TOP = 0x20000000


def block_subsidy(height, halving_interval=REGTEST_HALVING_INTERVAL):
    halvings = height // halving_interval
    return 0 if halvings >= 64 else (50 * COIN) >> halvings


def script_num(n):
    """Minimal little-endian sign-magnitude encoding of a script number."""
    if n == 0:
        return b""
    neg = n < 0
    absval = -n if neg else n
    out = bytearray()
    while absval:
        out.append(absval & 0xFF)
        absval >>= 8
    if out[-1] & 0x80:
        out.append(0x80 if neg else 0x00)
    elif neg:
        out[-1] |= 0x80
    return bytes(out)


def push_data(data):
    """Minimal push of data bytes."""
    n = len(data)
    if n < 0x4C:
        return bytes([n]) + data
    if n <= 0xFF:
        return b"\x4c" + bytes([n]) + data
    if n <= 0xFFFF:
        return b"\x4d" + n.to_bytes(2, "little") + data
    return b"\x4e" + n.to_bytes(4, "little") + data


def push_int(n):
    """How `CScript() << n` pushes an integer: OP_0, OP_1NEGATE, OP_1..OP_16, or a number push."""
    if n == 0:
        return bytes([OP_0])
    if n == -1:
        return b"\x4f"
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    return push_data(script_num(n))


def coinbase_script_sig(height, extra=b""):
    """BIP 34 height push, padded to the 2-byte minimum scriptSig length."""
    script = push_int(height) + extra
    if len(script) < 2:
        script += bytes([OP_0])
    return script


def op_return_script(data):
    return bytes([OP_RETURN]) + push_data(data)


def create_coinbase(height, script_pubkey=None, fees=0, *, value=None, extra_script_sig=b"",
                    halving_interval=REGTEST_HALVING_INTERVAL):
    """Coinbase for `height` paying subsidy + fees (or exactly `value`) to script_pubkey
    (default: the taproot output of the deterministic key "coinbase")."""
    tx = CTransaction()
    tx.vin = [CTxIn(COutPoint(0, 0xFFFFFFFF), coinbase_script_sig(height, extra_script_sig), 0xFFFFFFFF)]
    if script_pubkey is None:
        script_pubkey = deterministic_key("coinbase").script_pubkey()
    amount = block_subsidy(height, halving_interval) + fees if value is None else value
    tx.vout = [CTxOut(amount, script_pubkey)]
    return tx


def get_witness_commitment(block):
    """The 32-byte BIP 141 commitment for block's transactions (witness reserved value = zeros)."""
    return hash256(block.calc_witness_merkle_root() + b"\x00" * 32)


def add_witness_commitment(block):
    """Give the coinbase the 32-zero-byte witness and the commitment output; refresh the merkle root."""
    coinbase = block.vtx[0]
    coinbase.wit = [CTxInWitness([b"\x00" * 32])]
    coinbase.vout = [o for o in coinbase.vout if not o.script_pubkey.startswith(b"\x6a\x24" + WITNESS_COMMITMENT_HEADER)]
    coinbase.vout.append(CTxOut(0, b"\x6a\x24" + WITNESS_COMMITMENT_HEADER + get_witness_commitment(block)))
    block.hashMerkleRoot = block.calc_merkle_root()


def create_block(hashprev, coinbase, ntime=None, txlist=(), *, version=VERSIONBITS_TOP, bits=REGTEST_BITS,
                 witness_commitment=None):
    """An unsolved block on hashprev (hex string or int). Call block.solve() before submitting.

    witness_commitment: True/False forces the BIP 141 commitment on or off; None (default) adds it
    when any transaction carries a witness.
    """
    block = CBlock()
    block.version = version
    block.hashPrevBlock = uint256_from_bytes(hex_to_hash(hashprev)) if isinstance(hashprev, str) else hashprev
    block.time = int(time.time()) if ntime is None else ntime
    block.bits = bits
    block.nonce = 0
    block.vtx = [coinbase] + [tx_from_hex(t) if isinstance(t, str) else t for t in txlist]
    needs = any(tx.has_witness() for tx in block.vtx[1:]) if witness_commitment is None else witness_commitment
    if needs:
        add_witness_commitment(block)
    block.hashMerkleRoot = block.calc_merkle_root()
    return block


def create_block_for_node(node, txlist=(), *, script_pubkey=None, fees=None, ntime=None, solve=True, **kw):
    """A valid-looking block on node's tip: next height, time after median-time-past.

    fees: defaults to the sum of the transactions' fees as the node's mempool does not know them;
    pass it explicitly when txlist spends outputs the node tracks (see MiniWallet).
    """
    tip = node.getbestblockhash()
    header = node.getblockheader(tip)
    height = header["height"] + 1
    mtp = header.get("mediantime", header["time"])
    if ntime is None:
        ntime = max(mtp + 1, header["time"] + 1, int(time.time()))
    coinbase = create_coinbase(height, script_pubkey, fees or 0)
    block = create_block(tip, coinbase, ntime, txlist, **kw)
    if solve:
        block.solve()
    return block


class MiniWallet:
    """A wallet in the test: one BIP 86 taproot key, its UTXOs, key-path signing.

    UTXOs are dicts {txid, vout, value (units), height (None while unconfirmed), coinbase}.
    """
    DEFAULT_FEE_RATE = 100  # units per vbyte; well above any sensible minimum relay fee

    def __init__(self, node, key=None, label="miniwallet"):
        self.node = node
        self.key = key or deterministic_key(label)
        self.script_pubkey = self.key.script_pubkey()
        self.address = taproot_address(self.key.output_key)
        self.utxos = []

    # ---- chain tracking -------------------------------------------------------------------
    def generate(self, num_blocks, node=None):
        node = node or self.node
        hashes = node.generatetoaddress(num_blocks, self.address)
        for h in hashes:
            self.scan_block(h, node)
        return hashes

    def _apply_tx(self, tx, height):
        spent = {(i.prevout.hash, i.prevout.n) for i in tx.vin}
        self.utxos = [u for u in self.utxos
                      if (uint256_from_bytes(hex_to_hash(u["txid"])), u["vout"]) not in spent]
        txid = tx.txid
        self.utxos = [u for u in self.utxos if u["txid"] != txid]
        for n, out in enumerate(tx.vout):
            if out.script_pubkey == self.script_pubkey:
                self.utxos.append({"txid": txid, "vout": n, "value": out.value, "height": height,
                                   "coinbase": tx.is_coinbase()})

    def scan_block(self, blockhash, node=None):
        node = node or self.node
        block = block_from_hex(node.getblock(blockhash, 0))
        height = node.getblockheader(blockhash)["height"]
        for tx in block.vtx:
            self._apply_tx(tx, height)
        return block

    def rescan(self, node=None):
        """Rebuild the UTXO list from the node's active chain and mempool (after a reorg)."""
        node = node or self.node
        self.utxos = []
        tip = node.getblockcount()
        for height in range(1, tip + 1):
            self.scan_block(node.getblockhash(height), node)
        pool = [tx_from_hex(node.getrawtransaction(t)) for t in node.getrawmempool()]
        for tx in pool:  # outputs first, then spends: order-independent for unconfirmed chains
            for n, out in enumerate(tx.vout):
                if out.script_pubkey == self.script_pubkey:
                    self.utxos.append({"txid": tx.txid, "vout": n, "value": out.value, "height": None,
                                       "coinbase": False})
        for tx in pool:
            spent = {(i.prevout.hash, i.prevout.n) for i in tx.vin}
            self.utxos = [u for u in self.utxos
                          if (uint256_from_bytes(hex_to_hash(u["txid"])), u["vout"]) not in spent]

    def mature(self, utxo, tip_height):
        """True if utxo may be spent by a transaction in block tip_height + 1."""
        if utxo["height"] is None:
            return not utxo["coinbase"]
        return not utxo["coinbase"] or tip_height + 1 - utxo["height"] >= COINBASE_MATURITY

    def get_utxo(self, *, txid=None, vout=None, mark_as_spent=True, confirmed_only=False, mature=True):
        """The largest matching UTXO (removed from the list unless mark_as_spent=False)."""
        tip = self.node.getblockcount()
        candidates = [u for u in self.utxos
                      if (txid is None or u["txid"] == txid) and (vout is None or u["vout"] == vout)
                      and (not confirmed_only or u["height"] is not None)
                      and (not mature or self.mature(u, tip))]
        if not candidates:
            raise AssertionError(f"MiniWallet: no UTXO matches (txid={txid}, mature={mature}); have {len(self.utxos)}")
        utxo = max(candidates, key=lambda u: (u["value"], -(u["height"] or 0)))
        if mark_as_spent:
            self.utxos.remove(utxo)
        return utxo

    def get_immature_coinbase(self):
        tip = self.node.getblockcount()
        for u in sorted(self.utxos, key=lambda u: -(u["height"] or 0)):
            if u["coinbase"] and not self.mature(u, tip):
                return u
        raise AssertionError("MiniWallet: no immature coinbase output")

    # ---- building and signing ---------------------------------------------------------------
    def sign_tx(self, tx, spent_outputs, hash_type=SIGHASH_DEFAULT, inputs=None):
        """Key-path sign the given inputs (default: all) of tx; spent_outputs = CTxOut per input."""
        tx.wit = [tx.wit[i] if i < len(tx.wit) else CTxInWitness() for i in range(len(tx.vin))]
        for i in (range(len(tx.vin)) if inputs is None else inputs):
            sighash = taproot_signature_hash(tx, spent_outputs, hash_type, i)
            sig = self.key.sign_keypath(sighash)
            if hash_type != SIGHASH_DEFAULT:
                sig += bytes([hash_type])
            tx.wit[i] = CTxInWitness([sig])
        return tx

    def create_self_transfer_multi(self, *, utxos_to_spend=None, num_outputs=1, fee=None,
                                   fee_rate=DEFAULT_FEE_RATE, sequence=0xFFFFFFFD, locktime=0,
                                   outputs=None, hash_type=SIGHASH_DEFAULT):
        """Spend utxos (default: the largest mature one) to num_outputs equal outputs to ourselves
        (or to `outputs`: list of (script_pubkey, value) with the change going to ourselves).
        Returns {tx, hex, txid, wtxid, fee, new_utxos}; the spent UTXOs leave the wallet list."""
        utxos = utxos_to_spend or [self.get_utxo()]
        total_in = sum(u["value"] for u in utxos)
        tx = CTransaction()
        tx.vin = [CTxIn(COutPoint(uint256_from_bytes(hex_to_hash(u["txid"])), u["vout"]), b"", sequence)
                  for u in utxos]
        tx.locktime = locktime
        spent = [CTxOut(u["value"], self.script_pubkey) for u in utxos]
        fixed = list(outputs or [])

        def build(fee_units):
            remaining = total_in - fee_units - sum(v for _, v in fixed)
            if outputs is not None:
                tx.vout = [CTxOut(v, s) for s, v in fixed]
                if remaining > 0:
                    tx.vout.append(CTxOut(remaining, self.script_pubkey))
            else:
                each = remaining // num_outputs
                tx.vout = [CTxOut(each, self.script_pubkey) for _ in range(num_outputs)]
                tx.vout[0].value += remaining - each * num_outputs
            self.sign_tx(tx, spent, hash_type)
            return total_in - sum(o.value for o in tx.vout)

        if fee is None:
            build(0)
            fee = fee_rate * tx.get_vsize()
        actual_fee = build(fee)
        new_utxos = [{"txid": tx.txid, "vout": n, "value": o.value, "height": None, "coinbase": False}
                     for n, o in enumerate(tx.vout) if o.script_pubkey == self.script_pubkey]
        return {"tx": tx, "hex": tx.serialize().hex(), "txid": tx.txid, "wtxid": tx.wtxid,
                "fee": actual_fee, "new_utxos": new_utxos, "new_utxo": new_utxos[0] if new_utxos else None,
                "spent": utxos}

    def create_self_transfer(self, *, utxo_to_spend=None, **kw):
        return self.create_self_transfer_multi(utxos_to_spend=[utxo_to_spend] if utxo_to_spend else None, **kw)

    def send_self_transfer(self, *, from_node=None, **kw):
        """Create, broadcast with sendrawtransaction and track the new output(s)."""
        node = from_node or self.node
        res = self.create_self_transfer(**kw)
        txid = node.sendrawtransaction(res["hex"])
        if txid != res["txid"]:
            raise AssertionError(f"sendrawtransaction returned {txid}, expected {res['txid']}")
        self.utxos.extend(res["new_utxos"])
        return res

    def send_to(self, *, from_node=None, script_pubkey, amount, fee_rate=DEFAULT_FEE_RATE):
        node = from_node or self.node
        res = self.create_self_transfer_multi(outputs=[(script_pubkey, amount)], fee_rate=fee_rate)
        node.sendrawtransaction(res["hex"])
        self.utxos.extend(res["new_utxos"])
        return res
