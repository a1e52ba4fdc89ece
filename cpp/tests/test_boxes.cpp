#include <cvcore/cvcore.hpp>

#include <vector>

#include "check.hpp"

using namespace cvcore;

TEST(box_iou_values_float32_and_float64) {
  // [0,0,2,2] vs [1,1,3,3]: intersection 1, union 7. An inverted box is empty: IoU 0.
  const float a[8] = {0, 0, 2, 2, 5, 5, 4, 4};
  const float b[4] = {1, 1, 3, 3};
  float out[2];
  pairwise_box_iou(PairwiseIou::iou, TensorView(a, {2, 4}), TensorView(b, {1, 4}), 0.0, TensorView(out, {2, 1}));
  CHECK(cvcore_test::close(out[0], 1.0 / 7.0, 1e-7) && out[1] == 0.f);
  const double ad[4] = {0, 0, 2, 2}, bd[4] = {0, 0, 2, 2};
  double g;
  pairwise_box_iou(PairwiseIou::generalized, TensorView(ad, {1, 4}), TensorView(bd, {1, 4}), 0.0, TensorView(&g, {1, 1}));
  CHECK(g == 1.0);
}

TEST(box_convert_roundtrip) {
  const float xyxy[4] = {1, 2, 5, 10};
  float cxcywh[4], back[4];
  box_convert(TensorView(xyxy, {1, 4}), BoxFormat::xyxy, BoxFormat::cxcywh, TensorView(cxcywh, {1, 4}));
  CHECK(cxcywh[0] == 3 && cxcywh[1] == 6 && cxcywh[2] == 4 && cxcywh[3] == 8);
  box_convert(TensorView(cxcywh, {1, 4}), BoxFormat::cxcywh, BoxFormat::xyxy, TensorView(back, {1, 4}));
  for (int i = 0; i < 4; ++i) CHECK(back[i] == xyxy[i]);
}

TEST(box_errors) {
  const float bad[3] = {0, 0, 1};
  float out[1];
  CHECK_THROWS(box_area(TensorView(bad, {1, 3}), TensorView(out, {1})), ValueError, "boxes");
  const float nan_box[4] = {0, 0, NAN, 1};
  CHECK_THROWS(box_area(TensorView(nan_box, {1, 4}), TensorView(out, {1})), ValueError, "boxes");
  CHECK_THROWS(parse_box_format("xyz", "box_convert", "in_fmt"), ValueError, "in_fmt");
}

CVCORE_TEST_MAIN
