#include <cvcore/cvcore.hpp>

#include <vector>

#include "check.hpp"

using namespace cvcore;

TEST(linear_matches_definition) {
  for (int rows : {1, 3, 9}) {
    const int in = 37, out = 29;
    std::vector<float> x(rows * in), w(out * in), b(out), y(rows * out);
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(int(i % 7) - 3);
    for (size_t i = 0; i < w.size(); ++i) w[i] = float(int(i % 5) - 2) * 0.5f;
    for (int j = 0; j < out; ++j) b[j] = float(j);
    const TensorView xv(x.data(), {rows, in}), wv(w.data(), {out, in}), bv(b.data(), {out});
    linear(xv, wv, bv, TensorView(y.data(), {rows, out}));
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < out; ++j) {
        double acc = b[j];
        for (int k = 0; k < in; ++k) acc += double(x[r * in + k]) * w[j * in + k];
        CHECK(cvcore_test::close(y[r * out + j], acc, 1e-6));
      }
  }
}

TEST(linear_errors) {
  std::vector<float> x(6), w(8);
  CHECK_THROWS(linear_output_shape(TensorView(x.data(), {2, 3}), TensorView(w.data(), {2, 4}), TensorView{}),
               ValueError, "weight.shape[1] must equal the input's last dimension (3), got 4");
}

CVCORE_TEST_MAIN
