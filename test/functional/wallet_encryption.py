#!/usr/bin/env python3
"""wallet_encryption: encryptwallet, signing refused while locked (-13), walletpassphrase
(wrong passphrase -14, timeout relocks), walletlock, walletpassphrasechange, keys at rest."""
import os
import time
from decimal import Decimal

from test_framework.util import assert_equal, assert_raises_rpc_error
from walletutil import WalletTestFramework, create_funded_wallet, wallet_rpc

LOCKED = "Error: Please enter the wallet passphrase with walletpassphrase first."


class WalletEncryptionTest(WalletTestFramework):
    def run_test(self):
        node = self.nodes[0]
        w = create_funded_wallet(node, "w")
        xprvs = [d["desc"] for d in w.listdescriptors(True)["descriptors"]]

        self.log.info("Encrypt: the wallet is locked afterwards")
        assert_raises_rpc_error(-15, "unencrypted wallet", w.walletlock)
        w.encryptwallet("secret one")
        assert_raises_rpc_error(-15, "encrypted wallet", w.encryptwallet, "again")
        assert_equal(w.getwalletinfo()["unlocked_until"], 0)
        dest = w.getnewaddress()  # public derivation still works while locked
        assert_raises_rpc_error(-13, LOCKED, w.sendtoaddress, dest, 1)
        assert_raises_rpc_error(-13, LOCKED, w.listdescriptors, True)
        assert_equal(w.getbalance(), Decimal("50"))

        self.log.info("The private keys are not in the file in clear")
        path = os.path.join(node.datadir, "regtest", "wallets", "w", "wallet.dat")
        with open(path, "rb") as f:
            data = f.read()
        for desc in xprvs:
            xprv = desc[desc.index("]") + 1:desc.index("/", desc.index("]"))]
            assert xprv.encode() not in data, "private key found in clear in the wallet file"

        self.log.info("Wrong passphrase is refused; the right one unlocks")
        assert_raises_rpc_error(-14, "passphrase entered was incorrect", w.walletpassphrase, "wrong", 60)
        w.walletpassphrase("secret one", 600)
        assert w.getwalletinfo()["unlocked_until"] > time.time()
        assert_equal(sorted(d["desc"] for d in w.listdescriptors(True)["descriptors"]), sorted(xprvs))
        txid = w.sendtoaddress(dest, 1)
        assert_equal(w.gettransaction(txid)["confirmations"], 0)

        self.log.info("walletlock locks again")
        w.walletlock()
        assert_raises_rpc_error(-13, LOCKED, w.sendtoaddress, dest, 1)

        self.log.info("Timeout relocks")
        w.walletpassphrase("secret one", 1)
        self.wait_until(lambda: w.getwalletinfo()["unlocked_until"] == 0, timeout=30)
        assert_raises_rpc_error(-13, LOCKED, w.sendtoaddress, dest, 1)

        self.log.info("walletpassphrasechange")
        assert_raises_rpc_error(-14, "incorrect", w.walletpassphrasechange, "wrong", "secret two")
        w.walletpassphrasechange("secret one", "secret two")
        assert_raises_rpc_error(-14, "incorrect", w.walletpassphrase, "secret one", 10)
        w.walletpassphrase("secret two", 10)
        w.sendtoaddress(dest, 1)
        w.walletlock()

        self.log.info("Encryption survives a restart")
        self.restart_node(0, ["-fallbackfee=0.0002", "-wallet=w"])
        w = wallet_rpc(self.nodes[0], "w")
        assert_raises_rpc_error(-13, LOCKED, w.sendtoaddress, dest, 1)
        w.walletpassphrase("secret two", 10)
        w.sendtoaddress(dest, 1)

        self.log.info("createwallet with a passphrase starts encrypted")
        self.nodes[0].createwallet("enc", False, False, "pw")
        e = wallet_rpc(self.nodes[0], "enc")
        assert "unlocked_until" in e.getwalletinfo()


if __name__ == "__main__":
    WalletEncryptionTest().main()
