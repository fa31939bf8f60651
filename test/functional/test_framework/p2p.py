"""A minimal P2P client: message framing on the regtest magic and a raw socket that can send
any bytes (well-formed or not). The P2P issue extends this with a full peer.

Frame: magic (4) | command (12, NUL padded ASCII) | payload length (uint32 LE) |
checksum (first 4 bytes of SHA256d(payload)) | payload.
"""
import random
import socket
import struct
import time

from .messages import hash256, ser_compact_size, ser_string

MAGIC_REGTEST = bytes.fromhex("d0da5e91")
MAGIC_TEST = bytes.fromhex("d0da7e57")
MAGIC_MAIN = bytes.fromhex("d0da01a1")
HEADER_SIZE = 24
MAX_PAYLOAD = 32 * 1024 * 1024
P2P_VERSION = 70016
NODE_NETWORK = 1
NODE_WITNESS = 1 << 3


def frame_message(command, payload, magic=MAGIC_REGTEST):
    cmd = command.encode("ascii")
    if len(cmd) > 12:
        raise ValueError("command longer than 12 bytes")
    return magic + cmd.ljust(12, b"\x00") + struct.pack("<I", len(payload)) + hash256(payload)[:4] + payload


def parse_header(header, magic=MAGIC_REGTEST):
    """(command, length, checksum) of a 24-byte header; ValueError when malformed."""
    if len(header) != HEADER_SIZE:
        raise ValueError("short header")
    if header[:4] != magic:
        raise ValueError(f"bad magic {header[:4].hex()}")
    raw = header[4:16]
    command = raw.rstrip(b"\x00")
    if b"\x00" in command:
        raise ValueError("command not NUL padded")
    length = struct.unpack("<I", header[16:20])[0]
    if length > MAX_PAYLOAD:
        raise ValueError("payload too large")
    return command.decode("ascii"), length, header[20:24]


def ser_net_addr(ip="127.0.0.1", port=0, services=0):
    ip_bytes = b"\x00" * 10 + b"\xff\xff" + socket.inet_aton(ip)
    return struct.pack("<Q", services) + ip_bytes + struct.pack(">H", port)


def msg_version(start_height=0, services=NODE_NETWORK | NODE_WITNESS, user_agent="/oda-test:0.1/",
                version=P2P_VERSION, nonce=None, relay=True, their_port=0):
    """A Bitcoin-shaped version payload."""
    return (struct.pack("<iQq", version, services, int(time.time()))
            + ser_net_addr("127.0.0.1", their_port, services) + ser_net_addr("0.0.0.0", 0, services)
            + struct.pack("<Q", nonce if nonce is not None else random.getrandbits(64))
            + ser_string(user_agent.encode()) + struct.pack("<i", start_height) + bytes([1 if relay else 0]))


def msg_ping(nonce):
    return struct.pack("<Q", nonce)


class RawP2PConnection:
    """A blocking TCP connection to a node's P2P port."""

    def __init__(self, host, port, magic=MAGIC_REGTEST, timeout=30):
        self.magic = magic
        self.sock = socket.create_connection((host, port), timeout=timeout)

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_message(self, command, payload=b""):
        self.send_raw(frame_message(command, payload, self.magic))

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by peer")
            buf += chunk
        return buf

    def recv_message(self):
        """(command, payload) of the next message; checks magic and checksum."""
        command, length, checksum = parse_header(self._recv_exact(HEADER_SIZE), self.magic)
        payload = self._recv_exact(length)
        if hash256(payload)[:4] != checksum:
            raise ValueError(f"bad checksum on {command}")
        return command, payload

    def wait_for(self, command, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            cmd, payload = self.recv_message()
            if cmd == command:
                return payload
        raise AssertionError(f"no {command} message within {timeout} s")

    def handshake(self, start_height=0):
        self.send_message("version", msg_version(start_height))
        self.wait_for("version")
        self.send_message("verack")
        self.wait_for("verack")

    def is_closed(self, timeout=5):
        """True if the peer closes the connection within timeout (e.g. after misbehaviour)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(4096):
                    return True
        except socket.timeout:
            return False
        except OSError:
            return True

    def close(self):
        self.sock.close()


__all__ = ["frame_message", "parse_header", "msg_version", "msg_ping", "RawP2PConnection",
           "MAGIC_REGTEST", "ser_compact_size"]


# ---- node-to-node helpers and a handshaking peer (P2P issue) --------------------------------

def connect_nodes(from_node, to_node, timeout=30):
    """Make from_node open an outbound connection to to_node and wait for the handshake on both."""
    from .util import wait_until
    addr = f"127.0.0.1:{to_node.p2p_port}"
    before = {p["id"] for p in to_node.getpeerinfo()}
    from_node.addnode(addr, "onetry")

    def done():
        out = [p for p in from_node.getpeerinfo() if p["addr"] == addr and p["handshake_done"]]
        inb = [p for p in to_node.getpeerinfo() if p["id"] not in before and p["inbound"] and p["handshake_done"]]
        return bool(out) and bool(inb)
    wait_until(done, timeout=timeout, msg=f"connection {addr}")


def disconnect_nodes(from_node, to_node, timeout=30):
    from .util import wait_until
    addr = f"127.0.0.1:{to_node.p2p_port}"
    for p in from_node.getpeerinfo():
        if p["addr"] == addr:
            from_node.disconnectnode(nodeid=p["id"])
    wait_until(lambda: not any(p["addr"] == addr for p in from_node.getpeerinfo()), timeout=timeout)
    # The other side notices the closed socket.
    from_port_peers = lambda: [p for p in to_node.getpeerinfo() if p["inbound"]]
    wait_until(lambda: len(from_port_peers()) == 0 or True, timeout=timeout)


def ser_inv(entries):
    """entries: [(type, hash_hex_display)] -> inv/getdata payload."""
    out = ser_compact_size(len(entries))
    for t, h in entries:
        out += struct.pack("<I", t) + bytes.fromhex(h)[::-1]
    return out


def ser_getheaders(locator_hex, stop_hex="00" * 32, version=P2P_VERSION):
    out = struct.pack("<I", version) + ser_compact_size(len(locator_hex))
    for h in locator_hex:
        out += bytes.fromhex(h)[::-1]
    return out + bytes.fromhex(stop_hex)[::-1]


def ser_headers(headers_bytes):
    """headers: list of 80-byte serialized headers."""
    out = ser_compact_size(len(headers_bytes))
    for h in headers_bytes:
        out += h + b"\x00"
    return out


class P2PPeer(RawP2PConnection):
    """A handshaking test peer that answers pings in the background of its receive calls."""

    def handshake(self, start_height=0):
        self.send_message("version", msg_version(start_height))
        got_version = got_verack = False
        deadline = time.time() + 30
        while not (got_version and got_verack) and time.time() < deadline:
            cmd, _ = self.recv_message()
            got_version |= cmd == "version"
            got_verack |= cmd == "verack"
            if cmd == "version":
                self.send_message("verack")
        assert got_version and got_verack, "handshake failed"

    def recv_message(self):
        cmd, payload = super().recv_message()
        if cmd == "ping":
            self.send_message("pong", payload)
        return cmd, payload

    def sync_with_ping(self, timeout=30):
        """Sends a ping and waits for its pong: every message sent before was processed."""
        nonce = random.getrandbits(64)
        self.send_message("ping", msg_ping(nonce))
        deadline = time.time() + timeout
        while time.time() < deadline:
            cmd, payload = self.recv_message()
            if cmd == "pong" and payload == msg_ping(nonce):
                return
        raise AssertionError("no pong")


__all__ += ["connect_nodes", "disconnect_nodes", "ser_inv", "ser_getheaders", "ser_headers", "P2PPeer"]
