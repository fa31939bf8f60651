// oda-model init, train and quantize: int8 weights made from libtorch float models.
#include <tool/commands.h>

#include <tool/files.h>
#include <tool/scoring.h>
#include <oda/model/dataset.h>
#include <oda/train/float_model.h>
#include <oda/train/synthetic.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

using namespace oda;

namespace odamodel {
namespace {

/** The --validation dataset, when given (checked against the architecture). */
std::optional<model::Dataset> LoadValidation(const Args& args, const LoadedArch& a)
{
    if (!args.Has("validation")) return std::nullopt;
    return LoadDataset(args.Get("validation"), &a);
}

/** Quantizes a float model with --calibration samples of `calib`, checks the weights and, with
 *  a validation set, reports its float and integer scores on it. */
model::Weights QuantizeAndReport(const LoadedArch& a, const train::FloatModel& fm, const model::Dataset& calib,
                                 const Args& args, const std::optional<model::Dataset>& eval_set)
{
    train::QuantizeOptions qo;
    qo.calibration_samples = args.GetU64("calibration", 10000);
    model::Weights w;
    std::string error;
    auto t0 = std::chrono::steady_clock::now();
    if (!fm.Quantize(calib, qo, w, error)) throw ToolError(error);
    std::printf("quantized (calibration on %llu samples) in %.2f s\n",
                static_cast<unsigned long long>(std::min<uint64_t>(qo.calibration_samples ? qo.calibration_samples : calib.sample_count, calib.sample_count)),
                SecondsSince(t0));
    if (eval_set) {
        const train::EvalResult fr = fm.Evaluate(*eval_set);
        if (a.arch.objective == model::ObjectiveKind::ACCURACY) {
            std::printf("float32: accuracy %.2f%%, loss %.4f\n", fr.accuracy * 100, fr.loss);
        } else {
            std::printf("float32: mse %.4f\n", fr.loss);
        }
        model::Model m;
        if (!model::MakeModel(a.arch, w, m, error)) throw ToolError("internal: quantized weights rejected: " + error);
        ReportScore("int8 (consensus engine)", a.arch, m, *eval_set, /*reference=*/false);
    }
    return w;
}

int Init(const Args& args)
{
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

int Train(const Args& args)
{
    LoadedArch a = LoadArchitecture(args.Positional()[0]);
    train::SetTorchThreads(static_cast<int>(args.GetU64("threads", 1, 256)));
    const model::Dataset data = LoadDataset(args.Require("data"), &a);
    const std::optional<model::Dataset> val = LoadValidation(args, a);
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
    std::printf("trained in %.1f s\n", SecondsSince(t0));
    if (!fm.SaveCheckpoint(out_c, error)) throw ToolError(error);
    const model::Weights w = QuantizeAndReport(a, fm, data, args, val);
    SaveWeights(out_w, a, w);
    std::printf("wrote %s and %s\n", out_c.c_str(), out_w.c_str());
    return 0;
}

int Quantize(const Args& args)
{
    LoadedArch a = LoadArchitecture(args.Positional()[0]);
    const std::string out = args.Require("output");
    train::FloatModel fm(a.arch, 1);
    std::string error;
    if (!fm.LoadCheckpoint(args.Require("checkpoint"), error)) throw ToolError(error);
    const model::Dataset calib = LoadDataset(args.Require("data"));
    if (calib.input_shape != a.arch.input_shape) throw ToolError("calibration data does not match the architecture's input shape");
    const std::optional<model::Dataset> val = LoadValidation(args, a);
    const model::Weights w = QuantizeAndReport(a, fm, calib, args, val);
    SaveWeights(out, a, w);
    std::printf("wrote %s\n", out.c_str());
    return 0;
}

} // namespace

Command InitCommand()
{
    return {"init", "random valid weights for an architecture",
            "Usage: oda-model init ARCH.json -o WEIGHTS [--seed N]\n\n"
            "Writes valid random weights for an architecture: a randomly initialized float\n"
            "model (libtorch defaults) quantized with calibration on random inputs.\n"
            "  --seed N     random seed (default 1)",
            Positionals::ONE_ARCHITECTURE, {}, {"output", "seed"}, Init};
}

Command TrainCommand()
{
    return {"train", "train (libtorch float32), quantize, write checkpoint + weights",
            "Usage: oda-model train ARCH.json --data TRAIN [options]\n\n"
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
            "  --no-progress        no progress bar on stderr",
            Positionals::ONE_ARCHITECTURE, {"sgd", "constant-lr", "no-progress"},
            {"data", "validation", "weights", "checkpoint", "out-weights", "out-checkpoint", "epochs", "lr",
             "batch-size", "weight-decay", "calibration", "seed", "threads"},
            Train};
}

Command QuantizeCommand()
{
    return {"quantize", "float checkpoint + calibration data -> weights",
            "Usage: oda-model quantize ARCH.json --checkpoint FILE --data CALIB -o WEIGHTS\n"
            "                          [--calibration N] [--validation FILE]\n\n"
            "Post-training quantization of a float checkpoint (written by `oda-model train` or\n"
            "contrib/pytorch/export_oda.py) with activation ranges calibrated on CALIB.\n"
            "  --calibration N    calibration samples (default 10000; 0 = all)\n"
            "  --validation FILE  report float and int8 scores on this dataset",
            Positionals::ONE_ARCHITECTURE, {}, {"output", "checkpoint", "data", "calibration", "validation"},
            Quantize};
}

} // namespace odamodel
