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
