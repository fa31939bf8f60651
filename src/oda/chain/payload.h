// The payload of an ODA output (doc/oda-protocol.md section 2): one kind byte, then that
// kind's fields in Bitcoin serialization (little-endian integers, CompactSize lengths and
// counts, uint256 as 32 raw bytes).
//
// Byte layouts (after the kind byte):
//   commitment      = pieces_root (32) . file_size (u64)
//   1 add-model     = architecture (CompactSize + EncodeArchitecture bytes; it carries the
//                     objective) . dataset (commitment) . dataset_samples (u32)
//                     . initial_weights (commitment) . initial_score (i64)
//                     . royalty (i64, units per inference) . trainer_share_bp (u16)
//                     . parents (CompactSize n, n x (model_id (32) . share_bp (u16)))
//                     . min_improvement (i64)
//   2 infer         = model_id (32) . weights_version (32) . input (CompactSize n, n x i8)
//   3 update-weights= model_id (32) . weights (commitment) . claimed_score (i64)
//                     . trainer_script (CompactSize + bytes)
//   4 result        = compute_units (i64) . outputs (CompactSize n, n x tensor)
//                     tensor = element type (u8: 0 int8, 1 int32) . CompactSize m . m values
//   5 storage proof = proofs (CompactSize n, n x proof)
//                     proof = pieces_root (32) . block_index (u32) . block (CompactSize + bytes)
//                     . path (CompactSize n, n x 32)
//   6 transfer      = model_id (32)
//   7 bounty        = model_id (32) . target_score (i64) . expiry_height (u32)
//                     . refund_script (CompactSize + bytes)
//
// Contract: DecodeOdaPayload never throws. It fails (false, with a short message in
// `error`) on: an empty payload, an unknown kind, truncation, bytes after the last field, a
// non-canonical CompactSize or architecture encoding, a count or length over the limits
// below, and the structural rules of each kind (shares over 10,000 basis points, a nonzero
// share paying less than ODA_DUST_THRESHOLD, a negative royalty, compute units or file
// size, a null or duplicate model id, an unknown tensor element type). What it accepts
// re-encodes byte for byte: EncodeOdaPayload(decoded) == input. Limits that are chain
// parameters (payload size, file sizes) are checked by oda/chain/tx_check.h.
#ifndef ODA_ODA_CHAIN_PAYLOAD_H
#define ODA_ODA_CHAIN_PAYLOAD_H

#include <oda/model/architecture.h>
#include <uint256.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace oda::chain {

enum class PayloadKind : uint8_t {
    ADD_MODEL = 1,
    INFER = 2,
    UPDATE_WEIGHTS = 3,
    RESULT = 4,         //!< coinbase only
    STORAGE_PROOF = 5,  //!< coinbase only
    TRANSFER = 6,
    BOUNTY = 7,
};

/** "add_model", "infer", "update_weights", "result", "storage_proof", "transfer", "bounty". */
std::string PayloadKindName(PayloadKind kind);

/** 10,000 basis points = 100 %. */
static constexpr uint32_t BASIS_POINTS = 10'000;
/** Every nonzero royalty share must pay at least this many units per inference. */
static constexpr int64_t ODA_DUST_THRESHOLD = 330;
/** BEP 52 block size: a storage proof carries at most one block. */
static constexpr size_t STORAGE_BLOCK_BYTES = 16 * 1024;
/** Merkle path depth: 2^40 blocks is far beyond any allowed file. */
static constexpr size_t MAX_MERKLE_PATH = 40;
static constexpr size_t MAX_PARENT_MODELS = 16;
/** Trainer and refund scripts: the script size limit of Bitcoin. */
static constexpr size_t MAX_ODA_SCRIPT_BYTES = 10'000;
/** Royalty per inference: at most the money supply (21e6 coins of 1e8 units). */
static constexpr int64_t MAX_ROYALTY = 21'000'000LL * 100'000'000LL;

/** A file: BEP 52 pieces root (SHA-256 Merkle root over 16 KiB blocks) and size. */
struct Commitment {
    uint256 pieces_root;
    uint64_t file_size{0};
    bool operator==(const Commitment& o) const { return pieces_root == o.pieces_root && file_size == o.file_size; }
};

struct ParentShare {
    uint256 model_id;
    uint16_t share_bp{0};
    bool operator==(const ParentShare& o) const { return model_id == o.model_id && share_bp == o.share_bp; }
};

struct AddModel {
    model::Architecture architecture;
    Commitment dataset;
    uint32_t dataset_samples{0};
    Commitment initial_weights;
    int64_t initial_score{0};
    int64_t royalty{0};
    uint16_t trainer_share_bp{0};
    std::vector<ParentShare> parents;
    int64_t min_improvement{0};
    bool operator==(const AddModel& o) const;
};

struct Infer {
    uint256 model_id;
    uint256 weights_version;  //!< pieces root of the weights commitment
    std::vector<int8_t> input;
    bool operator==(const Infer& o) const;
};

struct UpdateWeights {
    uint256 model_id;
    Commitment weights;
    int64_t claimed_score{0};
    std::vector<uint8_t> trainer_script;
    bool operator==(const UpdateWeights& o) const;
};

enum class TensorType : uint8_t { INT8 = 0, INT32 = 1 };

struct OutputTensor {
    TensorType type{TensorType::INT8};
    std::vector<int32_t> values;  //!< INT8 values fit in [-128, 127]
    bool operator==(const OutputTensor& o) const { return type == o.type && values == o.values; }
};

struct Result {
    int64_t compute_units{0};
    std::vector<OutputTensor> outputs;  //!< one per infer transaction, block order
    bool operator==(const Result& o) const { return compute_units == o.compute_units && outputs == o.outputs; }
};

struct StorageProofItem {
    uint256 pieces_root;
    uint32_t block_index{0};
    std::vector<uint8_t> block;
    std::vector<uint256> path;
    bool operator==(const StorageProofItem& o) const;
};

struct StorageProof {
    std::vector<StorageProofItem> proofs;
    bool operator==(const StorageProof& o) const { return proofs == o.proofs; }
};

struct Transfer {
    uint256 model_id;
    bool operator==(const Transfer& o) const { return model_id == o.model_id; }
};

struct Bounty {
    uint256 model_id;
    int64_t target_score{0};
    uint32_t expiry_height{0};
    std::vector<uint8_t> refund_script;
    bool operator==(const Bounty& o) const;
};

/** Alternative index + 1 == PayloadKind. */
using Payload = std::variant<AddModel, Infer, UpdateWeights, Result, StorageProof, Transfer, Bounty>;

PayloadKind KindOf(const Payload& payload);

/** Serialized payload, kind byte first. */
std::vector<uint8_t> EncodeOdaPayload(const Payload& payload);

/** See the contract at the top of this file. */
[[nodiscard]] bool DecodeOdaPayload(const std::vector<uint8_t>& bytes, Payload& out, std::string& error);

} // namespace oda::chain

#endif // ODA_ODA_CHAIN_PAYLOAD_H
