#!/usr/bin/env python3
"""Integer RPC arguments refuse fractional and out-of-range numbers instead of truncating them.

Walks every command that `help` lists, finds its integer ("numeric") parameters in
`help <command>`, and checks that 1.5, -0.5 and 1e300 are refused with RPC_TYPE_ERROR (the
wrong-type error, or "JSON integer out of range") before the handler runs. Then checks the
integer values read by handlers from untyped ("any") arguments and from fields inside objects,
and that the calls which used to truncate (getblockhash 1.5 -> block 1, generatetoaddress 1.5
-> one block) now change nothing.
"""
import re

from test_framework.blocktools import MiniWallet
from test_framework.test_framework import ODATestFramework
from test_framework.util import assert_equal, assert_greater_than, assert_raises_rpc_error

RPC_TYPE_ERROR = -3

WRONG_TYPE = "is not of expected type integer"
OUT_OF_RANGE = "JSON integer out of range"
# value sent -> substring of the error it must get
BAD_INTEGERS = [(1.5, WRONG_TYPE), (-0.5, WRONG_TYPE), (0.9, WRONG_TYPE), (1e300, OUT_OF_RANGE)]

# A value of the right type for each other argument, so that only the bad integer is wrong.
PLACEHOLDER = {
    "string": "x",
    "string, hex": "00",
    "numeric": 0,
    "numeric or string, amount": 1,
    "boolean": False,
    "json object": {},
    "json array": [],
    "any": "x",
}
# Registered in the "hidden" category, which `help` does not list (`help <command>` still works).
HIDDEN_COMMANDS = {"setmocktime", "echo", "echojson"}
ARG_LINE = re.compile(r"^(\d+)\. (\S+)\s+\(([^)]*?), (required|optional)(?:, default=[^)]*)?\)")


def parse_args(help_text):
    """[(name, type name, required)] from the Arguments section of `help <command>`."""
    args = []
    in_args = False
    for line in help_text.splitlines():
        if line == "Arguments:":
            in_args = True
            continue
        if in_args:
            m = ARG_LINE.match(line)
            if not m:
                break
            assert_equal(int(m.group(1)), len(args) + 1)
            args.append((m.group(2), m.group(3), m.group(4) == "required"))
    return args


class RPCIntegerArgsTest(ODATestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node = self.nodes[0]
        self.address = MiniWallet(node).address
        node.generatetoaddress(3, self.address)
        self.test_every_integer_parameter()
        self.test_untyped_and_nested_integers()
        self.test_truncation_gone()

    def test_every_integer_parameter(self):
        node = self.nodes[0]
        listed = {line.split()[0] for line in node.help().splitlines() if line and not line.startswith("==")}
        commands = sorted(listed | HIDDEN_COMMANDS)
        checked = []
        for command in commands:
            args = parse_args(node.help(command))
            for i, (name, type_name, _) in enumerate(args):
                if type_name != "numeric":
                    continue
                for value, message in BAD_INTEGERS:
                    params = []
                    last = max([i] + [j for j, (_, _, required) in enumerate(args) if required])
                    for j, (_, other_type, required) in enumerate(args[:last + 1]):
                        if j == i:
                            params.append(value)
                        else:
                            params.append(PLACEHOLDER[other_type] if required else None)
                    err = assert_raises_rpc_error(RPC_TYPE_ERROR, message, getattr(node, command), *params)
                    assert name in err["message"], (command, err)
                checked.append(f"{command}.{name}")
        self.log.info(f"{len(checked)} integer parameters refuse 1.5, -0.5, 0.9 and 1e300: {', '.join(checked)}")
        # The walk really found the parameters (a help format change must not make it vacuous).
        for expected in ["getblockhash.height", "gettxout.n", "generatetoaddress.nblocks", "generatetoaddress.maxtries",
                         "setban.bantime", "disconnectnode.nodeid", "createrawtransaction.locktime", "setmocktime.timestamp"]:
            assert expected in checked, expected
        assert_greater_than(len(checked), 10)

    def test_untyped_and_nested_integers(self):
        node = self.nodes[0]
        self.log.info("Integers read from 'any' arguments and from object fields follow the same rule")
        tip = node.getbestblockhash()
        coinbase = node.getblock(tip)["tx"][0]
        for value, message in BAD_INTEGERS:
            assert_raises_rpc_error(RPC_TYPE_ERROR, message, node.getblock, tip, value)
            assert_raises_rpc_error(RPC_TYPE_ERROR, message, node.getrawtransaction, coinbase, value, tip)
            assert_raises_rpc_error(RPC_TYPE_ERROR, message, node.createrawtransaction,
                                    [{"txid": coinbase, "vout": value}], {})
            assert_raises_rpc_error(RPC_TYPE_ERROR, message, node.createrawtransaction,
                                    [{"txid": coinbase, "vout": 0, "sequence": value}], {})
        # Integral numbers written with a fraction or an exponent are still integers.
        assert_equal(node.getblockhash(2.0), node.getblockhash(2))
        assert_equal(node.getblock(tip, 0.0), node.getblock(tip, 0))

    def test_truncation_gone(self):
        node = self.nodes[0]
        self.log.info("Calls that used to truncate change nothing")
        count = node.getblockcount()
        assert_raises_rpc_error(RPC_TYPE_ERROR, WRONG_TYPE, node.getblockhash, 1.5)
        assert_raises_rpc_error(RPC_TYPE_ERROR, WRONG_TYPE, node.getblockhash, -0.5)
        assert_raises_rpc_error(RPC_TYPE_ERROR, OUT_OF_RANGE, node.getblockhash, 1e300)
        assert_raises_rpc_error(RPC_TYPE_ERROR, OUT_OF_RANGE, node.getblockhash, 2**64)
        assert_raises_rpc_error(RPC_TYPE_ERROR, WRONG_TYPE, node.generatetoaddress, 1.5, self.address)
        assert_raises_rpc_error(RPC_TYPE_ERROR, WRONG_TYPE, node.generatetoaddress, 0.9, self.address)
        assert_raises_rpc_error(RPC_TYPE_ERROR, OUT_OF_RANGE, node.generatetoaddress, 2**31, self.address)
        assert_equal(node.getblockcount(), count)
        assert_equal(len(node.generatetoaddress(1, self.address)), 1)
        assert_equal(node.getblockcount(), count + 1)


if __name__ == "__main__":
    RPCIntegerArgsTest().main()
