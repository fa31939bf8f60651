#!/usr/bin/env python3
"""Four nodes in a line (0-1-2-3): blocks mined on node 0 reach node 3 via headers-first sync
and relay; a fifth node started later catches up by initial block download from node 3."""
from test_framework.p2p import connect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, sync_blocks, wait_until


class P2PSyncTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 5
        self.setup_clean_chain = True

    def setup_network(self):
        self.add_nodes(self.num_nodes, self.extra_args)
        self.start_nodes()

    def run_test(self):
        n = self.nodes
        self.log.info("Connect 0-1-2-3 in a line (node 4 stays offline-ish: not connected)")
        for a, b in ((0, 1), (1, 2), (2, 3)):
            connect_nodes(n[a], n[b])
        for i in range(4):
            info = n[i].getnetworkinfo()
            assert_equal(info["connections"], 1 if i in (0, 3) else 2)
        peer = n[1].getpeerinfo()[0]
        assert_equal(peer["subver"], "/ODA:0.1.0/")
        assert peer["torrent_port"] > 0, "torrent port carried in version"

        self.log.info("Mine 300 blocks on node 0; they reach node 3")
        hashes = n[0].generatetoaddress(300, self.mining_address())
        assert_equal(len(hashes), 300)
        sync_blocks(n[:4], timeout=120)
        assert_equal(n[3].getbestblockhash(), hashes[-1])
        assert_equal(n[3].getblockcount(), 300)
        # Announcements that outrun getheaders answers are normal when blocks come fast: no
        # honest peer may be punished or dropped for them.
        for i in range(4):
            peers = n[i].getpeerinfo()
            assert_equal(len(peers), 1 if i in (0, 3) else 2)
            assert_equal([p["misbehavior"] for p in peers], [0] * len(peers))

        self.log.info("A new block is announced and relayed along the line")
        tip = n[0].generatetoaddress(1, self.mining_address())[0]
        wait_until(lambda: n[3].getbestblockhash() == tip, timeout=60)

        self.log.info("Node 4 connects to node 3 later and catches up (IBD)")
        assert_equal(n[4].getblockcount(), 0)
        connect_nodes(n[4], n[3])
        sync_blocks([n[3], n[4]], timeout=120)
        assert_equal(n[4].getbestblockhash(), tip)

        self.log.info("Network RPCs")
        totals = n[3].getnettotals()
        assert totals["totalbytesrecv"] > 0 and totals["totalbytessent"] > 0
        assert_equal(n[3].getconnectioncount(), 2)
        n[3].ping()
        wait_until(lambda: all("pingtime" in p for p in n[3].getpeerinfo()), timeout=30)

    def mining_address(self):
        from test_framework.blocktools import MiniWallet
        if not hasattr(self, "_miner"):
            self._miner = MiniWallet(self.nodes[0])
        return self._miner.address


if __name__ == "__main__":
    P2PSyncTest().main()
