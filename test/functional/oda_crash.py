#!/usr/bin/env python3
"""oda_crash: SIGKILL a node again and again while it connects blocks full of ODA work (a model,
inferences re-run in every block, a weight update re-scored), restart it each time, and check at
the end that its registry hash, UTXO set and inference results equal those of the node that never
crashed (doc/oda-protocol.md section 2.5: the registry is written in the same batch as the coins,
so after a crash both are at the same block and the blocks above are connected again)."""
import os
import random
import threading
import time

from test_framework.oda_model_files import TRAINABLE_MLP as MLP, ModelFiles
from test_framework.p2p import connect_nodes
from test_framework.util import assert_equal, sync_blocks, wait_until
from walletutil import COINBASE_MATURITY, WalletTestFramework, wallet_rpc

BLOCKS_WITH_INFERS = 40
INFERS_PER_BLOCK = 3
ROUNDS = 6


class OdaCrashTest(WalletTestFramework):
    def set_test_params(self):
        # Node 1's chainstate is flushed when its cache fills or at a periodic flush: a kill loses
        # the blocks connected since, which the restart connects (re-executes) again.
        self.set_wallet_test_params(num_nodes=2)

    def snapshot(self, node, txids):
        return (node.getbestblockhash(), node.getregistryinfo()["hash"], node.gettxoutsetinfo()["hash_serialized_3"],
                [node.getinference(t).get("output") for t in txids])

    def run_test(self):
        n0, n1 = self.nodes
        self.models = ModelFiles(self.config["environment"]["BUILDDIR"], os.path.join(self.options.tmpdir, "model"))
        files = self.models.trained_mlp()
        for node in self.nodes:
            for name in ("init", "trained", "test"):
                node.importmodelfile(files[name])

        self.log.info("Node 0 builds a chain of ODA work: a model, %d blocks of inferences, an update",
                      BLOCKS_WITH_INFERS)
        n0.createwallet("w")
        w = wallet_rpc(n0, "w")
        address = w.getnewaddress()
        n0.generatetoaddress(COINBASE_MATURITY + 20, address)
        model_id = w.addmodel(MLP, files["init"], files["test"],
                              {"royalty": 10000, "trainer_share": 2000, "min_improvement": 1})["modelid"]
        n0.generatetoaddress(1, address)
        rng = random.Random(7)
        infers = []
        for b in range(BLOCKS_WITH_INFERS):
            if b == BLOCKS_WITH_INFERS // 2:
                w.updateweights(model_id, files["trained"])
            for _ in range(INFERS_PER_BLOCK):
                inp = [rng.randrange(-128, 128) for _ in range(16)]
                infers.append(w.sendinference(model_id, inp)["txid"])
            n0.generatetoaddress(1, address)
        assert_equal(n0.getmodel(model_id)["versions"], 2)
        expected = self.snapshot(n0, infers)
        height = n0.getblockcount()

        self.log.info("Node 1 syncs it over P2P, then is killed %d times while it connects the ODA blocks again",
                      ROUNDS)
        connect_nodes(n1, n0)
        sync_blocks([n0, n1], timeout=120)
        # invalidateblock disconnects every block from the first one with inferences; a
        # reconsiderblock on its own connection connects (re-executes) them again, and the kill
        # lands somewhere in there.
        first = n0.getblockhash(height - BLOCKS_WITH_INFERS + 1)
        for r in range(ROUNDS):
            n1.invalidateblock(first)
            rpc = n1.get_rpc(timeout=60)

            def reconnect():
                try:
                    rpc.reconsiderblock(first)
                except Exception:  # the node dies under it
                    pass

            worker = threading.Thread(target=reconnect, daemon=True)
            worker.start()
            time.sleep(rng.uniform(0.0, 0.04))
            at = n1.getblockcount()  # between two connection steps (the lock is released there)
            self.nodes[1].kill_process()
            worker.join(timeout=60)
            self.start_node(1, self.extra_args[1])
            n1 = self.nodes[1]
            self.log.info("round %d: killed near height %d, restarted at height %d of %d", r, at, n1.getblockcount(),
                          height)
            assert n1.getblockcount() <= height

        self.log.info("Node 1 finishes the sync: its state equals that of the node that never crashed")
        n1.reconsiderblock(first)
        connect_nodes(n1, n0)
        wait_until(lambda: n1.getbestblockhash() == expected[0], timeout=120)
        assert_equal(self.snapshot(n1, infers), expected)
        self.log.info("And after a rebuild from its blocks (-reindex-chainstate)")
        self.restart_node(1, self.extra_args[1] + ["-reindex-chainstate"])
        wait_until(lambda: n1.getblockcount() == height, timeout=120)
        assert_equal(self.snapshot(n1, infers), expected)


if __name__ == "__main__":
    OdaCrashTest().main()
