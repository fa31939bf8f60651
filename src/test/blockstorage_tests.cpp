#include <node/blockstorage.h>
#include <test/util/tempdir.h>

#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace node;

BOOST_AUTO_TEST_SUITE(blockstorage_tests)

namespace {

const MessageStart MAGIC{0xd0, 0xda, 0x5e, 0x91};

CBlock MakeBlock(uint32_t nonce, size_t extra_bytes = 0)
{
    CMutableTransaction tx;
    tx.vin.emplace_back(COutPoint());
    tx.vin[0].script_sig = ScriptBytes{0x01, static_cast<uint8_t>(nonce)};
    tx.vout.emplace_back(50, ScriptBytes(extra_bytes + 1, 0x6a));
    CBlock block;
    block.version = 1;
    block.time = 1700000000 + nonce;
    block.bits = 0x207fffff;
    block.nonce = nonce;
    block.vtx.push_back(MakeTransactionRef(std::move(tx)));
    return block;
}

} // namespace

BOOST_AUTO_TEST_CASE(write_read_block_and_undo)
{
    TempDir dir("bs");
    BlockStore store(dir.Path("blocks"), MAGIC);
    CBlock a = MakeBlock(1), b = MakeBlock(2);
    FlatFilePos pa = store.WriteBlock(a, 1);
    FlatFilePos pb = store.WriteBlock(b, 2);
    BOOST_CHECK_EQUAL(pa.file, 0);
    BOOST_CHECK_EQUAL(pa.pos, RECORD_HEADER_SIZE);
    BOOST_CHECK(pb.pos > pa.pos);
    store.Flush();

    CBlock out;
    std::string err;
    BOOST_CHECK(store.ReadBlock(pb, b.GetHash(), out, err));
    BOOST_CHECK(out.GetHash() == b.GetHash());
    BOOST_CHECK_EQUAL(out.vtx.size(), 1U);
    // Asking for the wrong hash is an error, not a silent success.
    BOOST_CHECK(!store.ReadBlock(pa, b.GetHash(), out, err));
    BOOST_CHECK(err.find("expected") != std::string::npos);

    BlockUndo undo;
    undo.txs.resize(1);
    undo.txs[0].spent.push_back(Coin(CTxOut(7, ScriptBytes{0x51}), 3, true));
    FlatFilePos pu = store.WriteUndo(undo, a.GetHash(), pa.file);
    BlockUndo undo_out;
    BOOST_CHECK(store.ReadUndo(pu, a.GetHash(), undo_out, err));
    BOOST_CHECK(undo_out.txs[0].spent[0] == undo.txs[0].spent[0]);
    // Undo data of one block never applies to another.
    BOOST_CHECK(!store.ReadUndo(pu, b.GetHash(), undo_out, err));
    BOOST_CHECK(err.find("checksum") != std::string::npos);

    BOOST_CHECK_EQUAL(store.FileInfo()[0].blocks, 2U);
    BOOST_CHECK(store.SizeOnDisk() > 0);
    auto dirty = store.TakeDirtyFiles();
    BOOST_CHECK_EQUAL(dirty.size(), 1U);
    BOOST_CHECK(store.TakeDirtyFiles().empty());
}

BOOST_AUTO_TEST_CASE(corrupted_record_rejected)
{
    TempDir dir("bs");
    BlockStore store(dir.Path("blocks"), MAGIC);
    CBlock a = MakeBlock(3);
    FlatFilePos pa = store.WriteBlock(a, 1);
    store.Flush();
    std::string err;
    CBlock out;
    {
        // Flip one byte inside the payload (the header's merkle root).
        std::fstream f(store.BlockFilePath(0), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(pa.pos + 40);
        f.put(char(0x5a));
    }
    BOOST_CHECK(!store.ReadBlock(pa, a.GetHash(), out, err));
    {
        // Wrong magic.
        std::fstream f(store.BlockFilePath(0), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(0);
        f.put(char(0x00));
    }
    BOOST_CHECK(!store.ReadBlock(pa, a.GetHash(), out, err));
    BOOST_CHECK(err.find("magic") != std::string::npos);
    // Positions outside the file.
    BOOST_CHECK(!store.ReadBlock(FlatFilePos(0, 1 << 30), a.GetHash(), out, err));
    BOOST_CHECK(!store.ReadBlock(FlatFilePos(7, 8), a.GetHash(), out, err));
    BOOST_CHECK(!store.ReadBlock(FlatFilePos(), a.GetHash(), out, err));
}

BOOST_AUTO_TEST_CASE(rolls_over_to_next_file_and_scans)
{
    TempDir dir("bs");
    BlockStore store(dir.Path("blocks"), MAGIC, 4096); // tiny files for the test
    std::vector<uint256> hashes;
    std::vector<FlatFilePos> pos;
    for (uint32_t i = 0; i < 6; ++i) {
        CBlock b = MakeBlock(10 + i, 1500);
        hashes.push_back(b.GetHash());
        pos.push_back(store.WriteBlock(b, i));
    }
    BOOST_CHECK(store.LastFile() >= 2);
    for (size_t i = 0; i < pos.size(); ++i) {
        CBlock out;
        std::string err;
        BOOST_CHECK_MESSAGE(store.ReadBlock(pos[i], hashes[i], out, err), err);
    }
    std::vector<uint256> scanned;
    for (int f = 0; f <= store.LastFile(); ++f) {
        BOOST_CHECK(store.ScanFile(f, [&](const CBlock& b, const FlatFilePos& p) {
            scanned.push_back(b.GetHash());
            BOOST_CHECK_EQUAL(p.file, f);
        }));
    }
    BOOST_CHECK(scanned == hashes);
    BOOST_CHECK(!store.ScanFile(store.LastFile() + 1, [](const CBlock&, const FlatFilePos&) {}));
}

BOOST_AUTO_TEST_CASE(block_tree_db_round_trip)
{
    TempDir dir("bs");
    BlockTreeDB db(DBOptions{dir.Path("index")});
    CBlock g = MakeBlock(20);
    uint256 gh = g.GetHash();
    CBlockIndex index(g.GetHeader());
    index.phash = &gh;
    index.height = 0;
    index.status = BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA;
    index.file = 0;
    index.data_pos = 8;
    index.tx_count = 1;
    BlockFileInfo info;
    info.AddBlock(0, 5);
    db.WriteBatchSync({{0, info}}, 0, {&index});
    int last = -1;
    BOOST_CHECK(db.ReadLastFile(last) && last == 0);
    BlockFileInfo info_out;
    BOOST_CHECK(db.ReadFileInfo(0, info_out) && info_out.blocks == 1);
    int count = 0;
    db.ForEachBlock([&](const uint256& hash, const DiskBlockIndex& rec) {
        ++count;
        BOOST_CHECK(hash == gh);
        BOOST_CHECK(rec.header.GetHash() == gh);
        BOOST_CHECK_EQUAL(rec.status, index.status);
    });
    BOOST_CHECK_EQUAL(count, 1);
    BOOST_CHECK(!db.IsReindexing());
    db.WriteReindexing(true);
    BOOST_CHECK(db.IsReindexing());
}

BOOST_AUTO_TEST_SUITE_END()
