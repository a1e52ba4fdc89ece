// The convolution's algorithms, one driver each (cpu/conv/<algorithm>.cpp): a driver prepares its
// plan and buffers, splits the work over the threads and runs its per-ISA kernels. Which driver
// computes a given convolution is decided in one place, the dispatcher (cpu/conv.cpp), which alone
// calls these; each driver states what it requires of the geometry.
#pragma once

#include <cstdint>

#include "cpu/conv.hpp"
#include "cpu/conv/plans.hpp"
#include "cpu/parallel.hpp"
#include "cpu/pool.hpp"
#include "cpu/simd/kernels.hpp"

namespace cvcore::cpu {

// One convolution as the drivers see it: the validated geometry, the operands, the epilogue, the
// ISA's kernels (chosen once per call) and the threads to use.
struct ConvProblem {
  ConvGeometry g;
  const float* x;
  const float* w;
  const float* bias;  // or null
  OutputAct act;
  const Kernels* k;
  int threads;
};

// One of `units` equal shares of the convolution's multiply-adds (the whole batch), as the cost of
// a unit of a driver's parallel loop.
inline UnitCost conv_share(const ConvGeometry& g, int64_t units) {
  const double macs = double(g.batch) * double(g.out_channels) * double(g.out_h * g.out_w) *
                      double(g.in_channels / g.groups) * double(g.kernel_h * g.kernel_w);
  return multiply_adds(macs / double(units > 0 ? units : 1));
}

// Columns of the stacked GEMM's chunks at most (cpu/conv/gemm.cpp).
constexpr int64_t kStackColumns = 4096;

// --- gemm.cpp: the implicit-im2col GEMM, any geometry.
void conv2d_gemm(const ConvProblem& p, float* y);
// Batches of small unpadded images of one group (at most kStackColumns / 4 output pixels each): a
// chunk of images side by side as one GEMM, into a per-thread buffer; optionally max-pooled there.
void conv2d_gemm_stacked(const ConvProblem& p, float* y);
void conv2d_gemm_stacked_max_pool(const ConvProblem& p, const PoolGeometry& pool, float* y);

// --- depthwise.cpp: groups == in_channels.
void conv2d_depthwise(const ConvProblem& p, float* y);

// --- small_k.cpp: one group, no padding, stride 1 along the width, out_w >= the vector width,
// in_channels * kh * kw <= kSmallK, out_channels <= kSmallMaxM. Optionally max-pooled: 2x2 windows
// at stride 2 in registers (out_w >= 2 vectors), others from a band buffer that stays in L2.
void conv2d_small_k(const ConvProblem& p, float* y);
void conv2d_small_k_pool2(const ConvProblem& p, const PoolGeometry& pool, float* y);
void conv2d_small_k_max_pool(const ConvProblem& p, const PoolGeometry& pool, float* y);

// --- winograd.cpp: 3x3, stride 1, dilation 1, one group (Conv2dParams::winograd).
// The plan of F(m x m, 3 x 3) on geometry g (p's or a strip of it), its transformed kernels prepared
// (kept per thread for the next call with the same weights) and its offsets in the packed_weights
// scratch.
WinogradPlan prepare_winograd(const ConvProblem& p, const ConvGeometry& g, bool lanes, int m);
// F(2x2, 3x3), one image at a time, any padding.
void conv2d_winograd(const ConvProblem& p, float* y);
// F(3x3, 3x3) on a few small unpadded images whose output sides are multiples of 3: kWidth tile
// columns of an image side by side in the lanes, each tile computed as in a lane-batched batch.
void conv2d_winograd3_columns(const ConvProblem& p, float* y);

// --- lanes.cpp: batches of at least kWidth small images (lane-sized: see the dispatcher), one
// group, stride 1, dilation 1, no padding; optionally max-pooled in the lanes.
enum class LaneAlgorithm { direct, winograd2, winograd3 };
// The single-image paths (the dispatcher's), for a few images past the last full group.
using ConvImages = void (*)(const ConvProblem& p, const PoolGeometry* pool, float* y);
void conv2d_lanes(const ConvProblem& p, LaneAlgorithm algorithm, const PoolGeometry* pool, float* y,
                  ConvImages single_images);

// --- pointwise.cpp: one group, no padding; by F(2x2, 3x3) when `winograd` (a 3x3 stride-1 layer).
// Each band of output rows is convolved into a buffer that stays in L2 and multiplied by the 1x1
// head from there.
void conv2d_pointwise(const ConvProblem& p, bool winograd, const PointwiseHead& head, float* y);

}  // namespace cvcore::cpu
