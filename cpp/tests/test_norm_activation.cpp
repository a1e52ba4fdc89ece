#include <cvcore/cvcore.hpp>

#include <cmath>
#include <vector>

#include "check.hpp"

using namespace cvcore;

TEST(batch_norm_per_channel) {
  // x (1, 2, 1, 2); channel 0: mean 1, var 4 -> (x - 1) / 2; channel 1: weight 3, bias 1.
  const float x[4] = {1, 3, 0, 2}, mean[2] = {1, 0}, var[2] = {4, 1}, w[2] = {1, 3}, b[2] = {0, 1};
  float y[4];
  batch_norm(TensorView(x, {1, 2, 1, 2}), TensorView(mean, {2}), TensorView(var, {2}), TensorView(w, {2}),
             TensorView(b, {2}), 0.0, TensorView(y, {1, 2, 1, 2}));
  CHECK(y[0] == 0.f && y[1] == 1.f && y[2] == 1.f && y[3] == 7.f);
  CHECK_THROWS(batch_norm(TensorView(x, {1, 2, 1, 2}), TensorView(mean, {2}), TensorView(var, {2}), TensorView{},
                          TensorView{}, std::nan(""), TensorView(y, {1, 2, 1, 2})),
               ValueError, "eps");
}

TEST(batch_norm_eps_is_checked_alone_for_layers) {
  check_batch_norm_eps("BatchNorm2d", 0.0);
  CHECK_THROWS(check_batch_norm_eps("BatchNorm2d", -1.0), ValueError, "BatchNorm2d: eps must be finite and >= 0, got -1");
  CHECK_THROWS(check_batch_norm_eps("BatchNorm2d", NAN), ValueError, "BatchNorm2d: eps must be finite and >= 0, got nan");
}

TEST(activations_and_softmax) {
  const float x[4] = {-2, -0.5f, 0, 3};
  float y[4];
  activation(TensorView(x, {4}), Activation::relu, ActivationParams{}, TensorView(y, {4}));
  CHECK(y[0] == 0 && y[1] == 0 && y[2] == 0 && y[3] == 3);
  activation(TensorView(x, {4}), Activation::sigmoid, ActivationParams{}, TensorView(y, {4}));
  for (int i = 0; i < 4; ++i) CHECK(cvcore_test::close(y[i], 1.0 / (1.0 + std::exp(-double(x[i]))), 1e-6));
  softmax(TensorView(x, {1, 4}), -1, false, TensorView(y, {1, 4}));
  double sum = 0;
  for (int i = 0; i < 4; ++i) sum += y[i];
  CHECK(cvcore_test::close(sum, 1.0, 1e-6) && y[3] > y[2] && y[2] > y[1]);
  CHECK_THROWS(parse_activation("swish2"), ValueError, "swish2");
}

CVCORE_TEST_MAIN
