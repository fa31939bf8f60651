#include <rpc/core_write.h>

#include <consensus/block_check.h>
#include <consensus/consensus.h>
#include <hex.h>
#include <node/blockindex.h>
#include <rpc/util.h>
#include <script/address.h>
#include <script/script.h>
#include <script/standard.h>
#include <streams.h>
#include <util/strencodings.h>

using nlohmann::json;

double GetDifficulty(uint32_t bits)
{
    int shift = (bits >> 24) & 0xff;
    double diff = double(0x0000ffff) / double(bits & 0x00ffffff);
    while (shift < 29) {
        diff *= 256.0;
        ++shift;
    }
    while (shift > 29) {
        diff /= 256.0;
        --shift;
    }
    return diff;
}

json ScriptPubKeyToJSON(const ScriptBytes& script, const std::string& hrp)
{
    json out = json::object();
    out["asm"] = ScriptToAsm(script);
    out["hex"] = HexStr(script);
    const OutputType type = ClassifyOutput(script);
    if (type == OutputType::WITNESS_V1_TAPROOT) {
        std::string address = EncodeDestination(script, hrp);
        if (!address.empty()) out["address"] = address;
    }
    out["type"] = GetOutputTypeName(type);
    return out;
}

json TxToJSON(const CTransaction& tx, const std::string& hrp, bool include_hex, const uint256* block_hash)
{
    json out = json::object();
    out["txid"] = tx.GetTxid().GetHex();
    out["hash"] = tx.GetWtxid().GetHex();
    out["version"] = tx.version;
    out["size"] = tx.GetTotalSize();
    const int64_t weight = GetTransactionWeight(tx);
    out["vsize"] = (weight + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR;
    out["weight"] = weight;
    out["locktime"] = tx.lock_time;

    json vin = json::array();
    for (const CTxIn& in : tx.vin) {
        json jin = json::object();
        if (tx.IsCoinBase()) {
            jin["coinbase"] = HexStr(in.script_sig);
        } else {
            jin["txid"] = in.prevout.hash.GetHex();
            jin["vout"] = in.prevout.n;
            jin["scriptSig"] = json{{"asm", ScriptToAsm(in.script_sig)}, {"hex", HexStr(in.script_sig)}};
        }
        if (!in.witness.IsNull()) {
            json wit = json::array();
            for (const auto& item : in.witness.stack) wit.push_back(HexStr(item));
            jin["txinwitness"] = wit;
        }
        jin["sequence"] = in.sequence;
        vin.push_back(jin);
    }
    out["vin"] = vin;

    json vout = json::array();
    for (uint32_t n = 0; n < tx.vout.size(); ++n) {
        json jout = json::object();
        jout["value"] = ValueFromAmount(tx.vout[n].value);
        jout["n"] = n;
        jout["scriptPubKey"] = ScriptPubKeyToJSON(tx.vout[n].script_pubkey, hrp);
        vout.push_back(jout);
    }
    out["vout"] = vout;
    if (block_hash && !block_hash->IsNull()) out["blockhash"] = block_hash->GetHex();
    if (include_hex) out["hex"] = HexStr(SerializeToBytes(tx));
    return out;
}

json BlockHeaderToJSON(const node::CBlockIndex* tip, const node::CBlockIndex* index, const node::CBlockIndex* next)
{
    json out = json::object();
    out["hash"] = index->GetBlockHash().GetHex();
    const bool in_chain = tip && tip->GetAncestor(index->height) == index;
    out["confirmations"] = in_chain ? tip->height - index->height + 1 : -1;
    out["height"] = index->height;
    out["version"] = index->version;
    out["versionHex"] = strprintf("%08x", static_cast<uint32_t>(index->version));
    out["merkleroot"] = index->merkle_root.GetHex();
    out["time"] = index->time;
    out["mediantime"] = index->GetMedianTimePast();
    out["nonce"] = index->nonce;
    out["bits"] = strprintf("%08x", index->bits);
    out["difficulty"] = GetDifficulty(index->bits);
    out["chainwork"] = index->chain_work.GetHex();
    out["nTx"] = index->tx_count;
    if (index->pprev) out["previousblockhash"] = index->pprev->GetBlockHash().GetHex();
    if (next) out["nextblockhash"] = next->GetBlockHash().GetHex();
    return out;
}

json BlockToJSON(const CBlock& block, const node::CBlockIndex* tip, const node::CBlockIndex* index,
                 const node::CBlockIndex* next, int verbosity, const std::string& hrp)
{
    json out = BlockHeaderToJSON(tip, index, next);
    size_t stripped = CBlockHeader::SIZE + CompactSizeLen(block.vtx.size());
    for (const auto& tx : block.vtx) stripped += tx->GetStrippedSize();
    out["strippedsize"] = stripped;
    out["size"] = GetSerializeSize(block);
    out["weight"] = GetBlockWeight(block);
    json txs = json::array();
    for (const auto& tx : block.vtx) {
        if (verbosity >= 2) {
            txs.push_back(TxToJSON(*tx, hrp));
        } else {
            txs.push_back(tx->GetTxid().GetHex());
        }
    }
    out["tx"] = txs;
    return out;
}
