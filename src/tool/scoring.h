// oda-model's scoring report: the integer score of a model on a dataset, with timing.
#ifndef ODA_TOOL_SCORING_H
#define ODA_TOOL_SCORING_H

#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>

#include <chrono>

namespace odamodel {

/** Wall-clock seconds since `since`. */
double SecondsSince(std::chrono::steady_clock::time_point since);

/** Scores `m` on `d` with the consensus engine (or, with `reference`, the reference
 *  interpreter) and prints "WHAT: score S, accuracy A% (S/N), T s" (accuracy objective) or
 *  "WHAT: score S (neg_sse over N samples), T s". The time excludes the engine's one-off
 *  weight packing. */
void ReportScore(const char* what, const oda::model::Architecture& arch, const oda::model::Model& m,
                 const oda::model::Dataset& d, bool reference);

} // namespace odamodel

#endif // ODA_TOOL_SCORING_H
