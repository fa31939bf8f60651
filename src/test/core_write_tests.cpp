// JSON shapes of transactions and blocks (Bitcoin Core's field names).
#include <consensus/chainparams.h>
#include <node/blockindex.h>
#include <rpc/core_write.h>
#include <rpc/protocol.h>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(core_write_tests)

BOOST_AUTO_TEST_CASE(tx_to_json_fields)
{
    CMutableTransaction mtx;
    mtx.vin.emplace_back(COutPoint(uint256::ONE, 3), 0xfffffffe);
    mtx.vin[0].witness.stack.push_back(std::vector<uint8_t>(64, 0xab));
    ScriptBytes taproot{0x51, 0x20};
    taproot.resize(34, 0x11);
    mtx.vout.emplace_back(123456789, taproot);
    mtx.vout.emplace_back(0, ScriptBytes{0x6a, 0x02, 0xbe, 0xef});
    mtx.lock_time = 7;
    CTransaction tx(mtx);
    nlohmann::json j = TxToJSON(tx, "roda", true);
    BOOST_CHECK_EQUAL(j["txid"].get<std::string>(), tx.GetTxid().GetHex());
    BOOST_CHECK_EQUAL(j["hash"].get<std::string>(), tx.GetWtxid().GetHex());
    BOOST_CHECK(j["hash"] != j["txid"]);
    BOOST_CHECK_EQUAL(j["locktime"].get<int>(), 7);
    BOOST_CHECK_EQUAL(j["size"].get<size_t>(), tx.GetTotalSize());
    BOOST_CHECK_EQUAL(j["weight"].get<int64_t>(), int64_t(tx.GetStrippedSize() * 3 + tx.GetTotalSize()));
    BOOST_CHECK_EQUAL(j["vsize"].get<int64_t>(), (j["weight"].get<int64_t>() + 3) / 4);
    BOOST_CHECK_EQUAL(j["vin"][0]["vout"].get<int>(), 3);
    BOOST_CHECK_EQUAL(j["vin"][0]["sequence"].get<uint32_t>(), 0xfffffffeU);
    std::string ab;
    for (int i = 0; i < 64; ++i) ab += "ab";
    BOOST_CHECK_EQUAL(j["vin"][0]["txinwitness"][0].get<std::string>(), ab);
    BOOST_CHECK_EQUAL(j["vin"][0]["txinwitness"][0].get<std::string>().size(), 128U);
    BOOST_CHECK_EQUAL(WriteJSON(j["vout"][0]["value"]), "1.23456789");
    BOOST_CHECK_EQUAL(j["vout"][0]["scriptPubKey"]["type"].get<std::string>(), "witness_v1_taproot");
    BOOST_CHECK(j["vout"][0]["scriptPubKey"]["address"].get<std::string>().rfind("roda1p", 0) == 0);
    BOOST_CHECK_EQUAL(j["vout"][1]["scriptPubKey"]["type"].get<std::string>(), "nulldata");
    BOOST_CHECK(!j["vout"][1]["scriptPubKey"].contains("address"));
    BOOST_CHECK(j.contains("hex"));
    BOOST_CHECK(!TxToJSON(tx, "roda").contains("hex"));
}

BOOST_AUTO_TEST_CASE(block_to_json_fields)
{
    auto params = CreateChainParams(ChainType::REGTEST);
    const CBlock& genesis = params->GenesisBlock();
    const uint256 hash = genesis.GetHash();
    node::CBlockIndex index(genesis.GetHeader());
    index.phash = &hash;
    index.tx_count = 1;
    nlohmann::json j = BlockToJSON(genesis, &index, &index, nullptr, 1, "roda");
    BOOST_CHECK_EQUAL(j["hash"].get<std::string>(), hash.GetHex());
    BOOST_CHECK_EQUAL(j["confirmations"].get<int>(), 1);
    BOOST_CHECK_EQUAL(j["height"].get<int>(), 0);
    BOOST_CHECK_EQUAL(j["bits"].get<std::string>(), "207fffff");
    BOOST_CHECK_EQUAL(j["versionHex"].get<std::string>(), "00000001");
    BOOST_CHECK_EQUAL(j["tx"][0].get<std::string>(), genesis.vtx[0]->GetTxid().GetHex());
    BOOST_CHECK(!j.contains("previousblockhash"));
    BOOST_CHECK_EQUAL(j["size"].get<size_t>(), j["strippedsize"].get<size_t>()); // no witness
    nlohmann::json j2 = BlockToJSON(genesis, &index, &index, nullptr, 2, "roda");
    BOOST_CHECK_EQUAL(j2["tx"][0]["txid"].get<std::string>(), genesis.vtx[0]->GetTxid().GetHex());
    BOOST_CHECK(j2["tx"][0]["vin"][0].contains("coinbase"));
    // Regtest minimum difficulty, as Bitcoin Core reports it.
    BOOST_CHECK_CLOSE(GetDifficulty(0x207fffff), 4.656542373906925e-10, 1e-6);
    BOOST_CHECK_CLOSE(GetDifficulty(0x1d00ffff), 1.0, 1e-9);
}

BOOST_AUTO_TEST_SUITE_END()
