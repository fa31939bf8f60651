#!/usr/bin/env python3
"""End-to-end test of the oda-model tool (no node needed).

make-dataset -> init -> inspect -> train 1 epoch -> eval (consensus engine and
--reference must agree) -> infer (dataset sample and hex input) -> quantize
from the float checkpoint -> train again starting from the quantized weights;
plus the error paths (bad files and arguments exit 1 with a message).

Standalone: reads BUILDDIR from --configfile (test/config.ini written by
configure); exits 77 (skipped) if the tool was not built.
"""
import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
MLP = ('{"version":1,"input_shape":[1,4,4],"objective":"accuracy","layers":['
       '{"kind":"flatten"},{"kind":"dense","out_features":16,"per_channel":true},{"kind":"relu"},'
       '{"kind":"dense","out_features":3,"per_channel":false}],"logits_output":true}')
CNN = ('{"version":1,"input_shape":[1,4,4],"objective":"neg_sse","layers":['
       '{"kind":"conv2d","out_channels":2,"kernel":[3,3],"stride":[1,1],"padding":[1,1],"per_channel":false},'
       '{"kind":"relu"},{"kind":"avgpool2d","kernel":[2,2],"stride":[2,2]},{"kind":"flatten"},'
       '{"kind":"dense","out_features":2,"per_channel":false}],"logits_output":false}')


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


class Tool:
    def __init__(self, binary, workdir, srcdir):
        self.binary = binary
        self.srcdir = srcdir
        self.workdir = workdir

    def run(self, *args, expect=0):
        proc = subprocess.run([self.binary, *args], cwd=self.workdir, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=600)
        out, err = proc.stdout.decode(), proc.stderr.decode()
        print(f"$ oda-model {' '.join(args)}\n{out}{err}", end="")
        check(proc.returncode == expect,
              f"oda-model {' '.join(args)}: exit {proc.returncode}, expected {expect}")
        return out, err

    def fails(self, *args, message):
        _, err = self.run(*args, expect=1)
        check(message in err, f"expected '{message}' in the error, got: {err.strip()}")


def accuracy(out, label):
    m = re.search(re.escape(label) + r": score (-?\d+)", out)
    check(m is not None, f"no '{label}' score in output")
    return int(m.group(1))


def run_test(tool, tmp):
    with open(os.path.join(tmp, "mlp.json"), "w") as f:
        f.write(MLP)
    with open(os.path.join(tmp, "cnn.json"), "w") as f:
        f.write(CNN)

    # Every subcommand documents itself.
    out, _ = tool.run("--help")
    for cmd in ("init", "make-dataset", "import-idx", "train", "quantize", "eval", "infer", "inspect"):
        check(cmd in out, f"{cmd} missing from --help")
        tool.run(cmd, "--help")

    tool.run("make-dataset", "--shape", "1,4,4", "--count", "600", "--classes", "3", "--seed", "1", "-o", "train.odad")
    tool.run("make-dataset", "--shape", "1,4,4", "--count", "200", "--classes", "3", "--seed", "1", "-o", "all.odad")
    tool.run("init", "mlp.json", "-o", "init.odaw", "--seed", "3")

    out, _ = tool.run("inspect", "mlp.json", "--weights", "init.odaw", "--data", "train.odad")
    check("compute cost" in out and "pieces root" in out, "inspect output incomplete")
    check(re.search(r"hash [0-9a-f]{64}", out) is not None, "no architecture hash")
    # BEP 52: a file smaller than 16 KiB has SHA-256(file) as pieces root.
    import hashlib
    with open(os.path.join(tmp, "init.odaw"), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    out, _ = tool.run("inspect", "--file", "init.odaw")
    check(digest in out, "pieces root of a small file must be its SHA-256")

    # Scores of the random model: engine and reference agree.
    out, _ = tool.run("eval", "mlp.json", "--weights", "init.odaw", "--data", "train.odad")
    s_engine = accuracy(out, "consensus engine")
    out, _ = tool.run("eval", "mlp.json", "--weights", "init.odaw", "--data", "train.odad", "--reference")
    check(accuracy(out, "reference interpreter") == s_engine, "engine and reference disagree")

    # The same seed gives a dataset whose first 200 samples equal all.odad: use them as validation.
    out, _ = tool.run("train", "mlp.json", "--data", "train.odad", "--validation", "all.odad", "--epochs", "8",
                      "--batch-size", "16", "--lr", "0.01", "--out-weights", "mlp.odaw",
                      "--out-checkpoint", "mlp.pt", "--no-progress")
    check(os.path.exists(os.path.join(tmp, "mlp.odaw")) and os.path.exists(os.path.join(tmp, "mlp.pt")),
          "train did not write both files")
    out, _ = tool.run("eval", "mlp.json", "--weights", "mlp.odaw", "--data", "all.odad")
    trained = accuracy(out, "consensus engine")
    check(trained > 200 // 3 + 20, f"trained model does not beat chance: {trained}/200")
    out, _ = tool.run("eval", "mlp.json", "--weights", "mlp.odaw", "--data", "all.odad", "--reference")
    check(accuracy(out, "reference interpreter") == trained, "engine and reference disagree after training")
    for threads in ("1", "3"):
        out, _ = tool.run("eval", "mlp.json", "--weights", "mlp.odaw", "--data", "all.odad", "--threads", threads)
        check(accuracy(out, "consensus engine") == trained, f"engine score changes with --threads {threads}")

    out, _ = tool.run("infer", "mlp.json", "--weights", "mlp.odaw", "--data", "all.odad", "--index", "5")
    check(re.search(r"argmax \d", out) and "label" in out, "infer output incomplete")
    out, _ = tool.run("infer", "mlp.json", "--weights", "mlp.odaw", "--input", "80" * 16)
    check("output [3] (int32 logits)" in out, "infer of a hex input")

    # Quantize again from the float checkpoint: same weights as train wrote.
    tool.run("quantize", "mlp.json", "--checkpoint", "mlp.pt", "--data", "train.odad", "-o", "requant.odaw")
    with open(os.path.join(tmp, "mlp.odaw"), "rb") as a, open(os.path.join(tmp, "requant.odaw"), "rb") as b:
        check(a.read() == b.read(), "quantize of the saved checkpoint differs from train's weights")
    # Continue training from the quantized weights.
    tool.run("train", "mlp.json", "--data", "train.odad", "--weights", "mlp.odaw", "--epochs", "1",
             "--out-weights", "mlp2.odaw", "--out-checkpoint", "mlp2.pt", "--no-progress")
    out, _ = tool.run("eval", "mlp.json", "--weights", "mlp2.odaw", "--data", "all.odad")
    check(accuracy(out, "consensus engine") > 200 // 3 + 10, "training from quantized weights lost the model")

    # A neg_sse CNN with conv, relu, avgpool and int8 outputs.
    tool.run("make-dataset", "--shape", "1,4,4", "--count", "300", "--targets", "2", "-o", "reg.odad")
    tool.run("train", "cnn.json", "--data", "reg.odad", "--epochs", "2", "--out-weights", "cnn.odaw",
             "--out-checkpoint", "cnn.pt", "--no-progress", "--validation", "reg.odad")
    out, _ = tool.run("eval", "cnn.json", "--weights", "cnn.odaw", "--data", "reg.odad")
    s1 = accuracy(out, "consensus engine")
    out, _ = tool.run("eval", "cnn.json", "--weights", "cnn.odaw", "--data", "reg.odad", "--reference")
    check(accuracy(out, "reference interpreter") == s1, "neg_sse: engine and reference disagree")

    # The PyTorch path (only where Debian's python3-torch is installed).
    export = os.path.join(tool.srcdir, "contrib", "pytorch", "export_oda.py")
    if subprocess.run(["/usr/bin/python3", "-c", "import torch"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        proc = subprocess.run(["/usr/bin/python3", export, os.path.join(tmp, "mlp.json"), "--random",
                               os.path.join(tmp, "py.pt")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        print(proc.stdout.decode(), end="")
        check(proc.returncode == 0, "export_oda.py failed")
        tool.run("quantize", "mlp.json", "--checkpoint", "py.pt", "--data", "train.odad", "-o", "py.odaw")
        tool.run("eval", "mlp.json", "--weights", "py.odaw", "--data", "all.odad")
    else:
        print("python3-torch not installed: PyTorch export not tested")

    # Errors: clear message, exit code 1.
    with open(os.path.join(tmp, "garbage"), "wb") as f:
        f.write(b"\x00garbage")
    tool.fails("eval", "mlp.json", "--weights", "garbage", "--data", "all.odad", message="error:")
    tool.fails("eval", "mlp.json", "--weights", "mlp.odaw", "--data", "garbage", message="error:")
    tool.fails("eval", "mlp.json", "--weights", "cnn.odaw", "--data", "all.odad", message="another architecture")
    tool.fails("eval", "cnn.json", "--weights", "cnn.odaw", "--data", "all.odad", message="error:")
    tool.fails("eval", "garbage", "--weights", "mlp.odaw", "--data", "all.odad", message="error:")
    tool.fails("eval", "mlp.json", "--data", "all.odad", message="missing --weights")
    tool.fails("train", "mlp.json", "--data", "train.odad", "--epochs", "x", message="--epochs")
    tool.fails("make-dataset", "--shape", "0,4", "--count", "3", "-o", "x.odad", message="--shape")
    tool.fails("infer", "mlp.json", "--weights", "mlp.odaw", "--input", "8080", message="needs 16")
    tool.fails("quantize", "cnn.json", "--checkpoint", "mlp.pt", "--data", "reg.odad", "-o", "q.odaw",
               message="missing tensor")
    tool.fails("import-idx", "--dir", tmp, "-o", "x.odad", message="cannot open")
    tool.fails("frobnicate", message="unknown command")
    tool.fails("eval", "mlp.json", "--bogus", message="unknown option")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--configfile", default=os.path.join(os.path.dirname(__file__), "..", "config.ini"))
    parser.add_argument("--tmpdir", default=None)
    parser.add_argument("--nocleanup", action="store_true")
    args, _unknown = parser.parse_known_args()
    config = configparser.ConfigParser()
    if not config.read(args.configfile):
        print(f"cannot read {args.configfile}")
        return 1
    binary = os.path.join(config["environment"]["BUILDDIR"], "src",
                          "oda-model" + config["environment"].get("EXEEXT", ""))
    if not os.path.exists(binary):
        print(f"skipped: {binary} not built")
        return SKIP
    tmp = args.tmpdir or tempfile.mkdtemp(prefix="tool_oda_model_")
    os.makedirs(tmp, exist_ok=True)
    try:
        run_test(Tool(binary, tmp, config["environment"]["SRCDIR"]), tmp)
    except Failure as e:
        print(f"FAILED: {e}")
        print(f"files kept in {tmp}")
        return 1
    if not args.nocleanup:
        shutil.rmtree(tmp, ignore_errors=True)
    print("tool_oda_model: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
