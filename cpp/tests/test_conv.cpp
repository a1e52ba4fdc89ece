#include <cvcore/cvcore.hpp>

#include <algorithm>
#include <vector>

#include "check.hpp"

using namespace cvcore;

// Direct convolution from the definition (no padding, stride s, groups 1).
static std::vector<float> naive_conv(const std::vector<float>& x, const std::vector<float>& w, int C, int H, int W,
                                     int O, int k, int s) {
  const int Ho = (H - k) / s + 1, Wo = (W - k) / s + 1;
  std::vector<float> y(size_t(O) * Ho * Wo, 0.f);
  for (int o = 0; o < O; ++o)
    for (int i = 0; i < Ho; ++i)
      for (int j = 0; j < Wo; ++j) {
        double acc = 0;
        for (int c = 0; c < C; ++c)
          for (int a = 0; a < k; ++a)
            for (int b = 0; b < k; ++b)
              acc += double(x[(c * H + i * s + a) * W + j * s + b]) * w[((o * C + c) * k + a) * k + b];
        y[(o * Ho + i) * Wo + j] = float(acc);
      }
  return y;
}

TEST(conv2d_matches_definition_on_every_isa_also_by_winograd) {
  const int C = 5, H = 13, W = 11, O = 7, k = 3;
  std::vector<float> x(C * H * W), w(O * C * k * k);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float((i * 37) % 11) - 5.f;
  for (size_t i = 0; i < w.size(); ++i) w[i] = float((i * 13) % 7) - 3.f;
  for (int s = 1; s <= 2; ++s) {
    const std::vector<float> ref = naive_conv(x, w, C, H, W, O, k, s);
    Conv2dParams p;
    p.stride = {s, s};
    const TensorView xv(x.data(), {1, C, H, W}), wv(w.data(), {O, C, k, k});
    const auto shape = conv2d_output_shape(xv, wv, TensorView{}, p);
    CHECK(shape[1] == O && shape[2] == (H - k) / s + 1 && shape[3] == (W - k) / s + 1);
    for (Isa isa : compiled_isas()) {
      if (!isa_supported(isa)) continue;
      const Isa before = active_isa();
      set_isa(isa);
      for (bool winograd : {false, true}) {  // F(2x2, 3x3) at stride 1; ignored at stride 2
        p.winograd = winograd;
        std::vector<float> y(ref.size());
        conv2d(xv, wv, TensorView{}, p, TensorView(y.data(), shape.data(), 4));
        for (size_t i = 0; i < y.size(); ++i) CHECK(cvcore_test::close(y[i], ref[i], 1e-5));
      }
      set_isa(before);
    }
  }
}

// Runs body() once per compiled and supported ISA, restoring the active one after.
template <typename Body>
static void on_every_isa(Body body) {
  const Isa before = active_isa();
  for (Isa isa : compiled_isas()) {
    if (!isa_supported(isa)) continue;
    set_isa(isa);
    body();
  }
  set_isa(before);
}

TEST(conv2d_fused_pooling_and_pointwise_equal_the_ops_apart) {
  // A first layer on RGB (fused with its pooling; and with a 1x1 head) and a wider one (composed).
  for (const int C : {3, 8}) {
    const int H = 29, W = 40, O = 10, k = 3, P = 6;
    std::vector<float> x(C * H * W), w(O * C * k * k), b(O), pw(P * O), pb(P);
    for (size_t i = 0; i < x.size(); ++i) x[i] = float((i * 37) % 255);
    for (size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * (float((i * 13) % 7) - 3.f);
    for (size_t i = 0; i < b.size(); ++i) b[i] = 0.1f * float(i) - 0.4f;
    for (size_t i = 0; i < pw.size(); ++i) pw[i] = 0.1f * (float((i * 5) % 9) - 4.f);
    for (size_t i = 0; i < pb.size(); ++i) pb[i] = float(i);
    const TensorView xv(x.data(), {1, C, H, W}), wv(w.data(), {O, C, k, k}), bv(b.data(), {O});
    on_every_isa([&] {
      Conv2dParams plain;
      plain.activation = Epilogue::relu;
      std::vector<float> full(size_t(O) * (H - 2) * (W - 2));
      conv2d(xv, wv, bv, plain, TensorView(full.data(), {1, O, H - 2, W - 2}));
      // Max pooling 3x3, stride 2, ceil mode.
      MaxPool2dParams mp;
      mp.kernel = {3, 3};
      mp.stride = {2, 2};
      mp.ceil_mode = true;
      const TensorView fv(full.data(), {1, O, H - 2, W - 2});
      const auto pshape = max_pool2d_output_shape(fv, mp);
      std::vector<float> pooled(size_t(O) * pshape[2] * pshape[3]), fused(pooled.size());
      max_pool2d(fv, mp, TensorView(pooled.data(), pshape.data(), 4));
      Conv2dParams withpool = plain;
      withpool.pool_kernel = {3, 3};
      withpool.pool_stride = {2, 2};
      withpool.pool_ceil_mode = true;
      const auto fshape = conv2d_output_shape(xv, wv, bv, withpool);
      CHECK(fshape == pshape);
      conv2d(xv, wv, bv, withpool, TensorView(fused.data(), fshape.data(), 4));
      CHECK(fused == pooled);
      // A 1x1 head on the activated output.
      Conv2dParams head;
      std::vector<float> apart(size_t(P) * (H - 2) * (W - 2)), together(apart.size());
      const TensorView pwv(pw.data(), {P, O, 1, 1}), pbv(pb.data(), {P});
      conv2d(fv, pwv, pbv, head, TensorView(apart.data(), {1, P, H - 2, W - 2}));
      Conv2dParams withhead = plain;
      withhead.pointwise_weight = pwv;
      withhead.pointwise_bias = pbv;
      CHECK(conv2d_output_shape(xv, wv, bv, withhead)[1] == P);
      conv2d(xv, wv, bv, withhead, TensorView(together.data(), {1, P, H - 2, W - 2}));
      CHECK(together == apart);
      withhead.pool_kernel = {2, 2};
      withhead.pool_stride = {2, 2};
      CHECK_THROWS(conv2d_output_shape(xv, wv, bv, withhead), ValueError,
                   "max_pool and pointwise cannot be combined");
    });
  }
}

TEST(conv2d_batches_of_crops_equal_each_crop_alone_also_by_winograd) {
  // 17 crops: lane-batched groups (8 or 16 images per vector) and images past the last group.
  const int N = 17, C = 6, H = 11, W = 11, O = 9, k = 3, Ho = H - 2, Wo = W - 2;
  std::vector<float> x(size_t(N) * C * H * W), w(O * C * k * k);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float((i * 37) % 23) - 11.f;
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.25f * (float((i * 13) % 7) - 3.f);
  on_every_isa([&] {
    for (bool winograd : {false, true}) {
      Conv2dParams p;
      p.winograd = winograd;
      std::vector<float> all(size_t(N) * O * Ho * Wo), one(size_t(O) * Ho * Wo);
      conv2d(TensorView(x.data(), {N, C, H, W}), TensorView(w.data(), {O, C, k, k}), TensorView{}, p,
             TensorView(all.data(), {N, O, Ho, Wo}));
      for (int n = 0; n < N; ++n) {
        conv2d(TensorView(x.data() + size_t(n) * C * H * W, {1, C, H, W}), TensorView(w.data(), {O, C, k, k}),
               TensorView{}, p, TensorView(one.data(), {1, O, Ho, Wo}));
        CHECK(std::equal(one.begin(), one.end(), all.begin() + size_t(n) * one.size()));
      }
      const std::vector<float> ref = naive_conv(std::vector<float>(x.end() - C * H * W, x.end()), w, C, H, W, O, k, 1);
      for (size_t i = 0; i < ref.size(); ++i) CHECK(cvcore_test::close(one[i], ref[i], 1e-5));
    }
  });
}

TEST(conv2d_errors_name_the_argument) {
  std::vector<float> x(1 * 3 * 5 * 5), w(4 * 3 * 3 * 3), y(4 * 3 * 3);
  const TensorView xv(x.data(), {1, 3, 5, 5}), wv(w.data(), {4, 3, 3, 3});
  Conv2dParams p;
  CHECK_THROWS(conv2d_output_shape(TensorView(x.data(), {3, 5, 5}), wv, TensorView{}, p), ValueError,
               "conv2d: input must have 4 dimensions, got 3");
  p.groups = 2;
  CHECK_THROWS(conv2d_output_shape(xv, wv, TensorView{}, p), ValueError, "groups (2) must divide the input channels (3)");
  p.groups = 1;
  p.stride = {0, 1};
  CHECK_THROWS(conv2d_output_shape(xv, wv, TensorView{}, p), ValueError, "stride must be >= 1");
  p.stride = {1, 1};
  std::vector<float> b(5);
  CHECK_THROWS(conv2d_output_shape(xv, wv, TensorView(b.data(), {5}), p), ValueError, "bias must have 4 elements, got 5");
  std::vector<double> xd(x.size());
  CHECK_THROWS(conv2d_output_shape(TensorView(xd.data(), {1, 3, 5, 5}), wv, TensorView{}, p), TypeError,
               "input must be a float32 array, got float64");
  CHECK_THROWS(conv2d(xv, wv, TensorView{}, p, TensorView(y.data(), {1, 4, 3, 2})), ValueError, "out has shape");
}

TEST(conv2d_params_are_checked_alone_for_layers) {
  Conv2dParams p;
  check_conv2d_params("Conv2d", 3, 4, {3, 3}, p);
  p.padding = {0, -1, 0, -1};
  CHECK_THROWS(check_conv2d_params("Conv2d", 3, 4, {3, 3}, p), ValueError,
               "Conv2d: padding must be >= 0, got (0, -1, 0, -1)");
  p.groups = 4;
  CHECK_THROWS(check_conv2d_params("Conv2d", 4, 6, {3, 3}, p), ValueError,
               "Conv2d: groups (4) must divide the output channels (weight.shape[0] = 6)");
  CHECK_THROWS(check_conv2d_params("Conv2d", 4, 4, {0, 3}, p), ValueError,
               "Conv2d: kernel_size (weight.shape[2:]) must be >= 1, got (0, 3)");
}

TEST(conv_output_size_rules) {
  CHECK(conv_output_size(224, 3, 2, 1, 1, 1, false) == 112);
  CHECK(conv_output_size(5, 2, 2, 0, 0, 1, true) == 3);   // ceil_mode keeps the partial window
  CHECK(conv_output_size(5, 3, 2, 1, 1, 1, true) == 3);   // ... but not one starting in the padding
  CHECK(conv_output_size(2, 3, 1, 0, 0, 1, false) == 0);  // too small: callers reject it
  CHECK_THROWS(conv_output_size(4, 0, 1, 0, 0, 1, false), ValueError, "kernel_size must be >= 1");
}

TEST(conv_output_size_at_64_bits) {
  constexpr int64_t kMax = INT64_MAX, k62 = int64_t(1) << 62;
  // Exact whenever the padded size and the dilated kernel fit, also far below 1 (PyTorch's formula).
  CHECK(conv_output_size(8, kMax, 1, 0, 0, 1, false) == 9 - kMax);
  CHECK(conv_output_size(8, kMax - 1, kMax - 1, 0, 0, 1, false) == 0);  // the window does not fit
  CHECK(conv_output_size(8, 3, kMax, 0, 0, k62 - 1, false) == 0);       // dilated kernel 2^63 - 1
  CHECK(conv_output_size(8, 3, kMax, 1, 1, 1, true) == 1);
  CHECK(conv_output_size(8, 3, kMax, 0, 0, 1, false) == 1);
  CHECK(conv_output_size(8, kMax, kMax, 0, 0, 1, true) == 1);  // ceil_mode: one window past the input
  CHECK(conv_output_size(8, k62, k62, k62 / 2, k62 / 2, 1, true) == 1);
  CHECK(conv_output_size(kMax - 2, 1, 1, 1, 1, 1, false) == kMax);
  CHECK(conv_output_size(kMax, 2, 2, 0, 0, 1, true) == kMax / 2 + 1);
  CHECK_THROWS(conv_output_size(8, 1, 1, kMax - 7, 1, 1, false), ValueError,
               "conv_output_size: padding (9223372036854775800, 1) around a size of 8 overflows 64 bits");
  CHECK_THROWS(conv_output_size(8, 3, 1, 0, 0, k62, false), ValueError,
               "conv_output_size: dilation 4611686018427387904 with kernel_size 3 spans more than 2^63 - 1 values");
  CHECK_THROWS(window_output_size("max_pool2d", 8, kMax, 1, 0, 0, 2, false), ValueError,
               "max_pool2d: dilation 2 with kernel_size 9223372036854775807 spans");
}

CVCORE_TEST_MAIN
