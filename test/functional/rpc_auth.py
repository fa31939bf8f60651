#!/usr/bin/env python3
"""RPC authentication and access control: no or wrong credentials get HTTP 401, the cookie,
-rpcuser/-rpcpassword and -rpcauth (contrib/rpcauth.py) work, a client outside -rpcallowip gets
HTTP 403."""
import base64
import http.client
import json
import os
import socket
import subprocess
import sys

from test_framework.authproxy import JSONRPCException
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, wait_until


def raw_post(host, port, auth=None, body=None, source=None):
    """POST a getblockcount request; returns (HTTP status, body bytes)."""
    conn = http.client.HTTPConnection(host, port, timeout=30, source_address=(source, 0) if source else None)
    headers = {"Content-Type": "application/json"}
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    payload = body if body is not None else json.dumps({"method": "getblockcount", "params": [], "id": 1})
    try:
        conn.request("POST", "/", payload, headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def non_loopback_ipv4():
    """An IPv4 address of this host outside 127/8, or None (used to be a 'remote' client)."""
    candidates = []
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for a UDP connect
        candidates.append(s.getsockname()[0])
        s.close()
    except OSError:
        pass
    try:
        candidates += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        pass
    for ip in candidates:
        if not ip.startswith("127.") and ip != "0.0.0.0":
            return ip
    return None


class RPCAuthTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node = self.nodes[0]
        port = node.rpc_port
        user, password = node.credentials()
        self.log.info("Cookie authentication works (user %s)", user)
        status, body = raw_post("127.0.0.1", port, f"{user}:{password}")
        assert_equal(status, 200)
        assert_equal(json.loads(body)["result"], 0)

        self.log.info("No credentials, wrong password, wrong user: HTTP 401")
        assert_equal(raw_post("127.0.0.1", port)[0], 401)
        assert_equal(raw_post("127.0.0.1", port, f"{user}:{password}x")[0], 401)
        assert_equal(raw_post("127.0.0.1", port, f"nobody:{password}")[0], 401)
        assert_equal(raw_post("127.0.0.1", port, "garbage-without-colon")[0], 401)
        try:
            node.get_rpc(user, "wrong").getblockcount()
            raise AssertionError("wrong password accepted")
        except JSONRPCException as e:
            assert_equal(e.http_status, 401)

        self.log.info("-rpcuser/-rpcpassword")
        self.restart_node(0, ["-rpcuser=alice", "-rpcpassword=s3cr3t-pass"])
        assert_equal(node.credentials(), ("alice", "s3cr3t-pass"))
        assert_equal(node.get_rpc("alice", "s3cr3t-pass").getblockcount(), 0)
        assert_equal(raw_post("127.0.0.1", port, "alice:s3cr3t-pass")[0], 200)
        assert_equal(raw_post("127.0.0.1", port, "alice:wrong")[0], 401)
        assert_equal(raw_post("127.0.0.1", port, "bob:s3cr3t-pass")[0], 401)
        assert_equal(raw_post("127.0.0.1", port)[0], 401)
        # Also through oda-cli with the same options.
        if os.access(self.odacli, os.X_OK):
            assert_equal(node.cli("getblockcount", extra=["-rpcuser=alice", "-rpcpassword=s3cr3t-pass"]), 0)

        self.log.info("-rpcauth (hashed password, line made by contrib/rpcauth.py); the cookie keeps working")
        script = os.path.join(self.config["environment"]["SRCDIR"], "contrib", "rpcauth.py")
        out = subprocess.run([sys.executable, script, "carol", "h4shed:pw"], check=True, stdout=subprocess.PIPE,
                             text=True).stdout
        line = [l for l in out.splitlines() if l.startswith("rpcauth=")][0]
        out = subprocess.run([sys.executable, script, "dave"], check=True, stdout=subprocess.PIPE, text=True).stdout
        dave_line = [l for l in out.splitlines() if l.startswith("rpcauth=")][0]
        dave_pw = out.split("Password for dave: ")[1].strip()
        self.restart_node(0, ["-" + line, "-" + dave_line])
        assert_equal(raw_post("127.0.0.1", port, "carol:h4shed:pw")[0], 200)
        assert_equal(raw_post("127.0.0.1", port, f"dave:{dave_pw}")[0], 200)
        assert_equal(raw_post("127.0.0.1", port, "carol:h4shed:p")[0], 401)
        assert_equal(raw_post("127.0.0.1", port, f"carol:{dave_pw}")[0], 401)
        assert_equal(raw_post("127.0.0.1", port, "%s:%s" % node.credentials())[0], 200)
        self.stop_node(0)
        node.assert_start_raises_init_error(["-rpcauth=carol:nohash"], "Invalid -rpcauth argument")
        node.start([])
        node.wait_for_rpc_connection()

        self.log.info("-rpcallowip replaces the default (localhost): a local client now gets HTTP 403")
        self.stop_node(0)
        node.start(["-rpcallowip=192.0.2.77"])
        def answered():
            try:
                return raw_post("127.0.0.1", port, "%s:%s" % node.credentials())[0]
            except OSError:  # not listening yet, or cookie not written yet
                return None
        wait_until(lambda: answered() is not None, timeout=60)
        assert_equal(answered(), 403)
        node.process.terminate()  # SIGTERM: the RPC stop is out of reach by design
        node.wait_until_stopped()
        node.start([])
        node.wait_for_rpc_connection()

        self.log.info("-rpcallowip that excludes a non-local client: HTTP 403")
        ip = non_loopback_ipv4()
        if ip is None:
            self.log.warning("no non-loopback IPv4 address on this host: skipping the -rpcallowip part")
        else:
            self.log.info("binding the RPC server to %s, allowing only 192.0.2.77", ip)
            self.restart_node(0, [f"-rpcbind={ip}", "-rpcallowip=192.0.2.77", "-rpcbind=127.0.0.1",
                                  "-rpcallowip=127.0.0.1"])
            cookie = "%s:%s" % node.credentials()
            status, _ = raw_post(ip, port, cookie, source=ip)
            assert_equal(status, 403)
            self.log.info("...and allowing the client's address opens the door")
            self.restart_node(0, [f"-rpcbind={ip}", f"-rpcallowip={ip}", "-rpcbind=127.0.0.1",
                                  "-rpcallowip=127.0.0.1"])
            cookie = "%s:%s" % node.credentials()
            status, body = raw_post(ip, port, cookie, source=ip)
            assert_equal(status, 200)
            assert_equal(json.loads(body)["result"], 0)
        self.restart_node(0, [])


if __name__ == "__main__":
    RPCAuthTest().main()
