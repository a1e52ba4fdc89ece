// Brute-force nearest neighbours: the distances from a block of queries to a block of training rows
// (cpu/distances.hpp), then a per-row insertion into the running top k. Queries are split into
// blocks of kChunk rows over the threads; each query's neighbours are computed by one thread in
// training-row order, so results do not depend on the thread count.
#include "cpu/neighbors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cpu/distances.hpp"
#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"

namespace cvcore::cpu {
namespace {

constexpr int64_t kTrainBlock = 1024;  // training rows per distance block

}  // namespace

template <typename T>
void knn_search(const T* train, int64_t n_train, const T* query, int64_t n_query, int64_t d, int64_t n_neighbors,
                T* distances, int64_t* indices, int threads) {
  const int64_t kk = n_neighbors;
  Points<T> ref;  // shift of the training data, shared by the queries
  prepare_points(ref, train, n_train, d, static_cast<const T*>(nullptr), KMeansMetric::euclidean, 1);
  Points<T> P;
  prepare_points(P, query, n_query, d, static_cast<const T*>(nullptr), KMeansMetric::euclidean, threads,
                 ref.gemm ? &ref.mean : nullptr);
  Centers<T> C;
  prepare_centers(P, train, n_train, C);
  parallel_for(ceil_div(n_query, kChunk), threads, multiply_adds(double(kChunk * n_train) * double(d)), [&](int64_t b) {
    const int64_t r0 = b * kChunk, rows = min64(kChunk, n_query - r0);
    const int64_t tb = min64(kTrainBlock, n_train);
    T* dist = scratch_array<T>(ScratchSlot::distances, static_cast<size_t>(tb * kChunk));
    T* bd = distances + r0 * kk;
    int64_t* bi = indices + r0 * kk;
    std::fill(bd, bd + rows * kk, std::numeric_limits<T>::infinity());
    std::fill(bi, bi + rows * kk, int64_t(-1));
    for (int64_t j0 = 0; j0 < n_train; j0 += tb) {
      const int64_t m = min64(tb, n_train - j0);
      block_distances(P, r0, rows, C, j0, m, dist);
      for (int64_t i = 0; i < rows; ++i) {
        T* rd = bd + i * kk;
        int64_t* ri = bi + i * kk;
        for (int64_t j = 0; j < m; ++j) {
          const T v = dist[j * rows + i];
          if (!(v < rd[kk - 1]) && ri[kk - 1] >= 0) continue;
          int64_t p = kk - 1;
          while (p > 0 && (ri[p - 1] < 0 || rd[p - 1] > v)) {
            rd[p] = rd[p - 1];
            ri[p] = ri[p - 1];
            --p;
          }
          rd[p] = v;
          ri[p] = j0 + j;
        }
      }
    }
    for (int64_t e = 0; e < rows * kk; ++e) bd[e] = std::sqrt(bd[e]);
  });
}

template void knn_search<float>(const float*, int64_t, const float*, int64_t, int64_t, int64_t, float*, int64_t*, int);
template void knn_search<double>(const double*, int64_t, const double*, int64_t, int64_t, int64_t, double*, int64_t*,
                                 int);

}  // namespace cvcore::cpu
