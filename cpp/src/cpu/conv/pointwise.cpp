// A convolution followed by a 1x1 convolution of its activated output (a detector head), fused: each
// unit is a band of output rows of one image, convolved (by the GEMM or F(2x2, 3x3)) into a buffer
// that stays in L2 and multiplied by the head's weights from there, so the convolution's output never
// reaches memory. Both steps reduce each element as the two convolutions apart do: the same bits.
#include <optional>

#include "cpu/conv/drivers.hpp"
#include "cpu/conv/layout.hpp"
#include "cpu/gemm.hpp"
#include "cpu/parallel.hpp"

namespace cvcore::cpu {
namespace {

constexpr int64_t kPointwiseBandFloats = 32 << 10;  // the convolution's output of one band at most

// A thread's buffers: the packed-B panel, the band of the convolution's output with its row offsets
// (M, then 0, 1, ...: its columns) for the head's GEMM, and Winograd's workspace.
struct BandBuffers {
  float* bpack;
  float* band;
  int64_t* band_off;
  float* ws;
};

}  // namespace

void conv2d_pointwise(const ConvProblem& p, bool winograd, const PointwiseHead& head, float* y) {
  const ConvGeometry& g = p.g;
  const Kernels& k = *p.k;
  const int64_t M = g.out_channels, K = g.in_channels * g.kernel_h * g.kernel_w, N = g.out_h * g.out_w;
  const int64_t P = head.channels, image = g.in_channels * g.in_h * g.in_w;
  // Bands of rows within the buffer, as many on each image as a multiple of the threads (so that with
  // few bands no thread waits long for another's last one); whole Winograd tiles.
  const int64_t fitting = ceil_div(g.out_h, max64(1, kPointwiseBandFloats / (M * g.out_w)));
  int64_t band = ceil_div(g.out_h, ceil_div(fitting, p.threads) * p.threads);
  if (winograd) band += band & 1;
  const int64_t bands = ceil_div(g.out_h, band), units = g.batch * bands, max_cols = band * g.out_w;
  int64_t* k_off = scratch_array<int64_t>(ScratchSlot::conv_offsets, static_cast<size_t>(K + N));
  int64_t* n_off = k_off + K;
  conv_offsets(g, g.in_channels, g.in_h * g.in_w, g.in_w, 1, 0, k_off, n_off);
  // stride_h * in_w == out_w, without forming the product (out_w <= in_w at stride_w 1 unpadded).
  const bool rows_contiguous = g.stride_w == 1 && g.stride_h == 1 && g.in_w == g.out_w;
  std::optional<WinogradPlan> wino;
  if (winograd) wino.emplace(prepare_winograd(p, g, false, 2));
  parallel_for(
      units, p.threads, conv_share(g, units),
      [&] {
        BandBuffers b{gemm_pack_buffer(k), scratch_array<float>(ScratchSlot::conv_band, static_cast<size_t>(M * max_cols)),
                      scratch_array<int64_t>(ScratchSlot::conv_band_offsets, static_cast<size_t>(M + max_cols)),
                      wino ? scratch_array<float>(ScratchSlot::winograd_work, static_cast<size_t>(wino->workspace_floats()))
                           : nullptr};
        for (int64_t j = 0; j < max_cols; ++j) b.band_off[M + j] = j;
        return b;
      },
      [&](BandBuffers& b, int64_t u) {
        const int64_t n = u / bands, r0 = u % bands * band, r1 = min64(g.out_h, r0 + band);
        const int64_t n0 = r0 * g.out_w, cols = (r1 - r0) * g.out_w;
        const float* img = p.x + n * image;
        if (wino) {
          k.winograd2_rows(*wino, g, p.x, n, r0, r1, b.band, cols, b.ws);
        } else {
          const ConvGemm conv{M,      cols,  K,   p.w,         K,           b.band,   cols,    p.bias,
                              p.act,  img,   img + image,      k_off,       n_off + n0, g.out_w, g.stride_w,
                              rows_contiguous};
          k.conv_gemm(conv, 0, M, 0, cols, b.bpack);
        }
        float* out = y + n * P * N + n0;
        if (M <= k.gemm_kc) {
          k.pointwise_head(b.band, M, cols, head.weight, head.bias, P, out, N);
          return;
        }
        for (int64_t m = 0; m < M; ++m) b.band_off[m] = m * cols;
        const ConvGemm gemm{P,         cols,     M, head.weight, M,    out, N, head.bias, {}, b.band, b.band + M * cols,
                            b.band_off, b.band_off + M, cols, 1, true};
        k.conv_gemm(gemm, 0, P, 0, cols, b.bpack);
      });
}

}  // namespace cvcore::cpu
