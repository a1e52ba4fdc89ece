// Region-of-interest pooling with torchvision's semantics: roi_align (bilinear, Mask R-CNN) and
// roi_pool (max, Fast R-CNN) over an NCHW float32 feature map.
//
// boxes is a (K, 5) float32 array of (batch_index, x1, y1, x2, y2) in image coordinates; the
// coordinates are multiplied by spatial_scale (in float32, as torchvision) to reach the map.
// Every batch index must be an integer in [0, N) (IndexError when out of range, ValueError when
// not an integer: torchvision truncates it and does not check the range), and every coordinate,
// scaled coordinate and scaled width / height must be finite (ValueError).
#pragma once

#include <array>
#include <cstdint>

#include "cvcore/tensor.hpp"

namespace cvcore {

struct RoiAlignParams {
  std::array<int64_t, 2> output_size{1, 1};  // (PH, PW), >= 1
  double spatial_scale = 1.0;                // finite, >= 0
  // Samples per bin along each axis; <= 0 means ceil(roi_size / output_size) per RoI and axis
  // (adaptive, about one sample per pixel of the RoI on the map). A positive sampling_ratio is at most
  // 16 times that, and 16 for a RoI no larger than its output: sampling_ratio <= 16 * max(1,
  // ceil(roi_size / output_size)) for every RoI and axis (roi_size on the map, as the kernel computes
  // it in float32), else ValueError.
  int64_t sampling_ratio = -1;
  // Shift the scaled box by -0.5 (pixel i covers [i, i + 1)); when false, RoIs are at least 1x1.
  bool aligned = false;
};

// Validate x (N, C, H, W) float32 or uint8 (read as its values, e.g. an image) contiguous with
// H, W >= 1, boxes and params; return the output
// shape (K, C, PH, PW). The samples per bin must respect RoiAlignParams::sampling_ratio's bound, and
// the sampling grid of one RoI may hold at most 2^22 rows and 2^22 columns (output_size times
// samples per bin), else ValueError.
std::array<int64_t, 4> roi_align_output_shape(const TensorView& x, const TensorView& boxes,
                                              const RoiAlignParams& params);

// out[k, c, ph, pw] = the mean over the bin's gh x gw sample grid of the bilinearly interpolated
// map of image boxes[k, 0], channel c (torchvision.ops.roi_align, bit for bit on float32):
// samples with y outside [-1, H] or x outside [-1, W] count as 0, others are clamped to the border.
void roi_align(const TensorView& x, const TensorView& boxes, const RoiAlignParams& params, const TensorView& out);

// roi_align_output_shape's checks and shape, for crop_resize.
std::array<int64_t, 4> crop_resize_output_shape(const TensorView& x, const TensorView& boxes,
                                                const RoiAlignParams& params);

// roi_align's output (same checks, shape and sampling) up to float32 rounding instead of bit for bit,
// computed separably: each image row the RoI's samples touch is interpolated along x once, then
// the rows are combined along y. Samples outside the map are skipped (they count in the average,
// as in roi_align). Fewer taps per output than roi_align: much faster for crops of images.
void crop_resize(const TensorView& x, const TensorView& boxes, const RoiAlignParams& params, const TensorView& out);

struct RoiPoolParams {
  std::array<int64_t, 2> output_size{1, 1};  // (PH, PW), >= 1
  double spatial_scale = 1.0;                // finite, >= 0
};

// Validate as roi_align (H * W must also be < 2^31); return (K, C, PH, PW).
std::array<int64_t, 4> roi_pool_output_shape(const TensorView& x, const TensorView& boxes,
                                             const RoiPoolParams& params);

// out[k, c, ph, pw] = max over the bin of the map (torchvision.ops.roi_pool): coordinates rounded
// half away from zero, inclusive (+1) sizes, bins [floor(i * bin), ceil((i + 1) * bin)) clipped to
// the map; an empty bin gives 0. argmax (int64, optional) receives the flat index h * W + w of the
// first maximum in row-major order, or -1 for an empty bin (or a bin of only NaN / -inf values,
// whose output is then -FLT_MAX, as torchvision).
void roi_pool(const TensorView& x, const TensorView& boxes, const RoiPoolParams& params, const TensorView& out,
              const TensorView& argmax = TensorView{});

}  // namespace cvcore
