#include <consensus/arith.h>
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <streams.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <set>

BOOST_AUTO_TEST_SUITE(chainparams_tests)

BOOST_AUTO_TEST_CASE(chain_type_names)
{
    for (ChainType c : {ChainType::MAIN, ChainType::TESTNET, ChainType::REGTEST}) {
        BOOST_CHECK(ChainTypeFromString(ChainTypeToString(c)) == c);
    }
    BOOST_CHECK_EQUAL(ChainTypeToString(ChainType::MAIN), "main");
    BOOST_CHECK_EQUAL(ChainTypeToString(ChainType::TESTNET), "test");
    BOOST_CHECK_EQUAL(ChainTypeToString(ChainType::REGTEST), "regtest");
    BOOST_CHECK(!ChainTypeFromString("Main"));
    BOOST_CHECK(!ChainTypeFromString("testnet"));
    BOOST_CHECK(!ChainTypeFromString(""));
}

BOOST_AUTO_TEST_CASE(network_constants)
{
    const auto main = CreateChainParams(ChainType::MAIN);
    const auto test = CreateChainParams(ChainType::TESTNET);
    const auto reg = CreateChainParams(ChainType::REGTEST);
    BOOST_CHECK(main->GetChainType() == ChainType::MAIN);
    BOOST_CHECK(test->GetChainType() == ChainType::TESTNET);
    BOOST_CHECK(reg->GetChainType() == ChainType::REGTEST);

    BOOST_CHECK(main->MessageStart() == (ChainParams::MessageStartChars{0xd0, 0xda, 0x01, 0xa1}));
    BOOST_CHECK(test->MessageStart() == (ChainParams::MessageStartChars{0xd0, 0xda, 0x7e, 0x57}));
    BOOST_CHECK(reg->MessageStart() == (ChainParams::MessageStartChars{0xd0, 0xda, 0x5e, 0x91}));
    BOOST_CHECK_EQUAL(main->DefaultPort(), 9333);
    BOOST_CHECK_EQUAL(main->RPCPort(), 9332);
    BOOST_CHECK_EQUAL(test->DefaultPort(), 19333);
    BOOST_CHECK_EQUAL(test->RPCPort(), 19332);
    BOOST_CHECK_EQUAL(reg->DefaultPort(), 19444);
    BOOST_CHECK_EQUAL(reg->RPCPort(), 19443);
    BOOST_CHECK_EQUAL(main->DefaultTorrentPort(), 9334);
    BOOST_CHECK_EQUAL(test->DefaultTorrentPort(), 19334);
    BOOST_CHECK_EQUAL(reg->DefaultTorrentPort(), 19445);
    BOOST_CHECK_EQUAL(main->Bech32HRP(), "oda");
    BOOST_CHECK_EQUAL(test->Bech32HRP(), "toda");
    BOOST_CHECK_EQUAL(reg->Bech32HRP(), "roda");
    BOOST_CHECK_EQUAL(main->DataDirSuffix(), "");
    BOOST_CHECK_EQUAL(test->DataDirSuffix(), "testnet");
    BOOST_CHECK_EQUAL(reg->DataDirSuffix(), "regtest");

    // No two networks share a port, and none uses Bitcoin's defaults.
    std::set<uint16_t> ports;
    for (const auto* c : {main.get(), test.get(), reg.get()}) {
        for (uint16_t p : {c->DefaultPort(), c->RPCPort(), c->DefaultTorrentPort()}) {
            BOOST_CHECK(ports.insert(p).second);
            for (uint16_t bitcoin : {8333, 8332, 18333, 18332, 18444, 18443, 38333, 38332}) BOOST_CHECK_NE(p, bitcoin);
        }
    }
}

BOOST_AUTO_TEST_CASE(consensus_values)
{
    const auto main = CreateChainParams(ChainType::MAIN);
    const auto test = CreateChainParams(ChainType::TESTNET);
    const auto reg = CreateChainParams(ChainType::REGTEST);
    for (const auto* c : {main.get(), test.get(), reg.get()}) {
        const ConsensusParams& p = c->GetConsensus();
        BOOST_CHECK_EQUAL(p.pow_target_spacing, 60);
        BOOST_CHECK_EQUAL(p.asert_half_life, 43200);
        BOOST_CHECK_EQUAL(p.coinbase_maturity, 100);
        BOOST_CHECK_EQUAL(p.max_block_weight, MAX_BLOCK_WEIGHT); // CheckTransaction relies on it
        BOOST_CHECK_EQUAL(p.max_future_block_time, 7200);
        BOOST_CHECK_EQUAL(p.median_time_span, 11);
        BOOST_CHECK_EQUAL(p.initial_subsidy, 50 * COIN);
        BOOST_CHECK_EQUAL(p.storage_proofs_per_block, 2);
        BOOST_CHECK_LE(p.max_tx_compute_units, p.max_block_compute_units);
        BOOST_CHECK(p.hash_genesis_block == c->GenesisBlock().GetHash());
        BOOST_CHECK_EQUAL(p.asert_anchor_bits, c->GenesisBlock().bits);
    }
    BOOST_CHECK_EQUAL(EncodeCompact(UintToArith256(main->GetConsensus().pow_limit)), 0x1e0fffffu);
    BOOST_CHECK_EQUAL(main->GetConsensus().pow_limit.GetHex(),
                      "00000fffff000000000000000000000000000000000000000000000000000000");
    BOOST_CHECK_EQUAL(EncodeCompact(UintToArith256(reg->GetConsensus().pow_limit)), 0x207fffffu);
    BOOST_CHECK(!main->GetConsensus().pow_no_retargeting);
    BOOST_CHECK(!test->GetConsensus().pow_no_retargeting);
    BOOST_CHECK(reg->GetConsensus().pow_no_retargeting);
    BOOST_CHECK_EQUAL(main->GetConsensus().subsidy_halving_interval, 210000);
    BOOST_CHECK_EQUAL(reg->GetConsensus().subsidy_halving_interval, 150);
}

BOOST_AUTO_TEST_CASE(genesis_blocks)
{
    // Hashes printed by contrib/devtools/mine-genesis.py.
    struct Expected {
        ChainType chain;
        const char* hash;
        uint32_t time, nonce, bits;
    };
    const Expected expected[] = {
        {ChainType::MAIN, "000000c6358a699f4c6394f6bc48342105f4c6b90c09b5d938a8f895553a19b4", 1795305600, 668955, 0x1e0fffff},
        {ChainType::TESTNET, "000008720130bf584cf0cfbaa3ea8294abe2d11fe0da468e89e52645e4ab257a", 1795305601, 2175094, 0x1e0fffff},
        {ChainType::REGTEST, "5849ab12609f6baac3134c37b30ec4c031277883ca9a34d37a4452b282bec7c6", 1795305602, 1, 0x207fffff},
    };
    for (const Expected& e : expected) {
        const auto params = CreateChainParams(e.chain);
        const CBlock& g = params->GenesisBlock();
        BOOST_CHECK_EQUAL(g.GetHash().GetHex(), e.hash);
        BOOST_CHECK_EQUAL(g.time, e.time);
        BOOST_CHECK_EQUAL(g.nonce, e.nonce);
        BOOST_CHECK_EQUAL(g.bits, e.bits);
        BOOST_CHECK_EQUAL(g.version, 1);
        BOOST_CHECK(g.hash_prev_block.IsNull());
        BOOST_CHECK_EQUAL(g.hash_merkle_root.GetHex(), "9566c4dd3cdd144fd9a10693b242c7a263ff383c812f5fe1f286036abe8dcf9d");
        // It meets its own target and passes every context-free rule and BIP 34 at height 0.
        BOOST_CHECK(CheckProofOfWork(g.GetHash(), g.bits, params->GetConsensus()));
        BlockValidationState state;
        BOOST_CHECK_MESSAGE(CheckBlock(g, state, params->GetConsensus()), state.ToString());
        BOOST_CHECK(CheckCoinbaseHeight(g, 0, state));
        BOOST_CHECK(CheckWitnessCommitment(g, state));
        // Coinbase: OP_0, the message; 50 coins to a bare OP_RETURN.
        const CTransaction& cb = *g.vtx.at(0);
        BOOST_CHECK(cb.IsCoinBase());
        BOOST_CHECK_EQUAL(cb.version, 1);
        BOOST_REQUIRE_EQUAL(cb.vout.size(), 1u);
        BOOST_CHECK_EQUAL(cb.vout[0].value, 50 * COIN);
        BOOST_CHECK(cb.vout[0].script_pubkey == ScriptBytes{0x6a});
        const std::string message(GENESIS_MESSAGE);
        BOOST_CHECK_EQUAL(cb.vin[0].script_sig.size(), 2 + message.size());
        BOOST_CHECK_EQUAL(cb.vin[0].script_sig[0], 0x00);
        BOOST_CHECK(std::string(cb.vin[0].script_sig.begin() + 2, cb.vin[0].script_sig.end()) == message);
    }
    // The C++ genesis serializes to exactly the bytes the Python miner built.
    const auto main = CreateChainParams(ChainType::MAIN);
    BOOST_CHECK_EQUAL(HexStr(SerializeToBytes(main->GenesisBlock())),
        "0100000000000000000000000000000000000000000000000000000000000000000000009dcf8dbe6a0386f2e15f2f813c38ff63"
        "a2c742b29306a1d94f14dd3cddc466958030026bffff0f1e1b350a00010100000001000000000000000000000000000000000000"
        "0000000000000000000000000000ffffffff4400424f44412067656e6573697320323032362d31312d32323a206f70656e2064"
        "6563656e7472616c697a65642041492c206d6f64656c7320696e20636f6e73656e737573ffffffff0100f2052a01000000016a"
        "00000000");
}

BOOST_AUTO_TEST_SUITE_END()
