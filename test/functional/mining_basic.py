#!/usr/bin/env python3
"""Mining RPCs: getblocktemplate's fields, blocks built in Python from the template and
accepted by submitblock, bad blocks rejected with their reasons, generateblock."""
import time
from decimal import Decimal

from test_framework.blocktools import (
    REGTEST_BITS, add_witness_commitment, block_subsidy, create_block, create_coinbase,
)
from test_framework.messages import COIN, CTxOut, bits_to_target, block_from_hex, tx_from_hex
from test_framework.test_framework import ODATestFramework, DEFAULT_PREMINE
from test_framework.util import assert_equal, assert_greater_than_or_equal, assert_raises_rpc_error


def grind(block, want_valid=True):
    """Change the nonce (only) until the header meets (or, want_valid=False, misses) its target."""
    target = bits_to_target(block.bits)
    while (block.sha256 <= target) != want_valid:
        block.nonce += 1
    return block


class MiningBasicTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def get_template(self):
        try:
            return self.node.getblocktemplate({"rules": ["segwit"]})
        except Exception:
            return self.node.getblocktemplate()

    def block_from_template(self, tmpl, txs=(), coinbase_value=None, ntime=None, bits=None):
        coinbase = create_coinbase(tmpl["height"], self.wallet.script_pubkey,
                                   value=tmpl["coinbasevalue"] if coinbase_value is None else coinbase_value)
        block = create_block(tmpl["previousblockhash"], coinbase,
                             ntime if ntime is not None else max(tmpl["curtime"], tmpl["mintime"]),
                             [tx_from_hex(t["data"]) if isinstance(t, dict) else t for t in txs],
                             version=tmpl["version"], bits=int(tmpl["bits"], 16) if bits is None else bits)
        return grind(block)

    def submit_expect(self, block, reason):
        tip = self.node.getbestblockhash()
        result = self.node.submitblock(block.serialize().hex())
        assert_equal(result, reason)
        if reason is not None:
            assert_equal(self.node.getbestblockhash(), tip)

    def run_test(self):
        self.node = node = self.nodes[0]
        self.log.info("getblocktemplate on an empty mempool")
        tmpl = self.get_template()
        for key in ("version", "previousblockhash", "transactions", "coinbasevalue", "target", "mintime",
                    "curtime", "bits", "height"):
            assert key in tmpl, f"template lacks {key}"
        assert_equal(tmpl["previousblockhash"], node.getbestblockhash())
        assert_equal(tmpl["height"], DEFAULT_PREMINE + 1)
        assert_equal(tmpl["bits"], "%08x" % REGTEST_BITS)
        assert_equal(int(tmpl["target"], 16), bits_to_target(REGTEST_BITS))
        assert_equal(tmpl["coinbasevalue"], block_subsidy(tmpl["height"]))
        assert_equal(tmpl["transactions"], [])
        assert_greater_than_or_equal(tmpl["curtime"], tmpl["mintime"])
        assert_equal(tmpl["mintime"], node.getblockheader(node.getbestblockhash())["mediantime"] + 1)

        self.log.info("A block built from the template is accepted (submitblock -> null)")
        block = self.block_from_template(tmpl)
        self.submit_expect(block, None)
        assert_equal(node.getbestblockhash(), block.hash)
        self.wallet.scan_block(block.hash)
        self.submit_expect(block, "duplicate")

        self.log.info("The template includes mempool transactions with their fees")
        sent = [self.wallet.send_self_transfer() for _ in range(3)]
        tmpl = self.get_template()
        assert_equal(sorted(t["txid"] for t in tmpl["transactions"]), sorted(s["txid"] for s in sent))
        fees = {s["txid"]: s["fee"] for s in sent}
        for t in tmpl["transactions"]:
            assert_equal(t["fee"], fees[t["txid"]])
            assert_equal(tx_from_hex(t["data"]).wtxid, t["hash"])
            assert_equal(t["weight"], tx_from_hex(t["data"]).get_weight())
        assert_equal(tmpl["coinbasevalue"], block_subsidy(tmpl["height"]) + sum(fees.values()))
        block = self.block_from_template(tmpl, tmpl["transactions"])
        if "default_witness_commitment" in tmpl:
            assert_equal(block.vtx[0].vout[-1].script_pubkey.hex(), tmpl["default_witness_commitment"])

        self.log.info("Bad blocks are rejected with their reasons")
        bad = self.block_from_template(tmpl, tmpl["transactions"])
        grind(bad, want_valid=False)
        self.submit_expect(bad, "high-hash")

        bad = self.block_from_template(tmpl, tmpl["transactions"])
        bad.hashMerkleRoot ^= 1
        self.submit_expect(grind(bad), "bad-txnmrklroot")

        bad = self.block_from_template(tmpl, tmpl["transactions"], coinbase_value=tmpl["coinbasevalue"] + 1)
        self.submit_expect(bad, "bad-cb-amount")

        bad = self.block_from_template(tmpl, tmpl["transactions"], bits=REGTEST_BITS - 1)
        self.submit_expect(bad, "bad-diffbits")

        bad = self.block_from_template(tmpl, tmpl["transactions"],
                                       ntime=node.getblockheader(node.getbestblockhash())["mediantime"])
        self.submit_expect(bad, "time-too-old")

        bad = self.block_from_template(tmpl, tmpl["transactions"], ntime=int(time.time()) + 2 * 3600 + 600)
        self.submit_expect(bad, "time-too-new")

        bad = self.block_from_template(tmpl, tmpl["transactions"])
        bad.vtx[0] = create_coinbase(tmpl["height"] + 1, self.wallet.script_pubkey, value=tmpl["coinbasevalue"])
        add_witness_commitment(bad)
        self.submit_expect(grind(bad), "bad-cb-height")

        bad = self.block_from_template(tmpl, tmpl["transactions"])
        bad.vtx[0].vout[-1].script_pubkey = bad.vtx[0].vout[-1].script_pubkey[:-1] + b"\x00"  # wrong commitment
        bad.hashMerkleRoot = bad.calc_merkle_root()
        self.submit_expect(grind(bad), "bad-witness-merkle-match")

        bad = self.block_from_template(tmpl, tmpl["transactions"])
        bad.vtx.append(bad.vtx[1])  # same transaction twice
        bad.hashMerkleRoot = bad.calc_merkle_root()
        result = node.submitblock(grind(bad).serialize().hex())
        assert result in ("bad-txns-duplicate", "bad-txns-inputs-missingorspent", "bad-txns-inputs-duplicate"), result

        assert_equal(sorted(node.getrawmempool()), sorted(fees))
        self.log.info("...and the good block still connects afterwards")
        self.submit_expect(block, None)
        assert_equal(node.getbestblockhash(), block.hash)
        assert_equal(node.getrawmempool(), [])
        self.wallet.scan_block(block.hash)

        self.log.info("generateblock with an explicit transaction list")
        tx = self.wallet.create_self_transfer()
        self.wallet.utxos.extend(tx["new_utxos"])
        res = node.generateblock(self.wallet.address, [tx["hex"]])
        assert_equal(node.getbestblockhash(), res["hash"])
        mined = node.getblock(res["hash"])
        assert_equal(mined["tx"][1:], [tx["txid"]])
        assert_equal(node.getrawmempool(), [])
        raw = block_from_hex(node.getblock(res["hash"], 0))
        assert_equal(raw.vtx[0].vout[0].script_pubkey, self.wallet.script_pubkey)
        assert_equal(raw.vtx[0].vout[0].value, block_subsidy(mined["height"]) + tx["fee"])

        res = node.generateblock(self.wallet.address, [])
        assert_equal(node.getblock(res["hash"])["nTx"], 1)

        self.log.info("getmininginfo")
        info = node.getmininginfo()
        assert_equal(info["blocks"], node.getblockcount())
        assert_equal(info["chain"], "regtest")


if __name__ == "__main__":
    MiningBasicTest().main()
