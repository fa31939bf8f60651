// Fuzz targets for src/oda/storage: the bytes of a model file a user imports (and, later, a
// peer sends) go through the store's import path; the store's own record files are parsed
// again at every start. Invariants: import succeeds exactly when the file analysis does,
// and then the file is held with the facts the analysis found and reads back intact;
// whatever record decodes re-encodes to the same bytes.
#include <consensus/chainparams.h>
#include <crypto/merkle_bep52.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>
#include <oda/storage/file_meta.h>
#include <oda/storage/file_store.h>
#include <test/fuzz/fuzz.h>
#include <test/util/random_model.h>
#include <test/util/tempdir.h>

#include <fstream>
#include <string>
#include <vector>

using oda::fuzz::Assert;
using namespace oda::storage;

namespace {

FileLimits Limits()
{
    return FileLimits::FromConsensus(CreateChainParams(ChainType::REGTEST)->GetConsensus());
}

/** Valid weights and dataset files (the success paths), a few of each. */
std::vector<std::vector<uint8_t>> FileSeeds()
{
    oda::test::TestRng rng(4242);
    std::vector<std::vector<uint8_t>> seeds;
    while (seeds.size() < 8) {
        const oda::model::Architecture a = oda::test::RandomArchitecture(rng);
        oda::model::Model m;
        std::string error;
        if (!oda::model::MakeModel(a, oda::test::RandomWeights(a, rng), m, error)) continue;
        seeds.push_back(oda::model::EncodeWeights(m.weights));
        seeds.push_back(oda::model::EncodeDataset(oda::test::RandomDataset(m, rng.Range(1, 4), rng)));
    }
    return seeds;
}

std::vector<std::vector<uint8_t>> RecordSeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    for (const auto& file : FileSeeds()) {
        FileMeta meta;
        std::string error;
        if (AnalyzeFileBytes(file.data(), file.size(), Limits(), meta.info, &meta.leaves, error)) {
            meta.mtime_ns = static_cast<int64_t>(file.size()) * 1000;
            seeds.push_back(EncodeFileMeta(meta));
        }
    }
    return seeds;
}

/** One store for the whole run, in a directory removed at exit. */
struct FuzzStore {
    TempDir dir{"fuzz_file_import"};
    FileStore store{dir.Path("odafiles"), Limits()};
    FuzzStore()
    {
        std::string error;
        Assert(store.Open(error), "the fuzz store opens");
    }
};

} // namespace

ODA_FUZZ_TARGET_SEEDS(file_import, FileSeeds)
{
    static FuzzStore fuzz;
    const std::vector<uint8_t> bytes(data, data + size);
    const std::string input = fuzz.dir.Path("input");
    {
        std::ofstream out(input, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    std::string error;
    const auto imported = fuzz.store.Import(input, std::nullopt, error);
    FileInfo info;
    std::string analyze_error;
    const bool valid = AnalyzeFileBytes(bytes.data(), bytes.size(), fuzz.store.Limits(), info, nullptr, analyze_error);
    Assert(imported.has_value() == valid, "import succeeds exactly for files the analysis accepts");
    if (!imported) {
        Assert(!error.empty(), "a failed import says why");
        return;
    }
    Assert(imported->info == info, "import keeps the facts of the analysis");
    Assert(info.commitment.file_size == size, "the commitment has the file's size");
    Assert(*Bep52PiecesRoot(data, size) == info.commitment.pieces_root, "the commitment has the file's pieces root");
    Assert(fuzz.store.Has(info.commitment), "an imported file is held");
    std::vector<uint8_t> back;
    Assert(fuzz.store.ReadVerified(info.commitment, back, error) && back == bytes, "a held file reads back intact");
    const auto again = fuzz.store.ImportBytes(bytes, info.commitment, error);
    Assert(again && !again->newly_stored && again->info == info, "importing again is a no-op");
}

ODA_FUZZ_TARGET_SEEDS(file_record_decode, RecordSeeds)
{
    FileMeta meta;
    std::string error;
    if (!DecodeFileMeta(data, size, meta, error)) {
        Assert(!error.empty(), "a rejected record says why");
        return;
    }
    Assert(EncodeFileMeta(meta) == std::vector<uint8_t>(data, data + size), "a record re-encodes byte for byte");
    Assert(meta.info.commitment.pieces_root == Bep52MerkleRoot(meta.leaves), "a record's root is its leaves' root");
}
