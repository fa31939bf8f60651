#!/usr/bin/env python3
"""Hostile bytes from a peer: bad checksum, wrong magic, oversize length, unknown command,
truncated payloads, a version with garbage fields, floods. The node stays up, keeps serving
its honest peer, and disconnects the sender where the policy says so. The senders here are all
on 127.0.0.1, which is never discouraged (every local node shares it): after a score of 100 the
next connection from the host is accepted and works."""
import struct

from test_framework.p2p import (MAGIC_MAIN, P2PPeer, connect_nodes, frame_message, msg_version,
                                ser_compact_size, ser_getheaders, ser_inv)
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, wait_until


class P2PInvalidMessagesTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = True

    def setup_network(self):
        self.add_nodes(self.num_nodes, self.extra_args)
        self.start_nodes()
        # node0 dials node1: the honest link survives node0 disconnecting misbehaving inbound peers.
        connect_nodes(self.nodes[0], self.nodes[1])

    def peer(self):
        p = P2PPeer("127.0.0.1", self.nodes[0].p2p_port)
        p.handshake()
        return p

    def reset(self):
        self.nodes[0].clearbanned()

    def fresh_local_peer_works(self):
        """A new connection from 127.0.0.1 completes the handshake and gets answers."""
        q = P2PPeer("127.0.0.1", self.nodes[0].p2p_port)
        q.handshake()
        q.sync_with_ping()
        q.send_message("getheaders", ser_getheaders([self.nodes[0].getblockhash(0)]))
        payload = q.wait_for("headers", timeout=10)
        assert payload[0] > 0, "no headers in the answer"
        q.close()

    def honest_still_served(self):
        n0, n1 = self.nodes
        tip = n1.generatetoaddress(1, self.addr)[0]
        wait_until(lambda: n0.getbestblockhash() == tip, timeout=30)

    def run_test(self):
        from test_framework.blocktools import MiniWallet
        self.addr = MiniWallet(self.nodes[1]).address
        node = self.nodes[0]
        self.honest_still_served()

        self.log.info("Unknown command: ignored, connection kept")
        p = self.peer()
        p.send_message("bogus", b"\x01\x02")
        p.sync_with_ping()
        p.close()

        self.log.info("Bad checksum: message dropped, connection kept (penalty 10)")
        p = self.peer()
        bad = bytearray(frame_message("ping", struct.pack("<Q", 5)))
        bad[20] ^= 0xff
        p.send_raw(bytes(bad))
        p.sync_with_ping()
        self.log.info("... ten of them: disconnected")
        for _ in range(10):
            p.send_raw(bytes(bad))
        assert p.is_closed(timeout=10)
        self.reset()

        self.log.info("Wrong magic: disconnected")
        p = self.peer()
        p.send_raw(frame_message("ping", struct.pack("<Q", 1), magic=MAGIC_MAIN))
        assert p.is_closed(timeout=10)

        self.log.info("Oversize length in a header: disconnected before any payload is read")
        p = self.peer()
        hdr = bytearray(frame_message("block", b""))
        hdr[16:20] = struct.pack("<I", 32 * 1000 * 1000)
        p.send_raw(bytes(hdr))
        assert p.is_closed(timeout=10)

        self.log.info("Command not NUL padded: disconnected")
        p = self.peer()
        raw = bytearray(frame_message("ping", struct.pack("<Q", 1)))
        raw[4 + 6] = ord("x")  # "ping\0\0x..."
        p.send_raw(bytes(raw))
        assert p.is_closed(timeout=10)

        self.log.info("Truncated payload (ping with 4 bytes, score 100): disconnected")
        p = self.peer()
        p.send_message("ping", b"\x00\x01\x02\x03")
        assert p.is_closed(timeout=10)
        wait_until(lambda: len([x for x in node.getpeerinfo() if x["inbound"]]) == 0, timeout=10)
        self.log.info("... 127.0.0.1 is not discouraged: a fresh connection from it is accepted and works")
        self.fresh_local_peer_works()
        self.log.info("... and so is an honest local node's")
        n1 = self.nodes[1]
        connect_nodes(n1, node)
        wait_until(lambda: any(x["inbound"] for x in node.getpeerinfo()), timeout=10)
        self.honest_still_served()

        self.log.info("Truncated headers, inv with too many entries: disconnected")
        for cmd, payload in (("headers", ser_compact_size(1) + b"\x00" * 40),
                             ("inv", ser_compact_size(50001) + b"\x00" * 36),
                             ("getheaders", struct.pack("<I", 70016) + ser_compact_size(500))):
            p = self.peer()
            p.send_message(cmd, payload)
            assert p.is_closed(timeout=10), cmd
            self.reset()

        self.log.info("Version with garbage fields (user agent of 100 KB): disconnected")
        p = P2PPeer("127.0.0.1", node.p2p_port)
        v = bytearray(msg_version())
        garbage = v[:80] + ser_compact_size(100000) + b"A" * 100
        p.send_message("version", bytes(garbage))
        assert p.is_closed(timeout=10)
        self.reset()
        self.log.info("Version cut in the middle of the addresses: disconnected")
        p = P2PPeer("127.0.0.1", node.p2p_port)
        p.send_message("version", bytes(v[:30]))
        assert p.is_closed(timeout=10)
        self.reset()

        self.log.info("Messages before version: disconnected")
        p = P2PPeer("127.0.0.1", node.p2p_port)
        p.send_message("ping", struct.pack("<Q", 1))
        assert p.is_closed(timeout=10)

        self.log.info("Flood of unrequested copies of a known block: disconnected")
        best = node.getbestblockhash()
        block_hex = node.getblock(best, 0)
        p = self.peer()
        for _ in range(6):
            p.send_message("block", bytes.fromhex(block_hex))
        assert p.is_closed(timeout=10)
        self.reset()

        self.log.info("A flood of 4 MB of pings that the sender never reads: the node stays up")
        p = self.peer()
        ping = frame_message("ping", struct.pack("<Q", 7))
        p.sock.settimeout(5)
        try:
            p.send_raw(ping * 150000)
        except OSError:
            pass  # the node stops reading (back-pressure): fine
        p.close()
        self.honest_still_served()
        assert_equal(node.getconnectioncount() >= 1, True)

        self.log.info("Random garbage: disconnected, node up")
        p = P2PPeer("127.0.0.1", node.p2p_port)
        p.send_raw(bytes(range(256)) * 20)
        assert p.is_closed(timeout=10)
        self.fresh_local_peer_works()
        self.honest_still_served()


if __name__ == "__main__":
    P2PInvalidMessagesTest().main()
