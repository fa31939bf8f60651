"""Helpers shared by the wallet_* functional tests (not a test itself: no test prefix)."""
from test_framework.authproxy import AuthServiceProxy


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
