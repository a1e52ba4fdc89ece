// Nearest-neighbour frontend: argument checks, then the float32 or float64 kernel.
#include "cvcore/neighbors.hpp"

#include "checks.hpp"
#include "cpu/neighbors.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {

std::array<int64_t, 2> knn_search_output_shape(const TensorView& train, const TensorView& query, int64_t n_neighbors,
                                               const KnnNames& names) {
  const char* op = names.op;
  detail::check_real_matrix(train, op, names.train);
  detail::check_real_matrix(query, op, names.query);
  check<TypeError>(query.dtype == train.dtype, op, ": ", names.query, " must have the training data's dtype (",
                   dtype_name(train.dtype), "), got ", dtype_name(query.dtype));
  check(query.shape[1] == train.shape[1], op, ": ", names.query, " must have ", train.shape[1],
        " features like the training data, got shape ", query.shape_text());
  check(n_neighbors >= 1, op, ": n_neighbors must be >= 1, got ", n_neighbors);
  check(n_neighbors <= train.shape[0], op, ": n_neighbors must be <= the number of training samples (",
        train.shape[0], "), got ", n_neighbors);
  detail::checked_output_numel(op, {query.shape[0], n_neighbors}, sizeof(int64_t));
  return {query.shape[0], n_neighbors};
}

void knn_search(const TensorView& train, const TensorView& query, int64_t n_neighbors, const TensorView& distances,
                const TensorView& indices, const KnnNames& names) {
  const char* op = names.op;
  detail::require_cpu(op, {{names.train, train}, {names.query, query}, {"distances", distances}, {"indices", indices}});
  const std::array<int64_t, 2> oshape = knn_search_output_shape(train, query, n_neighbors, names);
  detail::check_finite_values(train, op, names.train);
  detail::check_finite_values(query, op, names.query);
  detail::check_output(distances, op, oshape.data(), 2, train.dtype, "distances");
  detail::check_output(indices, op, oshape.data(), 2, DType::int64, "indices");
  const int64_t nt = train.shape[0], nq = query.shape[0], d = train.shape[1];
  const int threads = get_num_threads();
  detail::naming_memory_errors(op, [&] {
    if (train.dtype == DType::float32)
      cpu::knn_search(train.ptr<float>(), nt, query.ptr<float>(), nq, d, n_neighbors, distances.ptr<float>(),
                      indices.ptr<int64_t>(), threads);
    else
      cpu::knn_search(train.ptr<double>(), nt, query.ptr<double>(), nq, d, n_neighbors, distances.ptr<double>(),
                      indices.ptr<int64_t>(), threads);
  });
}

}  // namespace cvcore
