// to_blob: bands of image rows over the threads, each row split into its channel planes by the
// active ISA's kernel (simd/preprocess.inl).
#include "preprocess.hpp"

#include "parallel.hpp"
#include "simd/kernels.hpp"

namespace cvcore::cpu {
namespace {

// Pixels per unit of work: enough to amortise the scheduling.
constexpr int64_t kBlobUnitPixels = int64_t(1) << 14;

// Runs row(n, y) for every image row, in bands of rows over the threads.
template <typename Row>
void for_each_row(const BlobGeometry& g, int threads, Row row) {
  const int64_t rows = g.images * g.height, band = max64(1, kBlobUnitPixels / g.width);
  parallel_for(ceil_div(rows, band), threads, elements(2.0 * band * g.width * g.channels), [&](int64_t b) {
    for (int64_t r = b * band; r < min64(rows, (b + 1) * band); ++r) row(r / g.height, r % g.height);
  });
}

template <typename In, typename Out, typename Kernel>
void blob(const BlobGeometry& g, const In* x, const float* mean, float scale, Out* y, int threads, Kernel kernel) {
  const int64_t C = g.channels, H = g.height, W = g.width, plane = H * W;
  for_each_row(g, threads, [&](int64_t n, int64_t h) {
    kernel(x + (n * H + h) * W * C, W, C, g.swap_rb, mean, scale, y + n * C * plane + h * W, plane);
  });
}

}  // namespace

void to_blob(const BlobGeometry& g, const uint8_t* x, const float* mean, float scale, float* y, int threads) {
  blob(g, x, mean, scale, y, threads, active_kernels().blob_row_u8);
}

void to_blob(const BlobGeometry& g, const float* x, const float* mean, float scale, float* y, int threads) {
  blob(g, x, mean, scale, y, threads, active_kernels().blob_row_f32);
}

void to_blob(const BlobGeometry& g, const uint8_t* x, uint8_t* y, int threads) {
  const auto kernel = active_kernels().planes_row_u8;
  blob(g, x, nullptr, 1.0f, y, threads,
       [kernel](const uint8_t* in, int64_t w, int64_t c, bool swap, const float*, float, uint8_t* out, int64_t plane) {
         kernel(in, w, c, swap, out, plane);
       });
}

}  // namespace cvcore::cpu
