#!/usr/bin/env python3
"""Invalid blocks from a peer: bad proof of work, bad merkle root, a bad signature, too much
weight, a coinbase paying too much. Each is rejected, never relayed to the honest peer, the
sender is disconnected (its address, 127.0.0.1, is not discouraged: every local node shares
it), and the honest chain is kept."""
from test_framework.blocktools import create_block_for_node
from test_framework.messages import CTxOut
from test_framework.p2p import P2PPeer, connect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error, sync_blocks, wait_until


class P2PInvalidBlocksTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = False

    def setup_network(self):
        self.setup_nodes()
        connect_nodes(self.nodes[1], self.nodes[0])
        sync_blocks(self.nodes, timeout=120)

    def send_bad_block(self, block, name):
        n0, n1 = self.nodes
        tip = n0.getbestblockhash()
        p = P2PPeer("127.0.0.1", n0.p2p_port)
        p.handshake(start_height=n0.getblockcount())
        p.send_message("block", block.serialize())
        assert p.is_closed(timeout=15), f"{name}: sender not disconnected"
        assert_equal(n0.getbestblockhash(), tip)
        # A loopback address is not discouraged: a new connection from it is accepted.
        q = P2PPeer("127.0.0.1", n0.p2p_port)
        q.handshake(start_height=n0.getblockcount())
        q.sync_with_ping()
        q.close()
        # Never relayed: the honest peer does not even know the header.
        n0.ping()
        assert_raises_rpc_error(-5, None, n1.getblockheader, block.hash)
        self.log.info(f"  {name}: rejected, sender disconnected, not relayed")

    def run_test(self):
        n0, n1 = self.nodes
        wallet = self.wallet
        start_tip = n0.getbestblockhash()

        self.log.info("Bad proof of work")
        block = create_block_for_node(n0, solve=False)
        while block.is_valid_pow():
            block.nonce += 1
        self.send_bad_block(block, "bad-pow")

        self.log.info("Bad merkle root")
        block = create_block_for_node(n0, solve=False)
        block.hashMerkleRoot ^= 1
        while not block.is_valid_pow():  # solve() would recompute the merkle root
            block.nonce += 1
        self.send_bad_block(block, "bad-merkle")

        self.log.info("Bad signature")
        good = wallet.create_self_transfer()
        tx = good["tx"]
        sig = bytearray(tx.wit[0].stack[0])
        sig[10] ^= 1
        tx.wit[0].stack[0] = bytes(sig)
        block = create_block_for_node(n0, txlist=[tx], fees=good["fee"])
        self.send_bad_block(block, "bad-signature")

        self.log.info("Too much weight")
        block = create_block_for_node(n0, solve=False)
        block.vtx[0].vout.append(CTxOut(0, b"\x6a" + b"\x00" * 1_010_000))
        block.hashMerkleRoot = block.calc_merkle_root()
        block.solve()
        assert block.get_weight() > 4_000_000
        self.send_bad_block(block, "too-much-weight")

        self.log.info("Coinbase paying too much")
        block = create_block_for_node(n0, fees=1)
        self.send_bad_block(block, "coinbase-overpay")

        self.log.info("The honest chain is kept and still syncs")
        assert_equal(n0.getbestblockhash(), start_tip)
        tip = n0.generatetoaddress(2, wallet.address)[-1]
        wait_until(lambda: n1.getbestblockhash() == tip, timeout=60)


if __name__ == "__main__":
    P2PInvalidBlocksTest().main()
