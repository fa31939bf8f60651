#!/usr/bin/env python3
"""The built-in miner (doc/mining.md): node 0 runs with -mine=<address> (paced with -minepace
so that regtest's minimum difficulty does not make blocks back to back), finds blocks on its
own, pays them to the address, includes a mempool transaction and an ODA add-model (with its
coinbase result output), and node 1 syncs them; stopping
a node while it mines is clean (exit status 0) and the chain it mined survives the restart; an
invalid -mine address or thread count is a clear start-up error."""
import os
import subprocess

from test_framework.blocktools import MiniWallet
from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash, uint256_from_bytes
from test_framework.oda import add_model, oda_script
from test_framework.p2p import connect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, sync_blocks, wait_until


MLP = ('{"version":1,"input_shape":[1,4,4],"objective":"accuracy","layers":['
       '{"kind":"flatten"},{"kind":"dense","out_features":8,"per_channel":true},{"kind":"relu"},'
       '{"kind":"dense","out_features":3,"per_channel":false}],"logits_output":true}')


class MiningInternalTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False

    def tool(self, *args):
        exe = os.path.join(self.config["environment"]["BUILDDIR"], "src", "oda-model")
        return subprocess.run([exe, *args], cwd=self.options.tmpdir, check=True, stdout=subprocess.PIPE,
                              text=True).stdout

    @staticmethod
    def has_model(node, txid):
        return any(m["modelid"] == txid for m in node.listmodels())

    def send_add_model(self, n0, n1):
        """Real model files (oda-model) on both nodes, and an add-model with the engine's score."""
        tmp = self.options.tmpdir
        with open(os.path.join(tmp, "mlp.json"), "w", encoding="utf8") as f:
            f.write(MLP)
        self.tool("make-dataset", "--shape", "1,4,4", "--count", "100", "--classes", "3", "--seed", "2", "-o", "d.odad")
        self.tool("init", "mlp.json", "-o", "w.odaw", "--seed", "4")
        self.score = int(self.tool("eval", "mlp.json", "--weights", "w.odaw", "--data", "d.odad")
                         .split("score ")[1].split(",")[0])
        arch = bytes.fromhex(next(line.split()[1] for line in self.tool("inspect", "mlp.json").splitlines()
                                  if line.strip().startswith("encoding ")))
        for node in (n0, n1):
            w = node.importmodelfile(os.path.join(tmp, "w.odaw"))
            d = node.importmodelfile(os.path.join(tmp, "d.odad"))
        payload = add_model(architecture=arch, dataset=(d["piecesroot"], d["size"]), samples=d["samples"],
                            weights=(w["piecesroot"], w["size"]), score=self.score, min_improvement=1)
        self.wallet.rescan()
        funding = self.wallet.get_utxo()
        tx = CTransaction()
        tx.vin = [CTxIn(COutPoint(uint256_from_bytes(hex_to_hash(funding["txid"])), funding["vout"]), b"", 0xFFFFFFFD)]
        tx.vout = [CTxOut(10_000, self.wallet.script_pubkey), CTxOut(0, oda_script(payload)),
                   CTxOut(funding["value"] - 10_000 - 50_000, self.wallet.script_pubkey)]
        self.wallet.sign_tx(tx, [CTxOut(funding["value"], self.wallet.script_pubkey)], inputs=[0])
        return n0.sendrawtransaction(tx.serialize().hex())

    def run_test(self):
        n0, n1 = self.nodes
        payee = MiniWallet(n0, label="miner-payee")
        connect_nodes(n0, n1)
        sync_blocks(self.nodes)

        self.log.info("getblocktemplate gives the coinbase's ODA outputs and compute units (doc/mining.md)")
        self.wallet.send_self_transfer(from_node=n0)
        tmpl = n0.getblocktemplate({"rules": ["segwit"]})
        assert_equal(len(tmpl["transactions"]), 1)
        assert all("computeunits" in t for t in tmpl["transactions"])
        assert_equal(tmpl["transactions"][0]["computeunits"], 0)  # no ODA work in a plain transfer
        oda = tmpl["oda"]
        assert_equal(oda["coinbase_outputs"], [])  # no inference: no result output needed
        assert_equal(oda["computeunits"], sum(t["computeunits"] for t in tmpl["transactions"]))
        assert oda["max_block_computeunits"] > 0
        self.wallet.generate(1, n0)
        sync_blocks(self.nodes)

        self.log.info("Start-up errors: an invalid address, a bad thread count")
        self.stop_node(0)
        n0.assert_start_raises_init_error(["-mine=notanaddress"], "Invalid -mine address 'notanaddress'")
        n0.assert_start_raises_init_error([f"-mine={payee.address}", "-minethreads=0"], "Invalid -minethreads=0")
        n0.assert_start_raises_init_error([f"-mine={payee.address}", "-minepace=-5"], "Invalid -minepace=-5")

        self.log.info("-mine with two threads finds blocks by itself; node 1 syncs them")
        start_height = n1.getblockcount()
        self.start_node(0, [f"-mine={payee.address}", "-minethreads=2", "-minepace=300"])
        connect_nodes(n0, n1)
        wait_until(lambda: n1.getblockcount() >= start_height + 3, timeout=60)
        tip = n1.getbestblockhash()
        block = n1.getblock(tip, 2)
        coinbase = block["tx"][0]
        assert any(o["scriptPubKey"].get("address") == payee.address for o in coinbase["vout"]), coinbase
        with open(n0.debug_log_path, encoding="utf8") as f:
            log = f.read()
        assert "InternalMiner: mining with 2 threads" in log
        assert "InternalMiner: found block" in log

        self.log.info("A transaction sent to the miner's mempool is mined without any mining RPC")
        self.wallet.rescan()
        before = n0.getblockcount()
        txid = self.wallet.send_self_transfer(from_node=n0)["txid"]
        wait_until(lambda: txid not in n0.getrawmempool(), timeout=60)
        mined_by = n0.getblockcount()
        wait_until(lambda: n1.getblockcount() >= mined_by, timeout=60)
        found = [h for h in range(before + 1, mined_by + 1) if txid in n1.getblock(n1.getblockhash(h))["tx"]]
        assert_equal(len(found), 1)

        self.log.info("An ODA transaction (add-model with real files) is mined by -mine, with its result output")
        model_txid = self.send_add_model(n0, n1)
        wait_until(lambda: model_txid not in n0.getrawmempool(), timeout=120)
        wait_until(lambda: self.has_model(n1, model_txid), timeout=120)
        assert_equal(n1.getmodel(model_txid)["current_score"], self.score)
        # The block that holds it carries the result payload (its compute units), written by
        # block assembly: -mine uses the same BlockAssembler as generatetoaddress.
        mined_in = n1.getmodel(model_txid)["height"]
        block = n1.getblock(n1.getblockhash(mined_in), 2)
        kinds = [o["scriptPubKey"].get("oda", {}).get("kind") for o in block["tx"][0]["vout"]]
        assert "result" in kinds, block["tx"][0]["vout"]

        self.log.info("Stopping while mining is clean, and the mined chain survives the restart")
        self.stop_node(0)  # asserts exit status 0
        with open(n0.debug_log_path, encoding="utf8") as f:
            log = f.read()
        assert "InternalMiner: stopped" in log
        height = max(n1.getblockcount(), 0)
        self.start_node(0)
        assert n0.getblockcount() >= height - 1
        connect_nodes(n0, n1)
        sync_blocks(self.nodes)
        assert_equal(n0.getbestblockhash(), n1.getbestblockhash())


if __name__ == "__main__":
    MiningInternalTest().main()
