// Box kernels on validated input: raw pointers to C-contiguous (n, 4) arrays of T (float or
// double) with finite coordinates, no checks. The pairwise kernels compute each output the same
// way whatever the thread count.
#pragma once

#include <cstdint>

#include "cvcore/boxes.hpp"

namespace cvcore::cpu {

template <typename T>
void box_area(int64_t n, const T* boxes, T* out);
template <typename T>
void box_convert(int64_t n, BoxFormat in_fmt, BoxFormat out_fmt, const T* boxes, T* out);
template <typename T>
void clip_boxes(int64_t n, T height, T width, const T* boxes, T* out);
// Returns the number of indices written to keep.
template <typename T>
int64_t remove_small_boxes(int64_t n, T min_size, const T* boxes, int64_t* keep);
// out[i * m + j] = kind(boxes1[i], boxes2[j]); see cvcore/boxes.hpp for the formulas.
template <typename T>
void pairwise_box_iou(PairwiseIou kind, int64_t n, int64_t m, const T* boxes1, const T* boxes2, T eps, T* out,
                      int threads);

}  // namespace cvcore::cpu
