// Exact integer kernels for the consensus engine's hot loops (no libtorch here):
// an int16 x int16 -> int32 matrix product (AVX2 vpmaddwd with a portable scalar
// fallback chosen at run time), im2col for convolutions and the requantization
// epilogue. Exactness: the architecture's overflow proof bounds every partial sum
// of a layer's products plus bias inside int32, so any summation order gives the
// same int32 result, with or without SIMD.
#ifndef ODA_ODA_ENGINE_KERNELS_H
#define ODA_ODA_ENGINE_KERNELS_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace oda::engine {

/** Which matrix kernel to use. AUTO = AVX2 when the CPU has it, else scalar. */
enum class KernelKind { AUTO, SCALAR, AVX2 };

/** True when this CPU supports AVX2 (checked once with __builtin_cpu_supports). */
bool CpuHasAvx2();
/** AUTO resolved for this CPU; AVX2 requested on a CPU without it falls back to SCALAR. */
KernelKind ResolveKernel(KernelKind kind);
const char* KernelName(KernelKind kind);

/** A weight matrix B[n][k] (n < N output columns, k < K) packed for the kernels:
 *  panels of 16 columns, each panel [K2 pairs][16 columns][2 values], zero-padded
 *  (K2 = ceil(K / 2), N rounded up to 16). */
struct PackedWeights {
    size_t n{0};
    size_t k{0};
    size_t k_pairs{0};
    std::vector<int16_t> data;
};

/** Packs row-major int8 weights [n][k]. */
PackedWeights PackWeights(const int8_t* w, size_t n, size_t k);

/** C[m][j] = bias[j] + sum_k A[m][k] * B[j][k] for m < rows, j < B.n.
 *  A: int16 rows with stride lda >= 2 * B.k_pairs, values beyond B.k must be 0.
 *  C: int32 rows with stride ldc >= B.n. */
void MatMulBias(const int16_t* a, size_t rows, size_t lda, const PackedWeights& b, const int32_t* bias,
                int32_t* c, size_t ldc, KernelKind kind);

/** Requantization constants of one output channel (see oda/model/arithmetic.h). */
struct ChannelRequant {
    int32_t multiplier{0};
    int32_t left_shift{0};   //!< 0..32 (larger shifts saturate exactly like 32)
    int32_t right_shift{0};  //!< 0..40 (larger shifts give 0 exactly like 40)
    int32_t zero_point{0};
};

/** out[m][j] = Requantize(acc[m][j]) with the constants of channel j, written to
 *  out + m * out_row_stride + j * out_col_stride (so conv outputs land in C,H,W order). */
void RequantizeRows(const int32_t* acc, size_t rows, size_t cols, size_t ldc, const ChannelRequant* channels,
                    int8_t* out, size_t out_row_stride, size_t out_col_stride);

/** Convolution geometry for im2col. */
struct ConvGeometry {
    size_t channels, height, width;  //!< input C,H,W
    size_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
    size_t out_h, out_w;
};

/** Writes output positions [first, first + count) (row-major over out_h x out_w) of one
 *  sample as rows of (x - zero_point) in (c, ky, kx) order; padding and the row tail up
 *  to lda are 0. */
void Im2Col(const int8_t* x, int32_t zero_point, const ConvGeometry& g, size_t first, size_t count,
            int16_t* rows, size_t lda);

} // namespace oda::engine

#endif // ODA_ODA_ENGINE_KERNELS_H
