// Batch-norm kernel on validated sizes: raw pointers to C-contiguous float32 data, no checks.
#pragma once

#include <cstdint>

namespace cvcore::cpu {

// For x of shape (outer, channels, inner) flattened to n elements, with c the channel of element i:
//   y[i] = (x[i] - mean[c]) * scale[c] + shift[c]   in float32 (three roundings, no FMA).
void batch_norm(int64_t n, int64_t channels, int64_t inner, const float* x, const float* mean, const float* scale,
                const float* shift, float* y, int threads);

}  // namespace cvcore::cpu
