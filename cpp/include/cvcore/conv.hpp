// 2-D convolution (PyTorch's conv2d semantics): NCHW float32 input, OIHW weights.
#pragma once

#include <array>
#include <cstdint>

#include "cvcore/epilogue.hpp"
#include "cvcore/tensor.hpp"
#include "cvcore/window.hpp"

namespace cvcore {

struct Conv2dParams {
  std::array<int64_t, 2> stride{1, 1};           // (h, w), >= 1
  std::array<int64_t, 4> padding{0, 0, 0, 0};    // zeros added (top, left, bottom, right), >= 0
  std::array<int64_t, 2> dilation{1, 1};         // (h, w), >= 1
  int64_t groups = 1;                            // divides in and out channels
  Epilogue activation = Epilogue::none;          // applied after the bias
  TensorView prelu_weight;                       // Epilogue::prelu only: (O,) or (1,) float32 slopes
  // Optional max pooling of the activated output (no padding, dilation 1, PyTorch's max_pool2d
  // rules): windows pool_kernel (h, w) at pool_stride; {0, 0} means none. The result is max_pool2d's
  // on conv2d's output bit for bit; where the CPU backend can, it pools while computing, without
  // storing the full-resolution map.
  std::array<int64_t, 2> pool_kernel{0, 0};
  std::array<int64_t, 2> pool_stride{0, 0};
  bool pool_ceil_mode = false;
  // Optional 1x1 convolution of the activated output (a detector head; not with pooling): weight
  // (P, O, 1, 1) and bias (P,) or empty, float32; the output then has P channels, bit for bit
  // conv2d(conv2d(x, weight, bias), pointwise_weight, pointwise_bias).
  TensorView pointwise_weight;
  TensorView pointwise_bias;
  // Compute 3x3, stride-1, dilation-1 convolutions of one group by Winograd: F(2x2, 3x3) (2.25x fewer
  // multiplies), results within about twice the float32 rounding error of the direct sum instead of
  // its exact order; small unpadded images whose output sides are multiples of 3 by F(3x3, 3x3)
  // (3.2x fewer multiplies, within about 3x, up to 11x on small reductions, the direct sum's error).
  // Each image's result is the same alone or in a batch, and for every thread count. Other shapes
  // ignore it. Transformed kernels may be reused from an earlier call only while the weights hold
  // the same values, so results are always those of a fresh transform (weights may be edited in
  // place between calls).
  bool winograd = false;
  // Optional residual (N, O, Ho, Wo) float32, C-contiguous, not overlapping out: added to the
  // convolution's output after the bias and before the activation (a ResNet block's shortcut), bit for
  // bit activation(conv2d(x, weight, bias) + residual). Not with pooling or a 1x1 head. The im2col GEMM
  // adds it while storing its tiles; the other paths in a pass over the output after.
  TensorView residual;
};

// The hyper-parameters of a convolution with in_channels inputs, out_channels outputs and a (kH, kW)
// kernel, checked as conv2d checks them (layers check theirs with it when they are built, naming
// themselves as `op`): groups >= 1 dividing in_channels and out_channels, kernel_size, stride and
// dilation >= 1, padding >= 0. Other members of params are not looked at. Throws ValueError.
void check_conv2d_params(const char* op, int64_t in_channels, int64_t out_channels, std::array<int64_t, 2> kernel_size,
                         const Conv2dParams& params);

// Validates x (N, C, H, W), weight (O, C / groups, kH, kW), bias (O,) or empty, and params (with
// prelu_weight given exactly when the activation is prelu), and returns the output shape
// (N, O, Ho, Wo), after the pooling when there is one. Throws ValueError / TypeError naming the
// argument.
std::array<int64_t, 4> conv2d_output_shape(const TensorView& x, const TensorView& weight, const TensorView& bias,
                                           const Conv2dParams& params);

// out = activation(conv2d(x, weight) + bias). All views float32 and C-contiguous; out has the
// shape conv2d_output_shape returns and does not overlap the inputs.
void conv2d(const TensorView& x, const TensorView& weight, const TensorView& bias, const Conv2dParams& params,
            const TensorView& out);

}  // namespace cvcore
