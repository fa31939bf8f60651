#!/usr/bin/env python3
"""The mempool's ODA policy (doc/policy.md "ODA transactions") with real model files made by
oda-model and imported with importmodelfile: the compute fee per CU on top of the size fee
(-mincomputefee, refused then accepted with more fee, `computeunits` in getmempoolentry and
getrawmempool), one pending update-weights per model replaced only by a higher fee, eviction of
the pending update once a better update is mined on the other node, a non-improving claim refused
from the claim alone, a missing file refused (named), a false claimed score refused after scoring
(both scores given)."""
import os
import re
import subprocess

from test_framework.blocktools import MiniWallet
from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash, uint256_from_bytes
from test_framework.oda import add_model, oda_script, update_weights
from test_framework.oda_model_files import RunCost
from test_framework.p2p import connect_nodes, disconnect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error, sync_blocks

RPC_VERIFY_REJECTED = -26
OWNER_VALUE = 10_000
COMPUTE_FEE_PER_MILLION = 20_000  # node 0: 0.02 units per compute unit, large enough to see
SAMPLES = 200
MLP = ('{"version":1,"input_shape":[1,4,4],"objective":"accuracy","layers":['
       '{"kind":"flatten"},{"kind":"dense","out_features":16,"per_channel":true},{"kind":"relu"},'
       '{"kind":"dense","out_features":3,"per_channel":false}],"logits_output":true}')


class OdaMempoolTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False
        self.extra_args = [[f"-mincomputefee={COMPUTE_FEE_PER_MILLION}", "-debug=mempool"], []]

    # ---- model files ------------------------------------------------------------------------
    def oda_model(self, *args):
        tool = os.path.join(self.config["environment"]["BUILDDIR"], "src", "oda-model")
        return subprocess.run([tool, *args], cwd=self.options.tmpdir, check=True, stdout=subprocess.PIPE,
                              text=True).stdout

    def make_files(self):
        """An MLP, a 200-sample dataset and weights of several seeds with their true scores."""
        tmp = self.options.tmpdir
        with open(os.path.join(tmp, "mlp.json"), "w") as f:
            f.write(MLP)
        inspect = self.oda_model("inspect", "mlp.json")
        self.encoding = bytes.fromhex(re.search(r"^\s*encoding ([0-9a-f]+)$", inspect, re.M).group(1))
        self.cost = RunCost.parse(inspect)
        self.oda_model("make-dataset", "--shape", "1,4,4", "--count", str(SAMPLES), "--classes", "3", "--seed", "1",
                       "-o", "data.odad")
        self.dataset_path = os.path.join(tmp, "data.odad")
        weights = []
        for seed in range(1, 7):
            name = f"w{seed}.odaw"
            self.oda_model("init", "mlp.json", "-o", name, "--seed", str(seed))
            out = self.oda_model("eval", "mlp.json", "--weights", name, "--data", "data.odad")
            weights.append((int(re.search(r"score (\d+)", out).group(1)), os.path.join(tmp, name)))
        # One weights file per distinct score, lowest first.
        by_score = {}
        for score, path in weights:
            by_score.setdefault(score, path)
        self.weights = sorted(by_score.items())
        assert len(self.weights) >= 6, self.weights

    def import_files(self, node, paths):
        out = {}
        for path in paths:
            f = node.importmodelfile(path)
            out[path] = (f["piecesroot"], f["size"])
        return out

    # ---- transactions -----------------------------------------------------------------------
    def outpoint(self, txid, n):
        return COutPoint(uint256_from_bytes(hex_to_hash(txid)), n)

    def build(self, outputs, fee):
        """Funded and changed by the main wallet, `outputs` first, paying `fee`."""
        funding = self.wallet.get_utxo()
        tx = CTransaction()
        tx.vin = [CTxIn(self.outpoint(funding["txid"], funding["vout"]), b"", 0xFFFFFFFD)]
        tx.vout = [CTxOut(v, s) for s, v in outputs]
        tx.vout.append(CTxOut(funding["value"] - fee - sum(v for _, v in outputs), self.wallet.script_pubkey))
        self.wallet.sign_tx(tx, [CTxOut(funding["value"], self.wallet.script_pubkey)])
        tx.funding = funding
        return tx

    def sent(self, tx):
        """Track the change of a transaction the pool took."""
        self.wallet.utxos.append({"txid": tx.txid, "vout": len(tx.vout) - 1, "value": tx.vout[-1].value,
                                  "height": None, "coinbase": False})

    def refused(self, tx):
        """Give back the funding of a transaction the pool refused."""
        self.wallet.utxos.append(tx.funding)

    def update(self, score_index, fee, claimed=None):
        score, path = self.weights[score_index]
        root, size = self.files[path]
        trainer = self.wallet.script_pubkey
        payload = update_weights(self.model, (root, size), score if claimed is None else claimed, trainer)
        return self.build([(oda_script(payload), 0)], fee)

    def send(self, node, tx):
        assert_equal(node.sendrawtransaction(tx.serialize().hex()), tx.txid)
        self.sent(tx)
        return tx.txid

    def run_test(self):
        n0, n1 = self.nodes
        owner = MiniWallet(n0, label="owner")
        self.make_files()
        self.log.info(f"weights by true score: {[s for s, _ in self.weights]}; {self.cost(1)} CU per inference")
        paths = [self.dataset_path] + [p for _, p in self.weights[:-1]]  # the best file is never imported on node 0
        self.files = self.import_files(n0, paths)
        self.files.update(self.import_files(n1, paths + [self.weights[-1][1]]))
        connect_nodes(n0, n1)
        sync_blocks(self.nodes)

        self.log.info("add-model with the lowest-scoring weights (its compute fee covered)")
        s0, w0 = self.weights[0]
        dataset = self.files[self.dataset_path]
        payload = add_model(architecture=self.encoding, dataset=dataset, samples=SAMPLES, weights=self.files[w0],
                            score=s0, royalty=10_000, trainer_share_bp=1000, min_improvement=0)
        add_tx = self.build([(owner.script_pubkey, OWNER_VALUE), (oda_script(payload), 0)], 200_000)
        self.model = self.send(n0, add_tx)
        add_cu = self.cost(SAMPLES)
        assert_equal(n0.getmempoolentry(self.model)["computeunits"], add_cu)
        self.wallet.generate(1)
        sync_blocks(self.nodes)
        assert_equal(n1.getmodel(self.model)["current_score"], s0)
        disconnect_nodes(n0, n1)

        self.log.info("Fee per compute unit: size fee alone is refused, with both figures; more fee is accepted")
        cu = self.cost(SAMPLES)  # scoring the update on the model's dataset
        compute_fee = (cu * COMPUTE_FEE_PER_MILLION + 999_999) // 1_000_000
        cheap = self.update(1, 20_000)
        assert 20_000 < compute_fee
        err = assert_raises_rpc_error(RPC_VERIFY_REJECTED, "oda-compute-fee-not-met", n0.sendrawtransaction,
                                      cheap.serialize().hex())
        assert f"compute fee {compute_fee} ({cu} CU" in err["message"], err
        assert "size fee " in err["message"], err
        # Node 1 keeps the default (1,000 per million CU): the same transaction passes there.
        assert_equal(n1.testmempoolaccept([cheap.serialize().hex()])[0]["allowed"], True)
        self.refused(cheap)
        first = self.update(1, 100_000)
        self.send(n0, first)
        assert_equal(n0.getmempoolentry(first.txid)["computeunits"], cu)
        assert_equal(n0.getrawmempool(True)[first.txid]["computeunits"], cu)

        self.log.info("One pending update per model: a second one needs a higher fee, then replaces it")
        second = self.update(2, 90_000)
        err = assert_raises_rpc_error(RPC_VERIFY_REJECTED, "oda-update-pending", n0.sendrawtransaction,
                                      second.serialize().hex())
        assert first.txid in err["message"] and "paying 100000" in err["message"], err
        self.refused(second)
        same = self.update(2, 100_000)
        assert_raises_rpc_error(RPC_VERIFY_REJECTED, "oda-update-pending", n0.sendrawtransaction, same.serialize().hex())
        self.refused(same)
        better_fee = self.update(2, 150_000)
        self.send(n0, better_fee)
        pool = n0.getrawmempool()
        assert better_fee.txid in pool and first.txid not in pool, pool
        self.wallet.utxos = [u for u in self.wallet.utxos if u["txid"] != first.txid]
        self.wallet.utxos.append(first.funding)  # its input is free again

        self.log.info("A better update mined on node 1 evicts node 0's pending one")
        s3 = self.weights[3][0]
        mined = self.update(3, 200_000)
        self.send(n1, mined)
        block = n1.generatetoaddress(1, owner.address)[0]
        connect_nodes(n0, n1)
        sync_blocks(self.nodes)
        assert_equal(n0.getbestblockhash(), block)
        assert_equal(n0.getmodel(self.model)["current_score"], s3)
        assert better_fee.txid not in n0.getrawmempool(), n0.getrawmempool()
        assert_equal(n0.getmempoolinfo()["size"], 0)
        with open(n0.debug_log_path, encoding="utf-8") as f:
            assert f"evicting {better_fee.txid} after the tip changed: bad-oda-not-improving" in f.read()
        self.wallet.rescan()

        self.log.info("A claim that cannot improve is refused from the claim alone")
        low = self.update(1, 100_000)
        assert_raises_rpc_error(RPC_VERIFY_REJECTED, "bad-oda-not-improving", n0.sendrawtransaction,
                                low.serialize().hex())
        self.refused(low)

        self.log.info("Files: an update whose weights node 0 does not hold is refused, naming the file")
        unheld = self.update(len(self.weights) - 1, 150_000)  # the best weights: node 0 never imported them
        res = n0.testmempoolaccept([unheld.serialize().hex()])[0]
        assert_equal((res["allowed"], res["reject-reason"]), (False, "oda-files-missing"))
        err = assert_raises_rpc_error(RPC_VERIFY_REJECTED, "oda-files-missing", n0.sendrawtransaction,
                                      unheld.serialize().hex())
        assert self.files[self.weights[-1][1]][0] in err["message"], err
        self.refused(unheld)

        self.log.info("Scores: a false claim is refused after scoring, with the claimed and the actual score")
        s4 = self.weights[4][0]
        false_claim = self.update(4, 150_000, claimed=s4 + 1)
        err = assert_raises_rpc_error(RPC_VERIFY_REJECTED, "bad-oda-score", n0.sendrawtransaction,
                                      false_claim.serialize().hex())
        assert f"claimed score {s4 + 1}" in err["message"] and f"scored {s4}" in err["message"], err
        self.refused(false_claim)
        # The true claim passes (and is scored from the executor's cache).
        true_claim = self.update(4, 150_000)
        self.send(n0, true_claim)
        assert_equal(n0.getmempoolentry(true_claim.txid)["computeunits"], cu)

        self.log.info("-mincomputefee must be a non-negative integer")
        n1.stop_node()
        n1.assert_start_raises_init_error(["-mincomputefee=-1"], "Invalid value for -mincomputefee")

if __name__ == "__main__":
    OdaMempoolTest().main()
