// What the convolution's drivers (cpu/conv/<algorithm>.cpp, ISA-independent) hand its per-ISA
// kernels (cpu/simd/conv/<algorithm>.inl): the geometry, and for each algorithm the arguments it
// prepares once per call. Plain data, the same for every ISA; the ISA's own numbers (vector width,
// register budget) come from its Kernels table.
#pragma once

#include <cstdint>

#include "cpu/epilogue.hpp"

namespace cvcore::cpu {

// Geometry of a validated 2-D convolution (NCHW input, OIHW weights).
struct ConvGeometry {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int64_t groups;
  bool winograd = false;  // Winograd requested (Conv2dParams::winograd): taken by 3x3, stride-1 convolutions
};

// One GEMM of the implicit im2col matrix: C[M, N] = act(A[M, K] B[K, N] + bias), where row m of A is
// an output channel's weights (OIHW rows, read in place) and B[k][n] = src[k_off[k] + n_off[n]]: k
// runs over (channel, ky, kx) and n over output pixels (image, oy, ox).
struct ConvGemm {
  int64_t M, N, K;
  const float* A;
  int64_t lda;
  float* C;
  int64_t ldc;
  const float* bias;  // per row of C, or null
  OutputAct act;      // slopes per row of C
  const float* src;      // the (padded) input of the group's first channel
  const float* src_end;  // the end of the readable input buffer
  const int64_t* k_off;
  const int64_t* n_off;
  int64_t out_w, stride_w;
  bool rows_contiguous;  // output row oy + 1 starts where row oy ends in every input row (1x1, unpadded)
};

// The register tile of the small-K, Winograd and lane-batched kernels: up to kTileMaxRows output
// channels by nv vectors of pixels, `accumulators` vectors in all (the ISA's register budget).
constexpr int kTileMaxRows = 12;
constexpr int max_tile_rows(int accumulators, int nv) {
  return kTileMaxRows < accumulators / nv ? kTileMaxRows : accumulators / nv;
}

// M output channels in `blocks` register tiles of mr rows, as even as the tile allows.
struct TileRows {
  int64_t blocks, mr;
};
inline TileRows tile_rows(int64_t M, int nv, int accumulators) {
  const int64_t most = max_tile_rows(accumulators, nv);
  const int64_t blocks = (M + most - 1) / most;
  return {blocks, (M + blocks - 1) / blocks};
}

// Small reductions (a first layer on RGB: K = 27) without padding at stride 1 along the width: a
// direct register-tile loop, the input rows read in place.
constexpr int64_t kSmallK = 32;     // largest K = in_channels * kh * kw
constexpr int64_t kSmallMaxM = 64;  // most output channels

struct SmallKPlan {
  int64_t M, K, blocks, mr, nv;  // M output channels in blocks of mr, nv vectors of pixels per tile
  bool has_bias;
  Epilogue act;
  alignas(64) float wp[kSmallK * (kSmallMaxM + kTileMaxRows)];  // [blocks][K][mr], zero past M
  float bp[kSmallMaxM + kTileMaxRows];  // bias per padded channel (zeros without one)
  float sp[kSmallMaxM + kTileMaxRows];  // prelu slopes per padded channel (zeros without)
  int64_t off[kSmallK];                 // tap k's offset in the image (channel, ky, kx)
};

// Winograd F(m x m, 3 x 3): m = 2 on any map (one image per call, or `lanes`), m = 3 in the lanes on
// maps whose sides are multiples of 3. Blocks of `tiles` tiles along a tile row are transformed,
// multiplied by the transformed kernels point by point (one small GEMM per point on the register
// tile: mr channels by nr floats of tiles), and transformed back.
struct WinogradPlan {
  int64_t M, C, blocks, mr, nr;  // output channels in blocks of mr; nr floats of tiles per register tile
  int64_t tiles;                 // floats per channel of a block's inputs: tiles along a tile row (lanes: times width)
  int64_t m, points;             // outputs per tile side; transformed values per tile, (m + 2)^2
  int64_t width;                 // the ISA's vector width
  bool lanes;                    // kWidth images side by side in the lanes of every vector (x_l[c][y][x][lane])
  const float* u;                // G g G^T per point, k-major per block: [points][blocks][C][mr]
  const int64_t* off;            // c * tiles: row c of a point's [C][tiles] inputs
  const float* bias;             // or null
  OutputAct act;

  // A row of a block's input (with slack), as read by the input transform.
  int64_t row_floats() const { return lanes ? (m * (tiles / width) + 2) * width : 2 * tiles + 2 * width; }
  // The workspace of one thread: input rows, transformed inputs, the register tile's products.
  int64_t workspace_floats() const { return 8 * row_floats() + points * (C * tiles + mr * nr) + 2 * width; }
};

// Lane-batched direct convolution (stride 1, no padding): kWidth images side by side in the lanes of
// every vector (x_l[c][y][x][lane]), each pixel of the register tile a vector of images.
struct LanePlan {
  int64_t M, K, blocks, mr, nv;  // M output channels in blocks of mr, nv pixels per tile
  const float* wp;               // [blocks][K][mr], zero rows past M
  const int64_t* off;            // tap k's offset in x_l: ((c * H + ky) * W + kx) * width
  const float* sp;               // prelu slopes per padded channel (zeros without)
  const float* bias;             // or null
  Epilogue act;
};

}  // namespace cvcore::cpu
