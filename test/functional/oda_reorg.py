#!/usr/bin/env python3
"""oda_reorg: model versions, scores, owners and inference results across reorganisations both
ways (doc/oda-protocol.md sections 2.5 and 2.6). Nodes 0 and 1 share a model; split apart, node 0
accepts an update-weights and an inference on the new version, node 1 an inference pinned to the
old one on a longer branch. Node 0 reorganises to node 1's branch (its update and the inference on
the gone version leave its chain), then both move to a longer branch that carries the update again.
After each reorg both nodes give the same registry hash, model and inference results; at the end a
third node that never saw a stale branch syncs and gives the same ones too."""
import os

from test_framework.oda_model_files import TRAINABLE_MLP as MLP, ModelFiles
from test_framework.p2p import connect_nodes, disconnect_nodes
from test_framework.util import assert_equal, sync_blocks, sync_mempools, wait_until
from walletutil import COINBASE_MATURITY, WalletTestFramework, wallet_rpc

INPUTS = [[((i * k) % 256) - 128 for i in range(16)] for k in (37, 53, 71)]


class OdaReorgTest(WalletTestFramework):
    def set_test_params(self):
        self.set_wallet_test_params(num_nodes=3)

    def infer_output(self, weights, inp):
        return self.models.infer(self.files["arch"], weights, inp)[1]

    def state(self, node, model_id, txids):
        """What must be equal on two nodes on the same chain."""
        model = node.getmodel(model_id)
        infers = {}
        for txid in txids:
            got = node.getinference(txid)
            infers[txid] = (got["status"], got.get("blockhash"), got.get("version"), got.get("output"))
        return (node.getbestblockhash(), node.getregistryinfo()["hash"], model["current_version"],
                model["current_score"], model["versions"], model["owner"], infers)

    def run_test(self):
        n0, n1, n2 = self.nodes
        self.models = ModelFiles(self.config["environment"]["BUILDDIR"], os.path.join(self.options.tmpdir, "model"))
        files = self.files = self.models.trained_mlp()
        for node in self.nodes:
            for name in ("init", "trained", "test"):
                node.importmodelfile(files[name])
        connect_nodes(n0, n1)
        n0.createwallet("owner")
        n1.createwallet("user")
        owner, user = wallet_rpc(n0, "owner"), wallet_rpc(n1, "user")
        n0.generatetoaddress(3, owner.getnewaddress())
        n0.generatetoaddress(COINBASE_MATURITY, owner.getnewaddress())
        owner.sendtoaddress(user.getnewaddress(), 20)
        sync_mempools([n0, n1])
        n0.generatetoaddress(1, owner.getnewaddress())
        sync_blocks([n0, n1])

        self.log.info("A model and an inference on version 0, on both nodes")
        model_id = owner.addmodel(MLP, files["init"], files["test"],
                                  {"royalty": 10000, "trainer_share": 2000, "min_improvement": 1})["modelid"]
        sync_mempools([n0, n1])
        n0.generatetoaddress(1, owner.getnewaddress())
        sync_blocks([n0, n1])
        common = user.sendinference(model_id, INPUTS[0])["txid"]
        sync_mempools([n0, n1])
        n0.generatetoaddress(1, owner.getnewaddress())
        sync_blocks([n0, n1])
        v0 = n0.getmodel(model_id)

        self.log.info("Split: node 0 takes an update and an inference on version 1; node 1 a longer branch")
        disconnect_nodes(n0, n1)
        update = owner.updateweights(model_id, files["trained"])
        n0.generatetoaddress(1, owner.getnewaddress())
        on_v1 = owner.sendinference(model_id, INPUTS[1])
        assert_equal(on_v1["version"], 1)
        n0.generatetoaddress(1, owner.getnewaddress())
        assert_equal(n0.getmodel(model_id)["current_version"], 1)
        assert_equal(n0.getinference(on_v1["txid"])["output"], self.infer_output(files["trained"], INPUTS[1]))
        pinned = user.sendinference(model_id, INPUTS[2], {"version": 0})["txid"]
        n1.generatetoaddress(3, user.getnewaddress())

        self.log.info("Node 0 reorganises to node 1's branch: version 1 and its inference leave the chain")
        connect_nodes(n0, n1)
        sync_blocks([n0, n1])
        txids = [common, pinned]
        assert_equal(self.state(n0, model_id, txids), self.state(n1, model_id, txids))
        m = n0.getmodel(model_id)
        assert_equal((m["current_version"], m["versions"], m["current_score"]),
                     (0, 1, v0["current_score"]))
        assert_equal(n0.getinference(pinned)["output"], self.infer_output(files["init"], INPUTS[2]))
        # The update is back in node 0's pool; the inference on the gone version is not valid now.
        wait_until(lambda: update["txid"] in n0.getrawmempool(), timeout=30)
        assert on_v1["txid"] not in n0.getrawmempool()

        self.log.info("Both move to a longer branch that carries the update again")
        sync_mempools([n0, n1])
        n0.generatetoaddress(4, owner.getnewaddress())
        sync_blocks([n0, n1])
        assert_equal(self.state(n0, model_id, txids), self.state(n1, model_id, txids))
        m = n1.getmodel(model_id)
        assert_equal((m["current_version"], m["versions"], m["current_score"]), (1, 2, update["score"]))

        self.log.info("A node that never saw a stale branch syncs to the same registry and results")
        connect_nodes(n2, n0)
        sync_blocks([n0, n2])
        assert_equal(self.state(n2, model_id, txids), self.state(n0, model_id, txids))


if __name__ == "__main__":
    OdaReorgTest().main()
