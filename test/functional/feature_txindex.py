#!/usr/bin/env python3
"""-txindex follows the chain as an observer: getrawtransaction finds confirmed transactions,
an index that lagged (node run without -txindex) catches up at start, and transactions only
in a disconnected block are no longer found, whether the reorg happened while the index ran
or while it was off."""
from test_framework.address import taproot_address
from test_framework.key import deterministic_key
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error


class TxIndexTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def confirm(self, count):
        """`count` wallet transfers in one new block; returns {txid: block hash}."""
        txids = [self.wallet.send_self_transfer()["txid"] for _ in range(count)]
        block = self.wallet.generate(1)[0]
        return {txid: block for txid in txids}

    def check_found(self, where):
        node = self.nodes[0]
        for txid, block in where.items():
            verbose = node.getrawtransaction(txid, True)
            assert_equal(verbose["txid"], txid)
            assert_equal(verbose["blockhash"], block)
            assert verbose["confirmations"] >= 1

    def coinbase(self, block):
        return self.nodes[0].getblock(block)["tx"][0]

    def run_test(self):
        node = self.nodes[0]
        self.log.info("With -txindex from the start, confirmed transactions are found")
        self.restart_node(0, ["-txindex"])
        indexed = self.confirm(3)
        indexed.update(self.confirm(2))
        self.check_found(indexed)

        self.log.info("Blocks connected while the node runs without -txindex")
        self.restart_node(0, [])
        missed = self.confirm(2)
        missed.update(self.confirm(3))
        assert_raises_rpc_error(-5, "Use -txindex", node.getrawtransaction, next(iter(missed)))

        self.log.info("Restart with -txindex: the index catches up to the tip")
        self.restart_node(0, ["-txindex"])
        self.check_found(indexed)
        self.check_found(missed)

        self.log.info("A block disconnected while the index runs takes its transactions out")
        stale = self.wallet.generate(1)[0]
        stale_coinbase = self.coinbase(stale)
        assert_equal(node.getrawtransaction(stale_coinbase, True)["blockhash"], stale)
        node.invalidateblock(stale)
        assert_raises_rpc_error(-5, "No such mempool or blockchain transaction", node.getrawtransaction, stale_coinbase)
        node.reconsiderblock(stale)
        assert_equal(node.getrawtransaction(stale_coinbase, True)["blockhash"], stale)

        self.log.info("A reorg while -txindex is off is walked back at the next start")
        self.restart_node(0, [])
        offline_stale = node.getbestblockhash()
        offline_coinbase = self.coinbase(offline_stale)
        node.invalidateblock(offline_stale)
        self.wallet.rescan()
        replacement = node.generatetoaddress(2, taproot_address(deterministic_key("txindex-fork").output_key))
        self.restart_node(0, ["-txindex"])
        assert_equal(node.getbestblockhash(), replacement[-1])
        assert_raises_rpc_error(-5, "No such mempool or blockchain transaction", node.getrawtransaction, offline_coinbase)
        for block in replacement:
            assert_equal(node.getrawtransaction(self.coinbase(block), True)["blockhash"], block)
        self.check_found(indexed)
        self.check_found(missed)


if __name__ == "__main__":
    TxIndexTest().main()
