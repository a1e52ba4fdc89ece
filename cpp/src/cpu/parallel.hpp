// Work splitting for OpenMP regions. Every parallel region in cvcore states its thread count
// explicitly (num_threads). Work is cut into units that each compute the same values whichever
// thread runs them (no per-thread partial results), so results never depend on scheduling; the
// units are handed out as threads become free, so that a core slowed by other work (a busy
// neighbour, a shared VM) does not hold the others back at the region's end.
// Helpers are `static` so that copies compiled under different ISA flags stay private to their
// translation unit.
#pragma once

#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace cvcore::cpu {

static inline int thread_index() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

static inline int thread_count() {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}

struct Range {
  int64_t begin, end;
};

// Part `i` of `parts` nearly equal contiguous pieces of [0, n), with piece boundaries on
// multiples of `align` (the last piece takes the remainder).
static inline Range split_range(int64_t n, int64_t parts, int64_t i, int64_t align = 1) {
  const int64_t blocks = (n + align - 1) / align;
  const int64_t b0 = blocks * i / parts, b1 = blocks * (i + 1) / parts;
  const int64_t begin = b0 * align, end = b1 * align;
  return {begin < n ? begin : n, end < n ? end : n};
}

static inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

// Inside a parallel region (or outside any, on the calling thread alone): runs body(i) for i in
// [0, n) over the team, each thread taking the next contiguous piece when it is free, large pieces
// first (about the remaining work over the threads), then smaller ones (OpenMP's guided schedule).
template <typename Body>
static inline void for_each_unit(int64_t n, Body body) {
#pragma omp for schedule(guided) nowait
  for (int64_t i = 0; i < n; ++i) body(i);
}

// Runs body(i) for i in [0, n) on `threads` threads (for_each_unit). body must not throw
// (validate before).
template <typename Body>
static inline void parallel_for(int64_t n, int threads, Body body) {
  if (threads <= 1 || n <= 1) {
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
#pragma omp parallel num_threads(threads)
  for_each_unit(n, body);
}

// Elementwise work: a flat array cut into fixed-size chunks, the chunks handed out over the
// threads, so each element is computed by the same code whatever the thread count.

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
