"""One odad process under test: its data directory, configuration, RPC proxy and lifecycle.

    node = TestNode(0, dirname, ...)
    node.start(); node.wait_for_rpc_connection()
    node.getblockcount()           # any RPC, forwarded to the proxy
    node.cli("getblockcount")      # the same through oda-cli
    node.stop_node()               # `stop` RPC, then wait for the process to exit
    node.kill_process()            # SIGKILL (crash simulation)
"""
import json
import os
import re
import subprocess
import tempfile
import time
import urllib.parse

from .authproxy import AuthServiceProxy, JSONRPCException
from .util import assert_equal, p2p_port, rpc_port

# Error code the RPC server answers while the node is still loading (Bitcoin Core's -28).
RPC_IN_WARMUP = -28
RPC_METHOD_NOT_FOUND = -32601
DEFAULT_START_TIMEOUT = 60
DEFAULT_RPC_TIMEOUT = 60


class FailedToStartError(Exception):
    """odad exited (or never answered RPC) while we waited for it to start."""


class ErrorMatch:
    FULL_TEXT = 1
    PARTIAL_REGEX = 2
    SUBSTRING = 3


class TestNode:
    # Arguments every test node gets; tests add more via extra_args.
    BASE_ARGS = ["-printtoconsole=0", "-debug=1"]

    def __init__(self, i, dirname, *, odad, odacli, extra_args=None, logger=None,
                 rpc_timeout=DEFAULT_RPC_TIMEOUT, start_timeout=DEFAULT_START_TIMEOUT, trace_rpc=False):
        self.index = i
        self.datadir = os.path.join(dirname, f"node{i}")
        self.chain_dir = os.path.join(self.datadir, "regtest")
        self.odad = odad
        self.odacli = odacli
        self.extra_args = list(extra_args or [])
        self.log = logger
        self.rpc_timeout = rpc_timeout
        self.start_timeout = start_timeout
        self.trace_rpc = trace_rpc
        self.p2p_port = p2p_port(i)
        self.rpc_port = rpc_port(i)
        self.process = None
        self.rpc = None
        self.rpc_connected = False
        self.stdout = None
        self.stderr = None
        self.rpc_user = None       # set when the node was started with -rpcuser/-rpcpassword
        self.rpc_password = None
        os.makedirs(self.datadir, exist_ok=True)
        self.write_config()

    # ---- configuration --------------------------------------------------------------------
    @property
    def conf_path(self):
        return os.path.join(self.datadir, "oda.conf")

    @property
    def debug_log_path(self):
        return os.path.join(self.chain_dir, "debug.log")

    @property
    def cookie_path(self):
        return os.path.join(self.chain_dir, ".cookie")

    def write_config(self, extra_lines=()):
        """oda.conf in the data directory: regtest, server, this node's ports (in [regtest])."""
        lines = ["regtest=1", "[regtest]", f"port={self.p2p_port}", f"rpcport={self.rpc_port}",
                 "server=1", "listen=1"]
        lines += list(extra_lines)
        with open(self.conf_path, "w", encoding="utf8") as f:
            f.write("\n".join(lines) + "\n")

    def append_config(self, lines):
        with open(self.conf_path, "a", encoding="utf8") as f:
            for line in lines:
                f.write(line + "\n")

    # ---- process lifecycle ----------------------------------------------------------------
    def _args(self, extra_args):
        return [self.odad, f"-datadir={self.datadir}"] + self.BASE_ARGS + list(extra_args)

    def start(self, extra_args=None, stdout=None, stderr=None):
        """Launch odad (does not wait for RPC: call wait_for_rpc_connection)."""
        if self.process is not None and self.process.poll() is None:
            raise AssertionError(f"node{self.index} is already running")
        if not os.path.isfile(self.odad) or not os.access(self.odad, os.X_OK):
            raise FailedToStartError(f"odad binary not found or not executable at {self.odad}: build the node first")
        args = self.extra_args if extra_args is None else list(extra_args)
        self._note_rpc_credentials(args)
        self.stdout = stdout or tempfile.NamedTemporaryFile(dir=self.datadir, prefix="stdout", delete=False)
        self.stderr = stderr or tempfile.NamedTemporaryFile(dir=self.datadir, prefix="stderr", delete=False)
        cmd = self._args(args)
        if self.log:
            self.log.debug("starting node%d: %s", self.index, " ".join(cmd))
        self.process = subprocess.Popen(cmd, stdout=self.stdout, stderr=self.stderr)
        self.rpc_connected = False
        self.rpc = None

    def _note_rpc_credentials(self, args):
        self.rpc_user = self.rpc_password = None
        for a in args:
            if a.startswith("-rpcuser="):
                self.rpc_user = a.split("=", 1)[1]
            elif a.startswith("-rpcpassword="):
                self.rpc_password = a.split("=", 1)[1]

    @staticmethod
    def _read_output(handle):
        # The child writes straight to the file: read it by name (the handle may be closed).
        if handle is None:
            return ""
        try:
            with open(handle.name, encoding="utf8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def read_stderr(self):
        return self._read_output(self.stderr)

    def read_stdout(self):
        return self._read_output(self.stdout)

    def credentials(self):
        """(user, password) the framework uses: -rpcuser/-rpcpassword if given, else the cookie."""
        if self.rpc_user is not None:
            return self.rpc_user, self.rpc_password or ""
        with open(self.cookie_path, encoding="utf8") as f:
            user, _, password = f.read().strip().partition(":")
        return user, password

    def url(self, user=None, password=None):
        if user is None:
            user, password = self.credentials()
        return (f"http://{urllib.parse.quote(user, safe='')}:{urllib.parse.quote(password or '', safe='')}"
                f"@127.0.0.1:{self.rpc_port}")

    def get_rpc(self, user=None, password=None, timeout=None):
        """A new proxy; user/password override the node's credentials (for auth tests)."""
        return AuthServiceProxy(self.url(user, password), timeout=timeout or self.rpc_timeout,
                                logger=self.log if self.trace_rpc else None)

    def wait_for_rpc_connection(self):
        """Wait until odad answers RPC; FailedToStartError if it exits or times out."""
        deadline = time.time() + self.start_timeout
        last_error = None
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise FailedToStartError(
                    f"odad (node{self.index}) exited with status {self.process.returncode} during startup; "
                    f"stderr: {self.read_stderr().strip()!r}")
            try:
                if self.rpc_user is None and not os.path.exists(self.cookie_path):
                    raise FileNotFoundError(self.cookie_path)
                rpc = self.get_rpc()
                rpc.getblockcount()
                self.rpc = rpc
                self.rpc_connected = True
                return
            except JSONRPCException as e:
                if e.error.get("code") == RPC_METHOD_NOT_FOUND:
                    # The server answers but has no chain calls (a partial build): connected.
                    self.rpc = rpc
                    self.rpc_connected = True
                    return
                if e.error.get("code") != RPC_IN_WARMUP and e.http_status not in (401, 503):
                    raise
                last_error = e
            except (OSError, ValueError) as e:  # refused connection, cookie not written yet, ...
                last_error = e
            time.sleep(0.1)
        self.kill_process()
        hints = ""
        try:
            with open(self.debug_log_path, encoding="utf8", errors="replace") as f:
                hints = " ".join(l.strip() for l in f if "failed" in l.lower() or "error" in l.lower())[-500:]
        except OSError:
            pass
        raise FailedToStartError(f"node{self.index} did not answer RPC on 127.0.0.1:{self.rpc_port} within "
                                 f"{self.start_timeout} s (last error: {last_error!r}) {hints}")

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def stop_node(self, expected_stderr="", wait_timeout=60):
        """Ask the node to stop over RPC, then wait for the process to exit with status 0."""
        if not self.is_running():
            self.process = None
            return
        if self.rpc is None:  # never answered RPC: nothing to ask, just end it
            self.kill_process()
            return
        try:
            self.rpc.stop()
        except (JSONRPCException, OSError) as e:
            if self.log:
                self.log.debug("stop RPC raised %r (the node may already be going down)", e)
        self.wait_until_stopped(timeout=wait_timeout)
        stderr = self.read_stderr().strip()
        if expected_stderr is not None and stderr != expected_stderr and self.log:
            self.log.warning("node%d stderr: %s", self.index, stderr)

    def wait_until_stopped(self, timeout=60):
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_process()
            raise AssertionError(f"node{self.index} did not stop within {timeout} s (killed)")
        self.process = None
        self.rpc = None
        self.rpc_connected = False
        if code != 0:
            raise AssertionError(f"node{self.index} exited with status {code}; stderr: {self.read_stderr()!r}")

    def kill_process(self):
        """SIGKILL the node (no flush, no cleanup): the crash simulation."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
        self.process = None
        if self.rpc is not None:
            self.rpc.close()
        self.rpc = None
        self.rpc_connected = False

    def restart_node(self, extra_args=None):
        self.stop_node()
        self.start(extra_args)
        self.wait_for_rpc_connection()

    def assert_start_raises_init_error(self, extra_args=None, expected_msg=None,
                                       match=ErrorMatch.SUBSTRING, timeout=60):
        """Start odad with extra_args and check it refuses: non-zero exit, message on stderr."""
        with tempfile.NamedTemporaryFile(dir=self.datadir, prefix="init_err", delete=False) as log_stderr, \
                tempfile.NamedTemporaryFile(dir=self.datadir, prefix="init_out", delete=False) as log_stdout:
            self.start(extra_args, stdout=log_stdout, stderr=log_stderr)
            try:
                code = self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill_process()
                raise AssertionError(f"odad did not exit within {timeout} s although it should fail to start "
                                     f"(args {extra_args})")
            self.process = None
            log_stderr.seek(0)
            stderr = log_stderr.read().decode("utf8", errors="replace").strip()
            if code == 0:
                raise AssertionError(f"odad exited with status 0 for args {extra_args}; expected an init error")
            if expected_msg is not None:
                ok = {ErrorMatch.FULL_TEXT: lambda: stderr == expected_msg,
                      ErrorMatch.PARTIAL_REGEX: lambda: re.search(expected_msg, stderr, flags=re.MULTILINE),
                      ErrorMatch.SUBSTRING: lambda: expected_msg in stderr}[match]()
                if not ok:
                    raise AssertionError(f"expected init error {expected_msg!r}, got stderr {stderr!r}")
            return stderr

    # ---- RPC and CLI ------------------------------------------------------------------------
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self.rpc is None:
            raise AssertionError(f"node{self.index}: RPC not connected (is the node running?)")
        return getattr(self.rpc, name)

    def cli(self, *args, input=None, extra=()):
        """Run oda-cli against this node; returns parsed JSON, or the raw text when not JSON.

        On a non-zero exit raises subprocess.CalledProcessError carrying stderr text.
        """
        cmd = [self.odacli, f"-datadir={self.datadir}", f"-rpcport={self.rpc_port}"] + list(extra) + \
              [a if isinstance(a, str) else json.dumps(a) for a in args]
        proc = subprocess.run(cmd, input=input.encode() if input else None, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=self.rpc_timeout)
        out = proc.stdout.decode().strip()
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, cmd, out, proc.stderr.decode())
        try:
            return json.loads(out, parse_float=__import__("decimal").Decimal)
        except ValueError:
            return out

    def __repr__(self):
        return f"TestNode(node{self.index}, rpc={self.rpc_port})"
