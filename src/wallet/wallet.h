// CWallet: one loaded descriptor wallet (taproot key path only).
//
// Keys: two active ranged tr() descriptors, receive (m/86'/coin'/0'/0/*) and change
// (.../1/*), from a BIP 32 seed of 32 bytes from the OS CSPRNG (coin type 0 on main,
// 1 on test/regtest). Each descriptor keeps `-keypool` scripts derived beyond the
// last used index so rescans find payments to addresses handed out earlier.
// Tracking: the wallet follows the chain through interfaces::Chain (interfaces/chain.h:
// blocks connected/disconnected, transactions added to the mempool); it includes no node
// header. A disconnected block's transactions go back to unconfirmed; a confirmed
// transaction spending the same outpoint as an unconfirmed wallet transaction marks the
// latter conflicted.
// Storage: every change is written to the SQLite file in one WalletBatch.
//
// Thread safety: m_cs (re-entrant) guards the wallet's state; public methods take it
// themselves. Notifications arrive on the node's notification thread with no node lock held
// and take only m_cs. Lock order: m_cs -> the database's mutex, and m_cs -> the node's
// locks (wallet code may call interfaces::Chain with m_cs held; Chain takes the node's
// locks inside each call, and the node never calls the wallet with one of them held).
// Never wait for notifications (Chain::WaitForNotifications) or detach (DetachChain) while
// holding m_cs: the callbacks being waited for need it.
#ifndef ODA_WALLET_WALLET_H
#define ODA_WALLET_WALLET_H

#include <consensus/amount.h>
#include <interfaces/chain.h>
#include <primitives/transaction.h>
#include <util/sync.h>
#include <util/threadsafety.h>
#include <wallet/crypter.h>
#include <wallet/db.h>
#include <wallet/descriptor.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

/** Error with an RPC error code (util/rpc_errors.h), thrown by wallet operations (RPC turns
 *  it into a reply). */
struct WalletError : std::runtime_error {
    int code;
    WalletError(int c, const std::string& msg) : std::runtime_error(msg), code(c) {}
};

struct WalletTx {
    CTransactionRef tx;
    uint256 block_hash;         //!< null when unconfirmed
    int block_height{-1};       //!< -1 when unconfirmed
    int64_t time{0};            //!< time first seen (block time for transactions found in blocks)
    bool abandoned{false};
    uint256 conflict_block;     //!< block of a confirmed conflicting transaction (null when none)
    int conflict_height{-1};
    std::string label;          //!< unused for now (labels live on addresses)
    bool from_me{false};        //!< every input spends a wallet output (known when added)
    CAmount fee{0};             //!< for from_me transactions
    bool IsConfirmed() const { return block_height >= 0; }
    bool IsConflicted() const { return conflict_height >= 0; }
};

struct DescriptorRecord {
    std::string public_desc;           //!< with checksum
    std::vector<uint8_t> private_desc; //!< private descriptor string, plain or encrypted (empty: watch-only)
    bool encrypted{false};
    int64_t timestamp{0};
    uint32_t next_index{0};            //!< next never-handed-out index
    uint32_t range_end{0};             //!< scripts [0, range_end) are derived and watched
    bool active{false};
    bool internal{false};
    ODA_SERIALIZE_FIELDS(public_desc, private_desc, encrypted, timestamp, next_index, range_end, active, internal)
};

struct WalletBalance {
    CAmount trusted{0};
    CAmount untrusted_pending{0};
    CAmount immature{0};
};

struct WalletOutput {
    COutPoint outpoint;
    CTxOut txout;
    int depth{0};       //!< confirmations (0 unconfirmed)
    bool coinbase{false};
    bool trusted{false};
    bool solvable{true};
    bool change{false};
    std::string desc_id;
    uint32_t index{0};
    //! Set when this is a model's ownership output (wallet/ownership.h): never an ordinary coin.
    std::optional<uint256> ownership;
};

struct Recipient {
    ScriptBytes script;
    CAmount amount{0};
    bool subtract_fee{false};
};

/** How CreateTransaction shapes an ODA transaction (the defaults are an ordinary send). */
struct CreateOptions {
    //! Paid on top of the size fee at the fee rate: the compute fee of an ODA transaction's
    //! compute units (node/policy.h MinComputeFee), which the mempool requires.
    CAmount extra_fee{0};
    //! Change after every recipient instead of at a random position (an add-model's
    //! ownership output must stay its first non-OP_RETURN output).
    bool change_last{false};
};

struct CreatedTx {
    CTransactionRef tx;
    CAmount fee{0};
    int change_pos{-1};
};

class CWallet : public interfaces::Chain::Notifications
{
public:
    struct Options {
        bool disable_private_keys{false};
        bool blank{false};
        std::string passphrase;
        uint32_t keypool{1000};
    };

    /** Creates a new wallet file. Throws WalletError on failure. */
    static std::shared_ptr<CWallet> Create(const std::string& name, const std::string& path, bool mainnet,
                                           const std::string& hrp, const Options& opts);
    /** Loads an existing wallet file. Throws WalletError on failure. */
    static std::shared_ptr<CWallet> Load(const std::string& name, const std::string& path, bool mainnet,
                                         const std::string& hrp, uint32_t keypool);
    ~CWallet() override;

    const std::string& Name() const { return m_name; }
    const std::string& Hrp() const { return m_hrp; }
    WalletDatabase& Database() { return *m_db; }

    /** Connects to the chain: catches up from the stored best block (rescanning what was
     *  missed), then registers for notifications (Chain::HandleNotifications: none missed,
     *  none twice), then resubmits its unconfirmed transactions to the mempool. Call once
     *  after Create/Load, before the wallet is shared (nullptr: no chain). */
    void AttachChain(std::shared_ptr<interfaces::Chain> chain, int64_t fallback_fee_per_kvb) LOCKS_EXCLUDED(m_cs);
    /** Unregisters from notifications (before unload); returns once no callback runs. */
    void DetachChain() LOCKS_EXCLUDED(m_cs);

    // ---- keys and addresses
    std::string GetNewAddress(bool internal);
    bool IsMine(const ScriptBytes& spk) const;
    struct AddressInfo {
        bool ismine{false};
        bool solvable{false};
        bool ischange{false};
        std::string desc;
        std::string hdkeypath;
        std::string parent_desc;
        std::string internal_key;
    };
    AddressInfo GetAddressInfo(const ScriptBytes& spk) const;
    bool HasPrivateKeys() const { return !m_disable_private_keys; }
    /** listdescriptors: (descriptor string, record). Private strings need the wallet unlocked. */
    std::vector<std::pair<std::string, DescriptorRecord>> ListDescriptors(bool priv) const;
    /** importdescriptors one request: returns a warning list; throws WalletError. Rescans
     *  from `timestamp` (0 = genesis; INT64_MAX = "now": no rescan). */
    std::vector<std::string> ImportDescriptor(const std::string& desc, int64_t timestamp, bool active, bool internal,
                                              std::optional<std::pair<uint32_t, uint32_t>> range, std::optional<uint32_t> next_index);

    // ---- tracking
    /** Ownership outputs (wallet/ownership.h) are not counted. */
    WalletBalance GetBalance(int min_depth = 0) const;
    /** Unspent wallet outputs; ownership outputs are included with `ownership` set (callers
     *  that spend must skip them, as CreateTransaction does). */
    std::vector<WalletOutput> ListUnspent(int min_depth, int max_depth, bool include_untrusted = true) const;
    /** Depth of a wallet transaction: >0 confirmations, 0 unconfirmed, <0 conflicted. */
    int GetDepth(const WalletTx& wtx) const;
    std::map<uint256, WalletTx> Transactions() const;
    std::optional<WalletTx> GetTx(const uint256& txid) const;
    /** Credit to / debit from the wallet by one transaction. */
    CAmount GetCredit(const CTransaction& tx) const;
    CAmount GetDebit(const CTransaction& tx) const;
    bool IsChange(const CTxOut& out) const;
    bool IsFromMe(const CTransaction& tx) const;
    /** Rescans the active chain from start_height to stop_height (inclusive; -1 = tip).
     *  Returns the (start, stop) actually scanned. */
    std::pair<int, int> Rescan(int start_height, int stop_height);
    /** abandontransaction: only unconfirmed, not in the mempool. */
    void AbandonTransaction(const uint256& txid);

    // ---- sending
    /** Builds, funds and signs a transaction. fee_rate_per_kvb < 0: estimate. Never spends an
     *  ownership output. Throws WalletError. */
    CreatedTx CreateTransaction(const std::vector<Recipient>& recipients, CAmount fee_rate_per_kvb,
                                const CreateOptions& options = {});
    /** Mempool acceptance then wallet entry. Throws WalletError with the reject reason. */
    void CommitTransaction(const CTransactionRef& tx, CAmount fee);
    /** The fee rate used when none is given: the median fee rate of the last 6 blocks'
     *  transactions, or -fallbackfee when they have none; at least the mempool minimum. */
    CAmount EstimateFeeRate() const;
    /** Signs every input that spends a wallet output; returns true when all inputs are signed.
     *  `errors` gets one text per unsigned input. Throws WalletError(-13) when locked. */
    bool SignTransaction(CMutableTransaction& mtx, const std::vector<CTxOut>& spent, std::vector<std::string>& errors);
    /** Looks up the outputs spent by a transaction's inputs in the wallet, then the UTXO set. */
    std::optional<CTxOut> FindSpentOutput(const COutPoint& prevout) const;
    /** fundrawtransaction: adds inputs (and change) to cover the outputs; returns the fee.
     *  change_pos: in, where the change output goes (-1: a random position; above the number
     *  of outputs: WalletError -8); out, where it went (-1: no change). */
    CAmount FundTransaction(CMutableTransaction& mtx, CAmount fee_rate_per_kvb, int& change_pos);

    // ---- encryption
    bool IsCrypted() const;
    bool IsLocked() const;
    void EncryptWallet(const std::string& passphrase);
    /** Unlocks for `timeout` seconds. Throws WalletError(-14) on a wrong passphrase. */
    void Unlock(const std::string& passphrase, int64_t timeout_seconds);
    void Lock();
    void ChangePassphrase(const std::string& old_pass, const std::string& new_pass);
    int64_t UnlockedUntil() const;

    // ---- interfaces::Chain::Notifications
    void BlockConnected(const std::shared_ptr<const CBlock>& block, const interfaces::BlockInfo& info) override;
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const interfaces::BlockInfo& info) override;

    /** Height of the chain's tip (-1 without a chain). */
    int TipHeight() const;

    /** A transaction entered the mempool (from peers, sendrawtransaction, ...): it shows as
     *  untrusted pending before it confirms. */
    void TransactionAddedToMempool(const CTransactionRef& tx) override;

private:
    CWallet(std::string name, std::unique_ptr<WalletDatabase> db, bool mainnet, std::string hrp, uint32_t keypool);

    struct DescEntry {
        DescriptorRecord record;
        Descriptor desc; //!< public form
    };

    //! Guards the wallet's state (see "Thread safety" above). Re-entrant: public methods
    //! that take it call each other.
    mutable RecursiveMutex m_cs;

    void LoadFromDatabase() EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void SetupDescriptors(const std::vector<uint8_t>& seed, WalletBatch& batch) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void TopUp(const std::string& id, DescEntry& e, WalletBatch& batch) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void WriteDescriptor(WalletBatch& batch, const std::string& id, const DescriptorRecord& r);
    void WriteTx(WalletBatch& batch, const WalletTx& wtx);
    void WriteBestBlock(WalletBatch& batch, const uint256& hash, int height);
    std::optional<Descriptor> PrivateDescriptor(const std::string& id) const EXCLUSIVE_LOCKS_REQUIRED(m_cs); //!< throws -13 when locked
    bool IsRelevant(const CTransaction& tx) const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void MarkUsed(const CTransaction& tx, WalletBatch& batch) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    bool SyncTransaction(const CTransactionRef& tx, const uint256& block_hash, int height, int64_t block_time, WalletBatch& batch)
        EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** Rescan's body, with m_cs held (ScanBlocks holds the chainstate lock for the whole pass). */
    std::pair<int, int> RescanLocked(int start_height, int stop_height) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void CheckRelock() const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    std::set<COutPoint> SpentOutpoints() const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    int64_t Now() const;

    // Fixed at construction (or by Create/Load/AttachChain before the wallet is shared).
    const std::string m_name;
    const std::unique_ptr<WalletDatabase> m_db;
    const bool m_mainnet;
    const std::string m_hrp;
    const uint32_t m_keypool;
    bool m_disable_private_keys{false};
    //! The node (interfaces/chain.h); nullptr without a chain. Set by AttachChain.
    std::shared_ptr<interfaces::Chain> m_chain;
    int64_t m_fallback_fee{0};

    std::map<std::string, DescEntry> m_descs GUARDED_BY(m_cs);                          //!< id -> descriptor
    std::map<ScriptBytes, std::pair<std::string, uint32_t>> m_scripts GUARDED_BY(m_cs); //!< watched script -> (id, index)
    std::map<uint256, WalletTx> m_txs GUARDED_BY(m_cs);
    std::optional<EncryptedMasterKey> m_master_record GUARDED_BY(m_cs);
    mutable std::optional<KeyingMaterial> m_master GUARDED_BY(m_cs); //!< set while unlocked
    mutable int64_t m_relock_time GUARDED_BY(m_cs){0};

    //! The notification subscription while attached. Its own lock, as DetachChain must not hold m_cs.
    Mutex m_handler_mutex;
    std::unique_ptr<interfaces::Handler> m_handler GUARDED_BY(m_handler_mutex);
};

#endif // ODA_WALLET_WALLET_H
