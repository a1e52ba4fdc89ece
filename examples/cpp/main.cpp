// cvcore from C++: a convolution, a max-pool and non-maximum suppression on generated data.
#include <cvcore/cvcore.hpp>

#include <cstdint>
#include <cstdio>
#include <vector>

int main() {
  using namespace cvcore;
  std::printf("cvcore %s, ISA %s, %d threads\n", build_info().version.c_str(), build_info().isa_active.c_str(),
              get_num_threads());

  // A 1x3x32x32 image and eight 3x3 filters, "same" padding, fused ReLU.
  std::vector<float> image(3 * 32 * 32), weights(8 * 3 * 3 * 3, 1.0f / 27), bias(8, 0.1f);
  for (size_t i = 0; i < image.size(); ++i) image[i] = float(i % 32) / 32;
  const TensorView x(image.data(), {1, 3, 32, 32}), w(weights.data(), {8, 3, 3, 3}), b(bias.data(), {8});
  Conv2dParams conv;
  conv.padding = {1, 1, 1, 1};
  conv.activation = Epilogue::relu;
  const std::array<int64_t, 4> conv_shape = conv2d_output_shape(x, w, b, conv);
  std::vector<float> features(conv_shape[0] * conv_shape[1] * conv_shape[2] * conv_shape[3]);
  conv2d(x, w, b, conv, TensorView(features.data(), conv_shape.data(), 4));

  // 2x2 max-pool, stride 2.
  MaxPool2dParams pool;
  pool.kernel = {2, 2};
  pool.stride = {2, 2};
  const TensorView f(features.data(), conv_shape.data(), 4);
  const std::array<int64_t, 4> pool_shape = max_pool2d_output_shape(f, pool);
  std::vector<float> pooled(pool_shape[0] * pool_shape[1] * pool_shape[2] * pool_shape[3]);
  max_pool2d(f, pool, TensorView(pooled.data(), pool_shape.data(), 4));
  std::printf("conv2d -> (%lld, %lld, %lld, %lld), max_pool2d -> (%lld, %lld, %lld, %lld), pooled[0] = %.4f\n",
              (long long)conv_shape[0], (long long)conv_shape[1], (long long)conv_shape[2], (long long)conv_shape[3],
              (long long)pool_shape[0], (long long)pool_shape[1], (long long)pool_shape[2], (long long)pool_shape[3],
              pooled[0]);

  // Non-maximum suppression: the two overlapping boxes (IoU 0.9) keep only the higher score.
  const float boxes[12] = {0, 0, 10, 10, 1, 0, 10, 10, 20, 20, 30, 30};
  const float scores[3] = {0.6f, 0.9f, 0.7f};
  NmsOptions nms_options;
  nms_options.iou_threshold = 0.5;
  const std::vector<int64_t> keep = nms(TensorView(boxes, {3, 4}), TensorView(scores, {3}), nms_options);
  std::printf("nms keeps %zu of 3 boxes:", keep.size());
  for (int64_t k : keep) std::printf(" %lld", (long long)k);
  std::printf("\n");

  // Errors are exceptions deriving from cvcore::Error, with messages naming the argument.
  try {
    conv.groups = 2;
    conv2d_output_shape(x, w, b, conv);
  } catch (const Error& e) {
    std::printf("error, as expected: %s\n", e.what());
  }
  return 0;
}
