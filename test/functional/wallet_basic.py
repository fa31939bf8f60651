#!/usr/bin/env python3
"""wallet_basic: mine to a wallet address, send between wallets on two nodes, exact balances
after confirmations including fees; listunspent, listtransactions, gettransaction,
getaddressinfo, sendmany, subtractfeefromamount, fee_rate, multiple wallets and endpoints."""
from decimal import Decimal

from test_framework.p2p import connect_nodes
from test_framework.util import assert_equal, assert_raises_rpc_error, sync_blocks, sync_mempools
from walletutil import COINBASE_MATURITY, WalletTestFramework, copy_blocks, wallet_rpc


class WalletBasicTest(WalletTestFramework):
    def set_test_params(self):
        self.set_wallet_test_params(num_nodes=2)

    def sync(self):
        if self.p2p:
            sync_blocks(self.nodes)
        else:
            copy_blocks(self.nodes[0], self.nodes[1])

    def run_test(self):
        n0, n1 = self.nodes
        # The two nodes talk P2P when the node has it; otherwise blocks are copied by RPC.
        self.p2p = "addnode" in n0.help()
        if self.p2p:
            connect_nodes(n0, n1)
        self.log.info("P2P between the nodes: %s", self.p2p)
        n0.createwallet("w0")
        n1.createwallet("w1")
        w0 = wallet_rpc(n0, "w0")
        w1 = wallet_rpc(n1, "w1")
        assert_equal(n0.listwallets(), ["w0"])
        # Filler blocks pay an address of a wallet that is then unloaded, so no balance moves.
        n1.createwallet("miner")
        self.burn = wallet_rpc(n1, "miner").getnewaddress()
        n1.unloadwallet("miner")

        self.log.info("Addresses are bech32m on the regtest HRP and the wallet knows them")
        addr0 = w0.getnewaddress()
        assert addr0.startswith("roda1p"), addr0
        info = w0.getaddressinfo(addr0)
        assert_equal(info["ismine"], True)
        assert_equal(info["solvable"], True)
        assert_equal(info["ischange"], False)
        assert info["hdkeypath"].startswith("m/86'/1'/0'/0/"), info["hdkeypath"]
        assert info["desc"].startswith("tr(["), info["desc"]
        change = w0.getrawchangeaddress()
        assert_equal(w0.getaddressinfo(change)["ischange"], True)
        assert_equal(w1.getaddressinfo(addr0)["ismine"], False)

        self.log.info("Mined coins are immature for %d blocks", COINBASE_MATURITY)
        n0.generatetoaddress(1, addr0)
        bal = w0.getbalances()["mine"]
        assert_equal(bal["immature"], Decimal("50"))
        assert_equal(bal["trusted"], Decimal("0"))
        n0.generatetoaddress(COINBASE_MATURITY, self.burn)
        self.sync()
        assert_equal(w0.getbalance(), Decimal("50"))
        assert_equal(w0.getbalances()["mine"]["immature"], Decimal("0"))
        utxos = w0.listunspent()
        assert_equal(len(utxos), 1)
        assert_equal(utxos[0]["amount"], Decimal("50"))
        assert_equal(utxos[0]["confirmations"], COINBASE_MATURITY + 1)

        self.log.info("Send from node 0's wallet to node 1's wallet with an explicit fee rate")
        dest = w1.getnewaddress()
        w1_before = w1.getbalance()
        txid = w0.sendtoaddress(dest, 10, "", "", False, None, None, None, None, 2)
        tx = w0.gettransaction(txid)
        fee = -tx["fee"]
        assert fee > 0
        assert_equal(tx["amount"], Decimal("-10"))
        assert_equal(tx["confirmations"], 0)
        vsize = n0.getmempoolentry(txid)["vsize"] if "getmempoolentry" in n0.help() else None
        if vsize is not None:
            # 2 units/vB, rounded up per part: never below the rate, at most a few units above.
            assert fee * 100000000 >= 2 * vsize, (fee, vsize)
            assert fee * 100000000 <= 2 * vsize + 10, (fee, vsize)
        assert_equal(w0.getbalance(), Decimal("40") - fee)  # own change counts at 0 conf
        if self.p2p:
            # Relayed to node 1: the payment shows as untrusted pending there before it confirms.
            sync_mempools(self.nodes)
            assert_equal(w1.getbalances()["mine"]["untrusted_pending"], Decimal("10"))
            assert_equal(w1.getbalance(), w1_before)
        n0.generatetoaddress(1, self.burn)
        self.sync()
        assert_equal(w0.gettransaction(txid)["confirmations"], 1)
        assert_equal(w1.getbalance(), w1_before + Decimal("10"))
        assert_equal(w0.getbalance(), Decimal("40") - fee)
        received = [t for t in w1.listtransactions("*", 1000) if t["txid"] == txid]
        assert_equal(len(received), 1)
        assert_equal(received[0]["category"], "receive")
        assert_equal(received[0]["amount"], Decimal("10"))
        assert_equal(received[0]["address"], dest)
        sent = [t for t in w0.listtransactions("*", 1000) if t["txid"] == txid]
        assert_equal([t["category"] for t in sent], ["send"])
        assert_equal(sent[0]["amount"], Decimal("-10"))
        assert_equal(sent[0]["fee"], -fee)

        self.log.info("sendmany with subtractfeefrom: the recipient pays the fee")
        a, b = w1.getnewaddress(), w1.getnewaddress()
        before0, before1 = w0.getbalance(), w1.getbalance()
        txid2 = w0.sendmany("", {a: 1, b: 2}, 0, "", [b])
        fee2 = -w0.gettransaction(txid2)["fee"]
        n0.generatetoaddress(1, self.burn)
        self.sync()
        assert_equal(w0.getbalance(), before0 - 3)
        assert_equal(w1.getbalance(), before1 + 3 - fee2)
        details = w1.listunspent(1, 9999999, [b])
        assert_equal(len(details), 1)
        assert_equal(details[0]["amount"], Decimal("2") - fee2)

        self.log.info("Unconfirmed own change is trusted; listunspent minconf filters it")
        txid3 = w0.sendtoaddress(w1.getnewaddress(), 1)
        assert all(u["confirmations"] >= 1 for u in w0.listunspent(1))
        assert any(u["txid"] == txid3 for u in w0.listunspent(0))

        self.log.info("Several wallets on one node need the endpoint")
        n0.createwallet("second")
        assert_raises_rpc_error(-19, "Wallet file not specified", n0.getbalance)
        w_second = wallet_rpc(n0, "second")
        assert_equal(w_second.getbalance(), Decimal("0"))
        n0.unloadwallet("second")
        assert_equal(n0.listwallets(), ["w0"])
        n0.loadwallet("second")
        assert_equal(sorted(n0.listwallets()), ["second", "w0"])
        assert_raises_rpc_error(-35, "already loaded", n0.loadwallet, "second")
        assert_raises_rpc_error(-18, "not loaded", wallet_rpc(n0, "nosuch").getbalance)
        # oda-cli -rpcwallet selects the endpoint.
        assert_equal(n0.cli("getbalance", extra=["-rpcwallet=second"]), Decimal("0"))
        assert_equal(n0.cli("getbalance", extra=["-rpcwallet=w0"]), w0.getbalance())

        self.log.info("Wallets survive a restart (-wallet= loads them)")
        bal_before = w0.getbalance()
        self.restart_node(0, ["-fallbackfee=0.0002", "-wallet=w0"])
        w0 = wallet_rpc(self.nodes[0], "w0")
        assert_equal(self.nodes[0].listwallets(), ["w0"])
        assert_equal(w0.getbalance(), bal_before)


if __name__ == "__main__":
    WalletBasicTest().main()
