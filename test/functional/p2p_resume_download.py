#!/usr/bin/env python3
"""A node restarted with headers ahead of its blocks downloads them from a peer at the same
header tip.

This is the state a node is left in when it is killed while syncing: it has every header and
only some blocks. Here node1 gets node0's headers from a test peer that never sends the blocks,
then restarts and connects to node0, whose tip is that same header. Nothing new is announced, so
the node's first getheaders is the only way it learns that node0 has the blocks: its locator
starts one block below the best header, node0 answers with its tip, and the download runs.
"""
from test_framework.blocktools import MiniWallet
from test_framework.p2p import P2PPeer, connect_nodes, ser_headers
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, wait_until

BLOCKS = 20


class P2PResumeDownloadTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = True

    def setup_network(self):
        self.setup_nodes()  # not connected

    def run_test(self):
        n0, n1 = self.nodes
        hashes = n0.generatetoaddress(BLOCKS, MiniWallet(n0).address)
        # node0 announces new blocks to the peers it has when it next talks to them; with no
        # peer yet they would wait for node1's connection and announce the tip to it. A node
        # that has synced has announced its tip long ago: let a passing peer take them.
        q = P2PPeer("127.0.0.1", n0.p2p_port)
        q.handshake(start_height=BLOCKS)
        q.sync_with_ping()
        q.close()
        wait_until(lambda: not any(x["inbound"] for x in n0.getpeerinfo()), timeout=10)

        self.log.info("node1 gets node0's headers but none of the blocks")
        p = P2PPeer("127.0.0.1", n1.p2p_port)
        p.handshake(start_height=BLOCKS)
        p.send_message("headers", ser_headers([bytes.fromhex(n0.getblockheader(h, False)) for h in hashes]))
        p.sync_with_ping()
        p.close()
        info = n1.getblockchaininfo()
        assert_equal((info["blocks"], info["headers"]), (0, BLOCKS))

        self.log.info("Restarted, node1 connects to node0 (same header tip, nothing new announced)")
        self.restart_node(1)
        info = n1.getblockchaininfo()
        assert_equal((info["blocks"], info["headers"]), (0, BLOCKS))
        connect_nodes(n1, n0)
        wait_until(lambda: n1.getbestblockhash() == hashes[-1], timeout=30,
                   msg="node1 never downloaded the blocks its peer has")
        assert_equal(n1.getblockcount(), BLOCKS)
        peer = [x for x in n1.getpeerinfo() if not x["inbound"]][0]
        assert_equal(peer["synced_headers"], BLOCKS)
        # synced_blocks: the common part of the peer's chain and our active chain, kept without
        # the chain lock (from the peer's best known block and the tip validation reports).
        assert_equal(peer["synced_blocks"], BLOCKS)
        n1.invalidateblock(hashes[-5])
        peer = [x for x in n1.getpeerinfo() if not x["inbound"]][0]
        assert_equal((peer["synced_headers"], peer["synced_blocks"]), (BLOCKS, BLOCKS - 5))
        n1.reconsiderblock(hashes[-5])
        assert_equal(n1.getbestblockhash(), hashes[-1])
        peer = [x for x in n1.getpeerinfo() if not x["inbound"]][0]
        assert_equal(peer["synced_blocks"], BLOCKS)


if __name__ == "__main__":
    P2PResumeDownloadTest().main()
