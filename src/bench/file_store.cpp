// Model file store (oda/storage/file_store.h) on a 64 MiB dataset file: the one-time import
// check (BEP 52 hashing + full parse), and what a restart costs per file with an intact
// record (spot check of 3 blocks) versus without one (hash + parse + new record), which is
// why start-up trusts unchanged files (doc/files.md, "What is verified when").
#include <bench/bench.h>
#include <consensus/chainparams.h>
#include <oda/model/dataset.h>
#include <oda/storage/file_store.h>
#include <test/util/tempdir.h>

#include <stdexcept>

namespace {

std::vector<uint8_t> MakeDatasetBytes(uint64_t min_bytes)
{
    oda::model::Dataset d;
    d.input_shape = {1, 28, 28};
    d.sample_count = min_bytes / (784 + 4) + 1;
    d.inputs.resize(d.sample_count * 784);
    for (size_t i = 0; i < d.inputs.size(); ++i) d.inputs[i] = static_cast<int8_t>(i * 31 + (i >> 9));
    for (uint64_t i = 0; i < d.sample_count; ++i) d.labels.push_back(static_cast<uint32_t>(i % 10));
    return oda::model::EncodeDataset(d);
}

void FileStoreBench(oda::bench::Bench& bench)
{
    using namespace oda::storage;
    const FileLimits limits = FileLimits::FromConsensus(CreateChainParams(ChainType::REGTEST)->GetConsensus());
    const std::vector<uint8_t> bytes = MakeDatasetBytes(64ULL << 20);
    const double mib = static_cast<double>(bytes.size()) / (1 << 20);
    bench.Note("dataset file of " + std::to_string(bytes.size()) + " bytes");

    bench.Measure("file import check (hash + parse)", mib, "MiB", [&] {
        FileInfo info;
        std::string error;
        if (!AnalyzeFileBytes(bytes.data(), bytes.size(), limits, info, nullptr, error)) throw std::runtime_error(error);
    });

    TempDir dir("bench_file_store");
    std::string error;
    oda::chain::Commitment commitment;
    {
        FileStore store(dir.Path("odafiles"), limits);
        if (!store.Open(error)) throw std::runtime_error(error);
        const auto r = store.ImportBytes(bytes, std::nullopt, error);
        if (!r) throw std::runtime_error(error);
        commitment = r->info.commitment;
    }
    const fs::path record = fs::path(dir.Path("odafiles")) / (FileStore::FileName(commitment.pieces_root) + ".meta");
    auto reopen = [&](bool drop_record) {
        if (drop_record) fs::remove(record);
        FileStore store(dir.Path("odafiles"), limits);
        std::string e;
        if (!store.Open(e) || !store.Has(commitment)) throw std::runtime_error("reopen failed: " + e);
    };
    bench.Measure("file store start, intact record (spot check)", mib, "MiB", [&] { reopen(false); });
    bench.Measure("file store start, no record (full verify)", mib, "MiB", [&] { reopen(true); });
    bench.Ratio("file store start, intact record (spot check)", "file store start, no record (full verify)");
}

} // namespace

ODA_BENCHMARK(file_store, FileStoreBench);
