#include <wallet/ownership.h>

#include <oda/chain/payload.h>
#include <script/script.h>
#include <script/standard.h>

#include <string>
#include <variant>
#include <vector>

std::optional<std::pair<uint32_t, uint256>> OwnershipOutput(const CTransaction& tx)
{
    if (tx.IsCoinBase()) return std::nullopt;
    std::optional<uint256> model;
    for (const CTxOut& out : tx.vout) {
        auto bytes = ExtractOdaPayload(out.script_pubkey);
        if (!bytes) continue;
        oda::chain::Payload payload;
        std::string error;
        if (!oda::chain::DecodeOdaPayload(*bytes, payload, error)) return std::nullopt;
        if (std::holds_alternative<oda::chain::AddModel>(payload)) {
            model = tx.GetTxid(); // a model's id is its add-model's txid
        } else if (const auto* transfer = std::get_if<oda::chain::Transfer>(&payload)) {
            model = transfer->model_id;
        }
        break; // at most one user ODA output (section 2.3)
    }
    if (!model) return std::nullopt;
    for (uint32_t i = 0; i < tx.vout.size(); ++i) {
        const ScriptBytes& spk = tx.vout[i].script_pubkey;
        if (!spk.empty() && spk[0] == OP_RETURN) continue;
        return std::make_pair(i, *model);
    }
    return std::nullopt;
}

std::optional<uint256> OwnershipOutputModel(const CTransaction& tx, uint32_t index)
{
    auto owned = OwnershipOutput(tx);
    if (!owned || owned->first != index) return std::nullopt;
    return owned->second;
}
