// Small reductions (a first layer on RGB) by the direct register-tile kernel, row by row; with max
// pooling fused: 2x2 windows at stride 2 pooled in registers, other windows pooled from a buffer of
// whole small images or bands of rows that stays in L2, so that the full-resolution map never
// reaches memory.
#include "cpu/conv/drivers.hpp"
#include "cpu/conv/layout.hpp"
#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"

namespace cvcore::cpu {
namespace {

// The plan: nv vectors of pixels per register tile (0: two on rows wide enough that the overlapping
// last tile costs little), the weights packed per block of channels, bias and slopes padded to it.
SmallKPlan small_k_plan(const ConvProblem& p, int nv = 0) {
  const ConvGeometry& g = p.g;
  SmallKPlan c;
  c.M = g.out_channels;
  c.K = g.in_channels * g.kernel_h * g.kernel_w;
  c.nv = nv ? nv : (g.out_w >= 8 * p.k->width ? 2 : 1);
  const TileRows t = tile_rows(c.M, static_cast<int>(c.nv), p.k->tile_accumulators);
  c.blocks = t.blocks;
  c.mr = t.mr;
  c.has_bias = p.bias != nullptr;
  c.act = p.act.kind;
  pack_channel_blocks(p.w, c.M, c.K, t, c.wp);
  pad_per_channel(p.bias, c.M, t, c.bp);
  pad_per_channel(p.act.slope, c.M, t, c.sp);
  conv_offsets(g, g.in_channels, g.in_h * g.in_w, g.in_w, 0, 0, c.off, nullptr);  // rows of B only
  return c;
}

// The band buffer of the pooled path: at most this much of the convolution's output per thread.
constexpr int64_t kBandBytes = 192 << 10;

}  // namespace

void conv2d_small_k(const ConvProblem& p, float* y) {
  const ConvGeometry& g = p.g;
  const SmallKPlan plan = small_k_plan(p);
  const int64_t plane = g.out_h * g.out_w;
  parallel_for(g.batch * g.out_h, p.threads, conv_share(g, g.batch * g.out_h), [&](int64_t row) {
    const int64_t n = row / g.out_h, oy = row % g.out_h;
    p.k->small_k_rows(plan, g, p.x, n, oy, oy + 1, y + n * g.out_channels * plane + oy * g.out_w, plane);
  });
}

void conv2d_small_k_pool2(const ConvProblem& p, const PoolGeometry& pool, float* y) {
  const SmallKPlan plan = small_k_plan(p, 2);
  // Bands of pooled rows: about four per thread on each image.
  const int64_t band = max64(1, ceil_div(pool.out_h, 4 * p.threads)), bands = ceil_div(pool.out_h, band);
  parallel_for(p.g.batch * bands, p.threads, conv_share(p.g, p.g.batch * bands), [&](int64_t u) {
    const int64_t n = u / bands, p0 = u % bands * band;
    p.k->small_k_pool2_rows(plan, p.g, pool, p.x, n, p0, min64(pool.out_h, p0 + band), y);
  });
}

void conv2d_small_k_max_pool(const ConvProblem& p, const PoolGeometry& pool, float* y) {
  const ConvGeometry& g = p.g;
  const SmallKPlan plan = small_k_plan(p);
  const int64_t M = g.out_channels, row_bytes = M * g.out_w * static_cast<int64_t>(sizeof(float));
  const int64_t pooled = pool.out_h * pool.out_w, image_bytes = row_bytes * g.out_h;
  // Work units: groups of whole images when one fits the buffer, otherwise bands of pooled rows of
  // one image (a band of b pooled rows needs (b - 1) * stride + kernel rows of the convolution).
  const bool whole = image_bytes <= kBandBytes;
  const int64_t group = whole ? max64(1, min64(kBandBytes / image_bytes, ceil_div(g.batch, p.threads))) : 1;
  const int64_t band = whole ? pool.out_h : max64(1, (kBandBytes / row_bytes - pool.kernel_h) / pool.stride_h + 1);
  const int64_t bands = ceil_div(pool.out_h, band);
  const int64_t units = whole ? ceil_div(g.batch, group) : g.batch * bands;
  const int64_t buffer_rows = whole ? g.out_h : min64(g.out_h, (band - 1) * pool.stride_h + pool.kernel_h);
  parallel_for(
      units, p.threads, conv_share(g, units),
      [&] {
        return scratch_array<float>(ScratchSlot::conv_band, static_cast<size_t>(group * M * buffer_rows * g.out_w));
      },
      [&](float* buf, int64_t u) {
        PoolGeometry pg = pool;
        if (whole) {
          const int64_t n0 = u * group, n1 = min64(g.batch, n0 + group), plane = g.out_h * g.out_w;
          for (int64_t n = n0; n < n1; ++n)
            p.k->small_k_rows(plan, g, p.x, n, 0, g.out_h, buf + (n - n0) * M * plane, plane);
          pg.planes = (n1 - n0) * M;
          max_pool2d(pg, buf, y + n0 * M * pooled, nullptr, 1);
          return;
        }
        const int64_t n = u / bands, p0 = u % bands * band, p1 = min64(pool.out_h, p0 + band);
        const int64_t r0 = p0 * pool.stride_h, r1 = min64(g.out_h, (p1 - 1) * pool.stride_h + pool.kernel_h);
        const int64_t plane = (r1 - r0) * g.out_w;
        p.k->small_k_rows(plan, g, p.x, n, r0, r1, buf, plane);
        pg.planes = 1;
        pg.in_h = r1 - r0;
        pg.out_h = p1 - p0;
        for (int64_t m = 0; m < M; ++m)
          max_pool2d(pg, buf + m * plane, y + (n * M + m) * pooled + p0 * pool.out_w, nullptr, 1);
      });
}

}  // namespace cvcore::cpu
