// Batch-norm kernel: one pass over the array in chunks, each chunk walked plane by plane so the
// per-channel constants are loaded once per plane and the inner loop vectorises.
#include "norm.hpp"

#include "parallel.hpp"

namespace cvcore::cpu {

void batch_norm(int64_t n, int64_t channels, int64_t inner, const float* x, const float* mean, const float* scale,
                const float* shift, float* y, int threads) {
  parallel_channel_segments(n, channels, inner, threads, elements(1), [&](int64_t begin, int64_t end, int64_t c) {
    const float m = mean[c], s = scale[c], b = shift[c];
    for (int64_t i = begin; i < end; ++i) y[i] = (x[i] - m) * s + b;
  });
}

}  // namespace cvcore::cpu
