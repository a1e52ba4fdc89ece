// RoI kernels on validated sizes (raw pointers, C-contiguous float32, no checks), and the per-RoI
// geometry they share with the frontend (cpp/src/roi.cpp), in torchvision's float32 arithmetic
// order so that results match torchvision bit for bit. Each RoI's output is computed by one thread
// in a fixed order, so results do not depend on the thread count.
#pragma once

#include <cmath>
#include <cstdint>

namespace cvcore::cpu {

struct RoiGeometry {
  int64_t batch, channels, height, width;  // the feature map (N, C, H, W)
  int64_t rois, out_h, out_w;              // K boxes of 5 floats, output (K, C, out_h, out_w)
};

// Most rows (out_h * grid_h) or columns of one RoI's roi_align sampling grid.
constexpr int64_t kMaxRoiSamples = int64_t(1) << 22;

// roi_align's box on the map: start corner, bin size, and the RoI size that sets the adaptive grid.
struct AlignBox {
  float start_h, start_w, bin_h, bin_w, roi_h, roi_w;
};

static inline AlignBox align_box(const float* roi, float scale, bool aligned, int64_t out_h, int64_t out_w) {
  const float offset = aligned ? 0.5f : 0.0f;
  AlignBox b;
  b.start_w = roi[1] * scale - offset;
  b.start_h = roi[2] * scale - offset;
  const float end_w = roi[3] * scale - offset, end_h = roi[4] * scale - offset;
  b.roi_w = end_w - b.start_w;
  b.roi_h = end_h - b.start_h;
  if (!aligned) {  // torchvision: "force malformed RoIs to be 1x1"
    b.roi_w = b.roi_w < 1.0f ? 1.0f : b.roi_w;  // std::max(roi_w, 1)
    b.roi_h = b.roi_h < 1.0f ? 1.0f : b.roi_h;
  }
  b.bin_h = b.roi_h / static_cast<float>(out_h);
  b.bin_w = b.roi_w / static_cast<float>(out_w);
  return b;
}

// Samples per bin along an axis: sampling_ratio, or ceil(roi / out) when sampling_ratio <= 0, as a
// float (so the frontend can bound it before any conversion); <= 0 means no sample.
static inline float align_grid(float roi, int64_t out, int64_t sampling_ratio) {
  return sampling_ratio > 0 ? static_cast<float>(sampling_ratio) : std::ceil(roi / static_cast<float>(out));
}

// roi_pool's box: rounded (half away from zero) start corner and the bin size of the inclusive
// (+1) RoI size. Rounded coordinates are clamped to +-2^40, where torchvision's int overflows.
struct PoolBox {
  int64_t start_h, start_w;
  float bin_h, bin_w;
};

static inline int64_t round_coordinate(float v) {
  const float r = std::round(v), limit = 1099511627776.0f;  // 2^40
  return static_cast<int64_t>(r < -limit ? -limit : (r > limit ? limit : r));
}

static inline PoolBox pool_box(const float* roi, float scale, int64_t out_h, int64_t out_w) {
  PoolBox b;
  b.start_w = round_coordinate(roi[1] * scale);
  b.start_h = round_coordinate(roi[2] * scale);
  const int64_t end_w = round_coordinate(roi[3] * scale), end_h = round_coordinate(roi[4] * scale);
  const int64_t roi_w = end_w - b.start_w + 1 > 1 ? end_w - b.start_w + 1 : 1;
  const int64_t roi_h = end_h - b.start_h + 1 > 1 ? end_h - b.start_h + 1 : 1;
  b.bin_h = static_cast<float>(roi_h) / static_cast<float>(out_h);
  b.bin_w = static_cast<float>(roi_w) / static_cast<float>(out_w);
  return b;
}

// out (K, C, out_h, out_w) = torchvision roi_align; boxes (K, 5) with valid integer batch indices,
// finite coordinates, and grids within kMaxRoiSamples (the frontend checks). T is float or uint8_t
// (read as its float value).
template <typename T>
void roi_align(const RoiGeometry& g, const T* x, const float* boxes, float spatial_scale, int64_t sampling_ratio,
               bool aligned, float* out, int threads);

// out = roi_align's result up to float32 rounding, computed separably: the rows under each output
// row are combined along y, then resampled along x (same preconditions).
template <typename T>
void crop_resize(const RoiGeometry& g, const T* x, const float* boxes, float spatial_scale, int64_t sampling_ratio,
                 bool aligned, float* out, int threads);

// out (K, C, out_h, out_w) = torchvision roi_pool; argmax (same shape) written when not null.
// height * width < 2^31.
void roi_pool(const RoiGeometry& g, const float* x, const float* boxes, float spatial_scale, float* out,
              int64_t* argmax, int threads);

}  // namespace cvcore::cpu
