"""Helpers shared by the wallet_* functional tests (not a test itself: no test prefix)."""
from test_framework.authproxy import AuthServiceProxy
from test_framework.test_framework import ODATestFramework

FALLBACK_FEE_ARG = "-fallbackfee=0.0002"
COINBASE_MATURITY = 100


class WalletTestFramework(ODATestFramework):
    """Base class of the wallet_* tests: a clean chain (no premine), every node started with a
    fallback fee, and the test skipped when odad was built without the wallet. One node by
    default; a test that wants more overrides set_test_params and calls set_wallet_test_params."""

    def set_test_params(self):
        self.set_wallet_test_params()

    def set_wallet_test_params(self, num_nodes=1, extra_args=()):
        """num_nodes nodes, each started with the fallback fee plus extra_args."""
        self.num_nodes = num_nodes
        self.setup_clean_chain = True
        self.extra_args = [[FALLBACK_FEE_ARG, *extra_args] for _ in range(num_nodes)]

    def skip_test_if_missing_module(self):
        self.skip_if_no_wallet()


def wallet_rpc(node, name):
    """An RPC proxy bound to the /wallet/<name> endpoint of node."""
    from urllib.parse import quote
    return AuthServiceProxy(node.url() + "/wallet/" + quote(name, safe=""), timeout=node.rpc_timeout)


def copy_blocks(src, dst):
    """Brings dst to src's active chain by submitting src's blocks (works with or without P2P):
    finds the fork point, then submits every block of src above it, oldest first."""
    height = min(src.getblockcount(), dst.getblockcount())
    while height > 0 and src.getblockhash(height) != dst.getblockhash(height):
        height -= 1
    for h in range(height + 1, src.getblockcount() + 1):
        block_hex = src.getblock(src.getblockhash(h), 0)
        dst.submitblock(block_hex)
    assert dst.getbestblockhash() == src.getbestblockhash(), "block copy did not reach the same tip"


def create_funded_wallet(node, name):
    """Creates wallet `name` on node and mines COINBASE_MATURITY + 1 blocks to it, so that it holds
    one mature coinbase (50 coins on regtest). Returns its RPC proxy."""
    node.createwallet(name)
    w = wallet_rpc(node, name)
    node.generatetoaddress(COINBASE_MATURITY + 1, w.getnewaddress())
    return w
