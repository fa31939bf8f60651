#!/usr/bin/env python3
"""Fail the build when a source file includes a header from a layer it may not use.

The allowed dependencies are the ones of doc/design/libraries.md. Each rule maps a
folder under src/ to the folders (and top-level base headers) its files may include.
Includes of system and third-party headers (<...> not under src/) are not checked,
except that libtorch headers are allowed only in src/oda/engine and src/oda/train.
Some files of a layer that may use node/ are held to a narrower rule (NODE_HEADERS_ALLOWED):
the wallet's RPC file reaches the node only through interfaces/chain.h and node/context.h.

Usage: check-layers.py [SRCDIR]   (exit status 1 and one line per forbidden include)
"""
import os
import re
import sys

BASE = {"base"}  # uint256.h, serialize.h, streams.h, hex.h, config/
# layer -> layers it may include (besides itself and base)
ALLOWED = {
    "crypto": set(),
    "primitives": {"crypto"},
    "util": set(),
    "consensus": {"crypto", "primitives"},
    "script": {"crypto", "primitives", "consensus"},
    "oda/model": {"crypto", "primitives", "consensus"},
    "oda/engine": {"crypto", "primitives", "consensus", "oda/model"},
    "oda/train": {"crypto", "primitives", "consensus", "oda/model", "oda/engine", "util"},
    "oda/chain": {"crypto", "primitives", "consensus", "script", "oda/model"},
    "oda/storage": {"crypto", "primitives", "consensus", "oda/model", "oda/chain", "util"},
    # Abstract interfaces between layers (interfaces/chain.h: what the wallet needs from the node).
    "interfaces": {"crypto", "primitives", "consensus"},
    "node": {"crypto", "primitives", "consensus", "script", "util", "oda/model", "oda/engine",
             "oda/chain", "oda/storage", "interfaces"},
    "net": {"crypto", "primitives", "consensus", "script", "util", "node", "oda/model", "oda/chain",
            "oda/storage"},
    "rpc": {"crypto", "primitives", "consensus", "script", "util", "node", "net", "oda/model",
            "oda/engine", "oda/chain", "oda/storage", "wallet", "zmq", "interfaces"},
    # The wallet reaches the node only through interfaces/ (no node/ header at all).
    "wallet": {"crypto", "primitives", "consensus", "script", "util", "interfaces", "oda/model", "oda/chain"},
    "zmq": {"crypto", "primitives", "consensus", "util", "node"},
    # Executables' main files, tests, benchmarks and fuzz targets may use everything.
    "app": None,
    "test": None,
    "bench": None,
}
# Files (relative to src/) whose layer may use node/ but which may include only these node/
# headers: rpc/wallet.cpp is compiled into libodawallet and finds the loaded wallets through
# NodeContext::wallet_manager; everything else it needs from the node goes through interfaces/.
NODE_HEADERS_ALLOWED = {
    "rpc/wallet.cpp": {"node/context.h"},
}
TORCH_OK = {"oda/engine", "oda/train", "test", "bench"}
TORCH_PREFIXES = ("torch/", "ATen/", "c10/")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def layer_of(relpath):
    """Layer of a path relative to src/ ('base' for top-level files)."""
    parts = relpath.split("/")
    if len(parts) == 1 or parts[0] == "config":
        return "base"
    if parts[0] == "oda" and len(parts) > 2:
        return "oda/" + parts[1]
    if parts[0] in ("odad.cpp", "oda-cli.cpp", "oda-model.cpp", "tool"):
        return "app"
    return parts[0]


def main():
    srcdir = sys.argv[1] if len(sys.argv) > 1 else "src"
    errors = []
    for root, _dirs, files in os.walk(srcdir):
        for name in sorted(files):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, srcdir)
            layer = layer_of(rel)
            if layer == "base" and len(rel.split("/")) == 1 and name.startswith("oda"):
                layer = "app"
            allowed = ALLOWED.get(layer, set())
            with open(path, encoding="utf-8", errors="replace") as fh:
                for lineno, line in enumerate(fh, 1):
                    m = INCLUDE_RE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    if inc.startswith(TORCH_PREFIXES):
                        if layer not in TORCH_OK:
                            errors.append(f"{rel}:{lineno}: libtorch header <{inc}> outside oda/engine, oda/train")
                        continue
                    if not os.path.exists(os.path.join(srcdir, inc)):
                        continue  # system or third-party header
                    target = layer_of(inc)
                    if target == "node" and rel in NODE_HEADERS_ALLOWED and inc not in NODE_HEADERS_ALLOWED[rel]:
                        errors.append(f"{rel}:{lineno}: '{rel}' may include from node/ only "
                                      f"{sorted(NODE_HEADERS_ALLOWED[rel])}, not '{inc}'")
                        continue
                    if allowed is None or target in ("base", layer) or target in allowed:
                        continue
                    errors.append(f"{rel}:{lineno}: layer '{layer}' may not include '{inc}' (layer '{target}')")
    if errors:
        print("check-layers: forbidden includes (see doc/design/libraries.md):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
