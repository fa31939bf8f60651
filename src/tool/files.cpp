#include <tool/files.h>

#include <tool/args.h>
#include <oda/model/fileio.h>

#include <cctype>
#include <cstdio>

using namespace oda;

namespace odamodel {

LoadedArch LoadArchitecture(const std::string& path)
{
    std::vector<uint8_t> bytes;
    std::string error;
    if (!model::ReadFileBounded(path, 1 << 20, bytes, error)) throw ToolError(error);
    LoadedArch a;
    size_t first = 0;
    while (first < bytes.size() && std::isspace(bytes[first])) ++first;
    bool ok = first < bytes.size() && bytes[first] == '{'
                  ? model::ArchitectureFromJson(std::string(bytes.begin(), bytes.end()), a.arch, error)
                  : model::DecodeArchitecture(bytes, a.arch, error);
    if (!ok) throw ToolError(path + ": " + error);
    if (!model::AnalyzeArchitecture(a.arch, a.info, error)) throw ToolError(path + ": invalid architecture: " + error);
    return a;
}

model::Weights LoadWeights(const std::string& path, const LoadedArch& a)
{
    model::Weights w;
    std::string error;
    if (!model::ReadWeightsFile(path, model::MAX_WEIGHTS_FILE_SIZE, w, error)) throw ToolError(error); // names the file
    if (!model::CheckWeights(a.arch, a.info, w, error)) throw ToolError(path + ": " + error);
    return w;
}

model::Dataset LoadDataset(const std::string& path, const LoadedArch* a)
{
    model::Dataset d;
    std::string error;
    if (!model::ReadDatasetFile(path, model::MAX_DATASET_FILE_SIZE, d, error)) throw ToolError(error); // names the file
    if (a && !model::CheckDataset(a->arch, a->info, d, error)) throw ToolError(path + ": " + error);
    return d;
}

model::Model LoadModel(const LoadedArch& a, const std::string& weights_path)
{
    model::Model m;
    std::string error;
    if (!model::MakeModel(a.arch, LoadWeights(weights_path, a), m, error)) throw ToolError(error);
    return m;
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::string error;
    if (!model::WriteFileBytes(path, bytes, error)) throw ToolError(error);
}

void SaveWeights(const std::string& path, const LoadedArch& a, const model::Weights& w)
{
    std::string error;
    if (!model::CheckWeights(a.arch, a.info, w, error)) throw ToolError("internal: quantized weights rejected: " + error);
    WriteFile(path, model::EncodeWeights(w));
}

void SaveDataset(const std::string& path, const model::Dataset& d)
{
    WriteFile(path, model::EncodeDataset(d));
    std::printf("wrote %s (%llu samples, input %s)\n", path.c_str(), static_cast<unsigned long long>(d.sample_count),
                model::ShapeToString(d.input_shape).c_str());
}

} // namespace odamodel
