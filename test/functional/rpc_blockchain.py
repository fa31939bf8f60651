#!/usr/bin/env python3
"""Blockchain RPCs: getblockchaininfo, getblockhash, getblock (verbosity 0/1/2),
getblockheader, getchaintips, gettxoutsetinfo, getdifficulty, and their errors."""
from decimal import Decimal

from test_framework.blocktools import block_subsidy
from test_framework.messages import block_from_hex, hash_to_hex, uint256_to_bytes, COIN
from test_framework.test_framework import ODATestFramework, DEFAULT_PREMINE
from test_framework.util import (
    assert_equal, assert_greater_than, assert_is_hash_string, assert_is_hex_string, assert_raises_rpc_error,
)

RPC_INVALID_PARAMETER = -8
RPC_INVALID_ADDRESS_OR_KEY = -5


class RPCBlockchainTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False  # DEFAULT_PREMINE blocks to the framework's MiniWallet

    def run_test(self):
        self.node = self.nodes[0]
        self.test_getblockchaininfo()
        self.test_blocks_consistent()
        self.test_getchaintips()
        self.test_gettxoutsetinfo()
        self.test_errors()

    def test_getblockchaininfo(self):
        self.log.info("getblockchaininfo")
        info = self.node.getblockchaininfo()
        for key in ("chain", "blocks", "headers", "bestblockhash", "difficulty", "mediantime",
                    "verificationprogress", "chainwork", "initialblockdownload"):
            assert key in info, f"getblockchaininfo lacks {key}: {sorted(info)}"
        assert_equal(info["chain"], "regtest")
        assert_equal(info["blocks"], DEFAULT_PREMINE)
        assert_equal(info["headers"], DEFAULT_PREMINE)
        assert_equal(info["bestblockhash"], self.node.getbestblockhash())
        assert_is_hex_string(info["chainwork"], 64)
        # regtest work per block at 0x207fffff is 2: genesis + premine blocks.
        assert_equal(int(info["chainwork"], 16), 2 * (DEFAULT_PREMINE + 1))
        assert_equal(info["initialblockdownload"], False)
        assert_equal(info["mediantime"], self.node.getblockheader(info["bestblockhash"])["mediantime"])
        assert_equal(self.node.getblockcount(), DEFAULT_PREMINE)
        assert_greater_than(self.node.getdifficulty(), 0)
        assert_equal(self.node.getdifficulty(), info["difficulty"])

    def test_blocks_consistent(self):
        self.log.info("getblockhash / getblock 0,1,2 / getblockheader agree for every height")
        node = self.node
        tip = node.getblockcount()
        for height in [0, 1, 2, tip // 2, tip - 1, tip]:
            h = node.getblockhash(height)
            assert_is_hash_string(h)
            raw_hex = node.getblock(h, 0)
            raw = block_from_hex(raw_hex)
            assert_equal(raw.hash, h)
            v1 = node.getblock(h)
            assert_equal(node.getblock(h, 1), v1)
            assert_equal(node.getblock(blockhash=h, verbosity=1), v1)
            v2 = node.getblock(h, 2)
            hdr = node.getblockheader(h)
            assert_equal(node.getblockheader(h, False), raw_hex[:160])
            assert_equal(v1["hash"], h)
            assert_equal(v1["height"], height)
            assert_equal(v1["confirmations"], tip - height + 1)
            assert_equal(v1["merkleroot"], hash_to_hex(uint256_to_bytes(raw.calc_merkle_root())))
            assert_equal(v1["tx"], [tx.txid for tx in raw.vtx])
            assert_equal([tx["txid"] for tx in v2["tx"]], v1["tx"])
            assert_equal([tx["hash"] for tx in v2["tx"]], [tx.wtxid for tx in raw.vtx])
            assert_equal(v1["size"], len(bytes.fromhex(raw_hex)))
            assert_equal(v1["weight"], raw.get_weight())
            assert_equal(v1["nTx"], len(raw.vtx))
            for key in ("hash", "height", "confirmations", "version", "merkleroot", "time", "mediantime",
                        "nonce", "bits", "difficulty", "chainwork", "nTx"):
                assert_equal(hdr[key], v1[key])
            assert_equal(hdr["bits"], "%08x" % raw.bits)
            assert_equal(hdr["time"], raw.time)
            assert_equal(hdr["nonce"], raw.nonce)
            assert_equal(hdr["version"], raw.version)
            if height == 0:
                assert "previousblockhash" not in v1
            else:
                assert_equal(v1["previousblockhash"], node.getblockhash(height - 1))
                assert_equal(hdr["previousblockhash"], v1["previousblockhash"])
            if height == tip:
                assert "nextblockhash" not in v1
            else:
                assert_equal(v1["nextblockhash"], node.getblockhash(height + 1))
            if height > 0:
                cb = v2["tx"][0]
                assert "coinbase" in cb["vin"][0]
                assert_equal(sum(o["value"] for o in cb["vout"]), Decimal(block_subsidy(height)) / COIN)
                if "hex" in cb:  # Bitcoin Core includes it; optional here
                    assert_equal(cb["hex"], raw.vtx[0].serialize().hex())

    def test_getchaintips(self):
        self.log.info("getchaintips")
        tips = self.node.getchaintips()
        assert_equal(len(tips), 1)
        assert_equal(tips[0]["height"], DEFAULT_PREMINE)
        assert_equal(tips[0]["hash"], self.node.getbestblockhash())
        assert_equal(tips[0]["branchlen"], 0)
        assert_equal(tips[0]["status"], "active")

    def test_gettxoutsetinfo(self):
        self.log.info("gettxoutsetinfo")
        info = self.node.gettxoutsetinfo()
        assert_equal(info["height"], DEFAULT_PREMINE)
        assert_equal(info["bestblock"], self.node.getbestblockhash())
        # Coinbases are the only spendable outputs so far (genesis output and OP_RETURNs are not in the set).
        assert_equal(info["txouts"], DEFAULT_PREMINE)
        assert_equal(info["total_amount"],
                     Decimal(sum(block_subsidy(h) for h in range(1, DEFAULT_PREMINE + 1))) / COIN)
        assert_equal(info["transactions"], DEFAULT_PREMINE)

    def test_errors(self):
        self.log.info("bad arguments give Bitcoin Core's error codes")
        node = self.node
        tip = node.getblockcount()
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "Block height out of range", node.getblockhash, -1)
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "Block height out of range", node.getblockhash, tip + 1)
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, "Block not found", node.getblock, "00" * 32)
        assert_raises_rpc_error(RPC_INVALID_ADDRESS_OR_KEY, "Block not found", node.getblockheader, "11" * 32)
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, None, node.getblock, "nothex")
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, None, node.getblock, "ab" * 31)
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, None, node.gettxout, "zz" * 32, 0)
        assert_raises_rpc_error(None, None, node.getblockhash, "one")   # wrong type
        assert_raises_rpc_error(-32601, None, node.nosuchmethod)        # method not found
        assert_equal(node.gettxout("00" * 32, 0), None)


if __name__ == "__main__":
    RPCBlockchainTest().main()
