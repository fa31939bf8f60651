// The mempool, mining and raw-transaction RPC families through the dispatcher
// (no sockets) on a regtest node context: result shapes, BIP 22 results and
// error codes as Bitcoin Core's.
#include <consensus/chainparams.h>
#include <consensus/pow.h>
#include <hex.h>
#include <node/context.h>
#include <node/mempool.h>
#include <node/mempool_sync.h>
#include <node/validation.h>
#include <rpc/mempool.h>
#include <rpc/protocol.h>
#include <rpc/server.h>
#include <script/address.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <streams.h>
#include <test/util/tempdir.h>

#include <boost/test/unit_test.hpp>

using nlohmann::json;

namespace {

struct RPCNodeFixture {
    TempDir dir{"rpcmempool"};
    NodeContext node;
    CRPCTable table;
    CKey key;
    ScriptBytes spk;
    std::string address;

    RPCNodeFixture()
    {
        node.chainparams = CreateChainParams(ChainType::REGTEST);
        node.clock.SetMockTime(node.chainparams->GenesisBlock().time + 100000);
        node::ChainstateOptions opts;
        opts.datadir = dir.Path("regtest");
        opts.dbcache_bytes = 16 << 20;
        opts.clock = &node.clock;
        node.chainman = std::make_shared<node::ChainstateManager>(*node.chainparams, opts);
        std::string error;
        BOOST_REQUIRE_MESSAGE(node.chainman->Load(error), error);
        MemPoolOptions mopts;
        const MockableClock* clock = &node.clock;
        mopts.clock = [clock] { return clock->Now(); };
        node.mempool = std::make_shared<CTxMemPool>(mopts);
        node.mempool_sync = std::make_shared<MempoolChainSync>(*node.chainman, *node.mempool);
        node.chainman->Signals().Register(node.mempool_sync.get());
        RegisterMempoolRPCCommands(table);
        RegisterMiningRPCCommands(table);
        RegisterRawTransactionRPCCommands(table);
        table.SetWarmupFinished();
        key = *CKey::FromBytes(std::vector<uint8_t>(32, 0x19));
        spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
        address = EncodeDestination(spk, "roda");
    }
    ~RPCNodeFixture() { node.chainman->Signals().Unregister(node.mempool_sync.get()); }

    json Call(const std::string& method, json params = json::array())
    {
        JSONRPCRequest req;
        req.method = method;
        req.params = std::move(params);
        req.context = &node;
        return table.Execute(req);
    }

    /** The RPC error code of a failing call (0 if it did not fail). */
    int ErrorCode(const std::string& method, json params, std::string* message = nullptr)
    {
        try {
            Call(method, std::move(params));
        } catch (const JSONRPCError& e) {
            if (message) *message = e.what();
            return e.Code();
        }
        return 0;
    }

    void Generate(int n)
    {
        for (int i = 0; i < n; ++i) {
            node.clock.SetMockTime(node.clock.Now() + 60);
            BOOST_REQUIRE_EQUAL(Call("generatetoaddress", {1, address}).size(), 1U);
        }
    }

    /** Signed hex of a transaction spending output 0 of `txid` (worth `value`) to our key. */
    std::string SpendHex(const std::string& txid, CAmount value, CAmount fee)
    {
        json raw = Call("createrawtransaction", {json::array({{{"txid", txid}, {"vout", 0}}}),
                                                 json::object({{address, double(value - fee) / 1e8}})});
        CMutableTransaction mtx = *DecodeHexTx(raw.get<std::string>());
        std::string error;
        BOOST_REQUIRE_MESSAGE(SignTaprootKeyPath(mtx, 0, {CTxOut(value, spk)}, key, 0x00, &error), error);
        return HexStr(SerializeToBytes(mtx));
    }

    std::string CoinbaseTxid(int height)
    {
        CBlock block;
        const node::CBlockIndex* index = WITH_LOCK(node.chainman->Mutex(), return node.chainman->ActiveChain()[height]);
        BOOST_REQUIRE(node.chainman->ReadBlock(index, block));
        return block.vtx[0]->GetTxid().GetHex();
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(rpc_mempool_tests, RPCNodeFixture)

BOOST_AUTO_TEST_CASE(generate_accept_send_and_list)
{
    BOOST_CHECK_EQUAL(ErrorCode("generatetoaddress", {1, "roda1notanaddress"}), RPC_INVALID_ADDRESS_OR_KEY);
    Generate(101);
    BOOST_CHECK_EQUAL(Call("getmininginfo")["blocks"].get<int>(), 101);

    const CAmount subsidy = 50 * 100000000LL;
    const std::string cb1 = CoinbaseTxid(1);
    const std::string hex = SpendHex(cb1, subsidy, 10000);
    json test = Call("testmempoolaccept", {json::array({hex})});
    BOOST_REQUIRE_EQUAL(test.size(), 1U);
    BOOST_CHECK(test[0]["allowed"].get<bool>());
    BOOST_CHECK(test[0].contains("vsize"));
    BOOST_CHECK_EQUAL(WriteJSON(test[0]["fees"]["base"]), "0.00010000");
    BOOST_CHECK_EQUAL(Call("getmempoolinfo")["size"].get<int>(), 0);

    const std::string txid = Call("sendrawtransaction", {hex}).get<std::string>();
    BOOST_CHECK_EQUAL(Call("sendrawtransaction", {hex}).get<std::string>(), txid); // already there: same answer
    BOOST_CHECK_EQUAL(Call("getrawmempool"), json::array({txid}));
    json entry = Call("getmempoolentry", {txid});
    BOOST_CHECK_EQUAL(entry["ancestorcount"].get<int>(), 1);
    BOOST_CHECK_EQUAL(entry["computeunits"].get<int>(), 0); // no ODA work
    BOOST_CHECK(entry["depends"].empty());
    BOOST_CHECK(Call("getrawmempool", {true}).contains(txid));
    BOOST_CHECK_EQUAL(Call("getrawmempool", {false, true})["mempool_sequence"].get<int>(), 1);
    BOOST_CHECK_EQUAL(Call("getrawtransaction", {txid}).get<std::string>(), hex);

    // Rejections with Core's codes and reasons.
    std::string message;
    const std::string conflict = SpendHex(cb1, subsidy, 20000);
    BOOST_CHECK_EQUAL(ErrorCode("sendrawtransaction", {conflict}, &message), RPC_VERIFY_REJECTED);
    BOOST_CHECK_EQUAL(message, "txn-mempool-conflict");
    BOOST_CHECK_EQUAL(Call("testmempoolaccept", {json::array({conflict})})[0]["reject-reason"], "txn-mempool-conflict");
    const std::string orphan = SpendHex(std::string(64, 'a'), subsidy, 10000);
    BOOST_CHECK_EQUAL(ErrorCode("sendrawtransaction", {orphan}, &message), RPC_VERIFY_ERROR);
    BOOST_CHECK_EQUAL(message, "bad-txns-inputs-missingorspent");
    BOOST_CHECK_EQUAL(Call("testmempoolaccept", {json::array({orphan})})[0]["reject-reason"], "missing-inputs");
    BOOST_CHECK_EQUAL(ErrorCode("sendrawtransaction", {"00"}), RPC_DESERIALIZATION_ERROR);
    BOOST_CHECK_EQUAL(ErrorCode("testmempoolaccept", {json::array()}), RPC_INVALID_PARAMETER);
    BOOST_CHECK_EQUAL(ErrorCode("getmempoolentry", {std::string(64, '0')}), RPC_INVALID_ADDRESS_OR_KEY);
    const std::string cb2 = CoinbaseTxid(2);
    BOOST_CHECK_EQUAL(ErrorCode("sendrawtransaction", {SpendHex(cb2, subsidy, 10000), 0.00000001}, &message), RPC_VERIFY_ERROR);
    BOOST_CHECK(message.find("Fee exceeds maximum") == 0);
    BOOST_CHECK_EQUAL(Call("getmempoolinfo")["size"].get<int>(), 1); // refused inside the one acceptance: not added

    // Mining confirms it: the pool empties and resending says "already in block chain".
    Generate(1);
    BOOST_CHECK(Call("getrawmempool").empty());
    BOOST_CHECK_EQUAL(ErrorCode("sendrawtransaction", {hex}, &message), RPC_VERIFY_ALREADY_IN_CHAIN);
}

BOOST_AUTO_TEST_CASE(block_template_and_submitblock)
{
    Generate(101);
    const CAmount subsidy = 50 * 100000000LL;
    const std::string txid = Call("sendrawtransaction", {SpendHex(CoinbaseTxid(1), subsidy, 10000)}).get<std::string>();

    BOOST_CHECK_EQUAL(ErrorCode("getblocktemplate", json::array()), RPC_INVALID_PARAMETER);
    json tmpl = Call("getblocktemplate", {{{"rules", {"segwit"}}}});
    BOOST_REQUIRE_EQUAL(tmpl["transactions"].size(), 1U);
    BOOST_CHECK_EQUAL(tmpl["transactions"][0]["txid"], txid);
    BOOST_CHECK_EQUAL(tmpl["transactions"][0]["fee"].get<int64_t>(), 10000);
    BOOST_CHECK_EQUAL(tmpl["height"].get<int>(), 102);
    BOOST_CHECK_EQUAL(tmpl["bits"], "207fffff");
    BOOST_CHECK(tmpl["default_witness_commitment"].get<std::string>().rfind("6a24aa21a9ed", 0) == 0);
    BOOST_CHECK_EQUAL(tmpl["previousblockhash"], node.chainman->ActiveTip()->GetBlockHash().GetHex());

    // generateblock without submitting, then submitblock: null, then "duplicate".
    json made = Call("generateblock", {address, json::array({txid}), false});
    const std::string block_hex = made["hex"].get<std::string>();
    BOOST_CHECK_EQUAL(Call("getblocktemplate", {{{"mode", "proposal"}, {"data", block_hex}}}), json(nullptr));
    BOOST_CHECK_EQUAL(Call("submitblock", {block_hex}), json(nullptr));
    BOOST_CHECK_EQUAL(node.chainman->ActiveTip()->GetBlockHash().GetHex(), made["hash"].get<std::string>());
    BOOST_CHECK_EQUAL(Call("submitblock", {block_hex}), json("duplicate"));
    BOOST_CHECK(Call("getrawmempool").empty());
    BOOST_CHECK_EQUAL(ErrorCode("submitblock", {"00"}), RPC_DESERIALIZATION_ERROR);

    // A block with a wrong merkle root gets its reject reason.
    made = Call("generateblock", {address, json::array(), false});
    std::vector<uint8_t> bytes = *ParseHex(made["hex"].get<std::string>());
    bytes[36] ^= 1; // inside hash_merkle_root (offset 36..67)
    CBlock block;
    DeserializeExact(bytes, block);
    const ConsensusParams& consensus = node.chainparams->GetConsensus();
    while (!CheckProofOfWork(block.GetHash(), block.bits, consensus)) ++block.nonce;
    BOOST_CHECK_EQUAL(Call("submitblock", {HexStr(SerializeToBytes(block))}), json("bad-txnmrklroot"));

    BOOST_CHECK_EQUAL(ErrorCode("generateblock", {address, json::array({std::string(64, 'b')})}), RPC_INVALID_ADDRESS_OR_KEY);
}

BOOST_AUTO_TEST_CASE(raw_transaction_helpers)
{
    json raw = Call("createrawtransaction", {json::array({{{"txid", std::string(64, 'c')}, {"vout", 1}}}),
                                             json::array({{{address, 1.5}}, {{"data", "68656c6c6f"}}}), 7});
    json decoded = Call("decoderawtransaction", {raw});
    BOOST_CHECK_EQUAL(decoded["locktime"].get<int>(), 7);
    BOOST_REQUIRE_EQUAL(decoded["vout"].size(), 2U);
    BOOST_CHECK_EQUAL(WriteJSON(decoded["vout"][0]["value"]), "1.50000000");
    BOOST_CHECK_EQUAL(decoded["vout"][0]["scriptPubKey"]["address"], address);
    BOOST_CHECK_EQUAL(decoded["vout"][1]["scriptPubKey"]["type"], "nulldata");
    BOOST_CHECK_EQUAL(decoded["vin"][0]["sequence"].get<int64_t>(), 0xfffffffe); // locktime set: non-final sequence

    std::string message;
    BOOST_CHECK_EQUAL(ErrorCode("createrawtransaction", {json::array(), json::object({{"bc1qxyz", 1}})}, &message),
                      RPC_INVALID_ADDRESS_OR_KEY);
    BOOST_CHECK_EQUAL(message, "Invalid ODA address: bc1qxyz");
    BOOST_CHECK_EQUAL(ErrorCode("createrawtransaction", {json::array({{{"txid", std::string(64, 'c')}}}), json::object()}, &message),
                      RPC_INVALID_PARAMETER);
    BOOST_CHECK_EQUAL(ErrorCode("decoderawtransaction", {"zz"}), RPC_DESERIALIZATION_ERROR);

    json valid = Call("validateaddress", {address});
    BOOST_CHECK(valid["isvalid"].get<bool>());
    BOOST_CHECK_EQUAL(valid["scriptPubKey"], HexStr(spk));
    BOOST_CHECK_EQUAL(valid["witness_version"].get<int>(), 1);
    json invalid = Call("validateaddress", {"roda1qqqq"});
    BOOST_CHECK(!invalid["isvalid"].get<bool>());
    BOOST_CHECK(invalid.contains("error"));

    json script = Call("decodescript", {HexStr(spk)});
    BOOST_CHECK_EQUAL(script["type"], "witness_v1_taproot");
    BOOST_CHECK_EQUAL(script["address"], address);

    BOOST_CHECK_EQUAL(ErrorCode("getrawtransaction", {std::string(64, 'd')}), RPC_INVALID_ADDRESS_OR_KEY);
}

BOOST_AUTO_TEST_SUITE_END()
