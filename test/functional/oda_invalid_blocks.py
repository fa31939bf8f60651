#!/usr/bin/env python3
"""Blocks that break the ODA execution rules (doc/oda-protocol.md sections 2.5, 4 and 7), built by
hand with the test framework's own payload codec on a model made of real files (oda-model,
importmodelfile): a wrong result bit, a missing / extra / out-of-order result output, no result
payload, a false compute-unit total, a false claimed score (add-model and update-weights), a missing
royalty, a transaction over the compute limit. Each is rejected by submitblock with its reason, and
sent over P2P its sender is disconnected (the block is invalid, not waiting). The correct block,
built the same way with outputs from `oda-model infer`, is accepted; the node's own miner writes
the same result payload, from its execution cache; a transaction whose file the node lacks is refused by
the mempool (oda-files-missing), so no template carries it."""
import copy

from test_framework.blocktools import MiniWallet, add_witness_commitment, block_from_hex, create_block_for_node
from test_framework.messages import COutPoint, CTransaction, CTxIn, CTxOut, hex_to_hash, uint256_from_bytes
from test_framework.oda import add_model, coinbase_result, infer, oda_script, result, update_weights
from test_framework.oda_model_files import ModelFiles, import_file
from test_framework.p2p import P2PPeer
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

FEE = 20_000
OWNER_VALUE = 10_000
ROYALTY = 100_000
SAMPLES = 60
MAX_TX_COMPUTE_UNITS = 100_000_000_000  # regtest ConsensusParams (doc/oda-protocol.md section 4)


class OdaInvalidBlocksTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def outpoint(self, txid, n):
        return COutPoint(uint256_from_bytes(hex_to_hash(txid)), n)

    def build(self, outputs):
        """A transaction funded and changed by the main wallet, `outputs` first (not sent)."""
        funding = self.wallet.get_utxo()
        tx = CTransaction()
        tx.vin = [CTxIn(self.outpoint(funding["txid"], funding["vout"]), b"", 0xFFFFFFFD)]
        tx.vout = [CTxOut(v, s) for s, v in outputs]
        tx.vout.append(CTxOut(funding["value"] - FEE - sum(v for _, v in outputs), self.wallet.script_pubkey))
        self.wallet.sign_tx(tx, [CTxOut(funding["value"], self.wallet.script_pubkey)], inputs=[0])
        return tx

    def block_with(self, txs, res):
        """A solved block on the tip with `txs` and, if res is not None, the result payload
        res = (compute_units, outputs) in the coinbase (before the witness commitment)."""
        block = create_block_for_node(self.nodes[0], txlist=txs, fees=FEE * len(txs), solve=False)
        if res is not None:
            block.vtx[0].vout.insert(1, CTxOut(0, oda_script(result(*res))))
        add_witness_commitment(block)
        block.solve()
        return block

    def reject(self, block, reason, name):
        node = self.nodes[0]
        tip = node.getbestblockhash()
        assert_equal(node.submitblock(block.serialize().hex()), reason)
        assert_equal(node.getbestblockhash(), tip)
        # The same rule over P2P (a fresh variant: the node remembers the first as invalid).
        block.nonce += 1
        block.solve()
        p = P2PPeer("127.0.0.1", node.p2p_port)
        p.handshake(start_height=node.getblockcount())
        p.send_message("block", block.serialize())
        assert p.is_closed(timeout=15), f"{name}: sender not disconnected"
        assert_equal(node.getbestblockhash(), tip)
        self.log.info(f"  {name}: {reason}, sender disconnected")

    def run_test(self):
        node = self.nodes[0]
        owner = MiniWallet(node, label="owner")
        files = ModelFiles(self.config["environment"]["BUILDDIR"], self.options.tmpdir + "/files")
        arch, encoding, cost = files.architecture("mlp.json")
        data = files.dataset("data.odad", [4], SAMPLES, 2, seed=5)
        w0, w1 = files.weights(arch, "w0.odaw", 3), files.weights(arch, "w1.odaw", 4)
        score0, score1 = files.score(arch, w0, data), files.score(arch, w1, data)
        data_c, w0_c, w1_c = (import_file(node, p) for p in (data, w0, w1))

        self.log.info("add-model with a false initial score: bad-oda-score")
        lie = self.build([(owner.script_pubkey, OWNER_VALUE),
                          (oda_script(add_model(architecture=encoding, dataset=data_c, samples=SAMPLES, weights=w0_c,
                                                score=score0 + 1, royalty=ROYALTY, min_improvement=0)), 0)])
        self.reject(self.block_with([lie], (cost(SAMPLES), [])), "bad-oda-score", "false initial score")

        self.log.info("add-model over the per-transaction compute limit: bad-oda-cu")
        samples = (MAX_TX_COMPUTE_UNITS - cost.per_run) // cost.per_sample + 1
        big = self.build([(owner.script_pubkey, OWNER_VALUE),
                          (oda_script(add_model(architecture=encoding, dataset=data_c, samples=samples, weights=w0_c,
                                                score=score0, royalty=ROYALTY, min_improvement=0)), 0)])
        self.reject(self.block_with([big], (cost(samples), [])), "bad-oda-cu", "transaction over the compute limit")

        self.log.info("The true add-model, mined by the node: its coinbase carries the compute units")
        add_tx = self.build([(owner.script_pubkey, OWNER_VALUE),
                             (oda_script(add_model(architecture=encoding, dataset=data_c, samples=SAMPLES, weights=w0_c,
                                                   score=score0, royalty=ROYALTY, min_improvement=0)), 0)])
        node.sendrawtransaction(add_tx.serialize().hex())
        self.wallet.rescan()
        block_hash = self.wallet.generate(1)[0]
        mined = block_from_hex(node.getblock(block_hash, 0))
        assert_equal(coinbase_result(mined), (cost(SAMPLES), []))
        model = add_tx.txid
        assert_equal(node.getmodel(model)["current_score"], score0)

        self.log.info("update-weights with a false claimed score: bad-oda-score")
        claim = max(score0, score1 + 1)
        upd = self.build([(oda_script(update_weights(model, w1_c, claim, self.wallet.script_pubkey)), 0)])
        self.reject(self.block_with([upd], (cost(SAMPLES), [])), "bad-oda-score", "false claimed score")

        self.log.info("Three infers: the result must give each output, bit for bit, in block order")
        inputs = [[1, 2, 3, 4], [-128, 127, 0, 64], [100, -100, 50, -50]]
        infers = [self.build([(owner.script_pubkey, ROYALTY), (oda_script(infer(model, w0_c[0], x)), 0)]) for x in inputs]
        outputs = [files.infer(arch, w0, x) for x in inputs]
        assert outputs[0] != outputs[1] and outputs[1] != outputs[2]
        total = 3 * cost(1)

        flipped = copy.deepcopy(outputs)
        flipped[1][1][0] ^= 1
        self.reject(self.block_with(infers, (total, flipped)), "bad-oda-result", "wrong result bit")
        self.reject(self.block_with(infers, (total, outputs[:2])), "bad-oda-result", "missing output")
        self.reject(self.block_with(infers, (total, outputs + [outputs[0]])), "bad-oda-result", "extra output")
        self.reject(self.block_with(infers, (total, [outputs[0], outputs[2], outputs[1]])), "bad-oda-result",
                    "out-of-order outputs")
        self.reject(self.block_with(infers, None), "bad-oda-result", "no result payload")
        self.reject(self.block_with(infers, (total + 1, outputs)), "bad-oda-cu", "false compute total")

        self.log.info("An infer that does not pay the owner its royalty: bad-oda-royalty")
        unpaid = self.build([(owner.script_pubkey, ROYALTY - 1), (oda_script(infer(model, w0_c[0], inputs[0])), 0)])
        self.reject(self.block_with([unpaid], (cost(1), [outputs[0]])), "bad-oda-royalty", "missing royalty")

        self.log.info("The correct block, built by hand with oda-model's outputs, is accepted")
        good = self.block_with(infers, (total, outputs))
        assert_equal(node.submitblock(good.serialize().hex()), None)
        assert_equal(node.getbestblockhash(), good.hash)

        self.log.info("The node's miner writes the same outputs for the same work, from the execution cache")
        before = node.getexecutioncacheinfo()["outputs"]
        for tx in infers:
            tx2 = self.build([(owner.script_pubkey, ROYALTY), (oda_script(infer(model, w0_c[0], inputs[infers.index(tx)])), 0)])
            node.sendrawtransaction(tx2.serialize().hex())
        self.wallet.rescan()
        mined = block_from_hex(node.getblock(self.wallet.generate(1)[0], 0))
        assert_equal(len(mined.vtx), 4)
        cu, outs = coinbase_result(mined)
        assert_equal(cu, total)
        # The pool orders them by fee rate (all equal: by txid); each output is its input's.
        by_input = {bytes(v & 0xff for v in x): o for x, o in zip(inputs, outputs)}
        for tx, out in zip(mined.vtx[1:], outs):
            payload = [o.script_pubkey for o in tx.vout if o.script_pubkey.startswith(b"\x6a\x04ODA1")][0]
            assert_equal(list(out[1]), by_input[payload[-4:]][1])
        # Same model, version and inputs as the block connected above: the mempool on arrival,
        # assembly, the template check and the connection of the mined block each found the 3
        # outputs in the cache.
        after = node.getexecutioncacheinfo()["outputs"]
        assert_equal(after["misses"], before["misses"])
        assert_equal(after["hits"], before["hits"] + 12)

        self.log.info("A transaction whose file the node lacks never enters the pool (so no template)")
        unknown_weights = ("ab" * 32, 1234)
        lacking = self.build([(owner.script_pubkey, OWNER_VALUE),
                              (oda_script(add_model(architecture=encoding, dataset=data_c, samples=SAMPLES,
                                                    weights=unknown_weights, score=score0, min_improvement=0)), 0)])
        assert_raises_rpc_error(-26, "oda-files-missing", node.sendrawtransaction, lacking.serialize().hex())
        self.wallet.rescan()
        mined = block_from_hex(node.getblock(self.wallet.generate(1)[0], 0))
        assert_equal(len(mined.vtx), 1)
        assert_equal(coinbase_result(mined), None)  # no compute in the block: no result output

if __name__ == "__main__":
    OdaInvalidBlocksTest().main()
