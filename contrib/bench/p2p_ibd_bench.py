#!/usr/bin/env python3
"""IBD benchmark with blocks full of transactions: oda-chaingen writes a regtest chain (100
coinbase-only blocks, then N blocks of K one-input taproot key-path spends, signed in C++);
node 0 receives it through submitblock, one RPC per block (timed: validation fed by RPC); then
node 1 downloads it from node 0 alone over P2P (timed: headers first, parallel block download).
Prints blocks/s and transactions/s for both, their ratio (the network's overhead), and the CPU
time the nodes used (from /proc, so that runs on a shared machine can be compared).

    contrib/bench/p2p_ibd_bench.py --configfile=<build>/test/config.ini [--blocks N] [--txs-per-block K|full]

Build first: make -C src odad bench/oda-chaingen. --chain FILE reuses a chain written earlier
(oda-chaingen -out=FILE ...) instead of generating one.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "functional"))

from test_framework.chaingen import (  # noqa: E402
    COINBASE_ONLY_BLOCKS, block_hash, block_tx_count, chaingen_path, generate_chain, read_chain,
)
from test_framework.p2p import connect_nodes  # noqa: E402
from test_framework.test_framework import ODATestFramework  # noqa: E402
from test_framework.util import assert_equal, wait_until  # noqa: E402


def cpu_seconds(node):
    """User + system CPU time of a node's process (all threads) so far; None off Linux."""
    try:
        with open(f"/proc/{node.process.pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def cpu_note(label, before, after, ntx):
    if before is None or after is None:
        return f"{label}: n/a"
    used = after - before
    return f"{label}: {used:.1f} s ({used / ntx * 1e6:.0f} us/tx)"


class P2PIBDBench(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = True
        self.rpc_timeout = 600

    def add_options(self, parser):
        parser.add_argument("--blocks", type=int, default=2000,
                            help="blocks with transactions, after the 100 coinbase-only ones (default 2000)")
        parser.add_argument("--txs-per-block", default="150", help="spends per block, or 'full' (default 150)")
        parser.add_argument("--seed", default="1", help="oda-chaingen -seed")
        parser.add_argument("--chain", help="use this oda-chaingen output instead of generating a chain")

    def setup_network(self):
        self.setup_nodes()

    def run_test(self):
        n0, n1 = self.nodes
        path = self.options.chain
        if not path:
            path = os.path.join(self.options.tmpdir, "chain.hex")
            self.log.info(f"oda-chaingen: {self.options.blocks} blocks of {self.options.txs_per_block} spends")
            secs, cpu, summary = generate_chain(chaingen_path(self.config), path, blocks=self.options.blocks,
                                           txs_per_block=self.options.txs_per_block, seed=self.options.seed)
            self.log.info(f"  {summary}")
            self.log.info(f"RESULT generator: {secs:.2f} s wall, {cpu:.2f} s CPU")
        blocks = read_chain(path)
        height = len(blocks)
        ntx = sum(block_tx_count(b) for b in blocks)
        nbytes = sum(len(b) // 2 for b in blocks)
        tip = block_hash(blocks[-1])
        self.log.info(f"chain: {height} blocks ({height - COINBASE_ONLY_BLOCKS} with spends), {ntx} transactions, "
                      f"{nbytes / 1e6:.1f} MB")

        self.log.info("node 0: every block through submitblock")
        load_before = os.getloadavg()[0]
        cpu0 = cpu_seconds(n0)
        t = time.time()
        for i, b in enumerate(blocks):
            res = n0.submitblock(b)
            assert res is None, f"block {i + 1} not accepted: {res}"
        submit_time = time.time() - t
        submit_cpu = cpu_note("node 0 CPU", cpu0, cpu_seconds(n0), ntx)
        assert_equal(n0.getbestblockhash(), tip)

        self.log.info("node 1: initial block download over P2P from node 0")
        cpu0, cpu1 = cpu_seconds(n0), cpu_seconds(n1)
        t = time.time()
        connect_nodes(n1, n0)
        wait_until(lambda: n1.getbestblockhash() == tip, timeout=3600, poll=0.05)
        p2p_time = time.time() - t
        p2p_cpu = (cpu_note("node 1 CPU", cpu1, cpu_seconds(n1), ntx) + ", " +
                   cpu_note("serving node 0 CPU", cpu0, cpu_seconds(n0), ntx))
        load_after = os.getloadavg()[0]
        assert_equal(n1.getblockcount(), height)

        self.log.info(f"RESULT blocks={height} txs={ntx} bytes={nbytes}")
        self.log.info(f"RESULT submitblock: {submit_time:.2f} s  {height / submit_time:.1f} blocks/s  "
                      f"{ntx / submit_time:.0f} tx/s  [{submit_cpu}]")
        self.log.info(f"RESULT p2p IBD:     {p2p_time:.2f} s  {height / p2p_time:.1f} blocks/s  "
                      f"{ntx / p2p_time:.0f} tx/s  [{p2p_cpu}]")
        self.log.info(f"RESULT p2p / submitblock time ratio: {p2p_time / submit_time:.2f}")
        self.log.info(f"RESULT load average (1 min) before/after: {load_before:.1f} / {load_after:.1f}")


if __name__ == "__main__":
    P2PIBDBench().main()
