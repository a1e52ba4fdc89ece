// RoI kernels. The NCHW map is transposed once per call to NHWC, so that each bilinear tap (or
// each pixel of a max-pooling bin) is a contiguous vector of channels; the per-channel loops then
// vectorise while keeping torchvision's arithmetic order per output value (the sum of w1*v1 + w2*v2
// + w3*v3 + w4*v4 over the samples in row-major order, then one division by the sample count;
// strict > for the maximum). roi_align on maps of few channels (an image) reads the NCHW planes in
// place instead: the same arithmetic, without a transposition that costs more than the sampling.
// The sample positions and weights of a RoI are computed once per axis and shared by all channels.
// Parallel over RoIs; each RoI is computed by one thread.
#include "roi.hpp"

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "parallel.hpp"
#include "scratch.hpp"
#include "simd/kernels.hpp"

namespace cvcore::cpu {
namespace {

// x (N, C, H, W) -> float NHWC in scratch, parallel over (n, h) rows.
template <typename T>
const float* to_nhwc(const RoiGeometry& g, const T* x, int threads) {
  const int64_t C = g.channels, H = g.height, W = g.width, plane = H * W;
  float* y = scratch_array<float>(ScratchSlot::roi_input, static_cast<size_t>(g.batch * C * plane));
  parallel_for(g.batch * H, threads, elements(2.0 * W * C), [&](int64_t row) {
    const int64_t n = row / H, h = row % H;
    const T* src = x + n * C * plane + h * W;
    float* dst = y + row * W * C;
    constexpr int64_t kBlock = 16;  // channels per pass: 16 source rows in flight, 64-byte writes
    for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
      const int64_t c1 = min64(c0 + kBlock, C);
      for (int64_t w = 0; w < W; ++w)
        for (int64_t c = c0; c < c1; ++c) dst[w * C + c] = static_cast<float>(src[c * plane + w]);
    }
  });
  return y;
}

// Runs body(k, workspace) for each RoI k on `threads` threads, each RoI's output computed by one thread
// whichever it is, in runs of consecutive RoIs handed out one at a time (RoI costs differ), so that a
// body can prefetch the next RoI's data. workspace holds `floats` floats of the running thread.
template <typename Body>
void for_each_roi(int64_t rois, int threads, UnitCost per_roi, size_t floats, Body body) {
  const int64_t run = max64(1, min64(16, rois / (8 * threads)));
  parallel_for(
      ceil_div(rois, run), threads, {per_roi.ns * static_cast<double>(run)},
      [&] { return scratch_array<float>(ScratchSlot::roi_work, floats); },
      [&](float* ws, int64_t r) {
        for (int64_t k = r * run; k < min64(rois, (r + 1) * run); ++k) body(k, ws);
      },
      Schedule::dynamic);
}

// The RoIs' indices by image, then top edge: crops of nearby boxes (a detector's overlapping
// candidates) follow each other and find their rows in the cache. No RoI's output depends on it.
std::vector<int64_t> rois_by_top(const float* boxes, int64_t rois) {
  std::vector<int64_t> order(static_cast<size_t>(rois));
  for (int64_t k = 0; k < rois; ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [boxes](int64_t a, int64_t b) {
    return boxes[5 * a] < boxes[5 * b] || (boxes[5 * a] == boxes[5 * b] && boxes[5 * a + 2] < boxes[5 * b + 2]);
  });
  return order;
}

// Writes one RoI's (bins, C) tile as out (C, bins): out[c, b] = f(tile[b, c]).
template <typename T, typename U, typename F>
inline void write_tile(const T* tile, int64_t bins, int64_t C, U* out, F f) {
  for (int64_t c = 0; c < C; ++c)
    for (int64_t b = 0; b < bins; ++b) out[c * bins + b] = f(tile[b * C + c]);
}

// One axis of roi_align's sampling grid: the two taps and their weights, or invalid (outside
// [-1, size]; NaN also lands here).
struct AxisSample {
  int64_t lo, hi;
  float l, h;
  bool valid;
};

inline AxisSample axis_sample(float v, int64_t size) {
  AxisSample s{0, 0, 0.0f, 0.0f, false};
  if (!(v >= -1.0f && v <= static_cast<float>(size))) return s;
  if (v <= 0) v = 0;
  s.lo = static_cast<int64_t>(v);
  if (s.lo >= size - 1) {
    s.lo = s.hi = size - 1;
    v = static_cast<float>(s.lo);
  } else {
    s.hi = s.lo + 1;
  }
  s.l = v - static_cast<float>(s.lo);
  s.h = static_cast<float>(1. - s.l);  // torchvision computes 1. - l in double
  s.valid = true;
  return s;
}

// Samples at start + p * bin + (i + .5f) * bin / grid for p < out, i < grid, in torchvision's order.
inline void axis_samples(float start, float bin, int64_t out, int64_t grid, int64_t size, AxisSample* s) {
  for (int64_t p = 0; p < out; ++p)
    for (int64_t i = 0; i < grid; ++i)
      s[p * grid + i] = axis_sample(start + static_cast<float>(p) * bin +
                                        static_cast<float>(static_cast<float>(i) + .5f) * bin / static_cast<float>(grid),
                                    size);
}

inline int64_t grid_count(float g) { return g > 0 ? static_cast<int64_t>(g) : 0; }

// roi_align of one RoI from an NHWC float map xb (one image): the bins' sums in a (bins, C) tile,
// each channel's loop vectorised, then written as (C, bins).
void align_roi_nhwc(const RoiGeometry& g, const float* xb, const AxisSample* ys, int64_t gh, const AxisSample* xs,
                    int64_t gw, float count, float* tile, float* out) {
  const int64_t C = g.channels, W = g.width, PW = g.out_w, bins = g.out_h * PW;
  for (int64_t ph = 0; ph < g.out_h; ++ph)
    for (int64_t pw = 0; pw < PW; ++pw) {
      float* __restrict acc = tile + (ph * PW + pw) * C;
      for (int64_t c = 0; c < C; ++c) acc[c] = 0.0f;
      for (int64_t iy = 0; iy < gh; ++iy) {
        const AxisSample& sy = ys[ph * gh + iy];
        for (int64_t ix = 0; ix < gw; ++ix) {
          const AxisSample& sx = xs[pw * gw + ix];
          // An invalid sample adds 0 * the map's first pixel, as torchvision (NaN if that is not finite).
          float w1 = 0, w2 = 0, w3 = 0, w4 = 0;
          const float *v1 = xb, *v2 = xb, *v3 = xb, *v4 = xb;
          if (sy.valid && sx.valid) {
            w1 = sy.h * sx.h, w2 = sy.h * sx.l, w3 = sy.l * sx.h, w4 = sy.l * sx.l;
            v1 = xb + (sy.lo * W + sx.lo) * C, v2 = xb + (sy.lo * W + sx.hi) * C;
            v3 = xb + (sy.hi * W + sx.lo) * C, v4 = xb + (sy.hi * W + sx.hi) * C;
          }
          const float* __restrict p1 = v1;
          const float* __restrict p2 = v2;
          const float* __restrict p3 = v3;
          const float* __restrict p4 = v4;
          for (int64_t c = 0; c < C; ++c) acc[c] += w1 * p1[c] + w2 * p2[c] + w3 * p3[c] + w4 * p4[c];
        }
      }
    }
  write_tile(tile, bins, C, out, [count](float v) { return v / count; });
}

// The same for a map of C <= 4 channels read in place from its NCHW planes (an image, float or
// uint8): the per-channel sums stay in registers and go straight to the output.
template <int C, typename T>
void align_roi_planes(const RoiGeometry& g, const T* xb, const AxisSample* ys, int64_t gh, const AxisSample* xs,
                      int64_t gw, float count, float* out) {
  const int64_t W = g.width, plane = g.height * W, PW = g.out_w, bins = g.out_h * PW;
  float first[C];  // what an invalid sample reads (times 0)
  for (int c = 0; c < C; ++c) first[c] = static_cast<float>(xb[c * plane]);
  for (int64_t ph = 0; ph < g.out_h; ++ph)
    for (int64_t pw = 0; pw < PW; ++pw) {
      float acc[C] = {};
      for (int64_t iy = 0; iy < gh; ++iy) {
        const AxisSample& sy = ys[ph * gh + iy];
        for (int64_t ix = 0; ix < gw; ++ix) {
          const AxisSample& sx = xs[pw * gw + ix];
          if (sy.valid && sx.valid) {
            const float w1 = sy.h * sx.h, w2 = sy.h * sx.l, w3 = sy.l * sx.h, w4 = sy.l * sx.l;
            const T* p = xb + sy.lo * W;
            const T* q = xb + sy.hi * W;
            for (int c = 0; c < C; ++c, p += plane, q += plane)
              acc[c] += w1 * static_cast<float>(p[sx.lo]) + w2 * static_cast<float>(p[sx.hi]) +
                        w3 * static_cast<float>(q[sx.lo]) + w4 * static_cast<float>(q[sx.hi]);
          } else {
            for (int c = 0; c < C; ++c) acc[c] += 0.0f * first[c] + 0.0f * first[c] + 0.0f * first[c] + 0.0f * first[c];
          }
        }
      }
      for (int c = 0; c < C; ++c) out[c * bins + ph * PW + pw] = acc[c] / count;
    }
}

// Maps of at most this many channels are sampled in place (NCHW) by roi_align: a transposition
// would cost more than the sampling.
constexpr int64_t kInPlaceChannels = 4;

}  // namespace

template <typename T>
void roi_align(const RoiGeometry& g, const T* x, const float* boxes, float scale, int64_t sampling_ratio, bool aligned,
               float* out, int threads) {
  const int64_t C = g.channels, H = g.height, W = g.width, PH = g.out_h, PW = g.out_w, bins = PH * PW;
  if (g.rois == 0 || C == 0) return;
  const bool in_place = C <= kInPlaceChannels;
  const float* xt = in_place ? nullptr : to_nhwc(g, x, threads);
  // Largest sample table of any RoI (the frontend bounded each to kMaxRoiSamples).
  int64_t rows = 0, cols = 0;
  for (int64_t k = 0; k < g.rois; ++k) {
    const AlignBox b = align_box(boxes + 5 * k, scale, aligned, PH, PW);
    rows = max64(rows, PH * grid_count(align_grid(b.roi_h, PH, sampling_ratio)));
    cols = max64(cols, PW * grid_count(align_grid(b.roi_w, PW, sampling_ratio)));
  }
  constexpr size_t kAxisFloats = (sizeof(AxisSample) + sizeof(float) - 1) / sizeof(float);
  const int64_t tile = in_place ? 0 : (bins * C + 15) / 16 * 16;
  const size_t floats = static_cast<size_t>(tile) + kAxisFloats * static_cast<size_t>(rows + cols);
  const std::vector<int64_t> order = rois_by_top(boxes, g.rois);
  for_each_roi(g.rois, threads, elements(4.0 * C * rows * cols), floats, [&](int64_t i, float* ws) {
    const int64_t k = order[i];
    const float* roi = boxes + 5 * k;
    const AlignBox b = align_box(roi, scale, aligned, PH, PW);
    const int64_t gh = grid_count(align_grid(b.roi_h, PH, sampling_ratio));
    const int64_t gw = grid_count(align_grid(b.roi_w, PW, sampling_ratio));
    const float count = static_cast<float>(max64(gh * gw, 1));
    AxisSample* ys = reinterpret_cast<AxisSample*>(ws + tile);
    AxisSample* xs = ys + PH * gh;
    axis_samples(b.start_h, b.bin_h, PH, gh, H, ys);
    axis_samples(b.start_w, b.bin_w, PW, gw, W, xs);
    const int64_t n = static_cast<int64_t>(roi[0]);
    float* o = out + k * C * bins;
    if (in_place) {
      const T* xb = x + n * C * H * W;
      switch (C) {
        case 1: align_roi_planes<1>(g, xb, ys, gh, xs, gw, count, o); break;
        case 2: align_roi_planes<2>(g, xb, ys, gh, xs, gw, count, o); break;
        case 3: align_roi_planes<3>(g, xb, ys, gh, xs, gw, count, o); break;
        default: align_roi_planes<4>(g, xb, ys, gh, xs, gw, count, o); break;
      }
    } else {
      align_roi_nhwc(g, xt + n * H * W * C, ys, gh, xs, gw, count, ws, o);
    }
  });
}

template void roi_align(const RoiGeometry&, const float*, const float*, float, int64_t, bool, float*, int);
template void roi_align(const RoiGeometry&, const uint8_t*, const float*, float, int64_t, bool, float*, int);

namespace {

// The taps of output index p at taps[p * 2 * grid], count[p] of them: the samples s[p * grid + i]
// merged by pixel. Samples move forward (backward in an inverted box), so a pixel already present
// is nearly always one of the last two taps; a pixel missed there is only a second tap.
inline void axis_taps(const AxisSample* s, int64_t out, int64_t grid, CropTap* taps, int64_t* count) {
  for (int64_t p = 0; p < out; ++p) {
    CropTap* t = taps + p * 2 * grid;
    int64_t n = 0;
    const auto add = [&](int64_t pixel, float weight) {
      for (int64_t j = n - 1; j >= 0 && j >= n - 2; --j)
        if (t[j].index == pixel) {
          t[j].weight += weight;
          return;
        }
      t[n++] = CropTap{pixel, weight};
    };
    for (int64_t i = 0; i < grid; ++i) {
      const AxisSample& a = s[p * grid + i];
      if (!a.valid) continue;
      add(a.lo, a.h);
      add(a.hi, a.l);
    }
    count[p] = n;
  }
}

// The column taps as PW-wide planes tap by tap (index[j * PW + q] relative to the first column read,
// weight[j * PW + q]), every output padded to the longest with zero-weight repeats of its last tap, so
// that the x pass runs over independent outputs. Returns the taps per output; *first, *last: the
// lowest and highest column read (first > last when none).
inline int64_t column_planes(const CropTap* taps, const int64_t* count, int64_t out, int64_t stride, int32_t* index,
                             float* weight, int64_t* first, int64_t* last) {
  int64_t taps_max = 0;
  *first = INT64_MAX, *last = -1;
  for (int64_t q = 0; q < out; ++q) {
    taps_max = max64(taps_max, count[q]);
    for (int64_t j = 0; j < count[q]; ++j)
      *first = min64(*first, taps[q * stride + j].index), *last = max64(*last, taps[q * stride + j].index);
  }
  for (int64_t q = 0; q < out; ++q)
    for (int64_t j = 0; j < taps_max; ++j) {
      const CropTap* t = taps + q * stride;
      const bool real = j < count[q];
      const int64_t column = real ? t[j].index : (count[q] ? t[count[q] - 1].index : *first);
      index[j * out + q] = static_cast<int32_t>(column - *first);
      weight[j * out + q] = real ? t[j].weight : 0.0f;
    }
  return taps_max;
}

// Asks for the lines of a RoI's box on the map (rows far apart in memory: a crop of an image), so
// that their misses overlap each other and the computation of the taps.
template <typename T>
inline void prefetch_box(const RoiGeometry& g, const T* x, const float* roi, const AlignBox& b) {
  const auto pixel = [](float v, int64_t size) {
    return v <= 0 ? int64_t(0) : (v >= static_cast<float>(size - 1) ? size - 1 : static_cast<int64_t>(v));
  };
  const int64_t y0 = pixel(b.start_h, g.height), y1 = pixel(b.start_h + b.roi_h + 1, g.height);
  const int64_t x0 = pixel(b.start_w, g.width), x1 = pixel(b.start_w + b.roi_w + 1, g.width);
  if ((y1 - y0 + 1) * g.channels > 256) return;  // a large box: its long rows are prefetched by the hardware
  const T* image = x + static_cast<int64_t>(roi[0]) * g.channels * g.height * g.width;
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t y = y0; y <= y1; ++y) {
      const char* row = reinterpret_cast<const char*>(image + (c * g.height + y) * g.width);
      const int64_t begin = x0 * int64_t(sizeof(T)), end = (x1 + 1) * int64_t(sizeof(T));
      for (int64_t at = begin; at < end; at += 64) __builtin_prefetch(row + at);
      __builtin_prefetch(row + end - 1);
    }
}

}  // namespace

template <typename T>
void crop_resize(const RoiGeometry& g, const T* x, const float* boxes, float scale, int64_t sampling_ratio,
                 bool aligned, float* out, int threads) {
  const int64_t C = g.channels, H = g.height, W = g.width, PH = g.out_h, PW = g.out_w, bins = PH * PW;
  if (g.rois == 0 || C == 0) return;
  // Per thread: both axes' samples and taps, the column tap planes, and the SIMD kernel's workspace
  // (a RoI reads the columns under its box: fewer than |width| + 3 of them).
  int64_t grid_h = 0, grid_w = 0, span = 1;
  for (int64_t k = 0; k < g.rois; ++k) {
    const AlignBox b = align_box(boxes + 5 * k, scale, aligned, PH, PW);
    grid_h = max64(grid_h, grid_count(align_grid(b.roi_h, PH, sampling_ratio)));
    grid_w = max64(grid_w, grid_count(align_grid(b.roi_w, PW, sampling_ratio)));
    const double columns = std::fabs(static_cast<double>(b.roi_w)) + 3;
    span = max64(span, columns >= static_cast<double>(W) ? W : static_cast<int64_t>(std::ceil(columns)));
  }
  const auto floats_of = [](size_t bytes) { return (bytes + 7) / 8 * 2; };  // whole 8-byte words
  const size_t samples = static_cast<size_t>(PH * grid_h + PW * grid_w);
  const size_t tap_floats = floats_of(2 * samples * sizeof(CropTap));
  const size_t sample_floats = floats_of(samples * sizeof(AxisSample));
  const size_t count_floats = floats_of(static_cast<size_t>(PH + PW) * sizeof(int64_t));
  const size_t plane_floats = floats_of(static_cast<size_t>(2 * PW * grid_w) * sizeof(int32_t));
  const size_t floats = tap_floats + sample_floats + count_floats + 2 * plane_floats +
                        static_cast<size_t>(crop_workspace_floats(span));
  const Kernels& kernels = active_kernels();
  const std::vector<int64_t> order = rois_by_top(boxes, g.rois);
  for_each_roi(g.rois, threads, elements(4.0 * C * bins * grid_h * grid_w), floats, [&](int64_t i, float* ws) {
    const int64_t k = order[i];
    const float* roi = boxes + 5 * k;
    const AlignBox b = align_box(roi, scale, aligned, PH, PW);
    prefetch_box(g, x, roi, b);
    if (i + 1 < g.rois) {
      const float* following = boxes + 5 * order[i + 1];
      prefetch_box(g, x, following, align_box(following, scale, aligned, PH, PW));
    }
    const int64_t gh = grid_count(align_grid(b.roi_h, PH, sampling_ratio));
    const int64_t gw = grid_count(align_grid(b.roi_w, PW, sampling_ratio));
    CropTap* ty = reinterpret_cast<CropTap*>(ws);
    CropTap* tx = ty + 2 * PH * gh;
    float* next = ws + tap_floats;
    AxisSample* ys = reinterpret_cast<AxisSample*>(next);
    AxisSample* xs = ys + PH * gh;
    next += sample_floats;
    int64_t* ny = reinterpret_cast<int64_t*>(next);
    int64_t* nx = ny + PH;
    next += count_floats;
    int32_t* column = reinterpret_cast<int32_t*>(next);
    float* weight = next + plane_floats;
    float* kernel_ws = weight + plane_floats;
    axis_samples(b.start_h, b.bin_h, PH, gh, H, ys);
    axis_samples(b.start_w, b.bin_w, PW, gw, W, xs);
    axis_taps(ys, PH, gh, ty, ny);
    axis_taps(xs, PW, gw, tx, nx);
    int64_t first = 0, last = 0;
    const int64_t taps = column_planes(tx, nx, PW, 2 * gw, column, weight, &first, &last);
    float* o = out + k * C * bins;
    if (last < first) {  // no sample inside the map: zeros
      std::fill(o, o + C * bins, 0.0f);
      return;
    }
    const CropTaps t{PH, PW, ty, 2 * gh, ny, column, weight, taps, first, last - first + 1,
                     static_cast<float>(max64(gh * gw, 1))};
    const T* image = x + static_cast<int64_t>(roi[0]) * C * H * W;
    for (int64_t c = 0; c < C; ++c) {
      if constexpr (std::is_same_v<T, uint8_t>)
        kernels.crop_channel_u8(t, image + c * H * W, W, o + c * bins, kernel_ws);
      else
        kernels.crop_channel_f32(t, image + c * H * W, W, o + c * bins, kernel_ws);
    }
  });
}

template void crop_resize(const RoiGeometry&, const float*, const float*, float, int64_t, bool, float*, int);
template void crop_resize(const RoiGeometry&, const uint8_t*, const float*, float, int64_t, bool, float*, int);

void roi_pool(const RoiGeometry& g, const float* x, const float* boxes, float scale, float* out, int64_t* argmax,
              int threads) {
  const int64_t C = g.channels, H = g.height, W = g.width, PH = g.out_h, PW = g.out_w, bins = PH * PW;
  if (g.rois == 0 || C == 0) return;
  const float* xt = to_nhwc(g, x, threads);
  static_assert(sizeof(int32_t) == sizeof(float), "index tile shares the float workspace");
  for_each_roi(g.rois, threads, elements(2.0 * bins * C), static_cast<size_t>(2 * bins * C), [&](int64_t k, float* ws) {
    const float* roi = boxes + 5 * k;
    const PoolBox b = pool_box(roi, scale, PH, PW);
    const float* xb = xt + static_cast<int64_t>(roi[0]) * H * W * C;
    float* tile = ws;
    int32_t* itile = reinterpret_cast<int32_t*>(ws + bins * C);
    for (int64_t ph = 0; ph < PH; ++ph) {
      const int64_t h0 = static_cast<int64_t>(std::floor(static_cast<float>(ph) * b.bin_h));
      const int64_t h1 = static_cast<int64_t>(std::ceil(static_cast<float>(ph + 1) * b.bin_h));
      const int64_t hs = min64(max64(h0 + b.start_h, 0), H), he = min64(max64(h1 + b.start_h, 0), H);
      for (int64_t pw = 0; pw < PW; ++pw) {
        const int64_t w0 = static_cast<int64_t>(std::floor(static_cast<float>(pw) * b.bin_w));
        const int64_t w1 = static_cast<int64_t>(std::ceil(static_cast<float>(pw + 1) * b.bin_w));
        const int64_t ws0 = min64(max64(w0 + b.start_w, 0), W), we = min64(max64(w1 + b.start_w, 0), W);
        const bool empty = he <= hs || we <= ws0;
        float* __restrict m = tile + (ph * PW + pw) * C;
        int32_t* __restrict idx = itile + (ph * PW + pw) * C;
        const float init = empty ? 0.0f : -FLT_MAX;
        for (int64_t c = 0; c < C; ++c) {
          m[c] = init;
          idx[c] = -1;
        }
        for (int64_t h = hs; h < he; ++h)
          for (int64_t w = ws0; w < we; ++w) {
            const int32_t hw = static_cast<int32_t>(h * W + w);
            const float* __restrict v = xb + (h * W + w) * C;
            // Branch-free so that it vectorises: strict >, so ties keep the first pixel and NaN never wins.
            for (int64_t c = 0; c < C; ++c) {
              const float vc = v[c], mc = m[c];
              const int32_t keep = -static_cast<int32_t>(!(vc > mc));  // all ones when m stays
              m[c] = vc > mc ? vc : mc;
              idx[c] = (idx[c] & keep) | (hw & ~keep);
            }
          }
      }
    }
    write_tile(tile, bins, C, out + k * C * bins, [](float v) { return v; });
    if (argmax) write_tile(itile, bins, C, argmax + k * C * bins, [](int32_t i) { return static_cast<int64_t>(i); });
  });
}

}  // namespace cvcore::cpu
