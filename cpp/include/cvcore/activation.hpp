// Activation functions and softmax (PyTorch's semantics), float32 in and out. NaN in gives NaN out
// for every activation. The piecewise-linear ones are computed in double and rounded once; the
// transcendental ones and softmax by float32 SIMD kernels accurate to a few ulp (at most 5 measured,
// below 4e-7 relative for normal results), with the same results at every thread count.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "cvcore/tensor.hpp"

namespace cvcore {

// Elementwise activations. Formulas (x real; alpha, slope, beta, threshold from ActivationParams):
//   relu        x < 0 ? 0 : x                     (relu(-0.0) = -0.0, as PyTorch)
//   relu6       min(max(x, 0), 6)                 (same sign rule)
//   leaky_relu  x > 0 ? x : negative_slope * x
//   elu         x > 0 ? x : alpha * (exp(x) - 1)
//   selu        scale * elu(x, alpha_selu), scale = 1.0507009873554804934193349852946,
//               alpha_selu = 1.6732632423543772848170429916717
//   sigmoid     1 / (1 + exp(-x))
//   tanh        tanh(x)
//   gelu        x * Phi(x) = x / 2 * erfc(-x / sqrt(2))
//   gelu_tanh   x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))
//   silu        x * sigmoid(x)
//   hardswish   x * min(max(x + 3, 0), 6) / 6
//   mish        x * tanh(log(1 + exp(x)))
//   softplus    x * beta > threshold ? x : log(1 + exp(beta * x)) / beta
//   hardsigmoid max(0, min(1, alpha * x + beta))     (hardsigmoid_alpha, hardsigmoid_beta)
//   clip        min(max(x, min), max)                 (clip_min, clip_max; every output is clip_max when
//               clip_min > clip_max, as NumPy's np.clip and onnxruntime's Clip)
// The gated ones (gelu, gelu_tanh, silu, hardswish, mish) give their limit -0.0 at x = -inf
// (PyTorch gives NaN there, and also for gelu(+inf)).
enum class Activation {
  relu, relu6, leaky_relu, elu, selu, sigmoid, tanh, gelu, gelu_tanh, silu, hardswish, mish, softplus, hardsigmoid, clip
};

struct ActivationParams {
  double negative_slope = 0.01;          // leaky_relu; finite
  double alpha = 1.0;                    // elu; finite
  double beta = 1.0;                     // softplus; finite, != 0
  double threshold = 20.0;               // softplus; not NaN
  double hardsigmoid_alpha = 1.0 / 6.0;  // hardsigmoid; finite (PyTorch's default; ONNX's is 0.2)
  double hardsigmoid_beta = 0.5;         // hardsigmoid; finite
  double clip_min = -std::numeric_limits<double>::infinity();  // clip; not NaN
  double clip_max = std::numeric_limits<double>::infinity();   // clip; not NaN
};

// The name used in messages ("gelu_tanh" for the tanh approximation), and its inverse
// (ValueError naming `op`, the argument "kind", the names and the one received).
const char* activation_name(Activation kind);
Activation parse_activation(const std::string& name, const char* op = "activation");
// gelu's `approximate` argument as PyTorch names it: "none" (gelu) or "tanh" (gelu_tanh).
Activation parse_gelu_approximate(const std::string& approximate);

// Validates x (float32, C-contiguous, any rank) and the parameters `kind` uses.
void check_activation(const TensorView& x, Activation kind, const ActivationParams& params);

// out = kind(x) elementwise; out has x's shape, float32, C-contiguous; out may be x itself.
void activation(const TensorView& x, Activation kind, const ActivationParams& params, const TensorView& out);

// Validates x (any rank) and weight: a 1-D float32 array of 1 element (one slope for every element)
// or of x.shape[1] elements (one per channel, axis 1; x must then have at least 2 dimensions).
void check_prelu(const TensorView& x, const TensorView& weight);

// out = x > 0 ? x : weight[c] * x with c the index along axis 1 (or weight[0]).
void prelu(const TensorView& x, const TensorView& weight, const TensorView& out);

// Validates x (any rank >= 1) and axis in [-ndim, ndim); returns axis normalised to [0, ndim).
int check_softmax(const TensorView& x, int64_t axis, bool log);

// Along `axis`, with m the maximum of the slice (NaN when the slice holds a NaN):
//   softmax      exp(x - m) / sum(exp(x - m))
//   log_softmax  (x - m) - log(sum(exp(x - m)))          (when log)
// A slice whose elements are all -inf, or that holds +inf or NaN, gives NaN (as PyTorch).
void softmax(const TensorView& x, int64_t axis, bool log, const TensorView& out);

}  // namespace cvcore
