// Wallet storage: one SQLite file per wallet (wallets/<name>/wallet.dat).
//
// Three key/value tables: `meta` (version, seed state, encryption record, best block),
// `descriptors` (id -> serialized descriptor record) and `txs` (txid hex -> serialized
// wallet transaction). Every multi-record change runs inside one SQLite transaction
// (WalletBatch) so a crash leaves either the old or the new state, never a mix;
// SQLite's rollback journal with synchronous=FULL provides the durability.
// The file is opened in exclusive locking mode: a second process cannot open it.
//
// Failure modes: every call reports failure by its return value (false / nullopt) and
// LastError() says why; a failed batch leaves the old state. A caller that cannot give up
// the write (the wallet following connected blocks) treats it as a fatal error of the node
// (ChainstateManager::FatalError, node/validation.h).
//
// Thread safety: all methods lock an internal mutex (m_mutex, re-entrant so that a thread
// holding a batch may still Read()); a WalletBatch holds it from construction to its
// destruction, so a batch must not be nested and other threads wait for it. Lock order: the
// wallet's lock (CWallet::m_cs) before m_mutex.
#ifndef ODA_WALLET_DB_H
#define ODA_WALLET_DB_H

#include <util/sync.h>
#include <util/threadsafety.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

enum class DbTable { META, DESCRIPTORS, TXS };

class WalletDatabase
{
public:
    /** Opens (creating it when `create`) the database at `path`. nullptr with *error when
     *  the file is missing (and !create), is not an ODA wallet, or is locked by another process. */
    static std::unique_ptr<WalletDatabase> Open(const std::string& path, bool create, std::string* error);
    ~WalletDatabase();
    WalletDatabase(const WalletDatabase&) = delete;
    WalletDatabase& operator=(const WalletDatabase&) = delete;

    bool Write(DbTable t, const std::string& key, const std::vector<uint8_t>& value);
    std::optional<std::vector<uint8_t>> Read(DbTable t, const std::string& key);
    bool Erase(DbTable t, const std::string& key);
    /** Every (key, value) of a table in key order. */
    std::vector<std::pair<std::string, std::vector<uint8_t>>> ReadAll(DbTable t);

    /** Copies the whole database to `dest` with SQLite's online backup API (consistent
     *  even while the wallet is in use). False with *error on failure. */
    bool Backup(const std::string& dest, std::string* error);

    const std::string& Path() const { return m_path; }
    /** SQLite's message for the last failed call (for error reports). */
    std::string LastError();

private:
    friend class WalletBatch;
    explicit WalletDatabase(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}

    //! Serializes every use of the SQLite handle (statements, transactions, error text).
    RecursiveMutex m_mutex;
    bool Exec(const char* sql) EXCLUSIVE_LOCKS_REQUIRED(m_mutex);
    bool WriteLocked(DbTable t, const std::string& key, const std::vector<uint8_t>* value) EXCLUSIVE_LOCKS_REQUIRED(m_mutex);

    sqlite3* const m_db; //!< used only with m_mutex held (Exec, WriteLocked and the public methods)
    const std::string m_path;
};

/** A group of writes that lands atomically: Commit() makes them durable; destroying an
 *  uncommitted batch rolls all of them back. */
class WalletBatch
{
public:
    explicit WalletBatch(WalletDatabase& db);
    ~WalletBatch();
    WalletBatch(const WalletBatch&) = delete;
    WalletBatch& operator=(const WalletBatch&) = delete;

    bool Write(DbTable t, const std::string& key, const std::vector<uint8_t>& value);
    bool Erase(DbTable t, const std::string& key);
    /** True when every write succeeded and the commit did. */
    bool Commit();

private:
    WalletDatabase& m_db;
    UniqueLock<RecursiveMutex> m_lock; //!< m_db.m_mutex, for the batch's whole life
    bool m_ok{true};
    bool m_done{false};
};

#endif // ODA_WALLET_DB_H
