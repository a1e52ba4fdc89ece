// Data layouts the convolution's drivers prepare for the kernels: padded images, the offsets of the
// implicit im2col matrix, and weights packed for the register tile. Copies only, no arithmetic.
#pragma once

#include <cstdint>

#include "cpu/conv/plans.hpp"

namespace cvcore::cpu {

inline bool padded(const ConvGeometry& g) { return g.pad_top || g.pad_left || g.pad_bottom || g.pad_right; }

// Copies channels [c0, c1) of one image x into the zero-padded buffer xp (C x Hp x Wp).
void pad_channels(const ConvGeometry& g, const float* x, float* xp, int64_t Hp, int64_t Wp, int64_t c0, int64_t c1);

// The im2col matrix's row offsets k_off (channel < channels, ky, kx) and column offsets n_off (image <
// images, oy, ox; none when n_off is null) for input planes of `plane` floats with rows of `row`
// floats and images `image` floats apart.
void conv_offsets(const ConvGeometry& g, int64_t channels, int64_t plane, int64_t row, int64_t images, int64_t image,
                  int64_t* k_off, int64_t* n_off);

// Weights (M, K) k-major per block of t.mr channels, as the register tile broadcasts them:
// dst[(blk * K + k) * mr + r] = w[(blk * mr + r) * K + k], zero for channels past M.
void pack_channel_blocks(const float* w, int64_t M, int64_t K, TileRows t, float* dst);

// dst[m] = v[m] for the t.blocks * t.mr padded channels: zero past M, or everywhere when v is null.
void pad_per_channel(const float* v, int64_t M, TileRows t, float* dst);

}  // namespace cvcore::cpu
