// Detector input preparation: HWC images to an NCHW blob, as OpenCV's cv::dnn::blobFromImages
// without resizing or cropping.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "cvcore/tensor.hpp"

namespace cvcore {

struct BlobParams {
  double scale = 1.0;        // finite; applied in float32
  std::vector<double> mean;  // empty (no mean), one value for all channels, or one per output channel
  bool swap_rb = false;      // reverse the channel order (RGB <-> BGR); mean is in the order after it
};

// Validate images (N, H, W, C), C-contiguous uint8 or float32, and the parameters for an output
// of dtype `out_dtype`: float32, or uint8 for uint8 images with scale 1 and a zero mean (the layout
// alone, as OpenCV's CV_8U blobs). Returns the output shape (N, C, H, W).
std::array<int64_t, 4> to_blob_output_shape(const TensorView& images, const BlobParams& params, DType out_dtype);

// out[n, c, y, x] = (images[n, y, x, s] - mean[c]) * scale in float32, with s = C - 1 - c when
// swap_rb, else c (float32 out); the pixel images[n, y, x, s] itself (uint8 out).
void to_blob(const TensorView& images, const BlobParams& params, const TensorView& out);

}  // namespace cvcore
