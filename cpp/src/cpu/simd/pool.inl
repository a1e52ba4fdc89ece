// Max pooling without indices, kWidth outputs at a time: the interior of one row (windows inside
// the input; stride 1: unaligned loads, stride 2: even-element loads), or whole small planes
// gathered through a table of each output's taps.

// m after one more tap v, by PyTorch's rule: v replaces m when greater or NaN (so the first of equal
// values stays, and the last NaN wins).
static inline Vec max_tap(Vec m, Vec v) { return vselect(veq(v, v), vmax(v, m), v); }

// y[ow] for ow in [begin, ow_end), ow_end returned: the maximum over taps (i, k), i < kh rows,
// k < kw, in row-major order, of rows[i][ow * stride + k + offset], kWidth outputs at a time while
// their taps' loads (stride 1: unaligned; stride 2: even elements, which read one column more)
// stay inside [0, width) of the rows; the caller computes the rest. stride is 1 or 2.
static int64_t max_pool_interior(const float* const* rows, int64_t kh, int64_t kw, int64_t stride, int64_t offset,
                                 int64_t width, int64_t begin, int64_t end, float* y) {
  int64_t ow = begin;
  for (; ow + kWidth <= end && (ow + kWidth - 1) * stride + kw - 1 + offset + (stride == 2) < width; ow += kWidth) {
    auto tap = [&](int64_t i, int64_t k) {
      const float* p = rows[i] + ow * stride + k + offset;
      return stride == 1 ? vloadu(p) : vload_even(p);
    };
    Vec m = tap(0, 0);
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t k = i == 0 ? 1 : 0; k < kw; ++k) m = max_tap(m, tap(i, k));
    vstoreu(y + ow, m);
  }
  return ow;
}

// Whole small planes (no padding, dilation 1): y[p * out + j] = the maximum over taps t < taps, in
// order, of x[p * in_plane + idx[t * stride + j]] for planes p in [p0, p1) and outputs j < out.
// idx (taps x stride, stride >= out rounded up to kWidth) lists each output's window in row-major
// order; a window cut by the input's edge repeats its previous tap, which changes nothing.
static void max_pool_planes(const float* x, int64_t in_plane, int64_t p0, int64_t p1, const int32_t* idx,
                            int64_t taps, int64_t stride, int64_t out, float* y) {
  for (int64_t p = p0; p < p1; ++p) {
    const float* base = x + p * in_plane;
    float* yp = y + p * out;
    for (int64_t j = 0; j < out; j += kWidth) {
      Vec m = vgather(base, idx + j);
      for (int64_t t = 1; t < taps; ++t) m = max_tap(m, vgather(base, idx + t * stride + j));
      if (j + kWidth <= out) {
        vstoreu(yp + j, m);
      } else {
        alignas(64) float lanes[kWidth];
        vstoreu(lanes, m);
        for (int64_t i = 0; j + i < out; ++i) yp[j + i] = lanes[i];
      }
    }
  }
}
