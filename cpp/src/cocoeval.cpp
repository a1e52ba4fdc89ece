// COCO evaluation frontend: validate the flat record arrays once, then run the CPU kernel.
#include "cvcore/cocoeval.hpp"

#include <cmath>

#include "checks.hpp"
#include "cpu/cocoeval.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

constexpr const char* kOp = "coco_evaluate";

// A (n,) int64 vector of values in [0, limit) named `name`.
void check_indices(const TensorView& t, int64_t n, int64_t limit, const char* name) {
  detail::check_array(t, kOp, name, DType::int64, 1);
  check(t.shape[0] == n, kOp, ": ", name, " must have ", n, " elements, got ", t.shape[0]);
  const int64_t* p = t.ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    check<IndexError>(p[i] >= 0 && p[i] < limit, kOp, ": ", name, "[", i, "] must be in [0, ", limit, "), got ", p[i]);
}

void check_vector(const TensorView& t, int64_t n, DType dtype, const char* name) {
  detail::check_array(t, kOp, name, dtype, 1);
  check(t.shape[0] == n, kOp, ": ", name, " must have ", n, " elements, got ", t.shape[0]);
}

// (n, 4) float64 boxes x, y, w, h with finite values; returns n.
int64_t check_boxes(const TensorView& t, const char* name) {
  detail::check_array(t, kOp, name, DType::float64, 2);
  check(t.shape[1] == 4, kOp, ": ", name, " must have shape (N, 4), got ", t.shape_text());
  const double* p = t.ptr<double>();
  for (int64_t i = 0; i < 4 * t.shape[0]; ++i)
    check(std::isfinite(p[i]), kOp, ": ", name, " must be finite, got ", p[i], " in record ", i / 4);
  return t.shape[0];
}

void check_params(const CocoEvalParams& p) {
  check(!p.iou_thresholds.empty(), kOp, ": iou_thresholds must not be empty");
  for (double t : p.iou_thresholds)
    check(std::isfinite(t) && t >= 0 && t <= 1, kOp, ": iou_thresholds must be in [0, 1], got ", t);
  check(!p.recall_thresholds.empty(), kOp, ": recall_thresholds must not be empty");
  for (size_t i = 0; i < p.recall_thresholds.size(); ++i) {
    check(std::isfinite(p.recall_thresholds[i]), kOp, ": recall_thresholds must be finite");
    check(i == 0 || p.recall_thresholds[i] >= p.recall_thresholds[i - 1], kOp,
          ": recall_thresholds must be increasing");
  }
  check(!p.max_dets.empty(), kOp, ": max_dets must not be empty");
  for (size_t i = 0; i < p.max_dets.size(); ++i) {
    check(p.max_dets[i] >= 0, kOp, ": max_dets must be >= 0, got ", p.max_dets[i]);
    check(i == 0 || p.max_dets[i] >= p.max_dets[i - 1], kOp, ": max_dets must be increasing");
  }
  check(!p.area_ranges.empty(), kOp, ": area_ranges must not be empty");
  for (const auto& r : p.area_ranges)
    check(!std::isnan(r[0]) && !std::isnan(r[1]), kOp, ": area_ranges must not hold NaN");
}

}  // namespace

CocoEvalResult coco_evaluate(const CocoGroundTruth& gt, const CocoDetections& dt, int64_t num_images,
                             int64_t num_categories, const CocoEvalParams& params) {
  check(num_images >= 0 && num_categories >= 0, kOp, ": num_images and num_categories must be >= 0, got ",
        num_images, " and ", num_categories);
  check_params(params);
  const int64_t G = check_boxes(gt.boxes, "gt_boxes"), D = check_boxes(dt.boxes, "dt_boxes");
  check_indices(gt.image, G, num_images, "gt_image");
  check_indices(gt.category, G, num_categories, "gt_category");
  check_vector(gt.area, G, DType::float64, "gt_area");
  check_vector(gt.crowd, G, DType::int64, "gt_crowd");
  check_vector(gt.id, G, DType::int64, "gt_id");
  for (int64_t i = 0; i < G; ++i)
    check(!std::isnan(gt.area.ptr<double>()[i]), kOp, ": gt_area must not be NaN, got NaN in record ", i);
  check_indices(dt.image, D, num_images, "dt_image");
  check_indices(dt.category, D, num_categories, "dt_category");
  check_vector(dt.score, D, DType::float64, "dt_score");
  for (int64_t i = 0; i < D; ++i)
    check(!std::isnan(dt.score.ptr<double>()[i]), kOp, ": dt_score must not be NaN, got NaN in record ", i);

  const int64_t T = static_cast<int64_t>(params.iou_thresholds.size()),
                R = static_cast<int64_t>(params.recall_thresholds.size()),
                A = static_cast<int64_t>(params.area_ranges.size()), M = static_cast<int64_t>(params.max_dets.size());
  const int64_t cells = checked_mul(checked_mul(checked_mul(checked_mul(T, R, kOp), num_categories, kOp), A, kOp), M,
                                    kOp);
  CocoEvalResult result;
  result.precision.assign(static_cast<size_t>(cells), -1.0);
  result.scores.assign(static_cast<size_t>(cells), -1.0);
  result.recall.assign(static_cast<size_t>(T * num_categories * A * M), -1.0);
  const cpu::CocoRecords g{G, gt.image.ptr<int64_t>(), gt.category.ptr<int64_t>(), gt.boxes.ptr<double>()};
  const cpu::CocoRecords d{D, dt.image.ptr<int64_t>(), dt.category.ptr<int64_t>(), dt.boxes.ptr<double>()};
  cpu::coco_evaluate(g, gt.area.ptr<double>(), gt.crowd.ptr<int64_t>(), gt.id.ptr<int64_t>(), d,
                     dt.score.ptr<double>(), num_images, num_categories, params, get_num_threads(), result);
  return result;
}

}  // namespace cvcore
