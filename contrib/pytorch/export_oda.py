#!/usr/bin/python3
"""Export a float PyTorch model to the checkpoint format `oda-model quantize` reads.

ODA models are integer-only on chain; you may train them anywhere in float32 and
let `oda-model quantize` do the post-training quantization. This script writes the
float checkpoint: a file saved with torch.save() holding a dict str -> float32
Tensor with, for each Dense / Conv2D layer at index <i> of the architecture JSON:

    "layers.<i>.weight"   Dense: [out, in]; Conv2D: [out, in_channels, kh, kw]
    "layers.<i>.bias"     [out]

plus "input.zero_point" (int64 scalar) and "input.scale" (float64 scalar): the
model sees the real input (q - zero_point) * scale for int8 dataset value q. With
datasets from `oda-model import-idx` (q = pixel - 128) the defaults -128 and 1/255
mean the network gets pixel / 255 in [0, 1]: train your model on that input
(no mean/std normalization, or fold it into the first layer).

Your module must compute exactly the architecture: the same layers in the same
order (nn.Linear, nn.Conv2d with the same stride/padding, nn.MaxPool2d,
nn.AvgPool2d, nn.ReLU, nn.Flatten). Its nn.Linear / nn.Conv2d modules are matched
in registration order to the architecture's dense / conv2d layers, and every shape
is checked. build_module() makes such a module from an architecture JSON.

Usage as a library:
    from export_oda import build_module, export
    model = build_module("share/models/mlp-784-256-10.json")
    ... train model on inputs pixel/255 shaped like the architecture's input ...
    export(model, "share/models/mlp-784-256-10.json", "mlp.pt")

Usage from the command line (a state_dict saved with torch.save(model.state_dict())):
    export_oda.py ARCH.json STATE_DICT.pt OUT.pt
    export_oda.py ARCH.json --random OUT.pt      # a randomly initialized model (for tests)

then:
    oda-model quantize ARCH.json --checkpoint OUT.pt --data calibration.odad -o model.odaw

Requires only the Python standard library and torch (Debian: python3-torch).
"""
import argparse
import json
import sys

import torch
from torch import nn


def load_architecture(path):
    with open(path, encoding="utf-8") as f:
        arch = json.load(f)
    if arch.get("version") != 1:
        raise ValueError(f"{path}: unsupported architecture version {arch.get('version')}")
    return arch


def _pair(v):
    return (int(v[0]), int(v[1]))


def build_module(arch_or_path):
    """An nn.Sequential that computes the architecture in float32 (layer i = index i)."""
    arch = load_architecture(arch_or_path) if isinstance(arch_or_path, str) else arch_or_path
    shape = list(arch["input_shape"])
    layers = []
    for i, layer in enumerate(arch["layers"]):
        kind = layer["kind"]
        if kind == "dense":
            if len(shape) != 1:
                raise ValueError(f"layer {i}: dense needs a flat input (add a flatten layer)")
            layers.append(nn.Linear(shape[0], layer["out_features"]))
            shape = [layer["out_features"]]
        elif kind == "conv2d":
            k, s, p = _pair(layer["kernel"]), _pair(layer["stride"]), _pair(layer["padding"])
            layers.append(nn.Conv2d(shape[0], layer["out_channels"], k, stride=s, padding=p))
            shape = [layer["out_channels"], (shape[1] + 2 * p[0] - k[0]) // s[0] + 1,
                     (shape[2] + 2 * p[1] - k[1]) // s[1] + 1]
        elif kind in ("maxpool2d", "avgpool2d"):
            k, s = _pair(layer["kernel"]), _pair(layer["stride"])
            layers.append((nn.MaxPool2d if kind == "maxpool2d" else nn.AvgPool2d)(k, stride=s))
            shape = [shape[0], (shape[1] - k[0]) // s[0] + 1, (shape[2] - k[1]) // s[1] + 1]
        elif kind == "relu":
            layers.append(nn.ReLU())
        elif kind == "flatten":
            layers.append(nn.Flatten())
            n = 1
            for d in shape:
                n *= d
            shape = [n]
        else:
            raise ValueError(f"layer {i}: unknown kind {kind!r}")
    return nn.Sequential(*layers)


def _expected_shapes(arch):
    """(layer index, weight shape) of every dense/conv2d layer, in order."""
    module = build_module(arch)
    out = []
    for i, layer in enumerate(arch["layers"]):
        if layer["kind"] in ("dense", "conv2d"):
            out.append((i, tuple(module[i].weight.shape)))
    return out


def _pairs_from_module(module):
    pairs = []
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            pairs.append((m.weight, m.bias))
    return pairs


def _pairs_from_state_dict(state):
    """(weight, bias) pairs in order: tensors named *.weight of rank 2 or 4 and their *.bias."""
    pairs = []
    for name, t in state.items():
        if name.endswith(".weight") and t.dim() in (2, 4):
            pairs.append((t, state.get(name[: -len("weight")] + "bias")))
    return pairs


def export(model_or_state_dict, arch_or_path, out_path, input_zero_point=-128, input_scale=1.0 / 255.0):
    """Writes the ODA float checkpoint of a module (or a state_dict) for an architecture."""
    arch = load_architecture(arch_or_path) if isinstance(arch_or_path, str) else arch_or_path
    if isinstance(model_or_state_dict, nn.Module):
        pairs = _pairs_from_module(model_or_state_dict)
    else:
        pairs = _pairs_from_state_dict(model_or_state_dict)
    expected = _expected_shapes(arch)
    if len(pairs) != len(expected):
        raise ValueError(f"the model has {len(pairs)} Linear/Conv2d layers, the architecture {len(expected)}")
    if not -128 <= int(input_zero_point) <= 127 or not input_scale > 0:
        raise ValueError("input zero point must be an int8 and the input scale positive")
    out = {}
    for (index, shape), (weight, bias) in zip(expected, pairs):
        w = weight.detach().to(torch.float32).cpu().contiguous()
        if tuple(w.shape) != shape:
            raise ValueError(f"layer {index}: weight shape {tuple(w.shape)}, the architecture needs {shape}")
        b = torch.zeros(shape[0]) if bias is None else bias.detach().to(torch.float32).cpu().contiguous()
        if tuple(b.shape) != (shape[0],):
            raise ValueError(f"layer {index}: bias shape {tuple(b.shape)}, expected ({shape[0]},)")
        if not (torch.isfinite(w).all() and torch.isfinite(b).all()):
            raise ValueError(f"layer {index}: non-finite parameters")
        out[f"layers.{index}.weight"] = w.clone()
        out[f"layers.{index}.bias"] = b.clone()
    out["input.zero_point"] = torch.tensor(int(input_zero_point), dtype=torch.int64)
    out["input.scale"] = torch.tensor(float(input_scale), dtype=torch.float64)
    torch.save(out, out_path)
    return out


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("arch", help="architecture JSON")
    parser.add_argument("state_dict", nargs="?", help="torch.save(model.state_dict()) file")
    parser.add_argument("out", help="checkpoint to write")
    parser.add_argument("--random", action="store_true", help="export a randomly initialized model")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--input-zero-point", type=int, default=-128)
    parser.add_argument("--input-scale", type=float, default=1.0 / 255.0)
    args = parser.parse_args(argv)
    try:
        if args.random == (args.state_dict is not None):
            raise ValueError("give a state_dict file or --random")
        if args.random:
            torch.manual_seed(args.seed)
            source = build_module(args.arch)
        else:
            source = torch.load(args.state_dict, map_location="cpu")
            if isinstance(source, nn.Module):
                source = source.state_dict()
        ckpt = export(source, args.arch, args.out, args.input_zero_point, args.input_scale)
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({len(ckpt) - 2} tensors)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
