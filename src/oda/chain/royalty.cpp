#include <oda/chain/royalty.h>

#include <oda/chain/payload.h>

#include <hex.h>

namespace oda::chain {

CAmount RoyaltyShare(int64_t royalty, uint16_t share_bp)
{
    // royalty <= 2.1e15 and share_bp <= 65,535: the product stays below 2^63.
    return static_cast<CAmount>((static_cast<__int128>(royalty) * share_bp) / BASIS_POINTS);
}

std::optional<RoyaltyOwed> ComputeRoyaltyOwed(const ModelRecord& model, const ModelVersion& version,
                                              const RegistryView& registry, std::string& error)
{
    RoyaltyOwed owed;
    CAmount rest = model.royalty;
    auto owe = [&](const ScriptBytes& script, CAmount amount) {
        if (amount > 0) owed[script] += amount;
    };
    const CAmount trainer = RoyaltyShare(model.royalty, model.trainer_share_bp);
    owe(version.trainer_script, trainer);
    rest -= trainer;
    for (const ParentShare& parent : model.parents) {
        const std::optional<ModelRecord> parent_record = registry.GetModel(parent.model_id);
        if (!parent_record) {
            error = "parent model " + parent.model_id.GetHex() + " does not exist";
            return std::nullopt;
        }
        const CAmount share = RoyaltyShare(model.royalty, parent.share_bp);
        owe(parent_record->owner_script, share);
        rest -= share;
    }
    owe(model.owner_script, rest);
    return owed;
}

bool PaysRoyalty(const CTransaction& tx, const RoyaltyOwed& owed, std::string& debug)
{
    for (const auto& [script, amount] : owed) {
        CAmount paid = 0;
        for (const CTxOut& out : tx.vout) {
            // Output values are each in MoneyRange (checked before), so the sum cannot overflow.
            if (out.script_pubkey == script) paid += out.value;
        }
        if (paid < amount) {
            debug = "pays " + std::to_string(paid) + " of the " + std::to_string(amount) + " owed to script " +
                    HexStr(script);
            return false;
        }
    }
    return true;
}

CAmount RoyaltyTotal(const RoyaltyOwed& owed)
{
    CAmount total = 0;
    for (const auto& [script, amount] : owed) total += amount;
    return total;
}

} // namespace oda::chain
