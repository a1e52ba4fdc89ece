// Max pooling without indices, kWidth outputs at a time: the interior of one row (windows inside
// the input; stride 1: unaligned loads, stride 2: even-element loads), or whole small planes
// gathered through a table of each output's taps.

// m after one more tap v, by PyTorch's rule: v replaces m when greater or NaN (so the first of equal
// values stays, and the last NaN wins).
static inline Vec max_tap(Vec m, Vec v) { return vselect(veq(v, v), vmax(v, m), v); }
static inline float max_tap(float m, float v) { return v > m || v != v ? v : m; }

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

// Planes p in [p0, p1) of h x w (no padding, dilation 1, stride_w 1 or 2, w and kw at most
// kSeparableMaxWidth): y[p * out_h * out_w + i * out_w + j] = the maximum of window (i, j) by
// PyTorch's rule, taken separably: the column maxima of each window's rows (whole rows, kWidth
// columns at a time), then each window's maximum across its columns. The maximum's value is the
// same in any order; its bits can differ only for a zero (+0 / -0 ties keep the first) or a NaN (the
// last one wins), so outputs that come out zero or NaN are taken again tap by tap in row-major
// order: exactly the scalar rule.
constexpr int64_t kSeparableRows = 8;

// The window (i, j) tap by tap in row-major order, by the scalar rule.
static inline float max_window_exact(const float* plane, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t r0,
                                     int64_t c0) {
  const int64_t r1 = min64(r0 + kh, h), c1 = min64(c0 + kw, w);
  float m = plane[r0 * w + c0];
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t c = r == r0 ? c0 + 1 : c0; c < c1; ++c) m = max_tap(m, plane[r * w + c]);
  return m;
}

static void max_pool_separable(const float* x, int64_t h, int64_t w, int64_t p0, int64_t p1, int64_t kh, int64_t kw,
                               int64_t sh, int64_t sw, int64_t out_h, int64_t out_w, float* y) {
  // Column maxima of kSeparableRows output rows (computed before they are read, so that no load
  // waits on a recent overlapping store), each row followed by -inf up to `stride`: the pass across
  // columns reads up to ceil(out_w / kWidth) * kWidth * sw + kw + kWidth columns, and a tap at -inf
  // changes nothing.
  const int64_t stride = ceil_div(out_w, kWidth) * kWidth * sw + kw + kWidth;
  alignas(64) float cols[kSeparableRows * (3 * kSeparableMaxWidth + 4 * kMaxVectorWidth)];
  for (int64_t i = 0; i < kSeparableRows; ++i)
    for (int64_t c = w; c < stride; ++c) cols[i * stride + c] = -__builtin_inff();
  const Vec one = vset1(1.f);
  for (int64_t p = p0; p < p1; ++p) {
    const float* plane = x + p * h * w;
    for (int64_t i0 = 0; i0 < out_h; i0 += kSeparableRows) {
      const int64_t i1 = min64(out_h, i0 + kSeparableRows);
      for (int64_t i = i0; i < i1; ++i) {
        const int64_t r0 = i * sh, r1 = min64(r0 + kh, h);
        float* ci = cols + (i - i0) * stride;
        for (int64_t c0 = 0; w >= kWidth && c0 < w; c0 += kWidth) {
          const int64_t c = min64(c0, w - kWidth);  // the last vector overlaps the previous one
          Vec m = vloadu(plane + r0 * w + c);
          for (int64_t r = r0 + 1; r < r1; ++r) m = max_tap(m, vloadu(plane + r * w + c));
          vstoreu(ci + c, m);
        }
        for (int64_t c = 0; c < w && w < kWidth; ++c) {  // rows narrower than a vector
          float m = plane[r0 * w + c];
          for (int64_t r = r0 + 1; r < r1; ++r) m = max_tap(m, plane[r * w + c]);
          ci[c] = m;
        }
      }
      for (int64_t i = i0; i < i1; ++i) {
        float* out = y + (p * out_h + i) * out_w;
        for (int64_t j0 = 0; j0 < out_w; j0 += kWidth) {
          // The last vector overlaps the previous one (or, on rows narrower than a vector, is cut).
          const int64_t j = out_w >= kWidth ? min64(j0, out_w - kWidth) : 0;
          const float* base = cols + (i - i0) * stride + j * sw;
          Vec m = sw == 1 ? vloadu(base) : vload_even(base);
          for (int64_t k = 1; k < kw; ++k) m = max_tap(m, sw == 1 ? vloadu(base + k) : vload_even(base + k));
          const bool ordinary = vsum(vselect(vlt(vzero(), vabs(m)), vzero(), one)) == 0.f;  // no zero, no NaN
          if (ordinary && out_w >= kWidth) {
            vstoreu(out + j, m);
            continue;
          }
          alignas(64) float lanes[kMaxVectorWidth];
          vstoreu(lanes, m);
          for (int64_t l = 0; l < kWidth && j + l < out_w; ++l) {
            const float v = lanes[l];
            out[j + l] = v < 0.f || v > 0.f ? v : max_window_exact(plane, h, w, kh, kw, i * sh, (j + l) * sw);
          }
        }
      }
    }
  }
}

// Image pyramids (adaptive average pooling of uint8 planes through a summed-area table, cpu/pool.cpp).
// row[c + 1] = above[c + 1] + in[0] + ... + in[c] for c < w: the row's running sum a vector at a time
// (prefix sums within each vector by shifts, then the carry of the vectors before).
static void summed_area_row(const uint8_t* in, const int32_t* above, int32_t* row, int64_t w) {
  int64_t c = 0;
  int32_t run = 0;
#if defined(__AVX2__)
  __m256i carry = _mm256_setzero_si256();
  for (; c + 8 <= w; c += 8) {
    __m256i x = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + c)));
    x = _mm256_add_epi32(x, _mm256_slli_si256(x, 4));  // (within each half)
    x = _mm256_add_epi32(x, _mm256_slli_si256(x, 8));
    const __m256i low_total = _mm256_shuffle_epi32(x, _MM_SHUFFLE(3, 3, 3, 3));
    x = _mm256_add_epi32(x, _mm256_permute2x128_si256(low_total, low_total, 0x08));  // (into the high half)
    x = _mm256_add_epi32(x, carry);
    carry = _mm256_permutevar8x32_epi32(x, _mm256_set1_epi32(7));
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(above + c + 1));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(row + c + 1), _mm256_add_epi32(a, x));
  }
  run = _mm256_cvtsi256_si32(carry);
#endif
  for (; c < w; ++c) {
    run += in[c];
    row[c + 1] = above[c + 1] + run;
  }
}

// y[o] = the mean of window o of an output row, whose exact sum is (cur[e[o]] - cur[b[o]]) -
// (top[e[o]] - top[b[o]]) from the table rows at its bottom and top, for o < n: in double, divided
// once by its number of values, rows * width[o], as every adaptive window (cpu/pool.cpp). The sums
// of a chunk of windows first, then their divisions, which vectorise.
static void window_means(const int32_t* cur, const int32_t* top, const int32_t* b, const int32_t* e,
                         const double* width, double rows, int64_t n, float* y) {
  constexpr int64_t kChunk = 64;
  int32_t sum[kChunk];
  for (int64_t o0 = 0; o0 < n; o0 += kChunk) {
    const int64_t m = min64(kChunk, n - o0);
    for (int64_t i = 0; i < m; ++i) {
      const int64_t o = o0 + i;
      sum[i] = (cur[e[o]] - cur[b[o]]) - (top[e[o]] - top[b[o]]);
    }
    for (int64_t i = 0; i < m; ++i)
      y[o0 + i] = static_cast<float>(static_cast<double>(sum[i]) / (rows * width[o0 + i]));
  }
}
