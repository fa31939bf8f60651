#!/usr/bin/env python3
"""ODA's main job, step by step: a regtest node, 101 mined blocks, a coinbase spend.

Run by contrib/demo.sh after the build. Every step prints the oda-cli command a user would
type and the part of its answer that matters. Signing uses the functional-test framework's
BIP 340/341 code (test/functional/test_framework) until the wallet lands.
"""
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "functional"))

from test_framework.address import taproot_address  # noqa: E402
from test_framework.blocktools import MiniWallet  # noqa: E402
from test_framework.key import deterministic_key  # noqa: E402

BUILD = os.environ.get("ODA_BUILDDIR", os.path.join(ROOT, "build"))
ODAD = os.path.join(BUILD, "src", "odad")
CLI = os.path.join(BUILD, "src", "oda-cli")
DATADIR = os.environ.get("ODA_DEMO_DATADIR", os.path.join(BUILD, "demo-datadir"))
COIN = 100_000_000


def say(text):
    print(f"\n== {text}", flush=True)


class CliNode:
    """Calls RPCs through oda-cli, echoing each command like a user's terminal."""

    def __init__(self, datadir, echo=True):
        self.base = [CLI, "-regtest", f"-datadir={datadir}"]
        self.echo = echo

    def call(self, method, *args, echo=None):
        strargs = [a if isinstance(a, str) else json.dumps(a) for a in args]
        if self.echo if echo is None else echo:
            shown = " ".join(strargs)
            print(f"$ oda-cli -regtest {method} {shown}".rstrip(), flush=True)
        proc = subprocess.run(self.base + [method] + strargs, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"oda-cli {method} failed: {proc.stderr.strip()}")
        out = proc.stdout.strip()
        try:
            return json.loads(out)
        except ValueError:
            return out

    def __getattr__(self, method):
        # MiniWallet calls node.<rpc>(...): those calls run quietly.
        return lambda *args: self.call(method, *args, echo=False)


def main():
    for exe in (ODAD, CLI):
        if not os.path.exists(exe):
            print(f"{exe} not found: build first (contrib/demo.sh does)")
            return 1
    shutil.rmtree(DATADIR, ignore_errors=True)
    os.makedirs(DATADIR)
    say(f"Starting odad -regtest (data directory {DATADIR})")
    node_proc = subprocess.Popen([ODAD, "-regtest", f"-datadir={DATADIR}", "-printtoconsole=0"])
    cli = CliNode(DATADIR)
    try:
        subprocess.run(cli.base + ["-rpcwait", "getblockcount"], check=True, stdout=subprocess.DEVNULL)
        info = cli.call("getblockchaininfo")
        print(f"chain={info['chain']} blocks={info['blocks']} best={info['bestblockhash']}")

        miner = MiniWallet(cli, key=deterministic_key("demo-miner"))
        say(f"Mining 101 blocks to the miner's taproot address {miner.address}")
        print(f"$ oda-cli -regtest generatetoaddress 101 {miner.address}")
        hashes = miner.generate(101)
        print(f"mined {len(hashes)} blocks, tip {hashes[-1]}")
        print("coinbase outputs mature after 100 blocks: the first one is now spendable")

        receiver = deterministic_key("demo-receiver")
        receiver_address = taproot_address(receiver.output_key)
        say(f"Spending the first coinbase output: 10 coins to {receiver_address}")
        res = miner.send_to(script_pubkey=receiver.script_pubkey(), amount=10 * COIN)
        print(f"signed a key-path (BIP 340/341) spend and sent it: txid {res['txid']}, fee {res['fee']} units")
        pool = cli.call("getrawmempool")
        print(f"mempool now holds {len(pool)} transaction(s): {pool}")

        say("Mining one more block to confirm it")
        print(f"$ oda-cli -regtest generatetoaddress 1 {miner.address}")
        block_hash = miner.generate(1)[0]
        block = cli.call("getblock", block_hash)
        print(f"block {block['height']} {block_hash} holds {len(block['tx'])} transactions: {block['tx']}")
        out = cli.call("gettxout", res["txid"], 0)
        print(f"output {res['txid']}:0 -> {out['value']} coins to {out['scriptPubKey'].get('address')}, "
              f"{out['confirmations']} confirmation(s)")
        utxos = cli.call("gettxoutsetinfo")
        print(f"UTXO set: {utxos['txouts']} outputs, {utxos['total_amount']} coins at height {utxos['height']}")
    finally:
        say("Stopping the node")
        try:
            cli.call("stop")
        except RuntimeError as e:
            print(e)
        try:
            node_proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            node_proc.kill()
    print(f"\nDone. The chain is kept in {DATADIR}; restart it with: "
          f"{ODAD} -regtest -datadir={DATADIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
