// The position-major convolution (see conv.h). The SIMD functions carry target
// attributes so the rest of the program stays baseline x86-64; the SCALAR kind runs
// only portable code (packing included), so the tests exercise the code that other
// architectures run.
#include <oda/engine/conv.h>

#include <oda/engine/requant_simd.h>

#include <algorithm>
#include <cstring>

namespace oda::engine {

namespace {
/** Packed kernel bytes of one chunk stay below this (in cache while the kernel runs). */
constexpr size_t CONV_CHUNK_BYTES = 192 * 1024;

inline int32_t WrapAdd(int32_t a, int32_t b) { return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b)); }

size_t BlockBytes(const ConvLayer& l) { return CONV_BLOCK * l.group; }
} // namespace

ConvLayer PrepareConv(const ConvGeometry& g, size_t n, const int8_t* weights, const int32_t* biases, int8_t input_zero_point,
                      const ChannelRequant* requant, bool fuse_relu, KernelKind kind)
{
    ConvLayer l;
    l.kind = ResolveKernel(kind);
    l.g = g;
    l.n = n;
    l.taps = g.channels * g.kernel_h * g.kernel_w;
    l.group = l.kind == KernelKind::AVX2 ? 2 : 4;
    l.steps = (l.taps + l.group - 1) / l.group;
    l.rows_in_place = g.stride_h == 1 && g.stride_w == 1;
    l.padded_h = g.height + 2 * g.pad_h;
    l.padded_w = g.width + 2 * g.pad_w;
    l.grid_w = l.rows_in_place ? l.padded_w : g.out_w;
    l.grid = g.out_h * l.grid_w;
    l.blocks = (l.grid + CONV_BLOCK - 1) / CONV_BLOCK;
    l.chunk_blocks = std::clamp<size_t>(CONV_CHUNK_BYTES / (l.steps * BlockBytes(l)), 1, l.blocks);
    for (size_t c = 0; c < g.channels; ++c) {
        for (size_t ky = 0; ky < g.kernel_h; ++ky) {
            for (size_t kx = 0; kx < g.kernel_w; ++kx) l.tap_offsets.push_back((c * l.padded_h + ky) * l.padded_w + kx);
        }
    }
    // Weights: step-major so the kernel reads the channels of one step in a row.
    l.weights.assign(l.steps * n, 0);
    l.offset_bias.resize(n);
    for (size_t j = 0; j < n; ++j) {
        int64_t sum = 0;
        for (size_t t = 0; t < l.taps; ++t) {
            const int8_t v = weights[j * l.taps + t];
            sum += v;
            const size_t step = t / l.group, lane = t % l.group;
            const uint32_t bits = l.group == 4 ? uint32_t{static_cast<uint8_t>(v)} << (8 * lane)
                                               : uint32_t{static_cast<uint16_t>(int16_t{v})} << (16 * lane);
            uint32_t word = static_cast<uint32_t>(l.weights[step * n + j]) | bits;
            l.weights[step * n + j] = static_cast<int32_t>(word);
        }
        // (x - zp) * w = (x + 128) * w - (zp + 128) * w: the zero point moves into the bias.
        const int64_t v = int64_t{biases[j]} - (int64_t{input_zero_point} + 128) * sum;
        l.offset_bias[j] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));  // modulo 2^32
    }
    l.input_zero_point = input_zero_point;
    l.logits = requant == nullptr;
    if (!l.logits) l.requant = MakeRequantTable(requant, n, fuse_relu);
    return l;
}

void ConvPadInput(const ConvLayer& l, const int8_t* x, ConvScratch& s)
{
    const ConvGeometry& g = l.g;
    const size_t plane = l.padded_h * l.padded_w;
    // Slack past the last plane: in place, the last block of the last tap reads up to
    // kernel_w + 14 bytes beyond it.
    // The border (padding and slack) holds the zero point and is never written
    // otherwise: filled only when the geometry or the zero point changes (so once
    // per layer and batch, not once per sample).
    const std::vector<size_t> key{g.channels, g.height, g.width, g.pad_h, g.pad_w, static_cast<size_t>(l.input_zero_point + 128)};
    if (s.padded_for != key) {
        s.padded.assign(g.channels * plane + l.padded_w + 4 * CONV_BLOCK, l.input_zero_point);
        s.padded_for = key;
    }
    for (size_t c = 0; c < g.channels; ++c) {
        for (size_t y = 0; y < g.height; ++y) {
            std::memcpy(s.padded.data() + c * plane + (y + g.pad_h) * l.padded_w + g.pad_w, x + (c * g.height + y) * g.width, g.width);
        }
    }
}

// ------------------------------------------------------------------ packing
namespace {
/** The source row of every tap for blocks [b0, b1) (row[t][i] is tap t at grid
 *  position b0 * CONV_BLOCK + i); strided layers gather them first. */
void TapRows(const ConvLayer& l, size_t b0, size_t b1, ConvScratch& s)
{
    const ConvGeometry& g = l.g;
    const size_t len = (b1 - b0) * CONV_BLOCK;
    s.rows.assign(l.steps * l.group, nullptr);
    if (s.zeros.size() < len) s.zeros.assign(l.chunk_blocks * CONV_BLOCK, 0);
    for (size_t t = l.taps; t < s.rows.size(); ++t) s.rows[t] = s.zeros.data();
    if (l.rows_in_place) {
        for (size_t t = 0; t < l.taps; ++t) s.rows[t] = s.padded.data() + l.tap_offsets[t] + b0 * CONV_BLOCK;
        return;
    }
    s.gathered.resize(l.taps * len);
    const size_t first = b0 * CONV_BLOCK;
    for (size_t t = 0; t < l.taps; ++t) {
        int8_t* dst = s.gathered.data() + t * len;
        s.rows[t] = dst;
        const int8_t* tap = s.padded.data() + l.tap_offsets[t];
        const size_t valid = first < l.grid ? std::min(len, l.grid - first) : 0;
        size_t oy = first / g.out_w, ox = first % g.out_w;
        for (size_t i = 0; i < valid; ++i) {
            dst[i] = tap[oy * g.stride_h * l.padded_w + ox * g.stride_w];
            if (++ox == g.out_w) {
                ox = 0;
                ++oy;
            }
        }
        std::fill(dst + valid, dst + len, int8_t{0});  // past the grid: computed, never stored
    }
}

/** Portable: group 4, out[(step * count + b) * 64 + 4 * i + j] = row[4 * step + j][16 * b + i] + 128. */
void PackQuadsPortable(const ConvLayer& l, size_t count, const ConvScratch& s, uint8_t* out)
{
    for (size_t step = 0; step < l.steps; ++step) {
        for (size_t b = 0; b < count; ++b) {
            uint8_t* dst = out + (step * count + b) * 64;
            for (size_t j = 0; j < 4; ++j) {
                const int8_t* src = s.rows[4 * step + j] + b * CONV_BLOCK;
                for (size_t i = 0; i < CONV_BLOCK; ++i) dst[4 * i + j] = ToKernelByte(src[i]);
            }
        }
    }
}

#ifdef ODA_HAVE_X86
/** SSE2 (baseline x86-64): the same bytes as PackQuadsPortable with byte/word unpacks. */
void PackQuadsSse2(const ConvLayer& l, size_t count, const ConvScratch& s, uint8_t* out)
{
    const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
    for (size_t step = 0; step < l.steps; ++step) {
        const int8_t* const* rows = s.rows.data() + 4 * step;
        for (size_t b = 0; b < count; ++b) {
            const size_t at = b * CONV_BLOCK;
            const __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[0] + at));
            const __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[1] + at));
            const __m128i r2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[2] + at));
            const __m128i r3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[3] + at));
            const __m128i lo01 = _mm_unpacklo_epi8(r0, r1), hi01 = _mm_unpackhi_epi8(r0, r1);
            const __m128i lo23 = _mm_unpacklo_epi8(r2, r3), hi23 = _mm_unpackhi_epi8(r2, r3);
            __m128i* dst = reinterpret_cast<__m128i*>(out + (step * count + b) * 64);
            _mm_storeu_si128(dst + 0, _mm_xor_si128(_mm_unpacklo_epi16(lo01, lo23), flip));
            _mm_storeu_si128(dst + 1, _mm_xor_si128(_mm_unpackhi_epi16(lo01, lo23), flip));
            _mm_storeu_si128(dst + 2, _mm_xor_si128(_mm_unpacklo_epi16(hi01, hi23), flip));
            _mm_storeu_si128(dst + 3, _mm_xor_si128(_mm_unpackhi_epi16(hi01, hi23), flip));
        }
    }
}

/** SSE2, group 2 (AVX2 kernel): out[(step * count + b) * 32 + 2 * i + j] = row[2 * step + j][16 * b + i] + 128. */
void PackPairsSse2(const ConvLayer& l, size_t count, const ConvScratch& s, uint8_t* out)
{
    const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
    for (size_t step = 0; step < l.steps; ++step) {
        const int8_t* const* rows = s.rows.data() + 2 * step;
        for (size_t b = 0; b < count; ++b) {
            const size_t at = b * CONV_BLOCK;
            const __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[0] + at));
            const __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[1] + at));
            __m128i* dst = reinterpret_cast<__m128i*>(out + (step * count + b) * 32);
            _mm_storeu_si128(dst + 0, _mm_xor_si128(_mm_unpacklo_epi8(r0, r1), flip));
            _mm_storeu_si128(dst + 1, _mm_xor_si128(_mm_unpackhi_epi8(r0, r1), flip));
        }
    }
}
#endif
} // namespace

void ConvPackBlocks(const ConvLayer& l, size_t b0, size_t b1, ConvScratch& s)
{
    TapRows(l, b0, b1, s);
    const size_t count = b1 - b0;
    s.packed.resize(l.steps * count * BlockBytes(l));
#ifdef ODA_HAVE_X86
    if (l.kind == KernelKind::AVX2) return PackPairsSse2(l, count, s, s.packed.data());
    if (l.kind == KernelKind::AVX512VNNI) return PackQuadsSse2(l, count, s, s.packed.data());
#endif
    PackQuadsPortable(l, count, s, s.packed.data());
}

// ------------------------------------------------------------------ kernels
namespace {
/** Scalar: every channel, 16 positions at a time, on the quad layout. */
void MultiplyScalar(const ConvLayer& l, size_t b0, size_t count, ConvScratch& s)
{
    const size_t stride = l.blocks * CONV_BLOCK;
    for (size_t b = 0; b < count; ++b) {
        const size_t pos = (b0 + b) * CONV_BLOCK;
        for (size_t c = 0; c < l.n; ++c) {
            uint32_t acc[CONV_BLOCK] = {};
            for (size_t step = 0; step < l.steps; ++step) {
                const uint8_t* a = s.packed.data() + (step * count + b) * 64;
                const uint32_t word = static_cast<uint32_t>(l.weights[step * l.n + c]);
                const int32_t w0 = static_cast<int8_t>(word), w1 = static_cast<int8_t>(word >> 8);
                const int32_t w2 = static_cast<int8_t>(word >> 16), w3 = static_cast<int8_t>(word >> 24);
                for (size_t i = 0; i < CONV_BLOCK; ++i) {
                    const int32_t sum = a[4 * i] * w0 + a[4 * i + 1] * w1 + a[4 * i + 2] * w2 + a[4 * i + 3] * w3;
                    acc[i] += static_cast<uint32_t>(sum);
                }
            }
            for (size_t i = 0; i < CONV_BLOCK; ++i) {
                const int32_t v = WrapAdd(static_cast<int32_t>(acc[i]), l.offset_bias[c]);
                if (l.logits) {
                    s.grid_i[c * stride + pos + i] = v;
                } else {
                    const RequantTable& t = l.requant;
                    s.grid_q[c * stride + pos + i] = simd::RequantizeOne(v, t.left[c], t.multiplier[c], t.right[c], t.zero_point[c], t.lower[c]);
                }
            }
        }
    }
}

#ifdef ODA_HAVE_X86
/** AVX-512 VNNI: CH channels x 16 positions, one vpdpbusd per channel and step
 *  (the channel's 4 weights broadcast, the 16 positions' 4 bytes in the register). */
template <int CH>
ODA_VNNI_TARGET void ChannelsVnni(const ConvLayer& l, size_t b0, size_t count, size_t c0, ConvScratch& s)
{
    const size_t stride = l.blocks * CONV_BLOCK;
    const size_t step_bytes = count * 64;
    for (size_t b = 0; b < count; ++b) {
        __m512i acc[CH];
#pragma GCC unroll 16
        for (int c = 0; c < CH; ++c) acc[c] = _mm512_setzero_si512();
        const uint8_t* a = s.packed.data() + b * 64;
        const int32_t* w = l.weights.data() + c0;
        for (size_t step = 0; step < l.steps; ++step, a += step_bytes, w += l.n) {
            const __m512i x = _mm512_loadu_si512(a);
#pragma GCC unroll 16
            for (int c = 0; c < CH; ++c) acc[c] = _mm512_dpbusd_epi32(acc[c], x, _mm512_set1_epi32(w[c]));
        }
        const size_t pos = (b0 + b) * CONV_BLOCK;
        for (int c = 0; c < CH; ++c) {
            const size_t ch = c0 + c;
            const __m512i v = _mm512_add_epi32(acc[c], _mm512_set1_epi32(l.offset_bias[ch]));  // wraps modulo 2^32
            if (l.logits) {
                _mm512_storeu_si512(s.grid_i.data() + ch * stride + pos, v);
            } else {
                const RequantTable& t = l.requant;
                const __m512i r = simd::RequantizeLanes(v, t.any_left, _mm512_set1_epi32(t.left[ch]), _mm512_set1_epi32(t.multiplier[ch]),
                                                        _mm512_set1_epi32(t.right[ch]), _mm512_set1_epi32(t.mask[ch]),
                                                        _mm512_set1_epi32(t.zero_point[ch]), _mm512_set1_epi32(t.lower[ch]));
                _mm_storeu_si128(reinterpret_cast<__m128i*>(s.grid_q.data() + ch * stride + pos), _mm512_cvtepi32_epi8(r));
            }
        }
    }
}

ODA_VNNI_TARGET void MultiplyVnni(const ConvLayer& l, size_t b0, size_t count, ConvScratch& s)
{
    size_t c = 0;
    for (; c + 16 <= l.n; c += 16) ChannelsVnni<16>(l, b0, count, c, s);
    if (c + 8 <= l.n) ChannelsVnni<8>(l, b0, count, c, s), c += 8;
    if (c + 4 <= l.n) ChannelsVnni<4>(l, b0, count, c, s), c += 4;
    if (c + 2 <= l.n) ChannelsVnni<2>(l, b0, count, c, s), c += 2;
    if (c < l.n) ChannelsVnni<1>(l, b0, count, c, s);
}

/** AVX2: CH channels x 16 positions (two registers of 8), vpmaddwd on the positions'
 *  2 bytes widened to int16 with the channel's 2 int16 weights broadcast. */
template <int CH>
ODA_AVX2_TARGET void ChannelsAvx2(const ConvLayer& l, size_t b0, size_t count, size_t c0, ConvScratch& s)
{
    const size_t stride = l.blocks * CONV_BLOCK;
    const size_t step_bytes = count * 32;
    for (size_t b = 0; b < count; ++b) {
        __m256i acc[CH][2];
#pragma GCC unroll 8
        for (int c = 0; c < CH; ++c) acc[c][0] = acc[c][1] = _mm256_setzero_si256();
        const uint8_t* a = s.packed.data() + b * 32;
        const int32_t* w = l.weights.data() + c0;
        for (size_t step = 0; step < l.steps; ++step, a += step_bytes, w += l.n) {
            const __m256i x0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a)));
            const __m256i x1 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 16)));
#pragma GCC unroll 8
            for (int c = 0; c < CH; ++c) {
                const __m256i wc = _mm256_set1_epi32(w[c]);
                acc[c][0] = _mm256_add_epi32(acc[c][0], _mm256_madd_epi16(x0, wc));
                acc[c][1] = _mm256_add_epi32(acc[c][1], _mm256_madd_epi16(x1, wc));
            }
        }
        const size_t pos = (b0 + b) * CONV_BLOCK;
        for (int c = 0; c < CH; ++c) {
            const size_t ch = c0 + c;
            const __m256i bias = _mm256_set1_epi32(l.offset_bias[ch]);
            for (int half = 0; half < 2; ++half) {
                const __m256i v = _mm256_add_epi32(acc[c][half], bias);
                const size_t at = ch * stride + pos + 8 * half;
                if (l.logits) {
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(s.grid_i.data() + at), v);
                } else {
                    const RequantTable& t = l.requant;
                    const __m256i r = simd::RequantizeLanes(v, t.any_left, _mm256_set1_epi32(t.left[ch]), _mm256_set1_epi32(t.multiplier[ch]),
                                                            _mm256_set1_epi32(t.right[ch]), _mm256_set1_epi32(t.mask[ch]),
                                                            _mm256_set1_epi32(t.zero_point[ch]), _mm256_set1_epi32(t.lower[ch]));
                    _mm_storel_epi64(reinterpret_cast<__m128i*>(s.grid_q.data() + at), simd::PackLanes(r));
                }
            }
        }
    }
}

ODA_AVX2_TARGET void MultiplyAvx2(const ConvLayer& l, size_t b0, size_t count, ConvScratch& s)
{
    size_t c = 0;
    for (; c + 6 <= l.n; c += 6) ChannelsAvx2<6>(l, b0, count, c, s);
    if (c + 4 <= l.n) ChannelsAvx2<4>(l, b0, count, c, s), c += 4;
    if (c + 2 <= l.n) ChannelsAvx2<2>(l, b0, count, c, s), c += 2;
    if (c < l.n) ChannelsAvx2<1>(l, b0, count, c, s);
}
#endif
} // namespace

void ConvMultiplyBlocks(const ConvLayer& l, size_t b0, size_t b1, ConvScratch& s)
{
    const size_t grid_size = l.n * l.blocks * CONV_BLOCK;
    if (l.logits) {
        if (s.grid_i.size() < grid_size) s.grid_i.resize(grid_size);
    } else if (s.grid_q.size() < grid_size) {
        s.grid_q.resize(grid_size);
    }
#ifdef ODA_HAVE_X86
    if (l.kind == KernelKind::AVX512VNNI) return MultiplyVnni(l, b0, b1 - b0, s);
    if (l.kind == KernelKind::AVX2) return MultiplyAvx2(l, b0, b1 - b0, s);
#endif
    MultiplyScalar(l, b0, b1 - b0, s);
}

void ConvGridToOutput(const ConvLayer& l, const ConvScratch& s, int8_t* out, int32_t* logits_out)
{
    const ConvGeometry& g = l.g;
    const size_t stride = l.blocks * CONV_BLOCK, plane = g.out_h * g.out_w;
    for (size_t c = 0; c < l.n; ++c) {
        for (size_t oy = 0; oy < g.out_h; ++oy) {
            // The grid row has grid_w positions; the first out_w are the outputs.
            const size_t from = c * stride + oy * l.grid_w, to = c * plane + oy * g.out_w;
            if (l.logits) {
                std::memcpy(logits_out + to, s.grid_i.data() + from, g.out_w * sizeof(int32_t));
            } else {
                std::memcpy(out + to, s.grid_q.data() + from, g.out_w);
            }
        }
    }
}

void ConvForwardToGrid(const ConvLayer& l, const int8_t* x, ConvScratch& s)
{
    ConvPadInput(l, x, s);
    for (size_t b0 = 0; b0 < l.blocks; b0 += l.chunk_blocks) {
        const size_t b1 = std::min(l.blocks, b0 + l.chunk_blocks);
        ConvPackBlocks(l, b0, b1, s);
        ConvMultiplyBlocks(l, b0, b1, s);
    }
}

void ConvForward(const ConvLayer& l, const int8_t* x, int8_t* out, int32_t* logits_out, ConvScratch& s)
{
    ConvForwardToGrid(l, x, s);
    ConvGridToOutput(l, s, out, logits_out);
}

} // namespace oda::engine
