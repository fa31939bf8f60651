#!/usr/bin/env python3
"""The model file store (doc/files.md, odafiles/): importmodelfile on a weights file and a
dataset file made by oda-model (pieces root checked against an independent BEP 52
computation), getmodelfiles, idempotent re-import, files still held after a restart, a file
corrupted on disk dropped at the next start, and hostile inputs (garbage, truncated file,
directory, missing path, symlink loop, FIFO, wrong commitment) rejected with their error codes and nothing
stored."""
import hashlib
import os
import subprocess

from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

RPC_INVALID_PARAMETER = -8
RPC_DESERIALIZATION_ERROR = -22
RPC_VERIFY_REJECTED = -26
BLOCK = 16 * 1024
MLP = ('{"version":1,"input_shape":[1,4,4],"objective":"accuracy","layers":['
       '{"kind":"flatten"},{"kind":"dense","out_features":16,"per_channel":true},{"kind":"relu"},'
       '{"kind":"dense","out_features":3,"per_channel":false}],"logits_output":true}')


def pieces_root(data):
    """BEP 52 pieces root, written from the definition (doc/oda-protocol.md section 2.2)."""
    layer = [hashlib.sha256(data[i:i + BLOCK]).digest() for i in range(0, len(data), BLOCK)]
    width = 1
    while width < len(layer):
        width *= 2
    layer += [b"\x00" * 32] * (width - len(layer))
    while len(layer) > 1:
        layer = [hashlib.sha256(layer[i] + layer[i + 1]).digest() for i in range(0, len(layer), 2)]
    return layer[0].hex()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


class OdaFilesTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def oda_model(self, *args):
        tool = os.path.join(self.config["environment"]["BUILDDIR"], "src", "oda-model")
        subprocess.run([tool, *args], cwd=self.options.tmpdir, check=True, stdout=subprocess.DEVNULL)

    def store_dir(self):
        return os.path.join(self.nodes[0].chain_dir, "odafiles")

    def held(self):
        return {f["piecesroot"]: f for f in self.nodes[0].getmodelfiles()}

    def run_test(self):
        node = self.nodes[0]
        tmp = self.options.tmpdir
        write(os.path.join(tmp, "mlp.json"), MLP.encode())
        # A dataset of several 16 KiB blocks, so that the Merkle tree has interior nodes.
        self.oda_model("make-dataset", "--shape", "1,4,4", "--count", "3000", "--classes", "3", "--seed", "1",
                       "-o", "train.odad")
        self.oda_model("init", "mlp.json", "-o", "init.odaw", "--seed", "3")
        weights_path, dataset_path = os.path.join(tmp, "init.odaw"), os.path.join(tmp, "train.odad")
        weights, dataset = read(weights_path), read(dataset_path)
        assert len(dataset) > 3 * BLOCK

        self.log.info("importmodelfile stores a weights file and a dataset file under their pieces roots")
        w = node.importmodelfile(weights_path)
        assert_equal((w["piecesroot"], w["size"], w["kind"], w["layers"], w["new"]),
                     (pieces_root(weights), len(weights), "weights", 4, True))
        d = node.importmodelfile(dataset_path, pieces_root(dataset), len(dataset))
        assert_equal((d["piecesroot"], d["size"], d["kind"], d["samples"], d["input_shape"], d["new"]),
                     (pieces_root(dataset), len(dataset), "dataset", 3000, [1, 4, 4], True))
        assert "target_shape" not in d
        assert_equal(d["path"], os.path.join(self.store_dir(), d["piecesroot"]))
        assert_equal(read(w["path"]), weights)
        assert_equal(read(d["path"]), dataset)

        files = node.getmodelfiles()
        assert_equal(len(files), 2)
        assert_equal([f["piecesroot"] for f in files], sorted([w["piecesroot"], d["piecesroot"]]))
        for f in files:
            assert_equal((f["status"], f["bytes_have"]), ("held", f["size"]))
        listing = sorted(os.listdir(self.store_dir()))
        assert_equal(listing, sorted([w["piecesroot"], w["piecesroot"] + ".meta",
                                      d["piecesroot"], d["piecesroot"] + ".meta"]))

        self.log.info("Importing the same file again is idempotent")
        again = node.importmodelfile(weights_path)
        assert_equal(again["new"], False)
        assert_equal({k: v for k, v in again.items() if k != "new"}, {k: v for k, v in w.items() if k != "new"})
        assert_equal(sorted(os.listdir(self.store_dir())), listing)

        self.log.info("Hostile inputs fail with clear errors and store nothing")
        garbage = os.path.join(tmp, "garbage.bin")
        write(garbage, os.urandom(5000))
        assert_raises_rpc_error(RPC_DESERIALIZATION_ERROR, "not a weights or dataset file", node.importmodelfile, garbage)
        truncated = os.path.join(tmp, "truncated.odaw")
        write(truncated, weights[:len(weights) // 2])
        assert_raises_rpc_error(RPC_DESERIALIZATION_ERROR, "invalid weights file", node.importmodelfile, truncated)
        corrupted = os.path.join(tmp, "corrupted.odad")
        write(corrupted, dataset[:-1])
        assert_raises_rpc_error(RPC_DESERIALIZATION_ERROR, "invalid dataset file", node.importmodelfile, corrupted)
        empty = os.path.join(tmp, "empty")
        write(empty, b"")
        assert_raises_rpc_error(RPC_DESERIALIZATION_ERROR, "is empty", node.importmodelfile, empty)
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "is a directory", node.importmodelfile, tmp)
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "cannot open", node.importmodelfile, os.path.join(tmp, "nope"))
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "path must not be empty", node.importmodelfile, "")
        loop_a, loop_b = os.path.join(tmp, "loop_a"), os.path.join(tmp, "loop_b")
        os.symlink(loop_b, loop_a)
        os.symlink(loop_a, loop_b)
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "cannot open", node.importmodelfile, loop_a)
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)  # opening it must not wait for a writer
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "not a regular file", node.importmodelfile, fifo)
        assert_raises_rpc_error(RPC_VERIFY_REJECTED, "does not match the commitment", node.importmodelfile,
                                weights_path, pieces_root(weights), len(weights) + 1)
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "piecesroot and size must be given together",
                                node.importmodelfile, weights_path, pieces_root(weights))
        assert_raises_rpc_error(RPC_INVALID_PARAMETER, "piecesroot must be 64 hex digits",
                                node.importmodelfile, weights_path, "zz", 5)
        assert_equal(sorted(os.listdir(self.store_dir())), listing)
        assert_equal(len(node.getmodelfiles()), 2)
        assert "importmodelfile \"path\"" in node.help("importmodelfile")
        assert "status" in node.help("getmodelfiles")
        # oda-cli sends size as a number.
        assert_equal(node.cli("importmodelfile", weights_path, w["piecesroot"], str(w["size"]))["new"], False)

        self.log.info("After a restart the files are still held (found again and spot-checked)")
        before = node.getmodelfiles()
        self.restart_node(0)
        assert_equal(node.getmodelfiles(), before)
        with open(node.debug_log_path, encoding="utf-8") as f:
            log = f.read()
        assert "2 files held (2 spot-checked, 0 fully verified)" in log, "start-up summary missing from debug.log"

        self.log.info("A stored file corrupted while the node was down is dropped at the next start")
        self.stop_node(0)
        stored = os.path.join(self.store_dir(), w["piecesroot"])
        data = bytearray(read(stored))
        data[len(data) // 2] ^= 0xff
        write(stored, bytes(data))
        write(os.path.join(self.store_dir(), d["piecesroot"] + ".7.tmp"), b"half-written")  # a crash leftover
        self.start_node(0)
        assert_equal(set(self.held()), {d["piecesroot"]})
        assert_equal(sorted(os.listdir(self.store_dir())), sorted([d["piecesroot"], d["piecesroot"] + ".meta"]))
        assert_equal(node.importmodelfile(weights_path)["new"], True)
        assert_equal(set(self.held()), {w["piecesroot"], d["piecesroot"]})


if __name__ == "__main__":
    OdaFilesTest().main()
