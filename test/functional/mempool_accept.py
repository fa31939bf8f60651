#!/usr/bin/env python3
"""Mempool acceptance: a valid key-path spend, testmempoolaccept's shape, and each rejection
with its reason (double spend, bad signature, immature coinbase, fee too low, ...)."""
from decimal import Decimal

from test_framework.blocktools import MiniWallet
from test_framework.key import deterministic_key
from test_framework.messages import COIN, CTxInWitness, CTxOut, SIGHASH_ALL
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_greater_than, assert_raises_rpc_error, from_sats

RPC_VERIFY_ERROR = -25
RPC_VERIFY_REJECTED = -26


class MempoolAcceptTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def check_reject(self, tx_hex, reason, code=RPC_VERIFY_REJECTED):
        """testmempoolaccept says not allowed (with reason) and sendrawtransaction raises it."""
        res = self.node.testmempoolaccept([tx_hex])
        assert_equal(len(res), 1)
        assert_equal(res[0]["allowed"], False)
        if reason is not None:
            assert reason in res[0]["reject-reason"], f"{reason!r} not in {res[0]['reject-reason']!r}"
        before = self.node.getrawmempool()
        err = assert_raises_rpc_error(code, reason, self.node.sendrawtransaction, tx_hex)
        assert_equal(sorted(self.node.getrawmempool()), sorted(before))
        return res[0]["reject-reason"], err

    def run_test(self):
        self.node = node = self.nodes[0]
        wallet = self.wallet

        self.log.info("A valid spend: testmempoolaccept shape, then sendrawtransaction")
        spend = wallet.create_self_transfer(sequence=0xFFFFFFFF)
        res = node.testmempoolaccept([spend["hex"]])
        assert_equal(len(res), 1)
        assert_equal(res[0]["txid"], spend["txid"])
        assert_equal(res[0]["wtxid"], spend["wtxid"])
        assert_equal(res[0]["allowed"], True)
        assert_equal(res[0]["vsize"], spend["tx"].get_vsize())
        assert_equal(res[0]["fees"]["base"], from_sats(spend["fee"]))
        assert_equal(node.getrawmempool(), [])  # testmempoolaccept adds nothing
        assert_equal(node.sendrawtransaction(spend["hex"]), spend["txid"])
        wallet.utxos.extend(spend["new_utxos"])
        assert_equal(node.getrawmempool(), [spend["txid"]])
        entry = node.getmempoolentry(spend["txid"])
        assert_equal(entry["vsize"], spend["tx"].get_vsize())
        assert_equal(entry["fees"]["base"], from_sats(spend["fee"]))
        info = node.getmempoolinfo()
        assert_equal(info["size"], 1)
        assert_greater_than(info["bytes"], 0)
        assert_equal(node.getrawtransaction(spend["txid"]), spend["hex"])
        decoded = node.decoderawtransaction(spend["hex"])
        assert_equal(decoded["txid"], spend["txid"])
        assert_equal(decoded["hash"], spend["wtxid"])
        assert_equal(decoded["vin"][0]["txid"], spend["spent"][0]["txid"])
        assert_equal(decoded["vin"][0]["txinwitness"], [spend["tx"].wit[0].stack[0].hex()])
        assert_equal(decoded["vout"][0]["scriptPubKey"]["hex"], wallet.script_pubkey.hex())
        # Resubmitting is harmless (Bitcoin Core returns the txid again), testmempoolaccept says why not.
        res = node.testmempoolaccept([spend["hex"]])
        assert_equal(res[0]["allowed"], False)
        assert "txn-already-in-mempool" in res[0]["reject-reason"]

        self.log.info("Double spend of the same coinbase output: txn-mempool-conflict")
        conflict = wallet.create_self_transfer(utxo_to_spend=spend["spent"][0], fee_rate=50, sequence=0xFFFFFFFF)
        assert conflict["txid"] != spend["txid"]
        self.check_reject(conflict["hex"], "txn-mempool-conflict")

        self.log.info("A chain of unconfirmed transactions is accepted")
        child = wallet.send_self_transfer(utxo_to_spend=spend["new_utxo"])
        wallet.utxos.remove(spend["new_utxo"])
        assert_equal(sorted(node.getrawmempool()), sorted([spend["txid"], child["txid"]]))

        self.log.info("Bad signature: one flipped bit, and a signature by another key")
        bad = wallet.create_self_transfer()
        utxo = bad["spent"][0]
        tx = bad["tx"]
        sig = bytearray(tx.wit[0].stack[0])
        sig[10] ^= 1
        tx.wit[0] = CTxInWitness([bytes(sig)])
        reason, err = self.check_reject(tx.serialize().hex(), None)
        self.log.info("  flipped bit rejected: %s", reason)
        other = MiniWallet(node, key=deterministic_key("someone else"))
        stolen = wallet.create_self_transfer(utxo_to_spend=utxo)
        other.sign_tx(stolen["tx"], [CTxOut(utxo["value"], wallet.script_pubkey)])
        self.check_reject(stolen["tx"].serialize().hex(), None)
        self.log.info("Wrong witness shapes: empty witness, two elements, SIGHASH_DEFAULT spelled 0x00")
        good_sig = wallet.create_self_transfer(utxo_to_spend=utxo)["tx"].wit[0].stack[0]
        for stack in ([], [good_sig, b"\x01"], [good_sig + b"\x00"]):
            t = wallet.create_self_transfer(utxo_to_spend=utxo)["tx"]
            t.wit[0] = CTxInWitness(stack)
            self.check_reject(t.serialize().hex(), None)
        self.log.info("A 65-byte signature with an explicit hash type is valid")
        explicit = wallet.create_self_transfer(utxo_to_spend=utxo, hash_type=SIGHASH_ALL)
        assert_equal(len(explicit["tx"].wit[0].stack[0]), 65)
        assert_equal(node.testmempoolaccept([explicit["hex"]])[0]["allowed"], True)
        wallet.utxos.append(utxo)  # still ours: nothing was broadcast

        self.log.info("Immature coinbase: bad-txns-premature-spend-of-coinbase")
        immature = wallet.get_immature_coinbase()
        premature = wallet.create_self_transfer(utxo_to_spend=immature)
        self.check_reject(premature["hex"], "bad-txns-premature-spend-of-coinbase")
        wallet.utxos.append(immature)

        self.log.info("Fee below the minimum relay fee: min relay fee not met")
        cheap = wallet.create_self_transfer(fee=0)
        self.check_reject(cheap["hex"], "min relay fee not met")

        self.log.info("Outputs worth more than the inputs: bad-txns-in-belowout")
        greedy = wallet.create_self_transfer(utxo_to_spend=cheap["spent"][0], fee=0)
        greedy["tx"].vout[0].value = cheap["spent"][0]["value"] + 1
        wallet.sign_tx(greedy["tx"], [CTxOut(cheap["spent"][0]["value"], wallet.script_pubkey)])
        self.check_reject(greedy["tx"].serialize().hex(), "bad-txns-in-belowout")

        self.log.info("Unknown input: rejected as missing inputs")
        ghost = wallet.create_self_transfer(utxo_to_spend={"txid": "42" * 32, "vout": 0, "value": 50 * COIN,
                                                           "height": 1, "coinbase": False})
        res = node.testmempoolaccept([ghost["hex"]])
        assert_equal(res[0]["allowed"], False)
        assert_raises_rpc_error(None, None, node.sendrawtransaction, ghost["hex"])

        self.log.info("Malformed transaction hex: TX decode failed")
        assert_raises_rpc_error(-22, None, node.sendrawtransaction, "00")
        assert_raises_rpc_error(-22, None, node.sendrawtransaction, spend["hex"] + "00")
        assert_raises_rpc_error(-22, None, node.decoderawtransaction, "zz")

        self.log.info("Mining confirms the mempool and empties it")
        wallet.utxos.append(cheap["spent"][0])
        block_hash = wallet.generate(1)[0]
        assert_equal(node.getrawmempool(), [])
        mined = node.getblock(block_hash)["tx"]
        assert spend["txid"] in mined and child["txid"] in mined
        assert_equal(node.gettxout(spend["txid"], 0), None)   # spent by child
        assert node.gettxout(child["txid"], 0) is not None
        assert_equal(node.getmempoolinfo()["size"], 0)
        self.log.info("After confirmation the conflicting spend is a missing-input spend")
        res = node.testmempoolaccept([conflict["hex"]])
        assert_equal(res[0]["allowed"], False)

        self.log.info("A block with a conflicting spend evicts the mempool transaction and its child")
        utxo = wallet.get_utxo()
        parent = wallet.send_self_transfer(utxo_to_spend=utxo, sequence=0xFFFFFFFF)
        kid = wallet.send_self_transfer(utxo_to_spend=parent["new_utxo"])
        wallet.utxos.remove(parent["new_utxo"])
        assert_equal(sorted(node.getrawmempool()), sorted([parent["txid"], kid["txid"]]))
        rival = wallet.create_self_transfer(utxo_to_spend=utxo, fee_rate=20, sequence=0xFFFFFFFF)
        block = node.generateblock(wallet.address, [rival["hex"]])["hash"]
        assert rival["txid"] in node.getblock(block)["tx"]
        assert_equal(node.getrawmempool(), [])
        assert node.gettxout(rival["txid"], 0) is not None
        assert_equal(node.gettxout(parent["txid"], 0, True), None)


if __name__ == "__main__":
    MempoolAcceptTest().main()
