// A 1x1 convolution (a detector head) on a band of a convolution's output, fused by the drivers so
// that the band is multiplied while it is in the cache: y[p * ldy + j] = sum over k < K, in order
// from zero, of pw[p * K + k] * x[k * cols + j], then + pb[p] (pb may be null): each output as the
// GEMM reduces it when K <= kKC (one chunk), so the fused head gives the 1x1 convolution's bits.
// kHeadRows output channels by two vectors of pixels per register tile, the pixels read in place;
// the last tile overlaps the previous one (bands narrower than a tile go through a copy).
constexpr int kHeadRows = 6;

static void pointwise_head(const float* x, int64_t K, int64_t cols, const float* pw, const float* pb, int64_t P,
                           float* y, int64_t ldy) {
  constexpr int64_t nr = 2 * kWidth;
  alignas(64) float narrow[kHeadRows][nr];
  for (int64_t p0 = 0; p0 < P; p0 += kHeadRows) {
    const int rows = static_cast<int>(min64(kHeadRows, P - p0));
    for (int64_t j0 = 0; j0 < cols; j0 += nr) {
      const int64_t j = cols >= nr ? min64(j0, cols - nr) : 0;
      Vec acc[kHeadRows][2];
      for (int r = 0; r < kHeadRows; ++r) acc[r][0] = acc[r][1] = vzero();
      for (int64_t k = 0; k < K; ++k) {
        const float* row = x + k * cols + j;
        Vec b0, b1;
        if (cols >= nr) {
          b0 = vloadu(row), b1 = vloadu(row + kWidth);
        } else {  // (the band's row is shorter than the tile: its columns, then zeros)
          alignas(64) float tmp[nr] = {};
          std::memcpy(tmp, row, sizeof(float) * cols);
          b0 = vloadu(tmp), b1 = vloadu(tmp + kWidth);
        }
        for (int r = 0; r < kHeadRows; ++r) {
          if (r >= rows) break;
          const Vec a = vset1(pw[(p0 + r) * K + k]);
          acc[r][0] = vfma(a, b0, acc[r][0]);
          acc[r][1] = vfma(a, b1, acc[r][1]);
        }
      }
      for (int r = 0; r < rows; ++r) {
        const Vec bias = vset1(pb ? pb[p0 + r] : 0.0f);
        const Vec v0 = pb ? vadd(bias, acc[r][0]) : acc[r][0], v1 = pb ? vadd(bias, acc[r][1]) : acc[r][1];
        float* out = cols >= nr ? y + (p0 + r) * ldy + j : narrow[r];
        vstoreu(out, v0);
        vstoreu(out + kWidth, v1);
        if (cols < nr) std::memcpy(y + (p0 + r) * ldy, narrow[r], sizeof(float) * cols);
      }
    }
  }
}
