// wallet/ownership.h: which output of a transaction is a model's ownership output
// (doc/oda-protocol.md section 2.5), decided from the transaction alone.
#include <oda/chain/payload.h>
#include <oda/model/architecture.h>
#include <script/standard.h>
#include <wallet/ownership.h>

#include <boost/test/unit_test.hpp>

namespace {
ScriptBytes Taproot(uint8_t fill)
{
    ScriptBytes s{0x51, 0x20};
    s.insert(s.end(), 32, fill);
    return s;
}

oda::chain::AddModel SmallAddModel()
{
    oda::chain::AddModel add;
    std::string error;
    BOOST_REQUIRE(oda::model::ArchitectureFromJson(
        R"({"version":1,"input_shape":[4],"objective":"accuracy","layers":[{"kind":"dense","out_features":2,"per_channel":false}],"logits_output":true})",
        add.architecture, error));
    add.dataset = {uint256::ONE, 100};
    add.dataset_samples = 10;
    add.initial_weights = {uint256::ONE, 50};
    return add;
}

CTransaction Tx(std::vector<CTxOut> outs)
{
    CMutableTransaction mtx;
    mtx.vin.emplace_back(COutPoint(uint256::ONE, 0), 0xffffffff);
    mtx.vout = std::move(outs);
    return CTransaction(mtx);
}
} // namespace

BOOST_AUTO_TEST_SUITE(wallet_ownership_tests)

BOOST_AUTO_TEST_CASE(add_model_owner_is_first_non_op_return_output)
{
    const ScriptBytes oda = OdaOutputScript(oda::chain::EncodeOdaPayload(SmallAddModel()));
    const CTransaction owner_first = Tx({{1000, Taproot(1)}, {0, oda}, {5000, Taproot(2)}});
    BOOST_CHECK(OwnershipOutputModel(owner_first, 0) == owner_first.GetTxid()); // model id = add-model txid
    BOOST_CHECK(!OwnershipOutputModel(owner_first, 2));                         // change is a coin
    const CTransaction oda_first = Tx({{0, oda}, {1000, Taproot(1)}, {5000, Taproot(2)}});
    BOOST_CHECK(!OwnershipOutputModel(oda_first, 0));
    BOOST_CHECK(OwnershipOutputModel(oda_first, 1) == oda_first.GetTxid());
}

BOOST_AUTO_TEST_CASE(transfer_owner_and_other_kinds)
{
    uint256 model;
    model.begin()[0] = 7;
    const CTransaction transfer = Tx({{0, OdaOutputScript(oda::chain::EncodeOdaPayload(oda::chain::Transfer{model}))},
                                      {1000, Taproot(3)}});
    BOOST_CHECK(OwnershipOutputModel(transfer, 1) == model);
    oda::chain::Infer infer{model, uint256::ONE, {1, 2}};
    const CTransaction inference = Tx({{0, OdaOutputScript(oda::chain::EncodeOdaPayload(infer))}, {1000, Taproot(3)}});
    BOOST_CHECK(!OwnershipOutput(inference));
    BOOST_CHECK(!OwnershipOutput(Tx({{1000, Taproot(3)}})));
    // A malformed ODA payload owns nothing (such a transaction is invalid anyway).
    BOOST_CHECK(!OwnershipOutput(Tx({{1000, Taproot(3)}, {0, OdaOutputScript({0x01, 0x02})}})));
}

BOOST_AUTO_TEST_SUITE_END()
