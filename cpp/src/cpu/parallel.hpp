// Work splitting for OpenMP regions. Every parallel region in cvcore states its thread count
// explicitly (num_threads) and uses a static partition, so results never depend on scheduling.
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

// Runs body(i) for i in [0, n) on `threads` threads, statically partitioned into contiguous
// ranges. body must not throw (validate before).
template <typename Body>
static inline void parallel_for(int64_t n, int threads, Body body) {
  if (threads <= 1 || n <= 1) {
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const Range r = split_range(n, thread_count(), thread_index());
    for (int64_t i = r.begin; i < r.end; ++i) body(i);
  }
}

}  // namespace cvcore::cpu
