#!/usr/bin/env python3
"""wallet_descriptors: listdescriptors (public and private), importdescriptors of a public tr()
descriptor into a watch-only wallet (rescan finds its coins; new addresses match), private
import into a blank wallet that then spends, checksum and range errors."""
from decimal import Decimal

from test_framework.util import assert_equal, assert_raises_rpc_error
from walletutil import WalletTestFramework, wallet_rpc


class WalletDescriptorsTest(WalletTestFramework):
    def set_test_params(self):
        self.set_wallet_test_params(extra_args=["-keypool=20"])

    def run_test(self):
        node = self.nodes[0]
        node.createwallet("hot")
        hot = wallet_rpc(node, "hot")
        descs = hot.listdescriptors()["descriptors"]
        assert_equal(len(descs), 2)
        receive = [d for d in descs if not d["internal"]][0]
        change = [d for d in descs if d["internal"]][0]
        for d in descs:
            assert d["desc"].startswith("tr([") and "/86'/1'/0']tpub" in d["desc"], d["desc"]
            assert_equal(d["active"], True)
        assert receive["desc"].split("#")[0].endswith("/0/*)")
        assert change["desc"].split("#")[0].endswith("/1/*)")
        priv = hot.listdescriptors(True)["descriptors"]
        assert all("tprv" in d["desc"] for d in priv)

        addrs = [hot.getnewaddress() for _ in range(3)]
        node.generatetoaddress(101, addrs[2])
        assert_equal(hot.getbalance(), Decimal("50"))

        self.log.info("Watch-only import of the public receive descriptor with a rescan")
        node.createwallet("watch", True, True)
        watch = wallet_rpc(node, "watch")
        assert_equal(watch.listdescriptors()["descriptors"], [])
        res = watch.importdescriptors([{"desc": receive["desc"], "timestamp": 0, "active": True,
                                        "range": [0, 10], "next_index": 3}])
        assert_equal(res[0]["success"], True, )
        assert_equal(watch.getbalance(), Decimal("50"))
        assert_equal(watch.getbalances()["mine"]["immature"], Decimal("5000"))
        # The same descriptor derives the same next address.
        assert_equal(watch.getnewaddress(), hot.getnewaddress())
        info = watch.getaddressinfo(addrs[0])
        assert_equal(info["ismine"], True)
        assert_equal(info["iswatchonly"], True)
        # A watch-only wallet cannot sign.
        assert_raises_rpc_error(-4, "Private keys are disabled", watch.sendtoaddress, addrs[0], 1)

        self.log.info("importdescriptors errors: bad checksum, unsupported type, private into watch-only")
        bad = receive["desc"][:-1] + ("q" if receive["desc"][-1] != "q" else "p")
        res = watch.importdescriptors([{"desc": bad, "timestamp": "now"}])
        assert_equal(res[0]["success"], False)
        assert "does not match" in res[0]["error"]["message"], res
        res = watch.importdescriptors([{"desc": "wpkh(02" + "11" * 32 + ")", "timestamp": "now"}])
        assert_equal(res[0]["success"], False)
        res = watch.importdescriptors([{"desc": priv[0]["desc"], "timestamp": "now"}])
        assert_equal(res[0]["success"], False)
        assert "private keys disabled" in res[0]["error"]["message"]
        res = watch.importdescriptors([{"desc": receive["desc"].split("#")[0], "timestamp": "now"}])
        assert_equal(res[0]["success"], False)
        assert "Missing checksum" in res[0]["error"]["message"]

        self.log.info("getdescriptorinfo and deriveaddresses")
        info = node.getdescriptorinfo(receive["desc"].split("#")[0])
        assert_equal(info["descriptor"], receive["desc"])
        assert_equal(info["checksum"], receive["desc"].split("#")[1])
        assert_equal((info["isrange"], info["hasprivatekeys"]), (True, False))
        assert_equal(node.getdescriptorinfo(priv[0]["desc"])["hasprivatekeys"], True)
        assert_equal(node.deriveaddresses(receive["desc"], [0, 2]), addrs)
        assert_equal(node.deriveaddresses(receive["desc"], 0), addrs[:1])
        assert_raises_rpc_error(-8, "Range must be specified", node.deriveaddresses, receive["desc"])
        assert_raises_rpc_error(-8, "Range is too large", node.deriveaddresses, receive["desc"], [0, 10000])
        assert_raises_rpc_error(-5, "Missing checksum", node.deriveaddresses, receive["desc"].split("#")[0], 1)
        assert_raises_rpc_error(-5, "only tr(KEY)", node.getdescriptorinfo, "wpkh(02" + "11" * 32 + ")")

        self.log.info("Hardened steps after a private key: the public form starts below them")
        # tr([fp/86'/1'/0']tprv/0/*) -> tr([fp/86'/1'/0']tprv/0h/*) has a hardened step an xpub
        # cannot take; the wallet must store and derive the equivalent xpub form.
        body = priv[0]["desc"].split("#")[0].replace("/0/*)", "/7h/*)").replace("/1/*)", "/7h/*)")
        hard = node.getdescriptorinfo(body)
        assert "/86'/1'/0'/7']tpub" in hard["descriptor"] and "/7'" not in hard["descriptor"].split("]")[1], hard
        expected = node.deriveaddresses(hard["descriptor"], [0, 1])
        assert_equal(node.deriveaddresses(body + "#" + hard["checksum"], [0, 1]), expected)
        node.createwallet("hardened", False, True)
        hardened = wallet_rpc(node, "hardened")
        res = hardened.importdescriptors([{"desc": body + "#" + hard["checksum"], "timestamp": "now", "active": True}])
        assert all(r["success"] for r in res), res
        assert_equal(hardened.listdescriptors()["descriptors"][0]["desc"], hard["descriptor"])
        assert_equal([hardened.getnewaddress(), hardened.getnewaddress()], expected)
        assert_equal(hardened.getaddressinfo(expected[1])["hdkeypath"], "m/86'/1'/0'/7'/1")
        hardened.unloadwallet()
        node.loadwallet("hardened")  # what was stored parses again
        assert_equal(hardened.getaddressinfo(expected[0])["ismine"], True)

        self.log.info("Private import into a blank wallet: it spends")
        node.createwallet("restored", False, True)
        restored = wallet_rpc(node, "restored")
        reqs = [{"desc": d["desc"], "timestamp": 0, "active": d["active"], "internal": d["internal"]} for d in priv]
        res = restored.importdescriptors(reqs)
        assert all(r["success"] for r in res), res
        assert_equal(restored.getbalance(), Decimal("50"))
        txid = restored.sendtoaddress(addrs[0], 1)
        assert_equal(restored.gettransaction(txid)["confirmations"], 0)
        node.generatetoaddress(1, addrs[1])
        assert_equal(hot.gettransaction(txid)["confirmations"], 1)


if __name__ == "__main__":
    WalletDescriptorsTest().main()
