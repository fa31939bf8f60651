// The model file store (oda/storage/file_store.h): import verifies, parses and stores a file
// once; a reopened store finds its files again and catches corruption as its contract says
// (spot check for unchanged files, full check for changed ones); crash leftovers go; hostile
// paths and files give clear errors and store nothing; needs and the "available" listener.
#include <consensus/chainparams.h>
#include <crypto/merkle_bep52.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>
#include <oda/storage/file_meta.h>
#include <oda/storage/file_store.h>
#include <test/util/random_model.h>
#include <test/util/tempdir.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <fstream>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

using namespace oda::storage;
using oda::chain::Commitment;

namespace {

struct Files {
    std::vector<uint8_t> weights;
    std::vector<uint8_t> dataset;
    oda::model::Dataset parsed_dataset;
    uint256 architecture_hash;
};

/** A valid weights file and a dataset of at least `min_dataset_bytes` bytes for it. */
Files MakeFiles(uint64_t seed, size_t min_dataset_bytes = 0)
{
    oda::test::TestRng rng(seed);
    for (;;) {
        const oda::model::Architecture a = oda::test::RandomArchitecture(rng);
        oda::model::Model m;
        std::string error;
        if (!oda::model::MakeModel(a, oda::test::RandomWeights(a, rng), m, error)) continue;
        Files f;
        f.weights = oda::model::EncodeWeights(m.weights);
        f.architecture_hash = m.weights.architecture_hash;
        uint64_t samples = 3;
        do {
            f.parsed_dataset = oda::test::RandomDataset(m, samples, rng);
            f.dataset = oda::model::EncodeDataset(f.parsed_dataset);
            samples *= 2;
        } while (f.dataset.size() < min_dataset_bytes);
        return f;
    }
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> ReadAll(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

FileLimits ConsensusLimits()
{
    return FileLimits::FromConsensus(CreateChainParams(ChainType::REGTEST)->GetConsensus());
}

Commitment CommitmentOf(const std::vector<uint8_t>& bytes)
{
    return Commitment{*Bep52PiecesRoot(bytes.data(), bytes.size()), bytes.size()};
}

/** The names in the store directory, sorted. */
std::vector<std::string> DirNames(const fs::path& dir)
{
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

/** Overwrites one byte and, when keep_time, puts the modification time back. */
void FlipByte(const fs::path& path, size_t offset, bool keep_time)
{
    const auto before = fs::last_write_time(path);
    std::vector<uint8_t> bytes = ReadAll(path);
    BOOST_REQUIRE_LT(offset, bytes.size());
    bytes[offset] ^= 0x5a;
    WriteFile(path.string(), bytes);
    if (keep_time) fs::last_write_time(path, before);
}

} // namespace

BOOST_AUTO_TEST_SUITE(file_store_tests)

BOOST_AUTO_TEST_CASE(import_verifies_parses_and_stores_once)
{
    TempDir tmp("filestore_import");
    const Files f = MakeFiles(1);
    WriteFile(tmp.Path("w.odaw"), f.weights);
    WriteFile(tmp.Path("d.odad"), f.dataset);

    FileStore store(tmp.Path("odafiles"), ConsensusLimits());
    std::string error;
    BOOST_REQUIRE(store.Open(error));

    const auto w = store.Import(tmp.Path("w.odaw"), std::nullopt, error);
    BOOST_REQUIRE_MESSAGE(w, error);
    BOOST_CHECK(w->newly_stored);
    BOOST_CHECK(w->info.kind == FileKind::WEIGHTS);
    BOOST_CHECK(w->info.commitment == CommitmentOf(f.weights)); // same root as the crypto layer computes
    BOOST_CHECK(w->info.architecture_hash == f.architecture_hash);

    const auto d = store.Import(tmp.Path("d.odad"), CommitmentOf(f.dataset), error);
    BOOST_REQUIRE_MESSAGE(d, error);
    BOOST_CHECK(d->info.kind == FileKind::DATASET);
    BOOST_CHECK_EQUAL(d->info.sample_count, f.parsed_dataset.sample_count);
    BOOST_CHECK(d->info.input_shape == f.parsed_dataset.input_shape);
    BOOST_CHECK(d->info.target_shape == f.parsed_dataset.target_shape);

    BOOST_CHECK(store.Has(w->info.commitment));
    BOOST_CHECK(store.Has(d->info.commitment));
    BOOST_CHECK(!store.Has(Commitment{w->info.commitment.pieces_root, w->info.commitment.file_size + 1}));
    const auto path = store.Path(w->info.commitment);
    BOOST_REQUIRE(path);
    BOOST_CHECK_EQUAL(path->filename().string(), w->info.commitment.pieces_root.ToHexBytes());
    BOOST_CHECK(ReadAll(*path) == f.weights);
    BOOST_CHECK(store.Info(d->info.commitment) == d->info);
    std::vector<uint8_t> back;
    BOOST_CHECK(store.ReadVerified(d->info.commitment, back, error));
    BOOST_CHECK(back == f.dataset);

    // Idempotent: the same facts, nothing written again.
    const auto again = store.Import(tmp.Path("w.odaw"), std::nullopt, error);
    BOOST_REQUIRE(again);
    BOOST_CHECK(!again->newly_stored);
    BOOST_CHECK(again->info == w->info);
    const auto again_bytes = store.ImportBytes(f.weights, CommitmentOf(f.weights), error);
    BOOST_REQUIRE(again_bytes);
    BOOST_CHECK(!again_bytes->newly_stored);

    // Exactly the two files and their records, no temporaries.
    const std::string wn = w->info.commitment.pieces_root.ToHexBytes(), dn = d->info.commitment.pieces_root.ToHexBytes();
    std::vector<std::string> expected{wn, wn + ".meta", dn, dn + ".meta"};
    std::sort(expected.begin(), expected.end());
    BOOST_CHECK(DirNames(store.Dir()) == expected);
    const auto list = store.List();
    BOOST_REQUIRE_EQUAL(list.size(), 2u);
    for (const FileEntry& e : list) {
        BOOST_CHECK(e.status == FileStatus::HELD);
        BOOST_CHECK_EQUAL(e.bytes_have, e.commitment.file_size);
    }
    BOOST_CHECK(list[0].commitment.pieces_root < list[1].commitment.pieces_root);

    // A held file deleted behind the store's back is written again by the next import.
    fs::remove(*path);
    const auto restored = store.ImportBytes(f.weights, std::nullopt, error);
    BOOST_REQUIRE(restored);
    BOOST_CHECK(restored->newly_stored);
    BOOST_CHECK(ReadAll(*path) == f.weights);
}

BOOST_AUTO_TEST_CASE(mismatch_with_the_expected_commitment_stores_nothing)
{
    TempDir tmp("filestore_mismatch");
    const Files f = MakeFiles(2);
    FileStore store(tmp.Path("odafiles"), ConsensusLimits());
    std::string error;
    BOOST_REQUIRE(store.Open(error));
    Commitment wrong_size = CommitmentOf(f.weights);
    wrong_size.file_size += 1;
    ImportFailure failure = ImportFailure::NONE;
    BOOST_CHECK(!store.ImportBytes(f.weights, wrong_size, error, &failure));
    BOOST_CHECK(failure == ImportFailure::MISMATCH);
    BOOST_CHECK_MESSAGE(error.find("does not match the commitment") != std::string::npos, error);
    Commitment wrong_root = CommitmentOf(f.weights);
    wrong_root.pieces_root = CommitmentOf(f.dataset).pieces_root;
    BOOST_CHECK(!store.ImportBytes(f.weights, wrong_root, error));
    BOOST_CHECK(DirNames(store.Dir()).empty());
    BOOST_CHECK(store.List().empty());
}

BOOST_AUTO_TEST_CASE(import_refused_when_the_disk_would_be_too_full)
{
    TempDir tmp("filestore_space");
    const Files f = MakeFiles(10);
    // A reserve no disk has: the import is refused before anything is written.
    FileStore store(tmp.Path("odafiles"), ConsensusLimits(), /*min_free_bytes=*/uint64_t{1} << 62);
    std::string error;
    BOOST_REQUIRE(store.Open(error));
    ImportFailure failure = ImportFailure::NONE;
    BOOST_CHECK(!store.ImportBytes(f.weights, std::nullopt, error, &failure));
    BOOST_CHECK(failure == ImportFailure::STORAGE);
    BOOST_CHECK_MESSAGE(error.find("not enough disk space") != std::string::npos, error);
    BOOST_CHECK(DirNames(store.Dir()).empty());
    BOOST_CHECK(!store.Has(CommitmentOf(f.weights)));
}

BOOST_AUTO_TEST_CASE(reopen_finds_files_and_checks_them)
{
    TempDir tmp("filestore_reopen");
    const Files f = MakeFiles(3, 5 * BEP52_BLOCK_SIZE); // a dataset of more than 5 blocks
    const fs::path dir = tmp.Path("odafiles");
    Commitment wc, dc;
    {
        FileStore store(dir, ConsensusLimits());
        std::string error;
        BOOST_REQUIRE(store.Open(error));
        wc = store.ImportBytes(f.weights, std::nullopt, error)->info.commitment;
        dc = store.ImportBytes(f.dataset, std::nullopt, error)->info.commitment;
    }
    const size_t blocks = (dc.file_size + BEP52_BLOCK_SIZE - 1) / BEP52_BLOCK_SIZE;
    BOOST_REQUIRE_GE(blocks, 6u);
    const fs::path dpath = dir / FileStore::FileName(dc.pieces_root);
    const fs::path wpath = dir / FileStore::FileName(wc.pieces_root);

    {   // Unchanged files: trusted from their records after the spot check.
        FileStore store(dir, ConsensusLimits());
        std::string error;
        BOOST_REQUIRE(store.Open(error));
        BOOST_CHECK(store.Has(wc) && store.Has(dc));
        BOOST_CHECK_EQUAL(store.LastLoadStats().spot_checked, 2u);
        BOOST_CHECK_EQUAL(store.LastLoadStats().fully_verified, 0u);
        BOOST_CHECK_EQUAL(store.Info(dc)->sample_count, f.parsed_dataset.sample_count);
    }
    {   // A missing record: hashed and parsed in full, and recorded again.
        fs::remove(dir / (FileStore::FileName(wc.pieces_root) + ".meta"));
        FileStore store(dir, ConsensusLimits());
        std::string error;
        BOOST_REQUIRE(store.Open(error));
        BOOST_CHECK(store.Has(wc));
        BOOST_CHECK_EQUAL(store.LastLoadStats().fully_verified, 1u);
        BOOST_CHECK(fs::exists(dir / (FileStore::FileName(wc.pieces_root) + ".meta")));
        BOOST_CHECK(store.Info(wc)->architecture_hash == f.architecture_hash);
    }
    {   // A block that is not spot-checked, corrupted with the time kept: the start-up check
        // cannot see it (documented), the full checks before use do.
        FlipByte(dpath, 1 * BEP52_BLOCK_SIZE + 7, /*keep_time=*/true);
        FileStore store(dir, ConsensusLimits());
        std::string error;
        BOOST_REQUIRE(store.Open(error));
        BOOST_CHECK(store.Has(dc));
        std::vector<uint8_t> bytes;
        BOOST_CHECK(!store.ReadVerified(dc, bytes, error));
        BOOST_CHECK_MESSAGE(error.find("corrupted") != std::string::npos, error);
        BOOST_CHECK(!store.VerifyFull(dc, error));
        BOOST_CHECK(!store.Has(dc));
        BOOST_CHECK(!fs::exists(dpath));
        BOOST_CHECK(store.Has(wc));
    }
    {   // A corrupted spot-checked block (first block, time kept) is found at start-up.
        FlipByte(wpath, 0 + 5, /*keep_time=*/true);
        FileStore store(dir, ConsensusLimits());
        std::string error;
        BOOST_REQUIRE(store.Open(error));
        BOOST_CHECK(!store.Has(wc));
        BOOST_CHECK_EQUAL(store.LastLoadStats().removed_bad, 1u);
        BOOST_CHECK(DirNames(dir).empty());
    }
}

BOOST_AUTO_TEST_CASE(changed_file_is_verified_in_full_and_dropped)
{
    TempDir tmp("filestore_changed");
    const Files f = MakeFiles(4, 5 * BEP52_BLOCK_SIZE);
    const fs::path dir = tmp.Path("odafiles");
    Commitment dc;
    {
        FileStore store(dir, ConsensusLimits());
        std::string error;
        BOOST_REQUIRE(store.Open(error));
        dc = store.ImportBytes(f.dataset, std::nullopt, error)->info.commitment;
    }
    // A byte in a block the spot check skips, with a new modification time: the full check runs.
    const fs::path dpath = dir / FileStore::FileName(dc.pieces_root);
    fs::last_write_time(dpath, fs::last_write_time(dpath) - std::chrono::seconds(10));
    FlipByte(dpath, BEP52_BLOCK_SIZE + 1, /*keep_time=*/false);
    FileStore store(dir, ConsensusLimits());
    std::string error;
    BOOST_REQUIRE(store.Open(error));
    BOOST_CHECK(!store.Has(dc));
    BOOST_CHECK_EQUAL(store.LastLoadStats().removed_bad, 1u);
    BOOST_CHECK(DirNames(dir).empty());

    // A truncated stored file (a size that no longer matches the record) goes too.
    BOOST_REQUIRE(store.ImportBytes(f.dataset, std::nullopt, error));
    fs::resize_file(dpath, dc.file_size / 2);
    FileStore reopened(dir, ConsensusLimits());
    BOOST_REQUIRE(reopened.Open(error));
    BOOST_CHECK(!reopened.Has(dc));
    BOOST_CHECK(DirNames(dir).empty());
}

BOOST_AUTO_TEST_CASE(crash_leftovers_are_cleaned_and_foreign_files_left_alone)
{
    TempDir tmp("filestore_leftovers");
    const Files f = MakeFiles(5);
    const fs::path dir = tmp.Path("odafiles");
    fs::create_directories(dir);
    const std::string name = CommitmentOf(f.weights).pieces_root.ToHexBytes();
    // An import that crashed before its renames, one that crashed between them (file, no record),
    // an orphan record, and a file that is not the store's.
    WriteFile((dir / (name + ".0.tmp")).string(), f.weights);
    WriteFile((dir / (name + ".meta.1.tmp")).string(), {1, 2, 3});
    const std::string dname = CommitmentOf(f.dataset).pieces_root.ToHexBytes();
    WriteFile((dir / dname).string(), f.dataset);
    WriteFile((dir / (std::string(64, 'a') + ".meta")).string(), {9});
    WriteFile((dir / "notes.txt").string(), {'h', 'i'});
    fs::create_directories(dir / "subdir");

    FileStore store(dir, ConsensusLimits());
    std::string error;
    BOOST_REQUIRE(store.Open(error));
    const LoadStats s = store.LastLoadStats();
    BOOST_CHECK_EQUAL(s.removed_temp, 2u);
    BOOST_CHECK_EQUAL(s.removed_bad, 1u);
    BOOST_CHECK_EQUAL(s.fully_verified, 1u);
    BOOST_CHECK_EQUAL(s.skipped, 2u);
    BOOST_CHECK(store.Has(CommitmentOf(f.dataset)));
    BOOST_CHECK(!store.Has(CommitmentOf(f.weights)));
    BOOST_CHECK(DirNames(dir) == (std::vector<std::string>{dname, dname + ".meta", "notes.txt", "subdir"}));
}

BOOST_AUTO_TEST_CASE(hostile_paths_and_files_give_clear_errors)
{
    TempDir tmp("filestore_hostile");
    const Files f = MakeFiles(6);
    FileLimits small{/*weights=*/f.weights.size() + 10, /*dataset=*/f.dataset.size() + 10};
    FileStore store(tmp.Path("odafiles"), small);
    std::string error;
    BOOST_REQUIRE(store.Open(error));
    auto fails = [&](const fs::path& path, const std::string& message, ImportFailure kind = ImportFailure::CONTENT) {
        error.clear();
        ImportFailure failure = ImportFailure::NONE;
        const bool failed = !store.Import(path, std::nullopt, error, &failure);
        BOOST_CHECK_MESSAGE(failed, path.string() + " was imported");
        BOOST_CHECK_MESSAGE(error.find(message) != std::string::npos, "'" + message + "' not in: " + error);
        BOOST_CHECK_MESSAGE(failure == kind, path.string() + ": wrong failure kind");
    };

    fails(tmp.Path("missing"), "cannot open", ImportFailure::PATH);
    fails(tmp.Path(), "is a directory", ImportFailure::PATH);
    fs::create_symlink(tmp.Path("loop_b"), tmp.Path("loop_a"));
    fs::create_symlink(tmp.Path("loop_a"), tmp.Path("loop_b"));
    fails(tmp.Path("loop_a"), "cannot open", ImportFailure::PATH);
    BOOST_REQUIRE_EQUAL(::mkfifo(tmp.Path("fifo").c_str(), 0600), 0);
    fails(tmp.Path("fifo"), "not a regular file", ImportFailure::PATH); // and does not wait for a writer
    WriteFile(tmp.Path("empty"), {});
    fails(tmp.Path("empty"), "empty");
    WriteFile(tmp.Path("garbage"), std::vector<uint8_t>(100, 0x42));
    fails(tmp.Path("garbage"), "not a weights or dataset file");
    std::vector<uint8_t> truncated(f.weights.begin(), f.weights.begin() + f.weights.size() / 2);
    WriteFile(tmp.Path("truncated.odaw"), truncated);
    fails(tmp.Path("truncated.odaw"), "invalid weights file");
    std::vector<uint8_t> cut_dataset(f.dataset.begin(), f.dataset.end() - 1);
    WriteFile(tmp.Path("truncated.odad"), cut_dataset);
    fails(tmp.Path("truncated.odad"), "invalid dataset file");
    std::vector<uint8_t> trailing = f.weights;
    trailing.push_back(0);
    WriteFile(tmp.Path("trailing.odaw"), trailing);
    fails(tmp.Path("trailing.odaw"), "invalid weights file");
    // Above every limit: refused from its size, before it is read (a sparse file costs no disk).
    {
        std::ofstream(tmp.Path("huge")).put('x');
        fs::resize_file(tmp.Path("huge"), 1ULL << 40);
    }
    fails(tmp.Path("huge"), "above the largest model file allowed");
    // Above the weights limit but not the dataset one: refused by kind, before it is parsed.
    std::vector<uint8_t> big_weights = f.weights;
    big_weights.resize(std::max(small.max_weights_bytes, small.max_dataset_bytes) - 1, 0);
    if (big_weights.size() > small.max_weights_bytes) {
        WriteFile(tmp.Path("big.odaw"), big_weights);
        fails(tmp.Path("big.odaw"), "above the limit of");
    }
    if (::geteuid() != 0) { // root reads any file
        WriteFile(tmp.Path("secret.odaw"), f.weights);
        fs::permissions(tmp.Path("secret.odaw"), fs::perms::none);
        fails(tmp.Path("secret.odaw"), "cannot open", ImportFailure::PATH);
    }
    BOOST_CHECK(DirNames(store.Dir()).empty());
    BOOST_CHECK(store.List().empty());

    // A symlink to a good file is followed.
    fs::create_symlink(tmp.Path("good.odaw"), tmp.Path("link.odaw"));
    WriteFile(tmp.Path("good.odaw"), f.weights);
    BOOST_CHECK(store.Import(tmp.Path("link.odaw"), std::nullopt, error));
}

BOOST_AUTO_TEST_CASE(needs_and_the_available_listener)
{
    TempDir tmp("filestore_needs");
    const Files f = MakeFiles(7);
    FileStore store(tmp.Path("odafiles"), ConsensusLimits());
    std::string error;
    BOOST_REQUIRE(store.Open(error));
    const Commitment wc = CommitmentOf(f.weights), dc = CommitmentOf(f.dataset);

    std::vector<FileInfo> seen;
    const uint64_t id = store.AddAvailableListener([&](const FileInfo& info) {
        BOOST_CHECK(store.Has(info.commitment)); // called after the file is held, without the lock
        seen.push_back(info);
    });

    BOOST_CHECK(store.Need(wc, "block 00ab"));
    BOOST_CHECK(store.Need(wc, "mempool tx 12cd"));
    BOOST_CHECK(store.Need(dc, "block 00ab"));
    store.Release(dc, "block 00ab");
    BOOST_CHECK(store.Needed() == std::vector<Commitment>{wc});
    auto list = store.List();
    BOOST_REQUIRE_EQUAL(list.size(), 1u);
    BOOST_CHECK(list[0].status == FileStatus::NEEDED);
    BOOST_CHECK(!list[0].info);
    BOOST_CHECK(list[0].reasons == (std::set<std::string>{"block 00ab", "mempool tx 12cd"}));
    BOOST_CHECK_EQUAL(list[0].path.filename().string(), wc.pieces_root.ToHexBytes());

    BOOST_REQUIRE(store.ImportBytes(f.weights, std::nullopt, error));
    BOOST_REQUIRE_EQUAL(seen.size(), 1u);
    BOOST_CHECK(seen[0].commitment == wc);
    BOOST_CHECK(store.Needed().empty());
    BOOST_CHECK(!store.Need(wc, "block 00ef")); // held: nothing to wait for
    BOOST_CHECK(store.Needed().empty());

    BOOST_REQUIRE(store.ImportBytes(f.weights, std::nullopt, error)); // already held: no second call
    BOOST_CHECK_EQUAL(seen.size(), 1u);

    // A commitment with a held root but another size stays needed (it can never match).
    Commitment odd = wc;
    odd.file_size += 1;
    BOOST_CHECK(store.Need(odd, "block 0100"));
    list = store.List();
    BOOST_REQUIRE_EQUAL(list.size(), 2u);
    BOOST_CHECK(list[0].status == FileStatus::HELD && list[1].status == FileStatus::NEEDED);

    store.RemoveAvailableListener(id);
    BOOST_REQUIRE(store.ImportBytes(f.dataset, std::nullopt, error));
    BOOST_CHECK_EQUAL(seen.size(), 1u);
}

BOOST_AUTO_TEST_CASE(concurrent_imports_of_one_file)
{
    TempDir tmp("filestore_threads");
    const Files f = MakeFiles(8);
    FileStore store(tmp.Path("odafiles"), ConsensusLimits());
    std::string error;
    BOOST_REQUIRE(store.Open(error));
    std::atomic<int> calls{0}, ok{0};
    store.AddAvailableListener([&](const FileInfo&) { ++calls; });
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            std::string e;
            if (store.ImportBytes(f.weights, std::nullopt, e)) ++ok;
            store.List();
        });
    }
    for (auto& t : threads) t.join();
    BOOST_CHECK_EQUAL(ok.load(), 4);
    BOOST_CHECK_EQUAL(calls.load(), 1);
    const std::string name = CommitmentOf(f.weights).pieces_root.ToHexBytes();
    BOOST_CHECK(DirNames(store.Dir()) == (std::vector<std::string>{name, name + ".meta"}));
}

BOOST_AUTO_TEST_CASE(file_record_round_trip_and_rejections)
{
    const Files f = MakeFiles(9, 3 * BEP52_BLOCK_SIZE);
    FileMeta meta;
    std::string error;
    BOOST_REQUIRE(AnalyzeFileBytes(f.dataset.data(), f.dataset.size(), ConsensusLimits(), meta.info, &meta.leaves, error));
    meta.mtime_ns = 1234567890123456789LL;
    const std::vector<uint8_t> bytes = EncodeFileMeta(meta);
    FileMeta back;
    BOOST_REQUIRE(DecodeFileMeta(bytes.data(), bytes.size(), back, error));
    BOOST_CHECK(back == meta);
    BOOST_CHECK_LE(bytes.size(), MaxFileMetaBytes(f.dataset.size()));
    for (size_t i = 0; i < bytes.size(); i += 7) { // any flipped byte fails the checksum
        std::vector<uint8_t> bad = bytes;
        bad[i] ^= 1;
        BOOST_CHECK(!DecodeFileMeta(bad.data(), bad.size(), back, error));
    }
    for (size_t cut = 0; cut < bytes.size(); cut += 13) {
        BOOST_CHECK(!DecodeFileMeta(bytes.data(), cut, back, error));
    }
}

BOOST_AUTO_TEST_SUITE_END()
