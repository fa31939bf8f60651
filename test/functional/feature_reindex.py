#!/usr/bin/env python3
"""-reindex and -reindex-chainstate rebuild exactly the same chain, UTXO set and model registry
from the block files (re-executing the model transactions on real files held by the node);
-txindex makes confirmed transactions available to getrawtransaction."""
from test_framework.address import taproot_address
from test_framework.key import deterministic_key
from test_framework.oda import add_model, oda_script, update_weights
from test_framework.oda_model_files import ModelFiles, import_file
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error, wait_until


class ReindexTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def state(self):
        node = self.nodes[0]
        info = node.gettxoutsetinfo()
        registry = node.getregistryinfo()
        return (node.getblockcount(), node.getbestblockhash(), info["txouts"], info["total_amount"],
                info.get("hash_serialized_3"), registry["models"], registry["versions"], registry["hash"])

    def restart_and_wait(self, args, expected):
        node = self.nodes[0]
        self.restart_node(0, args)
        # Rebuilding may continue after RPC comes up: wait for the same tip.
        wait_until(lambda: node.getbestblockhash() == expected[1], timeout=120)
        assert_equal(self.state(), expected)

    def run_test(self):
        node = self.nodes[0]
        wallet = self.wallet
        self.log.info("A chain with transactions and a stale branch")
        txs = []
        for _ in range(3):
            txs += [wallet.send_self_transfer() for _ in range(4)]
            wallet.generate(1)
        # Real files: every node re-scores what add-model and update-weights claim.
        files = ModelFiles(self.config["environment"]["BUILDDIR"], self.options.tmpdir + "/files")
        arch, encoding, _ = files.architecture("mlp.json")
        data = files.dataset("data.odad", [4], 40, 2, seed=2)
        scored = sorted((files.score(arch, w, data), w) for w in (files.weights(arch, f"w{i}.odaw", i) for i in (1, 2)))
        (score0, w0), (score1, w1) = scored
        data_c, w0_c, w1_c = (import_file(node, p) for p in (data, w0, w1))
        owner = deterministic_key("model-owner").script_pubkey()
        payload = add_model(architecture=encoding, dataset=data_c, samples=40, weights=w0_c, score=score0,
                            min_improvement=0)
        add = wallet.create_self_transfer_multi(outputs=[(owner, 10_000), (oda_script(payload), 0)])
        node.sendrawtransaction(add["hex"])
        wallet.utxos.extend(add["new_utxos"])
        wallet.generate(1)
        update = wallet.create_self_transfer_multi(
            outputs=[(oda_script(update_weights(add["txid"], w1_c, score1, wallet.script_pubkey)), 0)])
        node.sendrawtransaction(update["hex"])
        wallet.utxos.extend(update["new_utxos"])
        wallet.generate(1)
        assert_equal(node.getmodel(add["txid"])["versions"], 2)
        fork_point = node.getbestblockhash()
        stale = wallet.generate(1)[0]
        node.invalidateblock(stale)
        wallet.rescan()
        # The competing block at the same height pays elsewhere, so it differs from the stale one.
        node.generatetoaddress(1, taproot_address(deterministic_key("fork").output_key))
        node.reconsiderblock(stale)  # equal work: either branch may be the tip now
        wallet.rescan()
        wallet.generate(2)
        tips = node.getchaintips()
        assert_equal(len(tips), 2)
        confirmed = txs[0]["txid"]
        expected = self.state()
        self.log.info("state: height %d, %d UTXOs", expected[0], expected[2])

        self.log.info("-reindex rebuilds index and UTXO set from blk files")
        self.restart_and_wait(["-reindex"], expected)
        self.log.info("-reindex-chainstate rebuilds the UTXO set")
        self.restart_and_wait(["-reindex-chainstate"], expected)
        self.log.info("A plain restart afterwards")
        self.restart_and_wait([], expected)
        assert fork_point in [node.getblockhash(h) for h in range(expected[0] + 1)]
        losing = [t["hash"] for t in tips if t["status"] != "active"][0]
        assert losing not in [node.getblockhash(h) for h in range(expected[0] + 1)]
        assert_equal(sorted(t["hash"] for t in node.getchaintips()), sorted(t["hash"] for t in tips))

        self.log.info("getrawtransaction: confirmed transactions need -txindex")
        assert_raises_rpc_error(-5, None, node.getrawtransaction, confirmed)
        self.restart_node(0, ["-txindex"])
        wait_until(lambda: self._has_tx(confirmed), timeout=120)
        assert_equal(node.getrawtransaction(confirmed), txs[0]["hex"])
        verbose = node.getrawtransaction(confirmed, True)
        assert_equal(verbose["txid"], confirmed)
        assert "blockhash" in verbose
        wallet.generate(1)
        assert_equal(node.getblockcount(), expected[0] + 1)

    def _has_tx(self, txid):
        try:
            self.nodes[0].getrawtransaction(txid)
            return True
        except Exception:
            return False


if __name__ == "__main__":
    ReindexTest().main()
