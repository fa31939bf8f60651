"""ODATestFramework: the base class every functional test derives from.

A test overrides set_test_params() (num_nodes, extra_args, setup_clean_chain) and run_test().
main() parses the command line, creates a temporary directory, starts the nodes, runs the test,
stops every node (on success AND on failure) and exits 0 (passed), 1 (failed) or 77 (skipped).
"""
import argparse
import configparser
import logging
import os
import random
import shutil
import sys
import tempfile
import time
import traceback

from . import util
from .test_node import FailedToStartError, TestNode

TEST_EXIT_PASSED = 0
TEST_EXIT_FAILED = 1
TEST_EXIT_SKIPPED = 77

# Blocks mined before run_test() when setup_clean_chain is False (101: one mature coinbase+).
DEFAULT_PREMINE = 110


class SkipTest(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ODATestFramework:
    def __init__(self):
        self.num_nodes = 1
        self.extra_args = None
        self.setup_clean_chain = False
        self.rpc_timeout = 60
        self.nodes = []
        self.options = None
        self.config = None
        self.log = None
        self.wallet = None  # MiniWallet of node 0 when setup_clean_chain is False
        self.set_test_params()

    # ---- to override --------------------------------------------------------------------
    def set_test_params(self):
        raise NotImplementedError

    def add_options(self, parser):
        pass

    def skip_test_if_missing_module(self):
        pass

    def setup_network(self):
        self.setup_nodes()

    def setup_nodes(self):
        self.add_nodes(self.num_nodes, self.extra_args)
        self.start_nodes()
        if not self.setup_clean_chain:
            from .blocktools import MiniWallet
            self.wallet = MiniWallet(self.nodes[0])
            self.wallet.generate(DEFAULT_PREMINE)

    def run_test(self):
        raise NotImplementedError

    # ---- main -----------------------------------------------------------------------------
    def main(self):
        parser = argparse.ArgumentParser(usage="%(prog)s [options]")
        here = os.path.dirname(os.path.abspath(sys.argv[0]))
        parser.add_argument("--configfile", default=os.path.abspath(os.path.join(here, "..", "config.ini")),
                            help="config.ini written by configure (SRCDIR, BUILDDIR, components)")
        parser.add_argument("--tmpdir", help="root directory for this test's data directories")
        parser.add_argument("--nocleanup", action="store_true", help="keep the data directories afterwards")
        parser.add_argument("--noshutdown", action="store_true", help="leave the nodes running")
        parser.add_argument("--loglevel", "-l", default="INFO", help="DEBUG, INFO, WARNING, ERROR")
        parser.add_argument("--tracerpc", action="store_true", help="log every RPC call and reply")
        parser.add_argument("--portseed", type=int, default=os.getpid(),
                            help="seed for the port block (default: process id)")
        parser.add_argument("--timeout-factor", type=float, default=1.0, help="scale RPC/start timeouts")
        parser.add_argument("--randomseed", type=int, help="seed for the test's random choices")
        self.add_options(parser)
        self.options = parser.parse_args()
        util.PORT_SEED = util.choose_port_seed(self.options.portseed)
        self._setup_logging()
        seed = self.options.randomseed if self.options.randomseed is not None else random.randrange(1 << 32)
        random.seed(seed)
        self.log.debug("random seed %d, port seed %d", seed, util.PORT_SEED)

        status = TEST_EXIT_FAILED
        try:
            self._read_config()
            if self.options.tmpdir:
                os.makedirs(self.options.tmpdir, exist_ok=True)
                self.options.tmpdir = tempfile.mkdtemp(prefix="run_", dir=os.path.abspath(self.options.tmpdir))
            else:
                self.options.tmpdir = tempfile.mkdtemp(prefix="oda_test_")
            self.log.info("Initializing test directory %s", self.options.tmpdir)
            self.skip_test_if_missing_module()
            self._check_binaries()
            self.setup_network()
            self.run_test()
            status = TEST_EXIT_PASSED
        except SkipTest as e:
            self.log.warning("Test skipped: %s", e.message)
            status = TEST_EXIT_SKIPPED
        except FailedToStartError as e:
            self.log.error("A node failed to start: %s", e)
            status = TEST_EXIT_FAILED
        except AssertionError:
            self.log.exception("Assertion failed")
        except KeyboardInterrupt:
            self.log.warning("Exiting after keyboard interrupt")
        except Exception:
            self.log.exception("Unexpected exception caught during testing")
        finally:
            status = self._shutdown(status)
        sys.exit(status)

    def _setup_logging(self):
        self.log = logging.getLogger("TestFramework")
        self.log.setLevel(logging.DEBUG)
        handler = logging.StreamHandler(sys.stdout)
        handler.setLevel(getattr(logging, self.options.loglevel.upper(), logging.INFO))
        handler.setFormatter(logging.Formatter("%(asctime)s.%(msecs)03d %(name)s (%(levelname)s): %(message)s",
                                               datefmt="%H:%M:%S"))
        self.log.addHandler(handler)

    def _read_config(self):
        self.config = configparser.ConfigParser()
        if not os.path.exists(self.options.configfile):
            raise FailedToStartError(f"config file {self.options.configfile} not found: run ./configure "
                                     "(it writes test/config.ini into the build directory) or pass --configfile")
        self.config.read(self.options.configfile)
        env = self.config["environment"]
        exe = env.get("EXEEXT", "")
        builddir = env["BUILDDIR"]
        self.odad = os.getenv("ODAD", os.path.join(builddir, "src", "odad" + exe))
        self.odacli = os.getenv("ODACLI", os.path.join(builddir, "src", "oda-cli" + exe))

    def _check_binaries(self):
        # A missing binary is a failure (not a skip): the build is incomplete.
        if self.num_nodes and not os.access(self.odad, os.X_OK):
            raise FailedToStartError(f"odad not found at {self.odad}: build it (make -C src odad) first")

    def _shutdown(self, status):
        if not self.options.noshutdown:
            for node in self.nodes:
                try:
                    if node.is_running():
                        if status == TEST_EXIT_PASSED and node.rpc_connected:
                            node.stop_node()
                        else:
                            node.kill_process()
                except Exception:
                    self.log.exception("error while stopping node%d", node.index)
                    node.kill_process()
                    if status == TEST_EXIT_PASSED:
                        status = TEST_EXIT_FAILED
        if status == TEST_EXIT_FAILED:
            try:
                self._dump_logs()
            except Exception:
                self.log.exception("could not print the nodes' logs")
        cleanup = status == TEST_EXIT_PASSED and not self.options.nocleanup and not self.options.noshutdown
        if cleanup and self.options.tmpdir:
            shutil.rmtree(self.options.tmpdir, ignore_errors=True)
        else:
            self.log.info("Not cleaning up dir %s", self.options.tmpdir)
        self.log.info({TEST_EXIT_PASSED: "Tests successful", TEST_EXIT_SKIPPED: "Test skipped"}
                      .get(status, "Test failed"))
        logging.shutdown()
        return status

    def _dump_logs(self):
        """Print the tail of each node's debug.log to help whoever reads the failure."""
        for node in self.nodes:
            path = node.debug_log_path
            if os.path.exists(path):
                with open(path, encoding="utf8", errors="replace") as f:
                    tail = f.readlines()[-40:]
                print(f"\n---- tail of node{node.index} debug.log ----\n" + "".join(tail))
            err = node.read_stderr().strip() if node.stderr else ""
            if err:
                print(f"---- node{node.index} stderr ----\n{err}")

    # ---- node helpers -----------------------------------------------------------------------
    def add_nodes(self, num_nodes, extra_args=None):
        extra_args = extra_args or [[] for _ in range(num_nodes)]
        assert len(extra_args) == num_nodes
        base = len(self.nodes)
        for i in range(num_nodes):
            self.nodes.append(TestNode(base + i, self.options.tmpdir, odad=self.odad, odacli=self.odacli,
                                       extra_args=extra_args[i], logger=self.log,
                                       rpc_timeout=int(self.rpc_timeout * self.options.timeout_factor),
                                       start_timeout=int(60 * self.options.timeout_factor),
                                       trace_rpc=self.options.tracerpc))

    def start_node(self, i, extra_args=None):
        node = self.nodes[i]
        node.start(extra_args)
        node.wait_for_rpc_connection()

    def start_nodes(self, extra_args=None):
        for i, node in enumerate(self.nodes):
            node.start(None if extra_args is None else extra_args[i])
        for node in self.nodes:
            node.wait_for_rpc_connection()

    def stop_node(self, i, **kwargs):
        self.nodes[i].stop_node(**kwargs)

    def stop_nodes(self):
        for node in self.nodes:
            node.stop_node()

    def restart_node(self, i, extra_args=None):
        self.nodes[i].restart_node(extra_args)

    # ---- skips ------------------------------------------------------------------------------
    def _component(self, name):
        return self.config is not None and self.config.get("components", name, fallback="false").strip() == "true"

    def is_wallet_compiled(self):
        return self._component("ENABLE_WALLET")

    def is_zmq_compiled(self):
        return self._component("ENABLE_ZMQ")

    def skip_if_no_wallet(self):
        if not self.is_wallet_compiled():
            raise SkipTest("wallet has not been compiled")

    def skip_if_no_zmq(self):
        if not self.is_zmq_compiled():
            raise SkipTest("ZMQ has not been compiled")

    def skip_if_no_cli(self):
        if not os.access(self.odacli, os.X_OK):
            raise SkipTest(f"oda-cli not found at {self.odacli}")

    def skip_if_no_python_module(self, module):
        try:
            __import__(module)
        except ImportError:
            raise SkipTest(f"python module {module} not available")

    def wait_until(self, predicate, timeout=60):
        return util.wait_until(predicate, timeout=timeout * self.options.timeout_factor)
