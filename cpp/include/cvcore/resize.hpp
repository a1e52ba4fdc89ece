// ONNX Resize (opsets 11 to 21) on the two spatial axes of NCHW float32 maps: nearest and linear
// (bilinear) modes, the coordinate transformations and nearest-rounding modes of the ONNX spec,
// computed as onnxruntime's CPU kernel computes them (float32 coordinates and weights), so that the
// same source pixels and weights are picked.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "cvcore/tensor.hpp"

namespace cvcore {

enum class ResizeMode { nearest, linear };

// The source coordinate of output index i along an axis of input length in and output length out,
// with scale s (ResizeParams::scales), in float32:
//   half_pixel            (i + 0.5) / s - 0.5
//   pytorch_half_pixel    out > 1 ? (i + 0.5) / s - 0.5 : 0
//   align_corners         out == 1 ? 0 : i * (in - 1) / (out - 1)
//   asymmetric            i / s
//   half_pixel_symmetric  offset + (i + 0.5) / s - 0.5, offset = in / 2 * (1 - out / (s * in))
//                         (the sum in double, as onnxruntime)
enum class CoordinateMode { half_pixel, pytorch_half_pixel, align_corners, asymmetric, half_pixel_symmetric };

// How mode nearest rounds a source coordinate c: round_prefer_floor rounds halves down,
// round_prefer_ceil rounds them up, floor and ceil as named. As onnxruntime (1.32), a coordinate
// within 1e-6 of a half counts as the half (float32 coordinates of exact halves are a few ulps off).
enum class NearestMode { round_prefer_floor, round_prefer_ceil, floor, ceil };

// The values of the ONNX attributes mode ("nearest", "linear"), coordinate_transformation_mode
// ("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "half_pixel_symmetric") and
// nearest_mode ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil"). ValueError naming `op`,
// the attribute, the accepted names and the one received.
ResizeMode parse_resize_mode(const std::string& name, const char* op);
CoordinateMode parse_coordinate_mode(const std::string& name, const char* op);
NearestMode parse_nearest_mode(const std::string& name, const char* op);
// The names of the values, as the parsers take them.
const char* resize_mode_name(ResizeMode mode);
const char* coordinate_mode_name(CoordinateMode mode);
const char* nearest_mode_name(NearestMode mode);

struct ResizeParams {
  ResizeMode mode = ResizeMode::nearest;
  CoordinateMode coordinate_mode = CoordinateMode::half_pixel;
  NearestMode nearest_mode = NearestMode::round_prefer_floor;
  // The scales (h, w) of the coordinate transform, as ONNX defines them: the given scales when the
  // node has scales, out / in when it has sizes. Finite and > 0, also once rounded to float32 (the
  // precision the coordinates are computed in).
  std::array<double, 2> scales{1.0, 1.0};
};

// The parameters, checked as resize checks them (named values, usable scales), naming `op`. ValueError.
void check_resize_params(const ResizeParams& params, const char* op = "resize");

// The output size ONNX Resize gives an axis of `size` >= 1 with a scale (finite, > 0), as onnxruntime
// computes it: floor(float32(scale) * float32(size)), a float32 product. ValueError naming `op` when
// it is < 1 or does not fit 64 bits.
int64_t resize_output_size(int64_t size, double scale, const char* op = "resize");

// Validates x (N, C, H, W) float32 contiguous with H, W >= 1 and size (out_h, out_w) >= 1, and
// returns (N, C, out_h, out_w); ValueError when its size in bytes overflows 64 bits.
std::array<int64_t, 4> resize_output_shape(const TensorView& x, std::array<int64_t, 2> size,
                                           const char* op = "resize");

// x (N, C, H, W) float32 contiguous; out (N, C, out_h, out_w) float32 contiguous with out_h, out_w >= 1
// (the output size is out's); out does not overlap x.
//
// nearest: out[.., i, j] = x[.., r(ci), r(cj)] with c the source coordinate along each axis, r the
// nearest mode's rounding, clamped to the input. An axis whose float32 scale is exactly 1 maps index
// i to i (clamped), as onnxruntime skips the transform there.
// linear: with c clamped to [0, in - 1], i1 = floor(c), i2 = min(i1 + 1, in - 1), d1 = c - i1,
// d2 = i2 - c (both 0.5 when i1 == i2), per axis (an axis of scale 1 takes c = i), and
//   out = dx2 * dy2 * x[y1, x1] + dx1 * dy2 * x[y1, x2] + dx2 * dy1 * x[y2, x1] + dx1 * dy1 * x[y2, x2]
// in float32, each product (dx * dy) * value and the sum from the left: onnxruntime's bits.
// An output of the input's own size is a copy of the input (onnxruntime's rule, whatever the scales).
// Results are identical for every thread count.
void resize(const TensorView& x, const ResizeParams& params, const TensorView& out);
// The same, naming `op` in its messages (a function built on it, such as Python's interpolate).
void resize(const TensorView& x, const ResizeParams& params, const TensorView& out, const char* op);

}  // namespace cvcore
