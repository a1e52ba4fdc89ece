#include <cvcore/cvcore.hpp>

#include <vector>

#include "check.hpp"

using namespace cvcore;

TEST(conv_transpose2d_stride_equal_to_kernel_tiles_the_kernel) {
  // A 2x2 kernel at stride 2: each input value times the kernel fills its own 2x2 block, plus the bias.
  std::vector<float> x{1, 2, 3, 4}, w{1, 10, 100, 1000}, b{0.5f}, y(16);
  ConvTranspose2dParams p;
  p.stride = {2, 2};
  const TensorView xv(x.data(), {1, 1, 2, 2}), wv(w.data(), {1, 1, 2, 2}), bv(b.data(), {1});
  const auto shape = conv_transpose2d_output_shape(xv, wv, bv, p);
  CHECK(shape[0] == 1 && shape[1] == 1 && shape[2] == 4 && shape[3] == 4);
  conv_transpose2d(xv, wv, bv, p, TensorView(y.data(), shape.data(), 4));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) CHECK(y[i * 4 + j] == x[(i / 2) * 2 + j / 2] * w[(i % 2) * 2 + j % 2] + 0.5f);
}

TEST(conv_transpose2d_overlapping_taps_sum) {
  // Stride 1, a 3-tap row kernel of ones, padding 1 on the left and right: each output sums its
  // three neighbours (a box filter, the adjoint of conv2d's), then relu6 clips.
  std::vector<float> x{1, 2, 3, 4}, w{1, 1, 1}, y(4);
  ConvTranspose2dParams p;
  p.padding = {0, 1, 0, 1};
  p.activation = Epilogue::relu6;
  conv_transpose2d(TensorView(x.data(), {1, 1, 1, 4}), TensorView(w.data(), {1, 1, 1, 3}), TensorView{}, p,
                   TensorView(y.data(), {1, 1, 1, 4}));
  const float expected[4] = {3, 6, 6, 6};  // 3, 6, 9 and 7 clipped to 6
  for (int i = 0; i < 4; ++i) CHECK(y[i] == expected[i]);
}

TEST(conv_transpose2d_checks_arguments) {
  std::vector<float> x(4), w(4);
  const TensorView xv(x.data(), {1, 1, 2, 2}), wv(w.data(), {1, 1, 2, 2});
  ConvTranspose2dParams p;
  p.activation = Epilogue::prelu;
  CHECK_THROWS(conv_transpose2d_output_shape(xv, wv, TensorView{}, p), ValueError,
               "activation must be 'none', 'relu' or 'relu6', got 'prelu'");
  p.activation = Epilogue::none;
  p.output_padding = {1, 0};
  CHECK_THROWS(conv_transpose2d_output_shape(xv, wv, TensorView{}, p), ValueError,
               "output_padding must be smaller than either stride or dilation");
  p.output_padding = {0, 0};
  p.padding = {2, 0, 1, 0};
  CHECK_THROWS(conv_transpose2d_output_shape(xv, wv, TensorView{}, p), ValueError, "is too small");
}

CVCORE_TEST_MAIN
