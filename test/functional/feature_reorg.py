#!/usr/bin/env python3
"""invalidateblock / reconsiderblock across blocks that carry transactions: the UTXO set, the
chain tips and the mempool are right after each step."""
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

UTXO_KEYS = ("height", "bestblock", "txouts", "total_amount", "transactions")


class FeatureReorgTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def utxo_summary(self):
        info = self.node.gettxoutsetinfo()
        summary = {k: info[k] for k in UTXO_KEYS if k in info}
        for k in ("hash_serialized_3", "hash_serialized_2", "hash_serialized", "muhash"):
            if k in info:
                summary[k] = info[k]
        return summary

    def run_test(self):
        self.node = node = self.nodes[0]
        wallet = self.wallet
        base_height = node.getblockcount()
        base_hash = node.getbestblockhash()
        base_utxos = self.utxo_summary()

        self.log.info("Block A: three spends of matured coinbases")
        a_txs = [wallet.send_self_transfer() for _ in range(3)]
        block_a = wallet.generate(1)[0]
        utxos_a = self.utxo_summary()
        self.log.info("Block B: a spend of an output created in A, and a spend of another coinbase")
        b_txs = [wallet.send_self_transfer(utxo_to_spend=wallet.get_utxo(txid=a_txs[0]["txid"])),
                 wallet.send_self_transfer()]
        block_b = wallet.generate(1)[0]
        utxos_b = self.utxo_summary()
        all_txids = sorted(t["txid"] for t in a_txs + b_txs)
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getblockcount(), base_height + 2)

        self.log.info("invalidateblock A: both blocks disconnect, their transactions return to the mempool")
        node.invalidateblock(block_a)
        assert_equal(node.getbestblockhash(), base_hash)
        assert_equal(node.getblockcount(), base_height)
        assert_equal(self.utxo_summary(), base_utxos)
        assert_equal(sorted(node.getrawmempool()), all_txids)
        for t in a_txs:
            coin = t["spent"][0]
            assert node.gettxout(coin["txid"], coin["vout"], False) is not None, "spent coinbase not restored"
            assert_equal(node.gettxout(t["txid"], 0, False), None)
        tips = {t["hash"]: t for t in node.getchaintips()}
        assert_equal(tips[base_hash]["status"], "active")
        assert_equal(tips[block_b]["status"], "invalid")
        assert_equal(tips[block_b]["branchlen"], 2)
        # The disconnected coinbases are gone from the UTXO set too.
        for h in (block_a, block_b):
            cb = node.getblock(h)["tx"][0]
            assert_equal(node.gettxout(cb, 0, False), None)

        self.log.info("A competing block on the old tip confirms the returned transactions")
        block_c = node.generatetoaddress(1, wallet.address)[0]
        mined = node.getblock(block_c)["tx"]
        assert_equal(sorted(mined[1:]), all_txids)
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getblockcount(), base_height + 1)

        self.log.info("reconsiderblock A: the longer A-B chain wins again")
        node.reconsiderblock(block_a)
        assert_equal(node.getbestblockhash(), block_b)
        assert_equal(node.getblockcount(), base_height + 2)
        assert_equal(self.utxo_summary(), utxos_b)
        assert_equal(node.getrawmempool(), [])  # all of C's transactions are confirmed in A/B
        tips = {t["hash"]: t for t in node.getchaintips()}
        assert_equal(tips[block_b]["status"], "active")
        assert tips[block_c]["status"] in ("valid-fork", "valid-headers"), tips[block_c]
        assert_equal(tips[block_c]["branchlen"], 1)
        cb_c = node.getblock(block_c)["tx"][0]
        assert_equal(node.gettxout(cb_c, 0, False), None)

        self.log.info("invalidateblock B only: B's transactions return, A's stay confirmed")
        node.invalidateblock(block_b)
        assert_equal(node.getbestblockhash(), block_a)
        assert_equal(self.utxo_summary(), utxos_a)
        assert_equal(sorted(node.getrawmempool()), sorted(t["txid"] for t in b_txs))
        self.log.info("A mempool transaction conflicting with nothing survives another reorg")
        wallet.rescan()
        extra = wallet.send_self_transfer()
        node.reconsiderblock(block_b)
        assert_equal(node.getbestblockhash(), block_b)
        assert_equal(node.getrawmempool(), [extra["txid"]])
        assert_equal(self.utxo_summary(), utxos_b)

        self.log.info("Unknown block hashes give -5")
        assert_raises_rpc_error(-5, "Block not found", node.invalidateblock, "00" * 32)
        assert_raises_rpc_error(-5, "Block not found", node.reconsiderblock, "00" * 32)

        self.log.info("The final state survives a restart")
        self.restart_node(0)
        assert_equal(node.getbestblockhash(), block_b)
        assert_equal(self.utxo_summary(), utxos_b)
        tips = {t["hash"]: t for t in node.getchaintips()}
        assert_equal(tips[block_b]["status"], "active")


if __name__ == "__main__":
    FeatureReorgTest().main()
