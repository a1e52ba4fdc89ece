// 2-D pooling with PyTorch's semantics: max, average, adaptive average and adaptive max over
// NCHW float32 input. Every output holds one value per (n, c) plane and window.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "cvcore/tensor.hpp"
#include "cvcore/window.hpp"

namespace cvcore {

// max_pool2d: out[n, c, i, j] = max over the taps (i*sh - ph + a*dh, j*sw - pw + b*dw), a < kH, b < kW,
// that fall inside the input (padding counts as -inf). A NaN in the window gives NaN.
struct MaxPool2dParams {
  std::array<int64_t, 2> kernel{1, 1};    // (kH, kW), >= 1
  std::array<int64_t, 2> stride{1, 1};    // (h, w), >= 1 (PyTorch's default stride = kernel is the caller's job)
  std::array<int64_t, 2> padding{0, 0};   // (h, w) on both sides, 0 <= padding <= kernel / 2
  std::array<int64_t, 2> dilation{1, 1};  // (h, w), >= 1
  bool ceil_mode = false;                 // output sizes rounded up (see conv_output_size)
};

// avg_pool2d: the sum of the window's input values divided by
//   divisor_override when given, else the window's size clipped to [-pad, size + pad) when
//   count_include_pad, else the number of input values in the window.
struct AvgPool2dParams {
  std::array<int64_t, 2> kernel{1, 1};   // (kH, kW), >= 1
  std::array<int64_t, 2> stride{1, 1};   // (h, w), >= 1
  std::array<int64_t, 2> padding{0, 0};  // (h, w) on both sides, 0 <= padding <= kernel / 2
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override;  // non-zero when given
};

// The parameters of max_pool2d / avg_pool2d, checked as they check them (layers check theirs with
// these when they are built, naming themselves as `op`): kernel, stride and dilation >= 1,
// 0 <= padding <= kernel / 2, divisor_override non-zero. Throw ValueError.
void check_max_pool2d_params(const char* op, const MaxPool2dParams& params);
void check_avg_pool2d_params(const char* op, const AvgPool2dParams& params);

// Validate x (N, C, H, W) float32 contiguous with H, W >= 1, and the parameters; return the output
// shape (N, C, Ho, Wo) with Ho = conv_output_size(H, kH, sh, ph, ph, dh, ceil_mode) (likewise Wo).
// Throw ValueError / TypeError naming the argument, also when Ho or Wo < 1.
std::array<int64_t, 4> max_pool2d_output_shape(const TensorView& x, const MaxPool2dParams& params);
std::array<int64_t, 4> avg_pool2d_output_shape(const TensorView& x, const AvgPool2dParams& params);

// out (and indices, when not empty) have the shape *_output_shape returns. indices is int64 and
// receives, for each output, the flat index h * W + w of the chosen input value in its plane: the
// first maximum in row-major window order, or the last NaN when the window holds NaNs (PyTorch).
// A window with no tap inside the input (possible only with dilation) gives -inf and, as PyTorch,
// the index of its first tap at or after 0 along each axis, which then lies outside the plane.
void max_pool2d(const TensorView& x, const MaxPool2dParams& params, const TensorView& out,
                const TensorView& indices = TensorView{});
void avg_pool2d(const TensorView& x, const AvgPool2dParams& params, const TensorView& out);

// Adaptive pooling to output_size (Ho, Wo), each >= 0: output i along an axis of input size n
// covers [floor(i * n / o), ceil((i + 1) * n / o)). Returns (N, C, Ho, Wo). x: float32 (or uint8
// for adaptive_avg_pool2d).
std::array<int64_t, 4> adaptive_pool2d_output_shape(const TensorView& x, std::array<int64_t, 2> output_size,
                                                    const char* op = "adaptive_pool2d");
// output_size >= 0, the check of adaptive_pool2d_output_shape (for layers, naming themselves as `op`).
void check_adaptive_output_size(const char* op, std::array<int64_t, 2> output_size);
// The mean of each window. x may also be uint8 (e.g. an image pyramid): the sums are the float32
// sums of the same values in the same order, so the result equals that of x converted to float32.
void adaptive_avg_pool2d(const TensorView& x, std::array<int64_t, 2> output_size, const TensorView& out);
// adaptive_avg_pool2d of one input to several sizes (an image pyramid): outs[i] (shape
// adaptive_pool2d_output_shape(x, output_sizes[i])) receives exactly adaptive_avg_pool2d(x,
// output_sizes[i]). For uint8 input the levels share one summed-area table per plane, so each costs
// its own size instead of a pass over the whole input.
void adaptive_avg_pool2d_levels(const TensorView& x, const std::vector<std::array<int64_t, 2>>& output_sizes,
                                const std::vector<TensorView>& outs);
// The maximum of each window; indices as max_pool2d's.
void adaptive_max_pool2d(const TensorView& x, std::array<int64_t, 2> output_size, const TensorView& out,
                         const TensorView& indices = TensorView{});

}  // namespace cvcore
