#include <wallet/wallet.h>

#include <consensus/consensus.h>
#include <crypto/hash.h>
#include <hex.h>
#include <script/address.h>
#include <script/script.h>
#include <script/sign.h>
#include <streams.h>
#include <util/logging.h>
#include <util/rpc_errors.h>
#include <wallet/coinselection.h>
#include <wallet/ownership.h>

#include <algorithm>
#include <chrono>
#include <limits>

namespace {
constexpr int WALLET_VERSION = 1;
/** Fee-rate floor (units/kvB) without a chain: the node's default minimum relay fee. With a
 *  chain, the node's own floor applies (Chain::MempoolMinFeeRate, never below this). */
constexpr CAmount NO_CHAIN_MIN_FEE_RATE = 1000;
/** Blocks whose transactions' median fee rate is the default fee rate (EstimateFeeRate). */
constexpr int FEE_ESTIMATE_BLOCKS = 6;
constexpr CAmount MAX_TX_FEE = COIN / 10; //!< refuse fees above 0.1 (Bitcoin Core's -maxtxfee default)
const char* const UNLOCK_NEEDED = "Error: Please enter the wallet passphrase with walletpassphrase first.";

std::vector<uint8_t> TxBytes(const WalletTx& w)
{
    std::vector<uint8_t> out;
    VectorWriter vw(out);
    Serialize(vw, *w.tx);
    Serialize(vw, w.block_hash);
    Serialize(vw, int32_t(w.block_height));
    Serialize(vw, w.time);
    Serialize(vw, w.abandoned);
    Serialize(vw, w.conflict_block);
    Serialize(vw, int32_t(w.conflict_height));
    Serialize(vw, w.from_me);
    Serialize(vw, w.fee);
    return out;
}

WalletTx TxFromBytes(const std::vector<uint8_t>& bytes)
{
    SpanReader r(bytes.data(), bytes.size());
    WalletTx w;
    CMutableTransaction mtx;
    Unserialize(r, mtx);
    w.tx = MakeTransactionRef(std::move(mtx));
    Unserialize(r, w.block_hash);
    int32_t h;
    Unserialize(r, h);
    w.block_height = h;
    Unserialize(r, w.time);
    Unserialize(r, w.abandoned);
    Unserialize(r, w.conflict_block);
    Unserialize(r, h);
    w.conflict_height = h;
    Unserialize(r, w.from_me);
    Unserialize(r, w.fee);
    return w;
}

/** units/kvB -> "1.234" units/vB */
std::string FormatRate(CAmount per_kvb)
{
    std::string frac = std::to_string(per_kvb % 1000);
    return std::to_string(per_kvb / 1000) + "." + std::string(3 - frac.size(), '0') + frac;
}

std::string DescId(const std::string& public_desc)
{
    const uint256 h = Sha256(std::vector<uint8_t>(public_desc.begin(), public_desc.end()));
    return HexStr(h.data(), h.size());
}
} // namespace

CWallet::CWallet(std::string name, std::unique_ptr<WalletDatabase> db, bool mainnet, std::string hrp, uint32_t keypool)
    : m_name(std::move(name)), m_db(std::move(db)), m_mainnet(mainnet), m_hrp(std::move(hrp)), m_keypool(std::max<uint32_t>(1, keypool)) {}

CWallet::~CWallet() { DetachChain(); }

int64_t CWallet::Now() const
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::shared_ptr<CWallet> CWallet::Create(const std::string& name, const std::string& path, bool mainnet,
                                         const std::string& hrp, const Options& opts)
{
    std::string err;
    auto db = WalletDatabase::Open(path, true, &err);
    if (!db) throw WalletError(RPC_WALLET_ERROR, err);
    if (db->Read(DbTable::META, "version")) throw WalletError(RPC_WALLET_ALREADY_EXISTS, "Wallet file " + path + " already exists.");
    std::shared_ptr<CWallet> w(new CWallet(name, std::move(db), mainnet, hrp, opts.keypool));
    w->m_disable_private_keys = opts.disable_private_keys;
    {
        LOCK(w->m_cs);
        WalletBatch batch(*w->m_db);
        batch.Write(DbTable::META, "version", SerializeToBytes(uint32_t(WALLET_VERSION)));
        batch.Write(DbTable::META, "flags", SerializeToBytes(uint8_t(opts.disable_private_keys ? 1 : 0)));
        if (!opts.disable_private_keys && !opts.blank) {
            std::vector<uint8_t> seed(32);
            GetStrongRandBytes(seed.data(), seed.size());
            w->SetupDescriptors(seed, batch);
            std::fill(seed.begin(), seed.end(), 0);
        }
        if (!batch.Commit()) throw WalletError(RPC_WALLET_ERROR, "Error writing the new wallet to " + path);
    }
    if (!opts.passphrase.empty()) {
        if (opts.disable_private_keys) throw WalletError(RPC_WALLET_ENCRYPTION_FAILED, "Passphrase provided but private keys are disabled. A passphrase is only used to encrypt private keys, so cannot be used for wallets with private keys disabled.");
        w->EncryptWallet(opts.passphrase);
    }
    return w;
}

std::shared_ptr<CWallet> CWallet::Load(const std::string& name, const std::string& path, bool mainnet,
                                       const std::string& hrp, uint32_t keypool)
{
    std::string err;
    auto db = WalletDatabase::Open(path, false, &err);
    if (!db) throw WalletError(RPC_WALLET_NOT_FOUND, err);
    if (!db->Read(DbTable::META, "version")) throw WalletError(RPC_WALLET_ERROR, "Wallet file " + path + " is not an ODA wallet (no version record)");
    std::shared_ptr<CWallet> w(new CWallet(name, std::move(db), mainnet, hrp, keypool));
    try {
        LOCK(w->m_cs);
        w->LoadFromDatabase();
    } catch (const WalletError&) {
        throw;
    } catch (const std::exception& e) {
        throw WalletError(RPC_WALLET_ERROR, "Wallet file " + path + " is corrupt: " + e.what());
    }
    return w;
}

void CWallet::LoadFromDatabase()
{
    if (auto f = m_db->Read(DbTable::META, "flags")) {
        uint8_t flags = 0;
        DeserializeExact(*f, flags);
        m_disable_private_keys = flags & 1;
    }
    if (auto mk = m_db->Read(DbTable::META, "masterkey")) {
        EncryptedMasterKey emk;
        DeserializeExact(*mk, emk);
        m_master_record = emk;
    }
    for (const auto& [id, bytes] : m_db->ReadAll(DbTable::DESCRIPTORS)) {
        DescriptorRecord r;
        DeserializeExact(bytes, r);
        std::string err;
        auto d = Descriptor::Parse(r.public_desc, &err, true);
        if (!d) throw WalletError(RPC_WALLET_ERROR, "stored descriptor does not parse: " + err);
        DescEntry e{r, *d};
        for (uint32_t i = 0; i < (d->IsRange() ? r.range_end : 1); ++i) {
            if (auto spk = d->ScriptAt(i)) m_scripts[*spk] = {id, i};
        }
        m_descs.emplace(id, std::move(e));
    }
    for (const auto& [key, bytes] : m_db->ReadAll(DbTable::TXS)) {
        WalletTx w = TxFromBytes(bytes);
        m_txs[w.tx->GetTxid()] = w;
    }
}

void CWallet::WriteDescriptor(WalletBatch& batch, const std::string& id, const DescriptorRecord& r)
{
    batch.Write(DbTable::DESCRIPTORS, id, SerializeToBytes(r));
}

void CWallet::WriteTx(WalletBatch& batch, const WalletTx& wtx)
{
    batch.Write(DbTable::TXS, wtx.tx->GetTxid().GetHex(), TxBytes(wtx));
}

void CWallet::WriteBestBlock(WalletBatch& batch, const uint256& hash, int height)
{
    std::vector<uint8_t> v = SerializeToBytes(hash);
    const auto h = SerializeToBytes(int32_t(height));
    v.insert(v.end(), h.begin(), h.end());
    batch.Write(DbTable::META, "bestblock", v);
}

void CWallet::SetupDescriptors(const std::vector<uint8_t>& seed, WalletBatch& batch)
{
    auto master = ExtKey::FromSeed(seed);
    if (!master) throw WalletError(RPC_WALLET_ERROR, "seed gives an invalid master key (retry)");
    const uint32_t coin = m_mainnet ? 0 : 1;
    const std::vector<uint32_t> account_path{86 | BIP32_HARDENED, coin | BIP32_HARDENED, 0 | BIP32_HARDENED};
    auto account = master->DerivePath(account_path);
    if (!account) throw WalletError(RPC_WALLET_ERROR, "account key derivation failed");
    const auto fp = master->Neuter().Fingerprint();
    const std::string origin = "[" + HexStr(fp.data(), 4) + "/" + FormatHDPath(account_path, false) + "]";
    for (int internal = 0; internal <= 1; ++internal) {
        const std::string body = "tr(" + origin + account->ToString(m_mainnet) + "/" + std::to_string(internal) + "/*)";
        std::string err;
        auto priv = Descriptor::Parse(body, &err);
        if (!priv) throw WalletError(RPC_WALLET_ERROR, "internal descriptor error: " + err);
        DescriptorRecord r;
        r.public_desc = priv->ToString(false);
        const std::string priv_str = priv->ToString(true);
        r.private_desc.assign(priv_str.begin(), priv_str.end());
        r.timestamp = Now();
        r.active = true;
        r.internal = internal == 1;
        const std::string id = DescId(r.public_desc);
        DescEntry e{r, priv->Public()};
        TopUp(id, e, batch);
        m_descs[id] = e;
    }
}

void CWallet::TopUp(const std::string& id, DescEntry& e, WalletBatch& batch)
{
    const uint32_t want = e.desc.IsRange() ? e.record.next_index + m_keypool : 1;
    for (uint32_t i = e.record.range_end; i < want; ++i) {
        if (auto spk = e.desc.ScriptAt(i)) m_scripts[*spk] = {id, i};
    }
    if (want > e.record.range_end) e.record.range_end = want;
    WriteDescriptor(batch, id, e.record);
}

void CWallet::AttachChain(std::shared_ptr<interfaces::Chain> chain, int64_t fallback_fee_per_kvb)
{
    m_fallback_fee = fallback_fee_per_kvb;
    if (!chain) return;
    m_chain = chain;
    std::unique_ptr<interfaces::Handler> handler;
    {
        LOCK(m_cs);
        // Catch up from the stored best block (rescan from genesis when it left the chain),
        // inside HandleNotifications: every change after the catch-up is delivered, none twice.
        handler = chain->HandleNotifications(*this, [&] {
            AssertLockHeld(m_cs); // taken above; the callback runs on this thread
            int start = 0;
            if (auto bb = m_db->Read(DbTable::META, "bestblock"); bb && bb->size() == 36) {
                if (auto known = chain->FindActiveBlock(uint256(bb->data()))) start = known->height + 1;
            } else if (m_txs.empty()) {
                // A new wallet has nothing earlier than now to find.
                start = chain->GetHeight() + 1;
            }
            if (start <= chain->GetHeight()) RescanLocked(start, -1);
            WalletBatch batch(*m_db);
            if (auto tip = chain->GetTip()) WriteBestBlock(batch, tip->hash, tip->height);
            batch.Commit();
        });
    }
    {
        LOCK(m_handler_mutex);
        m_handler = std::move(handler);
    }
    // Our unconfirmed transactions go back to the mempool (it does not survive a restart),
    // so their change stays trusted and peers see them again. Failures are only logged.
    std::vector<std::pair<int64_t, CTransactionRef>> resubmit; // (time first seen, tx)
    {
        LOCK(m_cs);
        for (const auto& [txid, w] : m_txs) {
            if (!w.IsConfirmed() && !w.abandoned && !w.IsConflicted() && w.from_me && !chain->IsInMempool(txid)) {
                resubmit.emplace_back(w.time, w.tx);
            }
        }
    }
    // Parents before children: a child's inputs must be in the pool first.
    std::stable_sort(resubmit.begin(), resubmit.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [time, tx] : resubmit) {
        std::string reason;
        if (!chain->BroadcastTransaction(tx, &reason)) {
            LogPrintf("Wallet %s: resubmitting %s failed: %s\n", m_name.c_str(), tx->GetTxid().GetHex().c_str(), reason.c_str());
        }
    }
}

void CWallet::DetachChain()
{
    std::unique_ptr<interfaces::Handler> handler;
    {
        LOCK(m_handler_mutex);
        handler = std::move(m_handler);
    }
    if (handler) handler->Disconnect(); // waits for a running callback, which may need m_cs
}

void CWallet::TransactionAddedToMempool(const CTransactionRef& tx)
{
    LOCK(m_cs);
    WalletBatch batch(*m_db);
    if (SyncTransaction(tx, uint256(), -1, 0, batch)) batch.Commit();
}

int CWallet::TipHeight() const { return m_chain ? m_chain->GetHeight() : -1; }

// ------------------------------------------------------------------ keys

std::string CWallet::GetNewAddress(bool internal)
{
    LOCK(m_cs);
    for (auto& [id, e] : m_descs) {
        if (!e.record.active || e.record.internal != internal) continue;
        const uint32_t index = e.record.next_index;
        auto spk = e.desc.ScriptAt(index);
        if (!spk) throw WalletError(RPC_WALLET_ERROR, "Error: key derivation failed");
        e.record.next_index = index + 1;
        WalletBatch batch(*m_db);
        TopUp(id, e, batch);
        if (!batch.Commit()) throw WalletError(RPC_WALLET_ERROR, "Error: failed to write the wallet");
        return EncodeDestination(*spk, m_hrp);
    }
    throw WalletError(RPC_WALLET_ERROR, std::string("Error: This wallet has no available keys") +
                                            (internal ? " (no active change descriptor)" : ""));
}

bool CWallet::IsMine(const ScriptBytes& spk) const
{
    LOCK(m_cs);
    return m_scripts.count(spk) > 0;
}

bool CWallet::IsChange(const CTxOut& out) const
{
    LOCK(m_cs);
    auto it = m_scripts.find(out.script_pubkey);
    if (it == m_scripts.end()) return false;
    return m_descs.at(it->second.first).record.internal;
}

CWallet::AddressInfo CWallet::GetAddressInfo(const ScriptBytes& spk) const
{
    LOCK(m_cs);
    AddressInfo info;
    auto it = m_scripts.find(spk);
    if (it == m_scripts.end()) return info;
    const DescEntry& e = m_descs.at(it->second.first);
    info.ismine = true;
    info.solvable = true;
    info.ischange = e.record.internal;
    info.desc = e.desc.InferredAt(it->second.second);
    info.hdkeypath = e.desc.KeyPathAt(it->second.second);
    info.parent_desc = e.record.public_desc;
    if (auto k = e.desc.InternalKey(it->second.second)) info.internal_key = HexStr(k->ToBytes());
    return info;
}

void CWallet::CheckRelock() const
{
    if (m_master && m_relock_time > 0 && Now() >= m_relock_time) {
        m_master.reset();
        m_relock_time = 0;
    }
}

std::optional<Descriptor> CWallet::PrivateDescriptor(const std::string& id) const
{
    const DescEntry& e = m_descs.at(id);
    if (e.record.private_desc.empty()) return std::nullopt;
    std::vector<uint8_t> plain;
    if (e.record.encrypted) {
        CheckRelock();
        if (!m_master) throw WalletError(RPC_WALLET_UNLOCK_NEEDED, UNLOCK_NEEDED);
        auto p = DecryptSecret(*m_master, e.record.private_desc, id);
        if (!p) throw WalletError(RPC_WALLET_ERROR, "Error: a private key does not decrypt (wallet corrupt?)");
        plain = std::move(*p);
    } else {
        plain = e.record.private_desc;
    }
    std::string err;
    auto d = Descriptor::Parse(std::string(plain.begin(), plain.end()), &err);
    std::fill(plain.begin(), plain.end(), 0);
    if (!d) throw WalletError(RPC_WALLET_ERROR, "stored private descriptor does not parse: " + err);
    return d;
}

std::vector<std::pair<std::string, DescriptorRecord>> CWallet::ListDescriptors(bool priv) const
{
    LOCK(m_cs);
    if (priv && m_disable_private_keys) throw WalletError(RPC_WALLET_ERROR, "Can't get descriptor string.");
    std::vector<std::pair<std::string, DescriptorRecord>> out;
    for (const auto& [id, e] : m_descs) {
        std::string s = e.record.public_desc;
        if (priv) {
            auto d = PrivateDescriptor(id);
            if (!d) throw WalletError(RPC_WALLET_ERROR, "Can't get descriptor string.");
            s = d->ToString(true);
        }
        out.emplace_back(s, e.record);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

std::vector<std::string> CWallet::ImportDescriptor(const std::string& desc_str, int64_t timestamp, bool active, bool internal,
                                                   std::optional<std::pair<uint32_t, uint32_t>> range, std::optional<uint32_t> next_index)
{
    std::vector<std::string> warnings;
    std::string err;
    auto d = Descriptor::Parse(desc_str, &err, true);
    if (!d) throw WalletError(RPC_INVALID_PARAMETER, err);
    if (d->HasPrivateKeys() && m_disable_private_keys) throw WalletError(RPC_WALLET_ERROR, "Cannot import private keys to a wallet with private keys disabled");
    if (!d->HasPrivateKeys() && !m_disable_private_keys && active) {
        throw WalletError(RPC_WALLET_ERROR, "Cannot import descriptor without private keys to a wallet with private keys enabled");
    }
    if (active && !d->IsRange()) throw WalletError(RPC_INVALID_PARAMETER, "Active descriptors must be ranged");
    if (!d->IsRange() && range) throw WalletError(RPC_INVALID_PARAMETER, "Range should not be specified for an un-ranged descriptor");
    if (range && (range->first > range->second || range->second > 10000000)) throw WalletError(RPC_INVALID_PARAMETER, "Range specified as [begin,end] must not have begin after end, and end must be at most 1e7");
    {
        LOCK(m_cs);
        if (d->HasPrivateKeys() && IsCrypted()) {
            CheckRelock();
            if (!m_master) throw WalletError(RPC_WALLET_UNLOCK_NEEDED, UNLOCK_NEEDED);
        }
        DescriptorRecord r;
        r.public_desc = d->ToString(false);
        const std::string id = DescId(r.public_desc);
        auto existing = m_descs.find(id);
        if (existing != m_descs.end()) r = existing->second.record;
        if (d->HasPrivateKeys()) {
            const std::string ps = d->ToString(true);
            std::vector<uint8_t> plain(ps.begin(), ps.end());
            if (IsCrypted()) {
                r.private_desc = EncryptSecret(*m_master, plain, id);
                r.encrypted = true;
            } else {
                r.private_desc = plain;
            }
        }
        r.timestamp = timestamp == std::numeric_limits<int64_t>::max() ? Now() : timestamp;
        const uint32_t range_end = range ? range->second + 1 : (d->IsRange() ? m_keypool : 1);
        r.range_end = std::min(r.range_end, range_end); // TopUp extends below
        if (next_index) r.next_index = *next_index;
        else if (range) r.next_index = std::max(r.next_index, range->first);
        r.internal = internal;
        WalletBatch batch(*m_db);
        if (active) {
            // Replaces the active descriptor of the same kind.
            for (auto& [oid, oe] : m_descs) {
                if (oid != id && oe.record.active && oe.record.internal == internal) {
                    oe.record.active = false;
                    WriteDescriptor(batch, oid, oe.record);
                    warnings.push_back("Replaced the active " + std::string(internal ? "change" : "receive") + " descriptor");
                }
            }
        }
        r.active = active;
        DescEntry e{r, d->Public()};
        const uint32_t saved_next = e.record.next_index;
        if (range_end > e.record.next_index + m_keypool) e.record.next_index = range_end - m_keypool;
        TopUp(id, e, batch);
        e.record.next_index = saved_next;
        WriteDescriptor(batch, id, e.record);
        if (!batch.Commit()) throw WalletError(RPC_WALLET_ERROR, "Error writing the descriptor");
        m_descs[id] = e;
    }
    if (m_chain && timestamp != std::numeric_limits<int64_t>::max()) {
        // Rescan from the first block that may hold a payment (2 h slack for block times).
        const int64_t min_time = timestamp < std::numeric_limits<int64_t>::min() + 7200 ? std::numeric_limits<int64_t>::min() : timestamp - 7200;
        if (auto start = m_chain->FindFirstBlockWithTimeAtLeast(min_time)) Rescan(*start, -1);
    }
    return warnings;
}

// ------------------------------------------------------------------ tracking

bool CWallet::IsFromMe(const CTransaction& tx) const
{
    LOCK(m_cs);
    if (tx.IsCoinBase()) return false;
    for (const auto& in : tx.vin) {
        auto it = m_txs.find(in.prevout.hash);
        if (it == m_txs.end() || in.prevout.n >= it->second.tx->vout.size()) return false;
        if (!IsMine(it->second.tx->vout[in.prevout.n].script_pubkey)) return false;
    }
    return true;
}

CAmount CWallet::GetDebit(const CTransaction& tx) const
{
    LOCK(m_cs);
    CAmount debit = 0;
    if (tx.IsCoinBase()) return 0;
    for (const auto& in : tx.vin) {
        auto it = m_txs.find(in.prevout.hash);
        if (it == m_txs.end() || in.prevout.n >= it->second.tx->vout.size()) continue;
        const CTxOut& out = it->second.tx->vout[in.prevout.n];
        if (IsMine(out.script_pubkey)) debit += out.value;
    }
    return debit;
}

CAmount CWallet::GetCredit(const CTransaction& tx) const
{
    LOCK(m_cs);
    CAmount credit = 0;
    for (const auto& out : tx.vout) if (IsMine(out.script_pubkey)) credit += out.value;
    return credit;
}

bool CWallet::IsRelevant(const CTransaction& tx) const
{
    for (const auto& out : tx.vout) if (m_scripts.count(out.script_pubkey)) return true;
    if (!tx.IsCoinBase()) {
        for (const auto& in : tx.vin) {
            auto it = m_txs.find(in.prevout.hash);
            if (it != m_txs.end() && in.prevout.n < it->second.tx->vout.size() &&
                m_scripts.count(it->second.tx->vout[in.prevout.n].script_pubkey)) {
                return true;
            }
        }
    }
    return false;
}

void CWallet::MarkUsed(const CTransaction& tx, WalletBatch& batch)
{
    for (const auto& out : tx.vout) {
        auto it = m_scripts.find(out.script_pubkey);
        if (it == m_scripts.end()) continue;
        DescEntry& e = m_descs.at(it->second.first);
        if (it->second.second >= e.record.next_index) {
            e.record.next_index = it->second.second + 1;
            const std::string id = it->second.first; // TopUp may rehash m_scripts
            TopUp(id, e, batch);
        }
    }
}

bool CWallet::SyncTransaction(const CTransactionRef& tx, const uint256& block_hash, int height, int64_t block_time, WalletBatch& batch)
{
    const uint256 txid = tx->GetTxid();
    // A confirmed transaction conflicts with unconfirmed wallet transactions spending the same coins.
    if (height >= 0 && !tx->IsCoinBase()) {
        std::set<COutPoint> spends;
        for (const auto& in : tx->vin) spends.insert(in.prevout);
        for (auto& [otxid, w] : m_txs) {
            if (otxid == txid || w.IsConfirmed() || w.tx->IsCoinBase()) continue;
            for (const auto& in : w.tx->vin) {
                if (spends.count(in.prevout)) {
                    w.conflict_block = block_hash;
                    w.conflict_height = height;
                    WriteTx(batch, w);
                    break;
                }
            }
        }
    }
    auto it = m_txs.find(txid);
    if (it == m_txs.end()) {
        if (!IsRelevant(*tx)) return false;
        WalletTx w;
        w.tx = tx;
        w.time = height >= 0 ? block_time : Now();
        w.from_me = IsFromMe(*tx);
        if (w.from_me) {
            CAmount out = 0;
            for (const auto& o : tx->vout) out += o.value;
            w.fee = GetDebit(*tx) - out;
        }
        it = m_txs.emplace(txid, w).first;
    }
    WalletTx& w = it->second;
    if (height >= 0) {
        w.block_hash = block_hash;
        w.block_height = height;
        w.abandoned = false;
        w.conflict_block.SetNull();
        w.conflict_height = -1;
    }
    WriteTx(batch, w);
    MarkUsed(*tx, batch);
    return true;
}

void CWallet::BlockConnected(const std::shared_ptr<const CBlock>& block, const interfaces::BlockInfo& info)
{
    LOCK(m_cs);
    WalletBatch batch(*m_db);
    for (const auto& tx : block->vtx) SyncTransaction(tx, info.hash, info.height, info.time, batch);
    WriteBestBlock(batch, info.hash, info.height);
    if (!batch.Commit() && m_chain) {
        // The wallet would silently fall behind the chain: a database failure is fatal.
        m_chain->FatalError("Wallet " + m_name + ": cannot write block " + info.hash.GetHex() +
                            " to " + m_db->Path() + ": " + m_db->LastError());
    }
}

void CWallet::BlockDisconnected(const std::shared_ptr<const CBlock>& block, const interfaces::BlockInfo& info)
{
    LOCK(m_cs);
    WalletBatch batch(*m_db);
    const uint256& hash = info.hash;
    for (auto& [txid, w] : m_txs) {
        bool changed = false;
        if (w.block_hash == hash) {
            w.block_hash.SetNull();
            w.block_height = -1;
            changed = true;
        }
        if (w.conflict_block == hash) {
            w.conflict_block.SetNull();
            w.conflict_height = -1;
            changed = true;
        }
        if (changed) WriteTx(batch, w);
    }
    if (!info.prev_hash.IsNull()) WriteBestBlock(batch, info.prev_hash, info.height - 1);
    if (!batch.Commit() && m_chain) {
        m_chain->FatalError("Wallet " + m_name + ": cannot write the disconnect of block " + hash.GetHex() +
                            " to " + m_db->Path() + ": " + m_db->LastError());
    }
}

std::pair<int, int> CWallet::Rescan(int start_height, int stop_height)
{
    if (!m_chain) throw WalletError(RPC_WALLET_ERROR, "Wallet is not attached to a chain");
    LOCK(m_cs);
    return RescanLocked(start_height, stop_height);
}

std::pair<int, int> CWallet::RescanLocked(int start_height, int stop_height)
{
    if (!m_chain) throw WalletError(RPC_WALLET_ERROR, "Wallet is not attached to a chain");
    WalletBatch batch(*m_db);
    std::string err;
    // One pass under the chainstate lock (ScanBlocks): no block comes or goes meanwhile.
    const auto scanned = m_chain->ScanBlocks(start_height, stop_height, [&](const CBlock& block, const interfaces::BlockInfo& info) {
        AssertLockHeld(m_cs); // held by the caller; ScanBlocks calls back on this thread
        for (const auto& tx : block.vtx) SyncTransaction(tx, info.hash, info.height, info.time, batch);
    }, &err);
    if (!scanned) throw WalletError(RPC_MISC_ERROR, err);
    if (!batch.Commit()) throw WalletError(RPC_WALLET_ERROR, "Error writing rescan results");
    return *scanned;
}

int CWallet::GetDepth(const WalletTx& w) const
{
    const int tip = TipHeight();
    if (w.IsConfirmed()) return tip - w.block_height + 1;
    if (w.IsConflicted()) return -(tip - w.conflict_height + 1);
    return 0;
}

std::set<COutPoint> CWallet::SpentOutpoints() const
{
    std::set<COutPoint> spent;
    for (const auto& [txid, w] : m_txs) {
        if (w.tx->IsCoinBase() || (!w.IsConfirmed() && (w.abandoned || w.IsConflicted()))) continue;
        for (const auto& in : w.tx->vin) spent.insert(in.prevout);
    }
    return spent;
}

std::vector<WalletOutput> CWallet::ListUnspent(int min_depth, int max_depth, bool include_untrusted) const
{
    LOCK(m_cs);
    std::vector<WalletOutput> out;
    const auto spent = SpentOutpoints();
    for (const auto& [txid, w] : m_txs) {
        const int depth = GetDepth(w);
        if (depth < 0 || (depth == 0 && (w.abandoned || w.tx->IsCoinBase()))) continue; // a coinbase off the chain is void
        if (depth < min_depth || depth > max_depth) continue;
        if (w.tx->IsCoinBase() && depth < COINBASE_MATURITY + 1) continue;
        bool trusted = depth >= 1 || (w.from_me && (!m_chain || m_chain->IsInMempool(txid)));
        if (!trusted && !include_untrusted) continue;
        for (uint32_t i = 0; i < w.tx->vout.size(); ++i) {
            const CTxOut& o = w.tx->vout[i];
            auto sit = m_scripts.find(o.script_pubkey);
            if (sit == m_scripts.end()) continue;
            COutPoint op{txid, i};
            if (spent.count(op)) continue;
            WalletOutput wo;
            wo.outpoint = op;
            wo.txout = o;
            wo.depth = depth;
            wo.coinbase = w.tx->IsCoinBase();
            wo.trusted = trusted;
            wo.desc_id = sit->second.first;
            wo.index = sit->second.second;
            wo.change = m_descs.at(wo.desc_id).record.internal;
            wo.solvable = true;
            wo.ownership = OwnershipOutputModel(*w.tx, i);
            out.push_back(wo);
        }
    }
    return out;
}

WalletBalance CWallet::GetBalance(int min_depth) const
{
    LOCK(m_cs);
    WalletBalance b;
    const auto spent = SpentOutpoints();
    for (const auto& [txid, w] : m_txs) {
        const int depth = GetDepth(w);
        if (depth < 0 || (depth == 0 && (w.abandoned || w.tx->IsCoinBase()))) continue;
        const bool immature = w.tx->IsCoinBase() && depth < COINBASE_MATURITY + 1;
        const bool trusted = depth >= 1 || (w.from_me && (!m_chain || m_chain->IsInMempool(txid)));
        for (uint32_t i = 0; i < w.tx->vout.size(); ++i) {
            const CTxOut& o = w.tx->vout[i];
            if (!m_scripts.count(o.script_pubkey) || spent.count(COutPoint{txid, i})) continue;
            if (OwnershipOutputModel(*w.tx, i)) continue; // a model's ownership, not money to spend
            if (immature) {
                b.immature += o.value;
            } else if (trusted && depth >= min_depth) {
                b.trusted += o.value;
            } else if (!trusted && depth == 0) {
                b.untrusted_pending += o.value;
            }
        }
    }
    return b;
}

std::map<uint256, WalletTx> CWallet::Transactions() const
{
    LOCK(m_cs);
    return m_txs;
}

std::optional<WalletTx> CWallet::GetTx(const uint256& txid) const
{
    LOCK(m_cs);
    auto it = m_txs.find(txid);
    if (it == m_txs.end()) return std::nullopt;
    return it->second;
}

void CWallet::AbandonTransaction(const uint256& txid)
{
    LOCK(m_cs);
    auto it = m_txs.find(txid);
    if (it == m_txs.end()) throw WalletError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
    if (GetDepth(it->second) != 0 || (m_chain && m_chain->IsInMempool(txid))) {
        throw WalletError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not eligible for abandonment");
    }
    // Descendants in the wallet that spend its outputs are abandoned too.
    std::vector<uint256> todo{txid};
    WalletBatch batch(*m_db);
    while (!todo.empty()) {
        const uint256 cur = todo.back();
        todo.pop_back();
        auto& w = m_txs.at(cur);
        if (w.abandoned || w.IsConfirmed()) continue;
        w.abandoned = true;
        WriteTx(batch, w);
        for (const auto& [otxid, ow] : m_txs) {
            for (const auto& in : ow.tx->vin) {
                if (in.prevout.hash == cur) {
                    todo.push_back(otxid);
                    break;
                }
            }
        }
    }
    if (!batch.Commit()) throw WalletError(RPC_WALLET_ERROR, "Error writing the wallet");
}

// ------------------------------------------------------------------ sending

CAmount CWallet::EstimateFeeRate() const
{
    // Median fee rate of the non-coinbase transactions of the last FEE_ESTIMATE_BLOCKS blocks
    // (the node computes it from its block and undo data); -fallbackfee when they hold none.
    // Never below the mempool's minimum or the minimum relay fee.
    CAmount rate = m_fallback_fee;
    if (m_chain) {
        if (auto median = m_chain->MedianFeeRate(FEE_ESTIMATE_BLOCKS)) rate = *median;
        rate = std::max<CAmount>(rate, m_chain->MempoolMinFeeRate());
    }
    return std::max<CAmount>(rate, NO_CHAIN_MIN_FEE_RATE);
}

std::optional<CTxOut> CWallet::FindSpentOutput(const COutPoint& prevout) const
{
    {
        LOCK(m_cs);
        auto it = m_txs.find(prevout.hash);
        if (it != m_txs.end() && prevout.n < it->second.tx->vout.size()) return it->second.tx->vout[prevout.n];
    }
    if (!m_chain) return std::nullopt;
    return m_chain->GetUnspentOutput(prevout);
}

bool CWallet::SignTransaction(CMutableTransaction& mtx, const std::vector<CTxOut>& spent, std::vector<std::string>& errors)
{
    LOCK(m_cs);
    if (m_disable_private_keys) throw WalletError(RPC_WALLET_ERROR, "Error: Private keys are disabled for this wallet");
    std::map<std::string, Descriptor> privs;
    bool all = true;
    for (unsigned i = 0; i < mtx.vin.size(); ++i) {
        auto it = m_scripts.find(spent[i].script_pubkey);
        if (it == m_scripts.end()) {
            errors.push_back("Input " + std::to_string(i) + " does not spend a wallet output");
            all = false;
            continue;
        }
        auto pit = privs.find(it->second.first);
        if (pit == privs.end()) {
            auto d = PrivateDescriptor(it->second.first); // throws -13 when locked
            if (!d) {
                errors.push_back("Input " + std::to_string(i) + ": no private key (watch-only descriptor)");
                all = false;
                continue;
            }
            pit = privs.emplace(it->second.first, *d).first;
        }
        auto key = pit->second.PrivKeyAt(it->second.second);
        std::string err;
        if (!key || !SignTaprootKeyPath(mtx, i, spent, *key, 0x00, &err)) {
            errors.push_back("Input " + std::to_string(i) + ": " + (key ? err : std::string("key derivation failed")));
            all = false;
        }
    }
    return all;
}

CreatedTx CWallet::CreateTransaction(const std::vector<Recipient>& recipients, CAmount fee_rate_per_kvb,
                                     const CreateOptions& options)
{
    LOCK(m_cs);
    if (m_disable_private_keys) throw WalletError(RPC_WALLET_ERROR, "Error: Private keys are disabled for this wallet");
    if (IsCrypted()) {
        CheckRelock();
        if (!m_master) throw WalletError(RPC_WALLET_UNLOCK_NEEDED, UNLOCK_NEEDED);
    }
    if (recipients.empty()) throw WalletError(RPC_INVALID_PARAMETER, "Transaction must have at least one recipient");
    CAmount out_sum = 0;
    size_t n_subtract = 0;
    int64_t outputs_vsize = 0;
    for (const auto& r : recipients) {
        // A data carrier (OP_RETURN, e.g. the ODA output of fundrawtransaction) can never be
        // spent: zero is its natural value, and no dust rule applies to it.
        const bool data_carrier = !r.script.empty() && r.script[0] == OP_RETURN;
        outputs_vsize += static_cast<int64_t>(SerializeToBytes(CTxOut{r.amount, r.script}).size());
        if (data_carrier) {
            if (r.amount < 0 || r.subtract_fee) throw WalletError(RPC_TYPE_ERROR, "Invalid amount for send");
            if (!MoneyRange(out_sum + r.amount)) throw WalletError(RPC_TYPE_ERROR, "Amount out of range");
            out_sum += r.amount;
            continue;
        }
        if (r.amount <= 0) throw WalletError(RPC_TYPE_ERROR, "Invalid amount for send");
        if (!MoneyRange(r.amount) || !MoneyRange(out_sum + r.amount)) throw WalletError(RPC_TYPE_ERROR, "Amount out of range");
        out_sum += r.amount;
        if (r.subtract_fee) ++n_subtract;
        if (!r.subtract_fee && r.amount < TAPROOT_DUST_THRESHOLD) throw WalletError(RPC_WALLET_ERROR, "Transaction amount too small");
    }
    const CAmount rate = fee_rate_per_kvb >= 0 ? fee_rate_per_kvb : EstimateFeeRate();
    const CAmount min_rate = m_chain ? m_chain->MempoolMinFeeRate() : NO_CHAIN_MIN_FEE_RATE;
    if (fee_rate_per_kvb >= 0 && rate < min_rate) {
        throw WalletError(RPC_WALLET_ERROR, "Fee rate (" + FormatRate(rate) + " units/vB) is lower than the minimum fee rate setting (" +
                                                FormatRate(min_rate) + " units/vB)");
    }

    std::vector<CoinCandidate> candidates;
    if (options.extra_fee < 0 || !MoneyRange(options.extra_fee)) throw WalletError(RPC_INVALID_PARAMETER, "Invalid extra fee");
    for (const auto& o : ListUnspent(0, std::numeric_limits<int>::max(), false)) {
        if (o.ownership) continue; // spending it would give up (or invalidate) a model's ownership
        CoinCandidate c;
        c.outpoint = o.outpoint;
        c.txout = o.txout;
        candidates.push_back(c);
    }
    const int64_t base_vsize = TX_OVERHEAD_VSIZE + outputs_vsize;
    SelectionParams p;
    p.fee_rate_per_kvb = n_subtract ? 0 : rate;
    if (options.extra_fee > 0 && n_subtract) throw WalletError(RPC_INVALID_PARAMETER, "An extra fee cannot be subtracted from the amounts");
    p.target = n_subtract ? out_sum : out_sum + FeeForVsize(rate, base_vsize) + options.extra_fee;
    p.change_fee = n_subtract ? 0 : FeeForVsize(rate, TAPROOT_OUTPUT_VSIZE);
    p.cost_of_change = n_subtract ? 0 : p.change_fee + FeeForVsize(rate, TAPROOT_INPUT_VSIZE);
    std::string err;
    auto sel = SelectCoins(candidates, p, &err);
    if (!sel) throw WalletError(RPC_WALLET_INSUFFICIENT_FUNDS, err);

    CMutableTransaction mtx;
    mtx.version = 2;
    for (const auto& c : sel->inputs) mtx.vin.emplace_back(c.outpoint, 0xfffffffd);
    for (const auto& r : recipients) mtx.vout.push_back(CTxOut{r.amount, r.script});
    CAmount change = sel->change;
    CAmount fee = sel->input_value - out_sum - change;
    if (n_subtract) {
        // Fee of the final shape, taken from the recipients that pay it.
        const int64_t vsize_no_change = base_vsize + TAPROOT_INPUT_VSIZE * static_cast<int64_t>(mtx.vin.size());
        const CAmount excess = sel->input_value - out_sum;
        CAmount needed = FeeForVsize(rate, vsize_no_change + TAPROOT_OUTPUT_VSIZE);
        if (excess >= TAPROOT_DUST_THRESHOLD) {
            change = excess;
        } else {
            change = 0;
            needed = std::max<CAmount>(0, FeeForVsize(rate, vsize_no_change) - excess);
        }
        const CAmount share = needed / static_cast<CAmount>(n_subtract);
        CAmount remainder = needed - share * static_cast<CAmount>(n_subtract);
        for (size_t i = 0; i < recipients.size(); ++i) {
            if (!recipients[i].subtract_fee) continue;
            mtx.vout[i].value -= share + remainder;
            remainder = 0;
            if (mtx.vout[i].value < TAPROOT_DUST_THRESHOLD) throw WalletError(RPC_WALLET_ERROR, "The transaction amount is too small to pay the fee");
        }
        CAmount outs = 0;
        for (const auto& o : mtx.vout) outs += o.value;
        fee = sel->input_value - outs - change;
    }
    int change_pos = -1;
    if (change > 0) {
        const std::string addr = GetNewAddress(true);
        auto spk = DecodeDestination(addr, m_hrp);
        uint8_t r = 0;
        GetStrongRandBytes(&r, 1);
        change_pos = options.change_last ? static_cast<int>(mtx.vout.size()) : static_cast<int>(r % (mtx.vout.size() + 1));
        mtx.vout.insert(mtx.vout.begin() + change_pos, CTxOut{change, *spk});
    }
    if (fee > MAX_TX_FEE) throw WalletError(RPC_WALLET_ERROR, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)");
    std::vector<CTxOut> spent;
    for (const auto& c : sel->inputs) spent.push_back(c.txout);
    std::vector<std::string> errors;
    if (!SignTransaction(mtx, spent, errors)) throw WalletError(RPC_WALLET_ERROR, "Signing transaction failed: " + (errors.empty() ? std::string() : errors.front()));
    return CreatedTx{MakeTransactionRef(std::move(mtx)), fee, change_pos};
}

void CWallet::CommitTransaction(const CTransactionRef& tx, CAmount fee)
{
    if (m_chain) {
        std::string reason;
        if (!m_chain->BroadcastTransaction(tx, &reason)) {
            throw WalletError(RPC_VERIFY_REJECTED, "Transaction rejected by the mempool: " + reason);
        }
    }
    LOCK(m_cs);
    WalletBatch batch(*m_db);
    SyncTransaction(tx, uint256(), -1, 0, batch);
    auto& w = m_txs.at(tx->GetTxid());
    w.from_me = true;
    w.fee = fee;
    WriteTx(batch, w);
    if (!batch.Commit()) throw WalletError(RPC_WALLET_ERROR, "Error: the transaction was sent but writing it to the wallet failed");
}

CAmount CWallet::FundTransaction(CMutableTransaction& mtx, CAmount fee_rate_per_kvb, int& change_pos)
{
    std::vector<Recipient> recipients;
    for (const auto& o : mtx.vout) recipients.push_back(Recipient{o.script_pubkey, o.value, false});
    if (!mtx.vin.empty()) throw WalletError(RPC_INVALID_PARAMETER, "fundrawtransaction with preset inputs is not supported");
    const int wanted_pos = change_pos;
    if (wanted_pos > static_cast<int>(mtx.vout.size())) throw WalletError(RPC_INVALID_PARAMETER, "changePosition out of bounds");
    CreatedTx created = CreateTransaction(recipients, fee_rate_per_kvb);
    CMutableTransaction funded;
    funded.version = created.tx->version;
    funded.vin = created.tx->vin;
    funded.vout = created.tx->vout;
    funded.lock_time = created.tx->lock_time;
    for (auto& in : funded.vin) in.witness.stack.clear(); // unsigned, like Bitcoin Core's result
    change_pos = created.change_pos;
    if (wanted_pos >= 0 && change_pos >= 0 && change_pos != wanted_pos) {
        // The inputs are unsigned, so moving an output invalidates nothing.
        const CTxOut change = funded.vout[change_pos];
        funded.vout.erase(funded.vout.begin() + change_pos);
        funded.vout.insert(funded.vout.begin() + wanted_pos, change);
        change_pos = wanted_pos;
    }
    mtx = funded;
    return created.fee;
}

// ------------------------------------------------------------------ encryption

bool CWallet::IsCrypted() const
{
    LOCK(m_cs);
    return m_master_record.has_value();
}

bool CWallet::IsLocked() const
{
    LOCK(m_cs);
    if (!m_master_record) return false;
    CheckRelock();
    return !m_master.has_value();
}

int64_t CWallet::UnlockedUntil() const
{
    LOCK(m_cs);
    CheckRelock();
    return m_master ? m_relock_time : 0;
}

void CWallet::EncryptWallet(const std::string& passphrase)
{
    LOCK(m_cs);
    if (m_master_record) throw WalletError(RPC_WALLET_WRONG_ENC_STATE, "Error: running with an encrypted wallet, but encryptwallet was called.");
    if (m_disable_private_keys) throw WalletError(RPC_WALLET_ENCRYPTION_FAILED, "Error: wallet does not contain private keys, nothing to encrypt.");
    if (passphrase.empty()) throw WalletError(RPC_INVALID_PARAMETER, "passphrase cannot be empty");
    auto [master, record] = CreateMasterKey(passphrase);
    WalletBatch batch(*m_db);
    std::map<std::string, DescriptorRecord> updated;
    for (const auto& [id, e] : m_descs) {
        DescriptorRecord r = e.record;
        if (!r.private_desc.empty() && !r.encrypted) {
            r.private_desc = EncryptSecret(master, r.private_desc, id);
            r.encrypted = true;
        }
        WriteDescriptor(batch, id, r);
        updated[id] = r;
    }
    batch.Write(DbTable::META, "masterkey", SerializeToBytes(record));
    if (!batch.Commit()) throw WalletError(RPC_WALLET_ENCRYPTION_FAILED, "Error: Failed to encrypt the wallet.");
    for (auto& [id, r] : updated) m_descs.at(id).record = r;
    m_master_record = record;
    m_master.reset();
    m_relock_time = 0;
}

void CWallet::Unlock(const std::string& passphrase, int64_t timeout_seconds)
{
    LOCK(m_cs);
    if (!m_master_record) throw WalletError(RPC_WALLET_WRONG_ENC_STATE, "Error: running with an unencrypted wallet, but walletpassphrase was called.");
    auto master = UnlockMasterKey(*m_master_record, passphrase);
    if (!master) throw WalletError(RPC_WALLET_PASSPHRASE_INCORRECT, "Error: The wallet passphrase entered was incorrect.");
    m_master = *master;
    constexpr int64_t MAX_SLEEP = 100000000; // about 3 years, as Bitcoin Core caps it
    m_relock_time = Now() + std::min(std::max<int64_t>(timeout_seconds, 0), MAX_SLEEP);
}

void CWallet::Lock()
{
    LOCK(m_cs);
    if (!m_master_record) throw WalletError(RPC_WALLET_WRONG_ENC_STATE, "Error: running with an unencrypted wallet, but walletlock was called.");
    m_master.reset();
    m_relock_time = 0;
}

void CWallet::ChangePassphrase(const std::string& old_pass, const std::string& new_pass)
{
    LOCK(m_cs);
    if (!m_master_record) throw WalletError(RPC_WALLET_WRONG_ENC_STATE, "Error: running with an unencrypted wallet, but walletpassphrasechange was called.");
    if (new_pass.empty()) throw WalletError(RPC_INVALID_PARAMETER, "passphrase cannot be empty");
    auto master = UnlockMasterKey(*m_master_record, old_pass);
    if (!master) throw WalletError(RPC_WALLET_PASSPHRASE_INCORRECT, "Error: The wallet passphrase entered was incorrect.");
    EncryptedMasterKey rec = RewrapMasterKey(*master, new_pass);
    if (!m_db->Write(DbTable::META, "masterkey", SerializeToBytes(rec))) throw WalletError(RPC_WALLET_ERROR, "Error writing the new passphrase");
    m_master_record = rec;
}
