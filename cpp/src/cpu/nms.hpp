// NMS kernels on validated input: raw pointers to C-contiguous (n, 4) boxes with finite
// coordinates and (n,) scores without NaN, of T = float or double. No argument checks here.
#pragma once

#include <cstdint>
#include <vector>

#include "cvcore/nms.hpp"

namespace cvcore::cpu {

// Kept indices by decreasing score (ties: lower index). Boxes with score <= score_threshold take
// no part when has_score_threshold. max_output < 0: no cap.
template <typename T>
std::vector<int64_t> nms(const T* boxes, const T* scores, int64_t n, double iou_threshold, bool has_score_threshold,
                         double score_threshold, int64_t max_output, NmsMetric metric);

// Per-class NMS (classes processed in parallel on `threads` threads), merged by decreasing score.
template <typename T>
std::vector<int64_t> batched_nms(const T* boxes, const T* scores, const int64_t* class_ids, int64_t n,
                                 double iou_threshold, bool has_score_threshold, double score_threshold,
                                 int64_t max_output, NmsMetric metric, int threads);

// Soft-NMS; see cvcore::soft_nms. scores must be finite. max_output < 0: no cap.
template <typename T>
SoftNmsResult soft_nms(const T* boxes, const T* scores, int64_t n, double iou_threshold, double sigma,
                       double score_threshold, int64_t max_output, SoftNmsMethod method);

}  // namespace cvcore::cpu
