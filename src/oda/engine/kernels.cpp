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

namespace {
/** Where a register tile's results go: bias added, then either stored as int32
 *  (requant == nullptr) or requantized to int8. Pointers are at the tile's first
 *  row and the layer's first column; `bias` and the requantization constants are
 *  padded to whole panels (DenseKernel), so the epilogue loads whole vectors. */
struct TileOut {
    const int32_t* bias{nullptr};
    const RequantTable* requant{nullptr};
    int32_t* c{nullptr};
    int8_t* y{nullptr};
    size_t ld{0};  //!< row stride of c or y, in elements
};

/** Rows converted and multiplied at a time: a multiple of every kernel's tile
 *  height (8 VNNI, 6 AVX2), few enough that the converted rows stay in L1/L2. */
constexpr size_t DENSE_CHUNK = 48;

size_t PaddedColumns(size_t n) { return (n + PANEL - 1) / PANEL * PANEL; }
} // namespace

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
// Tile: R rows x 16 columns in 2R ymm accumulators (R = 6: 12 accumulators, the
// panel's 2 weight registers and 1 broadcast, 15 of the 16 ymm registers). Per
// (k, k+1) pair: 2 weight loads and R broadcast loads feed 2R vpmaddwd + vpaddd.
// Every loop over the accumulators is fully unrolled so that they stay in
// registers.

/** int8 rows -> int16 rows a = x + 128 (the kernel bytes, widened), zero up to lda. */
ODA_AVX2_TARGET static void ToWordRowsAvx2(const int8_t* src, size_t rows, size_t k, int16_t* dst, size_t lda)
{
    const __m256i offset = _mm256_set1_epi16(128);
    for (size_t m = 0; m < rows; ++m) {
        const int8_t* s = src + m * k;
        int16_t* d = dst + m * lda;
        size_t i = 0;
        for (; i + 16 <= k; i += 16) {
            const __m256i v = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i), _mm256_add_epi16(v, offset));
        }
        for (; i < k; ++i) d[i] = static_cast<int16_t>(s[i] + 128);
        for (; i < lda; ++i) d[i] = 0;
    }
}

template <int R>
ODA_AVX2_TARGET static inline void TileAvx2(const int16_t* a, size_t lda, const int16_t* panel, size_t k_pairs, size_t col,
                                            size_t valid, const TileOut& o)
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
            // Keeps GCC from hoisting every row's broadcast ahead of the products
            // (which needs more than the 16 ymm registers and spills accumulators).
            asm volatile("" : "+x"(acc[r][0]), "+x"(acc[r][1])::"memory");
        }
    }
    // Epilogue: lane-wise adds wrap modulo 2^32 like the specification's int32 sum.
    const __m256i bias0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(o.bias + col));
    const __m256i bias1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(o.bias + col + 8));
    if (o.requant) {
        const RequantTable& t = *o.requant;
#define ODA_AT(v, at) _mm256_loadu_si256(reinterpret_cast<const __m256i*>((v).data() + (at)))
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const __m256i q0 = simd::RequantizeLanes(_mm256_add_epi32(acc[r][0], bias0), t.any_left, ODA_AT(t.left, col), ODA_AT(t.multiplier, col),
                                                     ODA_AT(t.right, col), ODA_AT(t.mask, col), ODA_AT(t.zero_point, col), ODA_AT(t.lower, col));
            const __m256i q1 = simd::RequantizeLanes(_mm256_add_epi32(acc[r][1], bias1), t.any_left, ODA_AT(t.left, col + 8),
                                                     ODA_AT(t.multiplier, col + 8), ODA_AT(t.right, col + 8), ODA_AT(t.mask, col + 8),
                                                     ODA_AT(t.zero_point, col + 8), ODA_AT(t.lower, col + 8));
            const __m128i bytes = _mm_unpacklo_epi64(simd::PackLanes(q0), simd::PackLanes(q1));
            int8_t* out = o.y + r * o.ld + col;
            if (valid == PANEL) {
                _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bytes);
            } else {
                alignas(16) int8_t tmp[PANEL];
                _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
                std::memcpy(out, tmp, valid);
            }
        }
#undef ODA_AT
        return;
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        const __m256i v0 = _mm256_add_epi32(acc[r][0], bias0), v1 = _mm256_add_epi32(acc[r][1], bias1);
        int32_t* out = o.c + r * o.ld + col;
        if (valid == PANEL) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), v0);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), v1);
        } else {
            alignas(32) int32_t tmp[PANEL];
            _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), v0);
            _mm256_store_si256(reinterpret_cast<__m256i*>(tmp + 8), v1);
            std::memcpy(out, tmp, valid * sizeof(int32_t));
        }
    }
}

constexpr size_t AVX2_ROWS = 6;

/** One row block of R rows: every panel of the layer (the rows stay in L1 while
 *  the panels stream through). */
template <int R>
ODA_AVX2_TARGET static void RowBlockAvx2(const int16_t* a, size_t lda, const PackedWeights& b, const TileOut& o)
{
    const size_t k_pairs = b.k_padded / 2;
    for (size_t n0 = 0; n0 < b.n; n0 += PANEL) {
        const int16_t* panel = b.words.data() + (n0 / PANEL) * b.k_padded * PANEL;
        TileAvx2<R>(a, lda, panel, k_pairs, n0, std::min(PANEL, b.n - n0), o);
    }
}

ODA_AVX2_TARGET static void MatAvx2(const int16_t* a, size_t rows, size_t lda, const PackedWeights& b, TileOut o)
{
    size_t m = 0;
    const auto advance = [&](size_t r) {
        m += r;
        if (o.c) o.c += r * o.ld;
        if (o.y) o.y += r * o.ld;
    };
    for (; m + AVX2_ROWS <= rows; advance(AVX2_ROWS)) RowBlockAvx2<AVX2_ROWS>(a + m * lda, lda, b, o);
    switch (rows - m) {
    case 5: RowBlockAvx2<5>(a + m * lda, lda, b, o); break;
    case 4: RowBlockAvx2<4>(a + m * lda, lda, b, o); break;
    case 3: RowBlockAvx2<3>(a + m * lda, lda, b, o); break;
    case 2: RowBlockAvx2<2>(a + m * lda, lda, b, o); break;
    case 1: RowBlockAvx2<1>(a + m * lda, lda, b, o); break;
    default: break;
    }
}

// -------------------------------------------------------------- AVX-512 VNNI
// Tile: R rows x 16P columns in R*P zmm accumulators (R = 8, P = 2: 16 of the 32
// zmm registers). Per 4 bytes of k: P weight loads and R broadcast loads feed R*P
// vpdpbusd (u8 x s8, 4 products per int32 lane, no saturation). Loops over the
// accumulators are fully unrolled so that they stay in registers.

/** int8 rows -> kernel bytes x ^ 0x80 = x + 128, zero up to lda (SSE2). */
static void ToKernelRowsSse2(const int8_t* src, size_t rows, size_t k, uint8_t* dst, size_t lda)
{
    const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
    for (size_t m = 0; m < rows; ++m) {
        const int8_t* s = src + m * k;
        uint8_t* d = dst + m * lda;
        size_t i = 0;
        for (; i + 16 <= k; i += 16) {
            _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i), _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)), flip));
        }
        for (; i < k; ++i) d[i] = ToKernelByte(s[i]);
        std::fill(d + k, d + lda, uint8_t{0});
    }
}

template <int R, int P>
ODA_VNNI_TARGET static inline void TileVnni(const uint8_t* a, size_t lda, const int8_t* panel, size_t panel_bytes, size_t k_quads,
                                            size_t col, size_t cols, const TileOut& o)
{
    __m512i acc[R][P];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
        for (int p = 0; p < P; ++p) acc[r][p] = _mm512_setzero_si512();
    }
    for (size_t q = 0; q < k_quads; ++q) {
        __m512i w[P];
#pragma GCC unroll 2
        for (int p = 0; p < P; ++p) w[p] = _mm512_loadu_si512(panel + p * panel_bytes + q * 64);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            int32_t quad;
            std::memcpy(&quad, a + r * lda + 4 * q, sizeof(quad));
            const __m512i va = _mm512_set1_epi32(quad);
#pragma GCC unroll 2
            for (int p = 0; p < P; ++p) {
                acc[r][p] = _mm512_dpbusd_epi32(acc[r][p], va, w[p]);
                // Pins the accumulator to its register (without it GCC copies every
                // accumulator between registers, even to the stack, on each step).
                asm volatile("" : "+v"(acc[r][p]));
            }
        }
    }
    // Epilogue: lane-wise adds wrap modulo 2^32 like the specification's int32 sum;
    // masked stores drop the padding columns of a last partial panel.
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) {
        const size_t c0 = col + p * PANEL;
        const size_t valid = std::min(PANEL, cols - p * PANEL);
        const __mmask16 mask = static_cast<__mmask16>(valid == PANEL ? 0xFFFF : (1u << valid) - 1);
        const __m512i bias = _mm512_loadu_si512(o.bias + c0);
        if (o.requant) {
            const RequantTable& t = *o.requant;
            const __m512i left = _mm512_loadu_si512(t.left.data() + c0), mult = _mm512_loadu_si512(t.multiplier.data() + c0);
            const __m512i right = _mm512_loadu_si512(t.right.data() + c0), rmask = _mm512_loadu_si512(t.mask.data() + c0);
            const __m512i zp = _mm512_loadu_si512(t.zero_point.data() + c0), lower = _mm512_loadu_si512(t.lower.data() + c0);
#pragma GCC unroll 16
            for (int r = 0; r < R; ++r) {
                const __m512i q = simd::RequantizeLanes(_mm512_add_epi32(acc[r][p], bias), t.any_left, left, mult, right, rmask, zp, lower);
                _mm512_mask_cvtepi32_storeu_epi8(o.y + r * o.ld + c0, mask, q);
            }
        } else {
#pragma GCC unroll 16
            for (int r = 0; r < R; ++r) _mm512_mask_storeu_epi32(o.c + r * o.ld + c0, mask, _mm512_add_epi32(acc[r][p], bias));
        }
    }
}

constexpr size_t VNNI_ROWS = 8;

/** One row block of R rows over every panel: pairs of panels (32 columns), then a
 *  last single panel. */
template <int R>
ODA_VNNI_TARGET static void RowBlockVnni(const uint8_t* a, size_t lda, const PackedWeights& b, const TileOut& o)
{
    const size_t k_quads = b.k_padded / 4, panel_bytes = b.k_padded * PANEL;
    size_t n0 = 0;
    for (; n0 + PANEL < b.n; n0 += 2 * PANEL) {
        TileVnni<R, 2>(a, lda, b.bytes.data() + (n0 / PANEL) * panel_bytes, panel_bytes, k_quads, n0, b.n - n0, o);
    }
    if (n0 < b.n) TileVnni<R, 1>(a, lda, b.bytes.data() + (n0 / PANEL) * panel_bytes, panel_bytes, k_quads, n0, b.n - n0, o);
}

ODA_VNNI_TARGET static void MatVnni(const uint8_t* a, size_t rows, size_t lda, const PackedWeights& b, TileOut o)
{
    size_t m = 0;
    const auto advance = [&](size_t r) {
        m += r;
        if (o.c) o.c += r * o.ld;
        if (o.y) o.y += r * o.ld;
    };
    for (; m + VNNI_ROWS <= rows; advance(VNNI_ROWS)) RowBlockVnni<VNNI_ROWS>(a + m * lda, lda, b, o);
    switch (rows - m) {
    case 7: RowBlockVnni<7>(a + m * lda, lda, b, o); break;
    case 6: RowBlockVnni<6>(a + m * lda, lda, b, o); break;
    case 5: RowBlockVnni<5>(a + m * lda, lda, b, o); break;
    case 4: RowBlockVnni<4>(a + m * lda, lda, b, o); break;
    case 3: RowBlockVnni<3>(a + m * lda, lda, b, o); break;
    case 2: RowBlockVnni<2>(a + m * lda, lda, b, o); break;
    case 1: RowBlockVnni<1>(a + m * lda, lda, b, o); break;
    default: break;
    }
}
#endif

void MatMulBias(const uint8_t* a, size_t rows, size_t lda, const PackedWeights& b, const int32_t* offset_bias,
                int32_t* c, size_t ldc)
{
#ifdef ODA_HAVE_X86
    if (b.kind == KernelKind::AVX512VNNI || b.kind == KernelKind::AVX2) {
        // The tiles read whole panels of biases.
        std::vector<int32_t> bias(PaddedColumns(b.n), 0);
        std::copy(offset_bias, offset_bias + b.n, bias.begin());
        TileOut o;
        o.bias = bias.data();
        o.c = c;
        o.ld = ldc;
        if (b.kind == KernelKind::AVX512VNNI) return MatVnni(a, rows, lda, b, o);
        // AVX2 multiplies int16: widen the bytes (those beyond k become 0).
        std::vector<int16_t> wide(rows * b.k_padded, 0);
        for (size_t m = 0; m < rows; ++m) {
            for (size_t i = 0; i < b.k; ++i) wide[m * b.k_padded + i] = a[m * lda + i];
        }
        return MatAvx2(wide.data(), rows, b.k_padded, b, o);
    }
#endif
    MatMulScalar(a, rows, lda, b, offset_bias, c, ldc);
}

void ToKernelRows(const int8_t* src, size_t rows, size_t k, uint8_t* dst, size_t lda)
{
#ifdef ODA_HAVE_X86
    return ToKernelRowsSse2(src, rows, k, dst, lda);
#else
    for (size_t m = 0; m < rows; ++m) {
        const int8_t* s = src + m * k;
        uint8_t* d = dst + m * lda;
        for (size_t i = 0; i < k; ++i) d[i] = ToKernelByte(s[i]);
        std::fill(d + k, d + lda, uint8_t{0});
    }
#endif
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

// ------------------------------------------------------------------- Dense
DenseKernel PrepareDense(const int8_t* weights, size_t n, size_t k, const int32_t* biases, int32_t input_zero_point,
                         const ChannelRequant* requant, bool fuse_relu, KernelKind kind)
{
    DenseKernel d;
    d.packed = PackWeights(weights, n, k, kind);
    d.bias = OffsetBiases(d.packed, biases, input_zero_point);
    const size_t padded = PaddedColumns(n);
    d.bias.resize(padded, 0);
    d.requantize = requant != nullptr;
    if (d.requantize) {
        std::vector<ChannelRequant> channels(requant, requant + n);
        channels.resize(padded);  // padding columns: multiplier 0 (never stored)
        d.requant = MakeRequantTable(channels.data(), channels.size(), fuse_relu);
    }
    return d;
}

void DenseForward(const DenseKernel& d, const int8_t* x, size_t rows, int8_t* y, int32_t* c, DenseScratch& s)
{
    const PackedWeights& b = d.packed;
    const size_t k = b.k, n = b.n, lda = b.k_padded;
    for (size_t first = 0; first < rows; first += DENSE_CHUNK) {
        const size_t count = std::min(DENSE_CHUNK, rows - first);
        const int8_t* xs = x + first * k;
        TileOut o;
        o.bias = d.bias.data();
        o.requant = d.requantize ? &d.requant : nullptr;
        o.c = d.requantize ? nullptr : c + first * n;
        o.y = d.requantize ? y + first * n : nullptr;
        o.ld = n;
#ifdef ODA_HAVE_X86
        if (b.kind == KernelKind::AVX512VNNI) {
            s.bytes.resize(count * lda);
            ToKernelRowsSse2(xs, count, k, s.bytes.data(), lda);
            MatVnni(s.bytes.data(), count, lda, b, o);
            continue;
        }
        if (b.kind == KernelKind::AVX2) {
            s.words.resize(count * lda);
            ToWordRowsAvx2(xs, count, k, s.words.data(), lda);
            MatAvx2(s.words.data(), count, lda, b, o);
            continue;
        }
#endif
        s.bytes.resize(count * lda);
        ToKernelRows(xs, count, k, s.bytes.data(), lda);
        if (!d.requantize) {
            MatMulScalar(s.bytes.data(), count, lda, b, d.bias.data(), o.c, n);
            continue;
        }
        s.acc.resize(count * n);
        MatMulScalar(s.bytes.data(), count, lda, b, d.bias.data(), s.acc.data(), n);
        RequantizeRowsWith(KernelKind::SCALAR, s.acc.data(), count, n, n, d.requant, o.y, n);
    }
}

} // namespace oda::engine
