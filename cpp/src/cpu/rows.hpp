// The rows of an n-dimensional loop that writes a C-contiguous output and reads operands at any
// strides (elementwise ops, strided copies): the drivers collapse their shapes first, then hand each
// thread a flat range of outputs, which this walks row by row (a row: the last dimension).
#pragma once

#include <array>
#include <cstdint>

#include "cpu/ranges.hpp"
#include "cvcore/tensor.hpp"

namespace cvcore::cpu {

// Dimensions of a loop (sizes >= 1) and the strides, in elements, of its K operands along them.
template <int K>
struct StridedLoop {
  int ndim = 0;  // >= 1
  std::array<int64_t, kMaxDims> size{};
  std::array<std::array<int64_t, kMaxDims>, K> stride{};
};

// A part of one row of a StridedLoop: outputs out .. out + len - 1, which are elements column ..
// column + len - 1 of the row at outer index `index` (its first ndim - 1 entries), and read operand k
// from offsets[k] on, at stride[k][ndim - 1] per element.
template <int K>
struct RowPiece {
  int64_t out, len, column;
  std::array<int64_t, K> offsets;
  const std::array<int64_t, kMaxDims>& index;
};

// Calls piece(RowPiece) for the part of each row of `loop` that lies in the flat output range
// [begin, end): an odometer over the outer dimensions, with one division per range.
template <int K, typename Piece>
void for_each_row_piece(const StridedLoop<K>& loop, int64_t begin, int64_t end, Piece piece) {
  const int last = loop.ndim - 1;
  const int64_t inner = loop.size[last];
  std::array<int64_t, kMaxDims> index{};
  std::array<int64_t, K> base{};
  int64_t rest = begin / inner;
  for (int d = last - 1; d >= 0; --d) {
    index[d] = rest % loop.size[d];
    rest /= loop.size[d];
    for (int k = 0; k < K; ++k) base[k] += index[d] * loop.stride[k][d];
  }
  for (int64_t i = begin, column = begin % inner; i < end; column = 0) {
    RowPiece<K> p{i, min64(inner - column, end - i), column, base, index};
    for (int k = 0; k < K; ++k) p.offsets[k] += column * loop.stride[k][last];
    piece(p);
    i += p.len;
    for (int d = last - 1; d >= 0; --d) {
      for (int k = 0; k < K; ++k) base[k] += loop.stride[k][d];
      if (++index[d] < loop.size[d]) break;
      for (int k = 0; k < K; ++k) base[k] -= loop.stride[k][d] * loop.size[d];
      index[d] = 0;
    }
  }
}

}  // namespace cvcore::cpu
