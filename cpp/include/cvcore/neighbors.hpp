// Brute-force nearest neighbours (Euclidean) for float32 / float64 data.
//
// Arrays are C-contiguous; train (n_train, d) and query (n_query, d) are float32 or float64 (the
// same dtype), finite, with at least one row and one feature. Results are bit-identical for any
// thread count. float32 data with d > 4 uses the SIMD GEMM for the dot products (||q||^2 - 2 q.t +
// ||t||^2 on rows shifted by the training mean), so its distances are float32-rounded.
#pragma once

#include <array>
#include <cstdint>

#include "cvcore/tensor.hpp"

namespace cvcore {

// How a search names itself and its two arrays in messages: these names by default; a caller with
// its own (an estimator's method and its argument X) passes them.
struct KnnNames {
  const char* op = "knn_search";
  const char* train = "train";
  const char* query = "query";
};

// Shape checks only (cheap; knn_search also checks the values): train and query as above, 1 <=
// n_neighbors <= n_train. Returns the outputs' shape (n_query, n_neighbors).
std::array<int64_t, 2> knn_search_output_shape(const TensorView& train, const TensorView& query, int64_t n_neighbors,
                                               const KnnNames& names = {});

// The n_neighbors (1 <= n_neighbors <= n_train) nearest rows of `train` for every row of `query`,
// nearest first, ties by the lower train index: distances (n_query, n_neighbors) of the data dtype,
// indices (n_query, n_neighbors) int64.
void knn_search(const TensorView& train, const TensorView& query, int64_t n_neighbors, const TensorView& distances,
                const TensorView& indices, const KnnNames& names = {});

}  // namespace cvcore
