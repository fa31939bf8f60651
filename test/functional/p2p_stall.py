#!/usr/bin/env python3
"""Block download stall detection: a peer that announces a chain by headers and then never
delivers the blocks it was asked for is disconnected after -blockstalltimeout, and the blocks
are fetched from an honest peer instead."""
from test_framework.blocktools import MiniWallet
from test_framework.p2p import P2PPeer, connect_nodes, ser_headers
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, sync_blocks, wait_until


class P2PStallTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = True
        self.extra_args = [["-blockstalltimeout=3"], []]

    def setup_network(self):
        self.add_nodes(self.num_nodes, self.extra_args)
        self.start_nodes()

    def run_test(self):
        n0, n1 = self.nodes
        hashes = n1.generatetoaddress(40, MiniWallet(n1).address)
        headers = [bytes.fromhex(n1.getblockheader(h, False)) for h in hashes]

        self.log.info("A staller announces 40 headers and answers no getdata")
        staller = P2PPeer("127.0.0.1", n0.p2p_port)
        staller.handshake()
        staller.send_message("headers", ser_headers(headers))
        staller.sync_with_ping()
        wait_until(lambda: any(p["inflight"] > 0 for p in n0.getpeerinfo()), timeout=30)
        assert_equal(n0.getblockcount(), 0)

        self.log.info("An honest peer arrives; the staller is dropped and the chain completes")
        connect_nodes(n0, n1)
        assert staller.is_closed(timeout=60), "staller not disconnected"
        sync_blocks([n0, n1], timeout=60)
        assert_equal(n0.getbestblockhash(), hashes[-1])


if __name__ == "__main__":
    P2PStallTest().main()
