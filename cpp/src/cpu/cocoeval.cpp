// COCO bounding-box evaluation, the algorithm of pycocotools' COCOeval (evaluate + accumulate) on
// flat arrays. Categories are independent until the summary, so they are shared among the threads;
// each category is computed sequentially in pycocotools' order, so results do not depend on the
// thread count.
#include "cocoeval.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

#include "parallel.hpp"

namespace cvcore::cpu {
namespace {

// Record indices grouped by (category, image), each group in array order (a stable counting sort).
struct Groups {
  std::vector<int64_t> start;  // num_categories * num_images + 1 offsets into order
  std::vector<int64_t> order;
};

Groups group(const CocoRecords& r, int64_t num_images, int64_t num_categories) {
  Groups g;
  g.start.assign(static_cast<size_t>(num_categories * num_images + 1), 0);
  for (int64_t i = 0; i < r.n; ++i) ++g.start[r.category[i] * num_images + r.image[i] + 1];
  for (size_t k = 1; k < g.start.size(); ++k) g.start[k] += g.start[k - 1];
  std::vector<int64_t> next(g.start.begin(), g.start.end() - 1);
  g.order.resize(static_cast<size_t>(r.n));
  for (int64_t i = 0; i < r.n; ++i) g.order[next[r.category[i] * num_images + r.image[i]]++] = i;
  return g;
}

// pycocotools' bbIou: x, y, w, h boxes, no +1; a crowd ground truth divides by the detection's area.
double box_iou(const double* d, const double* g, bool crowd) {
  const double w = std::fmin(d[2] + d[0], g[2] + g[0]) - std::fmax(d[0], g[0]);
  if (w <= 0) return 0.0;
  const double h = std::fmin(d[3] + d[1], g[3] + g[1]) - std::fmax(d[1], g[1]);
  if (h <= 0) return 0.0;
  const double inter = w * h, da = d[2] * d[3];
  return inter / (crowd ? da : da + g[2] * g[3] - inter);
}

struct Inputs {
  const CocoRecords& gt;
  const double* gt_area;
  const int64_t* gt_crowd;
  const int64_t* gt_id;
  const CocoRecords& dt;
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

  std::vector<double> iou;
  std::vector<int64_t> gt_order;
  std::vector<char> gt_ignore, gt_taken;
  for (int64_t i = 0; i < I; ++i) {
    const int64_t key = k * I + i, g0 = in.gt_groups.start[key], ng = in.gt_groups.start[key + 1] - g0;
    const int64_t* gts = in.gt_groups.order.data() + g0;
    const int64_t j0 = det_begin[i], nd = det_begin[i + 1] - j0;
    iou.assign(static_cast<size_t>(nd * ng), 0.0);
    for (int64_t d = 0; d < nd; ++d)
      for (int64_t g = 0; g < ng; ++g)
        iou[d * ng + g] = box_iou(in.dt.boxes + 4 * det_record[j0 + d], in.gt.boxes + 4 * gts[g],
                                  in.gt_crowd[gts[g]] != 0);
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

void coco_evaluate(const CocoRecords& gt, const double* gt_area, const int64_t* gt_crowd, const int64_t* gt_id,
                   const CocoRecords& dt, const double* dt_score, int64_t num_images, int64_t num_categories,
                   const CocoEvalParams& params, int threads, CocoEvalResult& result) {
  const Groups gt_groups = group(gt, num_images, num_categories), dt_groups = group(dt, num_images, num_categories);
  const Inputs in{gt, gt_area, gt_crowd, gt_id, dt, dt_score, num_images, num_categories, params, gt_groups, dt_groups};
  // Categories are uneven in work; one at a time per thread, dynamically (each writes its own cells).
  bool failed = false;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && num_categories > 1)
  for (int64_t k = 0; k < num_categories; ++k) {
    try {
      evaluate_category(in, k, result);
    } catch (...) {  // std::bad_alloc: no exception may leave an OpenMP region
#pragma omp atomic write
      failed = true;
    }
  }
  if (failed) throw std::bad_alloc();
}

}  // namespace cvcore::cpu
