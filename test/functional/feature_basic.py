#!/usr/bin/env python3
"""Start a node, mine 101 blocks to a taproot address, check the chain through gettxout and
getblock, spend a matured coinbase, and check a restart keeps everything."""
from decimal import Decimal

from test_framework.blocktools import COINBASE_MATURITY, MiniWallet
from test_framework.messages import hash_to_hex, block_from_hex
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_greater_than, assert_is_hash_string


class FeatureBasicTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node = self.nodes[0]
        self.log.info("A fresh regtest node holds only its genesis block")
        assert_equal(node.getblockcount(), 0)
        genesis = node.getblockhash(0)
        assert_is_hash_string(genesis)
        assert_equal(node.getbestblockhash(), genesis)

        wallet = MiniWallet(node)
        self.log.info("generatetoaddress 101 to %s", wallet.address)
        assert wallet.address.startswith("roda1p")
        info = node.validateaddress(wallet.address)
        assert_equal(info["isvalid"], True)
        assert_equal(info["scriptPubKey"], wallet.script_pubkey.hex())
        hashes = wallet.generate(COINBASE_MATURITY + 1)
        assert_equal(len(hashes), 101)
        assert_equal(node.getblockcount(), 101)
        assert_equal(node.getbestblockhash(), hashes[-1])
        assert_equal(len(set(hashes)), 101)

        self.log.info("Each block links to its parent; coinbases pay the address")
        prev = genesis
        for height, h in enumerate(hashes, start=1):
            block = node.getblock(h)
            assert_equal(block["height"], height)
            assert_equal(block["previousblockhash"], prev)
            assert_equal(node.getblockhash(height), h)
            prev = h

        first = node.getblock(hashes[0], 2)
        coinbase = first["tx"][0]
        assert "coinbase" in coinbase["vin"][0]
        assert_equal(coinbase["vout"][0]["scriptPubKey"]["hex"], wallet.script_pubkey.hex())
        assert_equal(coinbase["vout"][0]["value"], Decimal("50"))
        raw = block_from_hex(node.getblock(hashes[0], 0))
        assert_equal(raw.hash, hashes[0])
        assert_equal(raw.vtx[0].txid, coinbase["txid"])

        txout = node.gettxout(coinbase["txid"], 0)
        assert_equal(txout["value"], Decimal("50"))
        assert_equal(txout["confirmations"], 101)
        assert_equal(txout["coinbase"], True)
        assert_equal(txout["bestblock"], hashes[-1])
        assert_equal(txout["scriptPubKey"]["hex"], wallet.script_pubkey.hex())
        assert_equal(node.gettxout(coinbase["txid"], 5), None)

        self.log.info("Exactly one coinbase is mature: spend it")
        utxo = wallet.get_utxo()
        assert_equal(utxo["height"], 1)
        spend = wallet.send_self_transfer(utxo_to_spend=utxo)
        assert spend["txid"] in node.getrawmempool()
        block_hash = wallet.generate(1)[0]
        assert spend["txid"] in node.getblock(block_hash)["tx"]
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.gettxout(coinbase["txid"], 0), None)
        new_out = node.gettxout(spend["txid"], 0)
        assert_equal(new_out["value"], Decimal(spend["tx"].vout[0].value) / Decimal(10**8))
        assert_equal(new_out["coinbase"], False)
        assert_greater_than(node.uptime(), -1)

        self.log.info("A restart keeps the chain and the UTXO set")
        best, count = node.getbestblockhash(), node.getblockcount()
        utxo_info = node.gettxoutsetinfo()
        self.restart_node(0)
        assert_equal(node.getblockcount(), count)
        assert_equal(node.getbestblockhash(), best)
        assert_equal(node.gettxout(spend["txid"], 0)["value"], new_out["value"])
        assert_equal(node.gettxout(coinbase["txid"], 0), None)
        after = node.gettxoutsetinfo()
        for key in ("height", "bestblock", "txouts", "total_amount"):
            assert_equal(after[key], utxo_info[key])

        self.log.info("The restarted node keeps mining on the same chain")
        wallet.generate(1)
        assert_equal(node.getblockcount(), count + 1)
        assert_equal(node.getblock(node.getbestblockhash())["previousblockhash"], best)


if __name__ == "__main__":
    FeatureBasicTest().main()
