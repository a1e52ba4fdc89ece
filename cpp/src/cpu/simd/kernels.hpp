// The table of SIMD kernels. The same sources (cpu/simd/*.inl, cpu/simd/conv/*.inl) are compiled
// once per ISA by kernels_<isa>.cpp under that ISA's flags, each filling its own table from the one
// list below (CVCORE_KERNELS), and runtime.cpp picks the table for the CPU at hand. Kernels do the
// arithmetic on raw pointers and validated sizes, on the calling thread; the drivers in cpu/ (one
// per domain, ISA-independent) split the work over the threads, hold the scratch buffers and pick
// which kernel runs; every argument check lives in the op frontends (src/*.cpp).
#pragma once

#include <cstdint>

#include "cpu/conv/plans.hpp"
#include "cpu/epilogue.hpp"
#include "cpu/pool.hpp"
#include "cvcore/activation.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore::cpu {

// The widest packet of any ISA, in floats (AVX-512).
constexpr int64_t kMaxVectorWidth = 16;

// --- conv2d (cpu/simd/conv/) -----------------------------------------------------------------------
// C[m0:m1, n0:n1] of the implicit-im2col GEMM p. bpack: Kernels::gemm_pack_floats floats.
using ConvGemmKernel = void(const ConvGemm& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float* bpack);
// y[i] = act(y[i] + residual[i]) for i in [0, n), slope prelu's (conv2d's residual after the paths
// whose stores do not add it; the same arithmetic as the GEMM's store).
using ResidualActKernel = void(float* y, const float* residual, int64_t n, Epilogue act, float slope);
// One depthwise output plane y (g.out_h x g.out_w): xp is its input plane zero-padded to rows of Wp
// floats (with 2 * width floats of slack after it), w its kh x kw kernel; y = act(conv + bias). ws:
// depthwise_workspace_floats(g, Wp) floats.
using DepthwisePlaneKernel = void(const ConvGeometry& g, const float* xp, int64_t Wp, const float* w, float bias,
                                  Epilogue act, float slope, float* y, float* ws);
constexpr int64_t depthwise_workspace_floats(const ConvGeometry& g, int64_t Wp) {
  return g.out_h * Wp + kMaxVectorWidth;
}
// Output rows [r0, r1) of image n of a small-K convolution: channel m's row oy at
// out + m * plane + (oy - r0) * g.out_w.
using SmallKRowsKernel = void(const SmallKPlan& c, const ConvGeometry& g, const float* x, int64_t n, int64_t r0,
                              int64_t r1, float* out, int64_t plane);
// Pooled rows [py0, py1) of image n of a small-K convolution (c.nv == 2, g.out_w >= 2 * width) followed
// by 2x2 max pooling at stride 2, pooled in registers: y is (N, M, pool.out_h, pool.out_w).
using SmallKPool2Kernel = void(const SmallKPlan& c, const ConvGeometry& g, const PoolGeometry& pool, const float* x,
                               int64_t n, int64_t py0, int64_t py1, float* y);
// Winograd's transformed kernels of input channel c for the output channels of block blk, into u
// (laid out as WinogradPlan::u); the plan's u is not read.
using WinogradKernelsKernel = void(const WinogradPlan& p, const float* w, int64_t blk, int64_t c, float* u);
// F(2x2, 3x3) on one image (p.m == 2): output rows [r0, r1) of image n (r0 even) as SmallKRowsKernel
// stores them. ws: p.workspace_floats() floats.
using WinogradRowsKernel = void(const WinogradPlan& p, const ConvGeometry& g, const float* x, int64_t n, int64_t r0,
                                int64_t r1, float* out, int64_t plane, float* ws);
// Lanes, F(2x2, 3x3) or F(3x3, 3x3) (p.m == 2 or 3): output rows p.m * ty .. (those inside the map) of
// every channel of one group of lane-batched images x_l (with width floats of slack after it) into c_l
// (out_h x out_w planes of lane vectors). ws: p.workspace_floats() floats.
using WinogradLaneRowKernel = void(const WinogradPlan& p, const ConvGeometry& g, const float* x_l, int64_t ty,
                                   float* c_l, float* ws);
// Lanes, direct: output rows [oy0, oy1) of channel block blk of one group of lane-batched images.
using LaneRowsKernel = void(const LanePlan& p, const ConvGeometry& g, const float* x_l, int64_t blk, int64_t oy0,
                            int64_t oy1, float* c_l);
// x_l[i][lane] = x[lane][i] for i < count, lanes past `images` zero.
using ToLanesKernel = void(const float* x, int64_t images, int64_t count, float* x_l);
// y[lane][i] = y_l[i][lane] for lanes < images.
using FromLanesKernel = void(const float* y_l, int64_t images, int64_t count, float* y);
// Rows [py0, py1) of the max pooling (no padding, dilation 1) of `planes` lane-batched planes, each
// output its window's maximum in row-major order by PyTorch's rule, lane by lane.
using MaxPoolLanesKernel = void(const PoolGeometry& pool, int64_t planes, const float* x_l, float* y_l, int64_t py0,
                                int64_t py1);
// A detector head on a band of a convolution's output: y[p * ldy + j] = sum over k < K, in order
// from zero, of pw[p * K + k] * x[k * cols + j], then + pb[p] (pb may be null). K <= gemm_kc: each
// output reduced as the GEMM reduces a 1x1 convolution's.
using PointwiseHeadKernel = void(const float* x, int64_t K, int64_t cols, const float* pw, const float* pb, int64_t P,
                                 float* y, int64_t ldy);

// --- linear (cpu/simd/linear.inl) ------------------------------------------------------------------
// y[rows, out] = act(x[rows, in] @ w[out, in]^T + bias), bias (out,) or null.
struct LinearGemm {
  int64_t rows, in, out;
  const float* x;
  const float* w;
  const float* bias;
  float* y;
  OutputAct act;  // slopes per output feature
};
// y[m0:m1, n0:n1] of the GEMM (x read in place, w^T packed). bpack: gemm_pack_floats floats.
using LinearGemmKernel = void(const LinearGemm& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float* bpack);
// Output features [j0, j1) of every row by dot products (few rows: bound by reading w once).
using LinearDotsKernel = void(const LinearGemm& p, int64_t j0, int64_t j1);

// --- activations (cpu/simd/activation.inl) --------------------------------------------------------
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

// y[i] = kind(x[i]) for i in [0, n), for kind in elu, selu, sigmoid, tanh, gelu, gelu_tanh, silu, mish,
// softplus (others: no-op); y may equal x. Each element's result depends on its input alone (not on
// n or its position).
using ActivationKernel = void(Activation kind, const ActivationConsts& c, const float* x, float* y, int64_t n);
// (Log-)softmax of `lanes` adjacent slices of length `axis` and stride `inner` (x[k * inner + l],
// l < lanes), and of one contiguous row (inner == 1). Each slice is reduced in a fixed order that
// depends on its length alone.
using SoftmaxLanesKernel = void(int64_t axis, int64_t inner, int64_t lanes, const float* x, float* y, bool log);
using SoftmaxRowKernel = void(int64_t axis, const float* x, float* y, bool log);

// --- k-means (cpu/simd/kmeans.inl) ----------------------------------------------------------------
// d <= 4: labels[i] = the nearest of the k centres c[k, d] to x[i] (squared Euclidean, ties to the
// lower index), mind[i] = that distance (mind may be null).
using NearestLowdF32Kernel = void(const float* x, int64_t rows, int64_t d, const float* c, int64_t k, int32_t* labels,
                                  float* mind);
using NearestLowdF64Kernel = void(const double* x, int64_t rows, int64_t d, const double* c, int64_t k,
                                  int32_t* labels, double* mind);
// d > 4: from dots[j * rows + i] = x_i . c_j, labels[i] = argmin_j cn[j] - 2 dots[j, i] (ties to the
// lower index) and best[i] = that minimum.
using ArgminDotsKernel = void(const float* dots, int64_t rows, int64_t k, const float* cn, int32_t* labels,
                              float* best);

// --- pooling (cpu/simd/pool.inl) ------------------------------------------------------------------
// Widest rows and windows (in input columns) max_pool_separable takes.
constexpr int64_t kSeparableMaxWidth = 256;

// Max pooling without indices, dilation 1, stride 1 or 2: y[ow] for ow in [begin, e), e returned,
// = the maximum of rows[i][ow * stride + k + offset] over i < kh, k < kw, taken in that
// (row-major) order with PyTorch's rule (greater or NaN replaces); every window lies in [0, width).
// Whole vectors only: the caller computes outputs [e, end).
using MaxPoolInteriorKernel = int64_t(const float* const* rows, int64_t kh, int64_t kw, int64_t stride,
                                      int64_t offset, int64_t width, int64_t begin, int64_t end, float* y);
// Max pooling of whole small planes p in [p0, p1) of x (no padding, dilation 1, no indices):
// y[p * out + j] = the maximum over t < taps, in order and by the same rule, of
// x[p * in_plane + idx[t * stride + j]]; idx is read up to stride = out rounded up to whole vectors
// (kMaxVectorWidth divides it).
using MaxPoolPlanesKernel = void(const float* x, int64_t in_plane, int64_t p0, int64_t p1, const int32_t* idx,
                                 int64_t taps, int64_t stride, int64_t out, float* y);
// Max pooling of whole planes p in [p0, p1) of h x w (no padding, dilation 1, no indices, stride_w
// 1 or 2, w and kw <= kSeparableMaxWidth) into out_h x out_w planes of y: column maxima of each
// window's rows, then across the columns, with outputs that come out zero or NaN redone in
// row-major order, so that every output is exactly the scalar rule's.
using MaxPoolSeparableKernel = void(const float* x, int64_t h, int64_t w, int64_t p0, int64_t p1, int64_t kh,
                                    int64_t kw, int64_t sh, int64_t sw, int64_t out_h, int64_t out_w, float* y);
// Image pyramids from a summed-area table of uint8 planes (cpu/pool.cpp): row[c + 1] = above[c + 1] +
// in[0] + ... + in[c] for c < w (exact int32 sums: the caller bounds them).
using SummedAreaRowKernel = void(const uint8_t* in, const int32_t* above, int32_t* row, int64_t w);
// y[o] = the mean of window o, ((cur[e[o]] - cur[b[o]]) - (top[e[o]] - top[b[o]])) / (rows * width[o])
// in double, for o < n: each window's exact sum from the table rows at its bottom and top, divided
// once by its number of values.
using WindowMeansKernel = void(const int32_t* cur, const int32_t* top, const int32_t* b, const int32_t* e,
                               const double* width, double rows, int64_t n, float* y);

// --- crop_resize (cpu/simd/roi.inl) ---------------------------------------------------------------
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

// Floats of the crop_channel kernels' workspace for RoIs of at most `span` columns.
constexpr int64_t crop_workspace_floats(int64_t span) { return (span + 2 * kMaxVectorWidth) * kMaxVectorWidth; }

// One channel of a crop_resize RoI: out (out_h x out_w) from the plane (rows of `width` values, read
// as floats) by the taps t. ws: crop_workspace_floats(t.span) floats.
using CropChannelU8Kernel = void(const CropTaps& t, const uint8_t* plane, int64_t width, float* out, float* ws);
using CropChannelF32Kernel = void(const CropTaps& t, const float* plane, int64_t width, float* out, float* ws);

// --- to_blob (cpu/simd/preprocess.inl) ------------------------------------------------------------
// One row of `width` HWC pixels of `channels` channels into the planes of to_blob, `plane` apart:
// out[c * plane + x] = (in[x * channels + s] - mean[c]) * scale with s = channels - 1 - c when
// swap, else c (float32 arithmetic); planes_row_u8 copies the pixel itself.
using BlobRowU8Kernel = void(const uint8_t* in, int64_t width, int64_t channels, bool swap, const float* mean,
                             float scale, float* out, int64_t plane);
using BlobRowF32Kernel = void(const float* in, int64_t width, int64_t channels, bool swap, const float* mean,
                              float scale, float* out, int64_t plane);
using PlanesRowU8Kernel = void(const uint8_t* in, int64_t width, int64_t channels, bool swap, uint8_t* out,
                               int64_t plane);

// Every kernel of the table, as X(signature, name): the table's fields are declared from this list,
// and each ISA fills its table from it with its functions of these names.
#define CVCORE_KERNELS(X)                            \
  X(ConvGemmKernel, conv_gemm)                       \
  X(ResidualActKernel, residual_act)                 \
  X(DepthwisePlaneKernel, depthwise_plane)           \
  X(SmallKRowsKernel, small_k_rows)                  \
  X(SmallKPool2Kernel, small_k_pool2_rows)           \
  X(WinogradKernelsKernel, winograd_kernels)         \
  X(WinogradRowsKernel, winograd2_rows)              \
  X(WinogradLaneRowKernel, winograd2_lane_row)       \
  X(WinogradLaneRowKernel, winograd3_lane_row)       \
  X(LaneRowsKernel, lane_rows)                       \
  X(ToLanesKernel, to_lanes)                         \
  X(FromLanesKernel, from_lanes)                     \
  X(MaxPoolLanesKernel, max_pool_lanes)              \
  X(PointwiseHeadKernel, pointwise_head)             \
  X(LinearGemmKernel, linear_gemm)                   \
  X(LinearDotsKernel, linear_dots)                   \
  X(ActivationKernel, activation)                    \
  X(SoftmaxLanesKernel, softmax_lanes)               \
  X(SoftmaxRowKernel, softmax_row)                   \
  X(NearestLowdF32Kernel, nearest_lowd_f32)          \
  X(NearestLowdF64Kernel, nearest_lowd_f64)          \
  X(ArgminDotsKernel, argmin_dots)                   \
  X(MaxPoolInteriorKernel, max_pool_interior)        \
  X(MaxPoolPlanesKernel, max_pool_planes)            \
  X(MaxPoolSeparableKernel, max_pool_separable)      \
  X(SummedAreaRowKernel, summed_area_row)            \
  X(WindowMeansKernel, window_means)                 \
  X(CropChannelU8Kernel, crop_channel_u8)            \
  X(CropChannelF32Kernel, crop_channel_f32)          \
  X(BlobRowU8Kernel, blob_row_u8)                    \
  X(BlobRowF32Kernel, blob_row_f32)                  \
  X(PlanesRowU8Kernel, planes_row_u8)

struct Kernels {
  Isa isa;
  // The ISA's numbers the drivers plan with.
  int64_t width;             // floats per vector
  int64_t gemm_mr;           // rows of the GEMM's register tile
  int64_t gemm_kc;           // the GEMM's K chunk: a reduction of up to gemm_kc terms is one pass
  int64_t gemm_pack_floats;  // a thread's packed-B buffer
  int tile_accumulators;     // vectors of the small-K / Winograd / lane register tile
#define CVCORE_KERNEL_FIELD(signature, name) signature* name;
  CVCORE_KERNELS(CVCORE_KERNEL_FIELD)
#undef CVCORE_KERNEL_FIELD
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
