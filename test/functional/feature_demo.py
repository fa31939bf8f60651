#!/usr/bin/env python3
"""feature_demo: README's main job (contrib/demo.py) runs from this build and does what it says:
two nodes with wallets mine, sync, relay and pay each other; the model engine trains and
scores a model, whose files go into the miner's file store and which an add-model transaction
registers on both nodes. Keeps the README's first command true."""
import os
import re
import subprocess
import sys

from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, p2p_port


class DemoTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 0  # the demo starts its own two nodes, on this test's block of ports
        self.setup_clean_chain = True

    def skip_test_if_missing_module(self):
        self.skip_if_no_wallet()

    def run_test(self):
        env = self.config["environment"]
        demo = os.path.join(env["SRCDIR"], "contrib", "demo.py")
        run_env = dict(os.environ, ODA_BUILDDIR=env["BUILDDIR"],
                       ODA_DEMO_DATADIR=os.path.join(self.options.tmpdir, "demo"),
                       ODA_DEMO_PORT_BASE=str(p2p_port(0)))
        self.log.info("Running contrib/demo.py")
        proc = subprocess.run([sys.executable, demo], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=600)
        out = proc.stdout
        if proc.returncode != 0:
            self.log.error(out)
        assert_equal(proc.returncode, 0)

        self.log.info("The chain part: sync, relay, confirmation, payment back")
        assert "mined 101 blocks; alice's node is at height 101" in out, out
        assert "miner: trusted 50.00000000, immature 5000.00000000" in out, out
        assert re.search(r"alice's mempool holds it: \['[0-9a-f]{64}'\]", out), out
        assert "alice: untrusted pending 10.00000000" in out, out
        assert "alice: received 10.00000000 coins, 1 confirmation(s)" in out, out
        fee = re.search(r"alice paid 3\.00000000 coins and a fee of 0\.(\d{8}) coins", out)
        assert fee, out
        left = 700_000_000 - int(fee.group(1))
        assert f"alice's balance: {left // 100_000_000}.{left % 100_000_000:08d} (10 - 3 - fee)" in out, out

        self.log.info("The model part (when Fashion-MNIST is installed): both engines give the same score")
        if "model part skipped" in out:
            self.log.info("Fashion-MNIST not installed: model part skipped by the demo")
        else:
            scores = re.findall(r"(consensus engine|reference interpreter): score (\d+)", out)
            assert_equal([name for name, _ in scores], ["consensus engine", "reference interpreter"])
            assert_equal(scores[0][1], scores[1][1])
            assert re.search(r"argmax \d\nlabel \d", out), out
            self.log.info("On chain: addmodel, the waiting block, inferences, the weight update")
            added = re.search(r"claimed score (\d+), (\d+) compute units \(scoring 10000 samples\)", out)
            assert added, out
            assert_equal(added.group(1), scores[0][1])  # the claimed score is the engine's
            assert "the miner's store: [('dataset', 'held'), ('weights', 'held')]" in out or \
                "the miner's store: [('weights', 'held'), ('dataset', 'held')]" in out, out
            assert re.search(r"is waiting-for-data, missing \[\('[0-9a-f]{16}\.\.\.', \d+\), \('[0-9a-f]{16}\.\.\.', \d+\)\]", out), out
            registered = re.search(r"alice's node: owner roda1\w+, version 0, score (\d+) of 10000 samples, "
                                   r"objective accuracy", out)
            assert registered, out
            assert_equal(registered.group(1), scores[0][1])
            assert re.search(r"registry hash: miner ([0-9a-f]{64}), alice \1: equal", out), out
            rows = re.findall(r"^\s+\d  (\S+)\s+(\S+)\s+confirmed, 1 confirmation\(s\)$", out, re.M)
            assert_equal(len(rows), 5)
            chain_argmax = re.search(r"oda-model infer on image 0 gives argmax (\d): the same as the chain", out)
            assert chain_argmax, out
            improved = re.search(r"local score (\d+) against the current (\d+): improves = (True|False)", out)
            assert improved, out
            if improved.group(3) == "True":
                new_score = improved.group(1)
                assert f"miner's node: version 1, score {new_score}" in out, out
                assert f"alice's node: version 1, score {new_score}" in out, out
            assert "error code: -26" in out and "bad-oda-not-improving: the weights score" in out, out
            assert "alice's mempool: 0 transactions" in out, out
        assert "Done." in out, out


if __name__ == "__main__":
    DemoTest().main()
