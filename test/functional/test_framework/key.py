"""BIP 340 Schnorr signatures and BIP 341/86 key tweaking in pure Python.

For tests only: constant-time behaviour is NOT a goal. Keys are Python ints (secret keys) and
32-byte x-only public keys (bytes). Functions raise ValueError on out-of-range input; verify()
returns False for anything that is not a valid signature.
"""
import hashlib
import random

from .messages import tagged_hash

# secp256k1 domain parameters.
P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


# ---- group arithmetic in Jacobian coordinates (X, Y, Z); None is the point at infinity ------
def _to_jacobian(pt):
    return None if pt is None else (pt[0], pt[1], 1)


def _from_jacobian(pt):
    if pt is None:
        return None
    x, y, z = pt
    zinv = pow(z, -1, P)
    zinv2 = zinv * zinv % P
    return (x * zinv2 % P, y * zinv2 * zinv % P)


def _jdouble(pt):
    if pt is None:
        return None
    x, y, z = pt
    if y == 0:
        return None
    ysq = y * y % P
    s = 4 * x * ysq % P
    m = 3 * x * x % P
    nx = (m * m - 2 * s) % P
    ny = (m * (s - nx) - 8 * ysq * ysq) % P
    nz = 2 * y * z % P
    return (nx, ny, nz)


def _jadd(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    z1z1 = z1 * z1 % P
    z2z2 = z2 * z2 % P
    u1 = x1 * z2z2 % P
    u2 = x2 * z1z1 % P
    s1 = y1 * z2 * z2z2 % P
    s2 = y2 * z1 * z1z1 % P
    if u1 == u2:
        return _jdouble(p1) if s1 == s2 else None
    h = (u2 - u1) % P
    r = (s2 - s1) % P
    h2 = h * h % P
    h3 = h * h2 % P
    u1h2 = u1 * h2 % P
    nx = (r * r - h3 - 2 * u1h2) % P
    ny = (r * (u1h2 - nx) - s1 * h3) % P
    nz = h * z1 * z2 % P
    return (nx, ny, nz)


def point_mul(pt, k):
    """k * pt for an affine point (or None); returns an affine point or None."""
    result = None
    addend = _to_jacobian(pt)
    k %= N
    while k:
        if k & 1:
            result = _jadd(result, addend)
        addend = _jdouble(addend)
        k >>= 1
    return _from_jacobian(result)


def point_add(p1, p2):
    return _from_jacobian(_jadd(_to_jacobian(p1), _to_jacobian(p2)))


def lift_x(x):
    """The point with x-coordinate x and even y (BIP 340), or None if there is none."""
    if not 0 <= x < P:
        return None
    y_sq = (pow(x, 3, P) + 7) % P
    y = pow(y_sq, (P + 1) // 4, P)
    if y * y % P != y_sq:
        return None
    return (x, y if y % 2 == 0 else P - y)


def _int(b):
    return int.from_bytes(b, "big")


def _bytes(n):
    return n.to_bytes(32, "big")


# ---- BIP 340 ---------------------------------------------------------------------------------
def pubkey_gen(seckey):
    """x-only public key (32 bytes) of a secret key (int or 32 bytes)."""
    d = _int(seckey) if isinstance(seckey, (bytes, bytearray)) else seckey
    if not 1 <= d < N:
        raise ValueError("secret key out of range")
    return _bytes(point_mul(G, d)[0])


def sign_schnorr(seckey, msg, aux_rand=b"\x00" * 32):
    """BIP 340 signature (64 bytes) of a message (any length; 32 bytes for transactions)."""
    d0 = _int(seckey) if isinstance(seckey, (bytes, bytearray)) else seckey
    if not 1 <= d0 < N:
        raise ValueError("secret key out of range")
    if len(aux_rand) != 32:
        raise ValueError("aux_rand must be 32 bytes")
    pt = point_mul(G, d0)
    d = d0 if pt[1] % 2 == 0 else N - d0
    t = _int(tagged_hash("BIP0340/aux", aux_rand)) ^ d
    k0 = _int(tagged_hash("BIP0340/nonce", _bytes(t) + _bytes(pt[0]) + msg)) % N
    if k0 == 0:
        raise ValueError("nonce is zero (negligible probability)")
    r = point_mul(G, k0)
    k = k0 if r[1] % 2 == 0 else N - k0
    e = _int(tagged_hash("BIP0340/challenge", _bytes(r[0]) + _bytes(pt[0]) + msg)) % N
    sig = _bytes(r[0]) + _bytes((k + e * d) % N)
    if not verify_schnorr(_bytes(pt[0]), msg, sig):
        raise RuntimeError("produced signature does not verify")
    return sig


def verify_schnorr(pubkey, msg, sig):
    """True iff sig is a valid BIP 340 signature of msg under the 32-byte x-only pubkey."""
    if len(pubkey) != 32 or len(sig) != 64:
        return False
    pt = lift_x(_int(pubkey))
    if pt is None:
        return False
    r = _int(sig[:32])
    s = _int(sig[32:])
    if r >= P or s >= N:
        return False
    e = _int(tagged_hash("BIP0340/challenge", sig[:32] + pubkey + msg)) % N
    rpt = point_add(point_mul(G, s), point_mul(pt, N - e))
    if rpt is None or rpt[1] % 2 != 0 or rpt[0] != r:
        return False
    return True


# ---- BIP 341 / BIP 86 tweak -----------------------------------------------------------------
def taproot_tweak(internal_pubkey, merkle_root=None):
    """The TapTweak scalar t = H_TapTweak(P || merkle_root) (BIP 86: no merkle root)."""
    data = internal_pubkey + (merkle_root or b"")
    t = _int(tagged_hash("TapTweak", data))
    if t >= N:
        raise ValueError("tweak out of range")
    return t


def tweak_pubkey(internal_pubkey, merkle_root=None):
    """(output x-only key, parity of its y) for an internal x-only key."""
    pt = lift_x(_int(internal_pubkey))
    if pt is None:
        raise ValueError("internal key is not on the curve")
    q = point_add(pt, point_mul(G, taproot_tweak(internal_pubkey, merkle_root)))
    if q is None:
        raise ValueError("tweaked key is infinity")
    return _bytes(q[0]), q[1] % 2


def tweak_seckey(seckey, merkle_root=None):
    """The secret key that signs for tweak_pubkey(pubkey_gen(seckey), merkle_root)."""
    d = _int(seckey) if isinstance(seckey, (bytes, bytearray)) else seckey
    pt = point_mul(G, d)
    if pt[1] % 2:
        d = N - d
    t = taproot_tweak(_bytes(pt[0]), merkle_root)
    return (d + t) % N


class ECKey:
    """A test key: secret scalar, its x-only internal key and its BIP 86 (key-path) output key."""

    def __init__(self, secret):
        self.secret = _int(secret) if isinstance(secret, (bytes, bytearray)) else secret
        if not 1 <= self.secret < N:
            raise ValueError("secret key out of range")
        self.xonly = pubkey_gen(self.secret)
        self.output_key, _ = tweak_pubkey(self.xonly)
        self.tweaked_secret = tweak_seckey(self.secret)

    def script_pubkey(self):
        """OP_1 <32-byte output key>: the only spendable output form."""
        return b"\x51\x20" + self.output_key

    def sign_keypath(self, sighash, aux_rand=b"\x00" * 32):
        return sign_schnorr(self.tweaked_secret, sighash, aux_rand)


def deterministic_key(label):
    """A reproducible test key derived from a label (same label, same key, every run)."""
    d = _int(hashlib.sha256(("oda-test-key/" + str(label)).encode()).digest()) % N
    return ECKey(d or 1)


def random_key(rng=None):
    rng = rng or random.SystemRandom()
    return ECKey(rng.randrange(1, N))
