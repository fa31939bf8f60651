#!/usr/bin/env python3
"""ODA's main job, step by step: a two-node regtest network with wallets, then the model engine.

Run by contrib/demo.sh after the build. Every step prints the oda-cli command a user would
type and the part of its answer that matters:
  - two odad nodes ("miner" and "alice"), each with its own data directory, ports and wallet,
    connected over P2P;
  - the miner mines 101 blocks to its wallet (coinbase maturity 100); alice's node syncs them;
  - the miner pays alice; the transaction is relayed to alice's mempool and confirmed by a block;
  - alice pays part of it back at an explicit fee rate; both balances are shown;
  - a model is trained, quantized and scored with the integer consensus engine;
  - its weights and test dataset go into both nodes' model file stores (importmodelfile), and
    an add-model transaction registers it on chain; both nodes re-score the weights while
    connecting the block and show the same registry.
"""
import json
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The payload encoders the functional tests use (doc/oda-protocol.md section 2.2).
sys.path.insert(0, os.path.join(ROOT, "test", "functional"))
from test_framework.oda import add_model  # noqa: E402

BUILD = os.environ.get("ODA_BUILDDIR", os.path.join(ROOT, "build"))
ODAD = os.path.join(BUILD, "src", "odad")
CLI = os.path.join(BUILD, "src", "oda-cli")
MODEL_TOOL = os.path.join(BUILD, "src", "oda-model")
FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
DATADIR = os.environ.get("ODA_DEMO_DATADIR", os.path.join(BUILD, "demo-datadir"))
# Ports of the two nodes (P2P, RPC, torrent): away from the regtest defaults, so that the demo
# runs next to a user's own regtest node. ODA_DEMO_PORT_BASE moves them (the functional test
# feature_demo.py does, to run next to other tests).
_BASE = int(os.environ.get("ODA_DEMO_PORT_BASE", "19540"))
PORTS = {"miner": (_BASE + 4, _BASE + 3, _BASE + 5), "alice": (_BASE + 14, _BASE + 13, _BASE + 15)}


def say(text):
    print(f"\n== {text}", flush=True)


class CliNode:
    """One node: its odad process, and RPC calls through oda-cli echoed like a user's terminal."""

    def __init__(self, name):
        self.name = name
        self.datadir = os.path.join(DATADIR, name)
        self.p2p_port, self.rpc_port, self.torrent_port = PORTS[name]
        self.base = [CLI, "-regtest", f"-datadir={self.datadir}", f"-rpcport={self.rpc_port}"]
        self.proc = None

    def start(self):
        os.makedirs(self.datadir, exist_ok=True)
        print(f"$ odad -regtest -datadir={self.datadir} -port={self.p2p_port} -rpcport={self.rpc_port} &", flush=True)
        self.proc = subprocess.Popen([ODAD, "-regtest", f"-datadir={self.datadir}", f"-port={self.p2p_port}",
                                      f"-rpcport={self.rpc_port}", f"-torrentport={self.torrent_port}",
                                      "-printtoconsole=0"])
        subprocess.run(self.base + ["-rpcwait", "getblockcount"], check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        if not self.proc:
            return
        try:
            self.call("stop", echo=False)
            self.proc.wait(timeout=60)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            print(f"{self.name}: {e}; killing it")
            self.proc.kill()

    def call(self, method, *args, echo=True, wallet=None, named=False):
        """Runs `oda-cli [-rpcwallet=W] [-named] method args`; named=True takes "key=value" args."""
        strargs = [a if isinstance(a, str) else json.dumps(a) for a in args]
        options = ([f"-rpcwallet={wallet}"] if wallet else []) + (["-named"] if named else [])
        if echo:
            # Raw transactions and payloads are long: show their start and length only.
            shown = [a if len(a) <= 120 else f"{a[:60]}...({len(a) // 2} bytes)" for a in strargs]
            print(f"{self.name}$ oda-cli -regtest {' '.join(options + [method] + shown)}", flush=True)
        proc = subprocess.run(self.base + options + [method] + strargs, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"oda-cli {method} failed: {proc.stderr.strip()}")
        out = proc.stdout.strip()
        try:
            return json.loads(out, parse_float=Decimal)
        except ValueError:
            return out


def wait_for(what, predicate, timeout=60):
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


def chain_demo(miner, alice):
    say("Two nodes, each with a wallet")
    for node in (miner, alice):
        node.start()
        node.call("createwallet", node.name)
    miner.call("addnode", f"127.0.0.1:{alice.p2p_port}", "add")
    wait_for("the P2P connection", lambda: alice.call("getconnectioncount", echo=False) == 1)
    peer = alice.call("getpeerinfo")[0]
    print(f"alice is connected to the miner: {peer['addr']} ({peer['subver']}, inbound={peer['inbound']})")

    say("The miner mines 101 blocks to its wallet; alice's node syncs them over P2P")
    mine_addr = miner.call("getnewaddress", wallet="miner")
    path = miner.call("getaddressinfo", mine_addr, wallet="miner")["hdkeypath"]
    print(f"{mine_addr}: bech32m, taproot key path, key at BIP 86 path {path}")
    hashes = miner.call("generatetoaddress", 101, mine_addr)
    wait_for("alice's sync", lambda: alice.call("getbestblockhash", echo=False) == hashes[-1])
    height = alice.call("getblockcount")
    print(f"mined 101 blocks; alice's node is at height {height}, tip {hashes[-1]}")
    bal = miner.call("getbalances", wallet="miner")["mine"]
    print(f"miner: trusted {bal['trusted']}, immature {bal['immature']} (coinbase outputs mature after 100 blocks)")

    say("The miner pays alice 10 coins; the transaction is relayed to alice's mempool")
    alice_addr = alice.call("getnewaddress", wallet="alice")
    txid = miner.call("sendtoaddress", alice_addr, 10, wallet="miner")
    print(f"txid {txid}")
    wait_for("relay", lambda: txid in alice.call("getrawmempool", echo=False))
    pool = alice.call("getrawmempool")
    print(f"alice's mempool holds it: {pool}")
    pending = alice.call("getbalances", wallet="alice")["mine"]["untrusted_pending"]
    print(f"alice: untrusted pending {pending}")

    say("One block confirms it")
    block_hash = miner.call("generatetoaddress", 1, mine_addr)[0]
    wait_for("alice's sync", lambda: alice.call("getbestblockhash", echo=False) == block_hash)
    block = alice.call("getblock", block_hash)
    print(f"block {block['height']} holds {len(block['tx'])} transactions: {block['tx']}")
    tx = alice.call("gettransaction", txid, wallet="alice")
    print(f"alice: received {tx['amount']} coins, {tx['confirmations']} confirmation(s)")
    balance = alice.call("getbalance", wallet="alice")
    print(f"alice's balance: {balance}")

    say("Alice pays 3 coins back at 5 units/vB")
    back = alice.call("sendtoaddress", f"address={mine_addr}", "amount=3", "fee_rate=5", wallet="alice", named=True)
    wait_for("relay", lambda: back in miner.call("getrawmempool", echo=False))
    block_hash = miner.call("generatetoaddress", 1, mine_addr)[0]
    wait_for("alice's sync", lambda: alice.call("getbestblockhash", echo=False) == block_hash)
    print(f"txid {back}, confirmed in block {miner.call('getblockcount', echo=False)}")
    tx = alice.call("gettransaction", back, wallet="alice")
    print(f"alice paid {-tx['amount']} coins and a fee of {-tx['fee']:.8f} coins")
    balance = alice.call("getbalance", wallet="alice")
    print(f"alice's balance: {balance} (10 - 3 - fee)")
    utxos = alice.call("gettxoutsetinfo")
    print(f"UTXO set on alice's node: {utxos['txouts']} outputs, {utxos['total_amount']} coins at height {utxos['height']}")


def run_tool(*args):
    """Runs oda-model, echoing the command and its output."""
    shown = " ".join(os.path.relpath(a, ROOT) if os.path.isabs(a) and a.startswith(ROOT) else a for a in args)
    print(f"$ oda-model {shown}", flush=True)
    subprocess.run([MODEL_TOOL, *args], check=True)


def model_engine_demo(workdir):
    """Train, quantize and score a model with the integer consensus engine (no chain yet)."""
    if not os.path.isdir(FASHION_MNIST):
        print(f"{FASHION_MNIST} missing (Debian package dataset-fashion-mnist): model part skipped")
        return
    os.makedirs(workdir, exist_ok=True)
    arch = os.path.join(ROOT, "share", "models", "mlp-784-256-10.json")
    train = os.path.join(workdir, "fashion-train-10k.odad")
    test = os.path.join(workdir, "fashion-test.odad")
    weights = os.path.join(workdir, "mlp.odaw")
    say("Model engine: Fashion-MNIST into ODA dataset files (int8 inputs, labels)")
    run_tool("import-idx", "--split", "train", "--limit", "10000", "-o", train)
    run_tool("import-idx", "--split", "test", "-o", test)
    say("The architecture: layers, shapes, compute cost, hash")
    run_tool("inspect", arch)
    say("Training 2 epochs in float32 (libtorch autograd), then quantizing to int8")
    run_tool("train", arch, "--data", train, "--validation", test, "--epochs", "2", "--no-progress",
             "--out-weights", weights, "--out-checkpoint", os.path.join(workdir, "mlp.pt"))
    say("Scoring the 10,000 test samples: consensus engine, then the reference interpreter (same score)")
    score = eval_score(arch, weights, test)
    run_tool("eval", arch, "--weights", weights, "--data", test, "--reference")
    say("One inference")
    run_tool("infer", arch, "--weights", weights, "--data", test, "--index", "0")
    return {"arch": arch, "weights": weights, "dataset": test, "score": score}


def eval_score(arch, weights, dataset):
    """Runs `oda-model eval` (echoed) and returns the integer score it prints."""
    print(f"$ oda-model eval {os.path.relpath(arch, ROOT)} --weights {os.path.relpath(weights, ROOT)} "
          f"--data {os.path.relpath(dataset, ROOT)}", flush=True)
    out = subprocess.run([MODEL_TOOL, "eval", arch, "--weights", weights, "--data", dataset], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    print(out, end="", flush=True)
    return int(out.split("score ")[1].split(",")[0])


def architecture_encoding(arch):
    """The architecture's binary encoding, as `oda-model inspect` prints it."""
    out = subprocess.run([MODEL_TOOL, "inspect", arch], check=True, stdout=subprocess.PIPE, text=True).stdout
    return bytes.fromhex(next(line.split()[1] for line in out.splitlines() if line.strip().startswith("encoding ")))


def model_registry_demo(miner, alice, model):
    """The trained model's files into the miner's store, then an add-model transaction."""
    say("The miner's node stores the weights and the test dataset, named by their BEP 52 pieces root")
    weights = miner.call("importmodelfile", model["weights"])
    print(f"weights: pieces root {weights['piecesroot']}, {weights['size']} bytes, {weights['layers']} layers")
    dataset = miner.call("importmodelfile", model["dataset"])
    print(f"dataset: pieces root {dataset['piecesroot']}, {dataset['size']} bytes, {dataset['samples']} samples")
    held = miner.call("getmodelfiles")
    print(f"files held: {[(f['kind'], f['status']) for f in held]}")
    say("Alice's node gets the same files (every node re-scores the weights when it connects the block)")
    for path in (model["weights"], model["dataset"]):
        alice.call("importmodelfile", path)

    say("An add-model transaction registers the model (owner output first, then the ODA output)")
    owner = miner.call("getnewaddress", wallet="miner")
    payload = add_model(architecture=architecture_encoding(model["arch"]),
                        dataset=(dataset["piecesroot"], dataset["size"]), samples=dataset["samples"],
                        weights=(weights["piecesroot"], weights["size"]), score=model["score"],
                        royalty=10000, trainer_share_bp=2000, min_improvement=10)
    raw = miner.call("createrawtransaction", [], [{owner: 0.0001}, {"oda": payload.hex()}])
    funded = miner.call("fundrawtransaction", raw, {"changePosition": 2}, wallet="miner")
    signed = miner.call("signrawtransactionwithwallet", funded["hex"], wallet="miner")
    model_id = miner.call("sendrawtransaction", signed["hex"])
    print(f"model id (the add-model txid): {model_id}")
    decoded = miner.call("getrawtransaction", model_id, True, echo=False)
    oda = next(o["scriptPubKey"]["oda"] for o in decoded["vout"] if "oda" in o["scriptPubKey"])
    print(f"its ODA output decodes as kind {oda['kind']}: claimed score {oda['initial_score']}, "
          f"royalty {oda['royalty']} units per inference")
    mine_addr = miner.call("getnewaddress", wallet="miner", echo=False)
    block_hash = miner.call("generatetoaddress", 1, mine_addr)[0]
    wait_for("alice's sync", lambda: alice.call("getbestblockhash", echo=False) == block_hash)

    say("Both nodes applied the block to their model registry")
    m = alice.call("getmodel", model_id)
    print(f"alice's node: owner {m['owner_address']}, version {m['current_version']}, score {m['current_score']} "
          f"of {m['dataset_samples']} samples, objective {m['objective']}")
    hashes = [node.call("getregistryinfo")["hash"] for node in (miner, alice)]
    print(f"registry hash: miner {hashes[0]}, alice {hashes[1]}: {'equal' if hashes[0] == hashes[1] else 'DIFFERENT'}")
    print("(each node scored the weights on the dataset while connecting the block: a false claim makes it invalid)")


def main():
    for exe in (ODAD, CLI, MODEL_TOOL):
        if not os.path.exists(exe):
            print(f"{exe} not found: build first (contrib/demo.sh does)")
            return 1
    shutil.rmtree(DATADIR, ignore_errors=True)
    model = model_engine_demo(os.path.join(BUILD, "demo-model"))
    miner, alice = CliNode("miner"), CliNode("alice")
    try:
        chain_demo(miner, alice)
        if model:
            model_registry_demo(miner, alice, model)
    finally:
        say("Stopping both nodes (they flush their chainstate and wallets)")
        for node in (miner, alice):
            node.stop()
    print(f"\nDone. The two nodes' data directories are kept in {DATADIR}; restart one with: "
          f"{ODAD} -regtest -datadir={miner.datadir} -port={miner.p2p_port} -rpcport={miner.rpc_port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
