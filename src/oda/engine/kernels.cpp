// Integer kernels. The AVX2 functions carry __attribute__((target("avx2"))) so the
// rest of the program stays baseline x86-64 and the choice happens at run time.
#include <oda/engine/kernels.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#include <oda/engine/requant_simd.h>

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
// shifts and 32-bit lanes instead of gemmlowp's nudge-and-truncate, see
// requant_simd.h) so the differential tests compare two derivations of the
// specification.

RequantTable MakeRequantTable(const ChannelRequant* channels, size_t count, bool fuse_relu)
{
    RequantTable t;
    for (size_t j = 0; j < count; ++j) {
        const ChannelRequant& ch = channels[j];
        const int32_t left = std::clamp(ch.left_shift, 0, 32);
        const int32_t right = std::clamp(ch.right_shift, 0, 40);
        const bool vanishes = right > 32;  // every int32 divided by 2^right rounds to 0
        t.left.push_back(left);
        t.multiplier.push_back(vanishes ? 0 : ch.multiplier);
        t.right.push_back(vanishes ? 0 : right);
        t.zero_point.push_back(ch.zero_point);
        t.lower.push_back(fuse_relu ? std::max(ch.zero_point, -128) : -128);
        t.mask.push_back(static_cast<int32_t>(static_cast<uint32_t>((uint64_t{1} << t.right.back()) - 1)));
        t.any_left = t.any_left || left > 0;
    }
    return t;
}

static inline int8_t RequantizeScalar(int32_t acc, const RequantTable& t, size_t j)
{
    return simd::RequantizeOne(acc, t.left[j], t.multiplier[j], t.right[j], t.zero_point[j], t.lower[j]);
}

#ifdef ODA_HAVE_X86
ODA_AVX2_TARGET static void RequantizeRowsAvx2(const int32_t* acc, size_t rows, size_t cols, size_t ldc, const RequantTable& t,
                                               int8_t* out, size_t ldo)
{
    for (size_t m = 0; m < rows; ++m) {
        const int32_t* a = acc + m * ldc;
        int8_t* o = out + m * ldo;
        size_t j = 0;
        for (; j + 8 <= cols; j += 8) {
#define ODA_AT(v) _mm256_loadu_si256(reinterpret_cast<const __m256i*>((v).data() + j))
            const __m256i r = simd::RequantizeLanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + j)), t.any_left, ODA_AT(t.left),
                                                    ODA_AT(t.multiplier), ODA_AT(t.right), ODA_AT(t.mask), ODA_AT(t.zero_point), ODA_AT(t.lower));
#undef ODA_AT
            _mm_storel_epi64(reinterpret_cast<__m128i*>(o + j), simd::PackLanes(r));
        }
        for (; j < cols; ++j) o[j] = RequantizeScalar(a[j], t, j);
    }
}

ODA_AVX512_TARGET static void RequantizeRowsAvx512(const int32_t* acc, size_t rows, size_t cols, size_t ldc, const RequantTable& t,
                                                   int8_t* out, size_t ldo)
{
    for (size_t m = 0; m < rows; ++m) {
        const int32_t* a = acc + m * ldc;
        int8_t* o = out + m * ldo;
        size_t j = 0;
        for (; j + 16 <= cols; j += 16) {
#define ODA_AT(v) _mm512_loadu_si512((v).data() + j)
            const __m512i r = simd::RequantizeLanes(_mm512_loadu_si512(a + j), t.any_left, ODA_AT(t.left), ODA_AT(t.multiplier), ODA_AT(t.right),
                                                    ODA_AT(t.mask), ODA_AT(t.zero_point), ODA_AT(t.lower));
#undef ODA_AT
            _mm_storeu_si128(reinterpret_cast<__m128i*>(o + j), _mm512_cvtepi32_epi8(r));
        }
        for (; j < cols; ++j) o[j] = RequantizeScalar(a[j], t, j);
    }
}

ODA_AVX2_TARGET static size_t RequantizeChannelAvx2(const int32_t* acc, size_t count, const RequantTable& t, size_t c, int8_t* out)
{
    const __m256i left = _mm256_set1_epi32(t.left[c]), mult = _mm256_set1_epi32(t.multiplier[c]);
    const __m256i right = _mm256_set1_epi32(t.right[c]), zp = _mm256_set1_epi32(t.zero_point[c]), lower = _mm256_set1_epi32(t.lower[c]);
    const __m256i mask = _mm256_set1_epi32(t.mask[c]);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256i r = simd::RequantizeLanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + i)), t.any_left, left, mult, right, mask, zp, lower);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), simd::PackLanes(r));
    }
    return i;
}

ODA_AVX512_TARGET static size_t RequantizeChannelAvx512(const int32_t* acc, size_t count, const RequantTable& t, size_t c, int8_t* out)
{
    const __m512i left = _mm512_set1_epi32(t.left[c]), mult = _mm512_set1_epi32(t.multiplier[c]);
    const __m512i right = _mm512_set1_epi32(t.right[c]), zp = _mm512_set1_epi32(t.zero_point[c]), lower = _mm512_set1_epi32(t.lower[c]);
    const __m512i mask = _mm512_set1_epi32(t.mask[c]);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m512i r = simd::RequantizeLanes(_mm512_loadu_si512(acc + i), t.any_left, left, mult, right, mask, zp, lower);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm512_cvtepi32_epi8(r));
    }
    return i;
}
#endif

void RequantizeRowsWith(KernelKind kind, const int32_t* acc, size_t rows, size_t cols, size_t ldc, const RequantTable& t,
                        int8_t* out, size_t ldo)
{
    kind = ResolveKernel(kind);
#ifdef ODA_HAVE_X86
    if (kind == KernelKind::AVX512VNNI) return RequantizeRowsAvx512(acc, rows, cols, ldc, t, out, ldo);
    if (kind == KernelKind::AVX2) return RequantizeRowsAvx2(acc, rows, cols, ldc, t, out, ldo);
#endif
    for (size_t m = 0; m < rows; ++m) {
        for (size_t j = 0; j < cols; ++j) out[m * ldo + j] = RequantizeScalar(acc[m * ldc + j], t, j);
    }
}

void RequantizeChannelWith(KernelKind kind, const int32_t* acc, size_t count, const RequantTable& t, size_t channel, int8_t* out)
{
    kind = ResolveKernel(kind);
    size_t i = 0;
#ifdef ODA_HAVE_X86
    if (kind == KernelKind::AVX512VNNI) i = RequantizeChannelAvx512(acc, count, t, channel, out);
    if (kind == KernelKind::AVX2) i = RequantizeChannelAvx2(acc, count, t, channel, out);
#endif
    for (; i < count; ++i) out[i] = RequantizeScalar(acc[i], t, channel);
}

} // namespace oda::engine
