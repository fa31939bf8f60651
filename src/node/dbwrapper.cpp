#include <node/dbwrapper.h>

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <filesystem>

namespace node {
namespace {

leveldb::Slice ToSlice(const std::vector<uint8_t>& v)
{
    return leveldb::Slice(reinterpret_cast<const char*>(v.data()), v.size());
}

void ThrowIfError(const leveldb::Status& status, const std::string& path)
{
    if (status.ok()) return;
    throw DBError("database error in " + path + ": " + status.ToString());
}

} // namespace

DBBatch::DBBatch() : m_batch(std::make_unique<leveldb::WriteBatch>()) {}
DBBatch::~DBBatch() = default;

void DBBatch::PutRaw(const std::vector<uint8_t>& key, const std::vector<uint8_t>& value)
{
    m_batch->Put(ToSlice(key), ToSlice(value));
    m_approx_bytes += key.size() + value.size() + 8;
}

void DBBatch::DeleteRaw(const std::vector<uint8_t>& key)
{
    m_batch->Delete(ToSlice(key));
    m_approx_bytes += key.size() + 4;
}

void DBBatch::Clear()
{
    m_batch->Clear();
    m_approx_bytes = 0;
}

DBIterator::DBIterator(leveldb::Iterator* it) : m_it(it) {}
DBIterator::~DBIterator() = default;
bool DBIterator::Valid() const { return m_it->Valid(); }
void DBIterator::SeekToFirst() { m_it->SeekToFirst(); }
void DBIterator::Next() { m_it->Next(); }
void DBIterator::SeekRaw(const std::vector<uint8_t>& key) { m_it->Seek(ToSlice(key)); }

std::vector<uint8_t> DBIterator::KeyRaw() const
{
    leveldb::Slice s = m_it->key();
    return std::vector<uint8_t>(s.data(), s.data() + s.size());
}

std::vector<uint8_t> DBIterator::ValueRaw() const
{
    leveldb::Slice s = m_it->value();
    return std::vector<uint8_t>(s.data(), s.data() + s.size());
}

DBWrapper::DBWrapper(const DBOptions& options) : m_path(options.path), m_cache_bytes(options.cache_bytes)
{
    std::error_code ec;
    if (options.wipe) {
        leveldb::DestroyDB(m_path, leveldb::Options());
    }
    std::filesystem::create_directories(m_path, ec);
    if (ec) throw DBError("cannot create database directory " + m_path + ": " + ec.message());

    leveldb::Options opts;
    // Half of the budget for the read cache, a quarter for each of the two write buffers.
    opts.block_cache = leveldb::NewLRUCache(options.cache_bytes / 2);
    opts.write_buffer_size = std::max<size_t>(options.cache_bytes / 4, 1 << 20);
    opts.filter_policy = leveldb::NewBloomFilterPolicy(10);
    opts.compression = leveldb::kNoCompression;
    opts.max_open_files = 64;
    opts.create_if_missing = true;
    opts.paranoid_checks = true;
    leveldb::DB* db = nullptr;
    leveldb::Status status = leveldb::DB::Open(opts, m_path, &db);
    if (!status.ok()) {
        delete opts.block_cache;
        delete opts.filter_policy;
        ThrowIfError(status, m_path);
    }
    m_db.reset(db);
    m_owned_cache = opts.block_cache;
    m_owned_filter = opts.filter_policy;
}

DBWrapper::~DBWrapper()
{
    m_db.reset(); // close before freeing what it uses
    delete m_owned_cache;
    delete m_owned_filter;
}

bool DBWrapper::ReadRaw(const std::vector<uint8_t>& key, std::vector<uint8_t>& value) const
{
    std::string out;
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    leveldb::Status status = m_db->Get(ro, ToSlice(key), &out);
    if (status.IsNotFound()) return false;
    ThrowIfError(status, m_path);
    value.assign(out.begin(), out.end());
    return true;
}

void DBWrapper::WriteRaw(const std::vector<uint8_t>& key, const std::vector<uint8_t>& value, bool sync)
{
    leveldb::WriteOptions wo;
    wo.sync = sync;
    ThrowIfError(m_db->Put(wo, ToSlice(key), ToSlice(value)), m_path);
}

void DBWrapper::EraseRaw(const std::vector<uint8_t>& key, bool sync)
{
    leveldb::WriteOptions wo;
    wo.sync = sync;
    ThrowIfError(m_db->Delete(wo, ToSlice(key)), m_path);
}

void DBWrapper::WriteBatch(DBBatch& batch, bool sync)
{
    leveldb::WriteOptions wo;
    wo.sync = sync;
    ThrowIfError(m_db->Write(wo, batch.m_batch.get()), m_path);
}

std::unique_ptr<DBIterator> DBWrapper::NewIterator() const
{
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    ro.fill_cache = false; // scans (UTXO stats, index load) must not evict the hot set
    return std::make_unique<DBIterator>(m_db->NewIterator(ro));
}

bool DBWrapper::IsEmpty() const
{
    auto it = NewIterator();
    it->SeekToFirst();
    return !it->Valid();
}

uint64_t DBWrapper::EstimateSize() const
{
    std::error_code ec;
    uint64_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(m_path, ec)) {
        if (entry.is_regular_file(ec)) total += entry.file_size(ec);
    }
    return total;
}

} // namespace node
