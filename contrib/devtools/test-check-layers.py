#!/usr/bin/env python3
"""Tests of check-layers.py on small synthetic source trees (standard library only).

Run: /usr/bin/python3 contrib/devtools/test-check-layers.py
Each case writes a tree with the headers it includes, runs check-layers.py on it and
checks the exit status (0 clean, 1 forbidden include) and the offending file in the report.
"""
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-layers.py")
# Headers that exist in every synthetic tree (an include of a missing file is treated as a
# system header and not checked).
HEADERS = [
    "uint256.h", "primitives/block.h", "consensus/amount.h", "util/sync.h", "util/rpc_errors.h",
    "interfaces/chain.h", "node/validation.h", "node/undo.h", "node/context.h",
    "node/validationinterface.h", "rpc/protocol.h", "wallet/wallet.h", "script/sign.h",
]


def run(files):
    """Runs check-layers.py on a tree holding HEADERS plus `files` (path -> include list)."""
    with tempfile.TemporaryDirectory() as src:
        for path in HEADERS:
            os.makedirs(os.path.join(src, os.path.dirname(path)), exist_ok=True)
            open(os.path.join(src, path), "w").close()
        for path, includes in files.items():
            os.makedirs(os.path.join(src, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(src, path), "w") as fh:
                fh.write("".join(f"#include <{inc}>\n" for inc in includes))
        res = subprocess.run([sys.executable, SCRIPT, src], capture_output=True, text=True)
        return res.returncode, res.stderr


class CheckLayersTest(unittest.TestCase):
    def assertClean(self, files):
        rc, err = run(files)
        self.assertEqual(rc, 0, err)

    def assertForbidden(self, files, where):
        rc, err = run(files)
        self.assertEqual(rc, 1, err)
        self.assertIn(where, err)

    def test_wallet_uses_the_chain_interface(self):
        self.assertClean({"wallet/x.cpp": ["interfaces/chain.h", "util/rpc_errors.h", "util/sync.h",
                                           "consensus/amount.h", "script/sign.h"]})

    def test_wallet_may_not_include_node_internals(self):
        for header in ("node/validation.h", "node/undo.h", "node/validationinterface.h", "node/context.h"):
            self.assertForbidden({"wallet/x.cpp": [header]}, f"wallet/x.cpp:1: layer 'wallet' may not include '{header}'")

    def test_wallet_may_not_include_rpc(self):
        self.assertForbidden({"wallet/x.h": ["rpc/protocol.h"]}, "wallet/x.h:1")

    def test_interfaces_only_base_primitives_consensus(self):
        self.assertClean({"interfaces/y.h": ["uint256.h", "primitives/block.h", "consensus/amount.h"]})
        self.assertForbidden({"interfaces/y.h": ["node/validation.h"]}, "interfaces/y.h:1")
        self.assertForbidden({"interfaces/y.h": ["util/sync.h"]}, "interfaces/y.h:1")
        self.assertForbidden({"interfaces/y.h": ["wallet/wallet.h"]}, "interfaces/y.h:1")

    def test_node_implements_the_interface(self):
        self.assertClean({"node/chain_impl.cpp": ["interfaces/chain.h", "node/validation.h"]})
        self.assertForbidden({"node/z.cpp": ["wallet/wallet.h"]}, "node/z.cpp:1")

    def test_wallet_rpc_file_reaches_node_only_through_the_context(self):
        self.assertClean({"rpc/wallet.cpp": ["node/context.h", "interfaces/chain.h", "wallet/wallet.h",
                                             "rpc/protocol.h"]})
        self.assertForbidden({"rpc/wallet.cpp": ["node/context.h", "node/validation.h"]}, "rpc/wallet.cpp:2")
        # Other RPC files keep the ordinary rpc rule.
        self.assertClean({"rpc/blockchain.cpp": ["node/validation.h"]})

    def test_the_real_tree_is_clean(self):
        src = os.path.join(os.path.dirname(SCRIPT), "..", "..", "src")
        res = subprocess.run([sys.executable, SCRIPT, src], capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, res.stderr)


if __name__ == "__main__":
    unittest.main()
