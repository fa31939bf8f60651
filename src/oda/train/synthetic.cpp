#include <oda/train/synthetic.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace oda::train {

namespace {
/** Uniform double in [-1, 1) from the generator's raw 64-bit output. */
double Uniform(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-52 - 1.0; }
} // namespace

bool MakeSyntheticDataset(const SyntheticOptions& o, model::Dataset& out, std::string& error)
{
    out = model::Dataset{};
    uint64_t in_size = 1, out_size = 1;
    for (uint32_t d : o.input_shape) in_size *= d;
    for (uint32_t d : o.target_shape) out_size *= d;
    const bool regression = !o.target_shape.empty();
    if (o.input_shape.empty() || in_size == 0) {
        error = "input shape must be non-empty with non-zero dimensions";
        return false;
    }
    if (o.count == 0) {
        error = "sample count must be >= 1";
        return false;
    }
    if (regression ? out_size == 0 : o.classes < 2) {
        error = regression ? "target shape must have non-zero dimensions" : "need at least 2 classes";
        return false;
    }
    const uint64_t outputs = regression ? out_size : o.classes;
    if (in_size > MAX_SYNTHETIC_BYTES || o.count > MAX_SYNTHETIC_BYTES / in_size ||
        outputs * in_size > MAX_SYNTHETIC_BYTES / 8 || o.count * outputs > MAX_SYNTHETIC_BYTES / 4) {
        error = "synthetic dataset would exceed " + std::to_string(MAX_SYNTHETIC_BYTES) + " bytes";
        return false;
    }
    std::mt19937_64 rng(o.seed);
    std::vector<double> teacher(outputs * in_size), bias(outputs);
    for (double& w : teacher) w = Uniform(rng);
    for (double& b : bias) b = Uniform(rng) * 0.1;
    out.input_shape = o.input_shape;
    out.target_shape = o.target_shape;
    out.sample_count = o.count;
    out.inputs.resize(o.count * in_size);
    for (auto& x : out.inputs) x = static_cast<int8_t>(static_cast<int>(rng() & 0xff) - 128);
    const double norm = 1.0 / std::sqrt(double(in_size));
    std::vector<double> y(outputs);
    for (uint64_t s = 0; s < o.count; ++s) {
        const int8_t* x = out.inputs.data() + s * in_size;
        for (uint64_t k = 0; k < outputs; ++k) {
            double acc = 0;
            const double* w = teacher.data() + k * in_size;
            for (uint64_t j = 0; j < in_size; ++j) acc += w[j] * (x[j] + 128) / 255.0; // real input in [0, 1]
            y[k] = acc * norm + bias[k];
        }
        if (regression) {
            // Centre with the teacher's mean response so targets use the whole range.
            for (uint64_t k = 0; k < outputs; ++k) {
                double mean = 0;
                const double* w = teacher.data() + k * in_size;
                for (uint64_t j = 0; j < in_size; ++j) mean += w[j] * 0.5;
                double v = (y[k] - mean * norm) * 60.0;
                out.targets.push_back(static_cast<int32_t>(std::clamp(std::round(v), -100.0, 100.0)));
            }
        } else {
            out.labels.push_back(static_cast<uint32_t>(std::max_element(y.begin(), y.end()) - y.begin()));
        }
    }
    return true;
}

} // namespace oda::train
