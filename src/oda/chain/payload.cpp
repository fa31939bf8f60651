#include <oda/chain/payload.h>

#include <serialize.h>
#include <streams.h>

#include <set>
#include <stdexcept>

namespace oda::chain {

bool AddModel::operator==(const AddModel& o) const
{
    return architecture == o.architecture && dataset == o.dataset && dataset_samples == o.dataset_samples &&
           initial_weights == o.initial_weights && initial_score == o.initial_score && royalty == o.royalty &&
           trainer_share_bp == o.trainer_share_bp && parents == o.parents && min_improvement == o.min_improvement;
}
bool Infer::operator==(const Infer& o) const
{
    return model_id == o.model_id && weights_version == o.weights_version && input == o.input;
}
bool UpdateWeights::operator==(const UpdateWeights& o) const
{
    return model_id == o.model_id && weights == o.weights && claimed_score == o.claimed_score &&
           trainer_script == o.trainer_script;
}
bool StorageProofItem::operator==(const StorageProofItem& o) const
{
    return pieces_root == o.pieces_root && block_index == o.block_index && block == o.block && path == o.path;
}
bool Bounty::operator==(const Bounty& o) const
{
    return model_id == o.model_id && target_score == o.target_score && expiry_height == o.expiry_height &&
           refund_script == o.refund_script;
}

std::string PayloadKindName(PayloadKind kind)
{
    switch (kind) {
    case PayloadKind::ADD_MODEL: return "add_model";
    case PayloadKind::INFER: return "infer";
    case PayloadKind::UPDATE_WEIGHTS: return "update_weights";
    case PayloadKind::RESULT: return "result";
    case PayloadKind::STORAGE_PROOF: return "storage_proof";
    case PayloadKind::TRANSFER: return "transfer";
    case PayloadKind::BOUNTY: return "bounty";
    }
    return "unknown";
}

PayloadKind KindOf(const Payload& payload) { return static_cast<PayloadKind>(payload.index() + 1); }

namespace {

// A decode failure with a message for the caller; never escapes DecodeOdaPayload.
struct PayloadError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------- writing
void WriteBytes(VectorWriter& w, const std::vector<uint8_t>& b)
{
    WriteCompactSize(w, b.size());
    w.write(b.data(), b.size());
}
void WriteCommitment(VectorWriter& w, const Commitment& c) { w << c.pieces_root << c.file_size; }

void Write(VectorWriter& w, const AddModel& p)
{
    WriteBytes(w, model::EncodeArchitecture(p.architecture));
    WriteCommitment(w, p.dataset);
    w << p.dataset_samples;
    WriteCommitment(w, p.initial_weights);
    w << p.initial_score << p.royalty << p.trainer_share_bp;
    WriteCompactSize(w, p.parents.size());
    for (const ParentShare& s : p.parents) w << s.model_id << s.share_bp;
    w << p.min_improvement;
}
void Write(VectorWriter& w, const Infer& p)
{
    w << p.model_id << p.weights_version;
    WriteCompactSize(w, p.input.size());
    for (int8_t v : p.input) w << v;
}
void Write(VectorWriter& w, const UpdateWeights& p)
{
    w << p.model_id;
    WriteCommitment(w, p.weights);
    w << p.claimed_score;
    WriteBytes(w, p.trainer_script);
}
void Write(VectorWriter& w, const Result& p)
{
    w << p.compute_units;
    WriteCompactSize(w, p.outputs.size());
    for (const OutputTensor& t : p.outputs) {
        w << static_cast<uint8_t>(t.type);
        WriteCompactSize(w, t.values.size());
        for (int32_t v : t.values) {
            if (t.type == TensorType::INT8) {
                w << static_cast<int8_t>(v);
            } else {
                w << v;
            }
        }
    }
}
void Write(VectorWriter& w, const StorageProof& p)
{
    WriteCompactSize(w, p.proofs.size());
    for (const StorageProofItem& i : p.proofs) {
        w << i.pieces_root << i.block_index;
        WriteBytes(w, i.block);
        WriteCompactSize(w, i.path.size());
        for (const uint256& h : i.path) w << h;
    }
}
void Write(VectorWriter& w, const Transfer& p) { w << p.model_id; }
void Write(VectorWriter& w, const Bounty& p)
{
    w << p.model_id << p.target_score << p.expiry_height;
    WriteBytes(w, p.refund_script);
}

// ---------------------------------------------------------------- reading
/** A count of elements of elem_size bytes each, checked against what is left (so a large
 *  count never allocates) and against max. */
size_t ReadCount(SpanReader& r, size_t elem_size, size_t max, const char* what)
{
    const uint64_t n = ReadCompactSize(r);
    if (n * elem_size > r.remaining()) throw PayloadError(std::string(what) + " truncated");
    if (n > max) throw PayloadError(std::string(what) + " over the limit");
    return static_cast<size_t>(n);
}
std::vector<uint8_t> ReadBytes(SpanReader& r, size_t max, const char* what)
{
    const size_t n = ReadCount(r, 1, max, what);
    std::vector<uint8_t> b(n);
    r.read(b.data(), n);
    return b;
}
Commitment ReadCommitment(SpanReader& r)
{
    Commitment c;
    r >> c.pieces_root >> c.file_size;
    if (c.file_size > static_cast<uint64_t>(INT64_MAX)) throw PayloadError("file size out of range");
    return c;
}
void CheckModelId(const uint256& id)
{
    if (id.IsNull()) throw PayloadError("null model id");
}
/** A nonzero share must pay at least the dust threshold per inference. */
void CheckShare(int64_t royalty, uint16_t bp, const char* what)
{
    if (bp > BASIS_POINTS) throw PayloadError(std::string(what) + " over 10000 basis points");
    if (bp != 0 && royalty / static_cast<int64_t>(BASIS_POINTS) * bp +
                           (royalty % static_cast<int64_t>(BASIS_POINTS)) * bp / static_cast<int64_t>(BASIS_POINTS) <
                       ODA_DUST_THRESHOLD) {
        throw PayloadError(std::string(what) + " pays less than the dust threshold");
    }
}

AddModel ReadAddModel(SpanReader& r)
{
    AddModel p;
    const std::vector<uint8_t> arch = ReadBytes(r, r.remaining(), "architecture");
    std::string err;
    if (!model::DecodeArchitecture(arch, p.architecture, err)) throw PayloadError("architecture: " + err);
    if (model::EncodeArchitecture(p.architecture) != arch) throw PayloadError("non-canonical architecture");
    p.dataset = ReadCommitment(r);
    r >> p.dataset_samples;
    p.initial_weights = ReadCommitment(r);
    r >> p.initial_score >> p.royalty >> p.trainer_share_bp;
    if (p.royalty < 0 || p.royalty > MAX_ROYALTY) throw PayloadError("royalty out of range");
    CheckShare(p.royalty, p.trainer_share_bp, "trainer share");
    uint32_t total = p.trainer_share_bp;
    const size_t n = ReadCount(r, 34, MAX_PARENT_MODELS, "parents");
    std::set<uint256> seen;
    for (size_t i = 0; i < n; ++i) {
        ParentShare s;
        r >> s.model_id >> s.share_bp;
        CheckModelId(s.model_id);
        if (!seen.insert(s.model_id).second) throw PayloadError("duplicate parent model");
        CheckShare(p.royalty, s.share_bp, "parent share");
        total += s.share_bp;
        p.parents.push_back(s);
    }
    if (total > BASIS_POINTS) throw PayloadError("shares over 10000 basis points");
    r >> p.min_improvement;
    if (p.min_improvement < 0) throw PayloadError("negative minimum improvement");
    return p;
}
Infer ReadInfer(SpanReader& r)
{
    Infer p;
    r >> p.model_id >> p.weights_version;
    CheckModelId(p.model_id);
    const size_t n = ReadCount(r, 1, r.remaining(), "input tensor");
    p.input.resize(n);
    for (int8_t& v : p.input) r >> v;
    return p;
}
UpdateWeights ReadUpdateWeights(SpanReader& r)
{
    UpdateWeights p;
    r >> p.model_id;
    CheckModelId(p.model_id);
    p.weights = ReadCommitment(r);
    r >> p.claimed_score;
    p.trainer_script = ReadBytes(r, MAX_ODA_SCRIPT_BYTES, "trainer script");
    return p;
}
Result ReadResult(SpanReader& r)
{
    Result p;
    r >> p.compute_units;
    if (p.compute_units < 0) throw PayloadError("negative compute units");
    const size_t n = ReadCount(r, 2, r.remaining(), "output tensors");
    for (size_t i = 0; i < n; ++i) {
        OutputTensor t;
        uint8_t type;
        r >> type;
        if (type > 1) throw PayloadError("unknown tensor element type");
        t.type = static_cast<TensorType>(type);
        const size_t m = ReadCount(r, type == 0 ? 1 : 4, r.remaining(), "output tensor");
        t.values.resize(m);
        for (int32_t& v : t.values) {
            if (t.type == TensorType::INT8) {
                int8_t b;
                r >> b;
                v = b;
            } else {
                r >> v;
            }
        }
        p.outputs.push_back(std::move(t));
    }
    return p;
}
StorageProof ReadStorageProof(SpanReader& r)
{
    StorageProof p;
    const size_t n = ReadCount(r, 38, r.remaining(), "storage proofs");
    for (size_t i = 0; i < n; ++i) {
        StorageProofItem item;
        r >> item.pieces_root >> item.block_index;
        item.block = ReadBytes(r, STORAGE_BLOCK_BYTES, "storage block");
        if (item.block.empty()) throw PayloadError("empty storage block");
        const size_t m = ReadCount(r, 32, MAX_MERKLE_PATH, "Merkle path");
        item.path.resize(m);
        for (uint256& h : item.path) r >> h;
        p.proofs.push_back(std::move(item));
    }
    return p;
}
Transfer ReadTransfer(SpanReader& r)
{
    Transfer p;
    r >> p.model_id;
    CheckModelId(p.model_id);
    return p;
}
Bounty ReadBounty(SpanReader& r)
{
    Bounty p;
    r >> p.model_id >> p.target_score >> p.expiry_height;
    CheckModelId(p.model_id);
    p.refund_script = ReadBytes(r, MAX_ODA_SCRIPT_BYTES, "refund script");
    return p;
}

} // namespace

std::vector<uint8_t> EncodeOdaPayload(const Payload& payload)
{
    std::vector<uint8_t> out;
    VectorWriter w(out);
    w << static_cast<uint8_t>(KindOf(payload));
    std::visit([&](const auto& p) { Write(w, p); }, payload);
    return out;
}

bool DecodeOdaPayload(const std::vector<uint8_t>& bytes, Payload& out, std::string& error)
{
    try {
        SpanReader r(bytes);
        if (r.empty()) throw PayloadError("empty payload");
        uint8_t kind;
        r >> kind;
        switch (kind) {
        case 1: out = ReadAddModel(r); break;
        case 2: out = ReadInfer(r); break;
        case 3: out = ReadUpdateWeights(r); break;
        case 4: out = ReadResult(r); break;
        case 5: out = ReadStorageProof(r); break;
        case 6: out = ReadTransfer(r); break;
        case 7: out = ReadBounty(r); break;
        default: throw PayloadError("unknown kind " + std::to_string(kind));
        }
        if (!r.empty()) throw PayloadError("trailing bytes");
        return true;
    } catch (const PayloadError& e) {
        error = e.what();
    } catch (const SerializationError& e) {
        error = std::string("truncated or non-canonical: ") + e.what();
    } catch (const std::exception& e) {
        error = e.what();
    }
    return false;
}

} // namespace oda::chain
