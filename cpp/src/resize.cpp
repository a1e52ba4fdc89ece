// resize frontend: validates every argument once, then dispatches to the CPU backend (cpu/resize.cpp).
#include "cvcore/resize.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "checks.hpp"
#include "cpu/resize.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

constexpr detail::Named<ResizeMode> kResizeModes[] = {{"nearest", ResizeMode::nearest},
                                                      {"linear", ResizeMode::linear}};
constexpr detail::Named<CoordinateMode> kCoordinateModes[] = {
    {"half_pixel", CoordinateMode::half_pixel},
    {"pytorch_half_pixel", CoordinateMode::pytorch_half_pixel},
    {"align_corners", CoordinateMode::align_corners},
    {"asymmetric", CoordinateMode::asymmetric},
    {"half_pixel_symmetric", CoordinateMode::half_pixel_symmetric}};
constexpr detail::Named<NearestMode> kNearestModes[] = {{"round_prefer_floor", NearestMode::round_prefer_floor},
                                                        {"round_prefer_ceil", NearestMode::round_prefer_ceil},
                                                        {"floor", NearestMode::floor},
                                                        {"ceil", NearestMode::ceil}};

// The scale as the kernels use it: finite and > 0 also in float32 (checked before converting: a
// double beyond float's range has no float32 value).
bool usable_scale(double scale) {
  return std::isfinite(scale) && scale > 0 && scale <= std::numeric_limits<float>::max() &&
         static_cast<float>(scale) > 0;
}

// value is one of the enum's named values (not an integer cast to the enum in C++).
template <typename E, size_t N>
bool named(const detail::Named<E> (&names)[N], E value) {
  for (const detail::Named<E>& n : names)
    if (n.value == value) return true;
  return false;
}

}  // namespace

void check_resize_params(const ResizeParams& p, const char* op) {
  check(named(kResizeModes, p.mode), op, ": mode is not a ResizeMode, got ", static_cast<int>(p.mode));
  check(named(kCoordinateModes, p.coordinate_mode), op, ": coordinate_transformation_mode is not a CoordinateMode, got ",
        static_cast<int>(p.coordinate_mode));
  check(named(kNearestModes, p.nearest_mode), op, ": nearest_mode is not a NearestMode, got ",
        static_cast<int>(p.nearest_mode));
  check(usable_scale(p.scales[0]) && usable_scale(p.scales[1]), op,
        ": scales must be finite and > 0 (also as float32, the precision of the coordinates), got (", p.scales[0],
        ", ", p.scales[1], ")");
}

ResizeMode parse_resize_mode(const std::string& name, const char* op) {
  return detail::parse_named(kResizeModes, name, op, "mode");
}
CoordinateMode parse_coordinate_mode(const std::string& name, const char* op) {
  return detail::parse_named(kCoordinateModes, name, op, "coordinate_transformation_mode");
}
NearestMode parse_nearest_mode(const std::string& name, const char* op) {
  return detail::parse_named(kNearestModes, name, op, "nearest_mode");
}
const char* resize_mode_name(ResizeMode mode) { return detail::name_of(kResizeModes, mode); }
const char* coordinate_mode_name(CoordinateMode mode) { return detail::name_of(kCoordinateModes, mode); }
const char* nearest_mode_name(NearestMode mode) { return detail::name_of(kNearestModes, mode); }

int64_t resize_output_size(int64_t size, double scale, const char* op) {
  check(size >= 1, op, ": the input size must be >= 1, got ", size);
  check(usable_scale(scale), op, ": scale must be finite and > 0 (also as float32), got ", scale);
  const float product = static_cast<float>(scale) * static_cast<float>(size);
  // 2^63 is a float; every float below it converts to int64 exactly.
  check(product < 9223372036854775808.0f, op, ": scale ", scale, " on a size of ", size,
        " gives an output size that does not fit 64 bits");
  const int64_t out = static_cast<int64_t>(product);
  check(out >= 1, op, ": scale ", scale, " on a size of ", size, " gives an empty output (floor(", product,
        ") = 0)");
  return out;
}

std::array<int64_t, 4> resize_output_shape(const TensorView& x, std::array<int64_t, 2> size, const char* op) {
  detail::check_array(x, op, "input", DType::float32, 4);
  check(x.shape[2] >= 1 && x.shape[3] >= 1, op, ": input must have non-empty spatial dimensions, got shape ",
        x.shape_text());
  check(size[0] >= 1 && size[1] >= 1, op, ": the output size must be >= 1, got (", size[0], ", ", size[1], ")");
  detail::checked_output_numel(op, {x.shape[0], x.shape[1], size[0], size[1]}, sizeof(float));
  return {x.shape[0], x.shape[1], size[0], size[1]};
}

void resize(const TensorView& x, const ResizeParams& params, const TensorView& out) {
  resize(x, params, out, "resize");
}

void resize(const TensorView& x, const ResizeParams& params, const TensorView& out, const char* op) {
  detail::require_cpu(op, {{"input", x}, {"out", out}});
  check_resize_params(params, op);
  detail::check_array(out, op, "out", DType::float32, 4);
  const std::array<int64_t, 4> shape = resize_output_shape(x, {out.shape[2], out.shape[3]}, op);
  detail::check_output(out, op, shape.data(), 4, DType::float32);
  if (out.numel() == 0) return;
  const float* xp = x.ptr<float>();
  float* yp = out.ptr<float>();
  const auto address = [](const float* p) { return reinterpret_cast<uintptr_t>(p); };
  check(address(yp + out.numel()) <= address(xp) || address(xp + x.numel()) <= address(yp), op,
        ": out must not overlap the input");
  const cpu::ResizeGeometry g{x.shape[0] * x.shape[1], x.shape[2], x.shape[3], shape[2], shape[3]};
  detail::naming_memory_errors(op, [&] { cpu::resize(g, params, xp, yp, get_num_threads()); });
}

}  // namespace cvcore
