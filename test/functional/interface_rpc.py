#!/usr/bin/env python3
"""The JSON-RPC server: 1.0 and 2.0 requests, batches, parse errors, help texts."""
import base64
import http.client
import json

from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_greater_than, assert_raises_rpc_error

RPC_METHOD_NOT_FOUND = -32601
RPC_PARSE_ERROR = -32700

# Every call the node issue requires (help must document each).
REQUIRED_CALLS = [
    "getblockchaininfo", "getblockcount", "getbestblockhash", "getblockhash", "getblock", "getblockheader",
    "getchaintips", "getdifficulty", "getrawtransaction", "decoderawtransaction", "decodescript",
    "sendrawtransaction", "testmempoolaccept", "getmempoolinfo", "getrawmempool", "getmempoolentry",
    "gettxout", "gettxoutsetinfo", "getmininginfo", "getblocktemplate", "submitblock", "generatetoaddress",
    "generateblock", "invalidateblock", "reconsiderblock", "validateaddress", "uptime", "stop", "help",
]


class InterfaceRPCTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def post(self, payload, raw=None):
        node = self.nodes[0]
        user, password = node.credentials()
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=30)
        auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        body = raw if raw is not None else json.dumps(payload)
        conn.request("POST", "/", body, {"Authorization": auth, "Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, (json.loads(data) if data else None)

    def run_test(self):
        node = self.nodes[0]
        self.log.info("JSON-RPC 1.0 style request and error")
        status, reply = self.post({"method": "getblockcount", "params": [], "id": 7})
        assert_equal(status, 200)
        assert_equal(reply["result"], 0)
        assert_equal(reply["id"], 7)
        status, reply = self.post({"method": "nosuchmethod", "params": [], "id": 8})
        assert_equal(reply["error"]["code"], RPC_METHOD_NOT_FOUND)
        assert_equal(reply["id"], 8)
        assert status in (404, 500, 200), status

        self.log.info("JSON-RPC 2.0 request")
        status, reply = self.post({"jsonrpc": "2.0", "method": "getblockcount", "params": [], "id": "x"})
        assert_equal(status, 200)
        assert_equal(reply["jsonrpc"], "2.0")
        assert_equal(reply["result"], 0)
        assert_equal(reply["id"], "x")
        assert "error" not in reply or reply["error"] is None
        status, reply = self.post({"jsonrpc": "2.0", "method": "nosuchmethod", "id": 3})
        assert_equal(reply["error"]["code"], RPC_METHOD_NOT_FOUND)

        self.log.info("Batch: replies in order, one failure does not spoil the others")
        status, reply = self.post([
            {"method": "getblockcount", "params": [], "id": 1},
            {"method": "nosuchmethod", "params": [], "id": 2},
            {"method": "getbestblockhash", "params": [], "id": 3},
        ])
        assert_equal(status, 200)
        assert_equal([r["id"] for r in reply], [1, 2, 3])
        assert_equal(reply[0]["result"], 0)
        assert_equal(reply[1]["error"]["code"], RPC_METHOD_NOT_FOUND)
        assert_equal(reply[2]["result"], node.getblockhash(0))

        self.log.info("Malformed JSON: parse error")
        status, reply = self.post(None, raw="{this is not json")
        assert status >= 400 or reply["error"]["code"] == RPC_PARSE_ERROR
        if reply is not None:
            assert_equal(reply["error"]["code"], RPC_PARSE_ERROR)
        assert_equal(node.getblockcount(), 0)  # the server is still fine

        self.log.info("Named arguments; unknown named argument is an error")
        assert_equal(node.getblockhash(height=0), node.getblockhash(0))
        assert_raises_rpc_error(None, None, node.getblockhash, nosuchname=0)
        assert_raises_rpc_error(None, None, node.getblockhash)  # missing argument

        self.log.info("help lists and documents every required call")
        text = node.help()
        for call in REQUIRED_CALLS:
            assert call in text, f"help does not list {call}"
            detail = node.help(call)
            assert call in detail, f"help {call} does not mention {call}"
        assert_greater_than(node.uptime(), -1)


if __name__ == "__main__":
    InterfaceRPCTest().main()
