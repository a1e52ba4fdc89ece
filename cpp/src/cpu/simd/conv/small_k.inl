// Small reductions (a first layer on RGB: K = 27) at stride 1 along the width, without padding: the
// GEMM's per-tile bookkeeping and K chunking would cost as much as the multiply-adds, so the register
// tile (tile.inl) runs directly over each output row, the input rows read in place (the last tile of
// a row overlapping the previous one). Each output is reduced as in the GEMM: the same bits.

// SmallKRowsKernel with the tile shape fixed at compile time (the tile inlined in its loops).
template <int MR, int NV>
struct SmallKRows {
  static void run(const SmallKPlan& c, const ConvGeometry& g, const float* x, int64_t n, int64_t r0, int64_t r1,
                  float* out, int64_t plane) {
    constexpr int64_t nr = NV * kWidth;
    for (int64_t oy = r0; oy < r1; ++oy) {
      const float* in = x + (n * g.in_channels * g.in_h + oy * g.stride_h) * g.in_w;
      float* o = out + (oy - r0) * g.out_w;
      for (int64_t ox = 0; ox < g.out_w; ox += nr) {
        const int64_t at = min64(ox, g.out_w - nr);  // the last tile overlaps the previous one
        for (int64_t blk = 0; blk < c.blocks; ++blk)
          small_k_tile<MR, NV>(c.K, c.wp + blk * c.K * MR, in + at, c.off, c.has_bias ? c.bp + blk * MR : nullptr,
                               c.sp + blk * MR, c.act, o + blk * MR * plane + at, plane,
                               static_cast<int>(min64(MR, c.M - blk * MR)));
      }
    }
  }
};

static void small_k_rows(const SmallKPlan& c, const ConvGeometry& g, const float* x, int64_t n, int64_t r0,
                         int64_t r1, float* out, int64_t plane) {
  const auto run = c.nv == 2 ? tile_kernel_for<SmallKRows, 2>(c.mr) : tile_kernel_for<SmallKRows, 1>(c.mr);
  run(c, g, x, n, r0, r1, out, plane);
}

// Followed by 2x2 max pooling at stride 2, pooled in registers: a register tile of 2 * kWidth outputs
// on each of two rows (every value that of small_k_rows), then its kWidth windows by max_tap in
// max_pool2d's order (row-major), while the tile is in L1. A last partial window (ceil mode, odd
// sizes) takes its one row or column.
template <int MR, int NV>
struct SmallKPool2 {
  static void run(const SmallKPlan& c, const ConvGeometry& g, const PoolGeometry& pool, const float* x, int64_t n,
                  int64_t py0, int64_t py1, float* y) {
    static_assert(NV == 2, "a tile's two vectors hold kWidth windows");
    constexpr int64_t nr = 2 * kWidth;
    alignas(64) float tile[2][MR][nr];
    const int64_t full = g.out_w / 2, PH = pool.out_h, PW = pool.out_w;
    const auto conv_tiles = [&](int64_t blk, const float* const* in, bool two, int64_t at, int rows) {
      for (int i = 0; i < (two ? 2 : 1); ++i)
        small_k_tile<MR, NV>(c.K, c.wp + blk * c.K * MR, in[i] + at, c.off, c.has_bias ? c.bp + blk * MR : nullptr,
                             c.sp + blk * MR, c.act, &tile[i][0][0], nr, rows);
    };
    for (int64_t py = py0; py < py1; ++py) {
      const int64_t oy = 2 * py;
      const bool two = oy + 1 < g.out_h;  // (ceil mode, odd height: the last window has one row)
      const float* in[2];
      for (int i = 0; i < 2; ++i)
        in[i] = x + (n * g.in_channels * g.in_h + (two ? oy + i : oy) * g.stride_h) * g.in_w;
      for (int64_t blk = 0; blk < c.blocks; ++blk) {
        const int rows = static_cast<int>(min64(MR, c.M - blk * MR));
        float* out = y + ((n * c.M + blk * MR) * PH + py) * PW;
        for (int64_t p = 0; p < full; p += kWidth) {
          const int64_t at = min64(p, full - kWidth);  // the last tile overlaps the previous one
          conv_tiles(blk, in, two, 2 * at, rows);
          for (int r = 0; r < rows; ++r) {
            Vec even, odd;
            vdeinterleave(vloadu(tile[0][r]), vloadu(tile[0][r] + kWidth), &even, &odd);
            Vec m = max_tap(even, odd);
            if (two) {
              vdeinterleave(vloadu(tile[1][r]), vloadu(tile[1][r] + kWidth), &even, &odd);
              m = max_tap(max_tap(m, even), odd);
            }
            vstoreu(out + r * PH * PW + at, m);
          }
        }
        if (PW > full) {  // ceil mode, odd width: the last window has one column
          conv_tiles(blk, in, two, g.out_w - nr, rows);
          for (int r = 0; r < rows; ++r)
            out[r * PH * PW + full] = two ? max_tap(tile[0][r][nr - 1], tile[1][r][nr - 1]) : tile[0][r][nr - 1];
        }
      }
    }
  }
};

static void small_k_pool2_rows(const SmallKPlan& c, const ConvGeometry& g, const PoolGeometry& pool, const float* x,
                               int64_t n, int64_t py0, int64_t py1, float* y) {
  tile_kernel_for<SmallKPool2, 2>(c.mr)(c, g, pool, x, n, py0, py1, y);
}
