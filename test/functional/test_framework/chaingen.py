"""Chains of blocks full of transactions, written by oda-chaingen (src/bench/chaingen.cpp, built
with the bench: `make -C src bench/oda-chaingen`), for tests and benchmarks that need more
signatures than the Python signer can make (~20 ms each).

The file holds one hex-encoded block per line, starting on the regtest genesis: 100
coinbase-only blocks, then `blocks` blocks of `txs_per_block` key-path spends ("full": up to
the weight limit). The binary's path comes from config.ini (BUILDDIR), or $ODA_CHAINGEN.
"""
import io
import os
import resource
import subprocess
import time

from .messages import deser_compact_size, hash256, hash_to_hex

COINBASE_ONLY_BLOCKS = 100


def bench_compiled(config):
    """True when configure built the bench programs (oda-chaingen among them)."""
    return config.get("components", "ENABLE_BENCH", fallback="false").strip() == "true"


def chaingen_path(config):
    env = config["environment"]
    return os.getenv("ODA_CHAINGEN", os.path.join(env["BUILDDIR"], "src", "bench",
                                                  "oda-chaingen" + env.get("EXEEXT", "")))


def generate_chain(binary, out, *, blocks, txs_per_block, seed="1", timeout=3600):
    """Runs the generator; returns (wall seconds, CPU seconds, its summary line).
    AssertionError on failure."""
    if not os.access(binary, os.X_OK):
        raise AssertionError(f"oda-chaingen not found at {binary}: build it (make -C src bench/oda-chaingen)")
    cmd = [binary, f"-out={out}", f"-blocks={blocks}", f"-txs-per-block={txs_per_block}", f"-seed={seed}"]
    start = time.time()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    elapsed = time.time() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    summary = proc.stderr.decode(errors="replace").strip()
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed with status {proc.returncode}: {summary}")
    return elapsed, cpu, summary


def read_chain(path):
    """The hex blocks of a generated file, in chain order."""
    with open(path, encoding="ascii") as f:
        return [line.strip() for line in f if line.strip()]


def block_hash(hex_block):
    """Display hash of a hex-encoded block (SHA256d of its 80-byte header, reversed)."""
    return hash_to_hex(hash256(bytes.fromhex(hex_block[:160])))


def block_tx_count(hex_block):
    """Number of transactions of a hex-encoded block (the CompactSize after the header)."""
    return deser_compact_size(io.BytesIO(bytes.fromhex(hex_block[160:178])))
