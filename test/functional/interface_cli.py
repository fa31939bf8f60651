#!/usr/bin/env python3
"""oda-cli against a running node: plain calls, JSON arguments, -named, -stdin, -getinfo,
errors and exit codes."""
import os
import subprocess

from test_framework.blocktools import MiniWallet
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, wait_until


class InterfaceCLITest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def skip_test_if_missing_module(self):
        self.skip_if_no_cli()

    def run_test(self):
        node = self.nodes[0]
        wallet = MiniWallet(node)
        self.log.info("Plain calls and results")
        assert_equal(node.cli("getblockcount"), 0)
        hashes = node.cli("generatetoaddress", "3", wallet.address)
        assert_equal(len(hashes), 3)
        assert_equal(node.cli("getbestblockhash"), hashes[-1])      # a bare string result
        block = node.cli("getblock", hashes[0])
        assert_equal(block, node.getblock(hashes[0]))
        assert_equal(node.cli("getblock", hashes[0], "0"), node.getblock(hashes[0], 0))

        self.log.info("-named arguments")
        assert_equal(node.cli("-named", "getblock", f"blockhash={hashes[1]}", "verbosity=1")["height"], 2)

        self.log.info("-stdin reads extra arguments")
        assert_equal(node.cli("-stdin", "getblockhash", input="2\n"), hashes[1])

        self.log.info("-getinfo")
        info = node.cli("-getinfo")
        assert_equal(info["blocks"], 3)
        assert_equal(info["chain"], "regtest")

        self.log.info("Errors: non-zero exit code and the server's message")
        for args in (["nosuchmethod"], ["getblockhash", "99"]):
            try:
                node.cli(*args)
                raise AssertionError(f"oda-cli {args} succeeded")
            except subprocess.CalledProcessError as e:
                assert e.returncode != 0
                assert "error" in e.stderr.lower(), e.stderr
        try:
            node.cli("getblockcount", extra=["-rpcpassword=wrong", "-rpcuser=wrong"])
            raise AssertionError("wrong credentials accepted by oda-cli")
        except subprocess.CalledProcessError as e:
            assert e.returncode != 0

        self.log.info("-rpcwait waits for a node that is starting")
        self.stop_node(0)
        node.start()
        # As with Bitcoin Core, -rpcwait retries refused connections, not a missing cookie:
        # wait for the cookie (written before the RPC server is warm) to avoid that race.
        wait_until(lambda: os.path.exists(node.cookie_path), timeout=60)
        assert_equal(node.cli("-rpcwait", "getblockcount"), 3)
        node.wait_for_rpc_connection()


if __name__ == "__main__":
    InterfaceCLITest().main()
