#!/usr/bin/env python3
"""Address book: an outbound peer's address is remembered, answered to getaddr, persisted in
peers.dat across a restart and used for automatic outbound connections."""
import os
import struct

from test_framework.p2p import P2PPeer, connect_nodes
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, wait_until


def parse_addr(payload):
    n = payload[0]
    assert n < 0xfd
    out = []
    for i in range(n):
        rec = payload[1 + 30 * i: 1 + 30 * (i + 1)]
        ip = ".".join(str(b) for b in rec[24:28])  # time 4, services 8, ip 16 (IPv4-mapped), port 2
        port = struct.unpack(">H", rec[28:30])[0]
        out.append((ip, port))
    return out


class P2PAddrTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.setup_clean_chain = True
        self.extra_args = [["-allowlocaladdrs=1"], []]

    def setup_network(self):
        self.add_nodes(self.num_nodes, self.extra_args)
        self.start_nodes()

    def run_test(self):
        n0, n1 = self.nodes
        connect_nodes(n0, n1)

        self.log.info("getaddr from an inbound peer returns the known outbound address")
        p = P2PPeer("127.0.0.1", n0.p2p_port)
        p.handshake()
        p.send_message("getaddr")
        addrs = parse_addr(p.wait_for("addr"))
        assert ("127.0.0.1", n1.p2p_port) in addrs, addrs
        p.close()

        self.log.info("After a restart node 0 reconnects to node 1 from peers.dat by itself")
        self.stop_node(0)
        assert os.path.exists(os.path.join(n0.chain_dir, "peers.dat"))
        wait_until(lambda: n1.getconnectioncount() == 0, timeout=30)
        self.start_node(0)
        wait_until(lambda: any(x["connection_type"] == "outbound-full-relay" and x["handshake_done"]
                               for x in n0.getpeerinfo()), timeout=60)
        assert_equal(n0.getpeerinfo()[0]["addr"], f"127.0.0.1:{n1.p2p_port}")


if __name__ == "__main__":
    P2PAddrTest().main()
