// Integer kernels. The AVX2 functions carry __attribute__((target("avx2"))) so the
// rest of the program stays baseline x86-64 and the choice happens at run time.
#include <oda/engine/kernels.h>

#include <algorithm>
#include <cstring>
#include <limits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ODA_HAVE_X86 1
#endif

namespace oda::engine {

static constexpr size_t PANEL = 16;  // output columns per packed panel (two 8-lane int32 vectors)

bool CpuHasAvx2()
{
#ifdef ODA_HAVE_X86
    static const bool has = __builtin_cpu_supports("avx2");
    return has;
#else
    return false;
#endif
}

KernelKind ResolveKernel(KernelKind kind)
{
    if (kind == KernelKind::SCALAR) return KernelKind::SCALAR;
    return CpuHasAvx2() ? KernelKind::AVX2 : KernelKind::SCALAR;
}

const char* KernelName(KernelKind kind)
{
    switch (kind) {
    case KernelKind::AUTO: return "auto";
    case KernelKind::SCALAR: return "scalar";
    case KernelKind::AVX2: return "avx2";
    }
    return "?";
}

PackedWeights PackWeights(const int8_t* w, size_t n, size_t k)
{
    PackedWeights p;
    p.n = n;
    p.k = k;
    p.k_pairs = (k + 1) / 2;
    const size_t panels = (n + PANEL - 1) / PANEL;
    p.data.assign(panels * p.k_pairs * PANEL * 2, 0);
    for (size_t j = 0; j < n; ++j) {
        int16_t* panel = p.data.data() + (j / PANEL) * p.k_pairs * PANEL * 2;
        for (size_t i = 0; i < k; ++i) {
            panel[((i / 2) * PANEL + j % PANEL) * 2 + i % 2] = w[j * k + i];
        }
    }
    return p;
}

// ------------------------------------------------------------------ scalar
static void MatMulScalar(const int16_t* a, size_t rows, size_t lda, const PackedWeights& b, const int32_t* bias,
                         int32_t* c, size_t ldc)
{
    for (size_t m = 0; m < rows; ++m) {
        const int16_t* arow = a + m * lda;
        for (size_t j = 0; j < b.n; ++j) {
            const int16_t* panel = b.data.data() + (j / PANEL) * b.k_pairs * PANEL * 2 + (j % PANEL) * 2;
            int32_t acc = bias[j];
            for (size_t k2 = 0; k2 < b.k_pairs; ++k2) {
                acc += int32_t{arow[2 * k2]} * panel[k2 * PANEL * 2] + int32_t{arow[2 * k2 + 1]} * panel[k2 * PANEL * 2 + 1];
            }
            c[m * ldc + j] = acc;
        }
    }
}

// -------------------------------------------------------------------- AVX2
#ifdef ODA_HAVE_X86
/** R rows x 16 columns: broadcast one (k, k+1) pair of A, multiply-add with the
 *  packed pairs of 16 columns (vpmaddwd), accumulate in int32 lanes. */
template <int R>
__attribute__((target("avx2"))) static inline void MicroKernelAvx2(const int16_t* a, size_t lda, const int16_t* panel,
                                                                    size_t k_pairs, const int32_t* bias, int32_t* c,
                                                                    size_t ldc, size_t cols)
{
    __m256i acc[R][2];
    for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    for (size_t k2 = 0; k2 < k_pairs; ++k2) {
        const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(panel + k2 * 32));
        const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(panel + k2 * 32 + 16));
        for (int r = 0; r < R; ++r) {
            int32_t pair;
            std::memcpy(&pair, a + r * lda + 2 * k2, sizeof(pair));
            const __m256i va = _mm256_set1_epi32(pair);
            acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(va, b0));
            acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(va, b1));
        }
    }
    for (int r = 0; r < R; ++r) {
        alignas(32) int32_t tmp[PANEL];
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), acc[r][0]);
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp + 8), acc[r][1]);
        int32_t* crow = c + r * ldc;
        for (size_t j = 0; j < cols; ++j) crow[j] = tmp[j] + bias[j];
    }
}

__attribute__((target("avx2"))) static void MatMulAvx2(const int16_t* a, size_t rows, size_t lda, const PackedWeights& b,
                                                       const int32_t* bias, int32_t* c, size_t ldc)
{
    constexpr size_t ROWS = 4;
    for (size_t n0 = 0; n0 < b.n; n0 += PANEL) {
        const int16_t* panel = b.data.data() + (n0 / PANEL) * b.k_pairs * PANEL * 2;
        const size_t cols = std::min(PANEL, b.n - n0);
        size_t m = 0;
        for (; m + ROWS <= rows; m += ROWS) {
            MicroKernelAvx2<ROWS>(a + m * lda, lda, panel, b.k_pairs, bias + n0, c + m * ldc + n0, ldc, cols);
        }
        for (; m < rows; ++m) {
            MicroKernelAvx2<1>(a + m * lda, lda, panel, b.k_pairs, bias + n0, c + m * ldc + n0, ldc, cols);
        }
    }
}
#endif

void MatMulBias(const int16_t* a, size_t rows, size_t lda, const PackedWeights& b, const int32_t* bias, int32_t* c,
                size_t ldc, KernelKind kind)
{
#ifdef ODA_HAVE_X86
    if (ResolveKernel(kind) == KernelKind::AVX2) {
        MatMulAvx2(a, rows, lda, b, bias, c, ldc);
        return;
    }
#endif
    MatMulScalar(a, rows, lda, b, bias, c, ldc);
}

// ---------------------------------------------------------- requantization
// The same function as oda::model::Requantize, written independently (floor
// shifts instead of gemmlowp's nudge-and-truncate) so the differential tests
// compare two derivations of the specification.
static inline int8_t RequantizeOne(int32_t acc, const ChannelRequant& ch)
{
    int64_t v = int64_t{acc} * (int64_t{1} << ch.left_shift);  // left <= 32: |v| <= 2^63 exactly representable
    v = std::clamp<int64_t>(v, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
    // round(v * M / 2^31), ties toward +infinity == floor((v * M + 2^30) / 2^31)
    const int64_t high = (v * ch.multiplier + (int64_t{1} << 30)) >> 31;
    int64_t r = high;
    if (ch.right_shift > 0) {
        // round(high / 2^e), ties away from zero
        r = (high + (int64_t{1} << (ch.right_shift - 1)) - (high < 0 ? 1 : 0)) >> ch.right_shift;
    }
    return static_cast<int8_t>(std::clamp<int64_t>(r + ch.zero_point, -128, 127));
}

void RequantizeRows(const int32_t* acc, size_t rows, size_t cols, size_t ldc, const ChannelRequant* channels,
                    int8_t* out, size_t out_row_stride, size_t out_col_stride)
{
    for (size_t m = 0; m < rows; ++m) {
        const int32_t* arow = acc + m * ldc;
        int8_t* orow = out + m * out_row_stride;
        for (size_t j = 0; j < cols; ++j) orow[j * out_col_stride] = RequantizeOne(arow[j], channels[j]);
    }
}

// ------------------------------------------------------------------ im2col
void Im2Col(const int8_t* x, int32_t zero_point, const ConvGeometry& g, size_t first, size_t count, int16_t* rows,
            size_t lda)
{
    for (size_t p = first; p < first + count; ++p) {
        const size_t oy = p / g.out_w, ox = p % g.out_w;
        int16_t* row = rows + (p - first) * lda;
        size_t idx = 0;
        for (size_t c = 0; c < g.channels; ++c) {
            const int8_t* plane = x + c * g.height * g.width;
            for (size_t ky = 0; ky < g.kernel_h; ++ky) {
                const int64_t iy = static_cast<int64_t>(oy * g.stride_h + ky) - static_cast<int64_t>(g.pad_h);
                if (iy < 0 || iy >= static_cast<int64_t>(g.height)) {
                    std::fill(row + idx, row + idx + g.kernel_w, int16_t{0});
                    idx += g.kernel_w;
                    continue;
                }
                const int8_t* line = plane + iy * g.width;
                for (size_t kx = 0; kx < g.kernel_w; ++kx) {
                    const int64_t ix = static_cast<int64_t>(ox * g.stride_w + kx) - static_cast<int64_t>(g.pad_w);
                    row[idx++] = (ix < 0 || ix >= static_cast<int64_t>(g.width)) ? int16_t{0}
                                                                                 : static_cast<int16_t>(line[ix] - zero_point);
                }
            }
        }
        std::fill(row + idx, row + lda, int16_t{0});
    }
}

} // namespace oda::engine
