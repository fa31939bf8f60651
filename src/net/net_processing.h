// Peer logic: handshake, ping, addresses, headers-first sync with parallel block download,
// block and transaction relay, misbehaviour handling. Runs on the connection manager's
// message thread (all per-peer state is owned by that thread); chain notifications arrive
// through ChainstateObserver on whatever thread changed the chain and only queue work.
//
// Misbehaviour: each peer has a score; reaching 100 disconnects it and discourages its
// address (BanMan), except for whitelisted peers, manual connections and local (loopback)
// addresses, which are only disconnected. Scores: malformed payload, oversize inv/headers/
// addr, invalid block or headers, non-continuous headers, version sent twice = 100; bad
// checksum = 10; unrequested block = 20. Headers that do not connect are not penalised: the
// node asks for the missing headers instead (honest peers send them whenever blocks come
// faster than a round trip). Messages before version disconnect the peer (no discouragement).
#ifndef ODA_NET_NET_PROCESSING_H
#define ODA_NET_NET_PROCESSING_H

#include <net/connman.h>
#include <net/orphanage.h>
#include <net/protocol.h>
#include <node/validationinterface.h>
#include <uint256.h>
#include <util/sync.h>
#include <util/threadsafety.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

class CTxMemPool;
class ChainParams;

namespace node {
class ChainstateManager;
class CBlockIndex;
} // namespace node

namespace net {

class AddrMan;
class BanMan;

struct PeerManagerOptions {
    /** Blocks in flight per peer. */
    int max_blocks_in_flight_per_peer{16};
    /** How far beyond the tip blocks are fetched. */
    int block_download_window{1024};
    /** A block requested this long ago (seconds) without arriving: the peer is a staller and is
     *  disconnected, its blocks are requested elsewhere. */
    int64_t block_stall_timeout{60};
    /** No message received for this long (seconds): disconnect. */
    int64_t peer_timeout{20 * 60};
    /** Seconds between pings. */
    int64_t ping_interval{2 * 60};
    /** Our torrent port, advertised in version. */
    uint16_t torrent_port{0};
    /** Whether we relay transactions (version relay flag). */
    bool relay_txs{true};
};

/** What getpeerinfo shows beyond the connection's own fields. */
struct PeerStats {
    int32_t version{0};
    std::string user_agent;
    uint64_t services{0};
    int32_t start_height{-1};
    int synced_headers{-1};
    int synced_blocks{-1};
    int misbehavior{0};
    uint16_t torrent_port{0};
    bool handshake_done{false};
    bool relay_txs{false};
    bool prefer_headers{false};
    int64_t ping_usec{-1};
    int64_t min_ping_usec{-1};
    int64_t ping_wait_usec{-1};
    int blocks_in_flight{0};
};

class PeerManager final : public NetEventsInterface, public node::ChainstateObserver
{
public:
    PeerManager(CConnman& connman, AddrMan* addrman, BanMan* banman, node::ChainstateManager& chainman,
                CTxMemPool* mempool, PeerManagerOptions opts);
    ~PeerManager() override;

    // NetEventsInterface (message thread)
    void InitializeNode(CNode& node) override;
    void FinalizeNode(CNode& node) override LOCKS_EXCLUDED(m_stats_mutex);
    bool ProcessMessages(CNode& node) override;
    void SendMessages(CNode& node) override LOCKS_EXCLUDED(m_announce_mutex, m_stats_mutex);

    // ChainstateObserver (any thread, chain lock held): queue only. They also move the tip
    // the peer statistics are measured against (m_stats_tip), so that getpeerinfo's
    // synced_blocks never needs the chain lock.
    void UpdatedBlockTip(const node::CBlockIndex* new_tip, const node::CBlockIndex* fork_point, bool initial_download) override
        LOCKS_EXCLUDED(m_announce_mutex, m_stats_mutex);
    void BlockConnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index) override
        LOCKS_EXCLUDED(m_announce_mutex, m_stats_mutex);
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index) override
        LOCKS_EXCLUDED(m_stats_mutex);
    /** Full validation's verdict on a block, possibly long after it arrived: the peer
     *  that sent an invalid one is punished (by the message thread). */
    void BlockChecked(const std::shared_ptr<const CBlock>& block, const BlockValidationState& state) override
        LOCKS_EXCLUDED(m_announce_mutex);

    /** Stats for getpeerinfo; false if the peer is unknown. Thread-safe; takes only
     *  m_stats_mutex (never the chain lock). */
    bool GetPeerStats(NodeId id, PeerStats& out) const LOCKS_EXCLUDED(m_stats_mutex);
    /** Asks every peer for a ping (RPC ping). Thread-safe. */
    void RequestPingAll() { m_ping_requested = true; }
    /** True while we are catching up (initial block download). */
    bool IsInitialBlockDownload() const;

    struct Peer;

private:
    void ProcessMessage(CNode& node, Peer& peer, const std::string& command, const std::vector<uint8_t>& payload);
    void Misbehaving(CNode& node, Peer& peer, int howmuch, const std::string& reason);
    void PushVersion(CNode& node, Peer& peer);
    void SendGetHeaders(CNode& node, Peer& peer, const node::CBlockIndex* from);
    void HandleHeaders(CNode& node, Peer& peer, const std::vector<CBlockHeader>& headers);
    void HandleBlock(CNode& node, Peer& peer, const std::shared_ptr<CBlock>& block);
    void HandleTx(CNode& node, Peer& peer, const CTransactionRef& tx);
    /** Serves queued getdata items while the peer's send buffer has room. */
    void ServeGetData(CNode& node, Peer& peer);
    void RequestBlocks(CNode& node, Peer& peer);
    void AnnounceBlocks(CNode& node, Peer& peer, const std::vector<uint256>& hashes);
    void AnnounceTransactions(CNode& node, Peer& peer);
    void ProcessOrphansOf(const uint256& parent);
    /** Copies the peer's getpeerinfo fields into m_stats (after each message and send
     *  round): only data the message thread owns, no chain lock. */
    void UpdateStats(const CNode& node, const Peer& peer) LOCKS_EXCLUDED(m_stats_mutex);
    void RemoveBlockRequest(const uint256& hash);
    /** Punishes the senders of the blocks BlockChecked found invalid (message thread). */
    void ProcessBlockVerdicts() LOCKS_EXCLUDED(m_announce_mutex);
    /** The one place a peer is punished for an invalid block, whether the verdict came at once
     *  or later; false (no punishment) for results that are not the block's fault. */
    bool PunishInvalidBlock(NodeId id, const uint256& hash, const BlockValidationState& state);
    int64_t Now() const;

    CConnman& m_connman;
    AddrMan* m_addrman;
    BanMan* m_banman;
    node::ChainstateManager& m_chainman;
    CTxMemPool* m_mempool;
    const PeerManagerOptions m_opts;

    // Message-thread state.
    std::map<NodeId, std::unique_ptr<Peer>> m_peers;
    /** block hash -> (peer, request time) for every block in flight. */
    std::map<uint256, std::pair<NodeId, int64_t>> m_blocks_in_flight;
    TxOrphanage m_orphanage;
    /** Recently rejected txids (bounded), not requested again. */
    std::set<uint256> m_recent_rejects;
    std::set<uint64_t> m_local_nonces;
    int64_t m_last_orphan_expiry{0};
    /** block hash -> the peer that sent it, until validation's verdict on it (BlockChecked). */
    std::map<uint256, NodeId> m_block_sources;

    // Filled by validation callbacks, drained by the message thread.
    Mutex m_announce_mutex;
    std::vector<uint256> m_blocks_to_announce GUARDED_BY(m_announce_mutex);
    std::vector<std::shared_ptr<const CBlock>> m_connected_blocks GUARDED_BY(m_announce_mutex);
    std::vector<std::pair<uint256, BlockValidationState>> m_block_verdicts GUARDED_BY(m_announce_mutex);

    /** getpeerinfo's snapshot: written by the message thread (UpdateStats) and the chain
     *  callbacks (m_stats_tip), read by RPC threads. A leaf lock: nothing is taken under it. */
    mutable Mutex m_stats_mutex;
    struct StatsEntry {
        PeerStats stats;
        /** The peer's best known block (synced_headers); synced_blocks is its common
         *  ancestor with m_stats_tip, found in GetPeerStats. CBlockIndex pointers and their
         *  pprev/height/skip links never change once published, so no chain lock is needed. */
        const node::CBlockIndex* best_known{nullptr};
    };
    std::map<NodeId, StatsEntry> m_stats GUARDED_BY(m_stats_mutex);
    /** Our active tip as validation last reported it (set under the chain lock by the
     *  synchronous callbacks, so it follows the chain block by block). */
    const node::CBlockIndex* m_stats_tip GUARDED_BY(m_stats_mutex){nullptr};
    std::atomic<bool> m_ping_requested{false};
};

} // namespace net

#endif // ODA_NET_NET_PROCESSING_H
