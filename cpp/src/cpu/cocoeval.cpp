// COCO bounding-box evaluation, the algorithm of pycocotools' COCOeval (evaluate + accumulate) on
// flat arrays, and the VOC devkit's matching, sharing one overlap routine. Categories (classes) are
// independent, so they are shared among the threads; each is computed sequentially in the reference
// implementation's order, so results do not depend on the thread count. The overlaps are float64 in
// the references' operation order (this file is compiled without floating-point contraction).
#include "cocoeval.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "box_math.hpp"
#include "parallel.hpp"

namespace cvcore::cpu {
namespace {

// Record indices grouped by (category, image), each group in array order (a stable counting sort).
struct Groups {
  std::vector<int64_t> start;  // num_categories * num_images + 1 offsets into order
  std::vector<int64_t> order;
};

Groups group(const BoxRecords& r, int64_t num_images, int64_t num_categories) {
  Groups g;
  g.start.assign(static_cast<size_t>(num_categories * num_images + 1), 0);
  for (int64_t i = 0; i < r.n; ++i) ++g.start[r.category[i] * num_images + r.image[i] + 1];
  for (size_t k = 1; k < g.start.size(); ++k) g.start[k] += g.start[k - 1];
  std::vector<int64_t> next(g.start.begin(), g.start.end() - 1);
  g.order.resize(static_cast<size_t>(r.n));
  for (int64_t i = 0; i < r.n; ++i) g.order[next[r.category[i] * num_images + r.image[i]]++] = i;
  return g;
}

// The overlap of box a with box b (x1, y1, x2, y2), given their areas (each convention measures its
// own): intersection over union, or over a's area alone (over_a: a crowd ground truth in COCO).
// pixel_inclusive: the VOC devkit's +1 on the intersection's width and height, and its arithmetic for
// boxes that do not intersect: the clamped intersection (0) over the union, NaN where that is 0.
// Otherwise boxes that do not intersect overlap 0 (pycocotools' bbIou, torchvision's box_iou).
double box_overlap(const double* a, const double* b, double area_a, double area_b, bool pixel_inclusive,
                   bool over_a) {
  const double one = pixel_inclusive ? 1.0 : 0.0;
  double w = (std::fmin(a[2], b[2]) - std::fmax(a[0], b[0])) + one;
  double h = (std::fmin(a[3], b[3]) - std::fmax(a[1], b[1])) + one;
  if (!(w > 0 && h > 0)) {
    if (!pixel_inclusive) return 0.0;
    w = w > 0 ? w : 0.0;
    h = h > 0 ? h : 0.0;
  }
  const double inter = w * h;
  return inter / (over_a ? area_a : (area_a + area_b) - inter);
}

// COCO's x, y, w, h boxes of the given records as corners (x, y, w + x, h + y, as pycocotools adds
// them) and areas w * h.
void coco_corners(const double* boxes, const int64_t* records, int64_t n, std::vector<double>& corners,
                  std::vector<double>& area) {
  corners.resize(static_cast<size_t>(4 * n));
  area.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double* b = boxes + 4 * records[i];
    double* c = corners.data() + 4 * i;
    c[0] = b[0], c[1] = b[1], c[2] = b[2] + b[0], c[3] = b[3] + b[1];
    area[i] = b[2] * b[3];
  }
}

struct Inputs {
  const BoxRecords& gt;
  const double* gt_area;
  const int64_t* gt_crowd;
  const int64_t* gt_id;
  const BoxRecords& dt;
  const double* dt_score;
  int64_t I, K;
  const CocoEvalParams& p;
  const Groups &gt_groups, &dt_groups;
};

// evaluateImg for every (image, area range) of category k, then accumulate for every (area, maxDets).
void evaluate_category(const Inputs& in, int64_t k, CocoEvalResult& out) {
  const CocoEvalParams& p = in.p;
  const int64_t T = static_cast<int64_t>(p.iou_thresholds.size()), R = static_cast<int64_t>(p.recall_thresholds.size());
  const int64_t A = static_cast<int64_t>(p.area_ranges.size()), M = static_cast<int64_t>(p.max_dets.size());
  const int64_t K = in.K, I = in.I, max_det = p.max_dets.back();

  // Per image: its detections (score order, cut to max_det) at flat positions [det_begin[i], det_begin[i + 1]).
  std::vector<int64_t> det_begin(static_cast<size_t>(I + 1), 0), det_record;
  std::vector<double> det_score;
  std::vector<char> present(static_cast<size_t>(I), 0);
  std::vector<int64_t> npig(static_cast<size_t>(A * I), 0);
  std::vector<std::vector<char>> matched(static_cast<size_t>(A)), ignored(static_cast<size_t>(A));  // [a][t * D + j]
  // First pass: sort and cut the detections, so that the flat size D is known.
  for (int64_t i = 0; i < I; ++i) {
    const int64_t key = k * I + i;
    const int64_t d0 = in.dt_groups.start[key], d1 = in.dt_groups.start[key + 1];
    const int64_t g0 = in.gt_groups.start[key], g1 = in.gt_groups.start[key + 1];
    present[i] = d1 > d0 || g1 > g0;
    std::vector<int64_t> idx(in.dt_groups.order.begin() + d0, in.dt_groups.order.begin() + d1);
    std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return in.dt_score[a] > in.dt_score[b]; });
    if (static_cast<int64_t>(idx.size()) > max_det) idx.resize(static_cast<size_t>(max_det));
    for (int64_t r : idx) {
      det_record.push_back(r);
      det_score.push_back(in.dt_score[r]);
    }
    det_begin[i + 1] = static_cast<int64_t>(det_record.size());
  }
  const int64_t D = static_cast<int64_t>(det_record.size());
  for (int64_t a = 0; a < A; ++a) {
    matched[a].assign(static_cast<size_t>(T * D), 0);
    ignored[a].assign(static_cast<size_t>(T * D), 0);
  }

  std::vector<double> iou, dt_corners, dt_area, gt_corners, gt_box_area;
  std::vector<int64_t> gt_order;
  std::vector<char> gt_ignore, gt_taken;
  for (int64_t i = 0; i < I; ++i) {
    const int64_t key = k * I + i, g0 = in.gt_groups.start[key], ng = in.gt_groups.start[key + 1] - g0;
    const int64_t* gts = in.gt_groups.order.data() + g0;
    const int64_t j0 = det_begin[i], nd = det_begin[i + 1] - j0;
    coco_corners(in.dt.boxes, det_record.data() + j0, nd, dt_corners, dt_area);
    coco_corners(in.gt.boxes, gts, ng, gt_corners, gt_box_area);
    iou.assign(static_cast<size_t>(nd * ng), 0.0);
    for (int64_t d = 0; d < nd; ++d)
      for (int64_t g = 0; g < ng; ++g)
        iou[d * ng + g] = box_overlap(dt_corners.data() + 4 * d, gt_corners.data() + 4 * g, dt_area[d], gt_box_area[g],
                                      /*pixel_inclusive=*/false, /*over_a=*/in.gt_crowd[gts[g]] != 0);
    for (int64_t a = 0; a < A; ++a) {
      const double lo = p.area_ranges[a][0], hi = p.area_ranges[a][1];
      // Ground truth ignored (crowd, or area outside the range) goes last, stably.
      gt_order.clear();
      for (int pass = 0; pass < 2; ++pass)
        for (int64_t g = 0; g < ng; ++g) {
          const int64_t r = gts[g];
          const bool ig = in.gt_crowd[r] != 0 || in.gt_area[r] < lo || in.gt_area[r] > hi;
          if (ig == (pass == 1)) gt_order.push_back(g);
        }
      gt_ignore.resize(static_cast<size_t>(ng));
      for (int64_t s = 0; s < ng; ++s) {
        const int64_t r = gts[gt_order[s]];
        gt_ignore[s] = in.gt_crowd[r] != 0 || in.gt_area[r] < lo || in.gt_area[r] > hi;
        npig[a * I + i] += !gt_ignore[s];
      }
      char* mt = matched[a].data();
      char* ig = ignored[a].data();
      gt_taken.assign(static_cast<size_t>(T * ng), 0);
      for (int64_t t = 0; t < T; ++t) {
        for (int64_t d = 0; d < nd && ng > 0; ++d) {
          double best = std::fmin(p.iou_thresholds[t], 1 - 1e-10);
          int64_t m = -1;
          for (int64_t s = 0; s < ng; ++s) {
            const int64_t g = gt_order[s];
            if (gt_taken[t * ng + s] && in.gt_crowd[gts[g]] == 0) continue;
            if (m > -1 && !gt_ignore[m] && gt_ignore[s]) break;
            if (iou[d * ng + g] < best) continue;
            best = iou[d * ng + g];
            m = s;
          }
          if (m == -1) continue;
          ig[t * D + j0 + d] = gt_ignore[m];
          mt[t * D + j0 + d] = in.gt_id[gts[gt_order[m]]] != 0;  // pycocotools stores the gt id; 0 reads as unmatched
          gt_taken[t * ng + m] = 1;
        }
        // Unmatched detections outside the area range are ignored.
        for (int64_t d = 0; d < nd; ++d) {
          const double* b = in.dt.boxes + 4 * det_record[j0 + d];
          const double area = b[2] * b[3];
          if (!mt[t * D + j0 + d] && (area < lo || area > hi)) ig[t * D + j0 + d] = 1;
        }
      }
    }
  }

  // accumulate: per (area, maxDets), the detections of all images by decreasing score (stable:
  // image order, then score order within an image). One stable sort of all of them serves every
  // maxDets: a cut keeps each image's first detections, a subsequence of the same order.
  std::vector<int64_t> all(static_cast<size_t>(D)), rank(static_cast<size_t>(D)), pos, at_tp;
  for (int64_t i = 0; i < I; ++i)
    for (int64_t j = det_begin[i]; j < det_begin[i + 1]; ++j) rank[j] = j - det_begin[i];
  for (int64_t j = 0; j < D; ++j) all[j] = j;
  std::stable_sort(all.begin(), all.end(), [&](int64_t x, int64_t y) { return det_score[x] > det_score[y]; });
  std::vector<double> rc, pr;
  for (int64_t a = 0; a < A; ++a) {
    int64_t n_gt = 0;
    bool any = false;
    for (int64_t i = 0; i < I; ++i) {
      any = any || present[i];
      n_gt += npig[a * I + i];
    }
    if (!any || n_gt == 0) continue;
    for (int64_t mi = 0; mi < M; ++mi) {
      const int64_t cap = p.max_dets[mi];
      pos.clear();
      for (int64_t j : all)
        if (rank[j] < cap) pos.push_back(j);
      const int64_t nd = static_cast<int64_t>(pos.size());
      for (int64_t t = 0; t < T; ++t) {
        // pycocotools builds recall and precision at every detection, makes precision monotone from
        // the right and samples it at the first recall >= each threshold. Recall only rises at a
        // true positive, and there precision peaks, so the values at the true positives (at[],
        // rc[], pr[]) give the same samples: the same doubles, with a fraction of the divisions.
        at_tp.clear();
        rc.clear();
        pr.clear();
        double tp = 0, fp = 0;
        for (int64_t j = 0; j < nd; ++j) {
          const int64_t f = t * D + pos[j];
          if (ignored[a][f]) continue;
          if (!matched[a][f]) {
            fp += 1;
            continue;
          }
          tp += 1;
          at_tp.push_back(j);
          rc.push_back(tp / static_cast<double>(n_gt));
          pr.push_back(tp / (fp + tp + 2.220446049250313e-16));  // np.spacing(1)
        }
        const int64_t ntp = static_cast<int64_t>(rc.size());
        const int64_t cell = ((t * K + k) * A + a) * M + mi;
        out.recall[cell] = nd ? (ntp ? rc[ntp - 1] : 0.0) : 0.0;
        for (int64_t j = ntp - 1; j > 0; --j)
          if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
        // Recall at the first detection: > 0 only when it is a true positive.
        const double rc0 = ntp && at_tp[0] == 0 ? rc[0] : 0.0;
        for (int64_t r = 0; r < R; ++r) {
          const double thr = p.recall_thresholds[r];
          const int64_t c = (((t * R + r) * K + k) * A + a) * M + mi;
          if (nd && thr <= rc0) {  // the first detection; the envelope there is the largest precision
            out.precision[c] = ntp ? pr[0] : 0.0;
            out.scores[c] = det_score[pos[0]];
            continue;
          }
          const int64_t i = std::lower_bound(rc.begin(), rc.end(), thr) - rc.begin();
          out.precision[c] = i < ntp ? pr[i] : 0.0;
          out.scores[c] = i < ntp ? det_score[pos[at_tp[i]]] : 0.0;
        }
      }
    }
  }
}

}  // namespace

void coco_evaluate(const BoxRecords& gt, const double* gt_area, const int64_t* gt_crowd, const int64_t* gt_id,
                   const BoxRecords& dt, const double* dt_score, int64_t num_images, int64_t num_categories,
                   const CocoEvalParams& params, int threads, CocoEvalResult& result) {
  const Groups gt_groups = group(gt, num_images, num_categories), dt_groups = group(dt, num_images, num_categories);
  const Inputs in{gt, gt_area, gt_crowd, gt_id, dt, dt_score, num_images, num_categories, params, gt_groups, dt_groups};
  // Categories are uneven in work; one at a time per thread, dynamically (each writes its own cells).
  const UnitCost per_category = scalar_ops(200.0 * double(gt.n + dt.n) / double(num_categories > 0 ? num_categories : 1));
  parallel_for(
      num_categories, threads, per_category, [&](int64_t k) { evaluate_category(in, k, result); }, Schedule::dynamic);
}

namespace {

// A box's area as voc_match's overlap divides by it: the devkit's inclusive pixels, or torchvision's
// box_area (0 for an empty box).
double voc_area(const double* b, bool pixel_inclusive) {
  return pixel_inclusive ? ((b[2] - b[0]) + 1.0) * ((b[3] - b[1]) + 1.0) : box_area(b[0], b[1], b[2], b[3]);
}

}  // namespace

void voc_match(const BoxRecords& gt, const uint8_t* gt_difficult, const BoxRecords& dt, const double* dt_score,
               int64_t num_classes, const VocMatchParams& params, int threads, VocMatchResult& result) {
  const int64_t G = gt.n, D = dt.n, K = num_classes;
  const bool pixel = params.pixel_inclusive;
  // Detections by class, then decreasing score; ties keep the array order (the devkit's stable sort).
  std::vector<int64_t>& order = result.order;
  order.resize(static_cast<size_t>(D));
  std::iota(order.begin(), order.end(), int64_t(0));
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return dt.category[a] < dt.category[b] || (dt.category[a] == dt.category[b] && dt_score[a] > dt_score[b]);
  });
  result.class_start.assign(static_cast<size_t>(K + 1), 0);
  for (int64_t j = 0; j < D; ++j) ++result.class_start[dt.category[j] + 1];
  for (int64_t k = 0; k < K; ++k) result.class_start[k + 1] += result.class_start[k];
  // Ground truth by class, then image; each (class, image) run in array order.
  std::vector<int64_t> gts(static_cast<size_t>(G)), gt_start(static_cast<size_t>(K + 1), 0);
  std::iota(gts.begin(), gts.end(), int64_t(0));
  std::stable_sort(gts.begin(), gts.end(), [&](int64_t a, int64_t b) {
    return gt.category[a] < gt.category[b] || (gt.category[a] == gt.category[b] && gt.image[a] < gt.image[b]);
  });
  result.num_positives.assign(static_cast<size_t>(K), 0);
  for (int64_t g = 0; g < G; ++g) {
    ++gt_start[gt.category[g] + 1];
    result.num_positives[gt.category[g]] += gt_difficult[g] == 0;
  }
  for (int64_t k = 0; k < K; ++k) gt_start[k + 1] += gt_start[k];
  std::vector<double> gt_area(static_cast<size_t>(G));
  for (int64_t g = 0; g < G; ++g) gt_area[g] = voc_area(gt.boxes + 4 * g, pixel);
  std::vector<char> taken(static_cast<size_t>(G), 0);  // by position in gts
  result.true_positive.assign(static_cast<size_t>(D), 0);
  result.false_positive.assign(static_cast<size_t>(D), 0);
  parallel_for(K, threads, scalar_ops(20.0 * double(G + D) / double(K > 0 ? K : 1)), [&](int64_t k) {
    const int64_t* class_begin = gts.data() + gt_start[k];
    const int64_t* class_end = gts.data() + gt_start[k + 1];
    for (int64_t r = result.class_start[k]; r < result.class_start[k + 1]; ++r) {
      const int64_t j = order[r], image = dt.image[j];
      const double* box = dt.boxes + 4 * j;
      const double area = voc_area(box, pixel);
      const int64_t* first = std::lower_bound(class_begin, class_end, image,
                                              [&](int64_t g, int64_t i) { return gt.image[g] < i; });
      const int64_t* last = std::upper_bound(first, class_end, image,
                                             [&](int64_t i, int64_t g) { return i < gt.image[g]; });
      // The ground truth it overlaps most: the first maximum, a NaN counting as the largest (np.argmax).
      const int64_t* best = nullptr;
      double best_overlap = 0;
      for (const int64_t* g = first; g < last && !std::isnan(best_overlap); ++g) {
        const double v = box_overlap(box, gt.boxes + 4 * *g, area, gt_area[*g], pixel, /*over_a=*/false);
        if (!best || v > best_overlap || std::isnan(v)) best = g, best_overlap = v;
      }
      if (!best || !(best_overlap > params.iou_threshold)) {
        result.false_positive[r] = 1;
      } else if (!gt_difficult[*best]) {
        char& t = taken[best - gts.data()];
        (t ? result.false_positive[r] : result.true_positive[r]) = 1;
        t = 1;
      }
    }
  });
}

}  // namespace cvcore::cpu
