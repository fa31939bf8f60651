#include <net/net_processing.h>

#include <consensus/chainparams.h>
#include <consensus/pow.h>
#include <net/addrman.h>
#include <net/banman.h>
#include <net/fileutil.h>
#include <node/mempool.h>
#include <node/mempool_accept.h>
#include <node/validation.h>
#include <streams.h>
#include <util/logging.h>
#include <util/time.h>

#include <algorithm>
#include <ctime>

using node::CBlockIndex;

namespace net {

namespace {
constexpr int64_t HANDSHAKE_TIMEOUT = 60;
constexpr size_t MAX_RECENT_REJECTS = 50000;
constexpr size_t MAX_TX_IN_FLIGHT_PER_PEER = 5000;
constexpr int64_t TX_REQUEST_TIMEOUT = 60;
constexpr int64_t TX_ANNOUNCE_INTERVAL_US = 200'000;
constexpr size_t MAX_BLOCKS_TO_ANNOUNCE_AS_HEADERS = 8;
//! How long a getheaders may stay unanswered before another may be sent to the same peer.
constexpr int64_t GETHEADERS_RESPONSE_TIMEOUT = 120;
constexpr double ADDR_TOKENS_PER_SECOND = 0.1;
constexpr double MAX_ADDR_TOKENS = 1000;

int64_t MonoSeconds() { return GetMonotonicMicros() / 1'000'000; }
uint64_t RandomNonce()
{
    uint64_t n = RandomSeed();
    return n ? n : 1;
}
} // namespace

struct PeerManager::Peer {
    bool got_version{false};
    bool handshake_done{false};
    bool sent_version{false};
    bool got_getaddr{false};
    bool prefer_headers{false};
    bool relay_txs{true};
    int32_t version{0};
    uint64_t services{0};
    int32_t start_height{-1};
    std::string user_agent;
    uint16_t torrent_port{0};
    uint64_t local_nonce{0};
    int misbehavior{0};
    int64_t connect_mono{0};
    // Sync
    const CBlockIndex* best_known{nullptr};
    //! A getheaders is outstanding (sent, no connecting headers reply yet) since this time.
    bool getheaders_pending{false};
    int64_t getheaders_sent_mono{0};
    int blocks_in_flight{0};
    std::vector<uint256> blocks_to_announce;
    // Ping
    uint64_t ping_nonce{0};
    int64_t ping_start_us{0};
    int64_t last_ping_us{0};
    int64_t ping_usec{-1};
    int64_t min_ping_usec{-1};
    // Tx relay
    std::set<uint256> tx_known;
    std::map<uint256, int64_t> tx_requested; //!< txid -> request time (mono seconds)
    int64_t next_tx_announce_us{0};
    // getdata requests not served yet (served while the send buffer has room)
    std::deque<CInv> getdata_queue;
    // addr rate limit
    double addr_tokens{MAX_ADDR_TOKENS};
    int64_t addr_token_time_us{0};
};

PeerManager::PeerManager(CConnman& connman, AddrMan* addrman, BanMan* banman, node::ChainstateManager& chainman,
                         CTxMemPool* mempool, PeerManagerOptions opts)
    : m_connman(connman), m_addrman(addrman), m_banman(banman), m_chainman(chainman), m_mempool(mempool),
      m_opts(opts)
{
    {
        LOCK(m_chainman.Mutex()); // the tip and the registration are one step: no tip change is missed
        const node::CBlockIndex* tip = m_chainman.ActiveTip();
        {
            LOCK(m_stats_mutex);
            m_stats_tip = tip;
        }
        m_chainman.Signals().Register(this);
    }
}

PeerManager::~PeerManager() { m_chainman.Signals().Unregister(this); }

int64_t PeerManager::Now() const { return m_connman.Now(); }

bool PeerManager::IsInitialBlockDownload() const { return m_chainman.IsInitialBlockDownload(); }

// ------------------------------------------------------------------ validation callbacks

void PeerManager::UpdatedBlockTip(const CBlockIndex* new_tip, const CBlockIndex* fork_point, bool initial_download)
{
    {
        LOCK(m_stats_mutex);
        m_stats_tip = new_tip;
    }
    if (initial_download || !new_tip) return;
    std::vector<uint256> hashes;
    for (const CBlockIndex* i = new_tip; i && i != fork_point && hashes.size() < MAX_BLOCKS_TO_ANNOUNCE_AS_HEADERS; i = i->pprev) {
        hashes.push_back(i->GetBlockHash());
    }
    std::reverse(hashes.begin(), hashes.end());
    LOCK(m_announce_mutex);
    m_blocks_to_announce.insert(m_blocks_to_announce.end(), hashes.begin(), hashes.end());
    m_connman.WakeMessageHandler();
}

void PeerManager::BlockChecked(const std::shared_ptr<const CBlock>& block, const BlockValidationState& state)
{
    LOCK(m_announce_mutex);
    m_block_verdicts.emplace_back(block->GetHash(), state);
}

void PeerManager::BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index)
{
    {
        LOCK(m_stats_mutex);
        m_stats_tip = index;
    }
    LOCK(m_announce_mutex);
    m_connected_blocks.push_back(block);
}

void PeerManager::BlockDisconnected(const std::shared_ptr<const CBlock>&, const CBlockIndex* index)
{
    LOCK(m_stats_mutex);
    m_stats_tip = index->pprev;
}

// ------------------------------------------------------------------ life cycle

void PeerManager::InitializeNode(CNode& node)
{
    auto peer = std::make_unique<Peer>();
    peer->connect_mono = MonoSeconds();
    peer->last_ping_us = GetMonotonicMicros();
    peer->addr_token_time_us = GetMonotonicMicros();
    Peer& p = *peer;
    m_peers[node.id] = std::move(peer);
    if (!node.IsInbound()) PushVersion(node, p);
    UpdateStats(node, p);
}

void PeerManager::FinalizeNode(CNode& node)
{
    auto it = m_peers.find(node.id);
    if (it != m_peers.end()) {
        for (auto b = m_blocks_in_flight.begin(); b != m_blocks_in_flight.end();) {
            b = b->second.first == node.id ? m_blocks_in_flight.erase(b) : std::next(b);
        }
        for (auto b = m_block_sources.begin(); b != m_block_sources.end();) {
            b = b->second == node.id ? m_block_sources.erase(b) : std::next(b);
        }
        m_local_nonces.erase(it->second->local_nonce);
        m_peers.erase(it);
    }
    m_orphanage.EraseForPeer(node.id);
    LOCK(m_stats_mutex);
    m_stats.erase(node.id);
}

void PeerManager::PushVersion(CNode& node, Peer& peer)
{
    VersionMessage v;
    v.time = Now();
    v.addr_recv = node.addr;
    v.addr_recv_services = peer.services;
    v.nonce = RandomNonce();
    v.start_height = m_chainman.ActiveHeight();
    v.relay = m_opts.relay_txs;
    v.torrent_port = m_opts.torrent_port;
    peer.local_nonce = v.nonce;
    m_local_nonces.insert(v.nonce);
    peer.sent_version = true;
    m_connman.PushMessage(node, msgtype::VERSION, SerializeToBytes(v));
}

void PeerManager::Misbehaving(CNode& node, Peer& peer, int howmuch, const std::string& reason)
{
    peer.misbehavior += howmuch;
    LogPrintf("P2P: misbehaving peer=%lld (%s) +%d -> %d: %s\n", static_cast<long long>(node.id),
              node.addr.ToString().c_str(), howmuch, peer.misbehavior, reason.c_str());
    if (peer.misbehavior < 100) return;
    // Discouragement refuses every later connection from the address. A loopback address is
    // shared by everything on this host (honest local nodes, wallets, tests), and whitelisted
    // or manually added peers were chosen by the operator: those are only disconnected.
    const char* spared = node.whitelisted                             ? "whitelisted"
                         : node.conn_type == ConnectionType::MANUAL ? "manually added"
                         : node.addr.IsLocal()                      ? "local"
                                                                    : nullptr;
    if (spared) {
        LogPrintf("P2P: disconnecting %s peer=%lld (%s) without discouraging its address\n", spared,
                  static_cast<long long>(node.id), node.addr.ToString().c_str());
    } else {
        if (m_banman) m_banman->Discourage(node.addr);
        LogPrintf("P2P: disconnecting and discouraging peer=%lld (%s)\n", static_cast<long long>(node.id), node.addr.ToString().c_str());
    }
    node.disconnect = true;
}

// ------------------------------------------------------------------ receiving

bool PeerManager::ProcessMessages(CNode& node)
{
    auto it = m_peers.find(node.id);
    if (it == m_peers.end()) return false;
    Peer& peer = *it->second;
    if (!peer.getdata_queue.empty()) {
        // Finish earlier requests before reading more (as Bitcoin Core): bounds what one peer
        // can make us queue for sending.
        ServeGetData(node, peer);
        if (!peer.getdata_queue.empty()) return false;
    }
    bool resume = false;
    std::optional<NetMessage> msg = node.PopMessage(m_connman.Options().max_receive_buffer, resume);
    if (resume) m_connman.WakeMessageHandler();
    if (!msg) return false;
    if (!msg->checksum_ok) {
        Misbehaving(node, peer, 10, "bad checksum in " + msg->command + " message");
        return true;
    }
    try {
        ProcessMessage(node, peer, msg->command, msg->payload);
    } catch (const SerializationError& e) {
        Misbehaving(node, peer, 100, "malformed " + msg->command + " message: " + e.what());
    } catch (const std::exception& e) {
        LogPrintf("P2P: error processing %s from peer=%lld: %s\n", msg->command.c_str(), static_cast<long long>(node.id), e.what());
    }
    UpdateStats(node, peer);
    return true;
}

void PeerManager::ProcessMessage(CNode& node, Peer& peer, const std::string& command, const std::vector<uint8_t>& payload)
{
    LogDebug(BCLog::NET, "received %s (%zu bytes) peer=%lld\n", command.c_str(), payload.size(), static_cast<long long>(node.id));

    if (command == msgtype::VERSION) {
        if (peer.got_version) {
            Misbehaving(node, peer, 100, "duplicate version");
            return;
        }
        const VersionMessage v = ParseVersionMessage(payload);
        if (m_local_nonces.count(v.nonce)) {
            LogPrintf("P2P: connected to self at %s, disconnecting\n", node.addr.ToString().c_str());
            node.disconnect = true;
            return;
        }
        if (v.version < MIN_PEER_PROTO_VERSION) {
            LogPrintf("P2P: peer=%lld uses obsolete version %d, disconnecting\n", static_cast<long long>(node.id), v.version);
            node.disconnect = true;
            return;
        }
        peer.got_version = true;
        peer.version = v.version;
        peer.services = v.services;
        peer.start_height = v.start_height;
        peer.user_agent = v.user_agent;
        peer.relay_txs = v.relay;
        peer.torrent_port = v.torrent_port;
        if (node.IsInbound() && !peer.sent_version) PushVersion(node, peer);
        m_connman.PushMessage(node, msgtype::VERACK, {});
        return;
    }
    if (!peer.got_version) {
        LogDebug(BCLog::NET, "peer=%lld sent %s before version, disconnecting\n", static_cast<long long>(node.id), command.c_str());
        node.disconnect = true;
        return;
    }
    if (command == msgtype::VERACK) {
        if (peer.handshake_done) return;
        peer.handshake_done = true;
        LogPrintf("P2P: new %s peer=%lld %s version=%d agent=%s height=%d torrent_port=%u\n",
                  node.IsInbound() ? "inbound" : "outbound", static_cast<long long>(node.id), node.addr.ToString().c_str(),
                  peer.version, peer.user_agent.c_str(), peer.start_height, peer.torrent_port);
        m_connman.PushMessage(node, msgtype::SENDHEADERS, {});
        if (!node.IsInbound()) {
            if (m_addrman) {
                CAddress a;
                a.service = node.addr;
                a.services = peer.services;
                a.time = static_cast<uint32_t>(Now());
                m_addrman->Add({a}, node.addr, Now());
                m_addrman->Good(node.addr, Now());
            }
            m_connman.PushMessage(node, msgtype::GETADDR, {});
        }
        LOCK(m_chainman.Mutex());
        // The first locator starts one block below our best header, so that a peer at the same
        // header tip still answers with at least that header, which sets its best known block.
        // Otherwise a node restarted with headers ahead of its blocks (killed mid-sync) would
        // never learn that its only peer has those blocks, and would not download them until
        // a new block is announced.
        const CBlockIndex* best = m_chainman.BestHeader();
        SendGetHeaders(node, peer, best && best->pprev ? best->pprev : best);
        return;
    }
    if (!peer.handshake_done) return; // ignore anything else until the handshake is done

    if (command == msgtype::PING) {
        uint64_t nonce;
        DeserializeExact(payload, nonce);
        m_connman.PushMessage(node, msgtype::PONG, SerializeToBytes(nonce));
    } else if (command == msgtype::PONG) {
        uint64_t nonce;
        DeserializeExact(payload, nonce);
        if (peer.ping_nonce != 0 && nonce == peer.ping_nonce) {
            peer.ping_usec = GetMonotonicMicros() - peer.ping_start_us;
            if (peer.min_ping_usec < 0 || peer.ping_usec < peer.min_ping_usec) peer.min_ping_usec = peer.ping_usec;
            peer.ping_nonce = 0;
        }
    } else if (command == msgtype::SENDHEADERS) {
        peer.prefer_headers = true;
    } else if (command == msgtype::GETADDR) {
        if (!node.IsInbound() || peer.got_getaddr || !m_addrman) return; // once, inbound only
        peer.got_getaddr = true;
        auto addrs = m_addrman->GetAddr(MAX_ADDR_TO_SEND, 23);
        m_connman.PushMessage(node, msgtype::ADDR, SerializeToBytes(addrs));
    } else if (command == msgtype::ADDR) {
        SpanReader r(payload);
        const uint64_t n = ReadCompactSize(r);
        if (n > MAX_ADDR_TO_SEND) {
            Misbehaving(node, peer, 100, "addr message with " + std::to_string(n) + " entries");
            return;
        }
        std::vector<CAddress> addrs(n);
        for (auto& a : addrs) Unserialize(r, a);
        if (!r.empty()) throw SerializationError("trailing bytes in addr");
        const int64_t now_us = GetMonotonicMicros();
        peer.addr_tokens = std::min(MAX_ADDR_TOKENS, peer.addr_tokens + (now_us - peer.addr_token_time_us) / 1e6 * ADDR_TOKENS_PER_SECOND);
        peer.addr_token_time_us = now_us;
        const size_t allowed = static_cast<size_t>(std::max(0.0, peer.addr_tokens));
        if (addrs.size() > allowed) addrs.resize(allowed); // rate limited: excess dropped silently
        peer.addr_tokens -= static_cast<double>(addrs.size());
        if (m_addrman && !addrs.empty()) m_addrman->Add(addrs, node.addr, Now());
    } else if (command == msgtype::INV) {
        // A malformed payload throws SerializationError: ProcessMessages scores it (100).
        const std::vector<CInv> invs = ParseInv(payload);
        const bool ibd = IsInitialBlockDownload();
        const int64_t now = MonoSeconds();
        std::vector<CInv> want;
        bool need_headers = false;
        for (const CInv& inv : invs) {
            if (inv.IsBlock()) {
                LOCK(m_chainman.Mutex());
                const CBlockIndex* index = m_chainman.LookupBlockIndex(inv.hash);
                if (!index) {
                    need_headers = true;
                } else if (!peer.best_known || CompareChainWork(index->chain_work, peer.best_known->chain_work) > 0) {
                    peer.best_known = index;
                }
            } else if (inv.IsTx()) {
                if (peer.tx_known.size() >= 100000) peer.tx_known.clear(); // bound memory; worst case a re-announce
                peer.tx_known.insert(inv.hash);
                if (ibd || !m_mempool || !m_opts.relay_txs) continue;
                if (m_mempool->Exists(inv.hash) || m_orphanage.Have(inv.hash) || m_recent_rejects.count(inv.hash)) continue;
                if (peer.tx_requested.size() >= MAX_TX_IN_FLIGHT_PER_PEER || peer.tx_requested.count(inv.hash)) continue;
                peer.tx_requested[inv.hash] = now;
                want.push_back(inv);
            }
        }
        if (need_headers) {
            LOCK(m_chainman.Mutex());
            SendGetHeaders(node, peer, m_chainman.BestHeader());
        }
        if (!want.empty()) m_connman.PushMessage(node, msgtype::GETDATA, SerializeInv(want));
    } else if (command == msgtype::GETDATA) {
        const std::vector<CInv> invs = ParseInv(payload);
        peer.getdata_queue.insert(peer.getdata_queue.end(), invs.begin(), invs.end());
        ServeGetData(node, peer);
    } else if (command == msgtype::NOTFOUND) {
        for (const CInv& inv : ParseInv(payload)) {
            if (inv.IsTx()) peer.tx_requested.erase(inv.hash);
        }
    } else if (command == msgtype::GETHEADERS) {
        GetHeadersMessage req;
        SpanReader r(payload);
        Unserialize(r, req.version);
        const uint64_t n = ReadCompactSize(r);
        if (n > MAX_LOCATOR_SZ) {
            Misbehaving(node, peer, 100, "getheaders locator too large");
            return;
        }
        req.locator.resize(n);
        for (auto& h : req.locator) Unserialize(r, h);
        Unserialize(r, req.hash_stop);
        if (!r.empty()) throw SerializationError("trailing bytes in getheaders");
        std::vector<CBlockHeader> out;
        {
            LOCK(m_chainman.Mutex());
            const auto& chain = m_chainman.ActiveChain();
            const CBlockIndex* start = nullptr;
            if (req.locator.empty()) {
                const CBlockIndex* stop = m_chainman.LookupBlockIndex(req.hash_stop);
                if (stop && stop->IsValid(node::BLOCK_VALID_TREE)) out.push_back(stop->GetBlockHeader());
            } else {
                for (const uint256& h : req.locator) {
                    const CBlockIndex* idx = m_chainman.LookupBlockIndex(h);
                    if (idx && chain.Contains(idx)) {
                        start = idx;
                        break;
                    }
                }
                if (!start) start = chain.Genesis();
                for (const CBlockIndex* i = chain.Next(start); i && out.size() < MAX_HEADERS_RESULTS; i = chain.Next(i)) {
                    out.push_back(i->GetBlockHeader());
                    if (i->GetBlockHash() == req.hash_stop) break;
                }
            }
        }
        m_connman.PushMessage(node, msgtype::HEADERS, SerializeHeaders(out));
    } else if (command == msgtype::HEADERS) {
        HandleHeaders(node, peer, ParseHeaders(payload));
    } else if (command == msgtype::BLOCK) {
        auto block = std::make_shared<CBlock>();
        DeserializeExact(payload, *block);
        HandleBlock(node, peer, block);
    } else if (command == msgtype::TX) {
        CMutableTransaction mtx;
        DeserializeExact(payload, mtx);
        HandleTx(node, peer, MakeTransactionRef(std::move(mtx)));
    } else {
        LogDebug(BCLog::NET, "unknown command %s from peer=%lld ignored\n", command.c_str(), static_cast<long long>(node.id));
    }
}

void PeerManager::SendGetHeaders(CNode& node, Peer& peer, const CBlockIndex* from)
{
    // One outstanding getheaders per peer: while blocks are mined quickly, every announcement
    // can arrive before the answer to the previous request and would otherwise trigger another
    // (identical) request each time.
    const int64_t now = MonoSeconds();
    if (peer.getheaders_pending && now - peer.getheaders_sent_mono < GETHEADERS_RESPONSE_TIMEOUT) return;
    peer.getheaders_pending = true;
    peer.getheaders_sent_mono = now;
    GetHeadersMessage msg;
    LOCK(m_chainman.Mutex()); // callers usually hold it already (it is recursive)
    msg.locator = m_chainman.ActiveChain().GetLocator(from).have;
    m_connman.PushMessage(node, msgtype::GETHEADERS, SerializeToBytes(msg));
}

void PeerManager::HandleHeaders(CNode& node, Peer& peer, const std::vector<CBlockHeader>& headers)
{
    if (headers.empty()) {
        peer.getheaders_pending = false; // the peer has nothing beyond our locator
        return;
    }
    for (size_t i = 1; i < headers.size(); ++i) {
        if (headers[i].hash_prev_block != headers[i - 1].GetHash()) {
            Misbehaving(node, peer, 100, "non-continuous headers sequence");
            return;
        }
    }
    LOCK(m_chainman.Mutex());
    if (!m_chainman.LookupBlockIndex(headers[0].hash_prev_block)) {
        // We lack the parent: ask for the headers in between (a peer announcing a new tip
        // after a gap, or after a reorg, or before it answered our last getheaders). This is
        // not misbehaviour: honest peers do it whenever blocks come faster than a round trip,
        // and the cost to us is bounded by the one-outstanding-getheaders rule.
        SendGetHeaders(node, peer, m_chainman.BestHeader());
        return;
    }
    BlockValidationState state;
    const CBlockIndex* last = nullptr;
    if (!m_chainman.ProcessNewBlockHeaders(headers, state, &last)) {
        if (state.IsInvalid() && state.GetResult() != BlockValidationResult::BLOCK_TIME_FUTURE) {
            Misbehaving(node, peer, 100, "invalid header received: " + state.ToString());
        }
        return;
    }
    peer.getheaders_pending = false;
    if (last && (!peer.best_known || CompareChainWork(last->chain_work, peer.best_known->chain_work) > 0)) {
        peer.best_known = last;
    }
    if (headers.size() == MAX_HEADERS_RESULTS && last) SendGetHeaders(node, peer, last);
    RequestBlocks(node, peer);
}

void PeerManager::RemoveBlockRequest(const uint256& hash)
{
    auto it = m_blocks_in_flight.find(hash);
    if (it == m_blocks_in_flight.end()) return;
    auto p = m_peers.find(it->second.first);
    if (p != m_peers.end() && p->second->blocks_in_flight > 0) --p->second->blocks_in_flight;
    m_blocks_in_flight.erase(it);
}

bool PeerManager::PunishInvalidBlock(NodeId id, const uint256& hash, const BlockValidationState& state)
{
    if (!state.IsInvalid()) return false;
    switch (state.GetResult()) {
    case BlockValidationResult::BLOCK_MISSING_PREV:
    case BlockValidationResult::BLOCK_TIME_FUTURE:
    case BlockValidationResult::BLOCK_DATA_UNAVAILABLE:
        return false;
    default:
        break;
    }
    auto p = m_peers.find(id);
    if (p == m_peers.end()) return true; // gone already
    for (const std::shared_ptr<CNode>& n : m_connman.GetNodes()) {
        if (n->id != id) continue;
        Misbehaving(*n, *p->second, 100, "invalid block " + hash.GetHex() + ": " + state.ToString());
        break;
    }
    return true;
}

void PeerManager::ProcessBlockVerdicts()
{
    std::vector<std::pair<uint256, BlockValidationState>> verdicts;
    {
        LOCK(m_announce_mutex);
        verdicts.swap(m_block_verdicts);
    }
    for (const auto& [hash, state] : verdicts) {
        auto source = m_block_sources.find(hash);
        if (source == m_block_sources.end()) continue; // not from a peer (RPC, reindex) or already judged
        const NodeId id = source->second;
        m_block_sources.erase(source);
        PunishInvalidBlock(id, hash, state);
    }
}

void PeerManager::HandleBlock(CNode& node, Peer& peer, const std::shared_ptr<CBlock>& block)
{
    const uint256 hash = block->GetHash();
    auto inflight = m_blocks_in_flight.find(hash);
    const bool requested = inflight != m_blocks_in_flight.end() && inflight->second.first == node.id;
    RemoveBlockRequest(hash);
    bool new_block = false;
    BlockValidationState state;
    m_block_sources.emplace(hash, node.id); // the first sender answers for it
    const bool ok = m_chainman.ProcessNewBlock(block, requested, &new_block, &state);
    // Verdicts reached while processing it (this block's, or blocks that waited for it).
    ProcessBlockVerdicts();
    // Still unjudged and not stored: no verdict will come (e.g. a bad header, a known-invalid
    // block), so the immediate one stands in for it, through the same punishment.
    auto source = m_block_sources.find(hash);
    const bool pending = source != m_block_sources.end();
    if (pending && !new_block) m_block_sources.erase(source);
    if (!ok && state.IsInvalid()) {
        if (state.GetResult() == BlockValidationResult::BLOCK_MISSING_PREV) {
            LOCK(m_chainman.Mutex());
            SendGetHeaders(node, peer, m_chainman.BestHeader());
            return;
        }
        if (pending && !new_block) PunishInvalidBlock(node.id, hash, state);
        return;
    }
    if (!requested && !new_block) Misbehaving(node, peer, 20, "unrequested block " + hash.GetHex());
    if (ok) {
        LOCK(m_chainman.Mutex());
        const CBlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (index && (!peer.best_known || CompareChainWork(index->chain_work, peer.best_known->chain_work) > 0)) {
            peer.best_known = index;
        }
    }
}

void PeerManager::HandleTx(CNode& node, Peer& peer, const CTransactionRef& tx)
{
    const uint256 txid = tx->GetTxid();
    peer.tx_requested.erase(txid);
    peer.tx_known.insert(txid);
    if (!m_mempool || IsInitialBlockDownload()) return;
    if (m_mempool->Exists(txid) || m_orphanage.Have(txid)) return;
    const MempoolAcceptResult res = AcceptToMemoryPool(m_chainman, *m_mempool, tx, false);
    if (res.IsValid()) {
        LogDebug(BCLog::NET, "accepted tx %s from peer=%lld\n", txid.GetHex().c_str(), static_cast<long long>(node.id));
        ProcessOrphansOf(txid);
        m_connman.WakeMessageHandler();
        return;
    }
    if (res.state.GetResult() == TxValidationResult::TX_MISSING_INPUTS) {
        if (m_orphanage.AddTx(tx, node.id, MonoSeconds())) {
            std::vector<CInv> parents;
            const int64_t now = MonoSeconds();
            for (const auto& in : tx->vin) {
                const uint256& p = in.prevout.hash;
                if (m_mempool->Exists(p) || m_recent_rejects.count(p) || peer.tx_requested.count(p)) continue;
                peer.tx_requested[p] = now;
                parents.emplace_back(MSG_TX, p);
            }
            if (!parents.empty()) m_connman.PushMessage(node, msgtype::GETDATA, SerializeInv(parents));
        }
        return;
    }
    LogDebug(BCLog::NET, "tx %s from peer=%lld rejected: %s\n", txid.GetHex().c_str(), static_cast<long long>(node.id),
             res.state.ToString().c_str());
    if (m_recent_rejects.size() >= MAX_RECENT_REJECTS) m_recent_rejects.clear();
    m_recent_rejects.insert(txid);
}

void PeerManager::ProcessOrphansOf(const uint256& parent)
{
    std::vector<uint256> work{parent};
    size_t budget = TxOrphanage::DEFAULT_MAX_ORPHANS * 2; // bounded work per arrival
    while (!work.empty() && budget > 0) {
        const uint256 p = work.back();
        work.pop_back();
        for (const auto& [child, from] : m_orphanage.GetChildren(p)) {
            if (budget-- == 0) break;
            const MempoolAcceptResult res = AcceptToMemoryPool(m_chainman, *m_mempool, child, false);
            if (res.IsValid()) {
                m_orphanage.EraseTx(child->GetTxid());
                work.push_back(child->GetTxid());
            } else if (res.state.GetResult() != TxValidationResult::TX_MISSING_INPUTS) {
                m_orphanage.EraseTx(child->GetTxid());
                m_recent_rejects.insert(child->GetTxid());
            }
        }
    }
}

void PeerManager::ServeGetData(CNode& node, Peer& peer)
{
    std::vector<CInv> notfound;
    while (!peer.getdata_queue.empty() && !node.pause_send && !node.disconnect) {
        const CInv inv = peer.getdata_queue.front();
        peer.getdata_queue.pop_front();
        if (inv.IsBlock()) {
            CBlock block;
            bool found = false;
            {
                LOCK(m_chainman.Mutex());
                const CBlockIndex* index = m_chainman.LookupBlockIndex(inv.hash);
                // Only blocks that passed validation are served (never an invalid one).
                if (index && index->HaveData() && index->IsValid(node::BLOCK_VALID_TRANSACTIONS)) {
                    found = m_chainman.ReadBlock(index, block);
                }
            }
            if (found) {
                m_connman.PushMessage(node, msgtype::BLOCK, SerializeToBytes(block));
            } else {
                notfound.push_back(inv);
            }
        } else if (inv.IsTx()) {
            CTransactionRef tx = m_mempool ? m_mempool->Get(inv.hash) : nullptr;
            if (tx) {
                m_connman.PushMessage(node, msgtype::TX, SerializeToBytes(*tx));
            } else {
                notfound.push_back(inv);
            }
        }
    }
    if (!notfound.empty()) m_connman.PushMessage(node, msgtype::NOTFOUND, SerializeInv(notfound));
}

// ------------------------------------------------------------------ sending

void PeerManager::RequestBlocks(CNode& node, Peer& peer)
{
    if (!peer.best_known || peer.blocks_in_flight >= m_opts.max_blocks_in_flight_per_peer) return;
    LOCK(m_chainman.Mutex());
    const CBlockIndex* tip = m_chainman.ActiveTip();
    if (!tip || CompareChainWork(peer.best_known->chain_work, tip->chain_work) <= 0) return;
    const auto& chain = m_chainman.ActiveChain();
    const CBlockIndex* fork = chain.FindFork(peer.best_known);
    if (!fork) return;
    const int window_end = fork->height + m_opts.block_download_window;
    const int target_height = std::min(peer.best_known->height, window_end);
    const CBlockIndex* target = peer.best_known->GetAncestor(target_height);
    std::vector<const CBlockIndex*> path;
    for (const CBlockIndex* i = target; i && i != fork; i = i->pprev) path.push_back(i);
    std::reverse(path.begin(), path.end());
    std::vector<CInv> req;
    const int64_t now = MonoSeconds();
    for (const CBlockIndex* i : path) {
        if (peer.blocks_in_flight >= m_opts.max_blocks_in_flight_per_peer) break;
        if (i->status & node::BLOCK_FAILED_MASK) break;
        if (i->HaveData() || m_blocks_in_flight.count(i->GetBlockHash())) continue;
        m_blocks_in_flight[i->GetBlockHash()] = {node.id, now};
        ++peer.blocks_in_flight;
        req.emplace_back(MSG_BLOCK, i->GetBlockHash());
    }
    if (!req.empty()) {
        LogDebug(BCLog::NET, "requesting %zu blocks from peer=%lld\n", req.size(), static_cast<long long>(node.id));
        m_connman.PushMessage(node, msgtype::GETDATA, SerializeInv(req));
    }
}

void PeerManager::AnnounceBlocks(CNode& node, Peer& peer, const std::vector<uint256>& hashes)
{
    if (hashes.empty()) return;
    LOCK(m_chainman.Mutex());
    std::vector<CBlockHeader> headers;
    for (const uint256& h : hashes) {
        const CBlockIndex* index = m_chainman.LookupBlockIndex(h);
        if (!index) continue;
        // Skip what the peer already has.
        if (peer.best_known && peer.best_known->height >= index->height &&
            peer.best_known->GetAncestor(index->height) == index) {
            continue;
        }
        headers.push_back(index->GetBlockHeader());
    }
    if (headers.empty()) return;
    if (peer.prefer_headers && headers.size() <= MAX_BLOCKS_TO_ANNOUNCE_AS_HEADERS) {
        m_connman.PushMessage(node, msgtype::HEADERS, SerializeHeaders(headers));
    } else {
        m_connman.PushMessage(node, msgtype::INV, SerializeInv({CInv(MSG_BLOCK, headers.back().GetHash())}));
    }
}

void PeerManager::AnnounceTransactions(CNode& node, Peer& peer)
{
    if (!m_mempool || !peer.relay_txs || !m_opts.relay_txs) return;
    const int64_t now_us = GetMonotonicMicros();
    if (now_us < peer.next_tx_announce_us) return;
    peer.next_tx_announce_us = now_us + TX_ANNOUNCE_INTERVAL_US;
    if (IsInitialBlockDownload()) return;
    const std::vector<uint256> txids = m_mempool->Txids();
    std::vector<CInv> inv;
    for (const uint256& txid : txids) {
        if (peer.tx_known.insert(txid).second) inv.emplace_back(MSG_TX, txid);
        if (inv.size() >= MAX_INV_SZ) break;
    }
    // Keep the known-set bounded: forget what is no longer in the mempool.
    if (peer.tx_known.size() > 2 * txids.size() + 1000) {
        std::set<uint256> keep(txids.begin(), txids.end());
        for (auto it = peer.tx_known.begin(); it != peer.tx_known.end();) {
            it = keep.count(*it) ? std::next(it) : peer.tx_known.erase(it);
        }
    }
    if (!inv.empty()) m_connman.PushMessage(node, msgtype::INV, SerializeInv(inv));
}

void PeerManager::SendMessages(CNode& node)
{
    // Distribute chain notifications queued by validation callbacks.
    std::vector<uint256> announce;
    std::vector<std::shared_ptr<const CBlock>> connected;
    {
        LOCK(m_announce_mutex);
        announce.swap(m_blocks_to_announce);
        connected.swap(m_connected_blocks);
    }
    ProcessBlockVerdicts(); // verdicts reached outside HandleBlock (e.g. a reconsidered chain)
    if (!announce.empty()) {
        for (auto& [id, p] : m_peers) p->blocks_to_announce.insert(p->blocks_to_announce.end(), announce.begin(), announce.end());
        m_recent_rejects.clear(); // a new tip may make rejected transactions valid
    }
    for (const auto& block : connected) m_orphanage.EraseForBlock(*block);
    const int64_t mono = MonoSeconds();
    if (mono - m_last_orphan_expiry >= 60) {
        m_orphanage.Expire(mono);
        m_last_orphan_expiry = mono;
    }

    auto it = m_peers.find(node.id);
    if (it == m_peers.end()) return;
    Peer& peer = *it->second;
    const int64_t now_us = GetMonotonicMicros();

    if (!peer.handshake_done) {
        if (mono - peer.connect_mono > HANDSHAKE_TIMEOUT) {
            LogPrintf("P2P: peer=%lld did not complete the handshake, disconnecting\n", static_cast<long long>(node.id));
            node.disconnect = true;
        }
        return;
    }
    // Inactivity and ping timeouts.
    const int64_t wall = static_cast<int64_t>(time(nullptr));
    if (wall - node.last_recv > m_opts.peer_timeout) {
        LogPrintf("P2P: peer=%lld silent for %llds, disconnecting\n", static_cast<long long>(node.id),
                  static_cast<long long>(wall - node.last_recv));
        node.disconnect = true;
        return;
    }
    if (peer.ping_nonce != 0 && now_us - peer.ping_start_us > m_opts.peer_timeout * 1'000'000) {
        LogPrintf("P2P: ping timeout peer=%lld, disconnecting\n", static_cast<long long>(node.id));
        node.disconnect = true;
        return;
    }
    const bool ping_requested = m_ping_requested.exchange(false);
    if (ping_requested) {
        // The RPC asks every peer: re-arm the flag for the others via their own timers.
        for (auto& [id, p] : m_peers) p->last_ping_us = 0;
    }
    if (peer.ping_nonce == 0 && now_us - peer.last_ping_us > m_opts.ping_interval * 1'000'000) {
        peer.ping_nonce = RandomNonce();
        peer.ping_start_us = now_us;
        peer.last_ping_us = now_us;
        m_connman.PushMessage(node, msgtype::PING, SerializeToBytes(peer.ping_nonce));
    }
    // Stalled block downloads: the peer is dropped, its blocks go to others.
    for (const auto& [hash, req] : m_blocks_in_flight) {
        if (req.first == node.id && mono - req.second > m_opts.block_stall_timeout) {
            LogPrintf("P2P: peer=%lld is stalling block download (%s), disconnecting\n", static_cast<long long>(node.id),
                      hash.GetHex().c_str());
            node.disconnect = true;
            return;
        }
    }
    // Expired transaction requests.
    for (auto t = peer.tx_requested.begin(); t != peer.tx_requested.end();) {
        t = mono - t->second > TX_REQUEST_TIMEOUT ? peer.tx_requested.erase(t) : std::next(t);
    }
    if (!peer.blocks_to_announce.empty()) {
        std::vector<uint256> hashes;
        hashes.swap(peer.blocks_to_announce);
        AnnounceBlocks(node, peer, hashes);
    }
    RequestBlocks(node, peer);
    AnnounceTransactions(node, peer);
    UpdateStats(node, peer);
}

void PeerManager::UpdateStats(const CNode& node, const Peer& peer)
{
    PeerStats s;
    s.version = peer.version;
    s.user_agent = peer.user_agent;
    s.services = peer.services;
    s.start_height = peer.start_height;
    s.misbehavior = peer.misbehavior;
    s.torrent_port = peer.torrent_port;
    s.handshake_done = peer.handshake_done;
    s.relay_txs = peer.relay_txs;
    s.prefer_headers = peer.prefer_headers;
    s.ping_usec = peer.ping_usec;
    s.min_ping_usec = peer.min_ping_usec;
    s.ping_wait_usec = peer.ping_nonce ? GetMonotonicMicros() - peer.ping_start_us : -1;
    s.blocks_in_flight = peer.blocks_in_flight;
    if (peer.best_known) s.synced_headers = peer.best_known->height;
    LOCK(m_stats_mutex);
    StatsEntry& entry = m_stats[node.id];
    entry.stats = std::move(s);
    entry.best_known = peer.best_known;
}

bool PeerManager::GetPeerStats(NodeId id, PeerStats& out) const
{
    LOCK(m_stats_mutex);
    auto it = m_stats.find(id);
    if (it == m_stats.end()) return false;
    out = it->second.stats;
    if (it->second.best_known) {
        // Blocks we know the peer has and we have too: the common part of its chain and ours.
        const CBlockIndex* common = m_stats_tip ? node::LastCommonAncestor(it->second.best_known, m_stats_tip) : nullptr;
        out.synced_blocks = common ? common->height : -1;
    }
    return true;
}

} // namespace net
