// Dataset file encoding with size checks before allocation.
#include <oda/model/dataset.h>

#include <oda/model/fileio.h>
#include <streams.h>

#include <cstring>
#include <limits>

namespace oda::model {

namespace {
template <typename Stream>
void WriteShape(Stream& s, const Shape& shape)
{
    WriteCompactSize(s, shape.size());
    for (uint32_t d : shape) Serialize(s, d);
}

bool ReadShape(SpanReader& r, Shape& shape, const char* what, std::string& error)
{
    uint64_t rank = ReadCompactSize(r);
    if (rank > 3) {
        error = std::string(what) + " has " + std::to_string(rank) + " dimensions (at most 3)";
        return false;
    }
    shape.resize(rank);
    for (auto& d : shape) {
        r >> d;
        if (d == 0 || d > MAX_DIMENSION) {
            error = std::string(what) + ": dimension " + std::to_string(d) + " not in 1.." + std::to_string(MAX_DIMENSION);
            return false;
        }
    }
    if (ShapeElements(shape) > MAX_TENSOR_ELEMENTS) {
        error = std::string(what) + " too large";
        return false;
    }
    return true;
}
} // namespace

std::vector<uint8_t> EncodeDataset(const Dataset& d)
{
    std::vector<uint8_t> out;
    const uint64_t in_elems = ShapeElements(d.input_shape);
    const uint64_t t_elems = d.target_shape.empty() ? 0 : ShapeElements(d.target_shape);
    out.reserve(16 + d.inputs.size() + 4 * (d.labels.size() + d.targets.size()));
    VectorWriter s(out);
    s.write(DATASET_MAGIC, 4);
    Serialize(s, DATASET_VERSION);
    WriteShape(s, d.input_shape);
    WriteShape(s, d.target_shape);
    Serialize(s, d.sample_count);
    for (uint64_t i = 0; i < d.sample_count; ++i) {
        s.write(reinterpret_cast<const uint8_t*>(d.inputs.data() + i * in_elems), in_elems);
        if (d.target_shape.empty()) {
            Serialize(s, d.labels[i]);
        } else {
            for (uint64_t j = 0; j < t_elems; ++j) Serialize(s, d.targets[i * t_elems + j]);
        }
    }
    return out;
}

bool DecodeDataset(const uint8_t* data, size_t size, Dataset& out, std::string& error)
{
    if (size > MAX_DATASET_FILE_SIZE) {
        error = "dataset file too large: " + std::to_string(size) + " bytes";
        return false;
    }
    try {
        SpanReader r(data, size);
        uint8_t magic[4];
        r.read(magic, 4);
        if (std::memcmp(magic, DATASET_MAGIC, 4) != 0) {
            error = "not a dataset file (bad magic)";
            return false;
        }
        uint8_t version;
        r >> version;
        if (version != DATASET_VERSION) {
            error = "unsupported dataset format version " + std::to_string(version);
            return false;
        }
        Dataset d;
        if (!ReadShape(r, d.input_shape, "input shape", error)) return false;
        if (d.input_shape.empty()) {
            error = "input shape is empty";
            return false;
        }
        if (!ReadShape(r, d.target_shape, "target shape", error)) return false;
        r >> d.sample_count;
        if (d.sample_count > MAX_DATASET_SAMPLES) {
            error = "too many samples: " + std::to_string(d.sample_count);
            return false;
        }
        const uint64_t in_elems = ShapeElements(d.input_shape);
        const uint64_t t_elems = d.target_shape.empty() ? 0 : ShapeElements(d.target_shape);
        const uint64_t per_sample = in_elems + (d.target_shape.empty() ? 4 : 4 * t_elems);
        // Both factors are bounded (2^24 samples, < 2^25 bytes each), so no overflow.
        if (d.sample_count * per_sample != r.remaining()) {
            error = "dataset declares " + std::to_string(d.sample_count) + " samples of " + std::to_string(per_sample) +
                    " bytes but " + std::to_string(r.remaining()) + " bytes follow the header";
            return false;
        }
        d.inputs.resize(d.sample_count * in_elems);
        if (d.target_shape.empty()) {
            d.labels.resize(d.sample_count);
        } else {
            d.targets.resize(d.sample_count * t_elems);
        }
        for (uint64_t i = 0; i < d.sample_count; ++i) {
            r.read(reinterpret_cast<uint8_t*>(d.inputs.data() + i * in_elems), in_elems);
            if (d.target_shape.empty()) {
                r >> d.labels[i];
            } else {
                for (uint64_t j = 0; j < t_elems; ++j) r >> d.targets[i * t_elems + j];
            }
        }
        out = std::move(d);
        return true;
    } catch (const SerializationError& e) {
        error = std::string("malformed dataset file: ") + e.what();
        return false;
    }
}

bool DecodeDataset(const std::vector<uint8_t>& bytes, Dataset& out, std::string& error)
{
    return DecodeDataset(bytes.data(), bytes.size(), out, error);
}

bool ReadDatasetFile(const std::string& path, uint64_t max_size, Dataset& out, std::string& error)
{
    std::vector<uint8_t> bytes;
    if (!ReadFileBounded(path, std::min(max_size, MAX_DATASET_FILE_SIZE), bytes, error)) return false;
    if (!DecodeDataset(bytes, out, error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

bool CheckDataset(const Architecture& arch, const ArchitectureInfo& info, const Dataset& d, std::string& error)
{
    if (d.input_shape != arch.input_shape) {
        error = "dataset input shape " + ShapeToString(d.input_shape) + " differs from the model's " + ShapeToString(arch.input_shape);
        return false;
    }
    const uint64_t in_elems = ShapeElements(d.input_shape);
    if (d.inputs.size() != d.sample_count * in_elems) {
        error = "dataset inputs have the wrong size";
        return false;
    }
    if (arch.objective == ObjectiveKind::ACCURACY) {
        if (!d.target_shape.empty() || d.labels.size() != d.sample_count || !d.targets.empty()) {
            error = "objective accuracy needs a dataset of class labels";
            return false;
        }
        const uint64_t classes = ShapeElements(info.output_shape);
        for (uint64_t i = 0; i < d.sample_count; ++i) {
            if (d.labels[i] >= classes) {
                error = "sample " + std::to_string(i) + ": label " + std::to_string(d.labels[i]) + " but the model has " + std::to_string(classes) + " outputs";
                return false;
            }
        }
    } else {
        if (d.target_shape != info.output_shape || !d.labels.empty() ||
            d.targets.size() != d.sample_count * ShapeElements(d.target_shape)) {
            error = "objective neg_sse needs targets of the output shape " + ShapeToString(info.output_shape);
            return false;
        }
    }
    return true;
}

} // namespace oda::model
