// conv_transpose2d on the CPU (PyTorch's conv_transpose2d semantics, NCHW float32, weights
// (in_channels, out_channels / groups, kH, kW)), after the frontend (src/conv_transpose.cpp) has
// validated everything.
#pragma once

#include <cstdint>

#include "cvcore/epilogue.hpp"

namespace cvcore::cpu {

// A validated transposed convolution: sizes >= 1 except batch and out_channels (the output is not
// empty when the kernels run), the output size already reduced by the padding.
struct ConvTransposeGeometry {
  int64_t batch, in_channels, in_h, in_w, out_channels, out_h, out_w, kernel_h, kernel_w;
  int64_t stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left, groups;
};

// y = act(conv_transpose2d(x, w) + bias) (bias may be null; act none, relu or relu6) on up to
// `threads` threads, each output summed in an order fixed by the geometry alone.
void conv_transpose2d(const ConvTransposeGeometry& g, const float* x, const float* w, const float* bias,
                      Epilogue act, float* y, int threads);

}  // namespace cvcore::cpu
