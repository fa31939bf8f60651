// BIP 341 signature message and hash for taproot key-path spends (ext_flag 0,
// no annex), with the hash types SIGHASH_DEFAULT, ALL, NONE, SINGLE and their
// ANYONECANPAY forms.
//
// PrecomputedTxData holds the per-transaction parts of the message (computed
// once, then shared read-only by every input's check, from any thread) and the
// outputs the inputs spend, which BIP 341 signs.
#ifndef ODA_SCRIPT_SIGHASH_H
#define ODA_SCRIPT_SIGHASH_H

#include <primitives/transaction.h>
#include <uint256.h>

#include <cstdint>
#include <optional>
#include <vector>

static constexpr uint8_t SIGHASH_DEFAULT = 0x00;
static constexpr uint8_t SIGHASH_ALL = 0x01;
static constexpr uint8_t SIGHASH_NONE = 0x02;
static constexpr uint8_t SIGHASH_SINGLE = 0x03;
static constexpr uint8_t SIGHASH_ANYONECANPAY = 0x80;

/** True for 0x00, 0x01..0x03 and 0x81..0x83 (the BIP 341 hash types). */
bool IsValidTaprootHashType(uint8_t hash_type);

struct PrecomputedTxData {
    /** Single SHA-256 of, in input order: every prevout (36 bytes), every spent amount
     *  (8 bytes LE), every spent scriptPubKey (with CompactSize length), every nSequence. */
    uint256 sha_prevouts;
    uint256 sha_amounts;
    uint256 sha_scriptpubkeys;
    uint256 sha_sequences;
    /** Single SHA-256 of every output, serialized. */
    uint256 sha_outputs;
    /** The outputs spent by the inputs, one per input, in input order. */
    std::vector<CTxOut> spent_outputs;
    /** False until Init succeeded (spent_outputs has one entry per input). */
    bool ready{false};

    PrecomputedTxData() = default;
    template <typename Tx>
    PrecomputedTxData(const Tx& tx, std::vector<CTxOut> spent) { Init(tx, std::move(spent)); }

    /** Computes the hashes. Returns false (and leaves ready false) when
     *  spent.size() != tx.vin.size(). Tx: CTransaction or CMutableTransaction. */
    template <typename Tx>
    bool Init(const Tx& tx, std::vector<CTxOut> spent);
};

/** The BIP 341 signature message (epoch byte 0x00 first, i.e. the bytes the
 *  TapSighash tagged hash commits to). nullopt when: txdata is not ready, nIn is
 *  out of range, hash_type is invalid, or SIGHASH_SINGLE has no output at nIn. */
template <typename Tx>
std::optional<std::vector<uint8_t>> TaprootSignatureMessage(const Tx& tx, unsigned nIn, uint8_t hash_type, const PrecomputedTxData& txdata);

/** hash_TapSighash(message) for the same inputs; nullopt in the same cases. */
template <typename Tx>
std::optional<uint256> TaprootSignatureHash(const Tx& tx, unsigned nIn, uint8_t hash_type, const PrecomputedTxData& txdata);

#endif // ODA_SCRIPT_SIGHASH_H
