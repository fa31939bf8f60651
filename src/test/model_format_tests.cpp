// Architecture, weights and dataset encodings: exact bytes, round trips, and
// every rejection path a hostile or careless file can reach.
#include <crypto/hash.h>
#include <hex.h>
#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>
#include <test/util/model_builders.h>
#include <test/util/setup.h>

#include <oda/model/fileio.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <unistd.h>

using namespace oda::model;
using oda::test::Conv;
using oda::test::Dense;
using oda::test::Pool;
using oda::test::Simple;

namespace {
Architecture Mlp()
{
    Architecture a;
    a.input_shape = {784};
    a.layers = {Dense(256), Simple(LayerKind::RELU), Dense(10)};
    return a;
}

Architecture Cnn()
{
    Architecture a;
    a.input_shape = {1, 28, 28};
    a.layers = {Conv(8, 3, 1, 1, true), Simple(LayerKind::RELU), Pool(LayerKind::MAXPOOL2D, 2, 2),
                Pool(LayerKind::AVGPOOL2D, 2, 1), Simple(LayerKind::FLATTEN), Dense(10, true)};
    a.logits_output = true;
    return a;
}

std::string Analyze(const Architecture& a)
{
    ArchitectureInfo info;
    std::string error;
    return AnalyzeArchitecture(a, info, error) ? "" : error;
}

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
} // namespace

BOOST_AUTO_TEST_SUITE(model_format_tests)

BOOST_AUTO_TEST_CASE(architecture_exact_bytes_and_json)
{
    Architecture a;
    a.input_shape = {784};
    a.layers = {Dense(10)};
    const auto bytes = EncodeArchitecture(a);
    // version | rank, 784 | objective | layer count | kind, out_features, per_channel | logits
    BOOST_CHECK_EQUAL(HexStr(bytes), "01" "01" "10030000" "01" "01" "01" "0a000000" "00" "00");
    BOOST_CHECK_EQUAL(ArchitectureToJson(a),
                      R"({"version":1,"input_shape":[784],"objective":"accuracy","layers":[{"kind":"dense","out_features":10,"per_channel":false}],"logits_output":false})");
    BOOST_CHECK(ArchitectureHash(a) == Hash256(bytes));
    // SHA256d of the bytes above, in file byte order (GetHex() shows it reversed).
    const uint256 hash = ArchitectureHash(a);
    BOOST_CHECK_EQUAL(HexStr(std::vector<uint8_t>(hash.begin(), hash.end())),
                      "e0853be15390a719c2c1ecf69944942b6520ca12121ede8e653808f42bfe0fd9");
}

BOOST_AUTO_TEST_CASE(architecture_round_trips)
{
    for (const Architecture& a : {Mlp(), Cnn()}) {
        Architecture b;
        std::string error;
        BOOST_REQUIRE_MESSAGE(DecodeArchitecture(EncodeArchitecture(a), b, error), error);
        BOOST_CHECK(a == b);
        Architecture c;
        const std::string json = ArchitectureToJson(a);
        BOOST_REQUIRE_MESSAGE(ArchitectureFromJson(json, c, error), error);
        BOOST_CHECK(a == c);
        BOOST_CHECK_EQUAL(ArchitectureToJson(c), json);
        BOOST_CHECK_EQUAL(Analyze(a), "");
    }
    // Any key order and whitespace parse to the same canonical form.
    const std::string loose = R"( { "logits_output" : true, "layers": [ {"per_channel": true, "stride":[1,1], "padding":[1,1],
        "kernel":[3,3], "out_channels":8, "kind":"conv2d"}, {"kind":"relu"}, {"stride":[2,2],"kind":"maxpool2d","kernel":[2,2]},
        {"kind":"avgpool2d","kernel":[2,2],"stride":[1,1]}, {"kind":"flatten"}, {"kind":"dense","out_features":10,"per_channel":true} ],
        "objective":"accuracy", "input_shape":[1,28,28], "version":1 } )";
    Architecture d;
    std::string error;
    BOOST_REQUIRE_MESSAGE(ArchitectureFromJson(loose, d, error), error);
    BOOST_CHECK(d == Cnn());
}

BOOST_AUTO_TEST_CASE(architecture_json_rejections)
{
    Architecture a;
    std::string error;
    const std::string head = R"({"version":1,"input_shape":[4],"objective":"accuracy","logits_output":false,"layers":)";
    BOOST_CHECK(!ArchitectureFromJson(head + R"([{"kind":"lstm"}]})", a, error));
    BOOST_CHECK(Contains(error, "unknown layer kind"));
    BOOST_CHECK(!ArchitectureFromJson(head + R"([{"kind":"dense","out_features":2}]})", a, error));
    BOOST_CHECK(Contains(error, "missing key"));
    BOOST_CHECK(!ArchitectureFromJson(head + R"([{"kind":"relu","extra":1}]})", a, error));
    BOOST_CHECK(Contains(error, "unknown key"));
    BOOST_CHECK(!ArchitectureFromJson(head + R"([{"kind":"dense","out_features":-2,"per_channel":false}]})", a, error));
    BOOST_CHECK(!ArchitectureFromJson(head + R"([{"kind":"dense","out_features":2.5,"per_channel":false}]})", a, error));
    BOOST_CHECK(!ArchitectureFromJson(head + R"([{"kind":"dense","out_features":4294967296,"per_channel":false}]})", a, error));
    BOOST_CHECK(!ArchitectureFromJson(head + R"([{"kind":"dense","out_features":2,"per_channel":1}]})", a, error));
    BOOST_CHECK(!ArchitectureFromJson(R"({"version":2,"input_shape":[4],"objective":"accuracy","logits_output":false,"layers":[]})", a, error));
    BOOST_CHECK(!ArchitectureFromJson(R"({"version":1,"input_shape":[4],"objective":"mse","logits_output":false,"layers":[]})", a, error));
    BOOST_CHECK(!ArchitectureFromJson(std::string(100000, '[') + std::string(100000, ']'), a, error));  // deep nesting
    BOOST_CHECK(!ArchitectureFromJson(std::string(MAX_ARCHITECTURE_JSON_SIZE + 1, ' '), a, error));
    BOOST_CHECK(Contains(error, "larger than"));
    BOOST_CHECK(!ArchitectureFromJson("{not json", a, error));
    BOOST_CHECK(Contains(error, "bad architecture JSON"));
}

BOOST_AUTO_TEST_CASE(architecture_decode_rejections)
{
    const auto good = EncodeArchitecture(Cnn());
    Architecture a;
    std::string error;
    // Every strict prefix is truncated; one extra byte is trailing.
    for (size_t n = 0; n < good.size(); ++n) {
        BOOST_CHECK(!DecodeArchitecture(good.data(), n, a, error));
    }
    auto longer = good;
    longer.push_back(0);
    BOOST_CHECK(!DecodeArchitecture(longer, a, error));
    BOOST_CHECK(Contains(error, "trailing"));
    auto bad_version = good;
    bad_version[0] = 2;
    BOOST_CHECK(!DecodeArchitecture(bad_version, a, error));
    BOOST_CHECK(Contains(error, "version"));
    // Layer kind 7 is unknown; a boolean 2 is non-canonical.
    const auto unknown = FromHex("0101040000000101" "07" "00");
    BOOST_CHECK(!DecodeArchitecture(unknown, a, error));
    BOOST_CHECK(Contains(error, "unknown layer kind 7"));
    const auto bad_bool = FromHex("0101040000000101" "01" "02000000" "02" "00");
    BOOST_CHECK(!DecodeArchitecture(bad_bool, a, error));
    const auto many_layers = FromHex("01010400000001" "fd0010");
    BOOST_CHECK(!DecodeArchitecture(many_layers, a, error));
    BOOST_CHECK(Contains(error, "too many layers"));
}

BOOST_AUTO_TEST_CASE(architecture_validation_messages)
{
    Architecture a = Mlp();
    BOOST_CHECK_EQUAL(Analyze(a), "");
    a.input_shape = {1, 28, 28};
    BOOST_CHECK(Contains(Analyze(a), "flatten"));
    a.input_shape = {0};
    BOOST_CHECK(Contains(Analyze(a), "dimension"));
    a.input_shape = {MAX_DIMENSION + 1};
    BOOST_CHECK(Contains(Analyze(a), "dimension"));
    a.input_shape = {2, 3};
    BOOST_CHECK(Contains(Analyze(a), "1 (flat) or 3"));
    a = Mlp();
    a.layers.clear();
    BOOST_CHECK(Contains(Analyze(a), "no layers"));
    a = Mlp();
    a.layers[0].out_features = 0;
    BOOST_CHECK(Contains(Analyze(a), "out_features"));
    a = Cnn();
    a.layers[0].stride_h = 0;
    BOOST_CHECK(Contains(Analyze(a), "stride"));
    a = Cnn();
    a.layers[0].kernel_h = 31;  // 28 + 2*1 = 30 < 31
    a.layers[0].pad_h = 1;
    BOOST_CHECK(Contains(Analyze(a), "kernel larger"));
    a = Cnn();
    a.layers[2].kernel_w = 29;
    BOOST_CHECK(Contains(Analyze(a), "kernel larger"));
    a = Cnn();
    a.layers[0].pad_h = 3;  // kernel 3
    BOOST_CHECK(Contains(Analyze(a), "padding"));
    a = Cnn();
    a.layers[1].kernel_h = 1;  // relu does not use a kernel
    BOOST_CHECK(Contains(Analyze(a), "must be zero"));
    a = Cnn();
    a.layers[2].pad_w = 1;  // pools have no padding
    BOOST_CHECK(Contains(Analyze(a), "must be zero"));
    a = Mlp();
    a.layers.push_back(Simple(LayerKind::RELU));
    a.logits_output = true;
    BOOST_CHECK(Contains(Analyze(a), "logits"));
    a = Mlp();
    a.layers[0].kind = static_cast<LayerKind>(9);
    BOOST_CHECK(Contains(Analyze(a), "unknown layer kind"));
    // Overflow proof: fan-in MAX_FAN_IN is fine, one more could overflow int32.
    BOOST_CHECK_EQUAL(MAX_FAN_IN, 65793u);
    a.logits_output = false;
    a.input_shape = {241, 13, 21};  // 241 * 13 * 21 = 65793
    a.layers = {Conv(1, 1)};
    a.layers[0].kernel_h = 13;
    a.layers[0].kernel_w = 21;
    BOOST_CHECK_EQUAL(Analyze(a), "");
    a.input_shape = {491, 67, 2};  // 491 * 67 * 2 = 65794
    a.layers[0].kernel_h = 67;
    a.layers[0].kernel_w = 2;
    BOOST_CHECK(Contains(Analyze(a), "overflow"));
    a.input_shape = {1024, 8, 8};  // conv fan-in 1024 * 9 = 9216 is fine, 8*9*1024=73728 is not
    a.layers = {Conv(1, 3)};
    BOOST_CHECK_EQUAL(Analyze(a), "");
    a.input_shape = {8192, 3, 3};
    BOOST_CHECK(Contains(Analyze(a), "overflow"));
    a.input_shape = {4096, 4096};
    a.layers = {Dense(1)};
    BOOST_CHECK(Contains(Analyze(a), "1 (flat) or 3"));
    a.input_shape = {4096, 2048, 1};
    BOOST_CHECK(Contains(Analyze(a), "elements"));
    // Compute limit.
    std::string error;
    BOOST_CHECK(CheckArchitecture(Mlp(), 322688, error));
    BOOST_CHECK(!CheckArchitecture(Mlp(), 322687, error));
    BOOST_CHECK(Contains(error, "compute cost 322688 above the limit 322687"));
}

BOOST_AUTO_TEST_CASE(weights_round_trip_and_checks)
{
    const Architecture arch = Cnn();
    ArchitectureInfo info;
    std::string error;
    BOOST_REQUIRE(AnalyzeArchitecture(arch, info, error));
    Weights w = oda::test::UniformWeights(arch, -3, 7);
    w.input_zero_point = -5;
    w.layers[0].output_zero_point = 4;
    BOOST_CHECK_MESSAGE(CheckWeights(arch, info, w, error), error);
    const auto bytes = EncodeWeights(w);
    BOOST_CHECK_EQUAL(HexStr(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 5)), "4f44415701");
    Weights back;
    BOOST_REQUIRE_MESSAGE(DecodeWeights(bytes, back, error), error);
    BOOST_CHECK(back == w);
    BOOST_CHECK(EncodeWeights(back) == bytes);
    for (size_t n = 0; n < bytes.size(); n += 1 + n / 16) BOOST_CHECK(!DecodeWeights(bytes.data(), n, back, error));
    auto bad = bytes;
    bad[0] = 'X';
    BOOST_CHECK(!DecodeWeights(bad, back, error));
    BOOST_CHECK(Contains(error, "magic"));
    // A length prefix that promises 32 MiB of weights in a tiny file fails cleanly.
    auto lying = FromHex("4f44415701" + std::string(64, '0') + "00" "01" "fe00000002");
    BOOST_CHECK(!DecodeWeights(lying, back, error));

    Weights x = w;
    x.architecture_hash = uint256{};
    BOOST_CHECK(!CheckWeights(arch, info, x, error));
    BOOST_CHECK(Contains(error, "hash"));
    x = w;
    x.layers[0].weights.pop_back();
    BOOST_CHECK(!CheckWeights(arch, info, x, error));
    BOOST_CHECK(Contains(error, "weights"));
    x = w;
    x.layers[0].multipliers.pop_back();  // per-channel layer needs 8
    BOOST_CHECK(!CheckWeights(arch, info, x, error));
    x = w;
    x.layers[0].multipliers[3] = -1;
    BOOST_CHECK(!CheckWeights(arch, info, x, error));
    BOOST_CHECK(Contains(error, "negative"));
    x = w;
    x.layers[1].output_zero_point = 1;  // relu has no parameters
    BOOST_CHECK(!CheckWeights(arch, info, x, error));
    x = w;
    x.layers[5].multipliers = {1};  // logits layer has no requantization
    x.layers[5].shifts = {0};
    BOOST_CHECK(!CheckWeights(arch, info, x, error));
    x = w;
    x.layers.pop_back();
    BOOST_CHECK(!CheckWeights(arch, info, x, error));

    // Bias bound: conv fan-in 9 -> 9*255*128 = 293760 products at most.
    x = w;
    x.layers[0].biases[2] = 2147483647 - 293760;
    BOOST_CHECK_MESSAGE(CheckWeights(arch, info, x, error), error);
    x.layers[0].biases[2] += 1;
    BOOST_CHECK(!CheckWeights(arch, info, x, error));
    BOOST_CHECK(Contains(error, "overflow"));
    x.layers[0].biases[2] = -2147483647 + 293760;
    BOOST_CHECK(CheckWeights(arch, info, x, error));
    x.layers[0].biases[2] = -2147483647 - 1;
    BOOST_CHECK(!CheckWeights(arch, info, x, error));
}

BOOST_AUTO_TEST_CASE(dataset_round_trip_and_checks)
{
    Dataset d;
    d.input_shape = {2, 1, 2};
    d.sample_count = 3;
    d.inputs = {1, 2, 3, 4, -1, -2, -3, -4, 127, -128, 0, 5};
    d.labels = {0, 3, 1};
    const auto bytes = EncodeDataset(d);
    // magic, version, input shape [2,1,2], empty target shape, 3 samples (u64), then samples.
    BOOST_CHECK_EQUAL(HexStr(bytes), "4f44414401" "03020000000100000002000000" "00" "0300000000000000"
                                     "01020304" "00000000" "fffefdfc" "03000000" "7f800005" "01000000");
    Dataset back;
    std::string error;
    BOOST_REQUIRE_MESSAGE(DecodeDataset(bytes, back, error), error);
    BOOST_CHECK(back == d);
    for (size_t n = 0; n < bytes.size(); ++n) BOOST_CHECK(!DecodeDataset(bytes.data(), n, back, error));
    auto more = bytes;
    more.push_back(0);
    BOOST_CHECK(!DecodeDataset(more, back, error));
    BOOST_CHECK(Contains(error, "bytes follow the header"));
    // A header claiming 2^24 samples with no data is rejected before allocating.
    auto huge = FromHex("4f44414401" "03010000000100000001000000" "00" "0000000100000000");
    BOOST_CHECK(!DecodeDataset(huge, back, error));

    Dataset t;
    t.input_shape = {3};
    t.target_shape = {2};
    t.sample_count = 2;
    t.inputs = {1, 2, 3, 4, 5, 6};
    t.targets = {-1, 1000000, 7, -2147483647 - 1};
    BOOST_REQUIRE(DecodeDataset(EncodeDataset(t), back, error));
    BOOST_CHECK(back == t);

    Architecture arch;
    arch.input_shape = {3};
    arch.layers = {Dense(2)};
    arch.objective = ObjectiveKind::NEG_SSE;
    ArchitectureInfo info;
    BOOST_REQUIRE(AnalyzeArchitecture(arch, info, error));
    BOOST_CHECK(CheckDataset(arch, info, t, error));
    arch.objective = ObjectiveKind::ACCURACY;
    BOOST_CHECK(!CheckDataset(arch, info, t, error));
    Dataset l = t;
    l.target_shape.clear();
    l.targets.clear();
    l.labels = {1, 2};
    BOOST_CHECK(!CheckDataset(arch, info, l, error));  // label 2 of 2 outputs
    BOOST_CHECK(Contains(error, "label 2"));
    l.labels = {1, 0};
    BOOST_CHECK(CheckDataset(arch, info, l, error));
    arch.input_shape = {4};
    BOOST_REQUIRE(AnalyzeArchitecture(arch, info, error));
    BOOST_CHECK(!CheckDataset(arch, info, l, error));
}

BOOST_AUTO_TEST_CASE(files_with_size_limits)
{
    const std::string dir = std::filesystem::temp_directory_path() / ("oda_model_format_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    Dataset d;
    d.input_shape = {2};
    d.sample_count = 2;
    d.inputs = {1, 2, 3, 4};
    d.labels = {0, 1};
    const auto bytes = EncodeDataset(d);
    std::string error;
    BOOST_REQUIRE(WriteFileBytes(dir + "/d.odad", bytes, error));
    Dataset back;
    BOOST_CHECK_MESSAGE(ReadDatasetFile(dir + "/d.odad", bytes.size(), back, error), error);
    BOOST_CHECK(back == d);
    BOOST_CHECK(!ReadDatasetFile(dir + "/d.odad", bytes.size() - 1, back, error));
    BOOST_CHECK(Contains(error, "above the limit"));
    BOOST_CHECK(!ReadDatasetFile(dir + "/missing", 1000, back, error));
    BOOST_CHECK(!ReadDatasetFile(dir, 1000, back, error));  // a directory
    Weights w;
    BOOST_CHECK(!ReadWeightsFile(dir + "/d.odad", 1000, w, error));  // a dataset is not a weights file
    BOOST_CHECK(Contains(error, "magic"));
    w = oda::test::UniformWeights(Mlp());
    BOOST_REQUIRE(WriteFileBytes(dir + "/w.odaw", EncodeWeights(w), error));
    Weights wback;
    BOOST_CHECK(ReadWeightsFile(dir + "/w.odaw", MAX_WEIGHTS_FILE_SIZE, wback, error));
    BOOST_CHECK(wback == w);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
