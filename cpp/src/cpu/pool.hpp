// Pooling kernels on validated sizes: raw pointers to C-contiguous float32 planes, no checks.
// Each output is computed in the same order whatever the thread count, so results are identical
// across thread counts.
#pragma once

#include <cstdint>

namespace cvcore::cpu {

// avg_pool2d sums a window of at most kFloatSumTaps values in float32, in row-major order, and divides
// in float32: PyTorch's CPU kernel bit for bit, for the windows networks use (up to 8x8, e.g. a 7x7
// head written as avg_pool2d), at the speed of one float32 add per value; such a short sum errs by
// a few ulps at most and is exact on integer maps (images: 64 * 255 < 2^24). A larger window sums in
// double and divides once, in double, by its divisor: its mean is the exact one rounded to float32
// up to double rounding, so a constant map's mean is exact at any size, where a float32 running sum
// drifts further with every value (PyTorch gives 255.27 for the mean of 300x300 255s). Adaptive
// average pooling takes the double path for every window.
constexpr int64_t kFloatSumTaps = 64;

// Geometry of a validated sliding-window pooling over `planes` = N * C planes of in_h x in_w.
struct PoolGeometry {
  int64_t planes, in_h, in_w, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
};

// y = max over each window; indices (flat h * W + w in the plane) written when not null.
void max_pool2d(const PoolGeometry& g, const float* x, float* y, int64_t* indices, int threads);
// y = sum over each window / divisor (see AvgPool2dParams); divisor_override 0 means none.
// g.dilation_* must be 1. Sums as kFloatSumTaps says.
void avg_pool2d(const PoolGeometry& g, bool count_include_pad, int64_t divisor_override, const float* x, float* y,
                int threads);
// Adaptive windows [floor(i * in / out), ceil((i + 1) * in / out)); g.kernel/stride/pad/dilation unused.
// Each window sums in double and is divided once by its number of values (see kFloatSumTaps).
// in * out along each axis must not overflow int64 (the frontend checks).
void adaptive_avg_pool2d(const PoolGeometry& g, const float* x, float* y, int threads);
// The same on uint8 pixels, summed exactly in integers: the float32 copy's result, bit for bit.
void adaptive_avg_pool2d(const PoolGeometry& g, const uint8_t* x, float* y, int threads);
// The same to `count` output sizes (sizes[2 * i], sizes[2 * i + 1]) at once, into outs[i]; g.out_h and
// g.out_w are ignored. Levels share one summed-area table of the planes, so each costs its own size.
void adaptive_avg_pool2d_levels(const PoolGeometry& g, const uint8_t* x, int64_t count, const int64_t* sizes,
                                float* const* outs, int threads);
void adaptive_max_pool2d(const PoolGeometry& g, const float* x, float* y, int64_t* indices, int threads);

}  // namespace cvcore::cpu
