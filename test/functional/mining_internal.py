#!/usr/bin/env python3
"""The built-in miner (doc/mining.md): node 0 runs with -mine=<address> (paced with -minepace
so that regtest's minimum difficulty does not make blocks back to back), finds blocks on its
own, pays them to the address, includes a mempool transaction, and node 1 syncs them; stopping
a node while it mines is clean (exit status 0) and the chain it mined survives the restart; an
invalid -mine address or thread count is a clear start-up error."""
from test_framework.blocktools import MiniWallet
from test_framework.p2p import connect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, sync_blocks, wait_until


class MiningInternalTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False

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
