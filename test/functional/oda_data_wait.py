#!/usr/bin/env python3
"""The waiting state (doc/oda-protocol.md section 5, doc/rpc.md "Blocks waiting for model
files"): node 1 lacks the weights file of an add-model that node 0 mines. Node 1 holds the
block as waiting-for-data (getchaintips with the missing file, getblockchaininfo, getmodelfiles
NEEDED by the block), marks nothing invalid, keeps waiting across a restart, and connects the
block (and the one above it) as soon as importmodelfile supplies the file; the registries then
agree. submitblock of a block that waits answers "inconclusive-waiting-for-data". The first block
is built by an "external miner" from getblocktemplate's ODA coinbase outputs (doc/mining.md).

Needs the executor that re-scores weights while blocks connect (the node's EngineExecutor):
without it a node trusts claimed scores and never waits."""
import os
import subprocess

from test_framework.blocktools import create_block, create_coinbase
from test_framework.messages import (
    COutPoint, CTransaction, CTxIn, CTxOut, bits_to_target, hex_to_hash, tx_from_hex, uint256_from_bytes,
)
from test_framework.oda import add_model, oda_script
from test_framework.p2p import connect_nodes, disconnect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, sync_blocks, wait_until

OWNER_VALUE = 10_000
FEE = 50_000
MLP = ('{"version":1,"input_shape":[1,4,4],"objective":"accuracy","layers":['
       '{"kind":"flatten"},{"kind":"dense","out_features":8,"per_channel":true},{"kind":"relu"},'
       '{"kind":"dense","out_features":3,"per_channel":false}],"logits_output":true}')


class OdaDataWaitTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False

    def tool(self, *args):
        exe = os.path.join(self.config["environment"]["BUILDDIR"], "src", "oda-model")
        return subprocess.run([exe, *args], cwd=self.options.tmpdir, check=True, stdout=subprocess.PIPE,
                              text=True).stdout

    def make_model(self, seed):
        """Architecture encoding, weights path, and its score on the shared dataset."""
        weights = f"w{seed}.odaw"
        self.tool("init", "mlp.json", "-o", weights, "--seed", str(seed))
        out = self.tool("eval", "mlp.json", "--weights", weights, "--data", "test.odad")
        score = int(out.split("score ")[1].split(",")[0])
        return os.path.join(self.options.tmpdir, weights), score

    def outpoint(self, txid, n):
        return COutPoint(uint256_from_bytes(hex_to_hash(txid)), n)

    def add_model_tx(self, weights, dataset, score):
        funding = self.wallet.get_utxo()
        tx = CTransaction()
        tx.vin = [CTxIn(self.outpoint(funding["txid"], funding["vout"]), b"", 0xFFFFFFFD)]
        payload = add_model(architecture=self.architecture, dataset=(dataset["piecesroot"], dataset["size"]),
                            samples=dataset["samples"], weights=(weights["piecesroot"], weights["size"]),
                            score=score, min_improvement=1)
        tx.vout = [CTxOut(OWNER_VALUE, self.wallet.script_pubkey), CTxOut(0, oda_script(payload)),
                   CTxOut(funding["value"] - OWNER_VALUE - FEE, self.wallet.script_pubkey)]
        self.wallet.sign_tx(tx, [CTxOut(funding["value"], self.wallet.script_pubkey)], inputs=[0])
        return tx

    def mine_from_template(self, node, txid):
        """An external miner (doc/mining.md): the block built in Python from getblocktemplate,
        the coinbase carrying the template's ODA outputs, accepted by submitblock."""
        tmpl = node.getblocktemplate({"rules": ["segwit"]})
        entry = next(t for t in tmpl["transactions"] if t["txid"] == txid)
        assert entry["computeunits"] > 0  # the add-model scores its weights on the dataset
        oda = tmpl["oda"]
        assert_equal(oda["computeunits"], sum(t["computeunits"] for t in tmpl["transactions"]))
        assert_equal([o["kind"] for o in oda["coinbase_outputs"]], ["result"])
        coinbase = create_coinbase(tmpl["height"], self.wallet.script_pubkey, value=tmpl["coinbasevalue"])
        coinbase.vout += [CTxOut(o["value"], bytes.fromhex(o["script"])) for o in oda["coinbase_outputs"]]
        block = create_block(tmpl["previousblockhash"], coinbase, max(tmpl["curtime"], tmpl["mintime"]),
                             [tx_from_hex(t["data"]) for t in tmpl["transactions"]], version=tmpl["version"],
                             bits=int(tmpl["bits"], 16), witness_commitment=True)
        target = bits_to_target(block.bits)
        while block.sha256 > target:
            block.nonce += 1
        assert_equal(node.submitblock(block.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), block.hash)
        self.wallet.scan_block(block.hash)
        return block.hash

    def tip_entry(self, node, block_hash):
        return next((t for t in node.getchaintips() if t["hash"] == block_hash), None)

    def needed_by(self, node, root):
        entry = next((f for f in node.getmodelfiles() if f["piecesroot"] == root), None)
        return (entry["status"], entry.get("needed_by", [])) if entry else None

    def run_test(self):
        n0, n1 = self.nodes
        tmp = self.options.tmpdir
        with open(os.path.join(tmp, "mlp.json"), "w", encoding="utf8") as f:
            f.write(MLP)
        self.tool("make-dataset", "--shape", "1,4,4", "--count", "200", "--classes", "3", "--seed", "5",
                  "-o", "test.odad")
        out = self.tool("inspect", "mlp.json")
        self.architecture = bytes.fromhex(next(line.split()[1] for line in out.splitlines()
                                               if line.strip().startswith("encoding ")))
        weights_path, score = self.make_model(11)
        dataset_path = os.path.join(tmp, "test.odad")

        self.log.info("Node 0 holds both files; node 1 only the dataset")
        w = n0.importmodelfile(weights_path)
        d = n0.importmodelfile(dataset_path)
        n1.importmodelfile(dataset_path)
        connect_nodes(n0, n1)
        sync_blocks(self.nodes)
        base = n1.getbestblockhash()

        self.log.info("Node 0 mines the add-model; node 1 holds the block as waiting, nothing invalid")
        tx = self.add_model_tx(w, d, score)
        assert_equal(n0.sendrawtransaction(tx.serialize().hex()), tx.txid)
        b1 = self.mine_from_template(n0, tx.txid)
        wait_until(lambda: (self.tip_entry(n1, b1) or {}).get("status") == "waiting-for-data", timeout=60)
        assert_equal(n1.getbestblockhash(), base)
        entry = self.tip_entry(n1, b1)
        assert_equal(entry["waiting_block"], b1)
        assert_equal(entry["missing_files"], [{"pieces_root": w["piecesroot"], "file_size": w["size"]}])
        info = n1.getblockchaininfo()
        assert_equal(info["waiting_for_data_count"], 1)
        assert_equal(info["waiting_for_data"][0]["hash"], b1)
        assert_equal(info["waiting_for_data"][0]["missing_files"], entry["missing_files"])
        assert_equal(self.needed_by(n1, w["piecesroot"]), ("needed", [f"block {b1}"]))
        assert all(t["status"] != "invalid" for t in n1.getchaintips())
        with open(n1.debug_log_path, encoding="utf8") as f:
            assert f"Block {b1} at height" in f.read()

        self.log.info("A block on top of the waiting one waits behind it")
        b2 = self.wallet.generate(1, n0)[0]
        wait_until(lambda: (self.tip_entry(n1, b2) or {}).get("status") == "waiting-for-data", timeout=60)
        assert_equal(self.tip_entry(n1, b2)["waiting_block"], b1)
        assert_equal(n1.getbestblockhash(), base)

        self.log.info("After a restart the block is found waiting again (nothing was persisted as failed)")
        self.restart_node(1)
        assert_equal(n1.getbestblockhash(), base)
        assert_equal(self.tip_entry(n1, b2)["status"], "waiting-for-data")
        assert_equal(n1.getblockchaininfo()["waiting_for_data_count"], 1)
        assert_equal(self.needed_by(n1, w["piecesroot"]), ("needed", [f"block {b1}"]))

        self.log.info("submitblock of a waiting block answers inconclusive-waiting-for-data")
        assert_equal(n1.submitblock(n0.getblock(b1, 0)), "inconclusive-waiting-for-data")

        self.log.info("importmodelfile supplies the file: node 1 connects both blocks")
        n1.importmodelfile(weights_path)
        wait_until(lambda: n1.getbestblockhash() == b2, timeout=120)
        assert_equal(n1.getblockchaininfo()["waiting_for_data_count"], 0)
        assert_equal(self.tip_entry(n1, b2)["status"], "active")
        assert_equal(self.needed_by(n1, w["piecesroot"])[0], "held")
        assert_equal(n1.getmodel(tx.txid)["current_score"], score)
        assert_equal(n1.getregistryinfo()["hash"], n0.getregistryinfo()["hash"])
        with open(n1.debug_log_path, encoding="utf8") as f:
            log = f.read()
        assert f"Block {b1} at height" in log and "resumes" in log and "no longer waits for data: connected" in log

        self.log.info("A block submitted directly while its file is missing waits too")
        disconnect_nodes(n0, n1)
        weights2_path, score2 = self.make_model(12)
        w2 = n0.importmodelfile(weights2_path)
        tx2 = self.add_model_tx(w2, d, score2)
        n0.sendrawtransaction(tx2.serialize().hex())
        b3 = self.wallet.generate(1, n0)[0]
        assert_equal(n1.submitblock(n0.getblock(b3, 0)), "inconclusive-waiting-for-data")
        assert_equal(n1.getbestblockhash(), b2)
        assert_equal(self.tip_entry(n1, b3)["status"], "waiting-for-data")
        n1.importmodelfile(weights2_path)
        wait_until(lambda: n1.getbestblockhash() == b3, timeout=120)
        connect_nodes(n0, n1)
        sync_blocks(self.nodes)


if __name__ == "__main__":
    OdaDataWaitTest().main()
