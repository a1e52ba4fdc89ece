// The elementwise and tensor-manipulation ops from C++ (the ONNX runner's calls): in-place binary
// ops, shapes that overflow, and each shape op on a small case.
#include <cvcore/cvcore.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "check.hpp"

using namespace cvcore;

TEST(binary_broadcasts_per_channel_and_runs_in_place) {
  // x (1, 2, 1, 3) + bias (2, 1, 1) per channel, then relu, written over x itself.
  std::vector<float> x = {-4, 1, 2, 3, -5, 6}, bias = {1, -1};
  const TensorView xv(x.data(), {1, 2, 1, 3}), bv(bias.data(), {2, 1, 1});
  const std::vector<int64_t> shape = broadcast_shapes("add", xv, bv);
  CHECK(shape == (std::vector<int64_t>{1, 2, 1, 3}));
  binary(BinaryOp::add, xv, bv, xv, Epilogue::relu);
  CHECK((x == std::vector<float>{0, 2, 3, 2, 0, 5}));
  // b / a into b: b has the output's shape.
  std::vector<float> a = {2}, b = {1, 3, -4};
  binary(BinaryOp::div, TensorView(b.data(), {3}), TensorView(a.data(), {1}), TensorView(b.data(), {3}));
  CHECK((b == std::vector<float>{0.5f, 1.5f, -2}));
  CHECK(std::string(binary_op_name(BinaryOp::sub)) == "sub" && parse_binary_op("mul") == BinaryOp::mul);
}

TEST(binary_rejects_what_it_cannot_compute) {
  std::vector<float> a(6), b(3), out(6);
  const TensorView av(a.data(), {2, 3}), bv(b.data(), {3});
  // out overlapping the broadcast operand b, and the slopes prelu would need.
  CHECK_THROWS(binary(BinaryOp::add, av, TensorView(a.data() + 1, {3}), TensorView(a.data(), {2, 3})), ValueError,
               "add: out must not overlap a or b, except by being one of them with the output's shape (in place)");
  CHECK_THROWS(binary(BinaryOp::mul, av, bv, TensorView(out.data(), {2, 3}), Epilogue::prelu), ValueError,
               "mul: activation must be one of 'none', 'relu', 'relu6', got 'prelu'");
  CHECK_THROWS(binary(BinaryOp::add, av, bv, TensorView(out.data(), {3, 2})), ValueError, "add: out has shape (3, 2)");
  // Shapes whose broadcast has more bytes than 64 bits count (the data is never read).
  const int64_t big = int64_t(1) << 40;
  const int64_t tall[2] = {big, 1}, wide[2] = {1, big};
  CHECK_THROWS(broadcast_shapes("add", TensorView(a.data(), tall, 2), TensorView(b.data(), wide, 2)), ValueError,
               "add: the output shape (1099511627776, 1099511627776) is too large");
  CHECK_THROWS(parse_binary_op("pow"), ValueError, "binary: op must be one of 'add', 'sub', 'mul', 'div', got 'pow'");
}

TEST(hardsigmoid_and_clip_activations) {
  const float x[5] = {-10, -1, 0, 1, NAN};
  float y[5];
  ActivationParams onnx;
  onnx.hardsigmoid_alpha = 0.2;
  activation(TensorView(x, {5}), Activation::hardsigmoid, onnx, TensorView(y, {5}));
  CHECK(y[0] == 0 && y[1] == 0.3f && y[2] == 0.5f && y[3] == 0.7f && std::isnan(y[4]));
  ActivationParams bounds;
  bounds.clip_min = -0.5;
  bounds.clip_max = 0.5;
  activation(TensorView(x, {5}), Activation::clip, bounds, TensorView(y, {5}));
  CHECK(y[0] == -0.5f && y[1] == -0.5f && y[2] == 0 && y[3] == 0.5f && std::isnan(y[4]));
  bounds.clip_min = 2;  // above max: max everywhere
  activation(TensorView(x, {5}), Activation::clip, bounds, TensorView(y, {5}));
  CHECK(y[0] == 0.5f && y[3] == 0.5f && std::isnan(y[4]));
  bounds.clip_max = NAN;
  CHECK_THROWS(activation(TensorView(x, {5}), Activation::clip, bounds, TensorView(y, {5})), ValueError,
               "clip: max must not be NaN");
  CHECK(parse_activation("hardsigmoid") == Activation::hardsigmoid && parse_activation("clip") == Activation::clip);
}

TEST(concat_along_channels) {
  const std::vector<int32_t> a = {1, 2, 3, 4}, b = {5, 6};  // (1, 2, 2) and (1, 1, 2)
  const std::vector<TensorView> inputs = {TensorView(a.data(), {1, 2, 2}), TensorView(b.data(), {1, 1, 2})};
  const std::vector<int64_t> shape = concat_output_shape(inputs, -2);
  CHECK(shape == (std::vector<int64_t>{1, 3, 2}));
  std::vector<int32_t> out(6);
  concat(inputs, 1, TensorView(out.data(), shape.data(), 3));
  CHECK((out == std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  CHECK_THROWS(concat_output_shape({}, 0), ValueError, "concat: inputs must hold at least one array, got none");
  CHECK_THROWS(concat(inputs, 1, TensorView(out.data(), {1, 2, 3})), ValueError, "concat: out has shape (1, 2, 3)");
}

TEST(transpose_nchw_to_nhwc) {
  std::vector<float> x(2 * 3 * 4), out(x.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  const TensorView xv(x.data(), {1, 2, 3, 4});
  const std::vector<int64_t> perm = {0, 2, 3, 1};
  const std::vector<int64_t> shape = transpose_output_shape(xv, perm);
  CHECK(shape == (std::vector<int64_t>{1, 3, 4, 2}));
  transpose(xv, perm, TensorView(out.data(), shape.data(), 4));
  for (int64_t h = 0; h < 3; ++h)
    for (int64_t w = 0; w < 4; ++w)
      for (int64_t c = 0; c < 2; ++c) CHECK(out[size_t((h * 4 + w) * 2 + c)] == x[size_t((c * 3 + h) * 4 + w)]);
  CHECK_THROWS(transpose(xv, perm, xv), ValueError, "transpose: out has shape (1, 2, 3, 4)");
  CHECK_THROWS(transpose_output_shape(xv, {0, 1, 1, 2}), ValueError, "perm must be a permutation of 0..3");
}

TEST(slice_with_onnx_clamping) {
  const std::vector<int64_t> x = {0, 1, 2, 3, 4, 5, 6};
  const TensorView xv(x.data(), {7});
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max(), kMin = std::numeric_limits<int64_t>::min();
  // Backwards from "the end" to "before the start", every second element.
  const std::vector<int64_t> shape = slice_output_shape(xv, {kMax}, {kMin}, {0}, {-2});
  CHECK(shape == std::vector<int64_t>{4});
  std::vector<int64_t> out(4);
  slice(xv, {kMax}, {kMin}, {0}, {-2}, TensorView(out.data(), {4}));
  CHECK((out == std::vector<int64_t>{6, 4, 2, 0}));
  CHECK(slice_output_shape(xv, {2}, {kMax}, {}, {kMin}) == std::vector<int64_t>{0});
  CHECK(slice_output_shape(xv, {kMin}, {kMax}, {}, {kMax}) == std::vector<int64_t>{1});
  CHECK_THROWS(slice_output_shape(xv, {0}, {1}, {0}, {0}), ValueError, "slice: steps[0] must be non-zero, got 0");
}

TEST(pad_modes) {
  const std::vector<uint8_t> x = {1, 2, 3};
  const TensorView xv(x.data(), {3});
  std::vector<uint8_t> out(6);
  const TensorView ov(out.data(), {6});
  pad(xv, {2, 1}, PadMode::constant, 9.7, ov);
  CHECK((out == std::vector<uint8_t>{9, 9, 1, 2, 3, 9}));
  pad(xv, {2, 1}, PadMode::reflect, 0, ov);
  CHECK((out == std::vector<uint8_t>{3, 2, 1, 2, 3, 2}));
  pad(xv, {2, 1}, PadMode::edge, 0, ov);
  CHECK((out == std::vector<uint8_t>{1, 1, 1, 2, 3, 3}));
  CHECK(pad_output_shape(xv, {-1, 4}, PadMode::edge) == std::vector<int64_t>{6});
  CHECK_THROWS(pad(xv, {2, 1}, PadMode::constant, 256, ov), ValueError, "pad: value must be a finite number in the "
                                                                         "range of uint8 [0, 255]");
  CHECK_THROWS(pad_output_shape(xv, {3, 0}, PadMode::reflect), ValueError, "pad: mode 'reflect' adds at most");
  CHECK_THROWS(parse_pad_mode("wrap", "Pad"), ValueError, "Pad: mode must be one of 'constant', 'reflect', 'edge'");
}

CVCORE_TEST_MAIN
