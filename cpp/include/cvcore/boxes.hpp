// Box utilities and the pairwise IoU family with torchvision's definitions and arithmetic order,
// on (N, 4) boxes of float32 or float64, computed in that precision.
//
// Conventions (differences from torchvision, which leaves these cases undefined or NaN):
// - a box with x2 < x1 or y2 < y1 is empty: its area is 0;
// - a ratio whose denominator is 0 is 0, not NaN: the IoU of two empty boxes, the GIoU penalty of
//   a point-like enclosing box, the DIoU penalty with eps = 0 and the CIoU alpha;
// - the aspect angle atan(w / h) of a box with w = h = 0 is 0 (CIoU);
// - coordinates must be finite (ValueError naming the argument otherwise); box_area and the
//   pairwise ops also bound their magnitude (box_coordinate_limit) so that no area or squared
//   distance overflows.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "cvcore/tensor.hpp"

namespace cvcore {

enum class BoxFormat { xyxy, xywh, cxcywh };
enum class PairwiseIou { iou, generalized, distance, complete };

// "xyxy", "xywh" or "cxcywh"; ValueError naming `op`, the argument `name`, the formats and the one
// received otherwise.
BoxFormat parse_box_format(const std::string& fmt, const char* op, const char* name);
// "box_iou", "generalized_box_iou", "distance_box_iou" or "complete_box_iou".
const char* pairwise_iou_name(PairwiseIou kind);

// The largest |coordinate| box_area and the pairwise ops accept: 2^62 for float32, 2^510 for
// float64 (8 * limit^2, the largest squared diagonal, stays finite).
double box_coordinate_limit(DType dtype);

// Shape checks only (cheap; the computing calls below also scan the values): `boxes` is a
// C-contiguous float32 or float64 (N, 4) array. Return the output shape.
int64_t boxes_count(const TensorView& boxes, const char* op, const char* name = "boxes");
std::array<int64_t, 2> pairwise_iou_output_shape(PairwiseIou kind, const TensorView& boxes1,
                                                 const TensorView& boxes2);

// out (N,) of boxes' dtype: (x2 - x1) * (y2 - y1), or 0 for an empty box.
void box_area(const TensorView& boxes, const TensorView& out);

// out (N, 4) of boxes' dtype, with torchvision's formulas: xywh <-> xyxy uses x + w and x2 - x1,
// cxcywh -> xyxy uses cx -/+ 0.5 * w, xyxy -> cxcywh uses (x1 + x2) / 2; xywh <-> cxcywh goes
// through xyxy (rounding twice), and in_fmt == out_fmt copies.
void box_convert(const TensorView& boxes, BoxFormat in_fmt, BoxFormat out_fmt, const TensorView& out);

// out (N, 4): x clamped to [0, width], y to [0, height] (torchvision's clip_boxes_to_image);
// height and width are finite and >= 0, rounded to the boxes' dtype.
void clip_boxes(const TensorView& boxes, double height, double width, const TensorView& out);

// Writes to keep (int64, N elements) the increasing indices of the boxes with
// x2 - x1 >= min_size and y2 - y1 >= min_size (compared in the boxes' dtype); returns how many.
// min_size is finite and >= 0.
int64_t remove_small_boxes(const TensorView& boxes, double min_size, const TensorView& keep);

// out (N, M) of the boxes' dtype (boxes1 and boxes2 share it). eps (DIoU, CIoU; finite, >= 0,
// rounded to the dtype) is added to the squared enclosing diagonal and to CIoU's alpha denominator.
//   iou  = inter / union, union = (area1 + area2) - inter
//   giou = iou - (area_c - union) / area_c           (area_c: the enclosing box's area)
//   diou = iou - rho^2 / ((cw^2 + ch^2) + eps)       (rho: distance of the centres)
//   ciou = diou - alpha * v, v = 4/pi^2 (atan(w1/h1) - atan(w2/h2))^2,
//          alpha = v / (((1 - iou) + v) + eps)
// Row-parallel; each value is computed the same way whatever the thread count.
void pairwise_box_iou(PairwiseIou kind, const TensorView& boxes1, const TensorView& boxes2, double eps,
                      const TensorView& out);

}  // namespace cvcore
