// oda-model: make, train, quantize, score and inspect ODA models off-chain.
// Manual: doc/oda-model.md. Every subcommand has --help; errors go to stderr
// with exit code 1.
#include <crypto/merkle_bep52.h>
#include <hex.h>
#include <oda/engine/engine.h>
#include <oda/engine/reference.h>
#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/fileio.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>
#include <oda/train/float_model.h>
#include <oda/train/idx.h>
#include <oda/train/synthetic.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace oda;

namespace {

/** A user-facing failure: printed as "error: <message>", exit code 1. */
struct ToolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// ------------------------------------------------------------------ arguments

/** Options as --name=value, --name value, or bare --flag; the rest are positionals. */
class Args
{
public:
    Args(int argc, char** argv, const std::set<std::string>& flags, const std::set<std::string>& valued)
    {
        for (int i = 0; i < argc; ++i) {
            std::string a = argv[i];
            if (a.size() > 1 && a[0] == '-' && !(a.size() > 1 && (std::isdigit(static_cast<unsigned char>(a[1])) != 0))) {
                std::string name = a.substr(a[1] == '-' ? 2 : 1);
                std::optional<std::string> value;
                if (auto eq = name.find('='); eq != std::string::npos) {
                    value = name.substr(eq + 1);
                    name = name.substr(0, eq);
                }
                if (name == "h") name = "help";
                if (name == "o") name = "output";
                if (flags.count(name)) {
                    if (value) throw ToolError("option --" + name + " takes no value");
                    m_values[name] = "1";
                } else if (valued.count(name)) {
                    if (!value) {
                        if (i + 1 >= argc) throw ToolError("option --" + name + " needs a value");
                        value = argv[++i];
                    }
                    m_values[name] = *value;
                } else {
                    throw ToolError("unknown option " + a + " (see --help)");
                }
            } else {
                m_positional.push_back(a);
            }
        }
    }
    bool Has(const std::string& n) const { return m_values.count(n) != 0; }
    std::string Get(const std::string& n, const std::string& def = "") const
    {
        auto it = m_values.find(n);
        return it == m_values.end() ? def : it->second;
    }
    std::string Require(const std::string& n) const
    {
        if (!Has(n)) throw ToolError("missing --" + n + " (see --help)");
        return Get(n);
    }
    uint64_t GetU64(const std::string& n, uint64_t def, uint64_t max = UINT64_MAX) const
    {
        if (!Has(n)) return def;
        const std::string s = Get(n);
        char* end = nullptr;
        errno = 0;
        unsigned long long v = std::strtoull(s.c_str(), &end, 10);
        if (s.empty() || s[0] == '-' || *end != '\0' || errno != 0 || v > max) {
            throw ToolError("--" + n + " must be an integer from 0 to " + std::to_string(max) + ", got '" + s + "'");
        }
        return v;
    }
    double GetDouble(const std::string& n, double def) const
    {
        if (!Has(n)) return def;
        const std::string s = Get(n);
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || !(v == v)) throw ToolError("--" + n + " must be a number, got '" + s + "'");
        return v;
    }
    const std::vector<std::string>& Positional() const { return m_positional; }

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
};

std::vector<uint32_t> ParseShape(const std::string& s, const std::string& what)
{
    std::vector<uint32_t> shape;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t comma = s.find_first_of(",x", pos);
        std::string part = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        char* end = nullptr;
        unsigned long v = std::strtoul(part.c_str(), &end, 10);
        if (part.empty() || *end != '\0' || v == 0 || v > model::MAX_DIMENSION) {
            throw ToolError(what + ": expected dimensions like 1,28,28 (each 1.." + std::to_string(model::MAX_DIMENSION) + "), got '" + s + "'");
        }
        shape.push_back(static_cast<uint32_t>(v));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    if (shape.empty() || shape.size() > 3) throw ToolError(what + ": 1 to 3 dimensions");
    return shape;
}

// ------------------------------------------------------------------ loading files

struct LoadedArch {
    model::Architecture arch;
    model::ArchitectureInfo info;
};

LoadedArch LoadArchitecture(const std::string& path)
{
    std::vector<uint8_t> bytes;
    std::string error;
    if (!model::ReadFileBounded(path, 1 << 20, bytes, error)) throw ToolError(error);
    LoadedArch a;
    size_t first = 0;
    while (first < bytes.size() && std::isspace(bytes[first])) ++first;
    bool ok = first < bytes.size() && bytes[first] == '{'
                  ? model::ArchitectureFromJson(std::string(bytes.begin(), bytes.end()), a.arch, error)
                  : model::DecodeArchitecture(bytes, a.arch, error);
    if (!ok) throw ToolError(path + ": " + error);
    if (!model::AnalyzeArchitecture(a.arch, a.info, error)) throw ToolError(path + ": invalid architecture: " + error);
    return a;
}

model::Weights LoadWeights(const std::string& path, const LoadedArch& a)
{
    model::Weights w;
    std::string error;
    if (!model::ReadWeightsFile(path, model::MAX_WEIGHTS_FILE_SIZE, w, error)) throw ToolError(error); // names the file
    if (!model::CheckWeights(a.arch, a.info, w, error)) throw ToolError(path + ": " + error);
    return w;
}

model::Dataset LoadDataset(const std::string& path, const LoadedArch* a = nullptr)
{
    model::Dataset d;
    std::string error;
    if (!model::ReadDatasetFile(path, model::MAX_DATASET_FILE_SIZE, d, error)) throw ToolError(error); // names the file
    if (a && !model::CheckDataset(a->arch, a->info, d, error)) throw ToolError(path + ": " + error);
    return d;
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::string error;
    if (!model::WriteFileBytes(path, bytes, error)) throw ToolError(error);
}

void SaveWeights(const std::string& path, const LoadedArch& a, const model::Weights& w)
{
    std::string error;
    if (!model::CheckWeights(a.arch, a.info, w, error)) throw ToolError("internal: quantized weights rejected: " + error);
    WriteFile(path, model::EncodeWeights(w));
}

double Seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

/** Scores with the consensus engine, or the reference interpreter. `seconds` is the
 *  scoring time (for the engine: after the one-off weight packing). */
int64_t ScoreModel(const model::Model& m, const model::Dataset& d, bool reference, double& seconds)
{
    if (reference) {
        auto t0 = std::chrono::steady_clock::now();
        int64_t score = engine::ReferenceScore(m, d);
        seconds = Seconds(t0);
        return score;
    }
    engine::CompiledModel compiled(m);
    auto t0 = std::chrono::steady_clock::now();
    int64_t score = compiled.Score(d);
    seconds = Seconds(t0);
    return score;
}

void PrintScore(const char* what, const model::Architecture& arch, int64_t score, uint64_t samples, double seconds)
{
    if (arch.objective == model::ObjectiveKind::ACCURACY) {
        std::printf("%s: score %lld, accuracy %.2f%% (%lld/%llu), %.3f s\n", what, static_cast<long long>(score),
                    100.0 * double(score) / double(samples), static_cast<long long>(score),
                    static_cast<unsigned long long>(samples), seconds);
    } else {
        std::printf("%s: score %lld (neg_sse over %llu samples), %.3f s\n", what, static_cast<long long>(score),
                    static_cast<unsigned long long>(samples), seconds);
    }
}

// ------------------------------------------------------------------ subcommands

constexpr const char* DEFAULT_IDX_DIR = "/usr/share/datasets/fashion-mnist";

int CmdInit(const Args& args)
{
    if (args.Has("help")) {
        std::puts("Usage: oda-model init ARCH.json -o WEIGHTS [--seed N]\n\n"
                  "Writes valid random weights for an architecture: a randomly initialized float\n"
                  "model (libtorch defaults) quantized with calibration on random inputs.\n"
                  "  --seed N     random seed (default 1)");
        return 0;
    }
    if (args.Positional().size() != 1) throw ToolError("init needs exactly one architecture file (see --help)");
    LoadedArch a = LoadArchitecture(args.Positional()[0]);
    const std::string out = args.Require("output");
    const uint64_t seed = args.GetU64("seed", 1);
    train::FloatModel fm(a.arch, seed);
    train::SyntheticOptions so;
    so.input_shape = a.arch.input_shape;
    so.count = 256;
    so.seed = seed;
    model::Dataset calib;
    std::string error;
    if (!train::MakeSyntheticDataset(so, calib, error)) throw ToolError(error);
    model::Weights w;
    if (!fm.Quantize(calib, train::QuantizeOptions{}, w, error)) throw ToolError(error);
    SaveWeights(out, a, w);
    std::printf("wrote %s (%llu parameters)\n", out.c_str(), static_cast<unsigned long long>(fm.ParameterCount()));
    return 0;
}

int CmdMakeDataset(const Args& args)
{
    if (args.Has("help")) {
        std::puts("Usage: oda-model make-dataset --shape C,H,W|N --count N -o FILE\n"
                  "                              [--classes K | --targets SHAPE] [--seed N]\n\n"
                  "Writes a synthetic dataset: uniform random int8 inputs whose labels (or targets)\n"
                  "come from a hidden random linear teacher, so that models can learn them.\n"
                  "  --classes K      class labels in [0, K) (default 10; objective accuracy)\n"
                  "  --targets SHAPE  int32 targets in [-100, 100] of this shape (objective neg_sse)\n"
                  "  --seed N         random seed (default 1)");
        return 0;
    }
    if (!args.Positional().empty()) throw ToolError("make-dataset takes no positional arguments (see --help)");
    train::SyntheticOptions o;
    o.input_shape = ParseShape(args.Require("shape"), "--shape");
    o.count = args.GetU64("count", 0, model::MAX_DATASET_SAMPLES);
    if (o.count == 0) throw ToolError("--count must be at least 1");
    o.classes = static_cast<uint32_t>(args.GetU64("classes", 10, 1u << 20));
    if (args.Has("targets")) o.target_shape = ParseShape(args.Get("targets"), "--targets");
    o.seed = args.GetU64("seed", 1);
    const std::string out = args.Require("output");
    model::Dataset d;
    std::string error;
    if (!train::MakeSyntheticDataset(o, d, error)) throw ToolError(error);
    WriteFile(out, model::EncodeDataset(d));
    std::printf("wrote %s (%llu samples, input %s)\n", out.c_str(), static_cast<unsigned long long>(d.sample_count),
                model::ShapeToString(d.input_shape).c_str());
    return 0;
}

int CmdImportIdx(const Args& args)
{
    if (args.Has("help")) {
        std::printf("Usage: oda-model import-idx -o FILE [--split train|test] [--dir DIR]\n"
                    "                            [--images FILE --labels FILE] [--limit N] [--shape SHAPE]\n\n"
                    "Converts IDX image + label files (MNIST, Fashion-MNIST; gzip'd or plain) into a\n"
                    "dataset file. Pixels p become int8 p - 128 (input zero point -128 = real 0,\n"
                    "one step = 1/255).\n"
                    "  --split train|test  pick DIR/train-*-ubyte.gz or DIR/t10k-*-ubyte.gz (default train)\n"
                    "  --dir DIR           directory of the IDX files (default %s)\n"
                    "  --images, --labels  explicit files instead of --split/--dir\n"
                    "  --limit N           keep the first N samples (default all)\n"
                    "  --shape SHAPE       per-sample shape to record (default 1,ROWS,COLS)\n"
                    "  --classes K         reject labels >= K (default 10)\n",
                    DEFAULT_IDX_DIR);
        return 0;
    }
    if (!args.Positional().empty()) throw ToolError("import-idx takes no positional arguments (see --help)");
    const std::string split = args.Get("split", "train");
    if (split != "train" && split != "test") throw ToolError("--split must be train or test");
    const std::string dir = args.Get("dir", DEFAULT_IDX_DIR);
    const std::string prefix = dir + "/" + (split == "train" ? "train" : "t10k");
    const std::string images_path = args.Get("images", prefix + "-images-idx3-ubyte.gz");
    const std::string labels_path = args.Get("labels", prefix + "-labels-idx1-ubyte.gz");
    const std::string out = args.Require("output");
    std::vector<uint32_t> shape;
    if (args.Has("shape")) shape = ParseShape(args.Get("shape"), "--shape");
    train::IdxArray images, labels;
    std::string error;
    if (!train::ReadIdxFile(images_path, images, error)) throw ToolError(error);
    if (!train::ReadIdxFile(labels_path, labels, error)) throw ToolError(error);
    model::Dataset d;
    if (!train::IdxToDataset(images, labels, args.GetU64("limit", 0), shape,
                             static_cast<uint32_t>(args.GetU64("classes", 10, 1u << 20)), d, error)) {
        throw ToolError(error);
    }
    WriteFile(out, model::EncodeDataset(d));
    std::printf("wrote %s (%llu samples, input %s)\n", out.c_str(), static_cast<unsigned long long>(d.sample_count),
                model::ShapeToString(d.input_shape).c_str());
    return 0;
}

/** Quantizes a float model, checks the weights, reports float and integer scores. */
model::Weights QuantizeAndReport(const LoadedArch& a, const train::FloatModel& fm, const model::Dataset& calib,
                                 uint64_t calibration_samples, const model::Dataset* eval_set)
{
    train::QuantizeOptions qo;
    qo.calibration_samples = calibration_samples;
    model::Weights w;
    std::string error;
    auto t0 = std::chrono::steady_clock::now();
    if (!fm.Quantize(calib, qo, w, error)) throw ToolError(error);
    std::printf("quantized (calibration on %llu samples) in %.2f s\n",
                static_cast<unsigned long long>(std::min<uint64_t>(calibration_samples ? calibration_samples : calib.sample_count, calib.sample_count)),
                Seconds(t0));
    if (eval_set) {
        const train::EvalResult fr = fm.Evaluate(*eval_set);
        if (a.arch.objective == model::ObjectiveKind::ACCURACY) {
            std::printf("float32: accuracy %.2f%%, loss %.4f\n", fr.accuracy * 100, fr.loss);
        } else {
            std::printf("float32: mse %.4f\n", fr.loss);
        }
        model::Model m;
        if (!model::MakeModel(a.arch, w, m, error)) throw ToolError("internal: quantized weights rejected: " + error);
        double secs = 0;
        const int64_t score = ScoreModel(m, *eval_set, false, secs);
        PrintScore("int8 (consensus engine)", a.arch, score, eval_set->sample_count, secs);
    }
    return w;
}

int CmdTrain(const Args& args)
{
    if (args.Has("help")) {
        std::puts("Usage: oda-model train ARCH.json --data TRAIN [options]\n\n"
                  "Trains the float32 twin of the architecture with libtorch (from scratch, from\n"
                  "--weights (dequantized) or from --checkpoint), then quantizes it with calibration\n"
                  "on the training data and writes the float checkpoint and the int8 weights.\n"
                  "  --data FILE          training dataset\n"
                  "  --validation FILE    held-out dataset: float and int8 scores after training\n"
                  "  --weights FILE       start from these quantized weights\n"
                  "  --checkpoint FILE    start from this float checkpoint\n"
                  "  --out-weights FILE   quantized weights to write (default model.odaw)\n"
                  "  --out-checkpoint F   float checkpoint to write (default model.pt)\n"
                  "  --epochs N           passes over the data (default 5)\n"
                  "  --lr X               learning rate (default 0.001; cosine-annealed to 0)\n"
                  "  --batch-size N       samples per step (default 64)\n"
                  "  --sgd                SGD with momentum 0.9 instead of Adam\n"
                  "  --weight-decay X     L2 penalty (default 0)\n"
                  "  --constant-lr        no cosine annealing\n"
                  "  --calibration N      calibration samples for quantization (default 10000)\n"
                  "  --seed N             initialization and shuffling seed (default 1)\n"
                  "  --threads N          libtorch threads (default 1)\n"
                  "  --no-progress        no progress bar on stderr");
        return 0;
    }
    if (args.Positional().size() != 1) throw ToolError("train needs exactly one architecture file (see --help)");
    LoadedArch a = LoadArchitecture(args.Positional()[0]);
    train::SetTorchThreads(static_cast<int>(args.GetU64("threads", 1, 256)));
    const model::Dataset data = LoadDataset(args.Require("data"), &a);
    std::optional<model::Dataset> val;
    if (args.Has("validation")) val = LoadDataset(args.Get("validation"), &a);
    if (args.Has("weights") && args.Has("checkpoint")) throw ToolError("give --weights or --checkpoint, not both");
    const uint64_t seed = args.GetU64("seed", 1);
    train::FloatModel fm(a.arch, seed);
    std::string error;
    if (args.Has("weights")) {
        model::Weights w = LoadWeights(args.Get("weights"), a);
        if (!fm.LoadFromWeights(w, error)) throw ToolError(error);
        const double t = fm.FitOutputScale(data);
        if (a.arch.objective == model::ObjectiveKind::ACCURACY) {
            const train::EvalResult r = fm.Evaluate(data);
            std::printf("dequantized %s (output scale x%.4g): training accuracy %.2f%%, loss %.4f\n",
                        args.Get("weights").c_str(), t, r.accuracy * 100, r.loss);
        }
    } else if (args.Has("checkpoint")) {
        if (!fm.LoadCheckpoint(args.Get("checkpoint"), error)) throw ToolError(error);
    }
    train::TrainOptions t;
    t.epochs = static_cast<uint32_t>(args.GetU64("epochs", 5, 100000));
    t.learning_rate = args.GetDouble("lr", 1e-3);
    t.batch_size = static_cast<uint32_t>(args.GetU64("batch-size", 64, 1u << 20));
    t.sgd = args.Has("sgd");
    t.weight_decay = args.GetDouble("weight-decay", 0.0);
    t.cosine_schedule = !args.Has("constant-lr");
    t.seed = seed;
    t.progress = !args.Has("no-progress");
    t.validation = val ? &*val : nullptr;
    if (t.batch_size == 0) throw ToolError("--batch-size must be at least 1");
    if (!(t.learning_rate > 0)) throw ToolError("--lr must be positive");
    const std::string out_w = args.Get("out-weights", "model.odaw");
    const std::string out_c = args.Get("out-checkpoint", "model.pt");
    std::printf("training %llu parameters on %llu samples: %u epochs, batch %u, lr %g (%s)\n",
                static_cast<unsigned long long>(fm.ParameterCount()), static_cast<unsigned long long>(data.sample_count),
                t.epochs, t.batch_size, t.learning_rate, t.sgd ? "sgd" : "adam");
    std::fflush(stdout);
    auto t0 = std::chrono::steady_clock::now();
    try {
        fm.Train(data, t);
    } catch (const std::invalid_argument& e) {
        throw ToolError(e.what());
    }
    std::printf("trained in %.1f s\n", Seconds(t0));
    if (!fm.SaveCheckpoint(out_c, error)) throw ToolError(error);
    const model::Weights w = QuantizeAndReport(a, fm, data, args.GetU64("calibration", 10000), val ? &*val : nullptr);
    SaveWeights(out_w, a, w);
    std::printf("wrote %s and %s\n", out_c.c_str(), out_w.c_str());
    return 0;
}

int CmdQuantize(const Args& args)
{
    if (args.Has("help")) {
        std::puts("Usage: oda-model quantize ARCH.json --checkpoint FILE --data CALIB -o WEIGHTS\n"
                  "                          [--calibration N] [--validation FILE]\n\n"
                  "Post-training quantization of a float checkpoint (written by `oda-model train` or\n"
                  "contrib/pytorch/export_oda.py) with activation ranges calibrated on CALIB.\n"
                  "  --calibration N    calibration samples (default 10000; 0 = all)\n"
                  "  --validation FILE  report float and int8 scores on this dataset");
        return 0;
    }
    if (args.Positional().size() != 1) throw ToolError("quantize needs exactly one architecture file (see --help)");
    LoadedArch a = LoadArchitecture(args.Positional()[0]);
    const std::string out = args.Require("output");
    train::FloatModel fm(a.arch, 1);
    std::string error;
    if (!fm.LoadCheckpoint(args.Require("checkpoint"), error)) throw ToolError(error);
    const model::Dataset calib = LoadDataset(args.Require("data"));
    if (calib.input_shape != a.arch.input_shape) throw ToolError("calibration data does not match the architecture's input shape");
    std::optional<model::Dataset> val;
    if (args.Has("validation")) val = LoadDataset(args.Get("validation"), &a);
    const model::Weights w = QuantizeAndReport(a, fm, calib, args.GetU64("calibration", 10000), val ? &*val : nullptr);
    SaveWeights(out, a, w);
    std::printf("wrote %s\n", out.c_str());
    return 0;
}

int CmdEval(const Args& args)
{
    if (args.Has("help")) {
        std::puts("Usage: oda-model eval ARCH.json --weights FILE --data FILE [--reference] [--threads N]\n\n"
                  "Scores the model on a dataset with the consensus engine (the integer score that\n"
                  "consensus uses) and prints the score, the accuracy and the time.\n"
                  "  --reference   use the reference interpreter instead (slow; must agree)\n"
                  "  --threads N   libtorch threads (default 1; the score never depends on it)");
        return 0;
    }
    if (args.Positional().size() != 1) throw ToolError("eval needs exactly one architecture file (see --help)");
    LoadedArch a = LoadArchitecture(args.Positional()[0]);
    engine::SetEngineThreads(static_cast<int>(args.GetU64("threads", 1, 256)));
    model::Model m;
    std::string error;
    if (!model::MakeModel(a.arch, LoadWeights(args.Require("weights"), a), m, error)) throw ToolError(error);
    const model::Dataset d = LoadDataset(args.Require("data"), &a);
    double secs = 0;
    const bool reference = args.Has("reference");
    const int64_t score = ScoreModel(m, d, reference, secs);
    PrintScore(reference ? "reference interpreter" : "consensus engine", a.arch, score, d.sample_count, secs);
    return 0;
}

int CmdInfer(const Args& args)
{
    if (args.Has("help")) {
        std::puts("Usage: oda-model infer ARCH.json --weights FILE (--data FILE [--index N] | --input HEX)\n\n"
                  "Runs one input through the consensus engine; prints the output tensor and its argmax.\n"
                  "  --data FILE --index N  sample N of a dataset (default 0)\n"
                  "  --input HEX            the int8 input as hex bytes (two's complement), C,H,W order");
        return 0;
    }
    if (args.Positional().size() != 1) throw ToolError("infer needs exactly one architecture file (see --help)");
    LoadedArch a = LoadArchitecture(args.Positional()[0]);
    model::Model m;
    std::string error;
    if (!model::MakeModel(a.arch, LoadWeights(args.Require("weights"), a), m, error)) throw ToolError(error);
    const uint64_t in_size = model::ShapeElements(a.info.input_shape);
    std::vector<int8_t> input;
    std::optional<uint32_t> label;
    if (args.Has("input") == args.Has("data")) throw ToolError("give exactly one of --input and --data");
    if (args.Has("input")) {
        auto bytes = ParseHex(args.Get("input"));
        if (!bytes) throw ToolError("--input is not valid hex");
        if (bytes->size() != in_size) {
            throw ToolError("--input has " + std::to_string(bytes->size()) + " bytes, the model needs " + std::to_string(in_size));
        }
        input.assign(bytes->begin(), bytes->end());
    } else {
        const model::Dataset d = LoadDataset(args.Get("data"), &a);
        const uint64_t index = args.GetU64("index", 0);
        if (index >= d.sample_count) throw ToolError("--index out of range (dataset has " + std::to_string(d.sample_count) + " samples)");
        input.assign(d.inputs.begin() + index * in_size, d.inputs.begin() + (index + 1) * in_size);
        if (!d.labels.empty()) label = d.labels[index];
    }
    const model::ModelOutput out = engine::EngineRun(m, input.data());
    std::printf("output %s%s: [", model::ShapeToString(out.shape).c_str(), out.logits ? " (int32 logits)" : " (int8)");
    for (size_t i = 0; i < out.values.size(); ++i) std::printf("%s%d", i ? ", " : "", out.values[i]);
    std::printf("]\nargmax %u\n", model::Argmax(out.values.data(), out.values.size()));
    if (label) std::printf("label %u\n", *label);
    return 0;
}

void PrintFileInfo(const std::string& path)
{
    std::string error;
    uint64_t size = 0;
    auto root = Bep52PiecesRootOfFile(path, error, &size);
    if (!error.empty()) throw ToolError(error);
    std::printf("file %s: %llu bytes, pieces root %s\n", path.c_str(), static_cast<unsigned long long>(size),
                root ? root->ToHexBytes().c_str() : "(none: empty file)");
}

int CmdInspect(const Args& args)
{
    if (args.Has("help")) {
        std::puts("Usage: oda-model inspect [ARCH.json|ARCH.bin] [--weights FILE] [--data FILE] [--file FILE]\n\n"
                  "Prints the architecture (layers, shapes, parameters, compute cost, architecture\n"
                  "hash, canonical JSON and binary sizes), checks weights and datasets against it, and\n"
                  "prints each file's size and BitTorrent v2 pieces root (BEP 52).\n"
                  "  --file FILE   any file: size and pieces root only");
        return 0;
    }
    if (args.Positional().size() > 1) throw ToolError("inspect takes at most one architecture file (see --help)");
    if (args.Positional().empty() && !args.Has("file")) throw ToolError("nothing to inspect (see --help)");
    if (!args.Positional().empty()) {
        const std::string path = args.Positional()[0];
        LoadedArch a = LoadArchitecture(path);
        const auto encoded = model::EncodeArchitecture(a.arch);
        std::printf("architecture %s\n", path.c_str());
        std::printf("  hash %s\n", model::ArchitectureHash(a.arch).GetHex().c_str());
        std::printf("  objective %s, logits output %s\n", model::ObjectiveName(a.arch.objective).c_str(),
                    a.arch.logits_output ? "yes" : "no");
        std::printf("  input %s\n", model::ShapeToString(a.info.input_shape).c_str());
        for (size_t i = 0; i < a.arch.layers.size(); ++i) {
            const auto& l = a.arch.layers[i];
            const auto& li = a.info.layers[i];
            std::printf("  %2zu %-9s -> %-12s", i, model::LayerKindName(l.kind).c_str(), model::ShapeToString(li.out_shape).c_str());
            if (model::IsAccumulating(l.kind)) {
                std::printf(" weights %llu, biases %u, %s", static_cast<unsigned long long>(li.weight_count), li.channel_count,
                            l.per_channel ? "per-channel" : "per-tensor");
            }
            std::printf(" cost %llu\n", static_cast<unsigned long long>(li.compute_cost));
        }
        uint64_t params = 0;
        for (const auto& li : a.info.layers) params += li.weight_count + li.channel_count;
        std::printf("  output %s\n", model::ShapeToString(a.info.output_shape).c_str());
        std::printf("  parameters %llu (int8 weights %llu)\n", static_cast<unsigned long long>(params),
                    static_cast<unsigned long long>(a.info.total_weights));
        std::printf("  compute cost %llu CU per inference\n", static_cast<unsigned long long>(a.info.compute_cost));
        std::printf("  binary encoding %zu bytes, canonical JSON %zu bytes\n", encoded.size(),
                    model::ArchitectureToJson(a.arch).size());
        PrintFileInfo(path);
        std::string error;
        if (args.Has("weights")) {
            LoadWeights(args.Get("weights"), a);
            std::printf("weights %s: valid for this architecture\n", args.Get("weights").c_str());
            PrintFileInfo(args.Get("weights"));
        }
        if (args.Has("data")) {
            const model::Dataset d = LoadDataset(args.Get("data"), &a);
            std::printf("dataset %s: %llu samples, valid for this architecture; scoring cost %llu CU\n",
                        args.Get("data").c_str(), static_cast<unsigned long long>(d.sample_count),
                        static_cast<unsigned long long>(model::ScoringCost(a.info.compute_cost, d.sample_count)));
            PrintFileInfo(args.Get("data"));
        }
    } else if (args.Has("weights") || args.Has("data")) {
        throw ToolError("--weights and --data need the architecture file");
    }
    if (args.Has("file")) PrintFileInfo(args.Get("file"));
    return 0;
}

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const Args&);
    std::set<std::string> flags;
    std::set<std::string> valued;
};

const std::vector<Command>& Commands()
{
    static const std::vector<Command> commands{
        {"init", "random valid weights for an architecture", CmdInit, {"help"}, {"output", "seed"}},
        {"make-dataset", "synthetic dataset (for tests)", CmdMakeDataset, {"help"},
         {"output", "shape", "count", "classes", "targets", "seed"}},
        {"import-idx", "MNIST/Fashion-MNIST IDX files -> dataset", CmdImportIdx, {"help"},
         {"output", "split", "dir", "images", "labels", "limit", "shape", "classes"}},
        {"train", "train (libtorch float32), quantize, write checkpoint + weights", CmdTrain,
         {"help", "sgd", "constant-lr", "no-progress"},
         {"data", "validation", "weights", "checkpoint", "out-weights", "out-checkpoint", "epochs", "lr",
          "batch-size", "weight-decay", "calibration", "seed", "threads"}},
        {"quantize", "float checkpoint + calibration data -> weights", CmdQuantize, {"help"},
         {"output", "checkpoint", "data", "calibration", "validation"}},
        {"eval", "score a model on a dataset (consensus engine)", CmdEval, {"help", "reference"},
         {"weights", "data", "threads"}},
        {"infer", "run one input; print the output and argmax", CmdInfer, {"help"}, {"weights", "data", "index", "input"}},
        {"inspect", "architecture summary, cost, hashes, pieces roots", CmdInspect, {"help"}, {"weights", "data", "file"}},
    };
    return commands;
}

void PrintUsage(FILE* f)
{
    std::fprintf(f, "Usage: oda-model COMMAND [ARGS] (oda-model COMMAND --help for details)\n\nCommands:\n");
    for (const auto& c : Commands()) std::fprintf(f, "  %-13s %s\n", c.name, c.summary);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        PrintUsage(stderr);
        return 1;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        PrintUsage(stdout);
        return 0;
    }
    for (const auto& c : Commands()) {
        if (name != c.name) continue;
        try {
            Args args(argc - 2, argv + 2, c.flags, c.valued);
            return c.run(args);
        } catch (const ToolError& e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 1;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 1;
        }
    }
    std::fprintf(stderr, "error: unknown command '%s'\n", name.c_str());
    PrintUsage(stderr);
    return 1;
}
