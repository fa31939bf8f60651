// Per-network parameters: consensus rules, genesis block, P2P magic bytes, default ports,
// address prefix and data directory. Values are fixed in doc/consensus.md.
//
// There is no global "selected network": whoever needs parameters (the node context, a
// test, a tool) creates one ChainParams with CreateChainParams and passes it down.
#ifndef ODA_CONSENSUS_CHAINPARAMS_H
#define ODA_CONSENSUS_CHAINPARAMS_H

#include <consensus/params.h>
#include <primitives/block.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

enum class ChainType { MAIN, TESTNET, REGTEST };

/** "main", "test" or "regtest" (the -chain= names, as Bitcoin Core). */
std::string ChainTypeToString(ChainType chain);
/** Inverse of ChainTypeToString; nullopt for any other string (exact, case-sensitive). */
std::optional<ChainType> ChainTypeFromString(std::string_view name);

class ChainParams
{
public:
    using MessageStartChars = std::array<uint8_t, 4>;

    ChainType GetChainType() const { return m_chain_type; }
    const ConsensusParams& GetConsensus() const { return m_consensus; }
    const CBlock& GenesisBlock() const { return m_genesis; }
    /** The 4 bytes that start every P2P message on this network. */
    const MessageStartChars& MessageStart() const { return m_message_start; }
    uint16_t DefaultPort() const { return m_default_port; }
    uint16_t RPCPort() const { return m_rpc_port; }
    /** Default libtorrent listen port (model and dataset files). */
    uint16_t DefaultTorrentPort() const { return m_torrent_port; }
    /** bech32m human-readable part of addresses: "oda", "toda", "roda". */
    const std::string& Bech32HRP() const { return m_bech32_hrp; }
    /** Subdirectory of the data directory: "" (main), "testnet", "regtest". */
    const std::string& DataDirSuffix() const { return m_data_dir_suffix; }

    /** Use CreateChainParams. */
    ChainParams(ChainType chain_type, ConsensusParams consensus, CBlock genesis, MessageStartChars message_start,
                uint16_t default_port, uint16_t rpc_port, uint16_t torrent_port, std::string bech32_hrp,
                std::string data_dir_suffix);

private:
    ChainType m_chain_type;
    ConsensusParams m_consensus;
    CBlock m_genesis;
    MessageStartChars m_message_start;
    uint16_t m_default_port;
    uint16_t m_rpc_port;
    uint16_t m_torrent_port;
    std::string m_bech32_hrp;
    std::string m_data_dir_suffix;
};

/** Builds the parameters of one network. Never fails. */
std::unique_ptr<const ChainParams> CreateChainParams(ChainType chain);

/** The genesis block of a network: coinbase with scriptSig OP_0 (height 0) + the genesis
 *  message, paying 50 coins to a bare OP_RETURN; header version 1 with the given time, bits
 *  and nonce (mined by contrib/devtools/mine-genesis.py). */
CBlock CreateGenesisBlock(uint32_t time, uint32_t nonce, uint32_t bits);

/** The message in every genesis coinbase. */
extern const char* const GENESIS_MESSAGE;

#endif // ODA_CONSENSUS_CHAINPARAMS_H
