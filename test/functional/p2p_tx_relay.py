#!/usr/bin/env python3
"""Transaction relay over three nodes in a line (0-1-2): a transaction reaches every mempool;
an orphan is held until its parent arrives and both then propagate; a double spend is not
relayed; a block clears the mempools everywhere."""
from test_framework.p2p import P2PPeer, connect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, sync_blocks, sync_mempools, wait_until


class P2PTxRelayTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.setup_clean_chain = False

    def setup_network(self):
        self.setup_nodes()
        connect_nodes(self.nodes[0], self.nodes[1])
        connect_nodes(self.nodes[1], self.nodes[2])
        sync_blocks(self.nodes, timeout=120)

    def run_test(self):
        n = self.nodes
        wallet = self.wallet

        self.log.info("A transaction sent to node 0 reaches node 2")
        tx = wallet.send_self_transfer()
        sync_mempools(n, timeout=60)
        assert tx["txid"] in n[2].getrawmempool()

        self.log.info("An orphan (child before parent) from a P2P peer is held, then resolved")
        parent = wallet.create_self_transfer()
        child = wallet.create_self_transfer(utxo_to_spend=parent["new_utxos"][0])
        p = P2PPeer("127.0.0.1", n[2].p2p_port)
        p.handshake(start_height=n[2].getblockcount())
        p.send_message("tx", bytes.fromhex(child["hex"]))
        p.sync_with_ping()
        assert child["txid"] not in n[2].getrawmempool()
        p.send_message("tx", bytes.fromhex(parent["hex"]))
        p.sync_with_ping()
        wait_until(lambda: {parent["txid"], child["txid"]} <= set(n[2].getrawmempool()), timeout=30)
        sync_mempools(n, timeout=60)
        assert {parent["txid"], child["txid"]} <= set(n[0].getrawmempool())

        self.log.info("A double spend sent by a peer is neither accepted nor relayed")
        utxo = wallet.get_utxo()
        first = wallet.create_self_transfer(utxo_to_spend=utxo, fee=2000)
        second = wallet.create_self_transfer(utxo_to_spend=utxo, fee=3000)
        assert first["txid"] != second["txid"]
        n[0].sendrawtransaction(first["hex"])
        sync_mempools(n, timeout=60)
        p.send_message("tx", bytes.fromhex(second["hex"]))
        p.sync_with_ping()
        for node in n:
            pool = node.getrawmempool()
            assert first["txid"] in pool
            assert second["txid"] not in pool

        self.log.info("A block mined on node 2 clears every mempool")
        n[2].generatetoaddress(1, wallet.address)
        sync_blocks(n, timeout=60)
        wait_until(lambda: all(node.getrawmempool() == [] for node in n), timeout=30)
        assert p.is_closed(timeout=1) is False
        p.close()


if __name__ == "__main__":
    P2PTxRelayTest().main()
