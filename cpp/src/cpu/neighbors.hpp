// Nearest-neighbour kernels on validated raw arrays (the checks live in src/neighbors.cpp).
#pragma once

#include <cstdint>

namespace cvcore::cpu {

// The n_neighbors nearest training rows of every query row (see cvcore/neighbors.hpp).
template <typename T>
void knn_search(const T* train, int64_t n_train, const T* query, int64_t n_query, int64_t d, int64_t n_neighbors,
                T* distances, int64_t* indices, int threads);

}  // namespace cvcore::cpu
