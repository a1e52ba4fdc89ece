// Pooling kernels. Parallel over output rows (plane, oh) with a static partition; each output is
// reduced in PyTorch's order (window rows top to bottom, each left to right), so results do not
// depend on the thread count, and the float32 sums of avg_pool2d's small windows round as PyTorch's
// CPU kernel's (larger and adaptive windows sum in double: see kFloatSumTaps). Columns whose window lies
// wholly inside the input are computed one tap at a time across the row, a loop compilers vectorise;
// the few border columns clip their own windows.
#include "pool.hpp"

#include <climits>
#include <cmath>
#include <limits>
#include <cstring>
#include <type_traits>
#include <vector>

#include "parallel.hpp"
#include "simd/kernels.hpp"

namespace cvcore::cpu {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// min(start + length, limit) for start < limit, else limit, without forming start + length (a
// window of a huge kernel; limit - start is at most the padded size).
inline int64_t clipped_end(int64_t start, int64_t length, int64_t limit) {
  return start < limit ? start + min64(length, limit - start) : limit;
}

// The tap after i of a window whose taps end before `end`, without forming i + dilation past it (a
// window of one tap may come with any dilation).
inline int64_t next_tap(int64_t i, int64_t dilation, int64_t end) { return end - i > dilation ? i + dilation : end; }

// The taps of a window along one axis that lie in [0, size): first, first + dilation, ... < end.
// As PyTorch, `first` is the first tap at or after 0 even when it is >= size (then the window is empty).
struct Taps {
  int64_t first, end;
};
inline Taps window_taps(int64_t start, int64_t kernel, int64_t dilation, int64_t size) {
  const int64_t end = clipped_end(start, (kernel - 1) * dilation + 1, size);
  const int64_t first = start < 0 ? start + ceil_div(-start, dilation) * dilation : start;
  return {first, end};
}

// Outputs [begin, end) along one axis whose windows lie wholly inside [0, size).
inline Range interior(int64_t out, int64_t size, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation) {
  const int64_t room = size + pad - ((kernel - 1) * dilation + 1);  // largest start + pad that fits
  const int64_t begin = min64(ceil_div(pad, stride), out);
  const int64_t end = room >= 0 ? min64(room / stride + 1, out) : 0;
  return {begin, max64(begin, end)};
}

// max over one window, keeping the first maximum and letting NaN win (the last NaN, as PyTorch).
template <bool WithIndices>
inline void max_window(const float* xp, int64_t W, Taps th, int64_t dh, Taps tw, int64_t dw, float* y,
                       int64_t* index) {
  float m = kNegInf;
  int64_t mi = 0;
  if constexpr (WithIndices) mi = th.first * W + tw.first;  // (the frontend checks it fits)
  for (int64_t ih = th.first; ih < th.end; ih = next_tap(ih, dh, th.end))
    for (int64_t iw = tw.first; iw < tw.end; iw = next_tap(iw, dw, tw.end)) {
      const float v = xp[ih * W + iw];
      if (v > m || std::isnan(v)) {
        m = v;
        mi = ih * W + iw;
      }
    }
  *y = m;
  if constexpr (WithIndices) *index = mi;
}

// Sum of xp[h0:h1, w0:w1] in float32, in row-major order (PyTorch's, see kFloatSumTaps).
inline float float_sum(const float* xp, int64_t W, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
  float s = 0.0f;
  for (int64_t ih = h0; ih < h1; ++ih)
    for (int64_t iw = w0; iw < w1; ++iw) s += xp[ih * W + iw];
  return s;
}

// Sum of xp[h0:h1, w0:w1] in double, in four partial sums (columns w0 + l, w0 + l + 4, ... of every
// row) added in a fixed order at the end: the adds of a window overlap instead of waiting for each
// other. Any order of double adds is exact on the maps whose means must be exact (a constant, or
// integers as uint8 pixels), and within double rounding of the exact sum otherwise.
inline double double_sum(const float* xp, int64_t W, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;  // (variables, not an array: they stay in registers)
  for (int64_t ih = h0; ih < h1; ++ih) {
    const float* row = xp + ih * W;
    int64_t iw = w0;
    for (; iw + 4 <= w1; iw += 4) {
      s0 += static_cast<double>(row[iw]);
      s1 += static_cast<double>(row[iw + 1]);
      s2 += static_cast<double>(row[iw + 2]);
      s3 += static_cast<double>(row[iw + 3]);
    }
    if (iw < w1) s0 += static_cast<double>(row[iw++]);
    if (iw < w1) s1 += static_cast<double>(row[iw++]);
    if (iw < w1) s2 += static_cast<double>(row[iw]);
  }
  return (s0 + s1) + (s2 + s3);
}

// Window rows at most for the SIMD interior kernel.
constexpr int64_t kSimdPoolRows = 16;

template <bool WithIndices>
void max_pool_row(const PoolGeometry& g, const float* xp, int64_t oh, Range inner, float* __restrict y,
                  int64_t* __restrict index) {
  const int64_t W = g.in_w, sw = g.stride_w, dw = g.dilation_w;
  const Taps th = window_taps(oh * g.stride_h - g.pad_h, g.kernel_h, g.dilation_h, g.in_h);
  auto border = [&](int64_t ow) {
    const Taps tw = window_taps(ow * sw - g.pad_w, g.kernel_w, dw, W);
    max_window<WithIndices>(xp, W, th, g.dilation_h, tw, dw, y + ow, WithIndices ? index + ow : nullptr);
  };
  for (int64_t ow = 0; ow < inner.begin; ++ow) border(ow);
  // Whole vectors of interior outputs from the SIMD kernel, the rest below.
  const int64_t kh = th.first < th.end ? (th.end - 1 - th.first) / g.dilation_h + 1 : 0;
  if (!WithIndices && dw == 1 && (sw == 1 || sw == 2) && kh >= 1 && kh <= kSimdPoolRows) {
    const float* rows[kSimdPoolRows];
    for (int64_t i = 0; i < kh; ++i) rows[i] = xp + (th.first + i * g.dilation_h) * W;
    inner.begin = active_kernels().max_pool_interior(rows, kh, g.kernel_w, sw, -g.pad_w, W, inner.begin, inner.end, y);
  }
  for (int64_t ow = inner.begin; ow < inner.end; ++ow) {
    y[ow] = kNegInf;
    if constexpr (WithIndices) index[ow] = th.first * W + ow * sw - g.pad_w;
  }
  for (int64_t ih = th.first; ih < th.end && inner.begin < inner.end; ih = next_tap(ih, g.dilation_h, th.end)) {
    const float* __restrict row = xp + ih * W;
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      const int64_t offset = kw * dw - g.pad_w;
      for (int64_t ow = inner.begin; ow < inner.end; ++ow) {
        const int64_t iw = ow * sw + offset;
        const float v = row[iw];
        const bool take = v > y[ow] || v != v;
        y[ow] = take ? v : y[ow];
        if constexpr (WithIndices) index[ow] = take ? ih * W + iw : index[ow];
      }
    }
  }
  for (int64_t ow = inner.end; ow < g.out_w; ++ow) border(ow);
}

// acc[ow] = the sum of the interior window of output ow (columns [inner.begin, inner.end), rows
// [h0, h1)) in Acc, tap by tap across the row: each window's values in row-major order.
template <typename Acc>
void interior_sums(const PoolGeometry& g, const float* xp, int64_t h0, int64_t h1, Range inner, Acc* __restrict acc) {
  const int64_t W = g.in_w, sw = g.stride_w;
  for (int64_t ow = inner.begin; ow < inner.end; ++ow) acc[ow] = 0;
  for (int64_t ih = h0; ih < h1; ++ih) {
    const float* __restrict row = xp + ih * W;
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      const int64_t offset = kw - g.pad_w;
      for (int64_t ow = inner.begin; ow < inner.end; ++ow) acc[ow] += row[ow * sw + offset];
    }
  }
}

void avg_pool_row(const PoolGeometry& g, bool count_include_pad, int64_t divisor_override, const float* xp,
                  int64_t oh, Range inner, float* __restrict y) {
  const int64_t H = g.in_h, W = g.in_w, sw = g.stride_w;
  // The window clipped to the padded input [-pad, size + pad), then to the input.
  const int64_t hs = oh * g.stride_h - g.pad_h, he = clipped_end(hs, g.kernel_h, H + g.pad_h);
  const int64_t h0 = max64(hs, 0), h1 = min64(he, H);
  // The divisor of the window starting at column ws, in float32 (PyTorch's) or double. The area is
  // formed in double: the padded window's may pass 2^63 (a huge kernel with padding); exact below 2^53.
  auto area = [&](int64_t ws) {
    const int64_t we = clipped_end(ws, g.kernel_w, W + g.pad_w);
    if (count_include_pad) return static_cast<double>(he - hs) * static_cast<double>(we - ws);
    return static_cast<double>((h1 - h0) * (min64(we, W) - max64(ws, 0)));
  };
  auto divisor_f = [&](int64_t ws) {
    return divisor_override != 0 ? static_cast<float>(divisor_override) : static_cast<float>(area(ws));
  };
  auto divisor_d = [&](int64_t ws) {
    return divisor_override != 0 ? static_cast<double>(divisor_override) : area(ws);
  };
  auto border = [&](int64_t ow) {
    const int64_t ws = ow * sw - g.pad_w, w0 = max64(ws, 0), w1 = clipped_end(ws, g.kernel_w, W);
    if (h0 >= h1 || w0 >= w1)
      y[ow] = 0.0f;
    else if ((h1 - h0) * (w1 - w0) <= kFloatSumTaps)
      y[ow] = float_sum(xp, W, h0, h1, w0, w1) / divisor_f(ws);
    else
      y[ow] = static_cast<float>(double_sum(xp, W, h0, h1, w0, w1) / divisor_d(ws));
  };
  for (int64_t ow = 0; ow < inner.begin; ++ow) border(ow);
  if (inner.begin < inner.end) {
    const int64_t ws = inner.begin * sw - g.pad_w;  // every interior column has the same divisor
    if ((h1 - h0) * g.kernel_w <= kFloatSumTaps) {
      interior_sums(g, xp, h0, h1, inner, y);
      const float d = divisor_f(ws);
      for (int64_t ow = inner.begin; ow < inner.end; ++ow) y[ow] /= d;
    } else {
      thread_local std::vector<double> sums;
      sums.resize(static_cast<size_t>(inner.end));
      interior_sums(g, xp, h0, h1, inner, sums.data());
      const double d = divisor_d(ws);
      for (int64_t ow = inner.begin; ow < inner.end; ++ow) y[ow] = static_cast<float>(sums[ow] / d);
    }
  }
  for (int64_t ow = inner.end; ow < g.out_w; ++ow) border(ow);
}

// Adaptive window bounds along one axis: [floor(i * in / out), ceil((i + 1) * in / out)).
inline int64_t adaptive_begin(int64_t i, int64_t in, int64_t out) { return i * in / out; }
inline int64_t adaptive_end(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }

// Runs row(xp, oh, y, index) for every output row (plane, oh), on `threads` threads.
template <typename T, typename Row>
void for_each_row(const PoolGeometry& g, const T* x, float* y, int64_t* indices, int threads, Row row) {
  const int64_t in_plane = g.in_h * g.in_w;
  // A row's cost: its windows' taps (an adaptive window spans about in / out rows and columns).
  const int64_t kh = max64(g.kernel_h, ceil_div(g.in_h, max64(1, g.out_h)));
  const int64_t kw = max64(g.kernel_w, ceil_div(g.in_w, max64(1, g.out_w)));
  parallel_for(g.planes * g.out_h, threads, elements(double(g.out_w) * double(kh) * double(kw)), [&](int64_t r) {
    const int64_t plane = r / g.out_h, oh = r % g.out_h, o = r * g.out_w;
    row(x + plane * in_plane, oh, y + o, indices ? indices + o : nullptr);
  });
}

// Small planes go whole through the gathering SIMD kernel (rows narrower than this many outputs
// would cost more in per-row overhead than in taps); the table of tap offsets stays small.
constexpr int64_t kPlaneOutWidth = 16, kMaxPlaneTable = int64_t(1) << 16;
// Outputs per row pooled separably: from one AVX2 vector to below kSeparableOutWidth.
constexpr int64_t kSeparableMinOutWidth = 8, kSeparableOutWidth = 64;

// The row length of the tap table: the outputs of a plane in whole vectors of any ISA.
int64_t plane_table_stride(const PoolGeometry& g) {
  return ceil_div(g.out_h * g.out_w, kMaxVectorWidth) * kMaxVectorWidth;
}

bool whole_planes(const PoolGeometry& g, bool indices) {
  // The table's size compared without forming products of kernel sizes, which may be huge.
  const int64_t taps = min64(g.kernel_h, kMaxPlaneTable) * min64(g.kernel_w, kMaxPlaneTable);
  return !indices && g.pad_h == 0 && g.pad_w == 0 && g.dilation_h == 1 && g.dilation_w == 1 &&
         g.out_w < kPlaneOutWidth && taps <= kMaxPlaneTable / plane_table_stride(g) && g.in_h * g.in_w <= INT32_MAX;
}

// Max pooling of whole planes from a table of each output's window (see Kernels::max_pool_planes).
void max_pool_whole_planes(const PoolGeometry& g, const float* x, float* y, int threads) {
  const int64_t H = g.in_h, W = g.in_w, out = g.out_h * g.out_w, taps = g.kernel_h * g.kernel_w;
  const int64_t stride = plane_table_stride(g);
  std::vector<int32_t> idx(static_cast<size_t>(taps * stride));
  for (int64_t t = 0; t < taps; ++t) {
    const int64_t i = t / g.kernel_w, k = t % g.kernel_w;
    for (int64_t j = 0; j < stride; ++j) {
      const int64_t o = j < out ? j : out - 1, r = o / g.out_w * g.stride_h + i, c = o % g.out_w * g.stride_w + k;
      // With no padding a window's first tap is inside the input; a later one outside repeats its predecessor.
      idx[t * stride + j] = r < H && c < W ? static_cast<int32_t>(r * W + c) : idx[(t - 1) * stride + j];
    }
  }
  const auto kernel = active_kernels().max_pool_planes;
  parallel_for(g.planes, threads, elements(double(taps * out)),
               [&](int64_t p) { kernel(x, H * W, p, p + 1, idx.data(), taps, stride, out, y); });
}

// Planes whose rows fit a small buffer, with at least a vector of outputs per row, pool separably
// (Kernels::max_pool_separable); narrower outputs go through the tap table, wider rows row by row.
bool separable_planes(const PoolGeometry& g, bool indices) {
  return !indices && g.pad_h == 0 && g.pad_w == 0 && g.dilation_h == 1 && g.dilation_w == 1 &&
         (g.stride_w == 1 || g.stride_w == 2) && g.in_w <= kSeparableMaxWidth && g.kernel_w <= kSeparableMaxWidth &&
         g.out_w >= kSeparableMinOutWidth && g.out_w < kSeparableOutWidth;
}

}  // namespace

void max_pool2d(const PoolGeometry& g, const float* x, float* y, int64_t* indices, int threads) {
  if (separable_planes(g, indices != nullptr)) {
    const auto kernel = active_kernels().max_pool_separable;
    parallel_for(g.planes, threads, elements(double(g.in_h * g.in_w) * double(g.kernel_h + g.kernel_w)), [&](int64_t p) {
      kernel(x, g.in_h, g.in_w, p, p + 1, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w, g.out_h, g.out_w, y);
    });
    return;
  }
  if (whole_planes(g, indices != nullptr)) {
    max_pool_whole_planes(g, x, y, threads);
    return;
  }
  const Range inner = interior(g.out_w, g.in_w, g.kernel_w, g.stride_w, g.pad_w, g.dilation_w);
  for_each_row(g, x, y, indices, threads, [&](const float* xp, int64_t oh, float* yr, int64_t* ir) {
    if (ir)
      max_pool_row<true>(g, xp, oh, inner, yr, ir);
    else
      max_pool_row<false>(g, xp, oh, inner, yr, nullptr);
  });
}

void avg_pool2d(const PoolGeometry& g, bool count_include_pad, int64_t divisor_override, const float* x, float* y,
                int threads) {
  const Range inner = interior(g.out_w, g.in_w, g.kernel_w, g.stride_w, g.pad_w, 1);
  for_each_row(g, x, y, nullptr, threads, [&](const float* xp, int64_t oh, float* yr, int64_t*) {
    avg_pool_row(g, count_include_pad, divisor_override, xp, oh, inner, yr);
  });
}

namespace {

// The column windows of adaptive pooling, the same for every row: computed once (two integer
// divisions per output would cost more than the sums of small windows). Index: int64_t, or int32_t
// for the SIMD kernels of the summed-area path.
template <typename Index = int64_t>
struct AdaptiveColumns {
  std::vector<Index> begin, end;
  std::vector<double> width;

  AdaptiveColumns(int64_t in, int64_t out)
      : begin(static_cast<size_t>(out)), end(static_cast<size_t>(out)), width(static_cast<size_t>(out)) {
    for (int64_t o = 0; o < out; ++o) {
      begin[o] = static_cast<Index>(adaptive_begin(o, in, out));
      end[o] = static_cast<Index>(adaptive_end(o, in, out));
      width[o] = static_cast<double>(end[o] - begin[o]);
    }
  }

  // The mean of window o, `rows` high, from its sum: divided once in double, rounded to float32.
  float mean(double sum, int64_t o, double rows) const { return static_cast<float>(sum / (rows * width[o])); }
};

// Every adaptive window sums in double (uint8: in integers, exactly) and divides once by its number
// of values, whatever its size: each mean is the exact one rounded to float32 up to double rounding,
// and a constant map's mean is exact (see kFloatSumTaps; global average pooling, a ResNet's head,
// sums in double like any other window). The uint8 sums equal the double sums of the float32 copy,
// so both give the same bits.
template <typename T>
void adaptive_avg(const PoolGeometry& g, const T* x, float* y, int threads) {
  const int64_t H = g.in_h, W = g.in_w;
  const AdaptiveColumns<> cols(W, g.out_w);
  const int64_t* b = cols.begin.data();
  const int64_t* e = cols.end.data();
  // uint8: column sums over the window's rows (a vectorised pass), their running sums along the row
  // (int32 while 255 * rows * W fits), and each window's sum as the difference of two running sums.
  auto integer_means = [&](auto zero, const T* xp, int64_t h0, int64_t h1, float* yr) {
    using Int = decltype(zero);
    thread_local std::vector<Int> column;
    column.assign(static_cast<size_t>(W + 1), 0);
    Int* __restrict col = column.data() + 1;  // col[-1] = 0
    for (int64_t ih = h0; ih < h1; ++ih) {
      const T* __restrict row = xp + ih * W;
      for (int64_t iw = 0; iw < W; ++iw) col[iw] += row[iw];
    }
    for (int64_t iw = 1; iw < W; ++iw) col[iw] += col[iw - 1];  // col[i] = sum of columns 0..i
    const double rows = static_cast<double>(h1 - h0);
    for (int64_t o = 0; o < g.out_w; ++o) yr[o] = cols.mean(static_cast<double>(col[e[o] - 1] - col[b[o] - 1]), o, rows);
  };
  const bool int32_sums = (ceil_div(H, g.out_h) + 1) * (W + 1) <= INT32_MAX / 255;
  for_each_row(g, x, y, nullptr, threads, [&](const T* xp, int64_t oh, float* __restrict yr, int64_t*) {
    const int64_t h0 = adaptive_begin(oh, H, g.out_h), h1 = adaptive_end(oh, H, g.out_h);
    if constexpr (std::is_same<T, uint8_t>::value) {
      if (int32_sums)
        integer_means(int32_t(0), xp, h0, h1, yr);
      else
        integer_means(int64_t(0), xp, h0, h1, yr);
    } else {
      const double rows = static_cast<double>(h1 - h0);
      for (int64_t o = 0; o < g.out_w; ++o) yr[o] = cols.mean(double_sum(xp, W, h0, h1, b[o], e[o]), o, rows);
    }
  });
}

// Levels of uint8 planes from one pass over each plane, through its summed-area table
// sat[r][c] = the sum of x[r0:r, 0:c] (int32: the caller checks 255 * H * W fits): a window's sum is
// four lookups whatever its size. The table is never stored whole: its rows are produced top to
// bottom, and each level keeps a copy of the row its pending window starts on; a window is summed
// when the row it ends on comes. (Levels must not be taller than the input, so that consecutive
// windows overlap by at most one row: the next window starts on the current row or the one before.)
// With several threads each plane is cut into bands of input rows: a band computes the output rows
// whose windows start in it, its table counted from its first row r0 (differences of table rows
// do not depend on r0), streaming on past its end until those windows end. Sums are exact
// integers, so results do not depend on the bands.
void adaptive_avg_levels_streamed(const PoolGeometry& g, const uint8_t* x, const std::vector<int64_t>& levels,
                                  const int64_t* sizes, float* const* outs, int threads) {
  const int64_t H = g.in_h, W = g.in_w, Wp = W + 1;
  const Kernels& kernels = active_kernels();
  std::vector<AdaptiveColumns<int32_t>> cols;
  for (const int64_t i : levels) cols.emplace_back(W, sizes[2 * i + 1]);
  const int64_t count = static_cast<int64_t>(levels.size());
  // Bands of at least kLevelBandRows rows, enough for about four units per thread.
  constexpr int64_t kLevelBandRows = 64;
  const int64_t bands = threads > 1 ? max64(1, min64(ceil_div(4 * threads, g.planes), H / kLevelBandRows)) : 1;
  parallel_for(g.planes * bands, threads, elements(4.0 * double(H * W) * double(count) / double(bands)), [&](int64_t unit) {
    const int64_t p = unit / bands, r0 = unit % bands * H / bands, r1 = (unit % bands + 1) * H / bands;
    // Each level's output rows whose windows start in [r0, r1): next[l] .. last[l].
    std::vector<int64_t> next(static_cast<size_t>(count)), last(static_cast<size_t>(count));
    int64_t end_row = r0;
    for (int64_t l = 0; l < count; ++l) {
      const int64_t out_h = sizes[2 * levels[l]];
      int64_t oh = r0 * out_h / H;
      while (oh < out_h && adaptive_begin(oh, H, out_h) < r0) ++oh;
      next[l] = oh;
      while (oh < out_h && adaptive_begin(oh, H, out_h) < r1) ++oh;
      last[l] = oh;
      if (last[l] > next[l]) end_row = max64(end_row, adaptive_end(last[l] - 1, H, out_h));
    }
    // Rows: the previous and current table rows, then one window top per level.
    std::vector<int32_t> rows(static_cast<size_t>((2 + count) * Wp), 0);
    int32_t* prev = rows.data();
    int32_t* cur = prev + Wp;
    const uint8_t* plane = x + p * H * W;
    for (int64_t r = r0 + 1; r <= end_row; ++r) {
      int32_t* __restrict row = prev;  // becomes the current row; the old current one is now prev
      prev = cur;
      cur = row;
      kernels.summed_area_row(plane + (r - 1) * W, prev, row, W);
      for (int64_t l = 0; l < count; ++l) {
        const int64_t out_h = sizes[2 * levels[l]], out_w = sizes[2 * levels[l] + 1];
        int32_t* top = rows.data() + (2 + l) * Wp;
        int64_t& oh = next[l];
        // The band's first window of this level starts here (one starting at r0 has the zero row).
        if (oh < last[l] && adaptive_begin(oh, H, out_h) == r && (oh == 0 || adaptive_begin(oh - 1, H, out_h) < r0))
          std::memcpy(top, cur, sizeof(int32_t) * Wp);
        for (; oh < last[l] && adaptive_end(oh, H, out_h) == r; ++oh) {
          kernels.window_means(cur, top, cols[l].begin.data(), cols[l].end.data(), cols[l].width.data(),
                               static_cast<double>(r - adaptive_begin(oh, H, out_h)), out_w,
                               outs[levels[l]] + (p * out_h + oh) * out_w);
          if (oh + 1 < last[l])
            std::memcpy(top, adaptive_begin(oh + 1, H, out_h) == r ? cur : prev, sizeof(int32_t) * Wp);
        }
      }
    }
  });
}

}  // namespace

void adaptive_avg_pool2d(const PoolGeometry& g, const float* x, float* y, int threads) {
  adaptive_avg(g, x, y, threads);
}

void adaptive_avg_pool2d(const PoolGeometry& g, const uint8_t* x, float* y, int threads) {
  adaptive_avg(g, x, y, threads);
}

void adaptive_avg_pool2d_levels(const PoolGeometry& g, const uint8_t* x, int64_t count, const int64_t* sizes,
                                float* const* outs, int threads) {
  // The levels share one pass (see adaptive_avg_levels_streamed) while the image's sums fit the
  // int32 table; a level taller than the input, or every level of a larger image, is pooled alone.
  std::vector<int64_t> shared;
  const bool sat_fits = g.in_h * g.in_w <= INT32_MAX / 255;
  for (int64_t i = 0; i < count; ++i) {
    PoolGeometry level = g;
    level.out_h = sizes[2 * i];
    level.out_w = sizes[2 * i + 1];
    if (level.out_h == 0 || level.out_w == 0) continue;
    if (sat_fits && level.out_h <= g.in_h)
      shared.push_back(i);
    else
      adaptive_avg(level, x, outs[i], threads);
  }
  if (!shared.empty()) adaptive_avg_levels_streamed(g, x, shared, sizes, outs, threads);
}

void adaptive_max_pool2d(const PoolGeometry& g, const float* x, float* y, int64_t* indices, int threads) {
  const int64_t H = g.in_h, W = g.in_w;
  for_each_row(g, x, y, indices, threads, [&](const float* xp, int64_t oh, float* yr, int64_t* ir) {
    const Taps th{adaptive_begin(oh, H, g.out_h), adaptive_end(oh, H, g.out_h)};
    for (int64_t ow = 0; ow < g.out_w; ++ow) {
      const Taps tw{adaptive_begin(ow, W, g.out_w), adaptive_end(ow, W, g.out_w)};
      if (ir)
        max_window<true>(xp, W, th, 1, tw, 1, yr + ow, ir + ow);
      else
        max_window<false>(xp, W, th, 1, tw, 1, yr + ow, nullptr);
    }
  });
}

}  // namespace cvcore::cpu
