// Winograd convolutions (3x3, stride 1, dilation 1, one group, on request): the plan and its
// transformed kernels, F(2x2, 3x3) one image at a time in units of a tile row, and F(3x3, 3x3) on a
// few small images by strips of tile columns in the lanes. The lane-batched and fused-head drivers
// use the same plans.
#include <cstring>

#include "cpu/conv/drivers.hpp"
#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"

namespace cvcore::cpu {
namespace {

constexpr int64_t kWinogradKernels = 1;             // WeightKey::kind of the transformed kernels
constexpr int64_t kWinogradBlockFloats = 32 << 10;  // the transformed inputs of one block of tiles

}  // namespace

WinogradPlan prepare_winograd(const ConvProblem& p, const ConvGeometry& g, bool lanes, int m) {
  const int64_t W = p.k->width;
  const int acc = p.k->tile_accumulators;
  WinogradPlan plan;
  plan.M = g.out_channels;
  plan.C = g.in_channels;
  plan.m = m;
  plan.points = (m + 2) * (m + 2);
  plan.width = W;
  plan.lanes = lanes;
  const int64_t tile_cols = ceil_div(g.out_w, m);
  // Lanes: register tiles of nv whole tiles that divide the row when they can (the last one overlaps
  // the previous otherwise). One image: 2 or 3 vectors of tiles on long rows, whichever pads the
  // row's tiles and the channel blocks least.
  int nv = lanes ? (tile_cols % 3 == 0 ? 3 : (tile_cols % 2 == 0 ? 2 : 1)) : 1;
  if (!lanes && tile_cols >= 4 * W) {
    const auto padded = [&](int v) {
      const TileRows t = tile_rows(plan.M, v, acc);
      return ceil_div(tile_cols, v * W) * v * W * t.blocks * t.mr;
    };
    nv = padded(3) < padded(2) ? 3 : 2;
  }
  plan.nr = nv * W;
  const TileRows t = tile_rows(plan.M, nv, acc);
  plan.blocks = t.blocks;
  plan.mr = t.mr;
  if (lanes) {
    plan.tiles = tile_cols * W;
  } else {
    plan.tiles = max64(plan.nr, kWinogradBlockFloats / (plan.points * plan.C) / plan.nr * plan.nr);
    plan.tiles = min64(plan.tiles, ceil_div(tile_cols, plan.nr) * plan.nr);
  }
  plan.bias = p.bias;
  plan.act = p.act;
  // The transformed kernels, kept per thread for the next call with the same weights: a layer called
  // on every image or batch of crops transforms its kernels once.
  const size_t floats = static_cast<size_t>(plan.points * plan.blocks * plan.C * plan.mr);
  const WeightKey key{p.w, kWinogradKernels, W, m, plan.blocks, plan.mr, plan.C};
  plan.u = prepared_weights(key, p.w, static_cast<size_t>(plan.M * plan.C * 9), floats, ScratchSlot::prepared,
                            [&](float* u) {
                              parallel_for(plan.blocks * plan.C, p.threads, multiply_adds(double(plan.mr) * 9 * plan.points),
                                           [&](int64_t unit) {
                                p.k->winograd_kernels(plan, p.w, unit / plan.C, unit % plan.C, u);
                              });
                            });
  int64_t* offsets = scratch_array<int64_t>(ScratchSlot::packed_weights, static_cast<size_t>(plan.C));
  for (int64_t c = 0; c < plan.C; ++c) offsets[c] = c * plan.tiles;
  plan.off = offsets;
  return plan;
}

void conv2d_winograd(const ConvProblem& p, float* y) {
  const ConvGeometry& g = p.g;
  const WinogradPlan plan = prepare_winograd(p, g, false, 2);
  const int64_t plane = g.out_h * g.out_w, tile_rows = ceil_div(g.out_h, 2);
  parallel_for(
      g.batch * tile_rows, p.threads, conv_share(g, g.batch * tile_rows),
      [&] { return scratch_array<float>(ScratchSlot::winograd_work, static_cast<size_t>(plan.workspace_floats())); },
      [&](float* ws, int64_t u) {
        const int64_t n = u / tile_rows, r0 = u % tile_rows * 2, r1 = min64(g.out_h, r0 + 2);
        p.k->winograd2_rows(plan, g, p.x, n, r0, r1, y + n * g.out_channels * plane + r0 * g.out_w, plane, ws);
      });
}

namespace {

// A thread's buffers for strips of tile columns: the strip's input and output, and the workspace.
struct StripBuffers {
  float* strip;
  float* ws;
};

}  // namespace

// Lane l of a unit holds the 5-column strip under tile column t0 + l of every row of one image (a
// lane-batched "image" of width 5 whose one tile column is that tile). Units of an image's kWidth
// tile columns go over the threads.
void conv2d_winograd3_columns(const ConvProblem& p, float* y) {
  const ConvGeometry& g = p.g;
  const int64_t W = p.k->width;
  ConvGeometry strip = g;
  strip.in_w = 5;
  strip.out_w = 3;
  const WinogradPlan plan = prepare_winograd(p, strip, true, 3);
  const int64_t C = g.in_channels, H = g.in_h, IW = g.in_w, M = g.out_channels, OH = g.out_h, OW = g.out_w;
  const int64_t passes = ceil_div(OW / 3, W), units = g.batch * passes;
  const size_t in_floats = static_cast<size_t>((C * H * 5 + 1) * W);
  const size_t out_floats = static_cast<size_t>(M * OH * 3 * W);
  parallel_for(
      units, p.threads, conv_share(g, units),
      [&] {
        return StripBuffers{scratch_array<float>(ScratchSlot::lanes, in_floats + out_floats),
                            scratch_array<float>(ScratchSlot::winograd_work,
                                                 static_cast<size_t>(plan.workspace_floats()))};
      },
      [&](StripBuffers& b, int64_t u) {
        const int64_t n = u / passes, t0 = u % passes * W, lanes = min64(W, OW / 3 - t0);
        float* x_l = b.strip;
        float* c_l = b.strip + in_floats;
        // x_l[((c * H + r) * 5 + j) * W + l] = x[n, c, r, 3 (t0 + l) + j], zero past the last tile.
        std::memset(x_l, 0, sizeof(float) * in_floats);
        for (int64_t cr = 0; cr < C * H; ++cr) {
          const float* row = p.x + (n * C * H + cr) * IW + 3 * t0;
          float* dst = x_l + cr * 5 * W;
          for (int64_t l = 0; l < lanes; ++l)
            for (int j = 0; j < 5; ++j) dst[j * W + l] = row[3 * l + j];
        }
        for (int64_t ty = 0; ty < OH / 3; ++ty) p.k->winograd3_lane_row(plan, strip, x_l, ty, c_l, b.ws);
        for (int64_t r = 0; r < M * OH; ++r) {  // output rows (channel, oy)
          const float* src = c_l + r * 3 * W;
          float* row = y + (n * M * OH + r) * OW + 3 * t0;
          for (int64_t l = 0; l < lanes; ++l)
            for (int j = 0; j < 3; ++j) row[3 * l + j] = src[j * W + l];
        }
      });
}

}  // namespace cvcore::cpu
