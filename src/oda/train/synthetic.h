// Synthetic datasets for tests and demos: random int8 inputs whose labels
// (or targets) come from a hidden random linear "teacher", so that a model
// can actually learn them (pure random labels could not beat chance).
//
// Deterministic: the same options give the same bytes on every platform
// (std::mt19937_64 raw output only, no std:: distributions).
#ifndef ODA_ODA_TRAIN_SYNTHETIC_H
#define ODA_ODA_TRAIN_SYNTHETIC_H

#include <oda/model/dataset.h>

#include <cstdint>
#include <string>
#include <vector>

namespace oda::train {

struct SyntheticOptions {
    std::vector<uint32_t> input_shape;
    uint64_t count{0};
    /** Classification: number of classes (labels in [0, classes)). */
    uint32_t classes{10};
    /** Regression (neg_sse) when non-empty: targets of this shape, values in [-100, 100]. */
    std::vector<uint32_t> target_shape;
    uint64_t seed{1};
};

/** Limits that keep a synthetic set in memory (checked, error otherwise). */
static constexpr uint64_t MAX_SYNTHETIC_BYTES = 1ull << 30;

bool MakeSyntheticDataset(const SyntheticOptions& options, model::Dataset& out, std::string& error);

} // namespace oda::train

#endif // ODA_ODA_TRAIN_SYNTHETIC_H
