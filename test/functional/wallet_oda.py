#!/usr/bin/env python3
"""wallet_oda: the wallet RPCs of ODA transactions on two nodes (doc/rpc.md, doc/oda-protocol.md
sections 2, 4, 7). A small MLP made by oda-model (always available, so the test always runs) is
registered with addmodel on node 0 (its score equal to `oda-model eval`), an inference is paid from
node 1 with sendinference (royalty to the owner), updateweights with better weights is accepted and
with worse ones refused with both scores and nothing broadcast; evaluatemodel and getmodel show
the same scores; the ownership output is never spent, even when the wallet sends everything."""
import json
import os
import re
import subprocess
from decimal import Decimal

from test_framework.p2p import connect_nodes
from test_framework.util import assert_equal, assert_raises_rpc_error, sync_blocks, sync_mempools
from walletutil import COINBASE_MATURITY, WalletTestFramework, wallet_rpc

RPC_MISC_ERROR = -1
RPC_INVALID_ADDRESS_OR_KEY = -5
RPC_INVALID_PARAMETER = -8
RPC_VERIFY_REJECTED = -26
OWNERSHIP_VALUE = Decimal("0.00001000")
ROYALTY = 10_000
MLP = {"version": 1, "input_shape": [1, 4, 4], "objective": "accuracy",
       "layers": [{"kind": "flatten"}, {"kind": "dense", "out_features": 16, "per_channel": True}, {"kind": "relu"},
                  {"kind": "dense", "out_features": 3, "per_channel": False}],
       "logits_output": True}


def min_compute_fee(cu, per_million=1000):
    return -(-cu * per_million // 1_000_000)


class WalletOdaTest(WalletTestFramework):
    def set_test_params(self):
        self.set_wallet_test_params(num_nodes=2)

    def tool(self, *args):
        binary = os.path.join(self.config["environment"]["BUILDDIR"], "src", "oda-model")
        out = subprocess.run([binary, *args], cwd=self.workdir, check=True, stdout=subprocess.PIPE, text=True,
                             timeout=600).stdout
        self.log.debug("oda-model %s\n%s", " ".join(args), out)
        return out

    def eval_score(self, weights, data):
        out = self.tool("eval", "mlp.json", "--weights", weights, "--data", data)
        return int(re.search(r"consensus engine: score (-?\d+)", out).group(1))

    def make_model(self):
        """Architecture, random initial weights, trained weights and a scoring dataset."""
        self.workdir = os.path.join(self.options.tmpdir, "model")
        os.makedirs(self.workdir)
        with open(os.path.join(self.workdir, "mlp.json"), "w") as f:
            json.dump(MLP, f)
        self.tool("make-dataset", "--shape", "1,4,4", "--count", "600", "--classes", "3", "--seed", "1", "-o", "train.odad")
        self.tool("make-dataset", "--shape", "1,4,4", "--count", "200", "--classes", "3", "--seed", "1", "-o", "test.odad")
        self.tool("init", "mlp.json", "-o", "init.odaw", "--seed", "3")
        self.tool("train", "mlp.json", "--data", "train.odad", "--validation", "test.odad", "--epochs", "8",
                  "--batch-size", "16", "--lr", "0.01", "--out-weights", "trained.odaw", "--out-checkpoint", "trained.pt",
                  "--no-progress")
        return {name: os.path.join(self.workdir, name) for name in ("mlp.json", "init.odaw", "trained.odaw", "test.odad")}

    def infer_output(self, weights, inp):
        out = self.tool("infer", "mlp.json", "--weights", weights, "--input", bytes(v & 0xFF for v in inp).hex())
        values = [int(v) for v in re.search(r"output \[\d+\] \(int32 logits\): \[([^\]]*)\]", out).group(1).split(",")]
        return values, int(re.search(r"argmax (\d+)", out).group(1))

    def reload_user(self, node):
        node.loadwallet("user")
        return wallet_rpc(node, "user")

    def mine(self, node, n=1):
        hashes = node.generatetoaddress(n, self.burn)
        sync_blocks(self.nodes)
        return hashes

    def run_test(self):
        n0, n1 = self.nodes
        connect_nodes(n0, n1)
        files = self.make_model()
        init_score = self.eval_score(files["init.odaw"], files["test.odad"])
        trained_score = self.eval_score(files["trained.odaw"], files["test.odad"])
        self.log.info("Scores by oda-model: initial %d, trained %d (of 200)", init_score, trained_score)
        assert trained_score > init_score, "training must improve the model for this test"

        n0.createwallet("owner")
        n1.createwallet("user")
        owner = wallet_rpc(n0, "owner")
        user = wallet_rpc(n1, "user")
        n1.createwallet("burn")
        self.burn = wallet_rpc(n1, "burn").getnewaddress()
        n1.unloadwallet("burn")
        n0.generatetoaddress(2, owner.getnewaddress())
        n0.generatetoaddress(COINBASE_MATURITY, self.burn)
        sync_blocks(self.nodes)
        owner.sendtoaddress(user.getnewaddress(), 10)
        sync_mempools(self.nodes)
        self.mine(n0)
        assert_equal(user.getbalance(), Decimal("10"))

        # Node 1 validates (re-executes) every ODA transaction, so it holds the model's files too.
        for name in ("init.odaw", "trained.odaw", "test.odad"):
            n1.importmodelfile(files[name])

        self.log.info("addmodel: files into the store, the score computed locally, ownership output first")
        balance = owner.getbalance()
        added = owner.addmodel(MLP, files["init.odaw"], files["test.odad"],
                               {"royalty": ROYALTY, "trainer_share": 2000, "min_improvement": 1})
        model_id = added["modelid"]
        assert_equal(added["txid"], model_id)
        assert_equal(added["score"], init_score)
        # A run on the 200 samples (the scoring) and a run on one sample (an inference): both
        # are n x the per-sample cost + the weights' cost (doc/oda-protocol.md section 4).
        scoring = added["computeunits"]
        tx = n0.getrawtransaction(model_id, True)
        assert_equal(tx["vout"][0]["value"], OWNERSHIP_VALUE)
        assert "oda" in tx["vout"][1]["scriptPubKey"], tx["vout"][1]
        fee_units = int(added["fee"] * 100_000_000)
        assert fee_units >= min_compute_fee(added["computeunits"]) + tx["vsize"], (fee_units, tx["vsize"])
        # The ownership output is the model's, not money: the balance leaves it out.
        assert_equal(owner.getbalance(), balance - added["fee"] - OWNERSHIP_VALUE)
        sync_mempools(self.nodes)
        self.mine(n0)
        model = n1.getmodel(model_id)
        assert_equal(model["current_score"], init_score)
        assert_equal(model["owner"], {"txid": model_id, "vout": 0})
        assert_equal(owner.getaddressinfo(model["owner_address"])["ismine"], True)
        assert_equal(model["royalty"], ROYALTY)

        self.log.info("listunspent marks the ownership output and never offers it as spendable")
        owned = [u for u in owner.listunspent() if u.get("ownership")]
        assert_equal([(u["txid"], u["vout"], u["ownership"], u["spendable"]) for u in owned],
                     [(model_id, 0, model_id, False)])

        self.log.info("addmodel errors: bad architecture, bad path, files swapped")
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "Invalid architecture", owner.addmodel, {"version": 1},
                                files["init.odaw"], files["test.odad"])
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "weights file", owner.addmodel, files["mlp.json"],
                                os.path.join(self.workdir, "missing.odaw"), files["test.odad"])
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "is a dataset file, not a weights file", owner.addmodel,
                                files["mlp.json"], files["test.odad"], files["test.odad"])

        self.log.info("sendinference from the other node: shape checked, royalty to the owner")
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "input has 3 values, the model takes 16", user.sendinference,
                                model_id, [1, 2, 3])
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "not an integer in [-128, 127]", user.sendinference,
                                model_id, [200] * 16)
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, "Model not found", user.sendinference, "11" * 32, [0] * 16)
        inp = [((i * 37) % 256) - 128 for i in range(16)]
        sent = user.sendinference(model_id, inp)
        assert_equal(sent["version"], 0)
        cost = sent["computeunits"]
        assert_equal((scoring - cost) % 199, 0)
        assert_equal(sent["royalty"], Decimal(ROYALTY) / 100_000_000)
        infer_tx = n1.getrawtransaction(sent["txid"], True)
        pays = [o for o in infer_tx["vout"] if o["scriptPubKey"].get("address") == model["owner_address"]]
        # Version 0's trainer is the owner: the trainer share and the rest go to one output.
        assert_equal([o["value"] for o in pays], [Decimal(ROYALTY) / 100_000_000])
        sync_mempools(self.nodes)
        for node in self.nodes:
            pending = node.getinference(sent["txid"])
            assert_equal((pending["status"], pending["modelid"], pending["version"], pending["input_size"]),
                         ("pending", model_id, 0, 16))
        # From a file too (JSON text), and pinned to a version.
        path = os.path.join(self.workdir, "input.json")
        with open(path, "w") as f:
            json.dump(inp, f)
        pinned = user.sendinference(model_id, path, {"version": 0})
        assert_equal(pinned["version"], 0)
        sync_mempools(self.nodes)
        block = self.mine(n0)[0]

        self.log.info("getinference: confirmed, with the output `oda-model infer` computes")
        expected = self.infer_output(files["init.odaw"], inp)
        for node in self.nodes:
            for txid in (sent["txid"], pinned["txid"]):
                got = node.getinference(txid)
                assert_equal((got["status"], got["blockhash"], got["confirmations"], got["modelid"], got["version"]),
                             ("confirmed", block, 1, model_id, 0))
                # From the block's coinbase result payload, which every node re-executed.
                assert_equal((got["output"], got["argmax"], got["output_type"]), (*expected, "int32"))
        self.log.info("getinference follows a reorg (back to pending) and catches up after a restart")
        n1.invalidateblock(block)
        assert_equal(n1.getinference(sent["txid"])["status"], "pending")
        n1.reconsiderblock(block)
        assert_equal(n1.getinference(sent["txid"])["status"], "confirmed")
        self.restart_node(1, self.extra_args[1])
        connect_nodes(n0, n1)
        assert_equal(n1.getinference(sent["txid"])["blockhash"], block)
        user = wallet_rpc(n1, "user") if "user" in n1.listwallets() else self.reload_user(n1)
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, "No inference transaction", n1.getinference, "22" * 32)

        self.log.info("updateweights with better weights is accepted with the locally computed score")
        up = owner.updateweights(model_id, files["trained.odaw"])
        assert_equal((up["score"], up["previousscore"]), (trained_score, init_score))
        sync_mempools(self.nodes)
        self.mine(n0)
        model = n1.getmodel(model_id)
        assert_equal((model["current_version"], model["current_score"]), (1, trained_score))
        assert_equal([v["score"] for v in model["version_list"]], [init_score, trained_score])
        assert_equal((model["computeunits_per_inference"], model["computeunits_per_scoring"]), (cost, scoring))
        self.log.info("An inference pinned to version 0 after the update still runs the old weights")
        old_inp = [((i * 53) % 256) - 128 for i in range(16)]
        old = user.sendinference(model_id, old_inp, {"version": 0})
        assert_equal(old["version"], 0)
        sync_mempools(self.nodes)
        self.mine(n0)
        got = n1.getinference(old["txid"])
        assert_equal((got["status"], got["version"], got["output"]),
                     ("confirmed", 0, self.infer_output(files["init.odaw"], old_inp)[0]))
        split = model["royalty_split"]
        trainer = model["version_list"][1]["trainer_address"]
        assert_equal(split["trainer"], {"address": trainer, "amount": 2000})
        assert_equal(split["owner"], {"address": model["owner_address"], "amount": ROYALTY - 2000})
        assert_equal(sorted((o["address"], o["amount"]) for o in split["outputs"]),
                     sorted([(trainer, 2000), (model["owner_address"], ROYALTY - 2000)]))

        self.log.info("evaluatemodel scores locally: current weights, other weights, nothing sent")
        assert_equal(n0.evaluatemodel(model_id)["score"], trained_score)
        other = n0.evaluatemodel(model_id, files["init.odaw"])
        assert_equal((other["score"], other["improves"]), (init_score, False))
        assert_equal(n1.evaluatemodel(model_id, files["init.odaw"], files["test.odad"])["score"], init_score)
        assert_equal(n0.getrawmempool(), [])

        self.log.info("updateweights that does not improve: -26 with both scores, nothing broadcast")
        pool = n0.getrawmempool()
        txs = len(owner.listtransactions("*", 1000))
        assert_raises_rpc_error(RPC_VERIFY_REJECTED, f"the weights score {init_score}, the current score is {trained_score}",
                                owner.updateweights, model_id, files["init.odaw"])
        assert_equal(n0.getrawmempool(), pool)
        assert_equal(len(owner.listtransactions("*", 1000)), txs)

        self.log.info("The wallet never spends the ownership output, even when it sends everything")
        everything = owner.getbalance()
        owner.sendtoaddress(user.getnewaddress(), everything, "", "", True)
        sync_mempools(self.nodes)
        self.mine(n0)
        assert_equal(owner.getbalance(), Decimal("0"))
        owned = [u for u in owner.listunspent() if u.get("ownership")]
        assert_equal([(u["txid"], u["vout"]) for u in owned], [(model_id, 0)])
        assert_raises_rpc_error(-6, "Insufficient funds", owner.sendtoaddress, user.getnewaddress(), Decimal("0.00000500"))
        assert_equal(n1.getmodel(model_id)["owner"], {"txid": model_id, "vout": 0})

        self.log.info("Scoring needs the model's dataset in the node's store: a clear error without it")
        dataset_root = n0.getmodel(model_id)["dataset"]["pieces_root"]
        # Restarted without the file (the node keeps computed scores and loaded files in memory by content).
        self.stop_node(0)
        os.remove(os.path.join(n0.chain_dir, "odafiles", dataset_root))
        self.start_node(0, self.extra_args[0])
        n0.loadwallet("owner")
        assert_raises_rpc_error(RPC_MISC_ERROR, "lacks the dataset file", wallet_rpc(n0, "owner").updateweights,
                                model_id, files["trained.odaw"])
        assert_raises_rpc_error(RPC_MISC_ERROR, "lacks the model's dataset", n0.evaluatemodel, model_id)
        assert_equal(n0.getrawmempool(), [])


if __name__ == "__main__":
    WalletOdaTest().main()
