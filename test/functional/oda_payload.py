#!/usr/bin/env python3
"""ODA outputs at the node's edge (doc/oda-protocol.md section 2): a malformed payload and a
transaction with two ODA outputs are rejected by testmempoolaccept and sendrawtransaction
with their reasons; decoderawtransaction shows a well-formed infer payload, which the registry
rules then refuse for its unknown model."""
from test_framework.blocktools import MiniWallet, push_data
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

RPC_VERIFY_REJECTED = -26

# The infer test vector of doc/oda-protocol.md section 2.4.
INFER_HEX = "02" + "44" * 32 + "22" * 32 + "0401fe0380"


def oda_script(payload):
    return b"\x6a" + push_data(b"ODA1") + push_data(payload)


class OdaPayloadTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = False

    def check_reject(self, tx_hex, reason, debug):
        res = self.node.testmempoolaccept([tx_hex])
        assert_equal(res[0]["allowed"], False)
        assert_equal(res[0]["reject-reason"], reason)
        # sendrawtransaction's message adds the debug message that says which rule failed.
        assert_raises_rpc_error(RPC_VERIFY_REJECTED, f"{reason}, {debug}", self.node.sendrawtransaction, tx_hex)

    def run_test(self):
        self.node = node = self.nodes[0]
        wallet = self.wallet
        infer = bytes.fromhex(INFER_HEX)

        self.log.info("A malformed payload (unknown kind) is bad-oda-payload")
        bad = wallet.create_self_transfer_multi(outputs=[(oda_script(b"\x08"), 0)])
        self.check_reject(bad["hex"], "bad-oda-payload", "unknown kind 8")
        truncated = wallet.create_self_transfer_multi(utxos_to_spend=bad["spent"], outputs=[(oda_script(infer[:-1]), 0)])
        self.check_reject(truncated["hex"], "bad-oda-payload", "input tensor truncated")

        self.log.info("Two ODA outputs are bad-oda-multiple")
        two = wallet.create_self_transfer_multi(utxos_to_spend=bad["spent"],
                                                outputs=[(oda_script(infer), 0), (oda_script(infer), 0)])
        self.check_reject(two["hex"], "bad-oda-multiple", "2 ODA outputs")

        self.log.info("A well-formed infer payload passes the context-free rules and is decoded")
        good = wallet.create_self_transfer_multi(utxos_to_spend=bad["spent"], outputs=[(oda_script(infer), 0)])
        oda = node.decoderawtransaction(good["hex"])["vout"][0]["scriptPubKey"]["oda"]
        assert_equal(oda, {"kind": "infer", "model_id": "44" * 32, "weights_version": "22" * 32,
                           "input": [1, -2, 3, -128]})
        # Model 44..44 is not registered: the contextual rules (section 2.5, oda_registry.py) refuse it.
        self.check_reject(good["hex"], "bad-oda-unknown-model", "model " + "44" * 32 + " does not exist")
        bad_decoded = node.decoderawtransaction(bad["hex"])["vout"][0]["scriptPubKey"]["oda"]
        assert_equal(bad_decoded, {"error": "unknown kind 8"})


if __name__ == "__main__":
    OdaPayloadTest().main()
