#!/usr/bin/env python3
"""Two halves of a network (0-1 and 2-3) mine competing chains while disconnected; on
reconnection every node converges on the most-work chain and the transactions of the losing
branch return to the mempools."""
from test_framework.p2p import connect_nodes, disconnect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, sync_blocks, sync_mempools, wait_until


class P2PReorgTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 4
        self.setup_clean_chain = False

    def setup_network(self):
        self.setup_nodes()
        for a, b in ((0, 1), (1, 2), (2, 3)):
            connect_nodes(self.nodes[a], self.nodes[b])
        sync_blocks(self.nodes, timeout=120)

    def run_test(self):
        n = self.nodes
        wallet = self.wallet
        fork_height = n[0].getblockcount()

        self.log.info("Split the network between nodes 1 and 2")
        disconnect_nodes(n[1], n[2])
        wait_until(lambda: n[1].getconnectioncount() == 1 and n[2].getconnectioncount() == 1, timeout=30)

        self.log.info("Half A mines 3 blocks containing two transactions")
        txs = [wallet.send_self_transfer()["txid"] for _ in range(2)]
        sync_mempools(n[:2], timeout=30)
        a_blocks = n[0].generatetoaddress(3, wallet.address)
        sync_blocks(n[:2], timeout=60)
        assert set(txs) <= set(n[1].getblock(a_blocks[0])["tx"])
        assert_equal(n[0].getrawmempool(), [])

        self.log.info("Half B mines 5 blocks (more work)")
        b_blocks = n[3].generatetoaddress(5, wallet.address)
        sync_blocks(n[2:], timeout=60)
        assert_equal(n[2].getblockcount(), fork_height + 5)
        assert_equal(n[1].getblockcount(), fork_height + 3)

        self.log.info("Reconnect: everyone converges on half B's chain")
        connect_nodes(n[1], n[2])
        sync_blocks(n, timeout=120)
        for node in n:
            assert_equal(node.getbestblockhash(), b_blocks[-1])
        tips = {t["hash"]: t["status"] for t in n[0].getchaintips()}
        assert tips.get(a_blocks[-1]) in ("valid-fork", "valid-headers", "headers-only"), tips.get(a_blocks[-1])

        self.log.info("The losing branch's transactions are back in the mempools, everywhere")
        wait_until(lambda: set(txs) <= set(n[0].getrawmempool()), timeout=30)
        sync_mempools(n, timeout=60)
        assert set(txs) <= set(n[3].getrawmempool())

        self.log.info("Mining them on the winning chain empties the mempools")
        n[3].generatetoaddress(1, wallet.address)
        sync_blocks(n, timeout=60)
        wait_until(lambda: all(node.getrawmempool() == [] for node in n), timeout=30)


if __name__ == "__main__":
    P2PReorgTest().main()
