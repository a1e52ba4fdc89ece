// resize's driver. Each axis's table is computed once per call: the source index of every output row
// and column (nearest), or its two source indices and weights (linear), in onnxruntime's float32
// arithmetic. This file is compiled without FMA contraction (CMakeLists), so every product and sum
// rounds as onnxruntime's kernel rounds it. The planes are then cut into blocks of output rows, the
// units of the parallel loop; every output is computed by the same expression whatever the split.
#include "cpu/resize.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <vector>

#include "cpu/parallel.hpp"
#include "cvcore/error.hpp"

namespace cvcore::cpu {
namespace {

// The source coordinate of output index `index` along an axis (cvcore/resize.hpp), with onnxruntime's
// types: float32, except the double sum of half_pixel_symmetric.
float source_coordinate(CoordinateMode mode, int64_t index, float scale, int64_t out_len, int64_t in_len) {
  const float i = static_cast<float>(index), out = static_cast<float>(out_len), in = static_cast<float>(in_len);
  switch (mode) {
    case CoordinateMode::asymmetric:
      return i / scale;
    case CoordinateMode::pytorch_half_pixel:
      return out > 1 ? (i + 0.5f) / scale - 0.5f : 0.0f;
    case CoordinateMode::align_corners:
      return out == 1 ? 0.0f : i * (in - 1) / (out - 1);
    case CoordinateMode::half_pixel_symmetric: {
      const float adjustment = out / (scale * in);
      const float offset = in / 2 * (1 - adjustment);
      return static_cast<float>(offset + (i + 0.5) / scale - 0.5);
    }
    case CoordinateMode::half_pixel:
      break;
  }
  return (i + 0.5f) / scale - 0.5f;
}

// onnxruntime (1.32) takes a coordinate within 1e-6 of a half for the half itself in the two
// round_prefer modes: float32 coordinates of exact halves come out a few ulps off (14.5 =
// (4 + 0.5) * 20 / 6 - 0.5 computes as 14.499999), and the preferred side should win there.
constexpr float kHalfTolerance = 1e-6f;

// The input index nearest to coordinate c by `mode`, within [0, in_len). c is clamped to the input
// first (NaN to 0): the roundings are monotone and keep integers, so this is the rounded coordinate
// clamped, without converting a coordinate beyond int64 (an extreme scale's).
int64_t nearest_source(NearestMode mode, float c, int64_t in_len) {
  const float last = static_cast<float>(in_len - 1);
  c = c > 0 ? (c < last ? c : last) : 0.0f;
  const float below = std::floor(c);
  float r;
  switch (mode) {
    case NearestMode::floor:
      r = below;
      break;
    case NearestMode::ceil:
      r = std::ceil(c);
      break;
    case NearestMode::round_prefer_ceil:
    case NearestMode::round_prefer_floor:
    default:
      if (std::fabs(c - below - 0.5f) <= kHalfTolerance)  // c - below is exact
        r = mode == NearestMode::round_prefer_ceil ? below + 1 : below;
      else
        r = std::round(c);
      break;
  }
  return std::min(static_cast<int64_t>(r), in_len - 1);
}

// A table of `count` values, or MemoryError saying what it is for.
template <typename T>
std::vector<T> table(int64_t count) {
  try {
    return std::vector<T>(static_cast<size_t>(count));
  } catch (const std::bad_alloc&) {
    throw MemoryError(cvcore::detail::concat("cannot allocate ", count * int64_t(sizeof(T)),
                                     " bytes of working memory for the resize tables"));
  }
}

// The source index of every output index along an axis (nearest). An axis whose float32 scale is 1
// maps i to i, as onnxruntime skips the transform there (clamped: out may be larger than in).
std::vector<int64_t> nearest_table(const ResizeParams& p, int axis, int64_t in_len, int64_t out_len) {
  std::vector<int64_t> idx = table<int64_t>(out_len);
  const float scale = static_cast<float>(p.scales[axis]);
  for (int64_t i = 0; i < out_len; ++i)
    idx[i] = scale == 1.0f ? std::min(i, in_len - 1)
                           : nearest_source(p.nearest_mode, source_coordinate(p.coordinate_mode, i, scale, out_len,
                                                                              in_len),
                                            in_len);
  return idx;
}

// Along an axis (linear): output i reads inputs i1[i] and i2[i] with weights d2[i] and d1[i].
struct LinearTable {
  std::vector<int64_t> i1, i2;
  std::vector<float> d1, d2;
};

LinearTable linear_table(const ResizeParams& p, int axis, int64_t in_len, int64_t out_len) {
  LinearTable t{table<int64_t>(out_len), table<int64_t>(out_len), table<float>(out_len), table<float>(out_len)};
  const float scale = static_cast<float>(p.scales[axis]);
  const float last = static_cast<float>(in_len - 1);
  for (int64_t i = 0; i < out_len; ++i) {
    float c = scale == 1.0f ? static_cast<float>(i) : source_coordinate(p.coordinate_mode, i, scale, out_len, in_len);
    c = std::max(0.0f, std::min(c, last));  // onnxruntime's clamp: NaN becomes 0
    const int64_t i1 = std::min(static_cast<int64_t>(c), in_len - 1), i2 = std::min(i1 + 1, in_len - 1);
    t.i1[i] = i1;
    t.i2[i] = i2;
    t.d1[i] = i1 == i2 ? 0.5f : std::fabs(c - static_cast<float>(i1));
    t.d2[i] = i1 == i2 ? 0.5f : std::fabs(c - static_cast<float>(i2));
  }
  return t;
}

// How output columns take input columns, for nearest: each input column repeated `factor` times in
// order (idx[j] == j / factor: 1 is a copy, 2 the x2 upsampling of FPN necks), or 0 for a gather.
int64_t column_factor(const std::vector<int64_t>& idx, int64_t in_w, int64_t out_w) {
  if (out_w % in_w != 0) return 0;
  const int64_t factor = out_w / in_w;
  for (int64_t j = 0; j < out_w; ++j)
    if (idx[j] != j / factor) return 0;
  return factor;
}

// One output row of nearest from its source row.
void nearest_row(const float* src, const int64_t* ix, int64_t factor, int64_t in_w, int64_t out_w, float* dst) {
  if (factor == 1) {
    std::memcpy(dst, src, static_cast<size_t>(out_w) * sizeof(float));
  } else if (factor == 2) {
    for (int64_t j = 0; j < in_w; ++j) dst[2 * j] = dst[2 * j + 1] = src[j];
  } else if (factor > 2) {
    for (int64_t j = 0; j < in_w; ++j) std::fill_n(dst + j * factor, factor, src[j]);
  } else {
    for (int64_t j = 0; j < out_w; ++j) dst[j] = src[ix[j]];
  }
}

// The planes cut into blocks of whole output rows of about kElementwiseChunk outputs each: the units
// of the parallel loop. body(plane, first row, end row).
template <typename Body>
void for_row_blocks(const ResizeGeometry& g, int threads, double ns_per_output, Body body) {
  const int64_t rows = max64(1, min64(g.out_h, kElementwiseChunk / g.out_w));
  const int64_t blocks = ceil_div(g.out_h, rows);
  parallel_for(g.planes * blocks, threads, {ns_per_output * double(rows) * double(g.out_w)}, [&](int64_t u) {
    const int64_t plane = u / blocks, r0 = (u % blocks) * rows;
    body(plane, r0, min64(g.out_h, r0 + rows));
  });
}

void resize_nearest(const ResizeGeometry& g, const ResizeParams& p, const float* x, float* y, int threads) {
  const std::vector<int64_t> iy = nearest_table(p, 0, g.in_h, g.out_h);
  const std::vector<int64_t> ix = nearest_table(p, 1, g.in_w, g.out_w);
  const int64_t factor = column_factor(ix, g.in_w, g.out_w);
  for_row_blocks(g, threads, elements(1).ns, [&](int64_t plane, int64_t r0, int64_t r1) {
    const float* src = x + plane * g.in_h * g.in_w;
    float* dst = y + plane * g.out_h * g.out_w;
    for (int64_t r = r0; r < r1; ++r) {
      float* row = dst + r * g.out_w;
      if (r > r0 && iy[r] == iy[r - 1])  // the same source row: a copy of the row above
        std::memcpy(row, row - g.out_w, static_cast<size_t>(g.out_w) * sizeof(float));
      else
        nearest_row(src + iy[r] * g.in_w, ix.data(), factor, g.in_w, g.out_w, row);
    }
  });
}

void resize_linear(const ResizeGeometry& g, const ResizeParams& p, const float* x, float* y, int threads) {
  const LinearTable ty = linear_table(p, 0, g.in_h, g.out_h);
  const LinearTable tx = linear_table(p, 1, g.in_w, g.out_w);
  const int64_t *x1 = tx.i1.data(), *x2 = tx.i2.data();
  const float *dx1 = tx.d1.data(), *dx2 = tx.d2.data();
  for_row_blocks(g, threads, scalar_ops(1).ns, [&](int64_t plane, int64_t r0, int64_t r1) {
    const float* src = x + plane * g.in_h * g.in_w;
    float* dst = y + plane * g.out_h * g.out_w;
    for (int64_t r = r0; r < r1; ++r) {
      const float* a = src + ty.i1[r] * g.in_w;
      const float* b = src + ty.i2[r] * g.in_w;
      const float dy1 = ty.d1[r], dy2 = ty.d2[r];
      float* row = dst + r * g.out_w;
      // onnxruntime's expression and order, term by term.
      for (int64_t j = 0; j < g.out_w; ++j)
        row[j] = dx2[j] * dy2 * a[x1[j]] + dx1[j] * dy2 * a[x2[j]] + dx2[j] * dy1 * b[x1[j]] + dx1[j] * dy1 * b[x2[j]];
    }
  });
}

}  // namespace

void resize(const ResizeGeometry& g, const ResizeParams& p, const float* x, float* y, int threads) {
  if (g.out_h == g.in_h && g.out_w == g.in_w) {  // onnxruntime copies an output of the input's size
    parallel_chunks(g.planes * g.in_h * g.in_w, threads, elements(1), [&](int64_t begin, int64_t end) {
      std::memcpy(y + begin, x + begin, static_cast<size_t>(end - begin) * sizeof(float));
    });
    return;
  }
  if (p.mode == ResizeMode::linear)
    resize_linear(g, p, x, y, threads);
  else
    resize_nearest(g, p, x, y, threads);
}

}  // namespace cvcore::cpu
