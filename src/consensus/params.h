// Consensus parameters of one network. A ChainParams (consensus/chainparams.h) owns one
// ConsensusParams; consensus functions take it by const reference. There is no global
// "current network": the node context holds its ChainParams.
//
// Values fixed for all helpers are in doc/consensus.md; the ODA fields at the end are
// defined now so that every layer reads the same numbers, and are enforced by later code.
#ifndef ODA_CONSENSUS_PARAMS_H
#define ODA_CONSENSUS_PARAMS_H

#include <consensus/amount.h>
#include <consensus/consensus.h>
#include <uint256.h>

#include <cstdint>

struct ConsensusParams {
    // ---------------------------------------------------------------- chain
    /** Hash of the genesis block (checked by a unit test against the mined block). */
    uint256 hash_genesis_block;

    // --------------------------------------------------------- proof of work
    /** Easiest allowed target (little-endian blob; compare as a number, see arith.h).
     *  main/test: 0x00000fffff00..00 (compact 0x1e0fffff); regtest: compact 0x207fffff. */
    uint256 pow_limit;
    /** Target seconds between blocks. */
    int64_t pow_target_spacing{60};
    /** ASERT half-life: every this many seconds ahead of (behind) schedule halves (doubles)
     *  the target. 12 h = 720 blocks: slow enough to average out luck, fast enough to follow
     *  a hash-rate swing within a day. */
    int64_t asert_half_life{43'200};
    /** Regtest: every block uses the pow_limit target, no adjustment. */
    bool pow_no_retargeting{false};
    /** ASERT anchor = the genesis block. aserti3-2d schedules every target from an anchor
     *  block's height and bits and the time of the anchor's parent. Genesis has no parent,
     *  so its "parent time" is defined as genesis time - spacing: genesis itself is then
     *  exactly on schedule and block 1 gets the genesis target when mined on time. */
    int64_t asert_anchor_height{0};
    uint32_t asert_anchor_bits{0};
    int64_t asert_anchor_parent_time{0};

    // Compute-adjusted difficulty (doc/oda-protocol.md section 6) hook, NOT active yet:
    // effective_target = asert_target * (1 + block_CU / max_block_compute_units), capped at
    // compute_bonus_max_factor * asert_target and at pow_limit. Until the ODA chain layer
    // computes block CU, nBits must equal the plain ASERT target (see pow.h).
    int64_t compute_bonus_max_factor{2};

    // ------------------------------------------------------------ money
    /** Blocks between subsidy halvings (regtest 150 as in Bitcoin's regtest). */
    int32_t subsidy_halving_interval{210'000};
    /** Subsidy of the first era: 50 coins. */
    CAmount initial_subsidy{50 * COIN};
    /** Blocks before a coinbase output may be spent. */
    int32_t coinbase_maturity{COINBASE_MATURITY};

    // ------------------------------------------------------------- blocks
    /** BIP 141 weight limit. Must equal MAX_BLOCK_WEIGHT: CheckTransaction uses the constant. */
    int64_t max_block_weight{MAX_BLOCK_WEIGHT};
    /** A block's time may be at most this many seconds ahead of the node's adjusted time. */
    int64_t max_future_block_time{2 * 60 * 60};
    /** Number of previous blocks whose median time a new block's time must exceed. */
    int32_t median_time_span{11};

    // ------------------------------------------------------ ODA (later issues)
    /** Compute units (doc/oda-protocol.md section 4) one transaction may cost: 1e11. Scoring
     *  the project's small CNN on the 10,000-sample Fashion-MNIST test split costs 7.79e10
     *  (doc/consensus.md, "Compute limits"). */
    int64_t max_tx_compute_units{100'000'000'000LL};
    /** Compute units per block: 1.5e11, about 10 s of validation on one core with the AVX2
     *  kernel for the slowest shape per CU measured (0.065 ns/CU; doc/consensus.md). Also the
     *  denominator of the compute bonus and of burn_per_CU. */
    int64_t max_block_compute_units{150'000'000'000LL};
    /** Largest weights file: 64 MiB = 64 M int8 parameters. */
    int64_t max_weights_file_bytes{64LL << 20};
    /** Largest dataset file: 256 MiB (all 70,000 Fashion-MNIST samples take ~55 MB). */
    int64_t max_dataset_file_bytes{256LL << 20};
    /** Largest payload of a user ODA output (kinds add-model, infer, update-weights,
     *  transfer, bounty): 100,000 bytes, Bitcoin's standard transaction size. Coinbase result
     *  and storage-proof payloads are bounded by the block weight only. */
    int64_t max_oda_payload_bytes{100'000};
    /** Proofs of storage in each coinbase (doc/oda-protocol.md section 5). */
    int32_t storage_proofs_per_block{2};
    /** A file becomes eligible for storage challenges this many blocks after it was
     *  committed: time for the network to fetch and seed it (as coinbase maturity). */
    int32_t storage_proof_maturity{100};
};

#endif // ODA_CONSENSUS_PARAMS_H
