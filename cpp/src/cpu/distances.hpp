// Distances from the rows of a data matrix (the points) to a set of rows (k-means centres, or the
// training rows of nearest neighbours), a block at a time: up to kChunk points against a run of rows.
//  - float32, Euclidean, d > kDirectMaxD: ||x||^2 - 2 x.c + ||c||^2 with x.c from the SIMD GEMM
//    (linear kernel), on points and rows shifted by a mean (as scikit-learn does) so that the
//    cancellation stays small; clamped at 0.
//  - otherwise (float64, d <= kDirectMaxD, or the iou metric): a direct loop.
// Shared by k-means (cpu/kmeans.cpp) and nearest neighbours (cpu/neighbors.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/parallel.hpp"
#include "cvcore/kmeans.hpp"

namespace cvcore::cpu {

constexpr int64_t kChunk = 256;     // points per distance block
constexpr int64_t kDirectMaxD = 4;  // d <= this: direct distances, no GEMM

// The data, and what the GEMM path needs: rows shifted by `mean` and their squared norms.
template <typename T>
struct Points {
  const T* x = nullptr;
  int64_t n = 0, d = 0;
  const T* w = nullptr;
  KMeansMetric metric = KMeansMetric::euclidean;
  bool gemm = false;
  std::vector<float> xc, xn;
  std::vector<double> mean;

  double weight(int64_t i) const { return w ? double(w[i]) : 1.0; }
};

// The mean of every column of x (n, d), accumulated in float64.
template <typename T>
std::vector<double> column_mean(const T* x, int64_t n, int64_t d);

// P for the n points x (n, d) with weights w (or null). mean: the shift for the GEMM path (the
// data's own column mean when null).
template <typename T>
void prepare_points(Points<T>& P, const T* x, int64_t n, int64_t d, const T* w, KMeansMetric metric, int threads,
                    const std::vector<double>* mean = nullptr);

// A set of m centres (or training rows), shifted and normed like the points when they use the GEMM.
template <typename T>
struct Centers {
  const T* c = nullptr;
  int64_t m = 0;
  std::vector<float> cc, cn;
};

template <typename T>
void prepare_centers(const Points<T>& P, const T* c, int64_t m, Centers<T>& C);

// out[j * rows + i] = distance from point r0 + i to centre j0 + j, for i < rows, j < m: squared
// Euclidean, or 1 - IoU for the iou metric.
template <typename T>
void block_distances(const Points<T>& P, int64_t r0, int64_t rows, const Centers<T>& C, int64_t j0, int64_t m,
                     T* out);

}  // namespace cvcore::cpu
