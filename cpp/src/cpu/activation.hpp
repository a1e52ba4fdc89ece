// Activation and softmax kernels on validated sizes: raw pointers to C-contiguous float32 data.
#pragma once

#include <cstdint>

#include "cvcore/activation.hpp"

namespace cvcore::cpu {

// y[i] = kind(x[i]) for i in [0, n); y may equal x.
void activation(int64_t n, const float* x, float* y, Activation kind, const ActivationParams& params, int threads);

// y[i] = x[i] > 0 ? x[i] : weight[c] * x[i], c the channel of element i in (outer, channels, inner).
void prelu(int64_t n, int64_t channels, int64_t inner, const float* x, const float* weight, float* y, int threads);

// (Log-)softmax along the middle axis of a (outer, axis, inner) array.
void softmax(int64_t outer, int64_t axis, int64_t inner, const float* x, float* y, bool log, int threads);

}  // namespace cvcore::cpu
