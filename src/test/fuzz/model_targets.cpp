// Fuzz targets for the model formats and the two engines.
#include <oda/engine/engine.h>
#include <oda/engine/reference.h>
#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>
#include <test/fuzz/fuzz.h>
#include <test/util/model_builders.h>
#include <test/util/random_model.h>

#include <algorithm>
#include <string>

using namespace oda::model;
using oda::fuzz::Assert;

namespace {
/** Deterministic bytes for parameters: cycles over the fuzzer's bytes (0 when there are none). */
class ByteSource
{
    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos{0};

public:
    ByteSource(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
    uint8_t Byte() { return m_size ? m_data[m_pos++ % m_size] : 0; }
    int8_t Int8() { return static_cast<int8_t>(Byte()); }
    uint32_t U32() { return Byte() | (uint32_t{Byte()} << 8) | (uint32_t{Byte()} << 16) | (uint32_t{Byte()} << 24); }
};

constexpr uint64_t MAX_FUZZ_COST = 300000;

std::vector<Model> SeedModels()
{
    oda::test::TestRng rng(1234);
    std::vector<Model> models;
    for (int i = 0; i < 12; ++i) {
        const Architecture a = oda::test::RandomArchitecture(rng);
        Model m;
        std::string error;
        if (MakeModel(a, oda::test::RandomWeights(a, rng), m, error)) models.push_back(std::move(m));
    }
    return models;
}

std::vector<std::vector<uint8_t>> ArchitectureSeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    for (const Model& m : SeedModels()) seeds.push_back(EncodeArchitecture(m.architecture));
    return seeds;
}

std::vector<std::vector<uint8_t>> JsonSeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    for (const Model& m : SeedModels()) {
        const std::string j = ArchitectureToJson(m.architecture);
        seeds.emplace_back(j.begin(), j.end());
    }
    return seeds;
}

std::vector<std::vector<uint8_t>> WeightsSeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    for (const Model& m : SeedModels()) seeds.push_back(EncodeWeights(m.weights));
    return seeds;
}

std::vector<std::vector<uint8_t>> DatasetSeeds()
{
    oda::test::TestRng rng(55);
    std::vector<std::vector<uint8_t>> seeds;
    for (const Model& m : SeedModels()) seeds.push_back(EncodeDataset(oda::test::RandomDataset(m, rng.Range(0, 3), rng)));
    return seeds;
}

std::vector<std::vector<uint8_t>> ModelRunSeeds()
{
    oda::test::TestRng rng(77);
    std::vector<std::vector<uint8_t>> seeds;
    for (const Model& m : SeedModels()) {
        const std::vector<uint8_t> arch = EncodeArchitecture(m.architecture);
        std::vector<uint8_t> seed{static_cast<uint8_t>(arch.size()), static_cast<uint8_t>(arch.size() >> 8)};
        seed.insert(seed.end(), arch.begin(), arch.end());
        for (int i = 0; i < 64; ++i) seed.push_back(static_cast<uint8_t>(rng.Next()));
        seeds.push_back(std::move(seed));
    }
    // Convolutions that reach every path of the engine's conv.cpp and pooling (the
    // random architectures above are at most 9 wide): one input channel 3x3 as in
    // the benchmark CNN, rows wide enough for the 8-output max-pool, strided
    // gathers, and a fan-in of 576 that is packed in several chunks.
    using oda::test::Conv;
    using oda::test::Pool;
    using oda::test::Simple;
    Architecture wide;
    wide.input_shape = {1, 34, 34};
    wide.layers = {Conv(2, 3, 1, 1), Simple(LayerKind::RELU), Pool(LayerKind::MAXPOOL2D, 2, 2), Conv(3, 3, 2, 1, true)};
    Architecture first;
    first.input_shape = {1, 28, 28};
    first.layers = {Conv(16, 3, 1, 1), Simple(LayerKind::RELU), Pool(LayerKind::MAXPOOL2D, 2, 2), Simple(LayerKind::FLATTEN)};
    Architecture deep;
    deep.input_shape = {64, 20, 20};
    deep.layers = {Conv(1, 3, 1, 1)};
    deep.logits_output = true;
    // Dense layers around the matrix kernel's 16-column panels and 32-column
    // tiles, fan-ins around its 16-byte conversion steps (run on several samples,
    // so the multi-row register tiles and their remainders run too).
    using oda::test::Dense;
    Architecture mlp;
    mlp.input_shape = {47};
    mlp.layers = {Dense(33, true), Simple(LayerKind::RELU), Dense(16), Dense(10)};
    mlp.logits_output = true;
    Architecture narrow;
    narrow.input_shape = {16};
    narrow.layers = {Dense(17), Simple(LayerKind::RELU), Dense(31, true)};
    for (const Architecture& a : {wide, first, deep, mlp, narrow}) {
        const std::vector<uint8_t> arch = EncodeArchitecture(a);
        std::vector<uint8_t> seed{static_cast<uint8_t>(arch.size()), static_cast<uint8_t>(arch.size() >> 8)};
        seed.insert(seed.end(), arch.begin(), arch.end());
        for (int i = 0; i < 256; ++i) seed.push_back(static_cast<uint8_t>(rng.Next()));
        seeds.push_back(std::move(seed));
    }
    return seeds;
}
} // namespace

// Decoding is canonical: anything that decodes re-encodes to the same bytes, and
// its JSON form parses back to the same architecture.
ODA_FUZZ_TARGET_SEEDS(architecture_decode, ArchitectureSeeds)
{
    Architecture a;
    std::string error;
    if (!DecodeArchitecture(data, size, a, error)) {
        Assert(!error.empty(), "rejection without a message");
        return;
    }
    Assert(EncodeArchitecture(a) == std::vector<uint8_t>(data, data + size), "architecture re-encoding differs");
    Architecture b;
    Assert(ArchitectureFromJson(ArchitectureToJson(a), b, error) && a == b, "architecture JSON round trip");
    ArchitectureInfo info;
    if (AnalyzeArchitecture(a, info, error)) Assert(ComputeCost(a) == info.compute_cost, "cost");
}

ODA_FUZZ_TARGET_SEEDS(architecture_json, JsonSeeds)
{
    Architecture a;
    std::string error;
    if (!ArchitectureFromJson(std::string(reinterpret_cast<const char*>(data), size), a, error)) return;
    const std::string canonical = ArchitectureToJson(a);
    Architecture b;
    Assert(ArchitectureFromJson(canonical, b, error) && a == b && ArchitectureToJson(b) == canonical, "JSON canonical form");
    Architecture c;
    Assert(DecodeArchitecture(EncodeArchitecture(a), c, error) && a == c, "binary round trip of a JSON architecture");
}

ODA_FUZZ_TARGET_SEEDS(weights_decode, WeightsSeeds)
{
    Weights w;
    std::string error;
    if (!DecodeWeights(data, size, w, error)) return;
    Assert(EncodeWeights(w) == std::vector<uint8_t>(data, data + size), "weights re-encoding differs");
}

ODA_FUZZ_TARGET_SEEDS(dataset_decode, DatasetSeeds)
{
    Dataset d;
    std::string error;
    if (!DecodeDataset(data, size, d, error)) return;
    Assert(EncodeDataset(d) == std::vector<uint8_t>(data, data + size), "dataset re-encoding differs");
}

// Input: u16 little-endian length, that many bytes of architecture, then bytes
// from which weights and the input are drawn (cycled). Both engines must agree.
ODA_FUZZ_TARGET_SEEDS(model_run, ModelRunSeeds)
{
    if (size < 2) return;
    const size_t len = data[0] | (size_t{data[1]} << 8);
    if (len > size - 2) return;
    Architecture arch;
    std::string error;
    if (!DecodeArchitecture(data + 2, len, arch, error)) return;
    ArchitectureInfo info;
    if (!AnalyzeArchitecture(arch, info, error) || info.compute_cost > MAX_FUZZ_COST) return;
    ByteSource src(data + 2 + len, size - 2 - len);
    Weights w;
    w.architecture_hash = ArchitectureHash(arch);
    w.input_zero_point = src.Int8();
    for (size_t i = 0; i < arch.layers.size(); ++i) {
        LayerParams p;
        if (IsAccumulating(arch.layers[i].kind)) {
            const LayerInfo& li = info.layers[i];
            p.weights.resize(li.weight_count);
            for (auto& v : p.weights) v = src.Int8();
            const int64_t bound = 2147483647LL - static_cast<int64_t>(li.fan_in) * 255 * 128;
            for (uint32_t c = 0; c < li.channel_count; ++c) {
                p.biases.push_back(static_cast<int32_t>(std::clamp<int64_t>(static_cast<int32_t>(src.U32()), -bound, bound)));
            }
            if (!(arch.logits_output && i + 1 == arch.layers.size())) {
                const size_t n = arch.layers[i].per_channel ? li.channel_count : 1;
                for (size_t c = 0; c < n; ++c) {
                    p.multipliers.push_back(static_cast<int32_t>(src.U32() & 0x7fffffff));
                    p.shifts.push_back(src.Int8());
                }
                p.output_zero_point = src.Int8();
            }
        }
        w.layers.push_back(std::move(p));
    }
    Model m;
    Assert(MakeModel(arch, w, m, error), "constructed weights rejected");
    // Several samples (one engine call, as a block's inferences of one model are
    // batched), within a bounded total cost.
    const uint64_t cost = std::max<uint64_t>(info.compute_cost, 1);
    const size_t samples = std::clamp<size_t>(1 + src.Byte() % 17, 1, std::max<uint64_t>(1, 4 * MAX_FUZZ_COST / cost));
    const size_t in_elems = ShapeElements(arch.input_shape);
    std::vector<int8_t> inputs(samples * in_elems);
    for (auto& v : inputs) v = src.Int8();
    std::vector<ModelOutput> ref;
    for (size_t s = 0; s < samples; ++s) ref.push_back(oda::engine::ReferenceRun(m, inputs.data() + s * in_elems));
    for (auto kernel : {oda::engine::KernelKind::AUTO, oda::engine::KernelKind::AVX512VNNI, oda::engine::KernelKind::AVX2,
                        oda::engine::KernelKind::SCALAR}) {
        const oda::engine::CompiledModel compiled(m, kernel);
        Assert(compiled.RunOne(inputs.data()) == ref[0], "consensus engine differs from the reference");
        Assert(compiled.Run(inputs.data(), samples) == ref, "consensus engine differs from the reference on a batch");
    }
}
