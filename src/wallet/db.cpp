#include <wallet/db.h>

#include <sqlite3.h>

namespace {
const char* TableName(DbTable t)
{
    switch (t) {
    case DbTable::META: return "meta";
    case DbTable::DESCRIPTORS: return "descriptors";
    case DbTable::TXS: return "txs";
    }
    return "meta";
}
// "ODAW": marks the file as an ODA wallet so a foreign SQLite file is refused.
constexpr int APPLICATION_ID = 0x4f444157;

struct Stmt {
    sqlite3_stmt* s{nullptr};
    ~Stmt() { sqlite3_finalize(s); }
};
} // namespace

std::unique_ptr<WalletDatabase> WalletDatabase::Open(const std::string& path, bool create, std::string* error)
{
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        if (error) *error = "Unable to open wallet database " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return nullptr;
    }
    std::unique_ptr<WalletDatabase> w(new WalletDatabase(db, path));
    LOCK(w->m_mutex); // not shared yet; taken so that Exec's requirement holds
    sqlite3_busy_timeout(db, 0);
    auto fail = [&](const std::string& why) -> std::unique_ptr<WalletDatabase> {
        if (error) *error = why;
        return nullptr;
    };
    if (!w->Exec("PRAGMA locking_mode=EXCLUSIVE")) return fail("Unable to configure wallet database " + path);
    // Taking a write lock now makes a second opener fail immediately, and in exclusive
    // mode the lock is then kept until the file is closed.
    if (!w->Exec("BEGIN EXCLUSIVE") || !w->Exec("COMMIT")) {
        if (sqlite3_errcode(db) == SQLITE_NOTADB) return fail("Wallet file " + path + " is not an ODA wallet (not an SQLite database)");
        return fail("SQLiteDatabase: Unable to obtain an exclusive lock on the database, is it being used by another instance of odad?");
    }
    // secure_delete: freed pages are zeroed, so a secret that was rewritten (encryptwallet)
    // does not linger in the file's free pages.
    if (!w->Exec("PRAGMA synchronous=FULL") || !w->Exec("PRAGMA journal_mode=DELETE") || !w->Exec("PRAGMA secure_delete=ON")) {
        return fail("Unable to configure wallet database " + path);
    }
    int app_id = 0;
    {
        Stmt st;
        if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st.s, nullptr) != SQLITE_OK || sqlite3_step(st.s) != SQLITE_ROW) {
            return fail("Unable to read wallet database " + path + " (not an SQLite file?)");
        }
        app_id = sqlite3_column_int(st.s, 0);
    }
    int tables = 0;
    {
        Stmt st;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type='table'", -1, &st.s, nullptr) != SQLITE_OK ||
            sqlite3_step(st.s) != SQLITE_ROW) {
            return fail("Unable to read wallet database " + path);
        }
        tables = sqlite3_column_int(st.s, 0);
    }
    if (tables == 0 && app_id == 0) {
        const std::string init = "BEGIN; PRAGMA application_id=" + std::to_string(APPLICATION_ID) +
                                 "; CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);"
                                 " CREATE TABLE descriptors (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);"
                                 " CREATE TABLE txs (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL); COMMIT;";
        if (!w->Exec(init.c_str())) return fail("Unable to create wallet database tables in " + path);
    } else if (app_id != APPLICATION_ID) {
        return fail("Wallet file " + path + " is not an ODA wallet");
    }
    return w;
}

WalletDatabase::~WalletDatabase() { sqlite3_close(m_db); }

std::string WalletDatabase::LastError()
{
    LOCK(m_mutex);
    return sqlite3_errmsg(m_db);
}

bool WalletDatabase::Exec(const char* sql)
{
    char* err = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &err);
    sqlite3_free(err);
    return rc == SQLITE_OK;
}

bool WalletDatabase::WriteLocked(DbTable t, const std::string& key, const std::vector<uint8_t>* value)
{
    const std::string sql = value ? std::string("INSERT OR REPLACE INTO ") + TableName(t) + " (key, value) VALUES (?, ?)"
                                  : std::string("DELETE FROM ") + TableName(t) + " WHERE key = ?";
    Stmt st;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK) return false;
    sqlite3_bind_text(st.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (value) {
        // A zero-length blob must still be a blob, not NULL.
        static const uint8_t EMPTY = 0;
        sqlite3_bind_blob(st.s, 2, value->empty() ? &EMPTY : value->data(), static_cast<int>(value->size()), SQLITE_TRANSIENT);
    }
    return sqlite3_step(st.s) == SQLITE_DONE;
}

bool WalletDatabase::Write(DbTable t, const std::string& key, const std::vector<uint8_t>& value)
{
    LOCK(m_mutex);
    return WriteLocked(t, key, &value);
}

bool WalletDatabase::Erase(DbTable t, const std::string& key)
{
    LOCK(m_mutex);
    return WriteLocked(t, key, nullptr);
}

std::optional<std::vector<uint8_t>> WalletDatabase::Read(DbTable t, const std::string& key)
{
    LOCK(m_mutex);
    const std::string sql = std::string("SELECT value FROM ") + TableName(t) + " WHERE key = ?";
    Stmt st;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK) return std::nullopt;
    sqlite3_bind_text(st.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(st.s) != SQLITE_ROW) return std::nullopt;
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(st.s, 0));
    const int n = sqlite3_column_bytes(st.s, 0);
    return std::vector<uint8_t>(p, p + n);
}

std::vector<std::pair<std::string, std::vector<uint8_t>>> WalletDatabase::ReadAll(DbTable t)
{
    LOCK(m_mutex);
    std::vector<std::pair<std::string, std::vector<uint8_t>>> out;
    const std::string sql = std::string("SELECT key, value FROM ") + TableName(t) + " ORDER BY key";
    Stmt st;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK) return out;
    while (sqlite3_step(st.s) == SQLITE_ROW) {
        const auto* k = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
        const int kn = sqlite3_column_bytes(st.s, 0);
        const auto* v = static_cast<const uint8_t*>(sqlite3_column_blob(st.s, 1));
        const int vn = sqlite3_column_bytes(st.s, 1);
        out.emplace_back(std::string(k, k + kn), std::vector<uint8_t>(v, v + vn));
    }
    return out;
}

bool WalletDatabase::Backup(const std::string& dest, std::string* error)
{
    LOCK(m_mutex);
    if (dest == m_path) {
        if (error) *error = "backup destination is the wallet file itself";
        return false;
    }
    sqlite3* out = nullptr;
    if (sqlite3_open_v2(dest.c_str(), &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        if (error) *error = std::string("cannot open backup file: ") + (out ? sqlite3_errmsg(out) : "out of memory");
        sqlite3_close(out);
        return false;
    }
    sqlite3_backup* b = sqlite3_backup_init(out, "main", m_db, "main");
    bool ok = b != nullptr;
    if (ok) {
        ok = sqlite3_backup_step(b, -1) == SQLITE_DONE;
        ok = (sqlite3_backup_finish(b) == SQLITE_OK) && ok;
    }
    if (!ok && error) *error = std::string("backup failed: ") + sqlite3_errmsg(out);
    sqlite3_close(out);
    return ok;
}

WalletBatch::WalletBatch(WalletDatabase& db) : m_db(db), m_lock(db.m_mutex)
{
    AssertLockHeld(m_db.m_mutex);
    m_ok = m_db.Exec("BEGIN IMMEDIATE");
}

WalletBatch::~WalletBatch()
{
    AssertLockHeld(m_db.m_mutex);
    if (!m_done) m_db.Exec("ROLLBACK");
}

bool WalletBatch::Write(DbTable t, const std::string& key, const std::vector<uint8_t>& value)
{
    AssertLockHeld(m_db.m_mutex); // m_lock holds it
    if (m_ok) m_ok = m_db.WriteLocked(t, key, &value);
    return m_ok;
}

bool WalletBatch::Erase(DbTable t, const std::string& key)
{
    AssertLockHeld(m_db.m_mutex);
    if (m_ok) m_ok = m_db.WriteLocked(t, key, nullptr);
    return m_ok;
}

bool WalletBatch::Commit()
{
    if (m_done) return false;
    if (!m_ok) return false; // the destructor rolls back
    AssertLockHeld(m_db.m_mutex);
    m_done = m_db.Exec("COMMIT");
    return m_done;
}
