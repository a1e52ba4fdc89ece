// Elementwise binary driver. The shapes are collapsed first: output dimensions of size 1 dropped, and
// adjacent dimensions merged where each operand is broadcast along both or along neither. The common
// cases become one row (same shapes; an operand of one element) or rows of the last merged dimension
// (per-channel (1, C, 1, 1) against (N, C, H, W): rows of H * W elements with one value of b each).
// A row is one of three loops the compiler vectorises: both operands read along the row, or one of
// them a single value for the whole row. Each output is one IEEE operation on its two inputs, so the
// results do not depend on how the rows are split over the threads.
#include "elementwise.hpp"

#include <array>

#include "parallel.hpp"
#include "rows.hpp"

namespace cvcore::cpu {
namespace {

template <BinaryOp Op>
inline float apply(float x, float y) {
  if constexpr (Op == BinaryOp::add) return x + y;
  else if constexpr (Op == BinaryOp::sub) return x - y;
  else if constexpr (Op == BinaryOp::mul) return x * y;
  else return x / y;
}

// activation()'s relu and relu6: -0.0 and NaN pass through.
template <Epilogue Act>
inline float activate(float v) {
  if constexpr (Act == Epilogue::relu) return v < 0.f ? 0.f : v;
  else if constexpr (Act == Epilogue::relu6) return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
  else return v;
}

// How a row reads an operand: an element per output, or one value for the whole row.
enum class Read { along, value };

// Outputs are computed a tile at a time into a local buffer and then stored, so that out may be an
// operand itself (a tile is read before it is written) and the loops vectorise without alias checks.
constexpr int kTile = 16;

using RowFn = void (*)(const float* a, const float* b, float* out, int64_t n);

template <BinaryOp Op, Epilogue Act, Read A, Read B>
void row(const float* a, const float* b, float* out, int64_t n) {
  const float a0 = a[0], b0 = b[0];
  const auto at = [&](int64_t i) {
    return activate<Act>(apply<Op>(A == Read::along ? a[i] : a0, B == Read::along ? b[i] : b0));
  };
  int64_t i = 0;
  for (; i + kTile <= n; i += kTile) {
    float tile[kTile];
    for (int j = 0; j < kTile; ++j) tile[j] = at(i + j);
    for (int j = 0; j < kTile; ++j) out[i + j] = tile[j];
  }
  for (; i < n; ++i) out[i] = at(i);
}

template <BinaryOp Op, Epilogue Act>
RowFn pick_row(Read a, Read b) {
  if (a == Read::value) return row<Op, Act, Read::value, Read::along>;
  if (b == Read::value) return row<Op, Act, Read::along, Read::value>;
  return row<Op, Act, Read::along, Read::along>;
}

template <BinaryOp Op>
RowFn pick_row(Epilogue act, Read a, Read b) {
  if (act == Epilogue::relu) return pick_row<Op, Epilogue::relu>(a, b);
  if (act == Epilogue::relu6) return pick_row<Op, Epilogue::relu6>(a, b);
  return pick_row<Op, Epilogue::none>(a, b);
}

RowFn pick_row(BinaryOp op, Epilogue act, Read a, Read b) {
  switch (op) {
    case BinaryOp::add: return pick_row<BinaryOp::add>(act, a, b);
    case BinaryOp::sub: return pick_row<BinaryOp::sub>(act, a, b);
    case BinaryOp::mul: return pick_row<BinaryOp::mul>(act, a, b);
    case BinaryOp::div: break;
  }
  return pick_row<BinaryOp::div>(act, a, b);
}

// The broadcast as a loop over collapsed dimensions: operand 0 is a, 1 is b, with stride 0 along
// the dimensions where they are broadcast.
StridedLoop<2> collapse(int ndim, const int64_t* out_shape, const int64_t* a_shape, const int64_t* b_shape) {
  StridedLoop<2> c;
  std::array<bool, kMaxDims> a_broadcast{}, b_broadcast{};
  for (int d = 0; d < ndim; ++d) {
    if (out_shape[d] == 1) continue;
    const bool ab = a_shape[d] == 1, bb = b_shape[d] == 1;
    if (c.ndim > 0 && a_broadcast[c.ndim - 1] == ab && b_broadcast[c.ndim - 1] == bb) {
      c.size[c.ndim - 1] *= out_shape[d];
      continue;
    }
    c.size[c.ndim] = out_shape[d];
    a_broadcast[c.ndim] = ab;
    b_broadcast[c.ndim] = bb;
    ++c.ndim;
  }
  if (c.ndim == 0) c.size[c.ndim++] = 1;  // one element
  int64_t a_next = 1, b_next = 1;
  for (int d = c.ndim - 1; d >= 0; --d) {
    c.stride[0][d] = a_broadcast[d] ? 0 : a_next;
    c.stride[1][d] = b_broadcast[d] ? 0 : b_next;
    if (!a_broadcast[d]) a_next *= c.size[d];
    if (!b_broadcast[d]) b_next *= c.size[d];
  }
  return c;
}

}  // namespace

void binary(BinaryOp op, Epilogue act, int ndim, const int64_t* out_shape, const int64_t* a_shape,
            const int64_t* b_shape, const float* a, const float* b, float* out, int threads) {
  const StridedLoop<2> loop = collapse(ndim, out_shape, a_shape, b_shape);
  const int last = loop.ndim - 1;
  const RowFn fn = pick_row(op, act, loop.stride[0][last] ? Read::along : Read::value,
                            loop.stride[1][last] ? Read::along : Read::value);
  int64_t n = 1;
  for (int d = 0; d < loop.ndim; ++d) n *= loop.size[d];
  parallel_chunks(n, threads, elements(1), [&](int64_t begin, int64_t end) {
    for_each_row_piece(loop, begin, end,
                       [&](const RowPiece<2>& p) { fn(a + p.offsets[0], b + p.offsets[1], out + p.out, p.len); });
  });
}

}  // namespace cvcore::cpu
