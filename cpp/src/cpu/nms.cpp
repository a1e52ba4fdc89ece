// NMS kernels. The boxes are sorted once by (score desc, index asc) and gathered into score-ordered
// SoA arrays. Greedy suppression then takes one of two exact paths:
//  * a plain sweep: each kept box suppresses every later box whose overlap exceeds the threshold,
//    a branch-free inner loop over contiguous arrays that compilers vectorise;
//  * for larger inputs and thresholds >= 0, a uniform grid of the kept boxes: a candidate is tested
//    only against kept boxes sharing a grid cell with it. This is exact because boxes that share no
//    cell do not intersect, and a pair with no intersection has IoU 0, IoM 0 and DIoU <= 0, never
//    > a threshold >= 0 (empty boxes likewise can neither suppress nor be suppressed then).
// Every overlap is computed with the same scalar function in both paths, and the comparison
// (double)overlap > threshold is done exactly in T, so both paths give identical results, and the
// same results as torchvision's loop for boxes of positive area.
#include "nms.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <exception>
#include <type_traits>

#include "box_math.hpp"
#include "parallel.hpp"

namespace cvcore::cpu {
namespace {

// The largest T that is <= t, so that for every T x: (double)x > t  <=>  x > threshold_below<T>(t).
template <typename T>
T threshold_below(double t) {
  if constexpr (std::is_same_v<T, double>) {
    return t;
  } else {
    if (t >= double(FLT_MAX)) return FLT_MAX;
    if (t < -double(FLT_MAX)) return -INFINITY;
    float f = static_cast<float>(t);
    if (double(f) > t) f = std::nextafter(f, -INFINITY);
    return f;
  }
}

// Score-ordered boxes as SoA arrays (views into a SortedBoxes or a slice of one).
template <typename T>
struct BoxSpan {
  const T *x1, *y1, *x2, *y2, *area;
};

template <typename T>
struct SortedBoxes {
  std::vector<T> x1, y1, x2, y2, area;
  std::vector<int64_t> index;  // original index of each sorted position

  // Gathers boxes[order[p]] for every position p.
  SortedBoxes(const T* boxes, std::vector<int64_t> order)
      : x1(order.size()), y1(order.size()), x2(order.size()), y2(order.size()), area(order.size()),
        index(std::move(order)) {
    for (size_t p = 0; p < index.size(); ++p) {
      const T* b = boxes + 4 * index[p];
      x1[p] = b[0];
      y1[p] = b[1];
      x2[p] = b[2];
      y2[p] = b[3];
      area[p] = box_area(b[0], b[1], b[2], b[3]);
    }
  }
  BoxSpan<T> span(int64_t begin = 0) const {
    return {x1.data() + begin, y1.data() + begin, x2.data() + begin, y2.data() + begin, area.data() + begin};
  }
};

// The overlap of boxes a and b under metric M (symmetric in a and b).
template <typename T, NmsMetric M>
static inline T overlap(T ax1, T ay1, T ax2, T ay2, T aa, T bx1, T by1, T bx2, T by2, T ba) {
  const T inter = box_intersection(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
  if constexpr (M == NmsMetric::iom) {
    return iom_value(inter, aa, ba);
  } else {
    const T iou = ratio_or_zero(inter, (aa + ba) - inter);  // iou_from_areas, branch-free
    if constexpr (M == NmsMetric::diou) return iou - diou_penalty(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2, T(1e-7));
    return iou;
  }
}

template <typename T, NmsMetric M>
static inline T overlap_at(const BoxSpan<T>& b, int64_t i, int64_t j) {
  return overlap<T, M>(b.x1[i], b.y1[i], b.x2[i], b.y2[i], b.area[i], b.x1[j], b.y1[j], b.x2[j], b.y2[j], b.area[j]);
}

// Greedy NMS by the plain sweep, exact for every threshold. Writes kept positions; returns their count.
template <typename T, NmsMetric M>
int64_t greedy_sweep(const BoxSpan<T>& b, int64_t n, T thr, int64_t max_keep, int64_t* keep) {
  std::vector<uint8_t> suppressed(static_cast<size_t>(n), 0);
  uint8_t* __restrict sup = suppressed.data();
  const T* __restrict x1 = b.x1;
  const T* __restrict y1 = b.y1;
  const T* __restrict x2 = b.x2;
  const T* __restrict y2 = b.y2;
  const T* __restrict area = b.area;
  int64_t count = 0;
  for (int64_t i = 0; i < n && count < max_keep; ++i) {
    if (sup[i]) continue;
    keep[count++] = i;
    const T ax1 = x1[i], ay1 = y1[i], ax2 = x2[i], ay2 = y2[i], aa = area[i];
    for (int64_t j = i + 1; j < n; ++j)
      sup[j] |= static_cast<uint8_t>(overlap<T, M>(ax1, ay1, ax2, ay2, aa, x1[j], y1[j], x2[j], y2[j], area[j]) > thr);
  }
  return count;
}

// Greedy NMS against a uniform grid of the kept boxes; exact for thr >= 0 (see the file comment).
// Returns the count of kept positions, or -1 when the geometry does not fit a grid (the caller then
// sweeps).
template <typename T, NmsMetric M>
int64_t greedy_grid(const BoxSpan<T>& b, int64_t n, T thr, int64_t max_keep, int64_t* keep) {
  constexpr int64_t kMaxCellsPerBox = 16;  // boxes covering more cells are tested against every kept box
  // Extent and median side of the non-empty boxes.
  double lox = INFINITY, loy = INFINITY, hix = -INFINITY, hiy = -INFINITY;
  std::vector<double> sides;
  sides.reserve(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    if (!(b.area[j] > T(0))) continue;
    lox = std::min(lox, double(b.x1[j]));
    loy = std::min(loy, double(b.y1[j]));
    hix = std::max(hix, double(b.x2[j]));
    hiy = std::max(hiy, double(b.y2[j]));
    sides.push_back(std::max(double(b.x2[j]) - double(b.x1[j]), double(b.y2[j]) - double(b.y1[j])));
  }
  int64_t gx = 1, gy = 1;
  double inv_cell = 0.0;
  if (!sides.empty()) {
    std::nth_element(sides.begin(), sides.begin() + sides.size() / 2, sides.end());
    double cell = sides[sides.size() / 2];
    const double sx = hix - lox, sy = hiy - loy;
    if (!std::isfinite(sx) || !std::isfinite(sy) || !(cell > 0.0) || !std::isfinite(cell)) return -1;
    const double max_cells = double(std::max<int64_t>(1024, 2 * n));
    for (;;) {
      const double cx = std::floor(sx / cell) + 1.0, cy = std::floor(sy / cell) + 1.0;
      if (cx * cy <= max_cells) {
        gx = static_cast<int64_t>(cx);
        gy = static_cast<int64_t>(cy);
        break;
      }
      cell *= std::max(1.25, std::sqrt(cx * cy / max_cells));
    }
    inv_cell = 1.0 / cell;
  }
  // Cell of coordinate v along an axis starting at lo with g cells: monotone in v, so boxes that
  // intersect share at least one cell.
  auto cell_of = [inv_cell](T v, double lo, int64_t g) {
    const double c = (double(v) - lo) * inv_cell;
    const int64_t i = c > 0.0 ? static_cast<int64_t>(c) : 0;
    return i < g ? i : g - 1;
  };

  struct Entry {
    int64_t slot, next;
  };
  std::vector<int64_t> head(static_cast<size_t>(gx * gy), -1);
  std::vector<Entry> entries;
  std::vector<int64_t> slots;      // sorted position of each non-empty kept box (its slot)
  std::vector<int64_t> big;        // slots of kept boxes that cover too many cells
  std::vector<int64_t> last_seen;  // per slot: the last candidate tested against it
  int64_t count = 0;
  for (int64_t j = 0; j < n && count < max_keep; ++j) {
    if (!(b.area[j] > T(0))) {  // empty: overlap <= 0 with everything, so kept and never suppressing
      keep[count++] = j;
      continue;
    }
    const int64_t cx0 = cell_of(b.x1[j], lox, gx), cx1 = cell_of(b.x2[j], lox, gx);
    const int64_t cy0 = cell_of(b.y1[j], loy, gy), cy1 = cell_of(b.y2[j], loy, gy);
    const bool is_big = (cx1 - cx0 + 1) * (cy1 - cy0 + 1) > kMaxCellsPerBox;
    auto suppresses = [&](int64_t slot) { return overlap_at<T, M>(b, slots[slot], j) > thr; };
    bool suppressed = false;
    if (is_big) {
      for (int64_t s = 0; s < int64_t(slots.size()) && !suppressed; ++s) suppressed = suppresses(s);
    } else {
      for (size_t k = 0; k < big.size() && !suppressed; ++k) suppressed = suppresses(big[k]);
      for (int64_t cy = cy0; cy <= cy1 && !suppressed; ++cy)
        for (int64_t cx = cx0; cx <= cx1 && !suppressed; ++cx)
          for (int64_t e = head[cy * gx + cx]; e >= 0 && !suppressed; e = entries[e].next) {
            const int64_t s = entries[e].slot;
            if (last_seen[s] == j) continue;
            last_seen[s] = j;
            suppressed = suppresses(s);
          }
    }
    if (suppressed) continue;
    keep[count++] = j;
    const int64_t slot = int64_t(slots.size());
    slots.push_back(j);
    last_seen.push_back(-1);
    if (is_big) {
      big.push_back(slot);
      continue;
    }
    for (int64_t cy = cy0; cy <= cy1; ++cy)
      for (int64_t cx = cx0; cx <= cx1; ++cx) {
        int64_t& h = head[cy * gx + cx];
        entries.push_back({slot, h});
        h = int64_t(entries.size()) - 1;
      }
  }
  return count;
}

// Below this many boxes the sweep is as fast as the grid.
constexpr int64_t kGridMinBoxes = 256;

template <typename T, NmsMetric M>
int64_t greedy_metric(const BoxSpan<T>& b, int64_t n, double iou_threshold, int64_t max_keep, int64_t* keep) {
  const T thr = threshold_below<T>(iou_threshold);
  if (iou_threshold >= 0.0 && n >= kGridMinBoxes) {
    const int64_t count = greedy_grid<T, M>(b, n, thr, max_keep, keep);
    if (count >= 0) return count;
  }
  return greedy_sweep<T, M>(b, n, thr, max_keep, keep);
}

// Greedy NMS over n score-ordered boxes; writes at most max_keep kept positions (relative to b).
template <typename T>
int64_t greedy(const BoxSpan<T>& b, int64_t n, double iou_threshold, NmsMetric metric, int64_t max_keep,
               int64_t* keep) {
  switch (metric) {
    case NmsMetric::iom:
      return greedy_metric<T, NmsMetric::iom>(b, n, iou_threshold, max_keep, keep);
    case NmsMetric::diou:
      return greedy_metric<T, NmsMetric::diou>(b, n, iou_threshold, max_keep, keep);
    default:
      return greedy_metric<T, NmsMetric::iou>(b, n, iou_threshold, max_keep, keep);
  }
}

// A box's sort key: by class (0 for plain NMS), then score descending, then index ascending. This is a
// strict total order (scores have no NaN), the order a stable descending sort by score gives.
template <typename T>
struct SortKey {
  int64_t cls;
  T score;
  int64_t index;
  bool operator<(const SortKey& o) const {
    return cls < o.cls || (cls == o.cls && (score > o.score || (score == o.score && index < o.index)));
  }
};

// Indices i (with score > score_threshold when has_score_threshold) in SortKey order; class_ids may
// be null (one class).
template <typename T>
std::vector<int64_t> sorted_candidates(const T* scores, const int64_t* class_ids, int64_t n, bool has_score_threshold,
                                       double score_threshold) {
  std::vector<SortKey<T>> keys;
  keys.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    if (!has_score_threshold || double(scores[i]) > score_threshold)
      keys.push_back({class_ids ? class_ids[i] : 0, scores[i], i});
  std::sort(keys.begin(), keys.end());
  std::vector<int64_t> order(keys.size());
  for (size_t p = 0; p < keys.size(); ++p) order[p] = keys[p].index;
  return order;
}

int64_t cap(int64_t max_output, int64_t n) { return max_output < 0 ? n : std::min(max_output, n); }

}  // namespace

template <typename T>
std::vector<int64_t> nms(const T* boxes, const T* scores, int64_t n, double iou_threshold, bool has_score_threshold,
                         double score_threshold, int64_t max_output, NmsMetric metric) {
  const SortedBoxes<T> sorted(boxes, sorted_candidates(scores, static_cast<const int64_t*>(nullptr), n,
                                                       has_score_threshold, score_threshold));
  const int64_t m = int64_t(sorted.index.size());
  std::vector<int64_t> keep(static_cast<size_t>(m));
  keep.resize(static_cast<size_t>(greedy(sorted.span(), m, iou_threshold, metric, cap(max_output, m), keep.data())));
  for (int64_t& k : keep) k = sorted.index[k];
  return keep;
}

template <typename T>
std::vector<int64_t> batched_nms(const T* boxes, const T* scores, const int64_t* class_ids, int64_t n,
                                 double iou_threshold, bool has_score_threshold, double score_threshold,
                                 int64_t max_output, NmsMetric metric, int threads) {
  // One sort by (class, score desc, index asc) makes each class a contiguous score-ordered run.
  const SortedBoxes<T> sorted(boxes, sorted_candidates(scores, class_ids, n, has_score_threshold, score_threshold));
  const int64_t m = int64_t(sorted.index.size());
  std::vector<int64_t> starts;  // run boundaries
  for (int64_t p = 0; p < m; ++p)
    if (p == 0 || class_ids[sorted.index[p]] != class_ids[sorted.index[p - 1]]) starts.push_back(p);
  const int64_t runs = int64_t(starts.size());
  starts.push_back(m);

  // Kept positions of run r go to keep[starts[r] ...], their count to counts[r]. A class can
  // contribute at most max_output boxes to the merged top max_output.
  std::vector<int64_t> keep(static_cast<size_t>(m)), counts(static_cast<size_t>(runs), 0);
  std::vector<std::exception_ptr> errors(static_cast<size_t>(runs));
  double pairs = 0;  // IoUs the runs compute at most
  for (int64_t r = 0; r < runs; ++r) pairs += 0.5 * double(starts[r + 1] - starts[r]) * double(starts[r + 1] - starts[r]);
  parallel_for(runs, threads, scalar_ops(10 * pairs / double(runs > 0 ? runs : 1)), [&](int64_t r) {
    try {
      const int64_t begin = starts[r], len = starts[r + 1] - begin;
      counts[r] = greedy(sorted.span(begin), len, iou_threshold, metric, cap(max_output, len), keep.data() + begin);
    } catch (...) {
      errors[r] = std::current_exception();
    }
  });
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);

  // Merge the runs by (score desc, index asc).
  std::vector<SortKey<T>> kept;
  for (int64_t r = 0; r < runs; ++r)
    for (int64_t k = 0; k < counts[r]; ++k) {
      const int64_t i = sorted.index[starts[r] + keep[starts[r] + k]];
      kept.push_back({0, scores[i], i});
    }
  std::sort(kept.begin(), kept.end());
  const size_t total = max_output >= 0 ? std::min(kept.size(), size_t(max_output)) : kept.size();
  std::vector<int64_t> result(total);
  for (size_t k = 0; k < total; ++k) result[k] = kept[k].index;
  return result;
}

template <typename T>
SoftNmsResult soft_nms(const T* boxes, const T* scores, int64_t n, double iou_threshold, double sigma,
                       double score_threshold, int64_t max_output, SoftNmsMethod method) {
  const T thr = threshold_below<T>(iou_threshold), sig = static_cast<T>(sigma);
  // A score below a positive threshold stays below it (decay factors are in [0, 1] and a negative
  // score stays negative), so such boxes are dropped as soon as they fall below it.
  const bool drop_below = score_threshold > 0.0;
  // The remaining boxes in index order (so the first maximum is the one with the lowest index).
  std::vector<int64_t> order;
  for (int64_t i = 0; i < n; ++i)
    if (!(drop_below && double(scores[i]) < score_threshold)) order.push_back(i);
  SortedBoxes<T> rest(boxes, std::move(order));
  std::vector<T> s(rest.index.size());
  for (size_t p = 0; p < s.size(); ++p) s[p] = scores[rest.index[p]];

  SoftNmsResult result;
  const int64_t max_keep = cap(max_output, n);
  int64_t m = int64_t(s.size());
  while (m > 0 && int64_t(result.indices.size()) < max_keep) {
    int64_t best = 0;
    for (int64_t j = 1; j < m; ++j)
      if (s[j] > s[best]) best = j;
    if (double(s[best]) < score_threshold) break;
    result.indices.push_back(rest.index[best]);
    result.scores.push_back(double(s[best]));
    const T bx1 = rest.x1[best], by1 = rest.y1[best], bx2 = rest.x2[best], by2 = rest.y2[best], ba = rest.area[best];
    int64_t w = 0;
    for (int64_t j = 0; j < m; ++j) {
      if (j == best) continue;
      const T iou = overlap<T, NmsMetric::iou>(bx1, by1, bx2, by2, ba, rest.x1[j], rest.y1[j], rest.x2[j],
                                                rest.y2[j], rest.area[j]);
      T sj = s[j];
      if (method == SoftNmsMethod::linear) {
        if (iou > thr) sj = sj * (T(1) - iou);
      } else if (iou != T(0)) {  // exp(-0) == 1 exactly
        sj = sj * std::exp(-(iou * iou) / sig);
      }
      if (drop_below && double(sj) < score_threshold) continue;
      rest.x1[w] = rest.x1[j];
      rest.y1[w] = rest.y1[j];
      rest.x2[w] = rest.x2[j];
      rest.y2[w] = rest.y2[j];
      rest.area[w] = rest.area[j];
      rest.index[w] = rest.index[j];
      s[w] = sj;
      ++w;
    }
    m = w;
  }
  return result;
}

#define CVCORE_NMS_INSTANTIATE(T)                                                                           \
  template std::vector<int64_t> nms<T>(const T*, const T*, int64_t, double, bool, double, int64_t, NmsMetric); \
  template std::vector<int64_t> batched_nms<T>(const T*, const T*, const int64_t*, int64_t, double, bool,      \
                                               double, int64_t, NmsMetric, int);                              \
  template SoftNmsResult soft_nms<T>(const T*, const T*, int64_t, double, double, double, int64_t, SoftNmsMethod);
CVCORE_NMS_INSTANTIATE(float)
CVCORE_NMS_INSTANTIATE(double)
#undef CVCORE_NMS_INSTANTIATE

}  // namespace cvcore::cpu
