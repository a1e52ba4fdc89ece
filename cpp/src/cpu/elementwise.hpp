// Work splitting for elementwise kernels: a flat array cut into fixed-size chunks, the chunks
// statically partitioned over threads. Each element is computed by the same code whatever the
// thread count, so results are bit-identical across thread counts.
#pragma once

#include <cstdint>

#include "parallel.hpp"

namespace cvcore::cpu {

// Elements per chunk: large enough to amortise the scheduling, small enough to balance threads.
constexpr int64_t kElementwiseChunk = int64_t(1) << 14;

// Runs body(begin, end) over consecutive chunks of [0, n) on `threads` threads.
template <typename Body>
static inline void parallel_chunks(int64_t n, int threads, Body body) {
  parallel_for(ceil_div(n, kElementwiseChunk), threads,
               [&](int64_t k) { body(k * kElementwiseChunk, min64(n, (k + 1) * kElementwiseChunk)); });
}

// For a flat C-contiguous array of shape (outer, channels, inner) and n = outer * channels * inner
// elements: runs body(begin, end, c) over pieces [begin, end) that lie in one plane of channel c.
template <typename Body>
static inline void parallel_channel_segments(int64_t n, int64_t channels, int64_t inner, int threads, Body body) {
  parallel_chunks(n, threads, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end;) {
      const int64_t plane = i / inner;
      const int64_t stop = min64(end, (plane + 1) * inner);
      body(i, stop, plane % channels);
      i = stop;
    }
  });
}

}  // namespace cvcore::cpu
