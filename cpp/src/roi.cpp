// RoI frontends: validate the map, the boxes (batch indices, finite coordinates, sampling grid
// sizes) and the parameters once, compute the output shape, dispatch to the CPU kernels.
#include "cvcore/roi.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "checks.hpp"
#include "cpu/roi.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

using Pair = std::array<int64_t, 2>;

// The bound on sampling_ratio (RoiAlignParams): this many times the adaptive grid, about one sample
// per pixel of the RoI on the map. The map is bilinear between its pixels, so finer samples no
// longer change a bin's average materially, and the work per RoI stays within a fixed multiple of
// the adaptive grid's.
constexpr int64_t kRoiSamplingFactor = 16;

bool finite(float v) { return std::isfinite(v); }

// The checks shared by roi_align and roi_pool; returns spatial_scale as the kernels' float.
float check_roi_inputs(const char* op, const TensorView& x, const TensorView& boxes, const Pair& output_size,
                       double spatial_scale, bool uint8_ok = false) {
  detail::require_cpu(op, {{"input", x}, {"boxes", boxes}});
  detail::check_array(x, op, "input", uint8_ok && x.dtype == DType::uint8 ? DType::uint8 : DType::float32, 4);
  check(x.shape[2] >= 1 && x.shape[3] >= 1, op, ": input must have non-empty spatial dimensions, got shape ",
        x.shape_text());
  detail::check_array(boxes, op, "boxes", DType::float32, 2);
  check(boxes.shape[1] == 5, op, ": boxes must have shape (K, 5) (batch_index, x1, y1, x2, y2), got ",
        boxes.shape_text());
  check(output_size[0] >= 1 && output_size[1] >= 1, op, ": output_size must be >= 1, got (", output_size[0], ", ",
        output_size[1], ")");
  const float scale = static_cast<float>(spatial_scale);
  check(std::isfinite(spatial_scale) && finite(scale) && spatial_scale >= 0, op,
        ": spatial_scale must be finite and >= 0 (in float32), got ", spatial_scale);
  const int64_t n = x.shape[0];
  const float* b = boxes.ptr<float>();
  for (int64_t k = 0; k < boxes.shape[0]; ++k) {
    const float* r = b + 5 * k;
    check(finite(r[0]) && std::floor(r[0]) == r[0], op, ": boxes[", k, ", 0] (the batch index) must be an integer, got ",
          r[0]);
    check<IndexError>(r[0] >= 0 && r[0] < static_cast<float>(n), op, ": boxes[", k, ", 0] (the batch index) must be in [0, ",
                      n, ") for input of shape ", x.shape_text(), ", got ", r[0]);
    for (int i = 1; i < 5; ++i)
      check(finite(r[i]) && finite(r[i] * scale), op, ": boxes[", k, ", ", i,
            "] must be finite (also times spatial_scale in float32), got ", r[i]);
    check(finite(r[3] * scale - r[1] * scale) && finite(r[4] * scale - r[2] * scale), op, ": boxes[", k,
          "] is too large: its scaled width or height overflows float32");
  }
  return scale;
}

std::array<int64_t, 4> output_shape(const char* op, const TensorView& x, const TensorView& boxes, const Pair& size) {
  const std::array<int64_t, 4> shape{boxes.shape[0], x.shape[1], size[0], size[1]};
  detail::checked_output_numel(op, {shape[0], shape[1], shape[2], shape[3]}, sizeof(int64_t));  // (roi_pool's argmax)
  return shape;
}

cpu::RoiGeometry geometry(const TensorView& x, const std::array<int64_t, 4>& shape) {
  return {x.shape[0], x.shape[1], x.shape[2], x.shape[3], shape[0], shape[2], shape[3]};
}

// The checks and output shape of roi_align and crop_resize (the same sampling).
std::array<int64_t, 4> align_output_shape(const char* op, const TensorView& x, const TensorView& boxes,
                                          const RoiAlignParams& p) {
  const float scale = check_roi_inputs(op, x, boxes, p.output_size, p.spatial_scale, /*uint8_ok=*/true);
  const float* b = boxes.ptr<float>();
  const int64_t PH = p.output_size[0], PW = p.output_size[1];
  for (int64_t k = 0; k < boxes.shape[0]; ++k) {
    const cpu::AlignBox box = cpu::align_box(b + 5 * k, scale, p.aligned, PH, PW);
    const float gh = cpu::align_grid(box.roi_h, PH, p.sampling_ratio);
    const float gw = cpu::align_grid(box.roi_w, PW, p.sampling_ratio);
    if (p.sampling_ratio > 0) {
      const float adaptive_h = cpu::align_grid(box.roi_h, PH, 0), adaptive_w = cpu::align_grid(box.roi_w, PW, 0);
      const double most = double(kRoiSamplingFactor) * std::max(1.0f, std::min(adaptive_h, adaptive_w));
      check(double(p.sampling_ratio) <= most, op, ": sampling_ratio must be at most ", kRoiSamplingFactor,
            " times the adaptive grid ceil(roi_size / output_size) of each box (", kRoiSamplingFactor,
            " for a box no larger than its output), here ", most, " for boxes[", k, "] (", box.roi_h, " x ",
            box.roi_w, " on the map, output_size (", PH, ", ", PW, ")), got ", p.sampling_ratio);
    }
    const double limit = static_cast<double>(cpu::kMaxRoiSamples);
    check(double(gh) * double(PH) <= limit && double(gw) * double(PW) <= limit, op, ": the sampling grid of boxes[",
          k, "] (", gh, " x ", gw, " samples per bin, output_size (", PH, ", ", PW,
          ")) exceeds 2^22 rows or columns; pass a smaller sampling_ratio or output_size");
  }
  return output_shape(op, x, boxes, p.output_size);
}

// Runs kernel (cpu::roi_align or cpu::crop_resize, called for the input's dtype) after the checks.
template <typename Kernel>
void align(const char* op, const TensorView& x, const TensorView& boxes, const RoiAlignParams& p,
           const TensorView& out, Kernel kernel) {
  detail::require_cpu(op, {{"input", x}, {"boxes", boxes}, {"out", out}});
  const std::array<int64_t, 4> shape = align_output_shape(op, x, boxes, p);
  detail::check_output(out, op, shape.data(), 4, DType::float32);
  if (out.numel() == 0) return;
  const float scale = static_cast<float>(p.spatial_scale);
  detail::naming_memory_errors(op, [&] {
    if (x.dtype == DType::uint8)
      kernel(geometry(x, shape), x.ptr<uint8_t>(), boxes.ptr<float>(), scale, p.sampling_ratio, p.aligned,
             out.ptr<float>(), get_num_threads());
    else
      kernel(geometry(x, shape), x.ptr<float>(), boxes.ptr<float>(), scale, p.sampling_ratio, p.aligned,
             out.ptr<float>(), get_num_threads());
  });
}

}  // namespace

std::array<int64_t, 4> roi_align_output_shape(const TensorView& x, const TensorView& boxes, const RoiAlignParams& p) {
  return align_output_shape("roi_align", x, boxes, p);
}

std::array<int64_t, 4> crop_resize_output_shape(const TensorView& x, const TensorView& boxes,
                                                const RoiAlignParams& p) {
  return align_output_shape("crop_resize", x, boxes, p);
}

void roi_align(const TensorView& x, const TensorView& boxes, const RoiAlignParams& p, const TensorView& out) {
  align("roi_align", x, boxes, p, out, [](auto&&... a) { cpu::roi_align(a...); });
}

void crop_resize(const TensorView& x, const TensorView& boxes, const RoiAlignParams& p, const TensorView& out) {
  align("crop_resize", x, boxes, p, out, [](auto&&... a) { cpu::crop_resize(a...); });
}

std::array<int64_t, 4> roi_pool_output_shape(const TensorView& x, const TensorView& boxes, const RoiPoolParams& p) {
  constexpr const char* op = "roi_pool";
  check_roi_inputs(op, x, boxes, p.output_size, p.spatial_scale);
  check(x.shape[2] * x.shape[3] <= std::numeric_limits<int32_t>::max(), op,
        ": input planes must hold fewer than 2^31 values, got shape ", x.shape_text());
  return output_shape(op, x, boxes, p.output_size);
}

void roi_pool(const TensorView& x, const TensorView& boxes, const RoiPoolParams& p, const TensorView& out,
              const TensorView& argmax) {
  detail::require_cpu("roi_pool", {{"input", x}, {"boxes", boxes}, {"out", out}, {"argmax", argmax}});
  const std::array<int64_t, 4> shape = roi_pool_output_shape(x, boxes, p);
  detail::check_output(out, "roi_pool", shape.data(), 4, DType::float32);
  if (detail::present(argmax)) detail::check_output(argmax, "roi_pool", shape.data(), 4, DType::int64, "argmax");
  if (out.numel() == 0) return;
  detail::naming_memory_errors("roi_pool", [&] {
    cpu::roi_pool(geometry(x, shape), x.ptr<float>(), boxes.ptr<float>(), static_cast<float>(p.spatial_scale),
                  out.ptr<float>(), detail::present(argmax) ? argmax.ptr<int64_t>() : nullptr, get_num_threads());
  });
}

}  // namespace cvcore
