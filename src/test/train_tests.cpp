// Training library: IDX parsing, quantization arithmetic, float training,
// checkpoints and post-training quantization on small synthetic data.
#include <oda/engine/reference.h>
#include <oda/model/arithmetic.h>
#include <oda/model/model.h>
#include <oda/train/float_model.h>
#include <oda/train/idx.h>
#include <oda/train/quantize_math.h>
#include <oda/train/synthetic.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <unistd.h>

using namespace oda::train;
using oda::model::Architecture;
using oda::model::Dataset;
using oda::model::Layer;
using oda::model::LayerKind;

namespace {

std::string TempPath(const std::string& name)
{
    return "/tmp/oda_train_test_" + std::to_string(::getpid()) + "_" + name;
}

std::vector<uint8_t> IdxBytes(uint8_t type, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data)
{
    std::vector<uint8_t> b{0, 0, type, static_cast<uint8_t>(dims.size())};
    for (uint32_t d : dims) {
        b.push_back(d >> 24); b.push_back(d >> 16); b.push_back(d >> 8); b.push_back(d);
    }
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

Layer Dense(uint32_t out, bool per_channel = false)
{
    Layer l;
    l.kind = LayerKind::DENSE;
    l.out_features = out;
    l.per_channel = per_channel;
    return l;
}

Layer Simple(LayerKind k)
{
    Layer l;
    l.kind = k;
    return l;
}

Architecture SmallMlp(uint32_t in, uint32_t hidden, uint32_t classes, bool per_channel)
{
    Architecture a;
    a.input_shape = {in};
    a.layers = {Dense(hidden, per_channel), Simple(LayerKind::RELU), Dense(classes, per_channel)};
    a.logits_output = true;
    return a;
}

} // namespace

BOOST_AUTO_TEST_SUITE(train_tests)

// ------------------------------------------------------------------ IDX

BOOST_AUTO_TEST_CASE(idx_parse_valid)
{
    IdxArray a;
    std::string error;
    auto bytes = IdxBytes(0x08, {2, 2, 3}, {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255});
    BOOST_REQUIRE_MESSAGE(ParseIdx(bytes, a, error), error);
    BOOST_CHECK((a.dims == std::vector<uint32_t>{2, 2, 3}));
    BOOST_CHECK_EQUAL(a.data.size(), 12U);
    BOOST_CHECK_EQUAL(a.data[11], 255);
}

BOOST_AUTO_TEST_CASE(idx_parse_rejects_bad_files)
{
    IdxArray a;
    std::string error;
    BOOST_CHECK(!ParseIdx({0, 0}, a, error));
    BOOST_CHECK(error.find("short") != std::string::npos);
    auto good = IdxBytes(0x08, {2, 3}, {1, 2, 3, 4, 5, 6});
    auto bad_magic = good;
    bad_magic[0] = 1;
    BOOST_CHECK(!ParseIdx(bad_magic, a, error));
    BOOST_CHECK(error.find("magic") != std::string::npos);
    auto bad_type = IdxBytes(0x0d, {2, 3}, {1, 2, 3, 4, 5, 6});
    BOOST_CHECK(!ParseIdx(bad_type, a, error));
    BOOST_CHECK(error.find("0x0d") != std::string::npos);
    auto truncated = good;
    truncated.pop_back();
    BOOST_CHECK(!ParseIdx(truncated, a, error));
    BOOST_CHECK(error.find("truncated") != std::string::npos);
    auto trailing = good;
    trailing.push_back(7);
    BOOST_CHECK(!ParseIdx(trailing, a, error));
    BOOST_CHECK(error.find("trailing") != std::string::npos);
    auto dims_cut = std::vector<uint8_t>(good.begin(), good.begin() + 9); // 4 + 1.25 dims
    BOOST_CHECK(!ParseIdx(dims_cut, a, error));
    BOOST_CHECK(!ParseIdx(IdxBytes(0x08, {0, 3}, {}), a, error));
    BOOST_CHECK(error.find("zero") != std::string::npos);
    BOOST_CHECK(!ParseIdx(IdxBytes(0x08, {}, {}), a, error));
    // A huge declared size is rejected before anything is allocated.
    BOOST_CHECK(!ParseIdx(IdxBytes(0x08, {0xffffffff, 0xffffffff}, {1}), a, error));
}

BOOST_AUTO_TEST_CASE(idx_gzip_file_and_dataset)
{
    const std::string img = TempPath("img.gz"), lab = TempPath("lab");
    auto img_bytes = IdxBytes(0x08, {3, 2, 2}, {0, 128, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    gzFile gz = gzopen(img.c_str(), "wb");
    BOOST_REQUIRE(gz);
    BOOST_REQUIRE_EQUAL(gzwrite(gz, img_bytes.data(), img_bytes.size()), static_cast<int>(img_bytes.size()));
    gzclose(gz);
    auto lab_bytes = IdxBytes(0x08, {3}, {9, 0, 4});
    {
        std::ofstream f(lab, std::ios::binary);
        f.write(reinterpret_cast<const char*>(lab_bytes.data()), lab_bytes.size());
    }
    IdxArray images, labels;
    std::string error;
    BOOST_REQUIRE_MESSAGE(ReadIdxFile(img, images, error), error);
    BOOST_REQUIRE_MESSAGE(ReadIdxFile(lab, labels, error), error); // plain files read too
    Dataset d;
    BOOST_REQUIRE_MESSAGE(IdxToDataset(images, labels, 0, {}, 10, d, error), error);
    BOOST_CHECK((d.input_shape == std::vector<uint32_t>{1, 2, 2}));
    BOOST_CHECK_EQUAL(d.sample_count, 3U);
    BOOST_CHECK_EQUAL(d.inputs[0], -128); // pixel 0 -> -128 (real 0)
    BOOST_CHECK_EQUAL(d.inputs[1], 0);
    BOOST_CHECK_EQUAL(d.inputs[2], 127);
    BOOST_CHECK((d.labels == std::vector<uint32_t>{9, 0, 4}));
    // Limit and flat shape.
    BOOST_REQUIRE(IdxToDataset(images, labels, 2, {4}, 10, d, error));
    BOOST_CHECK_EQUAL(d.sample_count, 2U);
    BOOST_CHECK_EQUAL(d.inputs.size(), 8U);
    // Wrong shape, label out of range, count mismatch.
    BOOST_CHECK(!IdxToDataset(images, labels, 0, {5}, 10, d, error));
    BOOST_CHECK(!IdxToDataset(images, labels, 0, {}, 5, d, error));
    BOOST_CHECK(error.find("class count") != std::string::npos);
    IdxArray two_labels = labels;
    two_labels.dims = {2};
    two_labels.data.pop_back();
    BOOST_CHECK(!IdxToDataset(images, two_labels, 0, {}, 10, d, error));

    // A truncated gzip stream is an error, not a short file.
    {
        std::ifstream f(img, std::ios::binary);
        std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        std::ofstream g(img, std::ios::binary | std::ios::trunc);
        g.write(all.data(), all.size() - 6);
    }
    BOOST_CHECK(!ReadIdxFile(img, images, error));
    BOOST_CHECK(!ReadIdxFile(TempPath("missing"), images, error));
    BOOST_CHECK(error.find("cannot open") != std::string::npos);
    std::remove(img.c_str());
    std::remove(lab.c_str());
}

// ------------------------------------------------------------------ quantization arithmetic

BOOST_AUTO_TEST_CASE(multiplier_and_shift)
{
    auto q = QuantizeMultiplier(0.5);
    BOOST_CHECK_EQUAL(q.multiplier, 1 << 30);
    BOOST_CHECK_EQUAL(q.shift, 0);
    q = QuantizeMultiplier(0.75);
    BOOST_CHECK_EQUAL(q.multiplier, 1610612736);
    BOOST_CHECK_EQUAL(q.shift, 0);
    q = QuantizeMultiplier(1.0);
    BOOST_CHECK_EQUAL(q.multiplier, 1 << 30);
    BOOST_CHECK_EQUAL(q.shift, 1);
    q = QuantizeMultiplier(0.1); // 0.8 * 2^-3
    BOOST_CHECK_EQUAL(q.multiplier, 1717986918);
    BOOST_CHECK_EQUAL(q.shift, -3);
    q = QuantizeMultiplier(std::nextafter(1.0, 0.0)); // rounds up to 2^31: renormalized
    BOOST_CHECK_EQUAL(q.multiplier, 1 << 30);
    BOOST_CHECK_EQUAL(q.shift, 1);
    BOOST_CHECK_EQUAL(QuantizeMultiplier(0.0).multiplier, 0);
    BOOST_CHECK_EQUAL(QuantizeMultiplier(-1.0).multiplier, 0);
    BOOST_CHECK_EQUAL(QuantizeMultiplier(std::nan("")).multiplier, 0);
    BOOST_CHECK_EQUAL(QuantizeMultiplier(1e-12).multiplier, 0); // needs shift < -31
    q = QuantizeMultiplier(1e12);
    BOOST_CHECK_EQUAL(q.multiplier, std::numeric_limits<int32_t>::max());
    BOOST_CHECK_EQUAL(q.shift, MAX_SHIFT);

    std::mt19937_64 rng(7);
    for (int i = 0; i < 2000; ++i) {
        const double m = std::ldexp(1.0 + double(rng() % 1000000) / 1e6, static_cast<int>(rng() % 40) - 30);
        Requant r = QuantizeMultiplier(m);
        BOOST_REQUIRE(r.multiplier >= (1 << 30));
        BOOST_CHECK_LE(std::abs(RequantToReal(r) - m) / m, std::ldexp(1.0, -30));
    }
}

BOOST_AUTO_TEST_CASE(integer_requantization)
{
    // The engine's Requantize(acc, M, shift) with our (M, shift) computes
    // zp + round(acc * m), up to one step of rounding, clamped.
    const int32_t imin = std::numeric_limits<int32_t>::min(), imax = std::numeric_limits<int32_t>::max();
    auto Requantize = [](int32_t acc, Requant r, int8_t zp) { return oda::model::Requantize(acc, r.multiplier, r.shift, zp); };
    std::mt19937_64 rng(11);
    for (int i = 0; i < 5000; ++i) {
        const double m = std::ldexp(1.0 + double(rng() % 1000) / 1000.0, -static_cast<int>(rng() % 20));
        const int32_t acc = static_cast<int32_t>(rng() % 2000001) - 1000000;
        const int8_t zp = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
        const Requant r = QuantizeMultiplier(m);
        const double expect = std::clamp(std::round(acc * RequantToReal(r)) + zp, -128.0, 127.0);
        BOOST_CHECK_LE(std::abs(double(Requantize(acc, r, zp)) - expect), 1.0);
    }
    // Left shifts saturate instead of wrapping.
    BOOST_CHECK_EQUAL(Requantize(imax, QuantizeMultiplier(1000.0), 0), 127);
    BOOST_CHECK_EQUAL(Requantize(imin, QuantizeMultiplier(1000.0), 0), -128);
}

BOOST_AUTO_TEST_CASE(activation_params)
{
    auto p = ChooseActivationParams(0.0, 2.55);
    BOOST_CHECK_CLOSE(p.scale, 0.01, 1e-9);
    BOOST_CHECK_EQUAL(p.zero_point, -128);
    p = ChooseActivationParams(0.5, 2.55); // widened to include 0
    BOOST_CHECK_EQUAL(p.zero_point, -128);
    p = ChooseActivationParams(-2.55, 0.0);
    BOOST_CHECK_EQUAL(p.zero_point, 127);
    p = ChooseActivationParams(-1.0, 1.0);
    BOOST_CHECK_CLOSE(p.scale, 2.0 / 255.0, 1e-9);
    BOOST_CHECK_EQUAL(QuantizeValue(0.0, p), p.zero_point); // real 0 is exact
    BOOST_CHECK_EQUAL(QuantizeValue(1.0, p), 127);
    BOOST_CHECK_EQUAL(QuantizeValue(-1.0, p), -128);
    BOOST_CHECK_EQUAL(QuantizeValue(100.0, p), 127);
    p = ChooseActivationParams(0.0, 0.0);
    BOOST_CHECK_EQUAL(p.zero_point, -128);
    BOOST_CHECK_GT(p.scale, 0.0);
    // Symmetric weights and int32 biases.
    BOOST_CHECK_CLOSE(SymmetricScale(1.27), 0.01, 1e-9);
    BOOST_CHECK_EQUAL(SymmetricScale(0.0), 1.0);
    BOOST_CHECK_EQUAL(QuantizeWeight(1.27, 0.01), 127);
    BOOST_CHECK_EQUAL(QuantizeWeight(-5.0, 0.01), -127);
    BOOST_CHECK_EQUAL(QuantizeWeight(0.005, 0.01), 1); // half away from zero
    BOOST_CHECK_EQUAL(QuantizeBias(1e30, 1.0), std::numeric_limits<int32_t>::max());
    BOOST_CHECK_EQUAL(QuantizeBias(-1e30, 1.0, 1000), -1000);
}

// ------------------------------------------------------------------ synthetic data

BOOST_AUTO_TEST_CASE(synthetic_dataset)
{
    SyntheticOptions o;
    o.input_shape = {1, 4, 4};
    o.count = 50;
    o.classes = 3;
    o.seed = 5;
    Dataset a, b;
    std::string error;
    BOOST_REQUIRE(MakeSyntheticDataset(o, a, error));
    BOOST_REQUIRE(MakeSyntheticDataset(o, b, error));
    BOOST_CHECK(a.inputs == b.inputs && a.labels == b.labels); // deterministic
    BOOST_CHECK_EQUAL(a.inputs.size(), 800U);
    BOOST_CHECK_EQUAL(a.labels.size(), 50U);
    for (uint32_t l : a.labels) BOOST_CHECK_LT(l, 3U);
    o.target_shape = {2};
    BOOST_REQUIRE(MakeSyntheticDataset(o, a, error));
    BOOST_CHECK(a.labels.empty());
    BOOST_CHECK_EQUAL(a.targets.size(), 100U);
    o.count = 0;
    BOOST_CHECK(!MakeSyntheticDataset(o, a, error));
    o.count = 1ull << 40;
    BOOST_CHECK(!MakeSyntheticDataset(o, a, error));
}

// ------------------------------------------------------------------ float model

BOOST_AUTO_TEST_CASE(float_model_shapes_and_errors)
{
    Architecture a;
    a.input_shape = {1, 8, 8};
    Layer conv;
    conv.kind = LayerKind::CONV2D;
    conv.out_features = 4;
    conv.kernel_h = conv.kernel_w = 3;
    conv.stride_h = conv.stride_w = 1;
    conv.pad_h = conv.pad_w = 1;
    Layer pool;
    pool.kind = LayerKind::AVGPOOL2D;
    pool.kernel_h = pool.kernel_w = 2;
    pool.stride_h = pool.stride_w = 2;
    a.layers = {conv, Simple(LayerKind::RELU), pool, Simple(LayerKind::FLATTEN), Dense(3)};
    FloatModel m(a, 1);
    BOOST_CHECK_EQUAL(m.ParameterCount(), 4U * 9 + 4 + 64 * 3 + 3);
    // The float twin computes the architecture's shapes: 3 outputs per sample.
    SyntheticOptions o;
    o.input_shape = {1, 8, 8};
    o.count = 5;
    o.classes = 3;
    Dataset d;
    std::string error;
    BOOST_REQUIRE(MakeSyntheticDataset(o, d, error));
    BOOST_CHECK_EQUAL(m.Forward(d, 5).size(), 15U);
    BOOST_CHECK(DatasetFits(a, d, error));
    // A label that is not below the 3 outputs does not fit.
    BOOST_REQUIRE(MakeSyntheticDataset(o, d, error));
    d.labels[0] = 3;
    BOOST_CHECK(!DatasetFits(a, d, error));
    a.layers = {Dense(3)}; // Dense on a C,H,W input: needs Flatten
    BOOST_CHECK_THROW(FloatModel(a, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(train_quantize_checkpoint_on_synthetic_data)
{
    SetTorchThreads(1);
    SyntheticOptions o;
    o.input_shape = {16};
    o.count = 1200;
    o.classes = 4;
    o.seed = 3;
    Dataset all, train, test;
    std::string error;
    BOOST_REQUIRE(MakeSyntheticDataset(o, all, error));
    train = all;
    train.sample_count = 1000;
    train.inputs.resize(1000 * 16);
    train.labels.resize(1000);
    test = all;
    test.sample_count = 200;
    test.inputs.assign(all.inputs.begin() + 1000 * 16, all.inputs.end());
    test.labels.assign(all.labels.begin() + 1000, all.labels.end());

    const Architecture arch = SmallMlp(16, 32, 4, /*per_channel=*/true);
    FloatModel model(arch, 42);
    TrainOptions t;
    t.epochs = 30;
    t.batch_size = 32;
    t.learning_rate = 3e-3;
    t.progress = false;
    auto stats = model.Train(train, t);
    BOOST_REQUIRE_EQUAL(stats.size(), 30U);
    BOOST_CHECK_LT(stats.back().train_loss, stats.front().train_loss);
    const double float_acc = model.Evaluate(test).accuracy;
    BOOST_TEST_MESSAGE("float accuracy " << float_acc);
    BOOST_CHECK_GT(float_acc, 0.6); // chance is 0.25

    // Quantized weights have the documented form.
    oda::model::Weights w;
    BOOST_REQUIRE_MESSAGE(model.Quantize(train, QuantizeOptions{}, w, error), error);
    // ... that the format accepts, and that the reference interpreter scores within a
    // few points of the float model (the goal on real data is 1 point; 200 samples here).
    oda::model::Model qm;
    BOOST_REQUIRE_MESSAGE(oda::model::MakeModel(arch, w, qm, error), error);
    const double int_acc = double(oda::engine::ReferenceScore(qm, test)) / double(test.sample_count);
    BOOST_TEST_MESSAGE("quantized accuracy " << int_acc);
    BOOST_CHECK_GT(int_acc, float_acc - 0.05);
    BOOST_CHECK_EQUAL(w.input_zero_point, DEFAULT_INPUT_ZERO_POINT);
    BOOST_REQUIRE_EQUAL(w.layers.size(), 3U);
    BOOST_CHECK_EQUAL(w.layers[0].weights.size(), 32U * 16);
    BOOST_CHECK_EQUAL(w.layers[0].biases.size(), 32U);
    BOOST_CHECK_EQUAL(w.layers[0].multipliers.size(), 32U); // per channel
    BOOST_CHECK(w.layers[2].multipliers.empty());            // logits: none
    BOOST_CHECK_EQUAL(w.layers[0].output_zero_point, -128); // ReLU folded: range starts at 0
    for (int32_t m : w.layers[0].multipliers) BOOST_CHECK(m == 0 || m >= (1 << 30));
    BOOST_CHECK(w.layers[1].weights.empty());
    BOOST_CHECK_EQUAL(w.layers[2].weights.size(), 4U * 32);

    // Checkpoint round trip: same outputs.
    const std::string ckpt = TempPath("ckpt.pt");
    BOOST_REQUIRE_MESSAGE(model.SaveCheckpoint(ckpt, error), error);
    FloatModel other(arch, 99);
    BOOST_REQUIRE_MESSAGE(other.LoadCheckpoint(ckpt, error), error);
    BOOST_CHECK(model.Forward(test, 20) == other.Forward(test, 20));
    // A checkpoint of another architecture is refused with a clear message.
    FloatModel wrong(SmallMlp(16, 8, 4, false), 1);
    BOOST_CHECK(!wrong.LoadCheckpoint(ckpt, error));
    BOOST_CHECK(error.find("shape") != std::string::npos);
    BOOST_CHECK(!other.LoadCheckpoint(TempPath("missing.pt"), error));
    {
        std::ofstream f(ckpt, std::ios::binary | std::ios::trunc);
        f << "not a checkpoint";
    }
    BOOST_CHECK(!other.LoadCheckpoint(ckpt, error));
    std::remove(ckpt.c_str());

    // Dequantized weights give back (nearly) the same classifier.
    FloatModel back(arch, 7);
    BOOST_REQUIRE_MESSAGE(back.LoadFromWeights(w, error), error);
    const double back_acc = back.Evaluate(test).accuracy;
    BOOST_TEST_MESSAGE("dequantized accuracy " << back_acc);
    BOOST_CHECK_GT(back_acc, float_acc - 0.05);
    // The logits' magnitude is refitted without changing any argmax.
    const double loss_before = back.Evaluate(train).loss;
    const double scale = back.FitOutputScale(train);
    const auto after = back.Evaluate(train);
    BOOST_TEST_MESSAGE("output scale " << scale << ": loss " << loss_before << " -> " << after.loss);
    BOOST_CHECK_LE(after.loss, loss_before);
    BOOST_CHECK_LT(after.loss, model.Evaluate(train).loss * 1.5 + 0.05);
    BOOST_CHECK_EQUAL(back.Evaluate(test).accuracy, back_acc);
}

BOOST_AUTO_TEST_CASE(cnn_and_regression_quantization_track_float)
{
    SetTorchThreads(1);
    std::string error;
    // A CNN with every layer kind: conv (per channel), relu, maxpool, avgpool, flatten, dense.
    SyntheticOptions o;
    o.input_shape = {1, 6, 6};
    o.count = 800;
    o.classes = 3;
    o.seed = 9;
    Dataset data;
    BOOST_REQUIRE(MakeSyntheticDataset(o, data, error));
    Architecture cnn;
    cnn.input_shape = {1, 6, 6};
    Layer conv;
    conv.kind = LayerKind::CONV2D;
    conv.out_features = 6;
    conv.kernel_h = conv.kernel_w = 3;
    conv.stride_h = conv.stride_w = 1;
    conv.pad_h = conv.pad_w = 1;
    conv.per_channel = true;
    Layer maxpool;
    maxpool.kind = LayerKind::MAXPOOL2D;
    maxpool.kernel_h = maxpool.kernel_w = 2;
    maxpool.stride_h = maxpool.stride_w = 1;
    Layer avgpool = maxpool;
    avgpool.kind = LayerKind::AVGPOOL2D;
    avgpool.stride_h = avgpool.stride_w = 2;
    cnn.layers = {conv, Simple(LayerKind::RELU), maxpool, avgpool, Simple(LayerKind::FLATTEN), Dense(3)};
    cnn.logits_output = true;
    FloatModel fm(cnn, 5);
    TrainOptions t;
    t.epochs = 25;
    t.batch_size = 32;
    t.learning_rate = 5e-3;
    t.progress = false;
    fm.Train(data, t);
    const double float_acc = fm.Evaluate(data).accuracy;
    oda::model::Weights w;
    BOOST_REQUIRE_MESSAGE(fm.Quantize(data, QuantizeOptions{}, w, error), error);
    oda::model::Model qm;
    BOOST_REQUIRE_MESSAGE(oda::model::MakeModel(cnn, w, qm, error), error);
    const double int_acc = double(oda::engine::ReferenceScore(qm, data)) / double(data.sample_count);
    BOOST_TEST_MESSAGE("cnn float " << float_acc << " int8 " << int_acc);
    BOOST_CHECK_GT(float_acc, 0.6); // chance is 1/3
    BOOST_CHECK_GT(int_acc, float_acc - 0.05);

    // Regression (neg_sse): int8 outputs are in target units (scale 1, zero point 0).
    Architecture reg;
    reg.input_shape = {8};
    reg.objective = oda::model::ObjectiveKind::NEG_SSE;
    reg.layers = {Dense(16), Simple(LayerKind::RELU), Dense(2)};
    SyntheticOptions ro;
    ro.input_shape = {8};
    ro.count = 600;
    ro.target_shape = {2};
    ro.seed = 4;
    Dataset rdata;
    BOOST_REQUIRE(MakeSyntheticDataset(ro, rdata, error));
    FloatModel rm(reg, 2);
    t.epochs = 60;
    t.learning_rate = 1e-2;
    rm.Train(rdata, t);
    const double float_mse = rm.Evaluate(rdata).loss;
    BOOST_REQUIRE_MESSAGE(rm.Quantize(rdata, QuantizeOptions{}, w, error), error);
    BOOST_CHECK_EQUAL(w.layers[2].output_zero_point, 0);
    BOOST_REQUIRE_MESSAGE(oda::model::MakeModel(reg, w, qm, error), error);
    const double int_mse = -double(oda::engine::ReferenceScore(qm, rdata)) / double(rdata.targets.size());
    double target_var = 0;
    for (int32_t v : rdata.targets) target_var += double(v) * v;
    target_var /= double(rdata.targets.size());
    BOOST_TEST_MESSAGE("regression float mse " << float_mse << " int8 mse " << int_mse << " target power " << target_var);
    BOOST_CHECK_LT(float_mse, 0.5 * target_var);  // learned something
    BOOST_CHECK_LT(int_mse, float_mse * 1.5 + 2); // quantization keeps it
}

BOOST_AUTO_TEST_SUITE_END()
