// C++ API of nearest neighbours: knn_search.
#include <cvcore/cvcore.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "check.hpp"

using namespace cvcore;

TEST(knn_search_orders_by_distance_then_index) {
  // Training points on a line; the query at 0 has two neighbours at distance 1 (indices 0 and 1,
  // the lower first) and one at 0.
  const double train[5] = {1, -1, 1, 0, -1};
  const double query[1] = {0};
  double dist[5];
  int64_t idx[5];
  knn_search(TensorView(train, {5, 1}), TensorView(query, {1, 1}), 5, TensorView(dist, {1, 5}),
             TensorView(idx, {1, 5}));
  const int64_t want[5] = {3, 0, 1, 2, 4};
  for (int i = 0; i < 5; ++i) CHECK(idx[i] == want[i]);
  CHECK(dist[0] == 0.0 && dist[1] == 1.0 && dist[4] == 1.0);
}

TEST(knn_search_float32_gemm_path) {
  // d = 8 > 4: float32 distances through the GEMM, rounded as float32. Row i of the training data
  // is i * (1, ..., 1); the query 2.2 * (1, ..., 1) is nearest to rows 2, 3, 1 at sqrt(8) * (0.2,
  // 0.8, 1.2).
  const int64_t n = 10, d = 8;
  std::vector<float> train(n * d), query(d, 2.2f);
  for (int64_t i = 0; i < n * d; ++i) train[i] = static_cast<float>(i / d);
  float dist[3];
  int64_t idx[3];
  knn_search(TensorView(train.data(), {n, d}), TensorView(query.data(), {1, d}), 3, TensorView(dist, {1, 3}),
             TensorView(idx, {1, 3}));
  CHECK(idx[0] == 2 && idx[1] == 3 && idx[2] == 1);
  const double root8 = std::sqrt(8.0);
  CHECK(cvcore_test::close(dist[0], 0.2 * root8, 1e-3) && cvcore_test::close(dist[2], 1.2 * root8, 1e-3));
}

TEST(knn_search_errors_name_the_argument) {
  const double train[2] = {0, 1};
  const float query32[1] = {0};
  const double nan_query[1] = {NAN};
  double dist[2];
  int64_t idx[2];
  CHECK_THROWS(knn_search(TensorView(train, {2, 1}), TensorView(query32, {1, 1}), 1, TensorView(dist, {1, 1}),
                          TensorView(idx, {1, 1})),
               TypeError, "query must have the training data's dtype");
  CHECK_THROWS(knn_search(TensorView(train, {2, 1}), TensorView(nan_query, {1, 1}), 1, TensorView(dist, {1, 1}),
                          TensorView(idx, {1, 1})),
               ValueError, "query must not contain NaN");
  CHECK_THROWS(knn_search(TensorView(train, {2, 1}), TensorView(train, {1, 1}), 3, TensorView(dist, {1, 2}),
                          TensorView(idx, {1, 2})),
               ValueError, "n_neighbors must be <= the number of training samples (2)");
}

TEST(knn_search_output_shape_checks_shapes_only) {
  const float train[6] = {0, 1, 2, 3, 4, NAN};  // values are knn_search's to check
  CHECK((knn_search_output_shape(TensorView(train, {3, 2}), TensorView(train, {1, 2}), 2) ==
         std::array<int64_t, 2>{1, 2}));
  CHECK_THROWS(knn_search_output_shape(TensorView(train, {3, 2}), TensorView(train, {2, 3}), 1), ValueError,
               "knn_search: query must have 2 features like the training data, got shape (2, 3)");
  CHECK_THROWS(knn_search_output_shape(TensorView(train, {3, 2}), TensorView(train, {1, 2}), 0), ValueError,
               "knn_search: n_neighbors must be >= 1, got 0");
}

CVCORE_TEST_MAIN
