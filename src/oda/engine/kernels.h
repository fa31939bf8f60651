// Exact integer kernels for the consensus engine's hot loops (no libtorch here):
// a u8 x s8 -> int32 matrix product chosen at run time (AVX-512 VNNI vpdpbusd,
// AVX2 vpmaddwd on int16, or portable scalar) and the vectorized requantization
// (requant_simd.h); convolutions are in conv.h. Exactness: the architecture's
// overflow proof bounds every partial sum of a layer's products inside int32, so
// any summation order gives the same int32 result, with or without SIMD.
#ifndef ODA_ODA_ENGINE_KERNELS_H
#define ODA_ODA_ENGINE_KERNELS_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace oda::engine {

/** Which matrix kernel to use. AUTO = the fastest this CPU supports. */
enum class KernelKind { AUTO, SCALAR, AVX2, AVX512VNNI };

/** CPU features, checked once with __builtin_cpu_supports. */
bool CpuHasAvx2();
bool CpuHasAvx512Vnni();
/** The kernel that will actually run: AUTO picks AVX512VNNI, else AVX2, else
 *  SCALAR; a requested kernel the CPU lacks falls back the same way. */
KernelKind ResolveKernel(KernelKind kind);
const char* KernelName(KernelKind kind);

/** Activations enter the kernels as unsigned bytes a = x + 128 (x int8), so that
 *  (x - zp) * w = a * w - (zp + 128) * w: the zero point moves into the bias
 *  (OffsetBiases) and the AVX-512 VNNI u8 x s8 dot product applies. Every partial
 *  sum of a * w is bounded by fan_in * 255 * 128 <= INT32_MAX (the architecture's
 *  overflow proof), and the final int32 is exact because int32 addition wraps
 *  modulo 2^32 and the true accumulator fits int32. */
inline uint8_t ToKernelByte(int8_t x) { return static_cast<uint8_t>(static_cast<uint8_t>(x) ^ 0x80); }

/** A weight matrix W[n][k] (n output columns, k = fan-in) packed for one kernel:
 *  panels of 16 columns; k is padded with zero weights to a multiple of 4. */
struct PackedWeights {
    KernelKind kind{KernelKind::SCALAR};  //!< resolved kernel this packing is for
    size_t n{0};
    size_t k{0};
    size_t k_padded{0};                   //!< minimum row length (bytes) of the activation rows
    std::vector<int8_t> bytes;            //!< SCALAR / AVX512VNNI: [panel][k/4][16 columns][4]
    std::vector<int16_t> words;           //!< AVX2: [panel][k/2][16 columns][2]
    std::vector<int64_t> column_sums;     //!< sum over k of W[j][k]
};

/** Packs row-major int8 weights [n][k] for `kind` (resolved with ResolveKernel). */
PackedWeights PackWeights(const int8_t* w, size_t n, size_t k, KernelKind kind);

/** bias[j] - (input_zero_point + 128) * column_sums[j], wrapped to int32 (see above). */
std::vector<int32_t> OffsetBiases(const PackedWeights& b, const int32_t* bias, int32_t input_zero_point);

/** C[m][j] = offset_bias[j] + sum_k A[m][k] * W[j][k] (mod 2^32) for m < rows, j < b.n.
 *  A: rows of kernel bytes with stride lda >= b.k_padded; bytes beyond b.k are ignored
 *  (their weights are 0). C: int32 rows with stride ldc >= b.n. */
void MatMulBias(const uint8_t* a, size_t rows, size_t lda, const PackedWeights& b, const int32_t* offset_bias,
                int32_t* c, size_t ldc);

/** Requantization constants of one output channel (see oda/model/arithmetic.h). */
struct ChannelRequant {
    int32_t multiplier{0};
    int32_t left_shift{0};   //!< 0..32 (larger shifts saturate exactly like 32)
    int32_t right_shift{0};  //!< 0..40 (larger shifts give 0 exactly like 40)
    int32_t zero_point{0};
};

/** Requantization constants of a layer laid out for the vector code, one entry per
 *  output channel. Right shifts above 32 are folded into multiplier 0, right shift
 *  0: RoundingDivideByPOT(x, e) is 0 for every int32 x when e > 32, and so is
 *  SRDHM(x, 0), so the folded constants give the same int8 for every accumulator
 *  while every shift count fits a 32-bit lane. `lower` is the lower clamp: -128, or
 *  the output zero point when the ReLU that follows the layer is fused in
 *  (max(clamp(r + zp, -128, 127), zp) == clamp(r + zp, zp, 127)). */
struct RequantTable {
    std::vector<int32_t> left, multiplier, right, zero_point, lower;
    std::vector<int32_t> mask;  //!< 2^right - 1 (as uint32: all ones for right 32)
    bool any_left{false};       //!< some channel has left > 0
    size_t Size() const { return left.size(); }
};
RequantTable MakeRequantTable(const ChannelRequant* channels, size_t count, bool fuse_relu);

/** out[m * ldo + j] = max(Requantize(acc[m * ldc + j]), lower[j]) with the constants of
 *  channel j, on the vector unit of `kind` (AVX512VNNI: 16 int32 lanes with AVX-512F;
 *  AVX2: 8 lanes; SCALAR: RequantizeOne). Every kind gives the same bits. */
void RequantizeRowsWith(KernelKind kind, const int32_t* acc, size_t rows, size_t cols, size_t ldc, const RequantTable& t,
                        int8_t* out, size_t ldo);

/** out[i] = max(Requantize(acc[i]), lower[channel]) for i < count, one channel's constants. */
void RequantizeChannelWith(KernelKind kind, const int32_t* acc, size_t count, const RequantTable& t, size_t channel,
                           int8_t* out);

/** A Dense layer prepared once for one kernel: the packed weights, the offset biases
 *  and (unless the layer is logits) the requantization constants, the last two
 *  padded with zero entries to whole panels of 16 so that the kernel's epilogue reads
 *  whole vectors (the padding columns are computed and never stored). */
struct DenseKernel {
    PackedWeights packed;
    std::vector<int32_t> bias;  //!< OffsetBiases, padded
    bool requantize{false};     //!< int8 outputs (else int32 outputs: a logits layer)
    RequantTable requant;       //!< padded
};

/** weights [n][k] and biases [n] in the model's order; `requant` has n entries, or is
 *  nullptr for a logits layer (int32 outputs). */
DenseKernel PrepareDense(const int8_t* weights, size_t n, size_t k, const int32_t* biases, int32_t input_zero_point,
                         const ChannelRequant* requant, bool fuse_relu, KernelKind kind);

/** Per-thread working memory of DenseForward (grows on first use, then reused). */
struct DenseScratch {
    std::vector<uint8_t> bytes;  //!< AVX-512 VNNI / scalar: kernel-byte rows
    std::vector<int16_t> words;  //!< AVX2: the kernel bytes as int16
    std::vector<int32_t> acc;    //!< scalar: accumulators before requantization
};

/** `rows` samples x [rows][k] (int8, the model's values) through the layer: y [rows][n]
 *  requantized int8 (ReLU fused if prepared so), or c [rows][n] int32 for a logits
 *  layer. The matrix product, bias and requantization run as one pass over register
 *  tiles of several samples x 16 or 32 columns (requantization in the tile's epilogue). */
void DenseForward(const DenseKernel& d, const int8_t* x, size_t rows, int8_t* y, int32_t* c, DenseScratch& s);

/** Convolution geometry: input C,H,W, window, strides, padding and output size. */
struct ConvGeometry {
    size_t channels, height, width;  //!< input C,H,W
    size_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
    size_t out_h, out_w;
};

/** Rows of kernel bytes from int8 rows: dst[m][i] = ToKernelByte(src[m][i]) for i < k, 0 up to lda. */
void ToKernelRows(const int8_t* src, size_t rows, size_t k, uint8_t* dst, size_t lda);

} // namespace oda::engine

#endif // ODA_ODA_ENGINE_KERNELS_H
