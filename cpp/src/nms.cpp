// NMS frontends: validate every argument once, then dispatch to the CPU kernels in the boxes' precision.
#include "cvcore/nms.hpp"

#include <cmath>

#include "checks.hpp"
#include "cpu/nms.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

// boxes (N, 4) float32/float64 with finite coordinates; scores (N,) of the same dtype without NaN
// (and finite when finite_scores). Returns N.
int64_t check_boxes_scores(const TensorView& boxes, const TensorView& scores, const char* op, bool finite_scores) {
  check<TypeError>(boxes.dtype == DType::float32 || boxes.dtype == DType::float64, op,
                   ": boxes must be a float32 or float64 array, got ", dtype_name(boxes.dtype));
  detail::check_array(boxes, op, "boxes", boxes.dtype, 2);
  check(boxes.shape[1] == 4, op, ": boxes must have shape (N, 4), got ", boxes.shape_text());
  const int64_t n = boxes.shape[0];
  check<TypeError>(scores.dtype == boxes.dtype, op, ": scores must have the dtype of boxes (",
                   dtype_name(boxes.dtype), "), got ", dtype_name(scores.dtype));
  detail::check_array(scores, op, "scores", scores.dtype, 1);
  check(scores.shape[0] == n, op, ": scores must have one value per box (", n, "), got ", scores.shape[0]);
  auto scan = [&](auto tag) {
    using T = decltype(tag);
    const T* b = static_cast<const T*>(boxes.data);
    const T* s = static_cast<const T*>(scores.data);
    for (int64_t i = 0; i < 4 * n; ++i)
      check(std::isfinite(b[i]), op, ": boxes must have finite coordinates, got ", b[i], " in box ", i / 4);
    for (int64_t i = 0; i < n; ++i) {
      check(!std::isnan(s[i]), op, ": scores must not be NaN, got NaN at index ", i);
      check(!finite_scores || std::isfinite(s[i]), op, ": scores must be finite, got ", s[i], " at index ", i);
    }
  };
  if (boxes.dtype == DType::float32)
    scan(float{});
  else
    scan(double{});
  return n;
}

void check_finite(double v, const char* op, const char* name) {
  check(std::isfinite(v), op, ": ", name, " must be finite, got ", v);
}

void check_options(const NmsOptions& o, const char* op) {
  check_finite(o.iou_threshold, op, "iou_threshold");
  if (o.score_threshold) check_finite(*o.score_threshold, op, "score_threshold");
  if (o.max_output) check(*o.max_output >= 0, op, ": max_output must be >= 0, got ", *o.max_output);
}

}  // namespace

NmsMetric parse_nms_metric(const std::string& name, const char* op) {
  static constexpr detail::Named<NmsMetric> metrics[] = {
      {"iou", NmsMetric::iou}, {"iom", NmsMetric::iom}, {"diou", NmsMetric::diou}};
  return detail::parse_named(metrics, name, op, "metric");
}

SoftNmsMethod parse_soft_nms_method(const std::string& name, const char* op) {
  static constexpr detail::Named<SoftNmsMethod> methods[] = {
      {"linear", SoftNmsMethod::linear}, {"gaussian", SoftNmsMethod::gaussian}};
  return detail::parse_named(methods, name, op, "method");
}

std::vector<int64_t> nms(const TensorView& boxes, const TensorView& scores, const NmsOptions& o) {
  constexpr const char* op = "nms";
  detail::require_cpu(op, {{"boxes", boxes}, {"scores", scores}});
  const int64_t n = check_boxes_scores(boxes, scores, op, false);
  check_options(o, op);
  const int64_t max_output = o.max_output.value_or(-1);
  if (boxes.dtype == DType::float32)
    return cpu::nms(boxes.ptr<float>(), scores.ptr<float>(), n, o.iou_threshold, o.score_threshold.has_value(),
                    o.score_threshold.value_or(0.0), max_output, o.metric);
  return cpu::nms(boxes.ptr<double>(), scores.ptr<double>(), n, o.iou_threshold, o.score_threshold.has_value(),
                  o.score_threshold.value_or(0.0), max_output, o.metric);
}

std::vector<int64_t> batched_nms(const TensorView& boxes, const TensorView& scores, const TensorView& class_ids,
                                 const NmsOptions& o) {
  constexpr const char* op = "batched_nms";
  detail::require_cpu(op, {{"boxes", boxes}, {"scores", scores}, {"class_ids", class_ids}});
  const int64_t n = check_boxes_scores(boxes, scores, op, false);
  detail::check_array(class_ids, op, "class_ids", DType::int64, 1);
  check(class_ids.shape[0] == n, op, ": class_ids must have one value per box (", n, "), got ", class_ids.shape[0]);
  check_options(o, op);
  const int64_t max_output = o.max_output.value_or(-1);
  const int threads = get_num_threads();
  if (boxes.dtype == DType::float32)
    return cpu::batched_nms(boxes.ptr<float>(), scores.ptr<float>(), class_ids.ptr<int64_t>(), n, o.iou_threshold,
                            o.score_threshold.has_value(), o.score_threshold.value_or(0.0), max_output, o.metric,
                            threads);
  return cpu::batched_nms(boxes.ptr<double>(), scores.ptr<double>(), class_ids.ptr<int64_t>(), n, o.iou_threshold,
                          o.score_threshold.has_value(), o.score_threshold.value_or(0.0), max_output, o.metric,
                          threads);
}

SoftNmsResult soft_nms(const TensorView& boxes, const TensorView& scores, const SoftNmsOptions& o) {
  constexpr const char* op = "soft_nms";
  detail::require_cpu(op, {{"boxes", boxes}, {"scores", scores}});
  const int64_t n = check_boxes_scores(boxes, scores, op, true);
  check_finite(o.iou_threshold, op, "iou_threshold");
  check_finite(o.sigma, op, "sigma");
  check(o.sigma > 0.0, op, ": sigma must be > 0, got ", o.sigma);
  check_finite(o.score_threshold, op, "score_threshold");
  if (o.max_output) check(*o.max_output >= 0, op, ": max_output must be >= 0, got ", *o.max_output);
  const int64_t max_output = o.max_output.value_or(-1);
  if (boxes.dtype == DType::float32)
    return cpu::soft_nms(boxes.ptr<float>(), scores.ptr<float>(), n, o.iou_threshold, o.sigma, o.score_threshold,
                         max_output, o.method);
  return cpu::soft_nms(boxes.ptr<double>(), scores.ptr<double>(), n, o.iou_threshold, o.sigma, o.score_threshold,
                       max_output, o.method);
}

}  // namespace cvcore
