// Non-maximum suppression over (N, 4) x1, y1, x2, y2 boxes in float32 or float64 (computed in the
// boxes' precision), with torchvision's semantics: greedy in decreasing score, a box is suppressed
// when its overlap with an already kept box is strictly greater than the threshold.
//
// Conventions (shared with the box ops): a box with x2 <= x1 or y2 <= y1 has area 0, and an
// overlap whose denominator is 0 is 0, so for a threshold >= 0 such boxes never suppress and are
// never suppressed. Scores order the boxes; equal scores keep the lower index first, so results
// are deterministic and identical for every thread count.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cvcore/tensor.hpp"

namespace cvcore {

// The overlap measure a kept box M compares against the threshold for a later box B.
enum class NmsMetric {
  iou,   // |M ∩ B| / |M ∪ B|
  iom,   // |M ∩ B| / min(|M|, |B|)  (intersection over the smaller area, MTCNN's "Min")
  diou,  // IoU - ρ²/(c² + 1e-7): ρ the distance between the centres, c the diagonal of the enclosing box
         // (DIoU-NMS, Zheng et al. 2020; torchvision's distance_box_iou)
};

// "iou", "iom" or "diou"; ValueError naming `op`, the argument "metric", the metrics and the one
// received otherwise.
NmsMetric parse_nms_metric(const std::string& name, const char* op = "nms");

struct NmsOptions {
  double iou_threshold = 0.5;             // finite; suppress when overlap > iou_threshold
  std::optional<double> score_threshold;  // finite when given; only boxes with score > it take part
  std::optional<int64_t> max_output;      // >= 0 when given; at most this many indices are returned
  NmsMetric metric = NmsMetric::iou;
};

// boxes: C-contiguous (N, 4) float32 or float64 with finite coordinates; scores: C-contiguous (N,)
// of the same dtype, no NaN (infinities are allowed). Returns the indices of the kept boxes by
// decreasing score (ties: lower index first). Throws ValueError / TypeError naming the argument.
std::vector<int64_t> nms(const TensorView& boxes, const TensorView& scores, const NmsOptions& options);

// As nms, but boxes whose class_ids (C-contiguous (N,) int64, any values) differ never suppress
// each other. The result is ordered by decreasing score, ties by lower index; max_output caps the
// total. Classes are processed in parallel (get_num_threads()); the result does not depend on it.
std::vector<int64_t> batched_nms(const TensorView& boxes, const TensorView& scores, const TensorView& class_ids,
                                 const NmsOptions& options);

enum class SoftNmsMethod {
  linear,    // s *= 1 - IoU when IoU > iou_threshold
  gaussian,  // s *= exp(-IoU² / sigma) (iou_threshold unused)
};

// "linear" or "gaussian"; ValueError naming `op`, the argument "method", the methods and the one
// received otherwise.
SoftNmsMethod parse_soft_nms_method(const std::string& name, const char* op = "soft_nms");

struct SoftNmsOptions {
  double iou_threshold = 0.3;    // finite (linear only)
  double sigma = 0.5;            // finite, > 0 (gaussian only)
  double score_threshold = 0.001;  // finite; a box is selected only while its decayed score >= it
  std::optional<int64_t> max_output;  // >= 0 when given
  SoftNmsMethod method = SoftNmsMethod::gaussian;
};

struct SoftNmsResult {
  std::vector<int64_t> indices;  // in selection order
  std::vector<double> scores;    // the decayed score of each at selection (exact in the input dtype)
};

// Soft-NMS (Bodla et al. 2017): repeatedly select the remaining box with the highest current score
// (ties: lower index), stop when that score is < score_threshold, and decay the score of every
// other remaining box by its IoU with the selected one. Scores must be finite.
SoftNmsResult soft_nms(const TensorView& boxes, const TensorView& scores, const SoftNmsOptions& options);

}  // namespace cvcore
