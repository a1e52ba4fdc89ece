#include <cvcore/cvcore.hpp>

#include <vector>

#include "check.hpp"

using namespace cvcore;

TEST(max_pool2d_values_and_indices) {
  // One 4x4 plane holding 0..15: 2x2 windows, stride 2 take each window's bottom-right value.
  std::vector<float> x(16), y(4);
  std::vector<int64_t> idx(4);
  for (int i = 0; i < 16; ++i) x[i] = float(i);
  MaxPool2dParams p;
  p.kernel = {2, 2};
  p.stride = {2, 2};
  const TensorView xv(x.data(), {1, 1, 4, 4});
  const auto shape = max_pool2d_output_shape(xv, p);
  CHECK(shape[2] == 2 && shape[3] == 2);
  max_pool2d(xv, p, TensorView(y.data(), shape.data(), 4), TensorView(idx.data(), shape.data(), 4));
  const float expected[4] = {5, 7, 13, 15};
  for (int i = 0; i < 4; ++i) CHECK(y[i] == expected[i] && idx[i] == int64_t(expected[i]));
}

TEST(avg_pool2d_divisors) {
  std::vector<float> x(9, 1.f), y(9);
  AvgPool2dParams p;
  p.kernel = {3, 3};
  p.padding = {1, 1};
  const TensorView xv(x.data(), {1, 1, 3, 3});
  const auto shape = avg_pool2d_output_shape(xv, p);
  avg_pool2d(xv, p, TensorView(y.data(), shape.data(), 4));
  CHECK(cvcore_test::close(y[0], 4.0 / 9.0, 1e-6));  // corner: 4 inputs, padding counted
  CHECK(cvcore_test::close(y[4], 1.0, 1e-6));
  p.count_include_pad = false;
  avg_pool2d(xv, p, TensorView(y.data(), shape.data(), 4));
  CHECK(cvcore_test::close(y[0], 1.0, 1e-6));
}

TEST(adaptive_avg_pool2d_global) {
  std::vector<float> x(2 * 3 * 5), y(2);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  adaptive_avg_pool2d(TensorView(x.data(), {1, 2, 3, 5}), {1, 1}, TensorView(y.data(), {1, 2, 1, 1}));
  CHECK(cvcore_test::close(y[0], 7.0, 1e-6) && cvcore_test::close(y[1], 22.0, 1e-6));
}

TEST(adaptive_avg_pool2d_levels_equal_each_level) {
  // An image pyramid from one pass over uint8 planes: each level exactly adaptive_avg_pool2d's.
  const int64_t C = 3, H = 61, W = 83;
  std::vector<uint8_t> x(C * H * W);
  for (size_t i = 0; i < x.size(); ++i) x[i] = uint8_t((i * 97 + i / 7) % 256);
  const TensorView xv(x.data(), {1, C, H, W});
  const std::vector<std::array<int64_t, 2>> sizes{{61, 83}, {37, 52}, {12, 17}, {1, 1}, {70, 9}, {0, 3}, {20, 170}};
  std::vector<std::vector<float>> levels, singles;
  std::vector<TensorView> views;
  for (const auto& s : sizes) {
    levels.emplace_back(size_t(C * s[0] * s[1]));
    singles.emplace_back(size_t(C * s[0] * s[1]));
  }
  for (size_t i = 0; i < sizes.size(); ++i)
    views.emplace_back(levels[i].data(), std::initializer_list<int64_t>{1, C, sizes[i][0], sizes[i][1]});
  adaptive_avg_pool2d_levels(xv, sizes, views);
  for (size_t i = 0; i < sizes.size(); ++i) {
    adaptive_avg_pool2d(xv, sizes[i], TensorView(singles[i].data(), {1, C, sizes[i][0], sizes[i][1]}));
    CHECK(levels[i] == singles[i]);
  }
  const std::vector<TensorView> too_few(views.begin(), views.end() - 1);
  CHECK_THROWS(adaptive_avg_pool2d_levels(xv, sizes, too_few), ValueError, "6 outputs for 7 sizes");
}

TEST(pool_errors) {
  std::vector<float> x(16);
  const TensorView xv(x.data(), {1, 1, 4, 4});
  MaxPool2dParams p;
  p.kernel = {2, 2};
  p.padding = {2, 0};
  CHECK_THROWS(max_pool2d_output_shape(xv, p), ValueError, "padding");
  p.padding = {0, 0};
  p.kernel = {5, 5};
  CHECK_THROWS(max_pool2d_output_shape(xv, p), ValueError, "max_pool2d");
  // The parameters alone, for layers that check them when they are built.
  p.kernel = {2, 2};
  p.stride = {2, 0};
  CHECK_THROWS(check_max_pool2d_params("MaxPool2d", p), ValueError, "MaxPool2d: stride must be >= 1, got (2, 0)");
  AvgPool2dParams a;
  a.divisor_override = 0;
  CHECK_THROWS(check_avg_pool2d_params("AvgPool2d", a), ValueError, "AvgPool2d: divisor_override must be non-zero");
  CHECK_THROWS(check_adaptive_output_size("AdaptiveAvgPool2d", {-1, 2}), ValueError,
               "AdaptiveAvgPool2d: output_size must be >= 0, got (-1, 2)");
}

CVCORE_TEST_MAIN
