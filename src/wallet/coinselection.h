// Coin selection for the wallet.
//
// Algorithm (documented in doc/wallet.md):
// 1. Branch and bound over the candidates' effective values (value minus the fee of
//    spending them at the target fee rate) looks for a set whose sum lands in
//    [target, target + cost_of_change]: no change output; the small excess goes to fee.
// 2. Otherwise a change output is needed. Two candidate sets are built: the smallest
//    single coin that covers target + change fee + min_change, and largest-first
//    accumulation to the same amount; the set with the smaller total input value wins
//    (ties: fewer inputs). Change below `min_change` (the dust threshold) is never
//    created: when the selected coins cover the target but not a non-dust change, the
//    remainder goes to the fee.
// Deterministic for a given candidate order (candidates are sorted internally).
#ifndef ODA_WALLET_COINSELECTION_H
#define ODA_WALLET_COINSELECTION_H

#include <consensus/amount.h>
#include <primitives/transaction.h>

#include <optional>
#include <string>
#include <vector>

/** Virtual sizes of ODA's only spendable shape (taproot key path, SIGHASH_DEFAULT). */
static constexpr int64_t TX_OVERHEAD_VSIZE = 11;     //!< version, locktime, counts, segwit marker
static constexpr int64_t TAPROOT_INPUT_VSIZE = 58;   //!< 41 bytes + (1+1+64)/4 witness, rounded up
static constexpr int64_t TAPROOT_OUTPUT_VSIZE = 43;  //!< 8 value + 1 length + 34 script
/** Change below this is dust (Bitcoin's 3 sat/vB dust relay rate for a P2TR output). */
static constexpr CAmount TAPROOT_DUST_THRESHOLD = 330;

/** Fee of `vsize` virtual bytes at `rate_per_kvb` (amount per 1000 vB), rounded up. */
CAmount FeeForVsize(CAmount rate_per_kvb, int64_t vsize);

struct CoinCandidate {
    COutPoint outpoint;
    CTxOut txout;
    CAmount effective_value{0}; //!< value minus the fee of its input (filled by SelectCoins)
};

struct SelectionParams {
    CAmount target{0};            //!< sum of outputs + fee of the tx without inputs/change
    CAmount fee_rate_per_kvb{0};  //!< for each input's fee
    CAmount change_fee{0};        //!< fee of adding the change output
    CAmount cost_of_change{0};    //!< change_fee + fee to spend the change later
    CAmount min_change{TAPROOT_DUST_THRESHOLD};
};

struct SelectionResult {
    std::vector<CoinCandidate> inputs;
    CAmount input_value{0};  //!< sum of the inputs' values
    CAmount change{0};       //!< 0 when no change output; the fee is input_value - outputs - change
    std::string algorithm;   //!< "bnb" or "knapsack"
};

/** Selects coins for `params`. nullopt with *error "Insufficient funds" when even all
 *  candidates with positive effective value do not cover the target. */
std::optional<SelectionResult> SelectCoins(std::vector<CoinCandidate> candidates, const SelectionParams& params, std::string* error);

#endif // ODA_WALLET_COINSELECTION_H
