// Conv2D for the consensus engine (no libtorch here): a position-major kernel in
// which each vector register holds 16 consecutive output positions of ONE output
// channel, so that
//   - the "im2col" is whole-row copies: with stride 1, tap (c, ky, kx) of the
//     positions of output row oy is the input row oy + ky - pad_h shifted by
//     kx - pad_w; over a padded copy of the input (padding materialized once per
//     sample with the zero point) every tap's row for ALL output positions is one
//     contiguous run of bytes if positions are numbered on the padded width (the
//     kernel computes pad_w * 2 extra columns per row and drops them). Strided
//     convolutions gather their tap rows once per chunk instead;
//   - 4 (VNNI, scalar) or 2 (AVX2) tap rows are interleaved into the kernel's
//     layout with byte unpacks, converting x to a = x + 128 on the way;
//   - the kernel broadcasts the 4 (or 2) weights of a channel and multiplies a
//     whole register of positions (vpdpbusd / vpmaddwd): small fan-in (1 input
//     channel, 3x3) costs as little per MAC as large fan-in;
//   - the requantization epilogue runs on the accumulator registers with ONE
//     channel's constants per register and stores int8 straight into the
//     channel-major [C][H][W] output (ReLU fused when it follows).
// Exactness: the same overflow proof as kernels.h (every partial sum of a * w fits
// int32), integer arithmetic only, and every kernel kind gives the same bits.
#ifndef ODA_ODA_ENGINE_CONV_H
#define ODA_ODA_ENGINE_CONV_H

#include <oda/engine/kernels.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace oda::engine {

/** Output positions per kernel block (one register of int32 lanes on AVX-512). */
constexpr size_t CONV_BLOCK = 16;

/** A Conv2D layer prepared once for the position-major kernel. */
struct ConvLayer {
    KernelKind kind{KernelKind::SCALAR};  //!< resolved kernel
    ConvGeometry g{};
    size_t n{0};                          //!< output channels
    size_t taps{0};                       //!< fan-in C * kernel_h * kernel_w
    size_t group{4};                      //!< taps per kernel step: 4 (VNNI, scalar) or 2 (AVX2)
    size_t steps{0};                      //!< ceil(taps / group)
    bool rows_in_place{false};            //!< stride 1: tap rows read straight from the padded input
    size_t padded_h{0}, padded_w{0};      //!< the input plane with its padding
    size_t grid_w{0};                     //!< kernel positions per output row (padded_w in place, else out_w)
    size_t grid{0};                       //!< out_h * grid_w kernel positions
    size_t blocks{0};                     //!< ceil(grid / CONV_BLOCK)
    size_t chunk_blocks{0};               //!< blocks packed and multiplied at a time (bounded scratch)
    std::vector<size_t> tap_offsets;      //!< in place: tap t's row start in the padded input
    std::vector<int32_t> weights;         //!< [step][n]: one channel's `group` weights in an int32 (4 x s8 / 2 x s16)
    std::vector<int32_t> offset_bias;     //!< bias - (zp + 128) * sum(w), wrapped to int32
    int8_t input_zero_point{0};
    bool logits{false};                   //!< int32 outputs, no requantization
    RequantTable requant;                 //!< one entry per output channel (empty for logits)
};

/** Prepares a layer: weights [n][C][kh][kw] (the model's order), biases [n],
 *  `requant` (n entries, or nullptr for a logits layer). */
ConvLayer PrepareConv(const ConvGeometry& g, size_t n, const int8_t* weights, const int32_t* biases, int8_t input_zero_point,
                      const ChannelRequant* requant, bool fuse_relu, KernelKind kind);

/** Per-thread working memory of ConvForward (sized on first use, then reused). */
struct ConvScratch {
    std::vector<int8_t> padded;   //!< the padded input plane(s)
    std::vector<size_t> padded_for; //!< geometry and zero point whose border `padded` holds (refilled on change)
    std::vector<int8_t> gathered; //!< strided: the chunk's tap rows [tap][chunk positions]
    std::vector<int8_t> zeros;    //!< source row of the taps past the fan-in (weights 0)
    std::vector<const int8_t*> rows; //!< the chunk's source row of every tap (steps * group)
    std::vector<uint8_t> packed;  //!< the chunk's interleaved kernel bytes [step][block][CONV_BLOCK * group]
    std::vector<int8_t> grid_q;   //!< [n][blocks * CONV_BLOCK] requantized outputs on the kernel's grid
    std::vector<int32_t> grid_i;  //!< the same for int32 logits
};

/** One sample: x [C][H][W] -> out [n][out_h][out_w] (int8, requantized; or int32 when
 *  the layer is logits: `logits_out`). */
void ConvForward(const ConvLayer& l, const int8_t* x, int8_t* out, int32_t* logits_out, ConvScratch& s);

/** ConvForward without the last copy: the requantized outputs stay on the kernel's
 *  grid, channel c's row oy at GridRow(l, s, c, oy) (the first out_w bytes of each
 *  grid row are the outputs), so a following pooling layer can read them in place. */
void ConvForwardToGrid(const ConvLayer& l, const int8_t* x, ConvScratch& s);
inline const int8_t* GridRow(const ConvLayer& l, const ConvScratch& s, size_t c, size_t oy)
{
    return s.grid_q.data() + c * l.blocks * CONV_BLOCK + oy * l.grid_w;
}

/** The stages of ConvForward, for benchmarks: pad the input; pack blocks
 *  [b0, b1); multiply and requantize them onto the grid; copy the grid to the output. */
void ConvPadInput(const ConvLayer& l, const int8_t* x, ConvScratch& s);
void ConvPackBlocks(const ConvLayer& l, size_t b0, size_t b1, ConvScratch& s);
void ConvMultiplyBlocks(const ConvLayer& l, size_t b0, size_t b1, ConvScratch& s);
void ConvGridToOutput(const ConvLayer& l, const ConvScratch& s, int8_t* out, int32_t* logits_out);

} // namespace oda::engine

#endif // ODA_ODA_ENGINE_CONV_H
