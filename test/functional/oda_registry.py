#!/usr/bin/env python3
"""The model registry (doc/oda-protocol.md section 2.5) end to end: add-model, update-weights and
transfer transactions built in Python, mined, and seen identically by two nodes through getmodel,
listmodels and getregistryinfo; the contextual reject reasons; a reorganisation restores the
registry exactly (its hash equals that of a node that never saw the stale branch); -reindex and
-reindex-chainstate rebuild the same registry; block assembly leaves out a pool transaction that the
ones before it in the block make invalid. The models are made of real files (oda-model, importmodelfile
on both nodes) with the scores the engine computes: every node re-scores them while connecting."""
from test_framework.blocktools import MiniWallet
from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash, uint256_from_bytes
from test_framework.oda import add_model, infer, oda_script, transfer, update_weights
from test_framework.oda_model_files import ModelFiles, import_file
from test_framework.p2p import connect_nodes, disconnect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error, sync_blocks, wait_until

RPC_INVALID_ADDRESS_OR_KEY = -5
RPC_VERIFY_ERROR = -25
OWNER_VALUE = 10_000
FEE = 20_000
SAMPLES = 60


class OdaRegistryTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False

    def outpoint(self, txid, n):
        return COutPoint(uint256_from_bytes(hex_to_hash(txid)), n)

    def build(self, outputs, owner_input=None, owner_wallet=None, change_script=None):
        """A transaction funded (and changed, unless change_script says where the change goes) by
        the main wallet, with `outputs` first; with owner_input, that ownership outpoint is spent
        too, signed by owner_wallet."""
        funding = self.wallet.get_utxo()
        tx = CTransaction()
        tx.vin = [CTxIn(self.outpoint(funding["txid"], funding["vout"]), b"", 0xFFFFFFFD)]
        spent = [CTxOut(funding["value"], self.wallet.script_pubkey)]
        total_in = funding["value"]
        if owner_input:
            tx.vin.append(CTxIn(self.outpoint(owner_input["txid"], owner_input["vout"]), b"", 0xFFFFFFFD))
            spent.append(CTxOut(owner_input["value"], owner_wallet.script_pubkey))
            total_in += owner_input["value"]
        tx.vout = [CTxOut(v, s) for s, v in outputs]
        tx.vout.append(CTxOut(total_in - FEE - sum(v for _, v in outputs), change_script or self.wallet.script_pubkey))
        self.wallet.sign_tx(tx, spent, inputs=[0])
        if owner_input:
            owner_wallet.sign_tx(tx, spent, inputs=[1])
        if change_script is None:
            self.wallet.utxos.append({"txid": tx.txid, "vout": len(tx.vout) - 1, "value": tx.vout[-1].value,
                                      "height": None, "coinbase": False})
        return tx

    def send(self, tx, node=None):
        node = node or self.nodes[0]
        assert_equal(node.sendrawtransaction(tx.serialize().hex()), tx.txid)
        return tx.txid

    def check_reject(self, tx, reason):
        res = self.nodes[0].testmempoolaccept([tx.serialize().hex()])[0]
        assert_equal((res["allowed"], res.get("reject-reason")), (False, reason))
        # Forget the change output of a transaction that will never exist.
        self.wallet.utxos = [u for u in self.wallet.utxos if u["txid"] != tx.txid]
        self.wallet.rescan()

    def mine(self, node_index=0):
        hashes = self.wallet.generate(1, self.nodes[node_index])
        return hashes[0]

    def registry(self, node):
        info = node.getregistryinfo()
        assert_equal(info["bestblock"], node.getbestblockhash())
        return info

    def make_files(self):
        """Real files (nodes re-score what add-model and update-weights claim): a dataset and
        weights at three increasing score levels s[0] < s[1] < s[2], imported into both nodes."""
        files = ModelFiles(self.config["environment"]["BUILDDIR"], self.options.tmpdir + "/files")
        arch, self.encoding, _ = files.architecture("mlp.json")
        data = files.dataset("data.odad", [4], SAMPLES, 2, seed=9)
        by_score = {}
        seed = 1
        while len(by_score) < 3:
            assert seed < 40, f"random weights reach only the scores {sorted(by_score)}"
            w = files.weights(arch, f"w{seed}.odaw", seed)
            by_score.setdefault(files.score(arch, w, data), w)
            seed += 1
        levels = sorted(by_score)[:3]
        self.s = levels
        for node in self.nodes:
            self.data = import_file(node, data)
            self.w = [import_file(node, by_score[score]) for score in levels]

    def add(self, **kw):
        """An add-model payload on the real files (version 0 = the lowest score level)."""
        args = dict(architecture=self.encoding, dataset=self.data, samples=SAMPLES, weights=self.w[0], score=self.s[0])
        args.update(kw)
        return add_model(**args)

    def run_test(self):
        n0, n1 = self.nodes
        owner_a = MiniWallet(n0, label="owner-a")
        owner_b = MiniWallet(n0, label="owner-b")
        self.make_files()
        s0, s1, s2 = self.s
        connect_nodes(n0, n1)
        sync_blocks(self.nodes)
        empty = self.registry(n0)
        assert_equal((empty["models"], empty["versions"]), (0, 0))
        assert_equal(n0.listmodels(), [])

        self.log.info("add-model registers the model under its txid, owned by its first non-OP_RETURN output")
        add_tx = self.build([(owner_a.script_pubkey, OWNER_VALUE), (oda_script(self.add(min_improvement=1)), 0)])
        model = self.send(add_tx)
        self.mine()
        sync_blocks(self.nodes)
        for node in self.nodes:
            m = node.getmodel(model)
            assert_equal(m["modelid"], model)
            assert_equal(m["owner"], {"txid": model, "vout": 0})
            assert_equal(m["owner_address"], owner_a.address)
            assert_equal((m["current_version"], m["current_score"], m["versions"]), (0, s0, 1))
            assert_equal(m["objective"], "accuracy")
            assert_equal((m["royalty"], m["trainer_share_bp"], m["min_improvement"], m["dataset_samples"]),
                         (100000, 1000, 1, SAMPLES))
            assert_equal(m["dataset"], {"pieces_root": self.data[0], "file_size": self.data[1]})
            assert_equal(m["version_list"][0]["weights"], {"pieces_root": self.w[0][0], "file_size": self.w[0][1]})
            assert_equal(m["version_list"][0]["txid"], model)
        assert_equal([x["modelid"] for x in n1.listmodels()], [model])
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, "Model not found", n0.getmodel, "ab" * 32)

        self.log.info("Contextual rejects: unknown parent, not improving, unknown version, ownership spend")
        self.check_reject(self.build([(owner_a.script_pubkey, OWNER_VALUE),
                                      (oda_script(add_model(parents=[("77" * 32, 500)])), 0)]), "bad-oda-unknown-model")
        trainer = self.wallet.script_pubkey
        self.check_reject(self.build([(oda_script(update_weights(model, self.w[1], s0, trainer)), 0)]),
                          "bad-oda-not-improving")
        self.check_reject(self.build([(oda_script(update_weights("77" * 32, ("55" * 32, 23), 99, trainer)), 0)]),
                          "bad-oda-unknown-model")
        self.check_reject(self.build([(oda_script(infer(model, "99" * 32, [1, 2, 3, 4])), 0)]),
                          "bad-oda-unknown-version")
        ok_infer = self.build([(oda_script(infer(model, self.w[0][0], [1, 2, 3, 4])), 0)])
        assert_equal(n0.testmempoolaccept([ok_infer.serialize().hex()])[0]["allowed"], True)
        self.wallet.rescan()
        owner_utxo = {"txid": model, "vout": 0, "value": OWNER_VALUE}
        self.check_reject(self.build([(owner_a.script_pubkey, OWNER_VALUE)], owner_utxo, owner_a),
                          "bad-oda-ownership-spend")

        self.log.info("In a block, an ownership output that is not witness v1 is bad-oda-owner-output")
        bad_owner = self.build([(oda_script(add_model()), 0)], change_script=b"\x00\x14" + b"\x11" * 20)
        assert_raises_rpc_error(RPC_VERIFY_ERROR, "bad-oda-owner-output", n0.generateblock, owner_b.address,
                                [bad_owner.serialize().hex()])
        self.wallet.rescan()

        self.log.info("A child model, then update-weights makes a new current version")
        child = self.send(self.build([(owner_b.script_pubkey, OWNER_VALUE),
                                      (oda_script(self.add(parents=[(model, 500)])), 0)]))
        update = self.send(self.build([(oda_script(update_weights(model, self.w[1], s1, trainer)), 0)]))
        self.mine()
        sync_blocks(self.nodes)
        m = n1.getmodel(model)
        assert_equal((m["current_version"], m["current_score"], m["versions"]), (1, s1, 2))
        assert_equal(m["version_list"][1]["txid"], update)
        assert_equal(m["version_list"][1]["trainer_address"], self.wallet.address)
        assert_equal(m["version_list"][1]["score"], s1)
        assert_equal(n1.getmodel(child)["parents"], [{"modelid": model, "share_bp": 500}])

        self.log.info("transfer spends the ownership output and moves the model to the new first output")
        moved = self.build([(owner_b.script_pubkey, OWNER_VALUE), (oda_script(transfer(model)), 0)], owner_utxo, owner_a)
        self.send(moved)
        self.mine()
        sync_blocks(self.nodes)
        for node in self.nodes:
            m = node.getmodel(model)
            assert_equal(m["owner"], {"txid": moved.txid, "vout": 0})
            assert_equal(m["owner_address"], owner_b.address)
        info0, info1 = self.registry(n0), self.registry(n1)
        assert_equal(info0, info1)
        assert_equal((info0["models"], info0["versions"]), (2, 3))

        self.log.info("A stale branch on node 0 (one more update), reorganised away by node 1's longer branch")
        disconnect_nodes(n0, n1)
        self.send(self.build([(oda_script(update_weights(model, self.w[2], s2, trainer)), 0)]))
        stale = self.mine()
        assert_equal(n0.getmodel(model)["current_score"], s2)
        assert self.registry(n0)["hash"] != info1["hash"]

        self.log.info("invalidateblock restores the registry exactly, reconsiderblock re-applies it")
        n0.invalidateblock(stale)
        assert_equal(self.registry(n0)["hash"], info1["hash"])
        n0.reconsiderblock(stale)
        assert_equal(n0.getbestblockhash(), stale)
        assert_equal(n0.getmodel(model)["versions"], 3)

        n1.generatetoaddress(2, owner_b.address)
        connect_nodes(n0, n1)
        sync_blocks(self.nodes)
        assert_equal(n0.getbestblockhash(), n1.getbestblockhash())
        after0, after1 = self.registry(n0), self.registry(n1)
        assert_equal(after0, after1)
        assert_equal(after0["hash"], info1["hash"])
        assert_equal(n0.getmodel(model)["current_score"], s1)

        self.log.info("-reindex and -reindex-chainstate rebuild the same registry")
        expected = after0
        for args in (["-reindex"], ["-reindex-chainstate"], []):
            self.restart_node(0, args)
            wait_until(lambda: n0.getbestblockhash() == expected["bestblock"], timeout=120)
            assert_equal(self.registry(n0), expected)

        self.log.info("Two updates that each improve on the tip but not on each other: blocks take one")
        # (The stale branch's update, also claiming s2, came back to the pool with the reorg.)
        versions = n0.getmodel(model)["versions"]
        first = self.send(self.build([(oda_script(update_weights(model, self.w[2], s2, trainer)), 0)]))
        second = self.send(self.build([(oda_script(update_weights(model, self.w[2], s2, self.wallet.script_pubkey)), 0)]))
        pool = n0.getrawmempool()
        assert first in pool and second in pool
        self.mine()
        m = n0.getmodel(model)
        assert_equal((m["versions"], m["current_score"]), (versions + 1, s2))
        assert m["version_list"][-1]["txid"] in pool
        self.mine()  # the other stays out of every template
        assert_equal(n0.getmodel(model)["versions"], versions + 1)


if __name__ == "__main__":
    OdaRegistryTest().main()
