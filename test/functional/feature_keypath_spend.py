#!/usr/bin/env python3
"""Key-path spending rules end to end: every BIP 341 hash type is accepted and mined, the hash
types commit to what BIP 341 says (ANYONECANPAY, NONE, SINGLE), invalid hash types are
rejected, and outputs that are not `OP_1 <32 bytes>` are non-standard and cannot be spent."""
from test_framework.blocktools import create_block_for_node
from test_framework.messages import (
    COIN, SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_DEFAULT, SIGHASH_NONE, SIGHASH_SINGLE,
    COutPoint, CTransaction, CTxIn, CTxInWitness, CTxOut, hex_to_hash, taproot_signature_hash,
    uint256_from_bytes,
)
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

ALL_HASH_TYPES = [SIGHASH_DEFAULT, SIGHASH_ALL, SIGHASH_NONE, SIGHASH_SINGLE,
                  SIGHASH_ALL | SIGHASH_ANYONECANPAY, SIGHASH_NONE | SIGHASH_ANYONECANPAY,
                  SIGHASH_SINGLE | SIGHASH_ANYONECANPAY]


def outpoint(utxo):
    return COutPoint(uint256_from_bytes(hex_to_hash(utxo["txid"])), utxo["vout"])


class KeyPathSpendTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def accepted(self, tx):
        res = self.node.testmempoolaccept([tx.serialize().hex()])[0]
        return res["allowed"], res.get("reject-reason")

    def build(self, utxos, outputs):
        tx = CTransaction()
        tx.vin = [CTxIn(outpoint(u), b"", 0xFFFFFFFD) for u in utxos]
        tx.vout = [CTxOut(v, s) for s, v in outputs]
        return tx

    def spent(self, utxos):
        return [CTxOut(u["value"], self.wallet.script_pubkey) for u in utxos]

    def run_test(self):
        self.node = node = self.nodes[0]
        wallet = self.wallet
        me = wallet.script_pubkey

        self.log.info("Every BIP 341 hash type signs a valid spend")
        sent = []
        for ht in ALL_HASH_TYPES:
            res = wallet.create_self_transfer(hash_type=ht)
            sig = res["tx"].wit[0].stack[0]
            assert_equal(len(sig), 64 if ht == SIGHASH_DEFAULT else 65)
            allowed, reason = self.accepted(res["tx"])
            assert allowed, f"hash type {ht:#x} rejected: {reason}"
            node.sendrawtransaction(res["hex"])
            wallet.utxos.extend(res["new_utxos"])
            sent.append(res["txid"])

        self.log.info("NONE|ANYONECANPAY: inputs and outputs may be added or changed after signing")
        u0, u1 = wallet.get_utxo(), wallet.get_utxo()
        tx = self.build([u0], [(me, u0["value"] - 10_000)])
        wallet.sign_tx(tx, self.spent([u0]), SIGHASH_NONE | SIGHASH_ANYONECANPAY)
        tx.vin.append(CTxIn(outpoint(u1), b"", 0xFFFFFFFD))
        tx.vout = [CTxOut(u0["value"] + u1["value"] - 20_000, me)]
        wallet.sign_tx(tx, self.spent([u0, u1]), SIGHASH_DEFAULT, inputs=[1])
        allowed, reason = self.accepted(tx)
        assert allowed, reason
        node.sendrawtransaction(tx.serialize().hex())
        sent.append(tx.txid)

        self.log.info("SIGHASH_ALL: changing an output afterwards invalidates the signature")
        u = wallet.get_utxo()
        tx = self.build([u], [(me, u["value"] - 10_000)])
        wallet.sign_tx(tx, self.spent([u]), SIGHASH_ALL)
        tx.vout[0].value -= 1
        allowed, reason = self.accepted(tx)
        assert not allowed
        self.log.info("  rejected: %s", reason)
        self.log.info("SIGHASH_SINGLE: other outputs may change, its own may not")
        tx = self.build([u], [(me, u["value"] // 2), (me, u["value"] // 2 - 10_000)])
        wallet.sign_tx(tx, self.spent([u]), SIGHASH_SINGLE)
        tx.vout[1].value -= 1000
        allowed, reason = self.accepted(tx)
        assert allowed, reason
        tx.vout[0].value -= 1000
        assert not self.accepted(tx)[0]

        self.log.info("Invalid hash type 0x04 and SINGLE without a matching output are rejected")
        tx = self.build([u], [(me, u["value"] - 10_000)])
        sighash = taproot_signature_hash(tx, self.spent([u]), SIGHASH_DEFAULT, 0)
        tx.wit = [CTxInWitness([wallet.key.sign_keypath(sighash) + b"\x04"])]
        assert not self.accepted(tx)[0]
        u2 = wallet.get_utxo()
        tx = self.build([u, u2], [(me, u["value"] + u2["value"] - 20_000)])
        wallet.sign_tx(tx, self.spent([u, u2]), SIGHASH_DEFAULT, inputs=[0])
        # Sign input 1 as SIGHASH_SINGLE over the message with a made-up output 1, then drop it.
        probe = CTransaction(tx)
        probe.vout.append(CTxOut(0, me))
        sh = taproot_signature_hash(probe, self.spent([u, u2]), SIGHASH_SINGLE, 1)
        tx.wit[1] = CTxInWitness([wallet.key.sign_keypath(sh) + bytes([SIGHASH_SINGLE])])
        assert not self.accepted(tx)[0]
        wallet.utxos += [u, u2]

        self.log.info("All accepted spends are mined")
        block = wallet.generate(1)[0]
        mined = node.getblock(block)["tx"]
        for txid in sent:
            assert txid in mined
        assert_equal(node.getrawmempool(), [])

        self.log.info("Outputs other than OP_1 <32 bytes> and OP_RETURN are non-standard")
        for script in (b"\x51",                                 # OP_TRUE
                       b"\x00\x14" + b"\x11" * 20,              # witness v0 key hash
                       b"\x51\x21" + b"\x02" + b"\x22" * 32,    # witness v1 with 33 bytes
                       b"\x52\x20" + b"\x33" * 32):             # witness v2
            u = wallet.get_utxo()
            tx = self.build([u], [(script, COIN), (me, u["value"] - COIN - 10_000)])
            wallet.sign_tx(tx, self.spent([u]))
            allowed, reason = self.accepted(tx)
            assert not allowed, f"output {script.hex()} accepted"
            self.log.info("  %s: %s", script.hex(), reason)
            wallet.utxos.append(u)

        self.log.info("...and an OP_TRUE output mined anyway (generateblock) cannot be spent")
        u = wallet.get_utxo()
        tx = self.build([u], [(b"\x51", COIN), (me, u["value"] - COIN - 10_000)])
        wallet.sign_tx(tx, self.spent([u]))
        try:
            node.generateblock(wallet.address, [tx.serialize().hex()])
        except Exception as e:  # a node may refuse to mine it at all: also fine
            self.log.info("  generateblock refused the non-standard output: %s", e)
            return
        wallet.rescan()
        spend = CTransaction()
        spend.vin = [CTxIn(COutPoint(tx.sha256, 0), b"", 0xFFFFFFFF)]
        spend.vout = [CTxOut(COIN - 10_000, me)]
        assert not self.accepted(spend)[0]
        tip = node.getbestblockhash()
        block = create_block_for_node(node, [spend], script_pubkey=me, fees=10_000)
        result = node.submitblock(block.serialize().hex())
        assert result is not None, "a block spending an OP_TRUE output was accepted"
        self.log.info("  submitblock: %s", result)
        assert_equal(node.getbestblockhash(), tip)


if __name__ == "__main__":
    KeyPathSpendTest().main()
