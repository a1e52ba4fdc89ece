#include <cvcore/cvcore.hpp>

#include <string>
#include <vector>

#include "check.hpp"

using namespace cvcore;

TEST(resize_nearest_x2_repeats_each_value) {
  // The x2 of FPN necks (asymmetric + floor): each input value written 2x2 times.
  std::vector<float> x{1, 2, 3, 4, 5, 6}, y(24);
  ResizeParams p;
  p.coordinate_mode = CoordinateMode::asymmetric;
  p.nearest_mode = NearestMode::floor;
  p.scales = {2.0, 2.0};
  resize(TensorView(x.data(), {1, 1, 2, 3}), p, TensorView(y.data(), {1, 1, 4, 6}));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j) CHECK(y[i * 6 + j] == x[(i / 2) * 3 + j / 2]);
}

TEST(resize_linear_align_corners) {
  // 2 -> 3 columns with align_corners: the middle output is the mean of its neighbours.
  std::vector<float> x{0, 2, 4, 8}, y(6);
  ResizeParams p;
  p.mode = ResizeMode::linear;
  p.coordinate_mode = CoordinateMode::align_corners;
  p.scales = {1.0, 1.5};
  resize(TensorView(x.data(), {1, 1, 2, 2}), p, TensorView(y.data(), {1, 1, 2, 3}));
  const float expected[6] = {0, 1, 2, 4, 6, 8};
  for (int i = 0; i < 6; ++i) CHECK(y[i] == expected[i]);
}

TEST(resize_output_size_is_the_float32_product) {
  CHECK(resize_output_size(10, 2.0) == 20);
  CHECK(resize_output_size(27, 7.0 / 3.0) == 62);  // float32(7/3) * 27 rounds to 62.999996
  CHECK_THROWS(resize_output_size(4, 0.1), ValueError, "gives an empty output");
  CHECK_THROWS(resize_output_size(4, 1e30), ValueError, "does not fit 64 bits");
  CHECK_THROWS(resize_output_size(4, -1.0), ValueError, "scale must be finite and > 0");
}

TEST(resize_checks_arguments) {
  std::vector<float> x(4), y(16);
  const TensorView xv(x.data(), {1, 1, 2, 2});
  ResizeParams p;
  p.scales = {2.0, 2.0};
  CHECK_THROWS(parse_coordinate_mode("tf_crop_and_resize", "resize"), ValueError,
               "coordinate_transformation_mode must be one of");
  CHECK_THROWS(parse_nearest_mode("round", "resize"), ValueError, "nearest_mode must be one of");
  CHECK(parse_resize_mode("linear", "resize") == ResizeMode::linear);
  for (CoordinateMode m : {CoordinateMode::half_pixel, CoordinateMode::pytorch_half_pixel, CoordinateMode::align_corners,
                           CoordinateMode::asymmetric, CoordinateMode::half_pixel_symmetric})
    CHECK(parse_coordinate_mode(coordinate_mode_name(m), "resize") == m);
  CHECK(parse_nearest_mode(nearest_mode_name(NearestMode::ceil), "resize") == NearestMode::ceil);
  CHECK(std::string(resize_mode_name(ResizeMode::nearest)) == "nearest");
  p.scales = {2.0, 0.0};
  CHECK_THROWS(resize(xv, p, TensorView(y.data(), {1, 1, 4, 4})), ValueError, "scales must be finite and > 0");
  p.scales = {2.0, 2.0};
  CHECK_THROWS(resize(xv, p, TensorView(y.data(), {1, 2, 2, 4})), ValueError, "out has shape");
  CHECK_THROWS(resize(xv, p, TensorView(x.data(), {1, 1, 2, 2})), ValueError, "must not overlap");
  CHECK_THROWS(resize(xv, p, TensorView(y.data(), {1, 1, 0, 4})), ValueError, "the output size must be >= 1");
}

CVCORE_TEST_MAIN
