#!/usr/bin/env python3
"""SIGKILL the node while blocks are being submitted, restart it, check its state is
consistent (chain links, UTXO set matches the chain, it keeps mining), several times."""
import http.client
import random
import threading
import time

from test_framework.authproxy import JSONRPCException
from test_framework.blocktools import MiniWallet, block_subsidy, create_block, create_coinbase
from test_framework.messages import COIN, block_from_hex
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_greater_than_or_equal, wait_until

ROUNDS = 5


class Submitter(threading.Thread):
    """Keeps mining blocks on its own RPC connection until the node dies: alternately
    generatetoaddress, and Python-built blocks carrying a key-path spend through submitblock."""

    def __init__(self, node, wallet):
        super().__init__(daemon=True)
        self.rpc = node.get_rpc(timeout=30)
        self.wallet = MiniWallet(self.rpc, key=wallet.key)
        self.wallet.utxos = list(wallet.utxos)
        self.accepted = 0
        self.error = None

    def run(self):
        try:
            while True:
                if self.accepted % 2 == 0:
                    for h in self.rpc.generatetoaddress(1, self.wallet.address):
                        self.wallet.scan_block(h)
                else:
                    tip = self.rpc.getbestblockhash()
                    hdr = self.rpc.getblockheader(tip)
                    spend = self.wallet.create_self_transfer()
                    cb = create_coinbase(hdr["height"] + 1, self.wallet.script_pubkey, spend["fee"])
                    block = create_block(tip, cb, max(hdr["mediantime"] + 1, hdr["time"] + 1, int(time.time())),
                                         [spend["tx"]])
                    block.solve()
                    result = self.rpc.submitblock(block.serialize().hex())
                    if result is not None:
                        raise AssertionError(f"submitblock refused a valid block: {result}")
                    for tx in block.vtx:
                        self.wallet._apply_tx(tx, hdr["height"] + 1)
                self.accepted += 1
        except (OSError, JSONRPCException, ConnectionError, http.client.HTTPException) as e:
            self.error = e  # the node was killed: expected
        except AssertionError as e:
            self.error = e
            raise


class CrashRecoveryTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def check_consistent(self, node):
        """Every block links to its parent, and the UTXO set is exactly the chain's outputs."""
        height = node.getblockcount()
        tip = node.getbestblockhash()
        assert_equal(node.getblockhash(height), tip)
        h = tip
        for expected_height in range(height, 0, -1):
            hdr = node.getblockheader(h)
            assert_equal(hdr["height"], expected_height)
            h = hdr["previousblockhash"]
        assert_equal(h, node.getblockhash(0))
        info = node.gettxoutsetinfo()
        assert_equal(info["height"], height)
        assert_equal(info["bestblock"], tip)
        # Every spendable output of this chain pays the test's key: recompute the UTXO set from
        # the raw blocks and compare it with the node's.
        wallet = MiniWallet(node, label="crash")
        wallet.rescan()
        total = sum(u["value"] for u in wallet.utxos if u["height"] is not None)
        assert_equal(info["total_amount"] * COIN, total)
        assert_equal(info["txouts"], len([u for u in wallet.utxos if u["height"] is not None]))
        for u in wallet.utxos:
            if u["height"] is not None:
                out = node.gettxout(u["txid"], u["vout"], False)
                assert out is not None, f"UTXO {u} of the chain missing from the UTXO set"
        return height

    def run_test(self):
        node = self.nodes[0]
        wallet = MiniWallet(node, label="crash")
        wallet.generate(120)
        # Give the chain some non-coinbase transactions too.
        for _ in range(5):
            wallet.send_self_transfer()
        wallet.generate(1)
        self.log.info("Clean restart first: a baseline every crash must preserve")
        self.restart_node(0)
        baseline = self.check_consistent(node)

        for round_ in range(ROUNDS):
            submitter = Submitter(node, wallet)
            submitter.start()
            target = random.randint(3, 25)
            wait_until(lambda: submitter.accepted >= target or not submitter.is_alive(), timeout=120)
            assert submitter.is_alive(), f"submitter stopped early: {submitter.error!r}"
            time.sleep(random.random() * 0.2)
            accepted = submitter.accepted
            node.kill_process()
            submitter.join(timeout=60)
            assert not isinstance(submitter.error, AssertionError), submitter.error
            self.log.info("round %d: killed after %d accepted blocks; restarting", round_, accepted)
            self.start_node(0)
            height = self.check_consistent(node)
            self.log.info("round %d: restarted at height %d (baseline %d)", round_, height, baseline)
            assert_greater_than_or_equal(height, baseline)
            # It keeps working: mine on top of whatever survived.
            new_hash = node.generatetoaddress(1, wallet.address)[0]
            assert_equal(node.getblockheader(new_hash)["height"], height + 1)
            wallet.rescan()

        self.log.info("A final clean restart keeps everything")
        best = node.getbestblockhash()
        self.restart_node(0)
        assert_equal(node.getbestblockhash(), best)
        self.check_consistent(node)


if __name__ == "__main__":
    CrashRecoveryTest().main()
