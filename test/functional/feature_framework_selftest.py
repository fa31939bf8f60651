#!/usr/bin/env python3
"""Self-test of the test framework itself (needs no node).

Checks the pure-Python pieces against the standards' vectors: BIP 340 Schnorr signing and
verification, BIP 341 key-path tweak, signature message and signatures, BIP 350 bech32m,
Bitcoin serialization and hashes, P2P framing, the JSON-RPC client against a local HTTP stub,
and MiniWallet's signatures.
"""
import csv
import decimal
import http.server
import json
import os
import threading

from test_framework.address import (
    HRP_REGTEST, bech32_decode, decode_segwit_address, encode_segwit_address, taproot_address,
    address_to_script_pubkey, BECH32M_CONST,
)
from test_framework.authproxy import AuthServiceProxy, JSONRPCException
from test_framework.blocktools import (
    MiniWallet, add_witness_commitment, block_subsidy, coinbase_script_sig, create_block,
    create_coinbase, push_int, script_num,
)
from test_framework.key import ECKey, deterministic_key, pubkey_gen, sign_schnorr, tweak_pubkey, tweak_seckey, verify_schnorr
from test_framework.messages import (
    COIN, CBlock, CBlockHeader, CTxOut, hash256, merkle_root, taproot_signature_hash,
    taproot_signature_msg, tx_from_hex, block_from_hex, deser_compact_size, ser_compact_size,
)
from test_framework.p2p import frame_message, parse_header
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises, assert_raises_rpc_error, to_sats, from_sats

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
import io


class FrameworkSelfTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 0
        self.setup_clean_chain = True

    def setup_network(self):
        pass

    def run_test(self):
        self.test_bip340()
        self.test_bip341_keypath()
        self.test_bech32m()
        self.test_serialization()
        self.test_blocks()
        self.test_p2p_framing()
        self.test_authproxy()
        self.test_miniwallet_signing()
        self.test_missing_binary_is_a_failure()

    def test_bip340(self):
        self.log.info("BIP 340 vectors")
        with open(os.path.join(DATA, "bip340_vectors.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) >= 15
        for row in rows:
            pubkey = bytes.fromhex(row["public key"])
            msg = bytes.fromhex(row["message"])
            sig = bytes.fromhex(row["signature"])
            expected = row["verification result"] == "TRUE"
            if row["secret key"]:
                seckey = bytes.fromhex(row["secret key"])
                assert_equal(pubkey_gen(seckey), pubkey)
                assert_equal(sign_schnorr(seckey, msg, bytes.fromhex(row["aux_rand"])), sig)
            assert_equal(verify_schnorr(pubkey, msg, sig), expected)
            if expected:  # flipping one bit must break a valid signature
                bad = bytearray(sig)
                bad[63] ^= 1
                assert_equal(verify_schnorr(pubkey, msg, bytes(bad)), False)

    def test_bip341_keypath(self):
        self.log.info("BIP 341 key-path vectors")
        with open(os.path.join(DATA, "bip341_keypath_vectors.json")) as f:
            vec = json.load(f)
        tx = tx_from_hex(vec["rawUnsignedTx"])
        assert_equal(tx.serialize().hex(), vec["rawUnsignedTx"])
        spent = [CTxOut(amount, bytes.fromhex(spk)) for spk, amount in vec["utxosSpent"]]
        for case in vec["inputSpending"]:
            i = case["txinIndex"]
            merkle = bytes.fromhex(case["merkleRoot"]) if case["merkleRoot"] else None
            seckey = bytes.fromhex(case["internalPrivkey"])
            assert_equal(pubkey_gen(seckey).hex(), case["internalPubkey"])
            output_key, _ = tweak_pubkey(pubkey_gen(seckey), merkle)
            assert_equal(b"\x51\x20" + output_key, spent[i].script_pubkey)
            tweaked = tweak_seckey(seckey, merkle)
            assert_equal(tweaked.to_bytes(32, "big").hex(), case["tweakedPrivkey"])
            msg = taproot_signature_msg(tx, spent, case["hashType"], i)
            assert_equal(("00" + msg.hex()), case["sigMsg"])
            sighash = taproot_signature_hash(tx, spent, case["hashType"], i)
            assert_equal(sighash.hex(), case["sigHash"])
            sig = sign_schnorr(tweaked, sighash)
            if case["hashType"]:
                sig += bytes([case["hashType"]])
            assert_equal(sig.hex(), case["witness"])
            assert verify_schnorr(output_key, sighash, sig[:64])
        signed = tx_from_hex(vec["fullySignedTx"])
        assert_equal(signed.serialize().hex(), vec["fullySignedTx"])
        assert_equal(signed.txid_bytes(), hash256(signed.serialize_without_witness()))
        assert signed.wtxid != signed.txid
        assert_equal(signed.get_weight(), 3 * len(signed.serialize_without_witness()) + len(signed.serialize()))
        assert_raises(ValueError, tx_from_hex, vec["fullySignedTx"] + "00")
        assert_raises(ValueError, tx_from_hex, vec["fullySignedTx"][:-2])

    def test_bech32m(self):
        self.log.info("BIP 350 bech32m")
        for s in ["A1LQFN3A", "a1lqfn3a", "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
                  "split1checkupstagehandshakeupstreamerranterredcaperredlc445v", "?1v759aa"]:
            hrp, data, const = bech32_decode(s)
            assert hrp is not None, s
            assert_equal(const, BECH32M_CONST)
        for s in ["A1G7SGD8", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "a1lqfn3b", "1lqfn3a", "A1LQfN3A"]:
            hrp, data, const = bech32_decode(s)
            assert hrp is None or const != BECH32M_CONST, s
        ver, prog = decode_segwit_address("bc", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")
        assert_equal(ver, 1)
        assert_equal(prog.hex(), "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        key = deterministic_key("selftest")
        addr = taproot_address(key.output_key)
        assert addr.startswith("roda1p")
        assert_equal(address_to_script_pubkey(addr), key.script_pubkey())
        assert_equal(decode_segwit_address("toda", addr), (None, None))  # wrong network
        corrupted = addr[:-1] + ("q" if addr[-1] != "q" else "p")
        assert_equal(decode_segwit_address(HRP_REGTEST, corrupted), (None, None))
        assert_equal(encode_segwit_address("oda", 1, key.output_key)[:4], "oda1")

    def test_serialization(self):
        self.log.info("CompactSize, script numbers, amounts")
        for n in [0, 1, 0xFC, 0xFD, 0xFFFF, 0x10000, 0xFFFFFFFF, 0x100000000]:
            b = ser_compact_size(n)
            assert_equal(deser_compact_size(io.BytesIO(b), max_size=1 << 64), n)
        assert_raises(ValueError, deser_compact_size, io.BytesIO(bytes.fromhex("fd0100")))  # non-canonical
        assert_raises(ValueError, deser_compact_size, io.BytesIO(bytes.fromhex("fe")))      # truncated
        assert_equal(script_num(0), b"")
        assert_equal(script_num(127), b"\x7f")
        assert_equal(script_num(128), b"\x80\x00")
        assert_equal(script_num(-1), b"\x81")
        assert_equal(script_num(256), b"\x00\x01")
        assert_equal(push_int(1), b"\x51")
        assert_equal(push_int(17), b"\x01\x11")
        assert_equal(coinbase_script_sig(1), b"\x51\x00")
        assert_equal(coinbase_script_sig(500), b"\x02\xf4\x01")
        assert_equal(block_subsidy(0), 50 * COIN)
        assert_equal(block_subsidy(149), 50 * COIN)
        assert_equal(block_subsidy(150), 25 * COIN)
        assert_equal(to_sats("0.00000001"), 1)
        assert_equal(to_sats(decimal.Decimal("50")), 50 * COIN)
        assert_equal(from_sats(12345), decimal.Decimal("0.00012345"))

    def test_blocks(self):
        self.log.info("block header hash, merkle root, witness commitment, solving")
        # Bitcoin's genesis header: a well-known hash checks header serialization and SHA256d.
        genesis = CBlockHeader().deserialize(io.BytesIO(bytes.fromhex(
            "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e"
            "67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c")))
        assert_equal(genesis.hash, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
        a, b, c = (hash256(bytes([i])) for i in range(3))
        assert_equal(merkle_root([a]), a)
        assert_equal(merkle_root([a, b, c]), hash256(hash256(a + b) + hash256(c + c)))
        key = deterministic_key("selftest")
        cb = create_coinbase(5, key.script_pubkey())
        assert cb.is_coinbase()
        block = create_block("00" * 32, cb, 1_700_000_000)
        assert_equal(len(block.vtx[0].vout), 1)  # no witness tx: no commitment
        block.solve()
        assert block.is_valid_pow()
        again = block_from_hex(block.serialize().hex())
        assert_equal(again.hash, block.hash)
        add_witness_commitment(block)
        commitment = block.vtx[0].vout[-1].script_pubkey
        assert_equal(commitment[:6].hex(), "6a24aa21a9ed")
        assert_equal(len(commitment), 38)
        assert_equal(block.vtx[0].wit[0].stack, [b"\x00" * 32])
        assert_equal(block.hashMerkleRoot, block.calc_merkle_root())

    def test_p2p_framing(self):
        self.log.info("P2P framing")
        msg = frame_message("verack", b"")
        assert_equal(msg.hex(), "d0da5e91" + b"verack".ljust(12, b"\x00").hex() + "00000000" + "5df6e0e2")
        assert_equal(parse_header(msg), ("verack", 0, bytes.fromhex("5df6e0e2")))
        assert_raises(ValueError, parse_header, b"\x00" * 24)

    def test_authproxy(self):
        self.log.info("JSON-RPC client against a local stub server")
        seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                seen.append((self.headers.get("Authorization"), body))
                if self.headers.get("Authorization") != "Basic dXNlcjpwYXNz":  # user:pass
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if body["method"] == "fail":
                    reply, status = {"result": None, "error": {"code": -8, "message": "bad thing"}, "id": body["id"]}, 500
                else:
                    reply, status = {"result": {"amount": 0.1, "params": body["params"]}, "error": None, "id": body["id"]}, 200
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            port = server.server_address[1]
            proxy = AuthServiceProxy(f"http://user:pass@127.0.0.1:{port}", timeout=10)
            res = proxy.echo(1, "a")
            assert_equal(res["amount"], decimal.Decimal("0.1"))
            assert isinstance(res["amount"], decimal.Decimal)
            assert_equal(res["params"], [1, "a"])
            assert_equal(proxy.echo(x=decimal.Decimal("0.5"))["params"], {"x": 0.5})
            assert_equal(seen[-1][1]["version"], "1.1")
            assert_raises_rpc_error(-8, "bad thing", proxy.fail)
            wrong = AuthServiceProxy(f"http://user:wrong@127.0.0.1:{port}", timeout=10)
            try:
                wrong.echo()
                raise AssertionError("no error on 401")
            except JSONRPCException as e:
                assert_equal(e.http_status, 401)
        finally:
            server.shutdown()
            server.server_close()

    def test_miniwallet_signing(self):
        self.log.info("MiniWallet key-path signatures verify under the output key")
        wallet = MiniWallet(node=None, label="selftest")
        utxo = {"txid": "11" * 32, "vout": 0, "value": 50 * COIN, "height": 1, "coinbase": False}
        res = wallet.create_self_transfer(utxo_to_spend=utxo, fee_rate=10)
        tx = res["tx"]
        assert_equal(res["fee"], 10 * tx.get_vsize())
        assert_equal(tx.vout[0].value, 50 * COIN - res["fee"])
        spent = [CTxOut(utxo["value"], wallet.script_pubkey)]
        sighash = taproot_signature_hash(tx, spent, 0, 0)
        sig = tx.wit[0].stack[0]
        assert_equal(len(sig), 64)
        assert verify_schnorr(wallet.key.output_key, sighash, sig)
        assert not verify_schnorr(wallet.key.xonly, sighash, sig)  # the tweak matters
        assert_equal(tx_from_hex(res["hex"]).wtxid, res["wtxid"])
        assert_equal(tx.get_vsize(), 111)  # 1-in 1-out key-path spend, as in Bitcoin

    def test_missing_binary_is_a_failure(self):
        self.log.info("A node test without odad fails (exit 1) and says where odad was expected")
        import subprocess
        import sys
        conf = os.path.join(self.options.tmpdir, "nobuild.ini")
        with open(conf, "w") as f:
            f.write("[environment]\nSRCDIR=/nonexistent\nBUILDDIR=/nonexistent/build\nEXEEXT=\n"
                    "[components]\nENABLE_WALLET=false\nENABLE_ZMQ=false\n")
        here = os.path.dirname(os.path.abspath(__file__))
        env = {k: v for k, v in os.environ.items() if k not in ("ODAD", "ODACLI")}
        proc = subprocess.run([sys.executable, os.path.join(here, "feature_basic.py"), "--configfile", conf,
                               "--tmpdir", os.path.join(self.options.tmpdir, "nobuild")],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=60)
        out = proc.stdout.decode()
        assert_equal(proc.returncode, 1)
        assert "odad not found at /nonexistent/build/src/odad" in out, out


if __name__ == "__main__":
    FrameworkSelfTest().main()
