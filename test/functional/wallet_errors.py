#!/usr/bin/env python3
"""wallet_errors: bad address, insufficient funds, bad fee rate, bad amounts, locked wallet,
wallet names: clear messages with the right codes, and no partial state left behind."""
from decimal import Decimal

from test_framework.util import assert_equal, assert_raises_rpc_error
from walletutil import WalletTestFramework, create_funded_wallet


class WalletErrorsTest(WalletTestFramework):
    def state(self, w):
        return (w.getbalances(), sorted((u["txid"], u["vout"]) for u in w.listunspent(0)),
                len(w.listtransactions("*", 1000)), self.nodes[0].getrawmempool())

    def run_test(self):
        node = self.nodes[0]
        assert_raises_rpc_error(-18, "No wallet is loaded", node.getbalance)
        w = create_funded_wallet(node, "w")
        dest = w.getnewaddress()
        before = self.state(w)

        self.log.info("Bad addresses")
        assert_raises_rpc_error(-5, "Invalid address", w.sendtoaddress, "notanaddress", 1)
        # A mainnet address on regtest, and a bech32 (v0) address.
        assert_raises_rpc_error(-5, "Invalid address", w.sendtoaddress, "oda1p" + dest[6:], 1)
        assert_raises_rpc_error(-5, "Invalid address", w.sendtoaddress, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", 1)
        assert_raises_rpc_error(-5, "Invalid address", w.getaddressinfo, "roda1qqqqq")
        assert_raises_rpc_error(-5, "Unknown address type", w.getnewaddress, "", "bech32")

        self.log.info("Bad amounts and fee rates")
        assert_raises_rpc_error(-3, "Amount out of range", w.sendtoaddress, dest, -1)
        assert_raises_rpc_error(-3, "Invalid amount", w.sendtoaddress, dest, 0)
        assert_raises_rpc_error(-3, "Invalid amount", w.sendtoaddress, dest, "1.000000001")
        assert_raises_rpc_error(-4, "Transaction amount too small", w.sendtoaddress, dest, Decimal("0.00000100"))
        assert_raises_rpc_error(-3, "Invalid fee_rate", w.sendtoaddress, dest, 1, "", "", False, None, None, None, None, -1)
        assert_raises_rpc_error(-8, "Invalid fee_rate", w.sendtoaddress, dest, 1, "", "", False, None, None, None, None, 0)
        assert_raises_rpc_error(-8, "Invalid fee_rate", w.sendtoaddress, dest, 1, "", "", False, None, None, None, None, "0.0001")
        assert_raises_rpc_error(-4, "lower than the minimum fee rate", w.sendtoaddress, dest, 1, "", "", False, None, None, None, None, "0.5")
        assert_raises_rpc_error(-8, "too high", w.sendtoaddress, dest, 1, "", "", False, None, None, None, None, 20000)

        self.log.info("Insufficient funds")
        assert_raises_rpc_error(-6, "Insufficient funds", w.sendtoaddress, dest, 51)
        assert_raises_rpc_error(-6, "Insufficient funds", w.sendmany, "", {dest: 30, w.getnewaddress(): 30})

        self.log.info("Locked wallet")
        w.encryptwallet("pw")
        assert_raises_rpc_error(-13, "Error: Please enter the wallet passphrase with walletpassphrase first.", w.sendtoaddress, dest, 1)
        assert_raises_rpc_error(-14, "incorrect", w.walletpassphrase, "nope", 10)

        self.log.info("No partial state: nothing changed after all those failures")
        after = self.state(w)
        assert_equal(after[0], before[0])
        assert_equal(after[1], before[1])
        assert_equal(after[2], before[2])
        assert_equal(after[3], before[3])

        self.log.info("Wallet names and files")
        node.createwallet("w2")
        node.unloadwallet("w2")
        assert_raises_rpc_error(-36, "already exists", node.createwallet, "w2")
        assert_raises_rpc_error(-35, "already loaded", node.createwallet, "w")
        assert_raises_rpc_error(-18, "does not exist", node.loadwallet, "nosuch")
        assert_raises_rpc_error(-4, "Invalid wallet name", node.createwallet, "../evil")
        assert_raises_rpc_error(-18, "not loaded", node.unloadwallet, "nosuch")
        assert_raises_rpc_error(-5, "non-wallet transaction", w.gettransaction, "00" * 32)
        assert_raises_rpc_error(-5, "non-wallet transaction", w.abandontransaction, "00" * 32)
        assert_raises_rpc_error(-8, "Invalid start_height", w.rescanblockchain, 100000)


if __name__ == "__main__":
    WalletErrorsTest().main()
