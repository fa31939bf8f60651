// A thin typed layer over LevelDB: keys and values are any serialize.h type.
//
// Contract:
// - Read() returns false when the key is absent; it throws DBError when the
//   stored value does not deserialize (corruption) or LevelDB reports an error.
// - Write()/Erase() of a single key and WriteBatch() of many keys are atomic:
//   after a crash either all of a batch is visible or none of it. With
//   sync=true the call returns only once the data is on disk (fsync).
// - A write that throws has not happened: LevelDB applies a batch to its log
//   and memtable only after the log write succeeded, and a torn log record is
//   dropped on reopen, so after a failed WriteBatch the database reads as before
//   it (and LevelDB refuses later writes of this process).
// - Any LevelDB status other than OK/NotFound becomes a DBError with LevelDB's
//   message, never a crash. Found while opening or loading (node init) it is a
//   clear "... corrupted ... restart with -reindex" error and odad exits with 1;
//   during validation or a flush it is a fatal error (node/validation.h): the
//   node stops validating and shuts down, and restarts on the last complete
//   batch.
#ifndef ODA_NODE_DBWRAPPER_H
#define ODA_NODE_DBWRAPPER_H

#include <serialize.h>
#include <streams.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace leveldb {
class Cache;
class DB;
class FilterPolicy;
class Env;
class Iterator;
class WriteBatch;
} // namespace leveldb

namespace node {

/** Any failure reported by LevelDB, or a stored record that fails to parse. */
class DBError : public std::runtime_error
{
public:
    explicit DBError(const std::string& what) : std::runtime_error(what) {}
};

struct DBOptions {
    std::string path;              //!< directory of the database (created if absent)
    size_t cache_bytes{8 << 20};   //!< LevelDB block cache + write buffer budget
    bool wipe{false};              //!< destroy existing contents first (-reindex)
};

/** Keys and values accumulated for one atomic write. */
class DBBatch
{
    friend class DBWrapper;
    std::unique_ptr<leveldb::WriteBatch> m_batch;
    size_t m_approx_bytes{0};

    void PutRaw(const std::vector<uint8_t>& key, const std::vector<uint8_t>& value);
    void DeleteRaw(const std::vector<uint8_t>& key);

public:
    DBBatch();
    ~DBBatch();
    DBBatch(const DBBatch&) = delete;
    DBBatch& operator=(const DBBatch&) = delete;

    template <typename K, typename V>
    void Write(const K& key, const V& value) { PutRaw(SerializeToBytes(key), SerializeToBytes(value)); }
    template <typename K>
    void Erase(const K& key) { DeleteRaw(SerializeToBytes(key)); }
    /** Approximate payload size, to bound memory when writing huge batches in parts. */
    size_t ApproxSize() const { return m_approx_bytes; }
    void Clear();
};

/** Iterator over keys in byte order. Invalid once the DBWrapper is destroyed. */
class DBIterator
{
    std::unique_ptr<leveldb::Iterator> m_it;

    void SeekRaw(const std::vector<uint8_t>& key);
    std::vector<uint8_t> KeyRaw() const;
    std::vector<uint8_t> ValueRaw() const;

public:
    explicit DBIterator(leveldb::Iterator* it);
    ~DBIterator();

    bool Valid() const;
    void SeekToFirst();
    void Next();
    template <typename K>
    void Seek(const K& key) { SeekRaw(SerializeToBytes(key)); }
    /** Raw bytes of the current key (to test a prefix before parsing). */
    std::vector<uint8_t> RawKey() const { return KeyRaw(); }
    /** Parses the current key; false if it is not a K (e.g. another prefix). */
    template <typename K>
    bool GetKey(K& key) const
    {
        try {
            DeserializeExact(KeyRaw(), key);
            return true;
        } catch (const SerializationError&) {
            return false;
        }
    }
    /** Parses the current value; false when it does not parse as V. */
    template <typename V>
    bool GetValue(V& value) const
    {
        try {
            DeserializeExact(ValueRaw(), value);
            return true;
        } catch (const SerializationError&) {
            return false;
        }
    }
};

class DBWrapper
{
    std::unique_ptr<leveldb::DB> m_db;
    std::string m_path;
    size_t m_cache_bytes;
    leveldb::Cache* m_owned_cache{nullptr};
    const leveldb::FilterPolicy* m_owned_filter{nullptr};

    bool ReadRaw(const std::vector<uint8_t>& key, std::vector<uint8_t>& value) const;
    void WriteRaw(const std::vector<uint8_t>& key, const std::vector<uint8_t>& value, bool sync);
    void EraseRaw(const std::vector<uint8_t>& key, bool sync);

public:
    /** Opens (or creates) the database. Throws DBError when it cannot be opened. */
    explicit DBWrapper(const DBOptions& options);
    ~DBWrapper();
    DBWrapper(const DBWrapper&) = delete;
    DBWrapper& operator=(const DBWrapper&) = delete;

    template <typename K, typename V>
    bool Read(const K& key, V& value) const
    {
        std::vector<uint8_t> raw;
        if (!ReadRaw(SerializeToBytes(key), raw)) return false;
        try {
            DeserializeExact(raw, value);
        } catch (const SerializationError& e) {
            throw DBError("corrupted record in " + m_path + ": " + e.what());
        }
        return true;
    }
    template <typename K>
    bool Exists(const K& key) const
    {
        std::vector<uint8_t> raw;
        return ReadRaw(SerializeToBytes(key), raw);
    }
    template <typename K, typename V>
    void Write(const K& key, const V& value, bool sync = false) { WriteRaw(SerializeToBytes(key), SerializeToBytes(value), sync); }
    template <typename K>
    void Erase(const K& key, bool sync = false) { EraseRaw(SerializeToBytes(key), sync); }

    /** Applies the whole batch atomically. */
    void WriteBatch(DBBatch& batch, bool sync = false);
    std::unique_ptr<DBIterator> NewIterator() const;
    bool IsEmpty() const;
    /** Approximate on-disk bytes of the whole key range. */
    uint64_t EstimateSize() const;
    const std::string& Path() const { return m_path; }
};

} // namespace node

#endif // ODA_NODE_DBWRAPPER_H
