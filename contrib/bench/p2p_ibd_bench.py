#!/usr/bin/env python3
"""IBD benchmark: node 0 builds a chain (optionally with transactions in every block); node 1
syncs it over P2P from node 0 alone (headers first, parallel block download); node 2 receives
the same blocks through submitblock. Prints blocks/s and transactions/s for both, and their
ratio (the network's overhead).

    contrib/bench/p2p_ibd_bench.py --configfile=<build>/test/config.ini [--blocks N] [--txs-per-block K]

Transactions are signed in Python (about 20 ms each), so building blocks full of transactions
takes a while; the timed parts are only the two syncs.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "functional"))

from test_framework.p2p import connect_nodes  # noqa: E402
from test_framework.test_framework import ODATestFramework  # noqa: E402
from test_framework.util import assert_equal, wait_until  # noqa: E402


class P2PIBDBench(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.setup_clean_chain = False

    def add_options(self, parser):
        parser.add_argument("--blocks", type=int, default=2000)
        parser.add_argument("--txs-per-block", type=int, default=0)

    def setup_network(self):
        self.setup_nodes()

    def run_test(self):
        n0, n1, n2 = self.nodes
        wallet = self.wallet
        blocks, per_block = self.options.blocks, self.options.txs_per_block
        self.log.info(f"Building {blocks} blocks with {per_block} transactions each on node 0")
        t = time.time()
        remaining = blocks
        if per_block == 0:
            while remaining:
                k = min(remaining, 500)
                wallet.generate(k)
                remaining -= k
        else:
            for _ in range(blocks):
                for _ in range(per_block):
                    wallet.send_self_transfer()
                wallet.generate(1)
        height = n0.getblockcount()
        hashes = [n0.getblockhash(h) for h in range(1, height + 1)]
        ntx = sum(len(n0.getblock(h)["tx"]) for h in hashes)
        self.log.info(f"  built in {time.time() - t:.1f} s: height {height}, {ntx} transactions")

        self.log.info("node 1: initial block download over P2P from node 0")
        t = time.time()
        connect_nodes(n1, n0)
        wait_until(lambda: n1.getbestblockhash() == hashes[-1], timeout=3600, poll=0.2)
        p2p_time = time.time() - t

        self.log.info("node 2: the same blocks through submitblock")
        raw = [n0.getblock(h, 0) for h in hashes]
        t = time.time()
        for r in raw:
            n2.submitblock(r)
        assert_equal(n2.getbestblockhash(), hashes[-1])
        submit_time = time.time() - t

        self.log.info(f"RESULT blocks={height} txs={ntx}")
        self.log.info(f"RESULT p2p IBD:     {p2p_time:.2f} s  {height / p2p_time:.0f} blocks/s  {ntx / p2p_time:.0f} tx/s")
        self.log.info(f"RESULT submitblock: {submit_time:.2f} s  {height / submit_time:.0f} blocks/s  {ntx / submit_time:.0f} tx/s")
        self.log.info(f"RESULT p2p / submitblock time ratio: {p2p_time / submit_time:.2f}")


if __name__ == "__main__":
    P2PIBDBench().main()
