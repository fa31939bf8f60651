// Weights file encoding and the checks that bind weights to an architecture.
#include <oda/model/weights.h>

#include <oda/model/fileio.h>
#include <streams.h>

#include <cstdlib>
#include <cstring>

namespace oda::model {

std::vector<uint8_t> EncodeWeights(const Weights& w)
{
    std::vector<uint8_t> out;
    VectorWriter s(out);
    s.write(WEIGHTS_MAGIC, 4);
    Serialize(s, WEIGHTS_VERSION);
    Serialize(s, w.architecture_hash);
    Serialize(s, w.input_zero_point);
    WriteCompactSize(s, w.layers.size());
    for (const LayerParams& p : w.layers) {
        SerializeMany(s, p.weights, p.biases, p.multipliers, p.shifts, p.output_zero_point);
    }
    return out;
}

bool DecodeWeights(const uint8_t* data, size_t size, Weights& out, std::string& error)
{
    if (size > MAX_WEIGHTS_FILE_SIZE) {
        error = "weights file too large: " + std::to_string(size) + " bytes";
        return false;
    }
    try {
        SpanReader r(data, size);
        uint8_t magic[4];
        r.read(magic, 4);
        if (std::memcmp(magic, WEIGHTS_MAGIC, 4) != 0) {
            error = "not a weights file (bad magic)";
            return false;
        }
        uint8_t version;
        r >> version;
        if (version != WEIGHTS_VERSION) {
            error = "unsupported weights format version " + std::to_string(version);
            return false;
        }
        Weights w;
        r >> w.architecture_hash >> w.input_zero_point;
        uint64_t n = ReadCompactSize(r);
        if (n > MAX_LAYERS) {
            error = "weights file declares " + std::to_string(n) + " layers (at most " + std::to_string(MAX_LAYERS) + ")";
            return false;
        }
        w.layers.resize(n);
        for (LayerParams& p : w.layers) {
            // serialize.h grows vectors in bounded chunks while reading, so a lying
            // length fails at the end of the data after at most one chunk.
            r >> p.weights >> p.biases >> p.multipliers >> p.shifts >> p.output_zero_point;
        }
        if (!r.empty()) {
            error = "trailing bytes after weights";
            return false;
        }
        out = std::move(w);
        return true;
    } catch (const SerializationError& e) {
        error = std::string("malformed weights file: ") + e.what();
        return false;
    }
}

bool DecodeWeights(const std::vector<uint8_t>& bytes, Weights& out, std::string& error)
{
    return DecodeWeights(bytes.data(), bytes.size(), out, error);
}

bool ReadWeightsFile(const std::string& path, uint64_t max_size, Weights& out, std::string& error)
{
    std::vector<uint8_t> bytes;
    if (!ReadFileBounded(path, std::min(max_size, MAX_WEIGHTS_FILE_SIZE), bytes, error)) return false;
    if (!DecodeWeights(bytes, out, error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

bool CheckWeights(const Architecture& arch, const ArchitectureInfo& info, const Weights& w, std::string& error)
{
    if (w.architecture_hash != ArchitectureHash(arch)) {
        error = "weights are for another architecture (hash mismatch)";
        return false;
    }
    if (w.layers.size() != arch.layers.size() || info.layers.size() != arch.layers.size()) {
        error = "weights have " + std::to_string(w.layers.size()) + " layers, the architecture " + std::to_string(arch.layers.size());
        return false;
    }
    for (size_t i = 0; i < arch.layers.size(); ++i) {
        const Layer& l = arch.layers[i];
        const LayerInfo& li = info.layers[i];
        const LayerParams& p = w.layers[i];
        const std::string where = "layer " + std::to_string(i) + " (" + LayerKindName(l.kind) + ")";
        auto fail = [&](const std::string& msg) { error = where + ": " + msg; return false; };
        if (!IsAccumulating(l.kind)) {
            if (!p.weights.empty() || !p.biases.empty() || !p.multipliers.empty() || !p.shifts.empty() || p.output_zero_point != 0) {
                return fail("has no parameters, but the weights file gives some");
            }
            continue;
        }
        if (p.weights.size() != li.weight_count) return fail("expected " + std::to_string(li.weight_count) + " weights, got " + std::to_string(p.weights.size()));
        if (p.biases.size() != li.channel_count) return fail("expected " + std::to_string(li.channel_count) + " biases, got " + std::to_string(p.biases.size()));
        const bool logits = arch.logits_output && i + 1 == arch.layers.size();
        const size_t requant = logits ? 0 : (l.per_channel ? li.channel_count : 1);
        if (p.multipliers.size() != requant || p.shifts.size() != requant) {
            return fail("expected " + std::to_string(requant) + " multipliers and shifts, got " +
                        std::to_string(p.multipliers.size()) + " and " + std::to_string(p.shifts.size()));
        }
        if (logits && p.output_zero_point != 0) return fail("logits layer must have output zero point 0");
        for (int32_t m : p.multipliers) {
            if (m < 0) return fail("negative requantization multiplier " + std::to_string(m));
        }
        // Overflow proof: |sum (x - zp) * w| <= fan_in * 255 * 128, plus |bias|, must fit int32.
        const int64_t worst_products = static_cast<int64_t>(li.fan_in) * MAX_ABS_INPUT_DELTA * MAX_ABS_WEIGHT;
        for (size_t c = 0; c < p.biases.size(); ++c) {
            const int64_t abs_bias = std::llabs(static_cast<int64_t>(p.biases[c]));
            if (worst_products + abs_bias > 2147483647LL) {
                return fail("bias " + std::to_string(p.biases[c]) + " of channel " + std::to_string(c) + " could overflow the int32 accumulator");
            }
        }
    }
    return true;
}

} // namespace oda::model
