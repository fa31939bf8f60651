// The reference interpreter: plain, readable C++ loops that are the executable
// specification of consensus inference (doc/oda-models.md). Slow by design;
// the consensus engine (engine.h) must produce exactly the same bits.
#ifndef ODA_ODA_ENGINE_REFERENCE_H
#define ODA_ODA_ENGINE_REFERENCE_H

#include <oda/model/dataset.h>
#include <oda/model/model.h>

#include <cstdint>

namespace oda::engine {

/** Runs one input (ShapeElements(model.info.input_shape) int8 values, C,H,W order). */
model::ModelOutput ReferenceRun(const model::Model& model, const int8_t* input);

/** Scores the model on a dataset. Throws std::invalid_argument (with the
 *  CheckDataset message) if the dataset does not fit the model. */
int64_t ReferenceScore(const model::Model& model, const model::Dataset& dataset);

} // namespace oda::engine

#endif // ODA_ODA_ENGINE_REFERENCE_H
