#!/usr/bin/env python3
"""A disk or database failure during validation stops the node cleanly (node/validation.h).

For each injected fault (-testfaultinject: a block file write, the UTXO flush, a disk below
the free-space threshold) node0 is made to hit it: it must log "Error: ..." in debug.log and
on stderr, exit by itself with status 1, and restart without the fault on a consistent state:
the same UTXO set as node1, which never failed, once it has the same blocks, and the same as
a -reindex-chainstate rebuild from its own block files."""
import subprocess

from test_framework.address import taproot_address
from test_framework.authproxy import JSONRPCException
from test_framework.key import deterministic_key
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal

ADDRESS = taproot_address(deterministic_key("fatal").output_key)


class FatalErrorTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = True

    def setup_network(self):
        self.setup_nodes()  # not connected: blocks reach node0 only through submitblock

    def wait_for_fatal_exit(self, node, timeout=30):
        """Waits for odad to exit on its own; returns its stderr. It must exit with status 1."""
        try:
            code = node.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            node.kill_process()
            raise AssertionError("odad did not shut down by itself after the fatal error")
        stderr = node.read_stderr()
        node.process = None
        node.rpc = None
        node.rpc_connected = False
        assert_equal(code, 1)
        return stderr

    def debug_log(self, node):
        with open(node.debug_log_path, encoding="utf8", errors="replace") as f:
            return f.read()

    def submit_missing(self, node, source):
        """Submits every block of source's chain that node lacks, in order."""
        for h in range(node.getblockcount() + 1, source.getblockcount() + 1):
            assert_equal(node.submitblock(source.getblock(source.getblockhash(h), 0)), None)

    @staticmethod
    def utxo_set(node):
        """gettxoutsetinfo without disk_size (LevelDB's file layout differs between nodes)."""
        info = node.gettxoutsetinfo()
        del info["disk_size"]
        return info

    def check_consistent(self, node, reference):
        self.submit_missing(node, reference)
        assert_equal(node.getbestblockhash(), reference.getbestblockhash())
        info = node.getblockchaininfo()
        assert_equal(info["blocks"], reference.getblockcount())
        assert_equal(info["headers"], reference.getblockcount())
        utxo = self.utxo_set(node)
        assert_equal(utxo, self.utxo_set(reference))
        # ... and that state equals a rebuild from the blocks on disk.
        self.restart_node(0, ["-reindex-chainstate"])
        assert_equal(self.utxo_set(node), utxo)
        self.restart_node(0)

    def run_test(self):
        node0, node1 = self.nodes
        node1.generatetoaddress(5, ADDRESS)
        self.submit_missing(node0, node1)

        self.log.info("A failed block file write stops the node; the block is simply not stored")
        self.restart_node(0, ["-testfaultinject=blockwrite"])
        height = node0.getblockcount()
        block = node1.getblock(node1.generatetoaddress(1, ADDRESS)[0], 0)
        try:
            node0.submitblock(block)
        except (JSONRPCException, OSError):
            pass  # the node may already be going down
        stderr = self.wait_for_fatal_exit(node0)
        assert "Error: System error while processing block" in stderr, stderr
        assert "injected fault -testfaultinject=blockwrite" in stderr, stderr
        log = self.debug_log(node0)
        assert "Error: System error while processing block" in log
        assert "Shutting down after a fatal error" in log
        self.start_node(0)
        assert_equal(node0.getblockcount(), height)
        self.check_consistent(node0, node1)

        self.log.info("A failed UTXO flush stops the node; the block is reconnected at restart")
        self.restart_node(0, ["-testfaultinject=coinsflush"])
        node1.generatetoaddress(1, ADDRESS)
        self.submit_missing(node0, node1)  # stored and connected; the UTXO set is not flushed yet
        assert_equal(node0.getbestblockhash(), node1.getbestblockhash())
        try:
            node0.gettxoutsetinfo()  # flushes the UTXO cache
        except (JSONRPCException, OSError):
            pass
        stderr = self.wait_for_fatal_exit(node0)
        assert "Error: Failed to write the chain state to disk" in stderr, stderr
        assert "Error: Failed to write the chain state to disk" in self.debug_log(node0)
        self.start_node(0)
        assert_equal(node0.getbestblockhash(), node1.getbestblockhash())
        self.check_consistent(node0, node1)

        self.log.info("Too little free disk space stops the node before it writes a block")
        self.restart_node(0, ["-testfaultinject=diskspace"])
        height = node0.getblockcount()
        block = node1.getblock(node1.generatetoaddress(1, ADDRESS)[0], 0)
        try:
            node0.submitblock(block)
        except (JSONRPCException, OSError):
            pass
        stderr = self.wait_for_fatal_exit(node0)
        assert "Error: System error while processing block" in stderr, stderr
        assert "Disk space is too low!" in stderr, stderr
        assert "Disk space is too low!" in self.debug_log(node0)
        self.start_node(0)
        assert_equal(node0.getblockcount(), height)
        self.check_consistent(node0, node1)

        self.log.info("An unknown fault point is an init error")
        self.stop_node(0)
        node0.assert_start_raises_init_error(["-testfaultinject=nonsense"], "Unknown -testfaultinject point")


if __name__ == "__main__":
    FatalErrorTest().main()
