// Bounded whole-file reading for model, weights and dataset files.
#ifndef ODA_ODA_MODEL_FILEIO_H
#define ODA_ODA_MODEL_FILEIO_H

#include <cstdint>
#include <string>
#include <vector>

namespace oda::model {

/** Reads the whole file into `out`. Fails (with a message) if it cannot be
 *  opened or is larger than max_size bytes; the size is checked before reading. */
[[nodiscard]] bool ReadFileBounded(const std::string& path, uint64_t max_size, std::vector<uint8_t>& out, std::string& error);
/** Writes `bytes` to `path` (replacing it). */
[[nodiscard]] bool WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes, std::string& error);

} // namespace oda::model

#endif // ODA_ODA_MODEL_FILEIO_H
