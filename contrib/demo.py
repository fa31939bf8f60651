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
  - the miner's wallet registers it on chain (addmodel); alice's node, lacking the files, holds
    the block as waiting-for-data until she imports them, then re-scores the weights itself;
  - alice pays for inferences; the miner puts their outputs in its block, every node re-runs
    them; predicted and real labels are printed;
  - alice trains the model further and submits the better weights (updateweights): both nodes
    re-score and show the new version; a non-improving update is refused with both scores.
"""
import json
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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
    return {"arch": arch, "weights": weights, "dataset": test, "score": score, "samples": 10000, "train": train,
            "checkpoint": os.path.join(workdir, "mlp.pt")}


def eval_score(arch, weights, dataset):
    """Runs `oda-model eval` (echoed) and returns the integer score it prints."""
    print(f"$ oda-model eval {os.path.relpath(arch, ROOT)} --weights {os.path.relpath(weights, ROOT)} "
          f"--data {os.path.relpath(dataset, ROOT)}", flush=True)
    out = subprocess.run([MODEL_TOOL, "eval", arch, "--weights", weights, "--data", dataset], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    print(out, end="", flush=True)
    return int(out.split("score ")[1].split(",")[0])


def read_dataset(path):
    """The samples of an ODA dataset file (doc/oda-models.md section 6): [(int8 inputs, label)]."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:5] == b"ODAD\x01", "not an ODA dataset file"
    pos = 5

    def shape():
        nonlocal pos
        rank = data[pos]
        pos += 1
        dims = [int.from_bytes(data[pos + 4 * i:pos + 4 * i + 4], "little") for i in range(rank)]
        pos += 4 * rank
        return dims

    input_shape, target_shape = shape(), shape()
    assert not target_shape, "a labelled dataset is expected"
    count = int.from_bytes(data[pos:pos + 8], "little")
    pos += 8
    size = 1
    for d in input_shape:
        size *= d
    samples = []
    for _ in range(count):
        values = [b - 256 if b > 127 else b for b in data[pos:pos + size]]
        label = int.from_bytes(data[pos + size:pos + size + 4], "little")
        samples.append((values, label))
        pos += size + 4
    return samples


def mine_and_sync(miner, alice, what, txids=()):
    """One block on the miner's node (once its mempool holds `txids`, relayed from alice's node);
    returns its hash once alice's node has it as its tip."""
    wait_for("the miner's mempool", lambda: set(txids) <= set(miner.call("getrawmempool", echo=False)))
    address = miner.call("getnewaddress", wallet="miner", echo=False)
    block_hash = miner.call("generatetoaddress", 1, address)[0]
    wait_for(f"alice's node to connect the block with {what}",
             lambda: alice.call("getbestblockhash", echo=False) == block_hash)
    return block_hash


def model_registry_demo(miner, alice, model):
    """The model goes on chain: add-model, the waiting state, inferences, a weight update."""
    say("The model developer (the miner's wallet) registers the model: addmodel imports the files "
        "into its node's store, scores the weights with the consensus engine and sends the add-model")
    added = miner.call("addmodel", model["arch"], model["weights"], model["dataset"],
                       {"royalty": 10000, "trainer_share": 2000, "min_improvement": 10}, wallet="miner")
    model_id = added["modelid"]
    print(f"model id (the add-model txid) {model_id}: claimed score {added['score']}, "
          f"{added['computeunits']} compute units (scoring {model['samples']} samples), fee {added['fee']} coins")
    decoded = miner.call("getrawtransaction", model_id, True, echo=False)
    oda = next(o["scriptPubKey"]["oda"] for o in decoded["vout"] if "oda" in o["scriptPubKey"])
    print(f"its ODA output decodes as kind {oda['kind']}: claimed score {oda['initial_score']}, "
          f"royalty {oda['royalty']} units per inference")
    files = miner.call("getmodelfiles", echo=False)
    print(f"the miner's store: {[(f['kind'], f['status']) for f in files]}")

    say("The miner mines it. Alice's node lacks the model files: the block waits, nothing is marked invalid")
    address = miner.call("getnewaddress", wallet="miner", echo=False)
    block_hash = miner.call("generatetoaddress", 1, address)[0]
    wait_for("alice's node to hold the block as waiting", lambda: any(
        t["hash"] == block_hash and t["status"] == "waiting-for-data" for t in alice.call("getchaintips", echo=False)))
    tip = next(t for t in alice.call("getchaintips") if t["hash"] == block_hash)
    missing = tip.get("missing_files", [])
    print(f"alice's chain tip {block_hash[:16]}... is {tip['status']}, missing "
          f"{[(f['pieces_root'][:16] + '...', f['file_size']) for f in missing]}; her tip stays at height "
          f"{alice.call('getblockcount', echo=False)}")
    say("Alice imports the files (BitTorrent distribution comes next; offline nodes use this path)")
    for path in (model["weights"], model["dataset"]):
        alice.call("importmodelfile", path)
    wait_for("alice's node to connect the block", lambda: alice.call("getbestblockhash", echo=False) == block_hash)
    print(f"alice's node re-scored the weights and connected the block: height {alice.call('getblockcount', echo=False)}")
    m = alice.call("getmodel", model_id)
    print(f"alice's node: owner {m['owner_address']}, version {m['current_version']}, score {m['current_score']} "
          f"of {m['dataset_samples']} samples, objective {m['objective']}")
    hashes = [node.call("getregistryinfo", echo=False)["hash"] for node in (miner, alice)]
    print(f"registry hash: miner {hashes[0]}, alice {hashes[1]}: {'equal' if hashes[0] == hashes[1] else 'DIFFERENT'}")

    say("Alice pays for inferences on five test images; the miner computes the outputs into its block")
    samples = read_dataset(model["dataset"])[:5]
    sent = []
    for index, (values, label) in enumerate(samples):
        r = alice.call("sendinference", model_id, values, wallet="alice", echo=index == 0)
        sent.append((r["txid"], label))
        if index == 0:
            print(f"txid {r['txid']}: version {r['version']}, {r['computeunits']} compute units, fee {r['fee']}, "
                  f"royalty {r['royalty']} coins to {[o['address'][:14] + '...' for o in r['royalty_outputs']]}")
    print(f"pending on alice's node: {alice.call('getinference', sent[0][0], echo=False)['status']}")
    mine_and_sync(miner, alice, "the inferences", [txid for txid, _ in sent])
    classes = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]
    print("image  predicted    real label   (getinference on alice's node: every node re-ran each one)")
    for index, (txid, label) in enumerate(sent):
        r = alice.call("getinference", txid, echo=index == 0)
        print(f"{index:5}  {classes[r['argmax']]:11}  {classes[label]:11}  {r['status']}, {r['confirmations']} confirmation(s)")
    tool = subprocess.run([MODEL_TOOL, "infer", model["arch"], "--weights", model["weights"], "--data", model["dataset"],
                           "--index", "0"], check=True, stdout=subprocess.PIPE, text=True).stdout
    print(f"oda-model infer on image 0 gives argmax {tool.split('argmax ')[1].split()[0]}: the same as the chain")

    say("Alice trains the model further (2 more epochs from the checkpoint) and proposes the new weights")
    better = os.path.join(os.path.dirname(model["weights"]), "mlp-better.odaw")
    run_tool("train", model["arch"], "--data", model["train"], "--checkpoint", model["checkpoint"], "--epochs", "2",
             "--no-progress", "--seed", "2", "--out-weights", better,
             "--out-checkpoint", os.path.join(os.path.dirname(better), "mlp-better.pt"))
    ev = alice.call("evaluatemodel", model_id, better)
    print(f"local score {ev['score']} against the current {ev['current_score']}: improves = {ev['improves']}")
    if not ev["improves"]:
        print("(this training run did not beat the model by its minimum improvement; no update is sent)")
    else:
        # The miner's node must hold the new weights to accept and validate the update.
        miner.call("importmodelfile", better)
        update = alice.call("updateweights", model_id, better, wallet="alice")
        print(f"update {update['txid']}: score {update['score']} (was {update['previousscore']})")
        mine_and_sync(miner, alice, "the update", [update["txid"]])
        for node in (miner, alice):
            m = node.call("getmodel", model_id, echo=False)
            print(f"{node.name}'s node: version {m['current_version']}, score {m['current_score']}")

    say("A weights file that does not improve the model is refused before anything is sent")
    try:
        alice.call("updateweights", model_id, model["weights"], wallet="alice")
        print("unexpected: the update was accepted")
    except RuntimeError as e:
        print(str(e).split("failed: ")[-1])
    print(f"alice's mempool: {len(alice.call('getrawmempool', echo=False))} transactions")


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
