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
  // rules): windows pool_kernel (h, w) at pool_stride; {0, 0} means none. Fused with the
  // convolution where the kernels can (small reductions such as a first layer on RGB, batches of
  // small unpadded images), so the full-resolution map is never stored; the result is max_pool2d's
  // on conv2d's output either way.
  std::array<int64_t, 2> pool_kernel{0, 0};
  std::array<int64_t, 2> pool_stride{0, 0};
  bool pool_ceil_mode = false;
  // Optional 1x1 convolution of the activated output (a detector head; not with pooling): weight
  // (P, O, 1, 1) and bias (P,) or empty, float32; the output then has P channels. Fused for one
  // group without padding (each band of rows is multiplied while it is in the cache); the result is
  // conv2d(conv2d(x, weight, bias), pointwise_weight, pointwise_bias) bit for bit either way.
  TensorView pointwise_weight;
  TensorView pointwise_bias;
  // Compute 3x3, stride-1, dilation-1 convolutions of one group by Winograd F(2x2, 3x3): 2.25x fewer
  // multiplies (faster for layers with more than a few channels), results within about twice the
  // float32 rounding error of the direct sum instead of its exact order. Other shapes ignore it.
  // Batches of small unpadded images (a detector's crops) run it with one image per vector lane,
  // each image's result the bits of that image alone; those whose output sides are multiples of 3
  // (any batch size) by F(3x3, 3x3) instead: 3.2x fewer multiplies, within about 3x (up to 11x on
  // small reductions) the direct sum's error. The transformed kernels of small layers are kept per
  // calling thread (up to 16 layers) and reused while the weights at the same address hold the same
  // values (compared in full on every call), so results are those of a fresh transform.
  bool winograd = false;
};

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
