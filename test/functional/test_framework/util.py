"""Assertions and small helpers shared by the functional tests."""
from decimal import Decimal, ROUND_DOWN
import json
import os
import re
import time

from .authproxy import JSONRPCException

# Ports: each concurrently running test gets its own block of ports, chosen from --portseed
# (the test's process id by default) so parallel runs never collide.
# Stay below Linux's ephemeral range (32768+), where outgoing connections take their ports.
PORT_MIN = 21000
PORT_SLOTS = 700
PORTS_PER_SLOT = 16
MAX_NODES = 8
PORT_SEED = None  # set by the framework before any port is handed out


def _slot():
    if PORT_SEED is None:
        raise AssertionError("PORT_SEED not initialised")
    return PORT_SEED % PORT_SLOTS


def _slot_is_free(slot):
    import socket
    base = PORT_MIN + slot * PORTS_PER_SLOT
    for port in range(base, base + PORTS_PER_SLOT):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def choose_port_seed(seed, attempts=100):
    """seed, or the next seed whose whole port block can be bound right now (other programs on
    the machine, or other test runs, may hold ports of the first choice)."""
    # Step far (353 is prime, so every slot is eventually tried): the runner hands out
    # consecutive seeds, and a neighbour's slot is the worst place to move to.
    for i in range(attempts):
        candidate = seed + i * 353
        if _slot_is_free(candidate % PORT_SLOTS):
            return candidate
    return seed


def p2p_port(n):
    assert 0 <= n < MAX_NODES
    return PORT_MIN + _slot() * PORTS_PER_SLOT + n


def rpc_port(n):
    assert 0 <= n < MAX_NODES
    return PORT_MIN + _slot() * PORTS_PER_SLOT + MAX_NODES + n


# ---- assertions ----------------------------------------------------------------------------
def assert_equal(thing1, thing2, *args):
    if thing1 != thing2 or any(thing1 != arg for arg in args):
        raise AssertionError("not(%s)" % " == ".join(str(arg) for arg in (thing1, thing2) + args))


def assert_not_equal(thing1, thing2):
    if thing1 == thing2:
        raise AssertionError(f"{thing1} == {thing2}")


def assert_greater_than(thing1, thing2):
    if not thing1 > thing2:
        raise AssertionError(f"{thing1} <= {thing2}")


def assert_greater_than_or_equal(thing1, thing2):
    if not thing1 >= thing2:
        raise AssertionError(f"{thing1} < {thing2}")


def assert_true(cond, msg="assertion failed"):
    if not cond:
        raise AssertionError(msg)


def assert_is_hex_string(s, length=None):
    if not isinstance(s, str) or not re.fullmatch(r"[0-9a-f]*", s):
        raise AssertionError(f"not a lower-case hex string: {s!r}")
    if length is not None and len(s) != length:
        raise AssertionError(f"hex string {s!r} has length {len(s)}, expected {length}")


def assert_is_hash_string(s):
    assert_is_hex_string(s, 64)


def assert_raises(exc, fun, *args, **kwds):
    try:
        fun(*args, **kwds)
    except exc:
        return
    raise AssertionError(f"{exc.__name__} not raised")


def assert_raises_message(exc, message, fun, *args, **kwds):
    try:
        fun(*args, **kwds)
    except exc as e:
        if message is not None and message not in str(e):
            raise AssertionError(f"expected message {message!r} not in {str(e)!r}")
        return
    raise AssertionError(f"{exc.__name__} not raised")


def assert_raises_rpc_error(code, message, fun, *args, **kwds):
    """Run fun(*args, **kwds) and check it raises a JSON-RPC error.

    code: the expected error code (None: any). message: a substring the error message must contain
    (None: any). Returns the error dict so a test can look further.
    """
    try:
        fun(*args, **kwds)
    except JSONRPCException as e:
        err = e.error or {}
        if code is not None and err.get("code") != code:
            raise AssertionError(f"unexpected JSONRPC error code {err.get('code')} (expected {code}): {err}")
        if message is not None and message not in str(err.get("message", "")):
            raise AssertionError(f"expected substring {message!r} not in error message {err.get('message')!r}")
        return err
    except Exception as e:
        raise AssertionError(f"unexpected exception raised: {type(e).__name__}: {e}")
    raise AssertionError("no JSONRPC error raised")


def assert_array_result(object_array, to_match, expected, should_not_find=False):
    """Every object in object_array matching all key/values of to_match also has expected's values."""
    num_matched = 0
    for item in object_array:
        if any(item.get(k) != v for k, v in to_match.items()):
            continue
        if should_not_find:
            num_matched += 1
            continue
        for k, v in expected.items():
            if item.get(k) != v:
                raise AssertionError(f"{item} : expected {k}={v}")
        num_matched += 1
    if num_matched == 0 and not should_not_find:
        raise AssertionError(f"no objects matched {to_match}")
    if num_matched > 0 and should_not_find:
        raise AssertionError(f"objects were found {to_match}")


# ---- amounts ------------------------------------------------------------------------------
def satoshi_round(amount):
    return Decimal(amount).quantize(Decimal("0.00000001"), rounding=ROUND_DOWN)


def to_sats(amount):
    """Coins (Decimal/str/int) -> integer base units."""
    return int((Decimal(amount) * 100_000_000).to_integral_exact())


def from_sats(units):
    return (Decimal(units) / Decimal(100_000_000)).quantize(Decimal("0.00000001"))


# ---- waiting ------------------------------------------------------------------------------
def wait_until(predicate, *, timeout=60, poll=0.05, msg=None):
    """Poll predicate() until it is true; AssertionError after timeout seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(poll)
    if predicate():
        return
    raise AssertionError(msg or f"predicate {getattr(predicate, '__name__', predicate)} not true after {timeout} s")


def sync_blocks(rpc_connections, *, timeout=60):
    """Wait until all nodes have the same best block."""
    def same_tip():
        return len({n.getbestblockhash() for n in rpc_connections}) == 1
    wait_until(same_tip, timeout=timeout,
               msg="block sync timed out: " + ", ".join(str(n.getbestblockhash()) for n in rpc_connections))


def sync_mempools(rpc_connections, *, timeout=60):
    """Wait until all nodes have the same set of mempool transactions."""
    def same_pool():
        return len({tuple(sorted(n.getrawmempool())) for n in rpc_connections}) == 1
    wait_until(same_pool, timeout=timeout, msg="mempool sync timed out")


def get_datadir_path(dirname, n):
    return os.path.join(dirname, f"node{n}")


def pretty(obj):
    return json.dumps(obj, indent=1, default=str)
