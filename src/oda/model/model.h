// A validated model (architecture + its analysis + weights that fit it), the
// output of one inference, and the objective scoring rules shared by both engines.
#ifndef ODA_ODA_MODEL_MODEL_H
#define ODA_ODA_MODEL_MODEL_H

#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/weights.h>

#include <cstdint>
#include <string>
#include <vector>

namespace oda::model {

/** Architecture and weights that passed AnalyzeArchitecture and CheckWeights.
 *  The engines accept only this type, so they never see unchecked parameters. */
struct Model {
    Architecture architecture;
    ArchitectureInfo info;
    Weights weights;
};

/** Validates and bundles. Does not check a compute limit (use CheckArchitecture). */
[[nodiscard]] bool MakeModel(const Architecture& arch, const Weights& weights, Model& out, std::string& error);

/** The output tensor of one inference: int8 values (widened) or int32 logits. */
struct ModelOutput {
    Shape shape;
    bool logits{false};
    std::vector<int32_t> values;

    bool operator==(const ModelOutput& o) const { return shape == o.shape && logits == o.logits && values == o.values; }
};

/** Index of the largest value; ties go to the lowest index. n >= 1. */
uint32_t Argmax(const int32_t* values, size_t n);

/** Sums one objective over samples in any order with the same result:
 *  accuracy counts correct argmaxes; neg_sse adds squared errors saturating at
 *  INT64_MAX (all terms are >= 0, so saturation is order-independent) and the
 *  score is minus that sum. */
class ScoreAccumulator
{
    ObjectiveKind m_objective;
    uint64_t m_sum{0};

public:
    explicit ScoreAccumulator(ObjectiveKind objective) : m_objective(objective) {}
    /** Adds sample `index` of `dataset` given the model output `values` (n elements). */
    void Add(const int32_t* values, size_t n, const Dataset& dataset, uint64_t index);
    /** Merges another partial sum (for batched or parallel scoring). */
    void Merge(const ScoreAccumulator& other);
    int64_t Score() const;
};

} // namespace oda::model

#endif // ODA_ODA_MODEL_MODEL_H
