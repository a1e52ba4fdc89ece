// k-means kernels on validated raw arrays (the checks live in src/kmeans.cpp).
#pragma once

#include <cstdint>

#include "cvcore/kmeans.hpp"

namespace cvcore::cpu {

template <typename T>
KMeansResult kmeans_fit(const T* x, int64_t n, int64_t d, const T* w, const T* init, const KMeansOptions& opt,
                        T* centers, int32_t* labels, int threads);

template <typename T>
void kmeans_plusplus(const T* x, int64_t n, int64_t d, const T* w, int64_t k, uint64_t seed, int64_t n_local_trials,
                     KMeansMetric metric, T* centers, int64_t* indices, int threads);

template <typename T>
double kmeans_assign(const T* x, int64_t n, int64_t d, const T* w, const T* c, int64_t k, KMeansMetric metric,
                     int32_t* labels, T* min_distances, int threads);

template <typename T>
void kmeans_transform(const T* x, int64_t n, int64_t d, const T* c, int64_t k, KMeansMetric metric, T* out,
                      int threads);

}  // namespace cvcore::cpu
