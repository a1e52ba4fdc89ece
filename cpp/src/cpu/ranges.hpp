// Index arithmetic shared by the CPU drivers and the per-ISA kernels. Everything is `static` so
// that copies compiled under different ISA flags stay private to their translation unit.
#pragma once

#include <cstdint>

namespace cvcore::cpu {

struct Range {
  int64_t begin, end;
};

// ceil(a / b) for a >= 0, b >= 1, without forming a + b - 1 (which overflows for sizes near 2^63).
static inline int64_t ceil_div(int64_t a, int64_t b) { return a / b + (a % b != 0 ? 1 : 0); }
static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

// Part `i` of `parts` nearly equal contiguous pieces of [0, n), with piece boundaries on
// multiples of `align` (the last piece takes the remainder).
static inline Range split_range(int64_t n, int64_t parts, int64_t i, int64_t align = 1) {
  const int64_t blocks = (n + align - 1) / align;
  const int64_t b0 = blocks * i / parts, b1 = blocks * (i + 1) / parts;
  const int64_t begin = b0 * align, end = b1 * align;
  return {begin < n ? begin : n, end < n ? end : n};
}

}  // namespace cvcore::cpu
