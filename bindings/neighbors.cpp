#include "cvcore/neighbors.hpp"

#include "common.hpp"
#include "cvcore/error.hpp"

namespace cvcore::bindings {

void register_neighbors(py::module_& m) {
  m.def(
      "knn_search",
      [](py::handle train, py::handle query, int64_t n_neighbors) {
        const py::array ta = real_array(train, "X");
        const py::array qa = real_array_as(query, ta.dtype(), "query");
        const TensorView tv = real_view(ta), qv = real_view(qa);
        check(tv.ndim == 2, "knn_search: X must have 2 dimensions (n_samples, n_features), got ", tv.ndim);
        check(qv.ndim == 2, "knn_search: query must have 2 dimensions (n_queries, n_features), got ", qv.ndim);
        const int64_t kk = n_neighbors > 0 ? n_neighbors : 0;
        py::array dist = new_real(ta.dtype(), {qv.shape[0], kk});
        Int64Array idx = new_int64({qv.shape[0], kk});
        const TensorView dv = real_view(dist), iv = view(idx);
        {
          py::gil_scoped_release release;
          knn_search(tv, qv, n_neighbors, dv, iv);
        }
        return py::make_tuple(dist, idx);
      },
      py::arg("X"), py::arg("query"), py::arg("n_neighbors"));
}

}  // namespace cvcore::bindings
