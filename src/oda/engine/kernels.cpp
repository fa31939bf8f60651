// Integer kernels. The AVX2 functions carry __attribute__((target("avx2"))) so the
// rest of the program stays baseline x86-64 and the choice happens at run time.
#include <oda/engine/kernels.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__x86_64__) || defined(__i386__)
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on _mm512_undefined (a false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define ODA_HAVE_X86 1
#endif

namespace oda::engine {

static constexpr size_t PANEL = 16;  // output columns per packed panel

bool CpuHasAvx2()
{
#ifdef ODA_HAVE_X86
    static const bool has = __builtin_cpu_supports("avx2");
    return has;
#else
    return false;
#endif
}

bool CpuHasAvx512Vnni()
{
#ifdef ODA_HAVE_X86
    static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                            __builtin_cpu_supports("avx512vnni");
    return has;
#else
    return false;
#endif
}

KernelKind ResolveKernel(KernelKind kind)
{
    if (kind == KernelKind::SCALAR) return KernelKind::SCALAR;
    if ((kind == KernelKind::AUTO || kind == KernelKind::AVX512VNNI) && CpuHasAvx512Vnni()) return KernelKind::AVX512VNNI;
    return CpuHasAvx2() ? KernelKind::AVX2 : KernelKind::SCALAR;
}

const char* KernelName(KernelKind kind)
{
    switch (kind) {
    case KernelKind::AUTO: return "auto";
    case KernelKind::SCALAR: return "scalar";
    case KernelKind::AVX2: return "avx2";
    case KernelKind::AVX512VNNI: return "avx512vnni";
    }
    return "?";
}

PackedWeights PackWeights(const int8_t* w, size_t n, size_t k, KernelKind kind)
{
    PackedWeights p;
    p.kind = ResolveKernel(kind);
    p.n = n;
    p.k = k;
    p.k_padded = (k + 3) / 4 * 4;
    const size_t panels = (n + PANEL - 1) / PANEL;
    p.column_sums.assign(n, 0);
    if (p.kind == KernelKind::AVX2) {
        p.words.assign(panels * p.k_padded * PANEL, 0);
    } else {
        p.bytes.assign(panels * p.k_padded * PANEL, 0);
    }
    for (size_t j = 0; j < n; ++j) {
        const size_t panel_base = (j / PANEL) * p.k_padded * PANEL;
        for (size_t i = 0; i < k; ++i) {
            const int8_t v = w[j * k + i];
            p.column_sums[j] += v;
            if (p.kind == KernelKind::AVX2) {
                p.words[panel_base + ((i / 2) * PANEL + j % PANEL) * 2 + i % 2] = v;
            } else {
                p.bytes[panel_base + ((i / 4) * PANEL + j % PANEL) * 4 + i % 4] = v;
            }
        }
    }
    return p;
}

std::vector<int32_t> OffsetBiases(const PackedWeights& b, const int32_t* bias, int32_t input_zero_point)
{
    std::vector<int32_t> out(b.n);
    for (size_t j = 0; j < b.n; ++j) {
        const int64_t v = int64_t{bias[j]} - (int64_t{input_zero_point} + 128) * b.column_sums[j];
        out[j] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));  // modulo 2^32
    }
    return out;
}

static inline int32_t WrapAdd(int32_t a, int32_t b)
{
    return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// ------------------------------------------------------------------ scalar
static void MatMulScalar(const uint8_t* a, size_t rows, size_t lda, const PackedWeights& b, const int32_t* bias,
                         int32_t* c, size_t ldc)
{
    for (size_t m = 0; m < rows; ++m) {
        const uint8_t* arow = a + m * lda;
        for (size_t j = 0; j < b.n; ++j) {
            const int8_t* panel = b.bytes.data() + (j / PANEL) * b.k_padded * PANEL + (j % PANEL) * 4;
            uint32_t acc = static_cast<uint32_t>(bias[j]);
            for (size_t k4 = 0; k4 < b.k_padded / 4; ++k4) {
                const int8_t* w = panel + k4 * PANEL * 4;
                const uint8_t* x = arow + 4 * k4;
                // Bytes of A beyond k meet zero weights; read them only inside the padded row.
                const int32_t sum = int32_t{x[0]} * w[0] + int32_t{x[1]} * w[1] + int32_t{x[2]} * w[2] + int32_t{x[3]} * w[3];
                acc += static_cast<uint32_t>(sum);
            }
            c[m * ldc + j] = static_cast<int32_t>(acc);
        }
    }
}

#ifdef ODA_HAVE_X86
// -------------------------------------------------------------------- AVX2
/** R rows x 16 columns: broadcast one (k, k+1) pair of A (already widened to
 *  int16), vpmaddwd with the packed int16 pairs of 16 columns, accumulate in int32. */
template <int R>
__attribute__((target("avx2"))) static inline void MicroKernelAvx2(const int16_t* a, size_t lda, const int16_t* panel,
                                                                    size_t k_pairs, const int32_t* bias, int32_t* c,
                                                                    size_t ldc, size_t cols)
{
    __m256i acc[R][2];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    for (size_t k2 = 0; k2 < k_pairs; ++k2) {
        const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(panel + k2 * 32));
        const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(panel + k2 * 32 + 16));
#pragma GCC unroll 8
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
        for (size_t j = 0; j < cols; ++j) crow[j] = WrapAdd(tmp[j], bias[j]);
    }
}

__attribute__((target("avx2"))) static void MatMulAvx2(const uint8_t* a, size_t rows, size_t lda, const PackedWeights& b,
                                                       const int32_t* bias, int32_t* c, size_t ldc)
{
    constexpr size_t ROWS = 4;
    const size_t k_pairs = b.k_padded / 2;
    // Widen the bytes to int16 once; every panel then reads ready-made pairs.
    const size_t wlda = b.k_padded;
    std::vector<int16_t> wide(rows * wlda);
    for (size_t m = 0; m < rows; ++m) {
        for (size_t i = 0; i < wlda; ++i) wide[m * wlda + i] = i < b.k ? a[m * lda + i] : 0;
    }
    for (size_t n0 = 0; n0 < b.n; n0 += PANEL) {
        const int16_t* panel = b.words.data() + (n0 / PANEL) * b.k_padded * PANEL;
        const size_t cols = std::min(PANEL, b.n - n0);
        size_t m = 0;
        for (; m + ROWS <= rows; m += ROWS) {
            MicroKernelAvx2<ROWS>(wide.data() + m * wlda, wlda, panel, k_pairs, bias + n0, c + m * ldc + n0, ldc, cols);
        }
        for (; m < rows; ++m) {
            MicroKernelAvx2<1>(wide.data() + m * wlda, wlda, panel, k_pairs, bias + n0, c + m * ldc + n0, ldc, cols);
        }
    }
}

// -------------------------------------------------------------- AVX-512 VNNI
#define ODA_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))
/** R rows x 16 columns: broadcast 4 bytes of A, vpdpbusd (u8 x s8, 4 products per
 *  int32 lane, no saturation) with the packed 4-byte groups of 16 columns. */
template <int R>
ODA_VNNI_TARGET static inline void MicroKernelVnni(const uint8_t* a, size_t lda, const int8_t* panel, size_t k_quads,
                                                   const int32_t* bias, int32_t* c, size_t ldc, size_t cols)
{
    __m512i acc[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_si512();
    for (size_t k4 = 0; k4 < k_quads; ++k4) {
        const __m512i w = _mm512_loadu_si512(panel + k4 * 64);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            int32_t quad;
            std::memcpy(&quad, a + r * lda + 4 * k4, sizeof(quad));
            acc[r] = _mm512_dpbusd_epi32(acc[r], _mm512_set1_epi32(quad), w);
        }
    }
    const __m512i vb = cols == PANEL ? _mm512_loadu_si512(bias) : _mm512_setzero_si512();
    for (int r = 0; r < R; ++r) {
        int32_t* crow = c + r * ldc;
        if (cols == PANEL) {
            _mm512_storeu_si512(crow, _mm512_add_epi32(acc[r], vb));  // lane-wise add wraps modulo 2^32
        } else {
            alignas(64) int32_t tmp[PANEL];
            _mm512_store_si512(tmp, acc[r]);
            for (size_t j = 0; j < cols; ++j) crow[j] = WrapAdd(tmp[j], bias[j]);
        }
    }
}

ODA_VNNI_TARGET static void MatMulVnni(const uint8_t* a, size_t rows, size_t lda, const PackedWeights& b,
                                       const int32_t* bias, int32_t* c, size_t ldc)
{
    constexpr size_t ROWS = 8;
    const size_t k_quads = b.k_padded / 4;
    for (size_t n0 = 0; n0 < b.n; n0 += PANEL) {
        const int8_t* panel = b.bytes.data() + (n0 / PANEL) * b.k_padded * PANEL;
        const size_t cols = std::min(PANEL, b.n - n0);
        size_t m = 0;
        for (; m + ROWS <= rows; m += ROWS) {
            MicroKernelVnni<ROWS>(a + m * lda, lda, panel, k_quads, bias + n0, c + m * ldc + n0, ldc, cols);
        }
        for (; m < rows; ++m) {
            MicroKernelVnni<1>(a + m * lda, lda, panel, k_quads, bias + n0, c + m * ldc + n0, ldc, cols);
        }
    }
}
#endif

void MatMulBias(const uint8_t* a, size_t rows, size_t lda, const PackedWeights& b, const int32_t* offset_bias,
                int32_t* c, size_t ldc)
{
#ifdef ODA_HAVE_X86
    if (b.kind == KernelKind::AVX512VNNI) return MatMulVnni(a, rows, lda, b, offset_bias, c, ldc);
    if (b.kind == KernelKind::AVX2) return MatMulAvx2(a, rows, lda, b, offset_bias, c, ldc);
#endif
    MatMulScalar(a, rows, lda, b, offset_bias, c, ldc);
}

void ToKernelRows(const int8_t* src, size_t rows, size_t k, uint8_t* dst, size_t lda)
{
    for (size_t m = 0; m < rows; ++m) {
        const int8_t* s = src + m * k;
        uint8_t* d = dst + m * lda;
        for (size_t i = 0; i < k; ++i) d[i] = ToKernelByte(s[i]);
        std::fill(d + k, d + lda, uint8_t{0});
    }
}

// ---------------------------------------------------------- requantization
// The same function as oda::model::Requantize, written independently (floor
// shifts instead of gemmlowp's nudge-and-truncate) so the differential tests
// compare two derivations of the specification.

static inline int8_t RequantizeOne(int32_t acc, int64_t pow2_left, int64_t multiplier, int64_t round,
                                   int64_t neg_adjust, int64_t right, int64_t zero_point)
{
    int64_t v = int64_t{acc} * pow2_left;  // left <= 32: |v| <= 2^63, representable
    v = v < INT32_MIN ? INT32_MIN : (v > INT32_MAX ? INT32_MAX : v);
    // round(v * M / 2^31), ties toward +infinity == floor((v * M + 2^30) / 2^31)
    const int64_t high = (v * multiplier + (int64_t{1} << 30)) >> 31;
    // round(high / 2^right), ties away from zero (right = 0: unchanged)
    int64_t r = (high + round - ((high < 0) ? neg_adjust : 0)) >> right;
    r += zero_point;
    return static_cast<int8_t>(r < -128 ? -128 : (r > 127 ? 127 : r));
}

struct RequantConstants {
    int64_t pow2_left, multiplier, round, neg_adjust, right, zero_point;
    explicit RequantConstants(const ChannelRequant& ch)
        : pow2_left(int64_t{1} << ch.left_shift), multiplier(ch.multiplier),
          round((int64_t{1} << ch.right_shift) >> 1), neg_adjust(ch.right_shift > 0 ? 1 : 0),
          right(ch.right_shift), zero_point(ch.zero_point) {}
};

#ifdef ODA_HAVE_X86
/** Eight int64 lanes at a time, the same steps as RequantizeOne. */
__attribute__((target("avx512f"))) static size_t RequantizeUniformAvx512(const int32_t* acc, size_t count,
                                                                         const ChannelRequant& ch,
                                                                         const RequantConstants& k, int8_t* out)
{
    const __m512i left = _mm512_set1_epi64(ch.left_shift), right = _mm512_set1_epi64(ch.right_shift);
    const __m512i lo32 = _mm512_set1_epi64(INT32_MIN), hi32 = _mm512_set1_epi64(INT32_MAX);
    const __m512i mult = _mm512_set1_epi64(k.multiplier), half = _mm512_set1_epi64(int64_t{1} << 30);
    const __m512i round = _mm512_set1_epi64(k.round), neg = _mm512_set1_epi64(k.neg_adjust);
    const __m512i zp = _mm512_set1_epi64(k.zero_point);
    const __m512i lo8 = _mm512_set1_epi64(-128), hi8 = _mm512_set1_epi64(127);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m512i v = _mm512_cvtepi32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + i)));
        v = _mm512_sllv_epi64(v, left);                          // exact: |v| * 2^32 <= 2^63
        v = _mm512_min_epi64(_mm512_max_epi64(v, lo32), hi32);   // saturate to int32
        __m512i high = _mm512_srai_epi64(_mm512_add_epi64(_mm512_mul_epi32(v, mult), half), 31);
        const __m512i adjust = _mm512_and_si512(_mm512_srai_epi64(high, 63), neg);  // 1 if high < 0 and right > 0
        __m512i r = _mm512_srav_epi64(_mm512_sub_epi64(_mm512_add_epi64(high, round), adjust), right);
        r = _mm512_min_epi64(_mm512_max_epi64(_mm512_add_epi64(r, zp), lo8), hi8);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), _mm512_cvtepi64_epi8(r));
    }
    return i;
}
#endif

void RequantizeChannel(const int32_t* acc, size_t count, const ChannelRequant& channel, int8_t* out)
{
    const RequantConstants k(channel);
    size_t i = 0;
#ifdef ODA_HAVE_X86
    static const bool avx512 = __builtin_cpu_supports("avx512f");
    if (avx512) i = RequantizeUniformAvx512(acc, count, channel, k, out);
#endif
    for (; i < count; ++i) {
        out[i] = RequantizeOne(acc[i], k.pow2_left, k.multiplier, k.round, k.neg_adjust, k.right, k.zero_point);
    }
}

void RequantizeRows(const int32_t* acc, size_t rows, size_t cols, size_t ldc, const ChannelRequant* channels,
                    int8_t* out, size_t out_row_stride, size_t out_col_stride)
{
    std::vector<RequantConstants> k(channels, channels + cols);
    for (size_t m = 0; m < rows; ++m) {
        const int32_t* arow = acc + m * ldc;
        int8_t* orow = out + m * out_row_stride;
        for (size_t j = 0; j < cols; ++j) {
            const RequantConstants& c = k[j];
            orow[j * out_col_stride] = RequantizeOne(arow[j], c.pow2_left, c.multiplier, c.round, c.neg_adjust, c.right, c.zero_point);
        }
    }
}

// ------------------------------------------------------------------ im2col
void Im2Col(const int8_t* x, int8_t zero_point, const ConvGeometry& g, size_t first, size_t count, uint8_t* rows,
            size_t lda)
{
    const uint8_t pad = ToKernelByte(zero_point);
    for (size_t p = first; p < first + count; ++p) {
        const size_t oy = p / g.out_w, ox = p % g.out_w;
        uint8_t* row = rows + (p - first) * lda;
        size_t idx = 0;
        for (size_t c = 0; c < g.channels; ++c) {
            const int8_t* plane = x + c * g.height * g.width;
            for (size_t ky = 0; ky < g.kernel_h; ++ky) {
                const int64_t iy = static_cast<int64_t>(oy * g.stride_h + ky) - static_cast<int64_t>(g.pad_h);
                if (iy < 0 || iy >= static_cast<int64_t>(g.height)) {
                    std::fill(row + idx, row + idx + g.kernel_w, pad);
                    idx += g.kernel_w;
                    continue;
                }
                const int8_t* line = plane + iy * g.width;
                const int64_t x0 = static_cast<int64_t>(ox * g.stride_w) - static_cast<int64_t>(g.pad_w);
                if (x0 >= 0 && x0 + static_cast<int64_t>(g.kernel_w) <= static_cast<int64_t>(g.width)) {
                    for (size_t kx = 0; kx < g.kernel_w; ++kx) row[idx + kx] = ToKernelByte(line[x0 + kx]);
                    idx += g.kernel_w;
                    continue;
                }
                for (size_t kx = 0; kx < g.kernel_w; ++kx) {
                    const int64_t ix = x0 + static_cast<int64_t>(kx);
                    row[idx++] = (ix < 0 || ix >= static_cast<int64_t>(g.width)) ? pad : ToKernelByte(line[ix]);
                }
            }
        }
        std::fill(row + idx, row + lda, uint8_t{0});
    }
}

} // namespace oda::engine
