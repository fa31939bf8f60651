#include <wallet/coinselection.h>

#include <algorithm>

CAmount FeeForVsize(CAmount rate_per_kvb, int64_t vsize)
{
    if (rate_per_kvb <= 0 || vsize <= 0) return 0;
    return (rate_per_kvb * vsize + 999) / 1000;
}

namespace {
constexpr int BNB_MAX_TRIES = 100000;

/** Depth-first search with the usual prunings; candidates sorted by descending
 *  effective value. Returns the indexes of the best (least excess) match. */
std::optional<std::vector<size_t>> BranchAndBound(const std::vector<CoinCandidate>& c, CAmount target, CAmount cost_of_change)
{
    CAmount remaining = 0;
    for (const auto& x : c) remaining += x.effective_value;
    if (remaining < target) return std::nullopt;

    std::vector<bool> selected;
    std::vector<bool> best;
    CAmount best_excess = MAX_MONEY;
    CAmount value = 0;
    bool found = false;
    for (int tries = 0; tries < BNB_MAX_TRIES; ++tries) {
        bool backtrack = false;
        if (value + remaining < target || value > target + cost_of_change) {
            backtrack = true;
        } else if (value >= target) {
            const CAmount excess = value - target;
            if (excess <= best_excess) {
                best = selected;
                best.resize(c.size(), false);
                best_excess = excess;
                found = true;
            }
            backtrack = true;
        }
        if (backtrack) {
            // Undo exclusions at the tail, then flip the last inclusion to exclusion.
            while (!selected.empty() && !selected.back()) {
                remaining += c[selected.size() - 1].effective_value;
                selected.pop_back();
            }
            if (selected.empty()) break; // search space exhausted
            selected.back() = false;
            value -= c[selected.size() - 1].effective_value;
        } else {
            const size_t i = selected.size();
            if (i >= c.size()) break;
            remaining -= c[i].effective_value;
            selected.push_back(true);
            value += c[i].effective_value;
        }
        // Remaining includes only undecided coins.
    }
    if (!found) return std::nullopt;
    std::vector<size_t> idx;
    for (size_t i = 0; i < best.size(); ++i) if (best[i]) idx.push_back(i);
    return idx;
}
} // namespace

std::optional<SelectionResult> SelectCoins(std::vector<CoinCandidate> candidates, const SelectionParams& params, std::string* error)
{
    const CAmount input_fee = FeeForVsize(params.fee_rate_per_kvb, TAPROOT_INPUT_VSIZE);
    std::vector<CoinCandidate> usable;
    for (auto& c : candidates) {
        c.effective_value = c.txout.value - input_fee;
        if (c.effective_value > 0) usable.push_back(c);
    }
    std::sort(usable.begin(), usable.end(), [](const CoinCandidate& a, const CoinCandidate& b) {
        if (a.effective_value != b.effective_value) return a.effective_value > b.effective_value;
        return a.outpoint.hash < b.outpoint.hash || (a.outpoint.hash == b.outpoint.hash && a.outpoint.n < b.outpoint.n);
    });
    CAmount total = 0;
    for (const auto& c : usable) total += c.effective_value;
    if (total < params.target || params.target <= 0) {
        if (error) *error = params.target <= 0 ? "Transaction amount too small" : "Insufficient funds";
        return std::nullopt;
    }

    auto finish = [&](const std::vector<CoinCandidate>& set, const char* algo) {
        SelectionResult r;
        r.inputs = set;
        r.algorithm = algo;
        CAmount eff = 0;
        for (const auto& c : set) {
            eff += c.effective_value;
            r.input_value += c.txout.value;
        }
        const CAmount excess = eff - params.target;
        if (excess >= params.change_fee + params.min_change) r.change = excess - params.change_fee;
        return r;
    };

    SelectionResult result;
    if (auto idx = BranchAndBound(usable, params.target, params.cost_of_change)) {
        std::vector<CoinCandidate> set;
        for (size_t i : *idx) set.push_back(usable[i]);
        result = finish(set, "bnb");
        result.change = 0; // BnB solutions never take change: the excess is below its cost
    } else {
        const CAmount want = params.target + params.change_fee + params.min_change;
        std::optional<std::vector<CoinCandidate>> single;
        for (auto it = usable.rbegin(); it != usable.rend(); ++it) { // ascending
            if (it->effective_value >= want) {
                single = std::vector<CoinCandidate>{*it};
                break;
            }
        }
        std::vector<CoinCandidate> acc;
        CAmount sum = 0;
        for (const auto& c : usable) {
            if (sum >= want) break;
            acc.push_back(c);
            sum += c.effective_value;
        }
        std::vector<CoinCandidate> chosen = acc;
        if (single) {
            CAmount acc_value = 0;
            for (const auto& c : acc) acc_value += c.txout.value;
            if (sum < want || single->front().txout.value <= acc_value) chosen = *single;
        }
        result = finish(chosen, "knapsack");
    }
    return result;
}
