// Runs every registered fuzz target (src/test/fuzz/) over its seed inputs, every
// truncation of them and deterministic byte mutations, so that `make check`
// exercises the targets (their invariants abort on failure) without libFuzzer.
#include <consensus/block_check.h>
#include <consensus/chainparams.h>
#include <script/verify.h>
#include <test/fuzz/fuzz.h>
#include <test/fuzz/seed_builders.h>
#include <test/util/random_model.h>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(fuzz_smoke_tests)

BOOST_AUTO_TEST_CASE(model_targets_registered)
{
    for (const char* name : {"architecture_decode", "architecture_json", "weights_decode", "dataset_decode", "model_run"}) {
        BOOST_CHECK_MESSAGE(oda::fuzz::Targets().count(name), name);
    }
}

BOOST_AUTO_TEST_CASE(node_targets_registered)
{
    for (const char* name : {"tx_deserialize", "block_deserialize", "p2p_message", "p2p_transport", "netaddress_parse",
                             "address_decode", "script_classify", "tx_script_verify", "strencodings", "json_parse",
                             "rpc_http", "config_parse", "oda_payload_decode", "file_import", "file_record_decode",
                             "oda_registry_records", "oda_registry_apply_undo"}) {
        BOOST_CHECK_MESSAGE(oda::fuzz::Targets().count(name), name);
    }
}

// The seeds are meant to reach the targets' success paths (a verifying spend, a block that
// passes the context-free checks); a seed builder that silently broke would leave those
// paths to chance.
BOOST_AUTO_TEST_CASE(seed_objects_are_valid)
{
    const oda::fuzz::SignedSpend spend = oda::fuzz::MakeSignedSpend();
    const CTransaction tx(spend.tx);
    const PrecomputedTxData txdata(tx, spend.spent);
    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        ScriptError error;
        BOOST_CHECK_MESSAGE(VerifyInputSpend(tx, i, txdata, &error), ScriptErrorString(error));
    }
    BOOST_CHECK(tx.HasWitness());

    const auto params = CreateChainParams(ChainType::REGTEST);
    const CBlock block = oda::fuzz::MakeSeedBlock();
    BlockValidationState state;
    BOOST_CHECK_MESSAGE(CheckBlock(block, state, params->GetConsensus(), /*check_pow=*/false), state.GetRejectReason());
    BOOST_CHECK_MESSAGE(CheckWitnessCommitment(block, state), state.GetRejectReason());
    BOOST_CHECK(CheckCoinbaseHeight(block, 1000, state));
    const CBlock genesis = oda::fuzz::SeedGenesisBlock();
    BOOST_CHECK(CheckBlock(genesis, state, params->GetConsensus()));
}

BOOST_AUTO_TEST_CASE(run_all_targets_on_seeds_and_mutations)
{
    oda::test::TestRng rng(31337);
    for (const auto& [name, target] : oda::fuzz::Targets()) {
        std::vector<std::vector<uint8_t>> inputs{{}, {0}, {0xff, 0xff, 0xff, 0xff}};
        if (target.seeds) {
            for (const auto& seed : target.seeds()) {
                inputs.push_back(seed);
                for (size_t cut = 0; cut < seed.size(); cut += 1 + seed.size() / 8) {
                    inputs.emplace_back(seed.begin(), seed.begin() + cut);
                }
                for (int m = 0; m < 20; ++m) {
                    std::vector<uint8_t> mutated = seed;
                    if (mutated.empty()) break;
                    const int flips = static_cast<int>(rng.Range(1, 3));
                    for (int f = 0; f < flips; ++f) mutated[rng.Range(0, mutated.size() - 1)] = static_cast<uint8_t>(rng.Next());
                    inputs.push_back(std::move(mutated));
                }
            }
        }
        for (int r = 0; r < 50; ++r) {
            std::vector<uint8_t> random(rng.Range(0, 200));
            for (auto& b : random) b = static_cast<uint8_t>(rng.Next());
            inputs.push_back(std::move(random));
        }
        BOOST_REQUIRE(target.run != nullptr);
        for (const auto& in : inputs) target.run(in.data(), in.size());
        BOOST_CHECK_GE(inputs.size(), 53u);
        BOOST_TEST_MESSAGE(name << ": " << inputs.size() << " inputs");
    }
}

BOOST_AUTO_TEST_SUITE_END()
