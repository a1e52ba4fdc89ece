// to_blob frontend: validate the images, the parameters and the output once, dispatch to the CPU kernels.
#include "cvcore/preprocess.hpp"

#include <cmath>
#include <vector>

#include "checks.hpp"
#include "cpu/preprocess.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

constexpr const char* kOp = "to_blob";

// The mean as one float32 per output channel.
std::vector<float> channel_means(const BlobParams& p, int64_t channels) {
  const size_t given = p.mean.size();
  std::vector<float> mean(static_cast<size_t>(channels), 0.0f);
  for (size_t c = 0; c < mean.size() && given > 0; ++c) mean[c] = static_cast<float>(p.mean[given == 1 ? 0 : c]);
  return mean;
}

}  // namespace

std::array<int64_t, 4> to_blob_output_shape(const TensorView& images, const BlobParams& params, DType out_dtype) {
  detail::check_array(images, kOp, "images", images.dtype == DType::uint8 ? DType::uint8 : DType::float32, 4);
  const int64_t channels = images.shape[3];
  for (int d = 0; d < 4; ++d)
    check(images.shape[d] >= 1, kOp, ": images must have shape (N, H, W, C) with every size >= 1, got ",
          images.shape_text());
  check(std::isfinite(params.scale) && std::isfinite(static_cast<float>(params.scale)), kOp,
        ": scale must be finite (also in float32), got ", params.scale);
  const size_t given = params.mean.size();
  check(given <= 1 || static_cast<int64_t>(given) == channels, kOp, ": mean must have 1 or ", channels,
        " values (one per channel), got ", given);
  for (size_t c = 0; c < given; ++c)
    check(std::isfinite(params.mean[c]) && std::isfinite(static_cast<float>(params.mean[c])), kOp, ": mean[", c,
          "] must be finite (also in float32), got ", params.mean[c]);
  check<TypeError>(out_dtype == DType::float32 || out_dtype == DType::uint8, kOp,
                   ": the output dtype must be float32 or uint8, got ", dtype_name(out_dtype));
  if (out_dtype == DType::uint8) {
    check<TypeError>(images.dtype == DType::uint8, kOp, ": a uint8 output needs uint8 images, got ",
                     dtype_name(images.dtype));
    check(params.scale == 1.0, kOp, ": a uint8 output takes the pixels as they are: scale must be 1, got ",
          params.scale);
    for (size_t c = 0; c < given; ++c)
      check(params.mean[c] == 0.0, kOp, ": a uint8 output takes the pixels as they are: mean must be 0, got ",
            params.mean[c], " for channel ", c);
  }
  return {images.shape[0], channels, images.shape[1], images.shape[2]};
}

void to_blob(const TensorView& images, const BlobParams& params, const TensorView& out) {
  detail::require_cpu(kOp, {{"images", images}, {"out", out}});
  const std::array<int64_t, 4> shape = to_blob_output_shape(images, params, out.dtype);
  detail::check_output(out, kOp, shape.data(), 4, out.dtype);
  const cpu::BlobGeometry g{shape[0], shape[2], shape[3], shape[1], params.swap_rb};
  const int threads = get_num_threads();
  if (out.dtype == DType::uint8) return cpu::to_blob(g, images.ptr<uint8_t>(), out.ptr<uint8_t>(), threads);
  const std::vector<float> mean = channel_means(params, shape[1]);
  const float scale = static_cast<float>(params.scale);
  if (images.dtype == DType::uint8)
    cpu::to_blob(g, images.ptr<uint8_t>(), mean.data(), scale, out.ptr<float>(), threads);
  else
    cpu::to_blob(g, images.ptr<float>(), mean.data(), scale, out.ptr<float>(), threads);
}

}  // namespace cvcore
