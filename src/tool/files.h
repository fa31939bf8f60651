// oda-model's file handling: reads architectures, weights and datasets and checks them
// against each other; writes outputs. Every failure throws ToolError naming the file.
#ifndef ODA_TOOL_FILES_H
#define ODA_TOOL_FILES_H

#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>

#include <cstdint>
#include <string>
#include <vector>

namespace odamodel {

/** An architecture together with its analysis (shapes, counts, cost). */
struct LoadedArch {
    oda::model::Architecture arch;
    oda::model::ArchitectureInfo info;
};

/** Reads an architecture as JSON (first non-space byte '{') or in the binary encoding
 *  (at most 1 MiB) and analyzes it. */
LoadedArch LoadArchitecture(const std::string& path);
/** Reads a weights file and checks it fits the architecture. */
oda::model::Weights LoadWeights(const std::string& path, const LoadedArch& a);
/** Reads a dataset file; with `a`, also checks it fits that architecture. */
oda::model::Dataset LoadDataset(const std::string& path, const LoadedArch* a = nullptr);
/** The model of the architecture with the weights read from `weights_path`. */
oda::model::Model LoadModel(const LoadedArch& a, const std::string& weights_path);

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes);
/** Writes weights made by this tool; a check failure is an internal error. */
void SaveWeights(const std::string& path, const LoadedArch& a, const oda::model::Weights& w);
/** Writes a dataset and prints "wrote PATH (N samples, input SHAPE)". */
void SaveDataset(const std::string& path, const oda::model::Dataset& d);

} // namespace odamodel

#endif // ODA_TOOL_FILES_H
