#!/usr/bin/env python3
"""oda-chaingen writes chains the node accepts: node 0 takes a 120-block chain with key-path
spends in its last 20 blocks through submitblock, node 1 downloads it from node 0 over P2P, and
both end on the same tip holding every transaction. Node 2 takes a chain whose last block is
filled up to the 4,000,000 weight limit. The generator is deterministic for a given seed."""
import filecmp
import os

from test_framework.chaingen import (
    COINBASE_ONLY_BLOCKS, bench_compiled, block_hash, block_tx_count, chaingen_path, generate_chain,
    read_chain,
)
from test_framework.p2p import connect_nodes
from test_framework.test_framework import ODATestFramework, SkipTest
from test_framework.util import assert_equal, assert_greater_than, wait_until

LOADED_BLOCKS = 20
TXS_PER_BLOCK = 5


class ChainGenTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.setup_clean_chain = True

    def skip_test_if_missing_module(self):
        if not bench_compiled(self.config):
            raise SkipTest("the bench programs (oda-chaingen) were not configured")

    def setup_network(self):
        self.add_nodes(self.num_nodes, self.extra_args)
        self.start_nodes()

    def submit(self, node, blocks):
        for i, b in enumerate(blocks):
            res = node.submitblock(b)
            assert res is None, f"block {i + 1} not accepted: {res}"

    def run_test(self):
        n0, n1, n2 = self.nodes
        binary = chaingen_path(self.config)
        path = os.path.join(self.options.tmpdir, "chain.hex")

        self.log.info("Generate 100 coinbase-only blocks, then 20 blocks of 5 spends")
        secs, _, summary = generate_chain(binary, path, blocks=LOADED_BLOCKS, txs_per_block=TXS_PER_BLOCK)
        self.log.info(f"  {secs:.2f} s: {summary}")
        blocks = read_chain(path)
        height = COINBASE_ONLY_BLOCKS + LOADED_BLOCKS
        assert_equal(len(blocks), height)
        counts = [block_tx_count(b) for b in blocks]
        assert_equal(counts, [1] * COINBASE_ONLY_BLOCKS + [1 + TXS_PER_BLOCK] * LOADED_BLOCKS)

        self.log.info("The same seed gives the same chain; another seed another one")
        again = os.path.join(self.options.tmpdir, "again.hex")
        generate_chain(binary, again, blocks=LOADED_BLOCKS, txs_per_block=TXS_PER_BLOCK)
        assert filecmp.cmp(path, again, shallow=False), "same seed, different chain"
        generate_chain(binary, again, blocks=LOADED_BLOCKS, txs_per_block=TXS_PER_BLOCK, seed="2")
        assert read_chain(again)[0] != blocks[0], "another seed pays another key"

        self.log.info("Node 0 accepts every block through submitblock")
        self.submit(n0, blocks)
        tip = block_hash(blocks[-1])
        assert_equal(n0.getbestblockhash(), tip)
        assert_equal(n0.getblockcount(), height)

        self.log.info("Node 1 downloads the chain from node 0 over P2P")
        connect_nodes(n1, n0)
        wait_until(lambda: n1.getbestblockhash() == tip, timeout=60)
        for h in (1, COINBASE_ONLY_BLOCKS, COINBASE_ONLY_BLOCKS + 1, height):
            assert_equal(n1.getblockhash(h), block_hash(blocks[h - 1]))
        ntx = sum(n1.getblockheader(n1.getblockhash(h))["nTx"] for h in range(1, height + 1))
        assert_equal(ntx, sum(counts))
        assert_equal(len(n1.getblock(tip)["tx"]), 1 + TXS_PER_BLOCK)

        self.log.info("A block filled to the weight limit is valid")
        full_path = os.path.join(self.options.tmpdir, "full.hex")
        generate_chain(binary, full_path, blocks=1, txs_per_block="full", seed="full")
        full = read_chain(full_path)
        assert_equal(len(full), COINBASE_ONLY_BLOCKS + 1)
        self.submit(n2, full)
        assert_equal(n2.getbestblockhash(), block_hash(full[-1]))
        info = n2.getblock(block_hash(full[-1]))
        assert_greater_than(info["weight"], 3_990_000)
        assert info["weight"] <= 4_000_000, info["weight"]
        assert_equal(len(info["tx"]), block_tx_count(full[-1]))
        self.log.info(f"  full block: {len(info['tx'])} transactions, weight {info['weight']}")


if __name__ == "__main__":
    ChainGenTest().main()
