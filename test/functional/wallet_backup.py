#!/usr/bin/env python3
"""wallet_backup: backupwallet writes a consistent copy; restoring it on a fresh node (which
gets the chain separately) and rescanning finds the same balance and transactions."""
import os
import shutil
from decimal import Decimal

from test_framework.util import assert_equal, assert_raises_rpc_error
from walletutil import WalletTestFramework, copy_blocks, create_funded_wallet, wallet_rpc


class WalletBackupTest(WalletTestFramework):
    def set_test_params(self):
        self.set_wallet_test_params(num_nodes=2)

    def run_test(self):
        n0, n1 = self.nodes
        w = create_funded_wallet(n0, "w")
        n0.createwallet("other")
        other = wallet_rpc(n0, "other")
        w.sendtoaddress(other.getnewaddress(), 7)
        n0.generatetoaddress(1, other.getnewaddress())

        self.log.info("Back up, then keep using the wallet: addresses handed out after the backup")
        backup = os.path.join(self.options.tmpdir, "backup.dat")
        w.backupwallet(backup)
        assert os.path.getsize(backup) > 0
        assert_raises_rpc_error(-4, "backup failed", w.backupwallet, os.path.join(self.options.tmpdir, "no", "such", "dir", "x.dat"))
        late = w.getnewaddress()
        other.sendtoaddress(late, 3)
        n0.generatetoaddress(1, other.getnewaddress())
        balance = w.getbalance()
        txids = sorted(t["txid"] for t in w.listtransactions("*", 1000))

        self.log.info("Restore on a fresh node: the keypool lookahead finds the later payment")
        copy_blocks(n0, n1)
        dest_dir = os.path.join(n1.datadir, "regtest", "wallets", "restored")
        os.makedirs(dest_dir)
        shutil.copyfile(backup, os.path.join(dest_dir, "wallet.dat"))
        n1.loadwallet("restored")
        r = wallet_rpc(n1, "restored")
        # Loading catches up from the backup's best block; an explicit rescan changes nothing.
        assert_equal(r.getbalance(), balance)
        res = r.rescanblockchain()
        assert_equal(res["start_height"], 0)
        assert_equal(res["stop_height"], n1.getblockcount())
        assert_equal(r.getbalance(), balance)
        assert_equal(sorted(t["txid"] for t in r.listtransactions("*", 1000)), txids)
        assert_equal(r.getaddressinfo(late)["ismine"], True)
        # At height 103 the coinbases of heights 1..3 are mature: 150 - 7 sent - fee + 3 received.
        send = [t for t in w.listtransactions("*", 1000) if t["category"] == "send"][0]
        assert_equal(balance, Decimal("150") - 7 + send["fee"] + 3)


if __name__ == "__main__":
    WalletBackupTest().main()
