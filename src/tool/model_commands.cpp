// oda-model eval, infer and inspect: running a model and describing its files.
#include <tool/commands.h>

#include <crypto/merkle_bep52.h>
#include <hex.h>
#include <tool/files.h>
#include <tool/scoring.h>
#include <oda/engine/engine.h>
#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>

#include <cstdio>
#include <optional>
#include <vector>

using namespace oda;

namespace odamodel {
namespace {

int Eval(const Args& args)
{
    LoadedArch a = LoadArchitecture(args.Positional()[0]);
    engine::SetEngineThreads(static_cast<int>(args.GetU64("threads", engine::GetEngineThreads(), 256)));
    const model::Model m = LoadModel(a, args.Require("weights"));
    const model::Dataset d = LoadDataset(args.Require("data"), &a);
    const bool reference = args.Has("reference");
    ReportScore(reference ? "reference interpreter" : "consensus engine", a.arch, m, d, reference);
    return 0;
}

int Infer(const Args& args)
{
    LoadedArch a = LoadArchitecture(args.Positional()[0]);
    const model::Model m = LoadModel(a, args.Require("weights"));
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

void PrintArchitecture(const std::string& path, const LoadedArch& a)
{
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
    std::printf("  compute cost %llu CU per sample + %llu CU per run (weights) = %llu CU per inference\n",
                static_cast<unsigned long long>(a.info.compute_cost), static_cast<unsigned long long>(a.info.load_cost),
                static_cast<unsigned long long>(model::ScoringCost(a.info, 1)));
    std::printf("  binary encoding %zu bytes, canonical JSON %zu bytes\n", encoded.size(),
                model::ArchitectureToJson(a.arch).size());
    // The exact bytes an add-model payload carries (doc/oda-protocol.md section 2.2).
    std::printf("  encoding %s\n", HexStr(encoded).c_str());
    PrintFileInfo(path);
}

int Inspect(const Args& args)
{
    if (args.Positional().empty() && !args.Has("file")) throw ToolError("nothing to inspect (see --help)");
    if (!args.Positional().empty()) {
        const std::string path = args.Positional()[0];
        LoadedArch a = LoadArchitecture(path);
        PrintArchitecture(path, a);
        if (args.Has("weights")) {
            LoadWeights(args.Get("weights"), a);
            std::printf("weights %s: valid for this architecture\n", args.Get("weights").c_str());
            PrintFileInfo(args.Get("weights"));
        }
        if (args.Has("data")) {
            const model::Dataset d = LoadDataset(args.Get("data"), &a);
            std::printf("dataset %s: %llu samples, valid for this architecture; scoring cost %llu CU\n",
                        args.Get("data").c_str(), static_cast<unsigned long long>(d.sample_count),
                        static_cast<unsigned long long>(model::ScoringCost(a.info, d.sample_count)));
            PrintFileInfo(args.Get("data"));
        }
    } else if (args.Has("weights") || args.Has("data")) {
        throw ToolError("--weights and --data need the architecture file");
    }
    if (args.Has("file")) PrintFileInfo(args.Get("file"));
    return 0;
}

} // namespace

Command EvalCommand()
{
    return {"eval", "score a model on a dataset (consensus engine)",
            "Usage: oda-model eval ARCH.json --weights FILE --data FILE [--reference] [--threads N]\n\n"
            "Scores the model on a dataset with the consensus engine (the integer score that\n"
            "consensus uses) and prints the score, the accuracy and the time.\n"
            "  --reference   use the reference interpreter instead (slow; must agree)\n"
            "  --threads N   engine threads (default: the number of cores; the score never depends on it)",
            Positionals::ONE_ARCHITECTURE, {"reference"}, {"weights", "data", "threads"}, Eval};
}

Command InferCommand()
{
    return {"infer", "run one input; print the output and argmax",
            "Usage: oda-model infer ARCH.json --weights FILE (--data FILE [--index N] | --input HEX)\n\n"
            "Runs one input through the consensus engine; prints the output tensor and its argmax.\n"
            "  --data FILE --index N  sample N of a dataset (default 0)\n"
            "  --input HEX            the int8 input as hex bytes (two's complement), C,H,W order",
            Positionals::ONE_ARCHITECTURE, {}, {"weights", "data", "index", "input"}, Infer};
}

Command InspectCommand()
{
    return {"inspect", "architecture summary, cost, hashes, pieces roots",
            "Usage: oda-model inspect [ARCH.json|ARCH.bin] [--weights FILE] [--data FILE] [--file FILE]\n\n"
            "Prints the architecture (layers, shapes, parameters, compute cost, architecture\n"
            "hash, canonical JSON and binary sizes), checks weights and datasets against it, and\n"
            "prints each file's size and BitTorrent v2 pieces root (BEP 52).\n"
            "  --file FILE   any file: size and pieces root only",
            Positionals::AT_MOST_ONE_ARCHITECTURE, {}, {"weights", "data", "file"}, Inspect};
}

} // namespace odamodel
