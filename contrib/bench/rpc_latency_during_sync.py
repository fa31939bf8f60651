#!/usr/bin/env python3
"""RPC responsiveness while a node validates: getblockcount latency from a second client while
node 1 downloads and connects an oda-chaingen chain from node 0 over P2P.

One thread polls node 1 with getblockcount (a call that needs only the chain tip) for as long as
the sync runs, one call after another, and records each call's wall time. The figures show how
long validation holds the node's locks: a node that connects blocks in bounded steps answers in
milliseconds throughout; one that holds its chain lock for a whole batch of blocks makes callers
wait for the batch.

    contrib/bench/rpc_latency_during_sync.py --configfile=<build>/test/config.ini [--blocks N]

Build first: make -C src odad bench/oda-chaingen. --chain FILE reuses a chain written earlier.
Prints median, 99th percentile and maximum latency, the number of calls, and the sync time.

--reconnect adds a second measurement on node 1 once it is synced: invalidateblock on block 1
(the whole chain is disconnected; not measured), then reconsiderblock, which connects the whole
chain again in ONE ActivateBestChain call, while the second client polls getblockcount. A
P2P sync hands validation one block at a time, so it shows per-block lock holds; the reconnect
shows whether a long activation holds the lock for all of its blocks.
"""
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "functional"))

from test_framework.chaingen import block_hash, chaingen_path, generate_chain, read_chain  # noqa: E402
from test_framework.p2p import connect_nodes, disconnect_nodes  # noqa: E402
from test_framework.test_framework import ODATestFramework  # noqa: E402
from test_framework.util import assert_equal, wait_until  # noqa: E402

# Bounded, so the poller stops by itself even if the sync never finishes.
MAX_CALLS = 2_000_000


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(fraction * (len(sorted_values) - 1)))))
    return sorted_values[k]


class RPCLatencyDuringSync(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = True
        self.rpc_timeout = 600

    def add_options(self, parser):
        parser.add_argument("--blocks", type=int, default=2000,
                            help="blocks with transactions, after the coinbase-only ones (default 2000)")
        parser.add_argument("--txs-per-block", default="150", help="spends per block, or 'full' (default 150)")
        parser.add_argument("--seed", default="1", help="oda-chaingen -seed")
        parser.add_argument("--chain", help="use this oda-chaingen output instead of generating a chain")
        parser.add_argument("--reconnect", action="store_true",
                            help="also measure during a reconsiderblock of the whole chain on node 1")

    def setup_network(self):
        self.setup_nodes()

    def run_test(self):
        n0, n1 = self.nodes
        path = self.options.chain
        if not path:
            path = os.path.join(self.options.tmpdir, "chain.hex")
            self.log.info(f"oda-chaingen: {self.options.blocks} blocks of {self.options.txs_per_block} spends")
            generate_chain(chaingen_path(self.config), path, blocks=self.options.blocks,
                           txs_per_block=self.options.txs_per_block, seed=self.options.seed)
        blocks = read_chain(path)
        tip = block_hash(blocks[-1])
        self.log.info(f"node 0: {len(blocks)} blocks through submitblock")
        for i, b in enumerate(blocks):
            assert n0.submitblock(b) is None, f"block {i + 1} not accepted"
        assert_equal(n0.getbestblockhash(), tip)

        self.log.info("node 1: P2P sync from node 0 while a second client polls getblockcount")
        sync_time, values = self.measure(n1, lambda: (connect_nodes(n1, n0), wait_until(
            lambda: n1.getbestblockhash() == tip, timeout=3600, poll=0.1)))
        self.log.info(f"RESULT sync: {len(blocks)} blocks in {sync_time:.1f} s")
        self.report("getblockcount during sync", values)

        if self.options.reconnect:
            disconnect_nodes(n1, n0)  # nothing arrives from node 0 meanwhile
            self.log.info("node 1: invalidateblock 1 (disconnects the whole chain; not measured)")
            n1.invalidateblock(n1.getblockhash(1))
            assert_equal(n1.getblockcount(), 0)
            self.log.info("node 1: reconsiderblock 1 (one activation of the whole chain) while polling")
            first = n0.getblockhash(1)
            reconnect_time, values = self.measure(n1, lambda: n1.reconsiderblock(first))
            assert_equal(n1.getbestblockhash(), tip)
            self.log.info(f"RESULT reconnect: {len(blocks)} blocks in {reconnect_time:.1f} s")
            self.report("getblockcount during reconnect", values)
        self.log.info(f"RESULT load average (1 min): {os.getloadavg()[0]:.1f}")

    def measure(self, node, action):
        """Runs action() while a second RPC connection of its own (so the poller never waits
        for the main thread's) calls getblockcount back to back; returns (seconds, latencies)."""
        poller = node.get_rpc()
        latencies = []
        done = threading.Event()

        def poll():
            while not done.is_set() and len(latencies) < MAX_CALLS:
                t = time.perf_counter()
                poller.getblockcount()
                latencies.append(time.perf_counter() - t)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        t = time.time()
        try:
            action()
        finally:
            elapsed = time.time() - t
            done.set()
            thread.join(timeout=600)
        return elapsed, sorted(latencies)

    def report(self, what, values):
        ms = 1000.0
        if not values:
            self.log.info(f"RESULT {what}: no call completed")
            return
        self.log.info(f"RESULT {what}: {len(values)} calls, median "
                      f"{statistics.median(values) * ms:.2f} ms, p99 {percentile(values, 0.99) * ms:.2f} ms, "
                      f"max {values[-1] * ms:.1f} ms")


if __name__ == "__main__":
    RPCLatencyDuringSync().main()
