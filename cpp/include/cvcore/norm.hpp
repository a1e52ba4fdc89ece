// Batch normalisation in inference mode (PyTorch's batch_norm with training=False) and folding it
// into the convolution or linear layer before it.
#pragma once

#include <cstdint>

#include "cvcore/tensor.hpp"

namespace cvcore {

// eps finite and >= 0, the check of batch_norm and fold_batch_norm (for layers, naming themselves as
// `op`). Throws ValueError.
void check_batch_norm_eps(const char* op, double eps);

// Validates x (N, C, ...) with 2 to kMaxDims dimensions, running_mean and running_var (C,),
// weight and bias (C,) or empty, eps finite and >= 0, and running_var >= 0 (NaN propagates).
// Throws ValueError / TypeError naming the argument.
void check_batch_norm(const TensorView& x, const TensorView& running_mean, const TensorView& running_var,
                      const TensorView& weight, const TensorView& bias, double eps);

// out = (x - mean[c]) * scale[c] + bias[c] with scale = weight / sqrt(running_var + eps) computed
// in double and rounded once to float32; c is axis 1 of x. Absent weight is 1, absent bias 0.
// All views float32 and C-contiguous; out has x's shape and does not overlap the inputs.
void batch_norm(const TensorView& x, const TensorView& running_mean, const TensorView& running_var,
                const TensorView& weight, const TensorView& bias, double eps, const TensorView& out);

// Folds an inference batch norm into the layer before it, so that
//   layer(x, folded_weight, folded_bias) == batch_norm(layer(x, conv_weight, conv_bias), ...):
//   scale = weight / sqrt(running_var + eps)                       (weight absent: 1)
//   folded_weight[o, ...] = conv_weight[o, ...] * scale[o]
//   folded_bias[o] = (conv_bias[o] - running_mean[o]) * scale[o] + bias[o]   (absent: 0)
// computed in double and rounded once to float32. conv_weight has >= 2 dimensions with the output
// channels on axis 0 (OIHW conv or (out, in) linear weights); the vectors have conv_weight.shape[0]
// elements. folded_weight has conv_weight's shape, folded_bias is (O,).
void fold_batch_norm(const TensorView& conv_weight, const TensorView& conv_bias, const TensorView& running_mean,
                     const TensorView& running_var, const TensorView& weight, const TensorView& bias, double eps,
                     const TensorView& folded_weight, const TensorView& folded_bias);

// Validates fold_batch_norm's inputs as fold_batch_norm does (before its outputs exist: their shapes
// follow conv_weight's). Throws ValueError / TypeError naming the argument.
void check_fold_batch_norm(const TensorView& conv_weight, const TensorView& conv_bias, const TensorView& running_mean,
                           const TensorView& running_var, const TensorView& weight, const TensorView& bias,
                           double eps);

}  // namespace cvcore
