// Nearest-neighbour frontend: argument checks, then the float32 or float64 kernel.
#include "cvcore/neighbors.hpp"

#include "checks.hpp"
#include "cpu/neighbors.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {

void knn_search(const TensorView& train, const TensorView& query, int64_t n_neighbors, const TensorView& distances,
                const TensorView& indices) {
  constexpr const char* op = "knn_search";
  detail::check_real_matrix(train, op, "train");
  detail::check_finite_values(train, op, "train");
  detail::check_real_matrix(query, op, "query");
  detail::check_finite_values(query, op, "query");
  check<TypeError>(query.dtype == train.dtype, op, ": query must have the training data's dtype (",
                   dtype_name(train.dtype), "), got ", dtype_name(query.dtype));
  check(query.shape[1] == train.shape[1], op, ": query must have ", train.shape[1],
        " features like the training data, got shape ", query.shape_text());
  const int64_t nt = train.shape[0], nq = query.shape[0], d = train.shape[1];
  check(n_neighbors >= 1, op, ": n_neighbors must be >= 1, got ", n_neighbors);
  check(n_neighbors <= nt, op, ": n_neighbors must be <= the number of training samples (", nt, "), got ",
        n_neighbors);
  const int64_t oshape[2] = {nq, n_neighbors};
  detail::check_output(distances, op, oshape, 2, train.dtype, "distances");
  detail::check_output(indices, op, oshape, 2, DType::int64, "indices");
  const int threads = get_num_threads();
  if (train.dtype == DType::float32)
    cpu::knn_search(train.ptr<float>(), nt, query.ptr<float>(), nq, d, n_neighbors, distances.ptr<float>(),
                    indices.ptr<int64_t>(), threads);
  else
    cpu::knn_search(train.ptr<double>(), nt, query.ptr<double>(), nq, d, n_neighbors, distances.ptr<double>(),
                    indices.ptr<int64_t>(), threads);
}

}  // namespace cvcore
