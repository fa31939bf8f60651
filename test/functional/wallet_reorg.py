#!/usr/bin/env python3
"""wallet_reorg: a confirmed payment becomes unconfirmed when its block is disconnected and
confirms again in the new chain; balances follow; a coinbase of a disconnected block leaves;
a confirmed double spend (signrawtransactionwithwallet + generateblock) marks the wallet
transaction conflicted (negative confirmations)."""
from decimal import Decimal

from test_framework.util import assert_equal
from walletutil import WalletTestFramework, create_funded_wallet, wallet_rpc


class WalletReorgTest(WalletTestFramework):
    def run_test(self):
        node = self.nodes[0]
        payer = create_funded_wallet(node, "payer")
        node.createwallet("payee")
        payee = wallet_rpc(node, "payee")
        assert_equal(payer.getbalance(), Decimal("50"))

        self.log.info("Pay and confirm")
        txid = payer.sendtoaddress(payee.getnewaddress(), 5)
        block = node.generatetoaddress(1, payer.getnewaddress())[0]
        assert_equal(payee.gettransaction(txid)["confirmations"], 1)
        assert_equal(payee.getbalance(), Decimal("5"))
        assert_equal(payee.getbalances()["mine"]["untrusted_pending"], Decimal("0"))

        self.log.info("Disconnect the block: the payment is unconfirmed again")
        node.invalidateblock(block)
        tx = payee.gettransaction(txid)
        assert_equal(tx["confirmations"], 0)
        assert "blockhash" not in tx
        # Not from the payee: unconfirmed incoming money is untrusted pending, not trusted.
        assert_equal(payee.getbalance(), Decimal("0"))
        assert_equal(payee.getbalances()["mine"]["untrusted_pending"], Decimal("5"))
        assert_equal(payer.gettransaction(txid)["confirmations"], 0)
        # The disconnected block's coinbase is no longer counted: only heights 2..101 are immature.
        assert_equal(payer.getbalances()["mine"]["immature"], Decimal("5000"))

        self.log.info("Mine a new chain: the payment confirms again (re-added to the mempool)")
        new_blocks = node.generatetoaddress(2, payer.getnewaddress())
        tx = payee.gettransaction(txid)
        assert tx["blockhash"] in new_blocks, tx
        assert_equal(tx["confirmations"], 2)
        assert_equal(payee.getbalance(), Decimal("5"))

        self.log.info("Reconsider the old block: the longer new chain stays active")
        node.reconsiderblock(block)
        assert_equal(payee.gettransaction(txid)["confirmations"], 2)

        self.log.info("A confirmed double spend marks the unconfirmed wallet transaction conflicted")
        before = {(u["txid"], u["vout"]): u["amount"] for u in payer.listunspent()}
        tx_a = payer.sendtoaddress(payee.getnewaddress(), 1)
        spent = node.decoderawtransaction(payer.gettransaction(tx_a)["hex"])["vin"][0]
        value = before[(spent["txid"], spent["vout"])]
        raw = node.createrawtransaction([{"txid": spent["txid"], "vout": spent["vout"]}],
                                        {payer.getnewaddress(): value - Decimal("0.001")})
        signed = payer.signrawtransactionwithwallet(raw)
        assert_equal(signed["complete"], True)
        tx_b = node.decoderawtransaction(signed["hex"])["txid"]
        node.generateblock(payer.getnewaddress(), [signed["hex"]])
        assert_equal(payer.gettransaction(tx_b)["confirmations"], 1)
        assert_equal(payer.gettransaction(tx_a)["confirmations"], -1)
        assert_equal(payee.gettransaction(tx_a)["confirmations"], -1)
        assert tx_a not in node.getrawmempool()
        # The conflicted payment counts nowhere; the double spend's output is trusted.
        assert all(u["txid"] != tx_a for u in payer.listunspent(0) + payee.listunspent(0))
        assert any(u["txid"] == tx_b for u in payer.listunspent())


if __name__ == "__main__":
    WalletReorgTest().main()
