// conv_transpose2d's driver: per image and group, a GEMM and a scatter (col2im). The GEMM
// columns[(o, a, b), pixel] = sum over the group's input channels c of w[c, o, a, b] * x[c, pixel] is
// a 1x1 convolution's, run by conv2d's GEMM engine (the image's planes read as B, the transposed
// weights as A); each column then adds its kernel-sized patch into the output at its pixel's
// position. Work is split into units of (image, group, block of output channels), each computing
// its channels over bands of input rows and writing only their planes: every output is the bias, then
// the band's contributions in band, tap, pixel order, the same whatever the thread count.
#include "cpu/conv_transpose.hpp"

#include <algorithm>
#include <vector>

#include "cpu/activation.hpp"
#include "cpu/gemm.hpp"
#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"

namespace cvcore::cpu {
namespace {

// Input pixels (whole input rows) per band: a band's GEMM output, block rows by these columns, stays
// in the cache until it is scattered. A function of the input width alone, so that the order of the
// sums does not depend on the threads.
constexpr int64_t kBandColumns = 512;
// GEMM rows (output channels x taps) per unit: enough to amortise packing the band's input panels.
constexpr int64_t kBlockRows = 128;

// The inputs i in [0, in) that a tap reaches inside the output along an axis:
// 0 <= i * stride + offset < out, with offset = tap * dilation - pad_begin. An empty range is {b, b}.
Range tap_inputs(int64_t in, int64_t out, int64_t stride, int64_t offset) {
  const int64_t begin = min64(in, offset >= 0 ? 0 : ceil_div(-offset, stride));
  const int64_t last = out - 1 - offset;  // no overflow: the frontend bounds out + pad_begin
  const int64_t end = last < 0 ? 0 : min64(in, last / stride + 1);
  return {begin, max64(begin, end)};
}

// A thread's buffers: its packed-B panel and its band's GEMM output.
struct Buffers {
  float* bpack;
  float* columns;
};

}  // namespace

void conv_transpose2d(const ConvTransposeGeometry& g, const float* x, const float* w, const float* bias,
                      Epilogue act, float* y, int threads) {
  const Kernels& k = active_kernels();
  const int64_t Cg = g.in_channels / g.groups, Og = g.out_channels / g.groups, taps = g.kernel_h * g.kernel_w;
  const int64_t M = Og * taps;  // GEMM rows of a group: (output channel, tap)
  const int64_t plane_in = g.in_h * g.in_w, plane_out = g.out_h * g.out_w;

  // A: the weights transposed per group, wt[grp][m][c] = w[grp * Cg + c][m], rows read in place.
  float* wt = scratch_array<float>(ScratchSlot::conv_transpose_weights, static_cast<size_t>(g.groups * M * Cg));
  for (int64_t grp = 0; grp < g.groups; ++grp)
    for (int64_t c = 0; c < Cg; ++c) {
      const float* src = w + (grp * Cg + c) * M;
      float* dst = wt + grp * M * Cg + c;
      for (int64_t m = 0; m < M; ++m) dst[m * Cg] = src[m];
    }

  // B's rows (input channels) and columns (pixels of a band) as the GEMM's packer reads them.
  const int64_t band_rows = max64(1, min64(g.in_h, kBandColumns / g.in_w)), band_cols = band_rows * g.in_w;
  int64_t* k_off = scratch_array<int64_t>(ScratchSlot::conv_transpose_offsets, static_cast<size_t>(Cg + band_cols));
  int64_t* n_off = k_off + Cg;
  for (int64_t c = 0; c < Cg; ++c) k_off[c] = c * plane_in;
  for (int64_t j = 0; j < band_cols; ++j) n_off[j] = j;

  // Each tap's input columns inside the output (the same for every row).
  std::vector<Range> tap_columns(static_cast<size_t>(g.kernel_w));
  for (int64_t b = 0; b < g.kernel_w; ++b)
    tap_columns[b] = tap_inputs(g.in_w, g.out_w, g.stride_w, b * g.dilation_w - g.pad_left);

  // Blocks of output channels: about kBlockRows GEMM rows each, and at least one unit per thread
  // when the channels allow.
  const int64_t images_groups = g.batch * g.groups;
  int64_t block = max64(1, min64(Og, kBlockRows / taps));
  const int64_t wanted = max64(ceil_div(Og, block), min64(Og, ceil_div(threads, images_groups)));
  block = ceil_div(Og, wanted);
  const int64_t blocks = ceil_div(Og, block);
  const UnitCost cost{multiply_adds(double(block * taps) * double(Cg) * double(plane_in)).ns +
                      elements(double(block) * double(taps * plane_in + plane_out)).ns};

  parallel_for(
      images_groups * blocks, threads, cost,
      [&] {
        return Buffers{gemm_pack_buffer(k), scratch_array<float>(ScratchSlot::conv_transpose_columns,
                                                                 static_cast<size_t>(block * taps * band_cols))};
      },
      [&](Buffers& buf, int64_t u) {
        const int64_t blk = u % blocks, grp = (u / blocks) % g.groups, n = u / (blocks * g.groups);
        const int64_t o0 = blk * block, oc = min64(block, Og - o0), rows = oc * taps;
        float* planes = y + (n * g.out_channels + grp * Og + o0) * plane_out;
        for (int64_t o = 0; o < oc; ++o)
          std::fill_n(planes + o * plane_out, plane_out, bias ? bias[grp * Og + o0 + o] : 0.f);
        const float* xg = x + (n * g.in_channels + grp * Cg) * plane_in;
        for (int64_t r0 = 0; r0 < g.in_h; r0 += band_rows) {
          const int64_t r1 = min64(g.in_h, r0 + band_rows), cols = (r1 - r0) * g.in_w;
          const ConvGemm gemm{rows,    cols,  Cg, wt + (grp * M + o0 * taps) * Cg, Cg, buf.columns, cols, nullptr,
                              {},      xg + r0 * g.in_w, xg + Cg * plane_in, k_off, n_off, cols, 1,
                              /*rows_contiguous=*/true};
          k.conv_gemm(gemm, 0, rows, 0, cols, buf.bpack);
          // Scatter: column (o, a, b) of input pixel (i, j) adds to output (i*sh + a*dh - pad_top,
          // j*sw + b*dw - pad_left) of channel o.
          for (int64_t o = 0; o < oc; ++o)
            for (int64_t a = 0; a < g.kernel_h; ++a) {
              const int64_t oy0 = a * g.dilation_h - g.pad_top;
              const Range is = tap_inputs(g.in_h, g.out_h, g.stride_h, oy0);
              for (int64_t b = 0; b < g.kernel_w; ++b) {
                const Range js = tap_columns[b];
                const int64_t ox0 = b * g.dilation_w - g.pad_left;
                const float* tap = buf.columns + ((o * g.kernel_h + a) * g.kernel_w + b) * cols;
                for (int64_t i = max64(is.begin, r0); i < min64(is.end, r1); ++i) {
                  const float* src = tap + (i - r0) * g.in_w;
                  float* row = planes + o * plane_out + (i * g.stride_h + oy0) * g.out_w;
                  if (g.stride_w == 1) {
                    float* dst = row + js.begin + ox0;
                    for (int64_t j = js.begin; j < js.end; ++j) dst[j - js.begin] += src[j];
                  } else {
                    for (int64_t j = js.begin; j < js.end; ++j) row[j * g.stride_w + ox0] += src[j];
                  }
                }
              }
            }
        }
        if (act != Epilogue::none)  // on this unit's planes, on its thread
          activation(oc * plane_out, planes, planes, act == Epilogue::relu ? Activation::relu : Activation::relu6,
                     ActivationParams{}, 1);
      });
}

}  // namespace cvcore::cpu
