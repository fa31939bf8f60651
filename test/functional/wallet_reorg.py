#!/usr/bin/env python3
"""wallet_reorg: a confirmed payment becomes unconfirmed when its block is disconnected and
confirms again in the new chain; balances follow; a coinbase of a disconnected block leaves."""
from decimal import Decimal

from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal
from wallet_util import wallet_rpc


class WalletReorgTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True
        self.extra_args = [["-fallbackfee=0.0002"]]

    def skip_test_if_missing_module(self):
        self.skip_if_no_wallet()

    def run_test(self):
        node = self.nodes[0]
        node.createwallet("payer")
        node.createwallet("payee")
        payer, payee = wallet_rpc(node, "payer"), wallet_rpc(node, "payee")
        node.generatetoaddress(101, payer.getnewaddress())
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


if __name__ == "__main__":
    WalletReorgTest().main()
