#include <node/oda_events.h>

#include <node/inference_index.h>
#include <script/standard.h>

#include <string>
#include <variant>

namespace node {

std::vector<InferenceEvent> InferenceEventsOf(const CBlock& block)
{
    std::vector<InferenceEvent> events;
    if (block.vtx.empty()) return events;
    const auto result = ResultOf(*block.vtx[0]);
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        const auto infer = InferOf(*block.vtx[i]);
        if (!infer) continue;
        InferenceEvent e{block.vtx[i]->GetTxid(), infer->model_id, std::nullopt};
        if (result && events.size() < result->outputs.size()) e.output = result->outputs[events.size()];
        events.push_back(std::move(e));
    }
    return events;
}

std::vector<ModelEvent> ModelEventsOf(const CBlock& block)
{
    std::vector<ModelEvent> events;
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        const CTransaction& tx = *block.vtx[i];
        for (const CTxOut& out : tx.vout) {
            const auto bytes = ExtractOdaPayload(out.script_pubkey);
            if (!bytes) continue;
            oda::chain::Payload payload;
            std::string error;
            if (!oda::chain::DecodeOdaPayload(*bytes, payload, error)) break;
            if (const auto* add = std::get_if<oda::chain::AddModel>(&payload)) {
                events.push_back({tx.GetTxid(), add->initial_weights.pieces_root, add->initial_score, true});
            } else if (const auto* up = std::get_if<oda::chain::UpdateWeights>(&payload)) {
                events.push_back({up->model_id, up->weights.pieces_root, up->claimed_score, false});
            }
            break; // one user ODA output per transaction
        }
    }
    return events;
}

} // namespace node
