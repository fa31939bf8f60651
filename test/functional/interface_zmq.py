#!/usr/bin/env python3
"""interface_zmq: the -zmqpub* notifications (doc/zmq.md). hashblock/rawblock for every connected
block, hashtx/rawtx for mempool and block transactions, the sequence topic through a wallet send
and a reorg ('D' for the old blocks tip first, then 'C' for the new ones, then the returned
transaction's 'A'), gapless per-topic sequence numbers, getzmqnotifications, the ODA topics
(`model` when an add-model / update-weights connects, `inference` with the block's output of each
infer), and the start-up error for an address that cannot be bound."""
import hashlib
import json
import os
import re
import socket
import subprocess
import struct
import sys

try:
    import zmq
except ImportError as e:
    print(f"interface_zmq: skipped, python3 zmq module unavailable ({e})")
    sys.exit(77)

from test_framework.util import assert_equal
from walletutil import COINBASE_MATURITY, WalletTestFramework, copy_blocks, create_funded_wallet, wallet_rpc

RECV_TIMEOUT_MS = 30000  # a safety net against a hang, not a timing assertion


def hash256_display(data):
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()[::-1].hex()


class Subscriber:
    """One SUB socket on one address; checks that each topic's sequence number is gapless."""

    def __init__(self, ctx, address, topics):
        self.sock = ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.RCVTIMEO, RECV_TIMEOUT_MS)
        for t in topics:
            self.sock.setsockopt(zmq.SUBSCRIBE, t.encode())
        self.sock.connect(address)
        self.next_seq = {}
        self.pending = []  # messages read ahead and put back

    def recv(self):
        if self.pending:
            return self.pending.pop(0)
        frames = self.sock.recv_multipart()
        assert_equal(len(frames), 3)
        topic, body, seq = frames[0].decode(), frames[1], frames[2]
        assert_equal(len(seq), 4)
        (n,) = struct.unpack("<I", seq)
        if topic in self.next_seq:  # the first message after subscribing may be any number
            assert_equal(n, self.next_seq[topic])
        self.next_seq[topic] = (n + 1) & 0xffffffff
        return topic, body

    def recv_until(self, topic, body_prefix):
        """Messages up to and including the first `topic` message whose body starts with body_prefix."""
        out = []
        while True:
            msg = self.recv()
            out.append(msg)
            if msg[0] == topic and msg[1].startswith(body_prefix):
                return out


def seq_msg(body):
    """(hash hex, label, mempool sequence or None) of a sequence body."""
    label = chr(body[32])
    if label in "CD":
        assert_equal(len(body), 33)
        return body[:32].hex(), label, None
    assert_equal(len(body), 41)
    return body[:32].hex(), label, struct.unpack("<Q", body[33:])[0]


class ZMQTest(WalletTestFramework):
    def set_test_params(self):
        self.set_wallet_test_params(num_nodes=2)

    def skip_test_if_missing_module(self):
        self.skip_if_no_wallet()
        self.skip_if_no_zmq()

    def setup_network(self):
        d = self.options.tmpdir
        self.addr_block = f"ipc://{d}/zmq_block"
        self.addr_tx = f"ipc://{d}/zmq_tx"
        self.addr_seq = f"ipc://{d}/zmq_seq"
        self.addr_oda = f"ipc://{d}/zmq_oda"
        self.extra_args[0] += [
            f"-zmqpubhashblock={self.addr_block}", f"-zmqpubrawblock={self.addr_block}",
            f"-zmqpubhashtx={self.addr_tx}", f"-zmqpubrawtx={self.addr_tx}", "-zmqpubrawtxhwm=2000",
            f"-zmqpubsequence={self.addr_seq}",
            f"-zmqpubinference={self.addr_oda}", f"-zmqpubmodel={self.addr_oda}",
        ]
        self.setup_nodes()

    def expect_blocks(self, node, hashes):
        """The next block and tx messages are exactly those of `hashes` (connected, in order)."""
        for h in hashes:
            block_hex = node.getblock(h, 0)
            assert_equal(self.blocks.recv(), ("hashblock", bytes.fromhex(h)))
            topic, raw = self.blocks.recv()
            assert_equal(topic, "rawblock")
            assert_equal(hash256_display(raw[:80]), h)
            assert_equal(raw.hex(), block_hex)
            for txid in node.getblock(h)["tx"]:
                assert_equal(self.txs.recv(), ("hashtx", bytes.fromhex(txid)))
                topic, raw_tx = self.txs.recv()
                assert_equal(topic, "rawtx")
                assert raw_tx.hex() in block_hex
            assert_equal(seq_msg(self.expect_topic(self.seq, "sequence")), (h, "C", None))

    @staticmethod
    def expect_topic(sub, topic):
        t, body = sub.recv()
        assert_equal(t, topic)
        return body

    def run_test(self):
        n0, n1 = self.nodes
        ctx = zmq.Context()
        try:
            self.run_checks(ctx, n0, n1)
        finally:
            ctx.destroy(linger=0)

    def run_checks(self, ctx, n0, n1):
        self.log.info("getzmqnotifications lists every topic in option order, with its hwm")
        assert_equal(n0.getzmqnotifications(), [
            {"type": "pubhashblock", "address": self.addr_block, "hwm": 1000},
            {"type": "pubrawblock", "address": self.addr_block, "hwm": 1000},
            {"type": "pubhashtx", "address": self.addr_tx, "hwm": 1000},
            {"type": "pubrawtx", "address": self.addr_tx, "hwm": 2000},
            {"type": "pubsequence", "address": self.addr_seq, "hwm": 1000},
            {"type": "pubinference", "address": self.addr_oda, "hwm": 1000},
            {"type": "pubmodel", "address": self.addr_oda, "hwm": 1000},
        ])
        assert_equal(n1.getzmqnotifications(), [])

        self.blocks = Subscriber(ctx, self.addr_block, ["hashblock", "rawblock"])
        self.txs = Subscriber(ctx, self.addr_tx, ["hashtx", "rawtx"])
        self.seq = Subscriber(ctx, self.addr_seq, ["sequence"])
        self.oda = Subscriber(ctx, self.addr_oda, ["inference", "model"])

        self.log.info("Warm up: mine until every subscriber receives (a SUB socket misses what precedes its connection)")
        n0.createwallet("burn")
        burn = wallet_rpc(n0, "burn").getnewaddress()
        got = set()
        for _ in range(50):
            n0.generatetoaddress(1, burn)
            for sub in (self.blocks, self.txs, self.seq):
                sub.sock.setsockopt(zmq.RCVTIMEO, 200)
                try:
                    sub.recv()
                    got.add(sub)
                except zmq.Again:
                    pass
                sub.sock.setsockopt(zmq.RCVTIMEO, RECV_TIMEOUT_MS)
            if len(got) == 3:
                break
        assert_equal(len(got), 3)
        # Every subscription is live now: skip to the end of one more block's messages.
        last = n0.generatetoaddress(1, burn)[0]
        coinbase = n0.getblock(last)["tx"][0]
        self.blocks.recv_until("hashblock", bytes.fromhex(last))
        self.expect_topic(self.blocks, "rawblock")
        self.txs.recv_until("hashtx", bytes.fromhex(coinbase))
        self.expect_topic(self.txs, "rawtx")
        self.seq.recv_until("sequence", bytes.fromhex(last))

        self.log.info("Mined blocks: hashblock, rawblock, their transactions, 'C', all gapless")
        w = create_funded_wallet(n0, "w")
        tip = n0.getblockcount()
        mined = [n0.getblockhash(h) for h in range(tip - COINBASE_MATURITY, tip + 1)]
        self.expect_blocks(n0, mined)

        self.log.info("Sync node 1 (no ZMQ) by submitblock")
        copy_blocks(n0, n1)

        self.log.info("A wallet send, then node 0 mines 2 blocks, the first with the send")
        txid = w.sendtoaddress(w.getnewaddress(), 1)
        raw_tx = n0.getrawtransaction(txid)
        pool_seq = n0.getrawmempool(False, True)["mempool_sequence"]
        a_blocks = n0.generatetoaddress(2, burn)
        assert txid in n0.getblock(a_blocks[0])["tx"]
        # One notifier sends everything in event order, so the send's hashtx (if the node emits
        # mempool events) comes before the block's coinbase hashtx: no timing involved.
        first = self.txs.recv()
        self.mempool_events = first == ("hashtx", bytes.fromhex(txid))
        if self.mempool_events:
            self.log.info("Mempool addition: hashtx, rawtx and 'A' with the mempool sequence")
            assert_equal(self.expect_topic(self.txs, "rawtx").hex(), raw_tx)
            assert_equal(seq_msg(self.expect_topic(self.seq, "sequence")), (txid, "A", pool_seq))
        else:
            self.log.warning("node 0 emits no mempool events (TransactionAddedToMempool is not signalled "
                             "yet): the hashtx/rawtx/'A' checks of mempool transactions are skipped")
            self.txs.pending.append(first)
        # The block's own transaction leaves the pool with reason BLOCK: no 'R', the 'C' says it.
        self.expect_blocks(n0, a_blocks)
        b_blocks = n1.generatetoaddress(3, burn)

        self.log.info("Node 0 learns node 1's longer chain: 'D' tip first, then 'C' in chain order")
        copy_blocks(n1, n0)
        labels = [seq_msg(self.expect_topic(self.seq, "sequence"))[:2] for _ in range(5)]
        assert_equal(labels, [(a_blocks[1], "D"), (a_blocks[0], "D"),
                              (b_blocks[0], "C"), (b_blocks[1], "C"), (b_blocks[2], "C")])
        for h in b_blocks:
            assert_equal(self.blocks.recv(), ("hashblock", bytes.fromhex(h)))
            assert_equal(hash256_display(self.expect_topic(self.blocks, "rawblock")[:80]), h)
        if self.mempool_events:
            self.log.info("... then 'A' for the send, back in the mempool")
            h, label, mseq = seq_msg(self.expect_topic(self.seq, "sequence"))
            assert_equal((h, label), (txid, "A"))
            assert txid in n0.getrawmempool()

        self.check_oda_topics(n0, w, burn)

        self.log.info("An address that cannot be bound stops the node at start-up with a clear error")
        blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            blocker.bind(("127.0.0.1", 0))
            blocker.listen(1)
            port = blocker.getsockname()[1]
            self.stop_node(1)
            n1.assert_start_raises_init_error(
                [f"-zmqpubhashtx=tcp://127.0.0.1:{port}"],
                f"Error: Unable to bind ZeroMQ socket for -zmqpubhashtx to address tcp://127.0.0.1:{port}")
        finally:
            blocker.close()

    def check_oda_topics(self, n0, w, burn):
        self.log.info("ODA topics: `model` for an add-model and an update-weights, `inference` with the output")
        tool = os.path.join(self.config["environment"]["BUILDDIR"], "src", "oda-model")
        work = os.path.join(self.options.tmpdir, "model")
        os.makedirs(work)
        arch = {"version": 1, "input_shape": [4], "objective": "accuracy",
                "layers": [{"kind": "dense", "out_features": 3, "per_channel": False}], "logits_output": True}
        with open(os.path.join(work, "m.json"), "w") as f:
            json.dump(arch, f)

        def run(*args):
            return subprocess.run([tool, *args], cwd=work, check=True, stdout=subprocess.PIPE, text=True).stdout
        run("make-dataset", "--shape", "4", "--count", "60", "--classes", "3", "--seed", "2", "-o", "d.odad")
        run("init", "m.json", "-o", "a.odaw", "--seed", "1")
        added = w.addmodel(arch, os.path.join(work, "a.odaw"), os.path.join(work, "d.odad"), {"min_improvement": 0})
        n0.generatetoaddress(1, burn)
        root = n0.getmodel(added["modelid"])["version_list"][0]["weights"]["pieces_root"]
        topic, body = self.oda.recv()
        assert_equal(topic, "model")
        assert_equal((body[:32].hex(), body[32:64].hex(), struct.unpack("<q", body[64:72])[0], body[72], len(body)),
                     (added["modelid"], root, added["score"], 1, 73))
        up = w.updateweights(added["modelid"], os.path.join(work, "a.odaw"))  # equal score: minimum improvement 0
        sent = w.sendinference(added["modelid"], [1, -2, 3, -4])
        n0.generatetoaddress(1, burn)
        got = n0.getinference(sent["txid"])
        topic, body = self.oda.recv()
        assert_equal(topic, "inference")
        assert_equal((body[:32].hex(), body[32:64].hex()), (sent["txid"], added["modelid"]))
        kind, count = body[64], struct.unpack("<I", body[65:69])[0]
        values = list(struct.unpack(f"<{count}i", body[69:]))
        assert_equal((kind, values), (1, got["output"]))
        out = run("infer", "m.json", "--weights", "a.odaw", "--input", bytes(v & 0xFF for v in [1, -2, 3, -4]).hex())
        assert_equal(values, [int(v) for v in re.search(r"output \[\d+\] \(int32 logits\): \[([^\]]*)\]", out).group(1).split(",")])
        topic, body = self.oda.recv()
        assert_equal((topic, body[:32].hex(), body[32:64].hex(), struct.unpack("<q", body[64:72])[0], body[72]),
                     ("model", added["modelid"], root, up["score"], 3))


if __name__ == "__main__":
    ZMQTest().main()
