// Data movement for transpose, slice, concat and pad. Shapes are collapsed first (size-1 dimensions
// dropped, dimensions that are contiguous together merged), then whole contiguous runs are copied
// with memcpy and the rest element by element, as 1-, 4- or 8-byte integers. Concat along axis 1 of
// NCHW maps is one memcpy per input and image; NCHW -> NHWC is one (C, H * W) -> (H * W, C) transpose
// per image, done in tiles that stay in L1.
#include "shape_ops.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "parallel.hpp"
#include "rows.hpp"

namespace cvcore::cpu {
namespace {

// Transposes move kTile x kTile tiles: reading kTile adjacent source elements from each of kTile
// rows, writing kTile adjacent outputs to each of kTile rows.
constexpr int64_t kTile = 16;

// Calls f(T{}) with T the unsigned integer type of `itemsize` bytes.
template <typename F>
void with_element_type(int64_t itemsize, F f) {
  if (itemsize == 1) return f(uint8_t{});
  if (itemsize == 4) return f(uint32_t{});
  f(uint64_t{});
}

int64_t product(const StridedLoop<1>& v) {
  int64_t n = 1;
  for (int d = 0; d < v.ndim; ++d) n *= v.size[d];
  return n;
}

// The view with size-1 dimensions dropped and adjacent ones merged where the source walks them as
// one; at least one dimension.
StridedLoop<1> collapse_view(int ndim, const int64_t* shape, const int64_t* strides) {
  StridedLoop<1> v;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] == 1) continue;
    const int prev = v.ndim - 1;
    if (prev >= 0 && v.stride[0][prev] == strides[d] * shape[d]) {
      v.size[prev] *= shape[d];
      v.stride[0][prev] = strides[d];
      continue;
    }
    v.size[v.ndim] = shape[d];
    v.stride[0][v.ndim] = strides[d];
    ++v.ndim;
  }
  if (v.ndim == 0) {
    v.size[0] = 1;
    v.stride[0][0] = 1;
    v.ndim = 1;
  }
  return v;
}

// A view whose source is contiguous along dimension j (not the last): for each index of the other
// dimensions, the (size[j], size[last]) plane is transposed in tiles. A work unit is kTile source
// columns of one plane.
template <typename T>
void transpose_tiles(const T* src, const StridedLoop<1>& v, int j, T* out, int threads) {
  const int last = v.ndim - 1;
  const int64_t cols = v.size[last], rows = v.size[j], col_stride = v.stride[0][last];
  std::array<int64_t, kMaxDims> out_stride{};
  for (int64_t d = last, next = 1; d >= 0; --d) {
    out_stride[size_t(d)] = next;
    next *= v.size[size_t(d)];
  }
  const int64_t blocks = ceil_div(rows, kTile), planes = product(v) / (rows * cols);
  parallel_for(planes * blocks, threads, elements(double(kTile * cols)), [&](int64_t unit) {
    const int64_t r0 = (unit % blocks) * kTile, r1 = min64(rows, r0 + kTile);
    int64_t rest = unit / blocks, src_offset = 0, out_offset = 0;
    for (int d = last - 1; d >= 0; --d) {
      if (d == j) continue;
      const int64_t i = rest % v.size[d];
      rest /= v.size[d];
      src_offset += i * v.stride[0][d];
      out_offset += i * out_stride[d];
    }
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t c1 = min64(cols, c0 + kTile);
      for (int64_t r = r0; r < r1; ++r) {
        const T* s = src + src_offset + r + c0 * col_stride;
        T* o = out + out_offset + r * out_stride[j];
        for (int64_t c = c0; c < c1; ++c, s += col_stride) o[c] = *s;
      }
    }
  });
}

// One axis of pad after collapsing: output o in [before, before + kept) reads source index
// first + (o - before); the others are padding.
struct PadAxis {
  int64_t out_size;
  int64_t before;     // outputs before the kept ones (may exceed out_size when kept is 0)
  int64_t kept;       // source elements kept after cropping, >= 0
  int64_t first;      // the first one kept
  int64_t in_stride;  // of the source, in elements
};

// The source index of output o along a, or -1 for the constant.
int64_t pad_source(const PadAxis& a, PadMode mode, int64_t o) {
  if (o >= a.before && o - a.before < a.kept) return a.first + (o - a.before);
  if (mode == PadMode::constant) return -1;
  const int64_t last = a.first + a.kept - 1;
  if (o < a.before) return mode == PadMode::edge ? a.first : a.first + (a.before - o);
  return mode == PadMode::edge ? last : last - (o - a.before - (a.kept - 1));
}

// The axes of pad with consecutive unpadded ones merged and unpadded size-1 ones dropped.
std::vector<PadAxis> pad_axes(int ndim, const int64_t* shape, const int64_t* pads, const int64_t* out_shape) {
  std::vector<PadAxis> axes;
  int64_t in_stride = 1;
  std::vector<int64_t> strides(static_cast<size_t>(ndim));
  for (int d = ndim - 1; d >= 0; --d) {
    strides[size_t(d)] = in_stride;
    in_stride *= std::max<int64_t>(shape[d], 1);
  }
  bool prev_unpadded = false;
  for (int d = 0; d < ndim; ++d) {
    const int64_t begin = pads[d], end = pads[ndim + d], size = shape[d];
    const bool unpadded = begin == 0 && end == 0;
    if (unpadded && size == 1) continue;
    if (unpadded && prev_unpadded) {
      PadAxis& a = axes.back();
      a.out_size *= size;
      a.kept *= size;
      a.in_stride = strides[size_t(d)];
      continue;
    }
    int64_t kept = size + std::min<int64_t>(begin, 0);
    if (kept > 0) kept += std::min<int64_t>(end, 0);
    kept = std::max<int64_t>(kept, 0);
    const int64_t first = begin < 0 && kept > 0 ? -begin : 0;  // -begin < size here (no INT64_MIN)
    axes.push_back({out_shape[d], std::max<int64_t>(begin, 0), kept, first, strides[size_t(d)]});
    prev_unpadded = unpadded;
  }
  if (axes.empty()) axes.push_back({1, 0, 1, 0, 1});
  return axes;
}

template <typename T>
void pad_rows(const T* src, const std::vector<PadAxis>& axes, PadMode mode, T value, T* out, int threads) {
  StridedLoop<0> loop;
  loop.ndim = int(axes.size());
  int64_t n = 1;
  for (int d = 0; d < loop.ndim; ++d) n *= loop.size[size_t(d)] = axes[size_t(d)].out_size;
  const int last = loop.ndim - 1;
  const PadAxis& row_axis = axes[size_t(last)];
  // The kept columns of every row: [kept_begin, kept_end).
  const int64_t kept_begin = min64(row_axis.before, row_axis.out_size);
  const int64_t kept_end = kept_begin + min64(row_axis.kept, row_axis.out_size - kept_begin);
  parallel_chunks(n, threads, elements(1), [&](int64_t begin, int64_t end) {
    for_each_row_piece(loop, begin, end, [&](const RowPiece<0>& p) {
      T* o = out + p.out - p.column;  // o[c]: column c of this row
      const int64_t c0 = p.column, c1 = p.column + p.len;
      int64_t src_offset = 0;
      for (int d = 0; d < last; ++d) {
        const int64_t s = pad_source(axes[size_t(d)], mode, p.index[size_t(d)]);
        if (s < 0) {
          std::fill(o + c0, o + c1, value);
          return;
        }
        src_offset += s * axes[size_t(d)].in_stride;
      }
      const T* row = src + src_offset;
      const auto padding = [&](int64_t from, int64_t to) {
        for (int64_t c = from; c < to; ++c) {
          const int64_t s = pad_source(row_axis, mode, c);
          o[c] = s < 0 ? value : row[s];
        }
      };
      padding(c0, min64(c1, kept_begin));
      const int64_t m0 = max64(c0, kept_begin), m1 = min64(c1, kept_end);
      if (m1 > m0) std::memcpy(o + m0, row + row_axis.first + (m0 - row_axis.before), size_t(m1 - m0) * sizeof(T));
      padding(max64(c0, kept_end), c1);
    });
  });
}

}  // namespace

void copy_view(const void* src, int ndim, const int64_t* shape, const int64_t* strides, int64_t itemsize, void* out,
               int threads) {
  const StridedLoop<1> v = collapse_view(ndim, shape, strides);
  const int last = v.ndim - 1;
  const int64_t n = product(v);
  if (v.stride[0][last] == 1) {  // contiguous runs
    const auto* s = static_cast<const char*>(src);
    auto* o = static_cast<char*>(out);
    parallel_chunks(n, threads, elements(1), [&](int64_t begin, int64_t end) {
      for_each_row_piece(v, begin, end, [&](const RowPiece<1>& p) {
        std::memcpy(o + p.out * itemsize, s + p.offsets[0] * itemsize, size_t(p.len * itemsize));
      });
    });
    return;
  }
  with_element_type(itemsize, [&](auto zero) {
    using T = decltype(zero);
    const T* s = static_cast<const T*>(src);
    T* o = static_cast<T*>(out);
    for (int j = 0; j < last; ++j)
      if (v.stride[0][j] == 1) return transpose_tiles(s, v, j, o, threads);
    const int64_t step = v.stride[0][last];  // a gather: no dimension is contiguous in the source
    parallel_chunks(n, threads, elements(2), [&](int64_t begin, int64_t end) {
      for_each_row_piece(v, begin, end, [&](const RowPiece<1>& p) {
        const T* from = s + p.offsets[0];
        for (int64_t k = 0; k < p.len; ++k) o[p.out + k] = from[k * step];
      });
    });
  });
}

void concat(int64_t outer, const std::vector<const void*>& inputs, const std::vector<int64_t>& extents,
            int64_t itemsize, void* out, int threads) {
  const size_t count = inputs.size();
  std::vector<int64_t> ends(count);  // where each input's part of an output row ends
  for (size_t k = 0, at = 0; k < count; ++k) ends[k] = int64_t(at += size_t(extents[k]));
  const int64_t row = ends.back();
  auto* o = static_cast<char*>(out);
  parallel_chunks(outer * row, threads, elements(1), [&](int64_t begin, int64_t end) {
    int64_t r = begin / row, column = begin % row;
    size_t k = size_t(std::upper_bound(ends.begin(), ends.end(), column) - ends.begin());
    for (int64_t i = begin; i < end;) {
      const int64_t len = min64(ends[k] - column, end - i), in_row = column - (ends[k] - extents[k]);
      std::memcpy(o + i * itemsize, static_cast<const char*>(inputs[k]) + (r * extents[k] + in_row) * itemsize,
                  size_t(len * itemsize));
      i += len;
      column += len;
      if (column == row) {
        ++r;
        column = 0;
        k = 0;
      }
      while (k < count && ends[k] <= column) ++k;  // past the inputs with nothing left in this row
    }
  });
}

void pad(const void* src, int ndim, const int64_t* shape, const int64_t* pads, const int64_t* out_shape, PadMode mode,
         const void* value, int64_t itemsize, void* out, int threads) {
  const std::vector<PadAxis> axes = pad_axes(ndim, shape, pads, out_shape);
  with_element_type(itemsize, [&](auto zero) {
    using T = decltype(zero);
    T constant;
    std::memcpy(&constant, value, sizeof(T));
    pad_rows(static_cast<const T*>(src), axes, mode, constant, static_cast<T*>(out), threads);
  });
}

}  // namespace cvcore::cpu
