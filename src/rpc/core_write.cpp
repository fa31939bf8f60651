#include <rpc/core_write.h>

#include <consensus/block_check.h>
#include <consensus/consensus.h>
#include <hex.h>
#include <node/blockindex.h>
#include <oda/chain/payload.h>
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
    if (HasOdaTag(script)) {
        // Decoded for display only; an undecodable payload shows why consensus rejects it.
        const std::optional<std::vector<uint8_t>> payload = ExtractOdaPayload(script);
        oda::chain::Payload decoded;
        std::string error = "non-minimal or malformed ODA output";
        if (payload && oda::chain::DecodeOdaPayload(*payload, decoded, error)) {
            out["oda"] = OdaPayloadToJSON(decoded);
        } else {
            out["oda"] = json{{"error", error}};
        }
    }
    return out;
}

// File roots (pieces roots, Merkle paths, weights versions) print in storage byte order
// (ToHexBytes), the form BitTorrent clients, oda-model and getmodelfiles show; txids and
// model ids print reversed (GetHex) like every other Bitcoin hash.
json CommitmentToJSON(const oda::chain::Commitment& c)
{
    return json{{"pieces_root", c.pieces_root.ToHexBytes()}, {"file_size", c.file_size}};
}

namespace {

json PayloadFields(const oda::chain::AddModel& p)
{
    json parents = json::array();
    for (const auto& s : p.parents) parents.push_back(json{{"model_id", s.model_id.GetHex()}, {"share_bp", s.share_bp}});
    return json{{"architecture", json::parse(oda::model::ArchitectureToJson(p.architecture))},
                {"objective", oda::model::ObjectiveName(p.architecture.objective)},
                {"dataset", CommitmentToJSON(p.dataset)},
                {"dataset_samples", p.dataset_samples},
                {"initial_weights", CommitmentToJSON(p.initial_weights)},
                {"initial_score", p.initial_score},
                {"royalty", p.royalty},
                {"trainer_share_bp", p.trainer_share_bp},
                {"parents", parents},
                {"min_improvement", p.min_improvement}};
}
json PayloadFields(const oda::chain::Infer& p)
{
    json input = json::array();
    for (int8_t v : p.input) input.push_back(v);
    return json{{"model_id", p.model_id.GetHex()}, {"weights_version", p.weights_version.ToHexBytes()}, {"input", input}};
}
json PayloadFields(const oda::chain::UpdateWeights& p)
{
    return json{{"model_id", p.model_id.GetHex()}, {"weights", CommitmentToJSON(p.weights)},
                {"claimed_score", p.claimed_score}, {"trainer_script", HexStr(p.trainer_script)}};
}
json PayloadFields(const oda::chain::Result& p)
{
    json outputs = json::array();
    for (const auto& t : p.outputs) {
        outputs.push_back(json{{"type", t.type == oda::chain::TensorType::INT8 ? "int8" : "int32"}, {"values", t.values}});
    }
    return json{{"compute_units", p.compute_units}, {"outputs", outputs}};
}
json PayloadFields(const oda::chain::StorageProof& p)
{
    json proofs = json::array();
    for (const auto& i : p.proofs) {
        json path = json::array();
        for (const uint256& h : i.path) path.push_back(h.ToHexBytes());
        proofs.push_back(json{{"pieces_root", i.pieces_root.ToHexBytes()}, {"block_index", i.block_index},
                              {"block", HexStr(i.block)}, {"path", path}});
    }
    return json{{"proofs", proofs}};
}
json PayloadFields(const oda::chain::Transfer& p) { return json{{"model_id", p.model_id.GetHex()}}; }
json PayloadFields(const oda::chain::Bounty& p)
{
    return json{{"model_id", p.model_id.GetHex()}, {"target_score", p.target_score},
                {"expiry_height", p.expiry_height}, {"refund_script", HexStr(p.refund_script)}};
}

} // namespace

json OdaPayloadToJSON(const oda::chain::Payload& payload)
{
    json out = std::visit([](const auto& p) { return PayloadFields(p); }, payload);
    out["kind"] = oda::chain::PayloadKindName(oda::chain::KindOf(payload));
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
