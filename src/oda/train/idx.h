// IDX files (the MNIST / Fashion-MNIST format) and their conversion to an ODA
// dataset.
//
// IDX layout: bytes 0,1 = 0; byte 2 = element type (only 0x08 = unsigned byte
// is accepted); byte 3 = number of dimensions (1..4); then one big-endian
// uint32 per dimension; then exactly prod(dims) elements. Files may be gzip
// compressed (as shipped by Debian's dataset-fashion-mnist) or plain.
//
// Every function reports failure by returning false with a one-line message
// in `error`; none throws on bad input or allocates more than the limits below.
#ifndef ODA_ODA_TRAIN_IDX_H
#define ODA_ODA_TRAIN_IDX_H

#include <oda/model/dataset.h>

#include <cstdint>
#include <string>
#include <vector>

namespace oda::train {

/** Largest decompressed IDX file we read (the 60,000-image MNIST file is 47 MB). */
static constexpr uint64_t MAX_IDX_BYTES = 512ull << 20;

/** Input quantization of IDX pixels: int8 = pixel - 128; the zero point -128
 *  stands for the real value 0 and one int8 step is 1/255 (pixel / 255). */
static constexpr int8_t IDX_INPUT_ZERO_POINT = -128;

struct IdxArray {
    std::vector<uint32_t> dims;
    std::vector<uint8_t> data;  //!< prod(dims) elements, row-major
};

/** Parses a decompressed IDX buffer. */
bool ParseIdx(const std::vector<uint8_t>& bytes, IdxArray& out, std::string& error);

/** Reads a whole file, gunzipping it when it starts with the gzip magic, up to max_bytes. */
bool ReadMaybeGzipFile(const std::string& path, uint64_t max_bytes, std::vector<uint8_t>& out,
                       std::string& error);

/** ReadMaybeGzipFile + ParseIdx. */
bool ReadIdxFile(const std::string& path, IdxArray& out, std::string& error);

/**
 * Builds a classification dataset from an IDX image array (N x rows x cols, or
 * N x anything) and an IDX label array (N). Keeps the first `limit` samples
 * (0 = all). `input_shape` is the per-sample shape to record (empty = {1, rows, cols}
 * for 3-D images, else the trailing dims); its element count must equal the
 * image size. Labels must be < num_classes (0 = no check).
 */
bool IdxToDataset(const IdxArray& images, const IdxArray& labels, uint64_t limit,
                  std::vector<uint32_t> input_shape, uint32_t num_classes,
                  model::Dataset& out, std::string& error);

} // namespace oda::train

#endif // ODA_ODA_TRAIN_IDX_H
