// 2-D transposed convolution (PyTorch's conv_transpose2d, ONNX ConvTranspose): NCHW float32 input,
// weights (C_in, C_out / groups, kH, kW).
#pragma once

#include <array>
#include <cstdint>

#include "cvcore/epilogue.hpp"
#include "cvcore/tensor.hpp"

namespace cvcore {

// out[n, g*Og + o, y, x] = bias[g*Og + o] + sum over the group's input channels c (of Cg = C_in / groups),
// input pixels (i, j) and taps (a, b) with i*sh - pad_top + a*dh == y and j*sw - pad_left + b*dw == x
// of input[n, g*Cg + c, i, j] * weight[g*Cg + c, o, a, b], then the activation. Every input pixel
// scatters its kernel into the output: the adjoint (gradient) of conv2d with the same parameters.
struct ConvTranspose2dParams {
  std::array<int64_t, 2> stride{1, 1};           // (h, w), >= 1
  std::array<int64_t, 4> padding{0, 0, 0, 0};    // removed from the full output (top, left, bottom, right), >= 0
  std::array<int64_t, 2> output_padding{0, 0};   // added at the bottom / right; < stride or < dilation (PyTorch's rule)
  std::array<int64_t, 2> dilation{1, 1};         // (h, w), >= 1
  int64_t groups = 1;                            // divides C_in and C_out
  Epilogue activation = Epilogue::none;          // none, relu, relu6 (prelu: ValueError)
};

// x (N, C_in, H, W) with C_in >= 1 and H, W >= 1, weight (C_in, C_out / groups, kH, kW), bias (C_out,) or
// empty; returns (N, C_out, (H - 1) * stride - pad_begin - pad_end + dilation * (k - 1) + output_padding + 1,
// likewise for W), which must be >= 1. Throws ValueError / TypeError naming the argument, also when a
// size overflows 64 bits.
std::array<int64_t, 4> conv_transpose2d_output_shape(const TensorView& x, const TensorView& weight,
                                                     const TensorView& bias, const ConvTranspose2dParams& params);

// out = activation(conv_transpose2d(x, weight) + bias). All views float32 and C-contiguous; out has
// the shape conv_transpose2d_output_shape returns and does not overlap the inputs. Each output is
// summed in an order fixed by the shapes alone, so results are identical for every thread count.
void conv_transpose2d(const TensorView& x, const TensorView& weight, const TensorView& bias,
                      const ConvTranspose2dParams& params, const TensorView& out);

}  // namespace cvcore
