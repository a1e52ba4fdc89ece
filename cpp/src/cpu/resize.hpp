// resize on the CPU (ONNX Resize on NCHW float32 planes, onnxruntime's arithmetic), after the frontend
// (src/resize.cpp) has validated everything.
#pragma once

#include <cstdint>

#include "cvcore/resize.hpp"

namespace cvcore::cpu {

// `planes` = N * C contiguous planes of in_h x in_w resized to out_h x out_w (all >= 1).
struct ResizeGeometry {
  int64_t planes, in_h, in_w, out_h, out_w;
};

// y = resize(x) as cvcore::resize defines it, on up to `threads` threads; y does not overlap x.
void resize(const ResizeGeometry& g, const ResizeParams& p, const float* x, float* y, int threads);

}  // namespace cvcore::cpu
