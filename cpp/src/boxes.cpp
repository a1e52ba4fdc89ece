// Box frontends: validate shapes, dtypes, scalars and coordinates once, then dispatch to the CPU
// kernels in the boxes' precision (float32 or float64).
#include "cvcore/boxes.hpp"

#include <cmath>

#include "checks.hpp"
#include "cpu/boxes.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

bool is_real(DType dtype) { return dtype == DType::float32 || dtype == DType::float64; }

// Each coordinate is finite and, when `limit` > 0, of magnitude <= limit.
template <typename T>
void check_coordinates(const T* p, int64_t n, double limit, const char* op, const char* name, DType dtype) {
  for (int64_t k = 0; k < 4 * n; ++k) {
    const double v = static_cast<double>(p[k]);
    if (std::isfinite(v) && (limit <= 0 || std::fabs(v) <= limit)) continue;
    check(std::isfinite(v), op, ": ", name, " must hold finite coordinates, got ", v, " at ", name, "[", k / 4, ", ",
          k % 4, "]");
    check(false, op, ": ", name, " coordinates must have magnitude <= ", limit, " for ", dtype_name(dtype),
          " (larger areas and squared distances overflow), got ", v, " at ", name, "[", k / 4, ", ", k % 4, "]");
  }
}

// Shape checks, then the coordinate scan (the one pass over the values).
int64_t checked_boxes(const TensorView& boxes, const char* op, const char* name, bool bounded) {
  const int64_t n = boxes_count(boxes, op, name);
  const double limit = bounded ? box_coordinate_limit(boxes.dtype) : 0.0;
  if (boxes.dtype == DType::float32)
    check_coordinates(boxes.ptr<float>(), n, limit, op, name, boxes.dtype);
  else
    check_coordinates(boxes.ptr<double>(), n, limit, op, name, boxes.dtype);
  return n;
}

// A finite scalar >= 0.
void check_size(double v, const char* op, const char* name) {
  check(std::isfinite(v) && v >= 0, op, ": ", name, " must be a finite number >= 0, got ", v);
}

// Runs f(T{}) with T the boxes' element type (float or double).
template <typename F>
void with_type(DType dtype, F f) {
  if (dtype == DType::float32)
    f(float{});
  else
    f(double{});
}

}  // namespace

BoxFormat parse_box_format(const std::string& fmt, const char* op, const char* name) {
  static constexpr detail::Named<BoxFormat> formats[] = {
      {"xyxy", BoxFormat::xyxy}, {"xywh", BoxFormat::xywh}, {"cxcywh", BoxFormat::cxcywh}};
  return detail::parse_named(formats, fmt, op, name);
}

const char* pairwise_iou_name(PairwiseIou kind) {
  switch (kind) {
    case PairwiseIou::iou:
      return "box_iou";
    case PairwiseIou::generalized:
      return "generalized_box_iou";
    case PairwiseIou::distance:
      return "distance_box_iou";
    case PairwiseIou::complete:
      return "complete_box_iou";
  }
  return "?";
}

double box_coordinate_limit(DType dtype) { return dtype == DType::float32 ? std::ldexp(1.0, 62) : std::ldexp(1.0, 510); }

int64_t boxes_count(const TensorView& boxes, const char* op, const char* name) {
  check<TypeError>(is_real(boxes.dtype), op, ": ", name, " must be a float32 or float64 array, got ",
                   dtype_name(boxes.dtype));
  detail::check_array(boxes, op, name, boxes.dtype, 2);
  check(boxes.shape[1] == 4, op, ": ", name, " must have shape (N, 4), got ", boxes.shape_text());
  return boxes.shape[0];
}

std::array<int64_t, 2> pairwise_iou_output_shape(PairwiseIou kind, const TensorView& boxes1,
                                                 const TensorView& boxes2) {
  const char* op = pairwise_iou_name(kind);
  const int64_t n = boxes_count(boxes1, op, "boxes1"), m = boxes_count(boxes2, op, "boxes2");
  check<TypeError>(boxes1.dtype == boxes2.dtype, op, ": boxes1 and boxes2 must have the same dtype, got ",
                   dtype_name(boxes1.dtype), " and ", dtype_name(boxes2.dtype));
  detail::checked_output_numel(op, {n, m}, sizeof(double));
  return {n, m};
}

void box_area(const TensorView& boxes, const TensorView& out) {
  constexpr const char* op = "box_area";
  detail::require_cpu(op, {{"boxes", boxes}, {"out", out}});
  const int64_t n = checked_boxes(boxes, op, "boxes", true);
  detail::check_output(out, op, &n, 1, boxes.dtype);
  with_type(boxes.dtype, [&](auto t) {
    using T = decltype(t);
    cpu::box_area(n, boxes.ptr<T>(), out.ptr<T>());
  });
}

void box_convert(const TensorView& boxes, BoxFormat in_fmt, BoxFormat out_fmt, const TensorView& out) {
  constexpr const char* op = "box_convert";
  detail::require_cpu(op, {{"boxes", boxes}, {"out", out}});
  const int64_t n = checked_boxes(boxes, op, "boxes", false);
  const int64_t shape[2] = {n, 4};
  detail::check_output(out, op, shape, 2, boxes.dtype);
  with_type(boxes.dtype, [&](auto t) {
    using T = decltype(t);
    cpu::box_convert(n, in_fmt, out_fmt, boxes.ptr<T>(), out.ptr<T>());
  });
}

void clip_boxes(const TensorView& boxes, double height, double width, const TensorView& out) {
  constexpr const char* op = "clip_boxes";
  detail::require_cpu(op, {{"boxes", boxes}, {"out", out}});
  check_size(height, op, "size[0] (height)");
  check_size(width, op, "size[1] (width)");
  const int64_t n = checked_boxes(boxes, op, "boxes", false);
  const int64_t shape[2] = {n, 4};
  detail::check_output(out, op, shape, 2, boxes.dtype);
  with_type(boxes.dtype, [&](auto t) {
    using T = decltype(t);
    cpu::clip_boxes(n, static_cast<T>(height), static_cast<T>(width), boxes.ptr<T>(), out.ptr<T>());
  });
}

int64_t remove_small_boxes(const TensorView& boxes, double min_size, const TensorView& keep) {
  constexpr const char* op = "remove_small_boxes";
  detail::require_cpu(op, {{"boxes", boxes}, {"keep", keep}});
  check_size(min_size, op, "min_size");
  const int64_t n = checked_boxes(boxes, op, "boxes", false);
  detail::check_output(keep, op, &n, 1, DType::int64, "keep");
  int64_t count = 0;
  with_type(boxes.dtype, [&](auto t) {
    using T = decltype(t);
    count = cpu::remove_small_boxes(n, static_cast<T>(min_size), boxes.ptr<T>(), keep.ptr<int64_t>());
  });
  return count;
}

void pairwise_box_iou(PairwiseIou kind, const TensorView& boxes1, const TensorView& boxes2, double eps,
                      const TensorView& out) {
  const char* op = pairwise_iou_name(kind);
  detail::require_cpu(op, {{"boxes1", boxes1}, {"boxes2", boxes2}, {"out", out}});
  const std::array<int64_t, 2> shape = pairwise_iou_output_shape(kind, boxes1, boxes2);
  check_size(eps, op, "eps");
  checked_boxes(boxes1, op, "boxes1", true);
  checked_boxes(boxes2, op, "boxes2", true);
  detail::check_output(out, op, shape.data(), 2, boxes1.dtype);
  if (shape[0] == 0 || shape[1] == 0) return;
  with_type(boxes1.dtype, [&](auto t) {
    using T = decltype(t);
    cpu::pairwise_box_iou(kind, shape[0], shape[1], boxes1.ptr<T>(), boxes2.ptr<T>(), static_cast<T>(eps),
                          out.ptr<T>(), get_num_threads());
  });
}

}  // namespace cvcore
