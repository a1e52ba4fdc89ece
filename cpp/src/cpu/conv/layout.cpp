#include "cpu/conv/layout.hpp"

#include <cstring>

namespace cvcore::cpu {

void pad_channels(const ConvGeometry& g, const float* x, float* xp, int64_t Hp, int64_t Wp, int64_t c0, int64_t c1) {
  for (int64_t c = c0; c < c1; ++c) {
    const float* src = x + c * g.in_h * g.in_w;
    float* dst = xp + c * Hp * Wp;
    std::memset(dst, 0, sizeof(float) * g.pad_top * Wp);
    for (int64_t h = 0; h < g.in_h; ++h) {
      float* row = dst + (g.pad_top + h) * Wp;
      std::memset(row, 0, sizeof(float) * g.pad_left);
      std::memcpy(row + g.pad_left, src + h * g.in_w, sizeof(float) * g.in_w);
      std::memset(row + g.pad_left + g.in_w, 0, sizeof(float) * (Wp - g.pad_left - g.in_w));
    }
    const int64_t rows_below = Hp - g.pad_top - g.in_h;
    std::memset(dst + (g.pad_top + g.in_h) * Wp, 0, sizeof(float) * rows_below * Wp);
  }
}

void conv_offsets(const ConvGeometry& g, int64_t channels, int64_t plane, int64_t row, int64_t images, int64_t image,
                  int64_t* k_off, int64_t* n_off) {
  // (The geometry is copied to locals: stores through int64_t pointers could alias its fields.) A row
  // step is formed only when there is a second row, within the padded image (a lone kernel row or
  // output row may come with any dilation or stride).
  const int64_t kh = g.kernel_h, kw = g.kernel_w, dy = kh > 1 ? g.dilation_h * row : 0, dx = g.dilation_w;
  const int64_t oh = g.out_h, ow = g.out_w, sy = oh > 1 ? g.stride_h * row : 0, sx = g.stride_w;
  for (int64_t c = 0, k = 0; c < channels; ++c)
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx) k_off[k++] = c * plane + ky * dy + kx * dx;
  if (!n_off) return;
  for (int64_t i = 0, n = 0; i < images; ++i)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) n_off[n++] = i * image + oy * sy + ox * sx;
}

void pack_channel_blocks(const float* w, int64_t M, int64_t K, TileRows t, float* dst) {
  for (int64_t blk = 0; blk < t.blocks; ++blk)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t r = 0; r < t.mr; ++r) {
        const int64_t m = blk * t.mr + r;
        dst[(blk * K + k) * t.mr + r] = m < M ? w[m * K + k] : 0.f;
      }
}

void pad_per_channel(const float* v, int64_t M, TileRows t, float* dst) {
  for (int64_t m = 0; m < t.blocks * t.mr; ++m) dst[m] = v && m < M ? v[m] : 0.f;
}

}  // namespace cvcore::cpu
