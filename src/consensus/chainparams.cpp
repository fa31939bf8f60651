#include <consensus/chainparams.h>

#include <consensus/arith.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>

#include <cstring>
#include <utility>

const char* const GENESIS_MESSAGE = "ODA genesis 2026-11-22: open decentralized AI, models in consensus";

std::string ChainTypeToString(ChainType chain)
{
    switch (chain) {
    case ChainType::MAIN: return "main";
    case ChainType::TESTNET: return "test";
    case ChainType::REGTEST: return "regtest";
    }
    return "unknown";
}

std::optional<ChainType> ChainTypeFromString(std::string_view name)
{
    if (name == "main") return ChainType::MAIN;
    if (name == "test") return ChainType::TESTNET;
    if (name == "regtest") return ChainType::REGTEST;
    return std::nullopt;
}

ChainParams::ChainParams(ChainType chain_type, ConsensusParams consensus, CBlock genesis,
                         MessageStartChars message_start, uint16_t default_port, uint16_t rpc_port,
                         uint16_t torrent_port, std::string bech32_hrp, std::string data_dir_suffix)
    : m_chain_type(chain_type), m_consensus(std::move(consensus)), m_genesis(std::move(genesis)),
      m_message_start(message_start), m_default_port(default_port), m_rpc_port(rpc_port),
      m_torrent_port(torrent_port), m_bech32_hrp(std::move(bech32_hrp)),
      m_data_dir_suffix(std::move(data_dir_suffix)) {}

CBlock CreateGenesisBlock(uint32_t time, uint32_t nonce, uint32_t bits)
{
    const size_t message_len = std::strlen(GENESIS_MESSAGE);
    CMutableTransaction coinbase;
    coinbase.version = 1;
    coinbase.vin.resize(1); // default CTxIn: null prevout, final sequence
    coinbase.vin[0].script_sig.push_back(0x00);                                // OP_0: BIP 34 height 0
    coinbase.vin[0].script_sig.push_back(static_cast<uint8_t>(message_len));   // direct push (<= 75 bytes)
    coinbase.vin[0].script_sig.insert(coinbase.vin[0].script_sig.end(), GENESIS_MESSAGE, GENESIS_MESSAGE + message_len);
    coinbase.vout.emplace_back(50 * COIN, ScriptBytes{0x6a}); // OP_RETURN: unspendable
    coinbase.lock_time = 0;

    CBlock genesis;
    genesis.version = 1;
    genesis.time = time;
    genesis.bits = bits;
    genesis.nonce = nonce;
    genesis.vtx.push_back(MakeTransactionRef(std::move(coinbase)));
    genesis.hash_merkle_root = BlockMerkleRoot(genesis);
    return genesis;
}

namespace {

/** Parameters shared by all networks; each network then overrides what differs. */
ConsensusParams BaseConsensus(const CBlock& genesis, uint32_t pow_limit_bits)
{
    ConsensusParams c;
    c.hash_genesis_block = genesis.GetHash();
    c.pow_limit = ArithToUint256(DecodeCompact(pow_limit_bits));
    c.asert_anchor_height = 0;
    c.asert_anchor_bits = genesis.bits;
    c.asert_anchor_parent_time = static_cast<int64_t>(genesis.time) - c.pow_target_spacing;
    return c;
}

std::unique_ptr<const ChainParams> MainParams()
{
    CBlock genesis = CreateGenesisBlock(1795305600, 668955, 0x1e0fffff);
    ConsensusParams c = BaseConsensus(genesis, 0x1e0fffff);
    return std::make_unique<const ChainParams>(ChainType::MAIN, std::move(c), std::move(genesis),
                                               ChainParams::MessageStartChars{0xd0, 0xda, 0x01, 0xa1},
                                               9333, 9332, 9334, "oda", "");
}

std::unique_ptr<const ChainParams> TestNetParams()
{
    CBlock genesis = CreateGenesisBlock(1795305601, 2175094, 0x1e0fffff);
    ConsensusParams c = BaseConsensus(genesis, 0x1e0fffff);
    return std::make_unique<const ChainParams>(ChainType::TESTNET, std::move(c), std::move(genesis),
                                               ChainParams::MessageStartChars{0xd0, 0xda, 0x7e, 0x57},
                                               19333, 19332, 19334, "toda", "testnet");
}

std::unique_ptr<const ChainParams> RegTestParams()
{
    CBlock genesis = CreateGenesisBlock(1795305602, 1, 0x207fffff);
    ConsensusParams c = BaseConsensus(genesis, 0x207fffff);
    c.pow_no_retargeting = true;
    c.subsidy_halving_interval = 150;
    // Functional tests mine a few hundred blocks: files become challengeable quickly.
    c.storage_proof_maturity = 10;
    return std::make_unique<const ChainParams>(ChainType::REGTEST, std::move(c), std::move(genesis),
                                               ChainParams::MessageStartChars{0xd0, 0xda, 0x5e, 0x91},
                                               19444, 19443, 19445, "roda", "regtest");
}

} // namespace

std::unique_ptr<const ChainParams> CreateChainParams(ChainType chain)
{
    switch (chain) {
    case ChainType::MAIN: return MainParams();
    case ChainType::TESTNET: return TestNetParams();
    case ChainType::REGTEST: return RegTestParams();
    }
    return MainParams();
}
