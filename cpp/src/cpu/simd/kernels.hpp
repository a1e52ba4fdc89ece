// The table of SIMD kernels: the same sources (gemm.inl, conv.inl) are compiled once per ISA in
// kernels_<isa>.cpp under that ISA's flags, and runtime.cpp picks one table for the CPU at hand.
// Kernels take raw pointers and validated sizes; every check lives in the op frontends (src/*.cpp).
#pragma once

#include <cstdint>

#include "cvcore/activation.hpp"
#include "cvcore/epilogue.hpp"
#include "cvcore/runtime.hpp"
#include "cpu/pool.hpp"

namespace cvcore::cpu {

// Geometry of a validated 2-D convolution (NCHW input, OIHW weights).
struct ConvGeometry {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int64_t groups;
  bool winograd = false;  // 3x3, stride 1, dilation 1, one group: Winograd F(2x2, 3x3) (conv.inl)
};

// The float32 constants of the transcendental activations, prepared once per call by
// cpu/activation.cpp from ActivationParams.
struct ActivationConsts {
  float alpha;             // elu
  float beta_hi, beta_lo;  // softplus: beta = beta_hi + beta_lo to about 2^-48 relative
  // softplus is linear (y = x) exactly where beta_sign * x > linear_from, i.e. where
  // double(x) * beta > threshold.
  float beta_sign, linear_from;
};

// Slices per softmax_lanes call at most (softmax work items; a multiple of every packet width).
constexpr int64_t kSoftmaxLanes = 64;

// The epilogue of conv2d / linear: its kind and, for prelu, one slope per output channel (conv2d)
// or output feature (linear).
struct OutputAct {
  Epilogue kind = Epilogue::none;
  const float* slope = nullptr;
};

// The widest packet of any ISA, in floats (AVX-512).
constexpr int64_t kMaxVectorWidth = 16;

// Widest rows and windows (in input columns) Kernels::max_pool_separable takes.
constexpr int64_t kSeparableMaxWidth = 256;

// One tap of crop_resize along an axis: a pixel and the summed bilinear weight of the bin's samples
// on it.
struct CropTap {
  int64_t index;
  float weight;
};

// The taps of one RoI of crop_resize (cpu/roi.cpp prepares them; the same for every channel). Output
// row p is the sum, over j < row_count[p] in order, of rows[p * row_stride + j].weight times that input
// row, over the columns first .. first + span - 1; output (p, q) is then the sum, over j < column_taps
// in order, of column_weight[j * out_w + q] times that row's value at column[j * out_w + q] (relative
// to first), divided by count.
struct CropTaps {
  int64_t out_h, out_w;
  const CropTap* rows;
  int64_t row_stride;
  const int64_t* row_count;
  const int32_t* column;
  const float* column_weight;
  int64_t column_taps;
  int64_t first, span;  // span >= 1
  float count;
};

// Floats of Kernels::crop_channel's workspace for RoIs of at most `span` columns.
constexpr int64_t crop_workspace_floats(int64_t span) { return (span + 2 * kMaxVectorWidth) * kMaxVectorWidth; }

struct Kernels {
  Isa isa;
  // y = act(conv(x, w) + bias); bias may be null.
  void (*conv2d)(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                 OutputAct act, int threads);
  // y = max_pool(act(conv(x, w) + bias)) with pool's windows over one output plane (pool.planes
  // unused), fused when the convolution has a small reduction (see conv.inl); returns false, with
  // nothing done, otherwise.
  bool (*conv2d_max_pool)(const ConvGeometry& g, const PoolGeometry& pool, const float* x, const float* w,
                          const float* bias, float* y, OutputAct act, int threads);
  // y = conv1x1(act(conv(x, w) + bias), pw (P, out_channels)) + pb (pb may be null), fused for one
  // group without padding; returns false, with nothing done, otherwise.
  bool (*conv2d_pointwise)(const ConvGeometry& g, const float* x, const float* w, const float* bias, OutputAct act,
                           const float* pw, const float* pb, int64_t P, float* y, int threads);
  // y[rows, out] = act(x[rows, in] @ w[out, in]^T + bias); bias may be null.
  void (*linear)(int64_t rows, int64_t in, int64_t out, const float* x, const float* w, const float* bias,
                 float* y, OutputAct act, int threads);
  // y[i] = kind(x[i]) for i in [0, n), one thread, for kind in elu, selu, sigmoid, tanh, gelu,
  // gelu_tanh, silu, mish, softplus (others: no-op); y may equal x. Each element's result depends
  // on its input alone (not on n or its position).
  void (*activation)(Activation kind, const ActivationConsts& c, const float* x, float* y, int64_t n);
  // (Log-)softmax of `lanes` adjacent slices of length `axis` and stride `inner` (x[k * inner + l],
  // l < lanes), and of one contiguous row (inner == 1). Each slice is reduced in a fixed order that
  // depends on its length alone.
  void (*softmax_lanes)(int64_t axis, int64_t inner, int64_t lanes, const float* x, float* y, bool log);
  void (*softmax_row)(int64_t axis, const float* x, float* y, bool log);
  // k-means, d <= 4: labels[i] = the nearest of the k centres c[k, d] to x[i] (squared Euclidean,
  // ties to the lower index), mind[i] = that distance (mind may be null); single-threaded.
  void (*nearest_lowd_f32)(const float* x, int64_t rows, int64_t d, const float* c, int64_t k, int32_t* labels,
                           float* mind);
  void (*nearest_lowd_f64)(const double* x, int64_t rows, int64_t d, const double* c, int64_t k, int32_t* labels,
                           double* mind);
  // k-means, d > 4: from dots[j * rows + i] = x_i . c_j, labels[i] = argmin_j cn[j] - 2 dots[j, i] (ties to
  // the lower index) and best[i] = that minimum; single-threaded.
  void (*argmin_dots)(const float* dots, int64_t rows, int64_t k, const float* cn, int32_t* labels, float* best);
  // Max pooling without indices, dilation 1, stride 1 or 2: y[ow] for ow in [begin, e), e returned,
  // = the maximum of rows[i][ow * stride + k + offset] over i < kh, k < kw, taken in that
  // (row-major) order with PyTorch's rule (greater or NaN replaces); every window lies in [0, width).
  // Whole vectors only: the caller computes outputs [e, end).
  int64_t (*max_pool_interior)(const float* const* rows, int64_t kh, int64_t kw, int64_t stride, int64_t offset,
                               int64_t width, int64_t begin, int64_t end, float* y);
  // Max pooling of whole small planes p in [p0, p1) of x (no padding, dilation 1, no indices):
  // y[p * out + j] = the maximum over t < taps, in order and by the same rule, of
  // x[p * in_plane + idx[t * stride + j]]; idx is read up to stride = out rounded up to whole vectors
  // (kMaxVectorWidth divides it).
  void (*max_pool_planes)(const float* x, int64_t in_plane, int64_t p0, int64_t p1, const int32_t* idx,
                          int64_t taps, int64_t stride, int64_t out, float* y);
  // Max pooling of whole planes p in [p0, p1) of h x w (no padding, dilation 1, no indices, stride_w
  // 1 or 2, w and kw <= kSeparableMaxWidth) into out_h x out_w planes of y: column maxima of each
  // window's rows, then across the columns, with outputs that come out zero or NaN redone in
  // row-major order, so that every output is exactly the scalar rule's.
  void (*max_pool_separable)(const float* x, int64_t h, int64_t w, int64_t p0, int64_t p1, int64_t kh, int64_t kw,
                             int64_t sh, int64_t sw, int64_t out_h, int64_t out_w, float* y);
  // Image pyramids from a summed-area table of uint8 planes (cpu/pool.cpp): row[c + 1] = above[c + 1] +
  // in[0] + ... + in[c] for c < w (exact int32 sums: the caller bounds them).
  void (*summed_area_row)(const uint8_t* in, const int32_t* above, int32_t* row, int64_t w);
  // y[o] = ((cur[e[o]] - cur[b[o]]) - (top[e[o]] - top[b[o]])) / rows / width[o] for o < n: each
  // window's sum from the table rows at its bottom and top, divided by its height then its width.
  void (*window_means)(const int32_t* cur, const int32_t* top, const int32_t* b, const int32_t* e,
                       const float* width, float rows, int64_t n, float* y);
  // One channel of a crop_resize RoI: out (out_h x out_w) from the plane (rows of `width` values,
  // read as floats) by the taps t. ws: crop_workspace_floats(t.span) floats.
  void (*crop_channel_u8)(const CropTaps& t, const uint8_t* plane, int64_t width, float* out, float* ws);
  void (*crop_channel_f32)(const CropTaps& t, const float* plane, int64_t width, float* out, float* ws);
  // One row of `width` HWC pixels of `channels` channels into the planes of to_blob, `plane` apart:
  // out[c * plane + x] = (in[x * channels + s] - mean[c]) * scale with s = channels - 1 - c when
  // swap, else c (float32 arithmetic); planes_row_u8 copies the pixel itself.
  void (*blob_row_u8)(const uint8_t* in, int64_t width, int64_t channels, bool swap, const float* mean, float scale,
                      float* out, int64_t plane);
  void (*blob_row_f32)(const float* in, int64_t width, int64_t channels, bool swap, const float* mean, float scale,
                       float* out, int64_t plane);
  void (*planes_row_u8)(const uint8_t* in, int64_t width, int64_t channels, bool swap, uint8_t* out, int64_t plane);
};

extern const Kernels kernels_generic;
#if defined(CVCORE_HAVE_AVX2)
extern const Kernels kernels_avx2;
#endif
#if defined(CVCORE_HAVE_AVX512)
extern const Kernels kernels_avx512;
#endif

// The table of the active ISA (runtime.cpp).
const Kernels& active_kernels();

}  // namespace cvcore::cpu
