#!/usr/bin/env python3
"""Options and configuration: bad options give an init error, -conf with a [regtest] section
is honoured (and main-only settings outside it are not), a second odad on the same data
directory is refused."""
import os
import subprocess

from test_framework.test_node import ErrorMatch, TestNode
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, p2p_port, rpc_port


class FeatureConfigTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node = self.nodes[0]
        self.log.info("Second instance on the same data directory is refused")
        second = TestNode(1, self.options.tmpdir, odad=self.odad, odacli=self.odacli, logger=self.log)
        second.datadir = node.datadir
        second.chain_dir = node.chain_dir
        second.assert_start_raises_init_error(
            [f"-port={p2p_port(1)}", f"-rpcport={rpc_port(1)}"],
            r"(?i)cannot obtain a lock|already running", match=ErrorMatch.PARTIAL_REGEX)
        assert_equal(node.getblockcount(), 0)  # the first one is unharmed
        node.generatetoaddress(1, self.wallet_address())
        self.stop_node(0)

        self.log.info("Unknown options are init errors")
        node.assert_start_raises_init_error(["-nonexistentoption=1"], "nonexistentoption")
        node.assert_start_raises_init_error(["-testnet"], r"(?i)invalid combination|at most one",
                                            match=ErrorMatch.PARTIAL_REGEX)
        node.assert_start_raises_init_error(["-datadir=" + os.path.join(self.options.tmpdir, "missing", "dir")],
                                            r"(?i)data ?dir|does not exist", match=ErrorMatch.PARTIAL_REGEX)

        self.log.info("Bad configuration files are init errors")
        bad_conf = os.path.join(self.options.tmpdir, "bad.conf")
        with open(bad_conf, "w") as f:
            f.write("regtest=1\nthis line is not an option\n")
        node.assert_start_raises_init_error([f"-conf={bad_conf}"], r"(?i)parse error on line 2|line 2",
                                            match=ErrorMatch.PARTIAL_REGEX)
        with open(bad_conf, "w") as f:
            f.write("regtest=1\n[nosuchnet]\nserver=1\n")
        node.assert_start_raises_init_error([f"-conf={bad_conf}"], r"(?i)section", match=ErrorMatch.PARTIAL_REGEX)
        node.assert_start_raises_init_error([f"-conf={os.path.join(self.options.tmpdir, 'absent.conf')}"],
                                            r"(?i)could not be opened|absent\.conf", match=ErrorMatch.PARTIAL_REGEX)

        self.log.info("-conf with a [regtest] section: its ports are used, top-level ports are not")
        alt_port = rpc_port(2)
        conf = os.path.join(self.options.tmpdir, "custom.conf")
        with open(conf, "w") as f:
            f.write("regtest=1\n"
                    f"rpcport={rpc_port(3)}\n"       # main-net setting: must be ignored on regtest
                    "[regtest]\n"
                    f"port={p2p_port(2)}\n"
                    f"rpcport={alt_port}\n"
                    "server=1\n")
        node.rpc_port = alt_port
        node.start([f"-conf={conf}"])
        node.wait_for_rpc_connection()
        assert_equal(node.getblockcount(), 1)  # same data directory, same chain
        assert_equal(node.getblockchaininfo()["chain"], "regtest")
        self.stop_node(0)
        node.rpc_port = rpc_port(0)

        self.log.info("Command-line options override the configuration file")
        node.start([f"-rpcport={rpc_port(4)}"])
        node.rpc_port = rpc_port(4)
        node.wait_for_rpc_connection()
        assert_equal(node.getblockcount(), 1)
        self.stop_node(0)
        node.rpc_port = rpc_port(0)

        self.log.info("debug.log is written in the network's data directory")
        assert os.path.exists(node.debug_log_path), node.debug_log_path
        self.start_node(0)

    def wallet_address(self):
        from test_framework.address import taproot_address
        from test_framework.key import deterministic_key
        return taproot_address(deterministic_key("config").output_key)


if __name__ == "__main__":
    FeatureConfigTest().main()
