// oda-model make-dataset and import-idx: dataset files.
#include <tool/commands.h>

#include <tool/files.h>
#include <oda/model/dataset.h>
#include <oda/train/idx.h>
#include <oda/train/synthetic.h>

#include <vector>

using namespace oda;

namespace odamodel {
namespace {

const std::string DEFAULT_IDX_DIR = "/usr/share/datasets/fashion-mnist";

int MakeDataset(const Args& args)
{
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
    SaveDataset(out, d);
    return 0;
}

int ImportIdx(const Args& args)
{
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
    SaveDataset(out, d);
    return 0;
}

} // namespace

Command MakeDatasetCommand()
{
    return {"make-dataset", "synthetic dataset (for tests)",
            "Usage: oda-model make-dataset --shape C,H,W|N --count N -o FILE\n"
            "                              [--classes K | --targets SHAPE] [--seed N]\n\n"
            "Writes a synthetic dataset: uniform random int8 inputs whose labels (or targets)\n"
            "come from a hidden random linear teacher, so that models can learn them.\n"
            "  --classes K      class labels in [0, K) (default 10; objective accuracy)\n"
            "  --targets SHAPE  int32 targets in [-100, 100] of this shape (objective neg_sse)\n"
            "  --seed N         random seed (default 1)",
            Positionals::NONE, {}, {"output", "shape", "count", "classes", "targets", "seed"}, MakeDataset};
}

Command ImportIdxCommand()
{
    return {"import-idx", "MNIST/Fashion-MNIST IDX files -> dataset",
            "Usage: oda-model import-idx -o FILE [--split train|test] [--dir DIR]\n"
            "                            [--images FILE --labels FILE] [--limit N] [--shape SHAPE]\n\n"
            "Converts IDX image + label files (MNIST, Fashion-MNIST; gzip'd or plain) into a\n"
            "dataset file. Pixels p become int8 p - 128 (input zero point -128 = real 0,\n"
            "one step = 1/255).\n"
            "  --split train|test  pick DIR/train-*-ubyte.gz or DIR/t10k-*-ubyte.gz (default train)\n"
            "  --dir DIR           directory of the IDX files (default " + DEFAULT_IDX_DIR + ")\n"
            "  --images, --labels  explicit files instead of --split/--dir\n"
            "  --limit N           keep the first N samples (default all)\n"
            "  --shape SHAPE       per-sample shape to record (default 1,ROWS,COLS)\n"
            "  --classes K         reject labels >= K (default 10)",
            Positionals::NONE, {}, {"output", "split", "dir", "images", "labels", "limit", "shape", "classes"},
            ImportIdx};
}

} // namespace odamodel
