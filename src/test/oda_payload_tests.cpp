// The ODA payload codec and the context-free ODA output rules (oda/chain), with the test
// vectors of doc/oda-protocol.md section 2.
#include <consensus/chainparams.h>
#include <hex.h>
#include <oda/chain/payload.h>
#include <oda/chain/tx_check.h>
#include <rpc/core_write.h>
#include <script/script.h>
#include <script/standard.h>
#include <test/oda_payload_examples.h>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

using namespace oda::chain;

namespace {

/** The example transaction of a payload: one input (coinbase for kinds 4 and 5), its ODA
 *  output of value 0. */
CMutableTransaction ExampleTx(const std::vector<uint8_t>& payload)
{
    CMutableTransaction tx;
    tx.vin.resize(1);
    const uint8_t kind = payload.empty() ? 0 : payload[0];
    if (kind == 4 || kind == 5) {
        tx.vin[0].script_sig = {0x01, 0x01};
    } else {
        tx.vin[0].prevout.hash = oda::test::ExampleHash(0x01);
        tx.vin[0].prevout.n = 0;
    }
    CTxOut out;
    out.value = 0;
    out.script_pubkey = OdaOutputScript(payload);
    tx.vout.push_back(out);
    return tx;
}

std::string DecodeError(const std::vector<uint8_t>& bytes)
{
    Payload p;
    std::string error;
    BOOST_CHECK(!DecodeOdaPayload(bytes, p, error));
    return error;
}

std::vector<uint8_t> Enc(const Payload& p) { return EncodeOdaPayload(p); }

const ConsensusParams& Regtest()
{
    static const std::unique_ptr<const ChainParams> chain = CreateChainParams(ChainType::REGTEST);
    return chain->GetConsensus();
}

TxValidationState Check(const CMutableTransaction& mtx)
{
    TxValidationState state;
    (void)CheckOdaTransaction(CTransaction(mtx), state, Regtest());
    return state;
}

// Encoding, txid of ExampleTx: doc/oda-protocol.md section 2.4 (same order as ExamplePayloads).
const char* const VECTORS[][2] = {
    {"0116010104000000010301030000000005010200000000011111111111111111111111111111111111111111111111111111111111111111701101000000000064000000222222222222222222222222222222222222222222222222222222222222222217000000000000002a00000000000000a086010000000000e803013333333333333333333333333333333333333333333333333333333333333333f4010100000000000000",
     "4fbfed8fc53622abb7b81c8a40ebb5bdc4ba0e8eb8e6b26065b73fab28fc9347"},
    {"02444444444444444444444444444444444444444444444444444444444444444422222222222222222222222222222222222222222222222222222222222222220401fe0380",
     "567ce39a08bc36f30e45531c6eff2e08a8d7b50b03b4df3988bf09235228df22"},
    {"0344444444444444444444444444444444444444444444444444444444444444445555555555555555555555555555555555555555555555555555555555555555170000000000000032000000000000002251206666666666666666666666666666666666666666666666666666666666666666",
     "1c9336601422c50bd34c4b9f573d4ab9e0163cd3f44993478af6785078239e98"},
    {"04d20400000000000002010207000000f7ffffff00027f80",
     "566089b0972ffe77ab96fc9f3809b79d4fb8deea6f84112736edcfefd2624412"},
    {"0501222222222222222222222222222222222222222222222222222222222222222200000000177777777777777777777777777777777777777777777777018888888888888888888888888888888888888888888888888888888888888888",
     "dd48112f5fa3f9bf8e89a1557e38911152bea0a40bea31c88b6902f26a7c6030"},
    {"064444444444444444444444444444444444444444444444444444444444444444",
     "cd70615c069abfc3646bd7b4092918d8c3686126f6cd66195729db45b82e1e2a"},
    {"0744444444444444444444444444444444444444444444444444444444444444443c00000000000000881300002299999999999999999999999999999999999999999999999999999999999999999999",
     "f708f1c02edd28c68fa22d72149870f74ce636fd92bb4ac4fa172b971ac7bf9d"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(oda_payload_tests)

BOOST_AUTO_TEST_CASE(round_trip_every_kind)
{
    uint8_t kind = 1;
    for (const Payload& p : oda::test::ExamplePayloads()) {
        const std::vector<uint8_t> bytes = EncodeOdaPayload(p);
        BOOST_CHECK_EQUAL(bytes.at(0), kind);
        BOOST_CHECK(KindOf(p) == static_cast<PayloadKind>(kind));
        Payload back;
        std::string error;
        BOOST_REQUIRE_MESSAGE(DecodeOdaPayload(bytes, back, error), error);
        BOOST_CHECK(back == p);
        BOOST_CHECK(EncodeOdaPayload(back) == bytes);
        ++kind;
    }
}

BOOST_AUTO_TEST_CASE(test_vectors)
{
    const std::vector<Payload> examples = oda::test::ExamplePayloads();
    BOOST_REQUIRE_EQUAL(std::size(VECTORS), examples.size());
    for (size_t i = 0; i < examples.size(); ++i) {
        const std::vector<uint8_t> bytes = EncodeOdaPayload(examples[i]);
        BOOST_CHECK_EQUAL(HexStr(bytes), VECTORS[i][0]);
        BOOST_CHECK_EQUAL(ExampleTx(bytes).GetTxid().GetHex(), VECTORS[i][1]);
        Payload decoded;
        std::string error;
        BOOST_CHECK(DecodeOdaPayload(ParseHex(VECTORS[i][0]).value_or(std::vector<uint8_t>{}), decoded, error));
        BOOST_CHECK(decoded == examples[i]);
        BOOST_CHECK(Check(ExampleTx(bytes)).IsValid());
    }
}

BOOST_AUTO_TEST_CASE(malformed_payloads)
{
    const std::vector<Payload> ex = oda::test::ExamplePayloads();
    BOOST_CHECK_EQUAL(DecodeError({}), "empty payload");
    BOOST_CHECK_EQUAL(DecodeError({0}), "unknown kind 0");
    BOOST_CHECK_EQUAL(DecodeError({8}), "unknown kind 8");
    // Every proper prefix of every example is truncated; one more byte is trailing.
    for (const Payload& p : ex) {
        const std::vector<uint8_t> bytes = Enc(p);
        for (size_t n = 1; n < bytes.size(); ++n) {
            BOOST_CHECK(!DecodeError({bytes.begin(), bytes.begin() + n}).empty());
        }
        std::vector<uint8_t> longer = bytes;
        longer.push_back(0);
        BOOST_CHECK_EQUAL(DecodeError(longer), "trailing bytes");
    }
    AddModel add = std::get<AddModel>(ex[0]);
    {
        AddModel a = add;
        a.trainer_share_bp = 9'600;  // + 500 parent
        BOOST_CHECK_EQUAL(DecodeError(Enc(a)), "shares over 10000 basis points");
        a.trainer_share_bp = 10'001;
        BOOST_CHECK_EQUAL(DecodeError(Enc(a)), "trainer share over 10000 basis points");
        a = add;
        a.royalty = 3'299;  // 10 % of it is 329 < 330
        BOOST_CHECK_EQUAL(DecodeError(Enc(a)), "trainer share pays less than the dust threshold");
        a.trainer_share_bp = 0;
        a.parents[0].share_bp = 1'000;
        BOOST_CHECK_EQUAL(DecodeError(Enc(a)), "parent share pays less than the dust threshold");
        a.royalty = 3'300;
        BOOST_CHECK(Check(ExampleTx(Enc(a))).IsValid());
        a.royalty = -1;
        BOOST_CHECK_EQUAL(DecodeError(Enc(a)), "royalty out of range");
        a = add;
        a.parents.push_back(a.parents[0]);
        BOOST_CHECK_EQUAL(DecodeError(Enc(a)), "duplicate parent model");
        a = add;
        a.parents[0].model_id = uint256();
        BOOST_CHECK_EQUAL(DecodeError(Enc(a)), "null model id");
        a = add;
        a.parents.assign(MAX_PARENT_MODELS + 1, {});
        BOOST_CHECK_EQUAL(DecodeError(Enc(a)), "parents over the limit");
        a = add;
        a.min_improvement = -1;
        BOOST_CHECK_EQUAL(DecodeError(Enc(a)), "negative minimum improvement");
        std::vector<uint8_t> bad_arch = Enc(add);
        bad_arch[2] ^= 0xff;  // the architecture's version byte
        BOOST_CHECK(DecodeError(bad_arch).rfind("architecture: ", 0) == 0);
    }
    {
        UpdateWeights u = std::get<UpdateWeights>(ex[2]);
        u.trainer_script.assign(MAX_ODA_SCRIPT_BYTES + 1, 0);
        BOOST_CHECK_EQUAL(DecodeError(Enc(u)), "trainer script over the limit");
        Bounty b = std::get<Bounty>(ex[6]);
        b.refund_script.assign(MAX_ODA_SCRIPT_BYTES + 1, 0);
        BOOST_CHECK_EQUAL(DecodeError(Enc(b)), "refund script over the limit");
        Transfer t;
        BOOST_CHECK_EQUAL(DecodeError(Enc(t)), "null model id");
    }
    {
        StorageProof s = std::get<StorageProof>(ex[4]);
        s.proofs[0].block.assign(STORAGE_BLOCK_BYTES + 1, 0);
        BOOST_CHECK_EQUAL(DecodeError(Enc(s)), "storage block over the limit");
        s.proofs[0].block.clear();
        BOOST_CHECK_EQUAL(DecodeError(Enc(s)), "empty storage block");
        s = std::get<StorageProof>(ex[4]);
        s.proofs[0].path.assign(MAX_MERKLE_PATH + 1, uint256());
        BOOST_CHECK_EQUAL(DecodeError(Enc(s)), "Merkle path over the limit");
    }
    {
        std::vector<uint8_t> r = Enc(std::get<Result>(ex[3]));
        r[10] = 2;  // first tensor's element type (after kind, i64, count)
        BOOST_CHECK_EQUAL(DecodeError(r), "unknown tensor element type");
        Result neg = std::get<Result>(ex[3]);
        neg.compute_units = -1;
        BOOST_CHECK_EQUAL(DecodeError(Enc(neg)), "negative compute units");
    }
    // A huge count never allocates: it fails as truncated.
    std::vector<uint8_t> huge = {2};
    huge.resize(65, 0x44);
    huge.insert(huge.end(), {0xfe, 0xff, 0xff, 0xff, 0x01});
    BOOST_CHECK_EQUAL(DecodeError(huge), "input tensor truncated");
    // A non-canonical CompactSize.
    std::vector<uint8_t> noncanon = {2};
    noncanon.resize(65, 0x44);
    noncanon.insert(noncanon.end(), {0xfd, 0x01, 0x00, 0x05});
    BOOST_CHECK(DecodeError(noncanon).find("non-canonical") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(transaction_rules)
{
    const std::vector<Payload> ex = oda::test::ExamplePayloads();
    const std::vector<uint8_t> infer = Enc(ex[1]);
    BOOST_CHECK(Check(CMutableTransaction{}).IsValid());  // no ODA output: nothing to check

    CMutableTransaction two = ExampleTx(infer);
    two.vout.push_back(two.vout[0]);
    TxValidationState s = Check(two);
    BOOST_CHECK_EQUAL(s.GetRejectReason(), "bad-oda-multiple");
    BOOST_CHECK(s.GetResult() == TxValidationResult::TX_CONSENSUS);

    CMutableTransaction bad = ExampleTx({8});
    s = Check(bad);
    BOOST_CHECK_EQUAL(s.GetRejectReason(), "bad-oda-payload");
    BOOST_CHECK_EQUAL(s.GetDebugMessage(), "unknown kind 8");

    // A non-minimal push of the payload (OP_PUSHDATA1 for 4 bytes... here 1 byte).
    CMutableTransaction nonmin = ExampleTx(infer);
    nonmin.vout[0].script_pubkey = {OP_RETURN, 4, 'O', 'D', 'A', '1', OP_PUSHDATA1, 1, 6};
    s = Check(nonmin);
    BOOST_CHECK_EQUAL(s.GetRejectReason(), "bad-oda-payload");
    BOOST_CHECK_EQUAL(s.GetDebugMessage(), "non-minimal or malformed ODA output");

    // Coinbase kinds outside the coinbase and user kinds inside it.
    CMutableTransaction result_user = ExampleTx(Enc(ex[3]));
    result_user.vin[0].prevout.hash = oda::test::ExampleHash(0x01);
    result_user.vin[0].prevout.n = 0;
    s = Check(result_user);
    BOOST_CHECK_EQUAL(s.GetDebugMessage(), "result outside the coinbase");
    CMutableTransaction cb = ExampleTx(Enc(ex[3]));
    cb.vout[0].script_pubkey = OdaOutputScript(infer);
    BOOST_CHECK_EQUAL(Check(cb).GetDebugMessage(), "infer in the coinbase");
    // The coinbase carries one result and one storage proof, not two of one kind.
    cb = ExampleTx(Enc(ex[3]));
    cb.vout.push_back(ExampleTx(Enc(ex[4])).vout[0]);
    BOOST_CHECK(Check(cb).IsValid());
    cb.vout[1] = cb.vout[0];
    BOOST_CHECK_EQUAL(Check(cb).GetRejectReason(), "bad-oda-multiple");
    cb.vout.push_back(cb.vout[0]);
    BOOST_CHECK_EQUAL(Check(cb).GetRejectReason(), "bad-oda-multiple");

    // Parameter limits.
    const ConsensusParams& params = Regtest();
    StorageProof proofs = std::get<StorageProof>(ex[4]);
    proofs.proofs.resize(params.storage_proofs_per_block + 1, proofs.proofs[0]);
    BOOST_CHECK_EQUAL(Check(ExampleTx(Enc(proofs))).GetDebugMessage(), "too many storage proofs");
    UpdateWeights big = std::get<UpdateWeights>(ex[2]);
    big.weights.file_size = params.max_weights_file_bytes + 1;
    BOOST_CHECK_EQUAL(Check(ExampleTx(Enc(big))).GetDebugMessage(), "weights file over the limit");
    AddModel add = std::get<AddModel>(ex[0]);
    add.dataset.file_size = params.max_dataset_file_bytes + 1;
    BOOST_CHECK_EQUAL(Check(ExampleTx(Enc(add))).GetDebugMessage(), "dataset file over the limit");
    Infer large = std::get<Infer>(ex[1]);
    large.input.assign(params.max_oda_payload_bytes, 1);
    s = Check(ExampleTx(Enc(large)));
    BOOST_CHECK_EQUAL(s.GetRejectReason(), "bad-oda-payload");
    BOOST_CHECK(s.GetDebugMessage().find("over the limit") != std::string::npos);
    // The coinbase's payloads are bounded by the block weight only.
    Result r = std::get<Result>(ex[3]);
    r.outputs.push_back({TensorType::INT8, std::vector<int32_t>(params.max_oda_payload_bytes, 1)});
    BOOST_CHECK(Check(ExampleTx(Enc(r))).IsValid());
}

BOOST_AUTO_TEST_CASE(block_rule)
{
    const std::vector<Payload> ex = oda::test::ExamplePayloads();
    CBlock block;
    block.vtx.push_back(std::make_shared<const CTransaction>(ExampleTx(Enc(ex[3]))));
    block.vtx.push_back(std::make_shared<const CTransaction>(ExampleTx(Enc(ex[1]))));
    BlockValidationState state;
    BOOST_CHECK(CheckOdaBlock(block, state, Regtest()));
    const CTransaction bad(ExampleTx({8}));
    block.vtx.push_back(std::make_shared<const CTransaction>(bad));
    BOOST_CHECK(!CheckOdaBlock(block, state, Regtest()));
    BOOST_CHECK(state.GetResult() == BlockValidationResult::BLOCK_CONSENSUS);
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-oda-payload");
    BOOST_CHECK_EQUAL(state.GetDebugMessage(), "tx " + bad.GetTxid().GetHex() + ": unknown kind 8");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(oda_payload_json_tests)

// decoderawtransaction's "oda" object: kind name and fields, or why the payload is invalid.
BOOST_AUTO_TEST_CASE(script_pubkey_json_has_oda)
{
    const std::vector<Payload> ex = oda::test::ExamplePayloads();
    nlohmann::json j = ScriptPubKeyToJSON(OdaOutputScript(EncodeOdaPayload(ex[0])), "roda");
    BOOST_CHECK_EQUAL(j["oda"]["kind"], "add_model");
    BOOST_CHECK_EQUAL(j["oda"]["royalty"], 100'000);
    BOOST_CHECK_EQUAL(j["oda"]["objective"], "accuracy");
    BOOST_CHECK_EQUAL(j["oda"]["parents"][0]["share_bp"], 500);
    j = ScriptPubKeyToJSON(OdaOutputScript(EncodeOdaPayload(ex[3])), "roda");
    BOOST_CHECK_EQUAL(j["oda"]["outputs"][1]["type"], "int8");
    BOOST_CHECK_EQUAL(j["oda"]["outputs"][0]["values"][1], -9);
    j = ScriptPubKeyToJSON(OdaOutputScript({8}), "roda");
    BOOST_CHECK_EQUAL(j["oda"]["error"], "unknown kind 8");
    j = ScriptPubKeyToJSON(NullDataScript({1, 2}), "roda");
    BOOST_CHECK(!j.contains("oda"));
}

BOOST_AUTO_TEST_SUITE_END()
