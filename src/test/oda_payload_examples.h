// One example payload of each ODA kind, shared by the unit tests (whose test vectors in
// doc/oda-protocol.md are these payloads' encodings) and the codec's fuzz seeds.
#ifndef ODA_TEST_ODA_PAYLOAD_EXAMPLES_H
#define ODA_TEST_ODA_PAYLOAD_EXAMPLES_H

#include <oda/chain/payload.h>

#include <vector>

namespace oda::test {

inline uint256 ExampleHash(uint8_t fill)
{
    uint256 h;
    for (uint8_t& b : h) b = fill;
    return h;
}

/** 4 inputs -> DENSE 3 -> RELU -> DENSE 2 (logits), accuracy objective. */
inline model::Architecture ExampleArchitecture()
{
    model::Architecture a;
    a.input_shape = {4};
    model::Layer d1;
    d1.kind = model::LayerKind::DENSE;
    d1.out_features = 3;
    model::Layer relu;
    relu.kind = model::LayerKind::RELU;
    model::Layer d2;
    d2.kind = model::LayerKind::DENSE;
    d2.out_features = 2;
    a.layers = {d1, relu, d2};
    a.logits_output = true;
    a.objective = model::ObjectiveKind::ACCURACY;
    return a;
}

inline std::vector<chain::Payload> ExamplePayloads()
{
    using namespace chain;
    AddModel add;
    add.architecture = ExampleArchitecture();
    add.dataset = {ExampleHash(0x11), 70'000};
    add.dataset_samples = 100;
    add.initial_weights = {ExampleHash(0x22), 23};
    add.initial_score = 42;
    add.royalty = 100'000;
    add.trainer_share_bp = 1'000;
    add.parents = {{ExampleHash(0x33), 500}};
    add.min_improvement = 1;
    Infer infer{ExampleHash(0x44), ExampleHash(0x22), {1, -2, 3, -128}};
    UpdateWeights update{ExampleHash(0x44), {ExampleHash(0x55), 23}, 50, {0x51, 0x20}};
    update.trainer_script.resize(34, 0x66);
    Result result{1'234, {{TensorType::INT32, {7, -9}}, {TensorType::INT8, {127, -128}}}};
    StorageProof proof{{{ExampleHash(0x22), 0, std::vector<uint8_t>(23, 0x77), {ExampleHash(0x88)}}}};
    Transfer transfer{ExampleHash(0x44)};
    Bounty bounty{ExampleHash(0x44), 60, 5'000, std::vector<uint8_t>(34, 0x99)};
    return {add, infer, update, result, proof, transfer, bounty};
}

} // namespace oda::test

#endif // ODA_TEST_ODA_PAYLOAD_EXAMPLES_H
