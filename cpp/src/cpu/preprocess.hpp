// Blob kernels on validated sizes (raw pointers, C-contiguous, no checks). Each output element
// depends on its pixel alone, so results do not depend on the thread count.
#pragma once

#include <cstdint>

namespace cvcore::cpu {

// N images of H x W pixels of C channels (HWC) into NCHW planes.
struct BlobGeometry {
  int64_t images, height, width, channels;
  bool swap_rb;
};

// y[n, c, h, w] = (x[n, h, w, s(c)] - mean[c]) * scale (mean: C floats), or the pixel itself.
void to_blob(const BlobGeometry& g, const uint8_t* x, const float* mean, float scale, float* y, int threads);
void to_blob(const BlobGeometry& g, const float* x, const float* mean, float scale, float* y, int threads);
void to_blob(const BlobGeometry& g, const uint8_t* x, uint8_t* y, int threads);

}  // namespace cvcore::cpu
