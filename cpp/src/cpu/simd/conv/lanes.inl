// Lane-batched convolution of small images (a detector's crops) at stride 1 without padding: kWidth
// images side by side in the lanes of every vector (x_l[c][y][x][lane]), so that a direct
// convolution reads whole vectors in place, with no packing and no partial tiles, on the register
// tile (MR channels by NV pixels, each pixel a vector of kWidth images). Each output is reduced as
// the GEMM paths reduce it (k in order from zero, then the bias), so every image gets its own bits.

template <int MR, int NV>
struct LaneRows {
  static void run(const LanePlan& c, const ConvGeometry& g, const float* in, int64_t blk, int64_t oy0, int64_t oy1,
                  float* out) {
    const int64_t plane = g.out_h * g.out_w * kWidth;
    for (int64_t oy = oy0; oy < oy1; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ox += NV) {
        const int64_t at = min64(ox, g.out_w - NV);  // the last tile overlaps the previous one
        small_k_tile<MR, NV>(c.K, c.wp + blk * c.K * MR, in + (oy * g.in_w + at) * kWidth, c.off,
                             c.bias ? c.bias + blk * MR : nullptr, c.sp + blk * MR, c.act,
                             out + (oy * g.out_w + at) * kWidth, plane, static_cast<int>(min64(MR, c.M - blk * MR)));
      }
  }
};

static void lane_rows(const LanePlan& c, const ConvGeometry& g, const float* x_l, int64_t blk, int64_t oy0,
                      int64_t oy1, float* c_l) {
  const auto run = c.nv == 3   ? tile_kernel_for<LaneRows, 3>(c.mr)
                   : c.nv == 2 ? tile_kernel_for<LaneRows, 2>(c.mr)
                               : tile_kernel_for<LaneRows, 1>(c.mr);
  run(c, g, x_l, blk, oy0, oy1, c_l + blk * c.mr * g.out_h * g.out_w * kWidth);
}

// x_l[i][lane] = x[lane][i] for i < count, lanes past `images` zero: kWidth x kWidth blocks
// transposed in registers (the rest element by element).
static void to_lanes(const float* x, int64_t images, int64_t count, float* x_l) {
  int64_t i = 0;
  if (images == kWidth) {
    for (; i + kWidth <= count; i += kWidth) {
      Vec block[kWidth];
      for (int lane = 0; lane < kWidth; ++lane) block[lane] = vloadu(x + lane * count + i);
      vtranspose(block);
      for (int j = 0; j < kWidth; ++j) vstoreu(x_l + (i + j) * kWidth, block[j]);
    }
  }
  for (; i < count; ++i)
    for (int64_t lane = 0; lane < kWidth; ++lane) x_l[i * kWidth + lane] = lane < images ? x[lane * count + i] : 0.f;
}

// y[lane][i] = y_l[i][lane] for lanes < images.
static void from_lanes(const float* y_l, int64_t images, int64_t count, float* y) {
  int64_t i = 0;
  if (images == kWidth) {
    for (; i + kWidth <= count; i += kWidth) {
      Vec block[kWidth];
      for (int j = 0; j < kWidth; ++j) block[j] = vloadu(y_l + (i + j) * kWidth);
      vtranspose(block);
      for (int lane = 0; lane < kWidth; ++lane) vstoreu(y + lane * count + i, block[lane]);
    }
  }
  for (; i < count; ++i)
    for (int64_t lane = 0; lane < images; ++lane) y[lane * count + i] = y_l[i * kWidth + lane];
}

// Rows [py0, py1) of the max pooling of lane-batched planes (no padding, dilation 1): each output is
// its window's maximum in row-major order by max_tap, lane by lane as max_pool2d computes each image.
static void max_pool_lanes(const PoolGeometry& pool, int64_t planes, const float* x_l, float* y_l, int64_t py0,
                           int64_t py1) {
  for (int64_t p = 0; p < planes; ++p) {
    const float* in = x_l + p * pool.in_h * pool.in_w * kWidth;
    float* out = y_l + p * pool.out_h * pool.out_w * kWidth;
    for (int64_t py = py0; py < py1; ++py) {
      const int64_t y0 = py * pool.stride_h, y1 = min64(y0 + pool.kernel_h, pool.in_h);
      for (int64_t px = 0; px < pool.out_w; ++px) {
        const int64_t x0 = px * pool.stride_w, x1 = min64(x0 + pool.kernel_w, pool.in_w);
        Vec m = vloadu(in + (y0 * pool.in_w + x0) * kWidth);
        for (int64_t yy = y0; yy < y1; ++yy)
          for (int64_t xx = yy == y0 ? x0 + 1 : x0; xx < x1; ++xx)
            m = max_tap(m, vloadu(in + (yy * pool.in_w + xx) * kWidth));
        vstoreu(out + (py * pool.out_w + px) * kWidth, m);
      }
    }
  }
}
