"""Real model files for ODA tests, made with the project's own `oda-model` tool: an architecture
(its binary encoding and compute cost as `oda-model inspect` prints them), datasets, weights,
their scores (`oda-model eval`) and inference outputs (`oda-model infer`). Nodes execute
what the transactions name (doc/oda-protocol.md section 2.5), so tests register real files
imported with `importmodelfile` and claim the scores the engine computes."""
import json
import os
import re
import subprocess

from .oda import TENSOR_INT8, TENSOR_INT32

# input {4}, DENSE 3, RELU, DENSE 2, logits output, objective accuracy: the architecture of the
# add-model test vector (test_framework/oda.py EXAMPLE_ARCHITECTURE).
SMALL_MLP = {"version": 1, "input_shape": [4], "objective": "accuracy",
             "layers": [{"kind": "dense", "out_features": 3, "per_channel": False}, {"kind": "relu"},
                        {"kind": "dense", "out_features": 2, "per_channel": False}],
             "logits_output": True}



class RunCost:
    """Compute units of one run of a model on n samples (doc/oda-protocol.md section 4):
    n x per_sample + per_run (the weights, read once per run), as `oda-model inspect` prints."""

    def __init__(self, per_sample, per_run):
        self.per_sample, self.per_run = per_sample, per_run

    @staticmethod
    def parse(inspect_output):
        m = re.search(r"compute cost (\d+) CU per sample \+ (\d+) CU per run", inspect_output)
        return RunCost(int(m.group(1)), int(m.group(2)))

    def __call__(self, samples):
        return samples * self.per_sample + self.per_run


# 16 inputs -> DENSE 16 (per-channel) -> RELU -> DENSE 3 logits: small enough to train in a
# second, large enough that training visibly improves it (trained_mlp()).
TRAINABLE_MLP = {"version": 1, "input_shape": [1, 4, 4], "objective": "accuracy",
                 "layers": [{"kind": "flatten"}, {"kind": "dense", "out_features": 16, "per_channel": True},
                            {"kind": "relu"}, {"kind": "dense", "out_features": 3, "per_channel": False}],
                 "logits_output": True}


class ModelFiles:
    def __init__(self, builddir, workdir):
        self.tool = os.path.join(builddir, "src", "oda-model")
        self.dir = workdir
        os.makedirs(workdir, exist_ok=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *args):
        proc = subprocess.run([self.tool, *args], cwd=self.dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        if proc.returncode != 0:
            raise AssertionError(f"oda-model {' '.join(args)} failed: {proc.stdout}")
        return proc.stdout

    def architecture(self, name, spec=SMALL_MLP):
        """Writes the JSON; returns (path, encoding bytes, compute cost per inference)."""
        path = self.path(name)
        with open(path, "w", encoding="utf8") as f:
            json.dump(spec, f)
        out = self.run("inspect", name)
        encoding = re.search(r"^\s*encoding ([0-9a-f]+)$", out, re.M).group(1)
        return path, bytes.fromhex(encoding), RunCost.parse(out)

    def dataset(self, name, shape, count, classes, seed):
        self.run("make-dataset", "--shape", ",".join(str(d) for d in shape), "--count", str(count),
                 "--classes", str(classes), "--seed", str(seed), "-o", name)
        return self.path(name)

    def weights(self, arch, name, seed):
        self.run("init", arch, "-o", name, "--seed", str(seed))
        return self.path(name)

    def score(self, arch, weights, dataset):
        out = self.run("eval", arch, "--weights", weights, "--data", dataset)
        return int(re.search(r"consensus engine: score (-?\d+)", out).group(1))

    def trained_mlp(self):
        """TRAINABLE_MLP with random initial weights, weights trained on 600 samples and a
        200-sample scoring dataset: {"arch", "init", "trained", "test"} paths."""
        arch, _, _ = self.architecture("mlp.json", TRAINABLE_MLP)
        self.dataset("train.odad", [1, 4, 4], 600, 3, 1)
        test = self.dataset("test.odad", [1, 4, 4], 200, 3, 1)
        init = self.weights("mlp.json", "init.odaw", 3)
        self.run("train", "mlp.json", "--data", "train.odad", "--epochs", "8", "--batch-size", "16", "--lr", "0.01",
                 "--out-weights", "trained.odaw", "--out-checkpoint", "trained.pt", "--no-progress")
        return {"arch": arch, "init": init, "trained": self.path("trained.odaw"), "test": test}

    def infer(self, arch, weights, values):
        """The output tensor (element type, values) of one int8 input."""
        out = self.run("infer", arch, "--weights", weights, "--input", bytes(v & 0xff for v in values).hex())
        m = re.search(r"output .*? \((int32 logits|int8)\): \[([^\]]*)\]", out)
        kind = TENSOR_INT32 if m.group(1) == "int32 logits" else TENSOR_INT8
        return kind, [int(v) for v in m.group(2).split(",")] if m.group(2).strip() else []


def import_file(node, path):
    """importmodelfile; returns the commitment (pieces root hex, size) the payloads carry."""
    res = node.importmodelfile(path)
    return res["piecesroot"], res["size"]
