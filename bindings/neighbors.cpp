#include "cvcore/neighbors.hpp"

#include "common.hpp"

namespace cvcore::bindings {

void register_neighbors(py::module_& m) {
  m.def(
      "knn_search",
      [](py::handle train, py::handle query, int64_t n_neighbors, const std::string& device) {
        const Device on = parse_device(device, "knn_search");
        const TensorView tv = view(train, "train", on), qv = view(query, "query", on);
        const std::array<int64_t, 2> shape = knn_search_output_shape(tv, qv, n_neighbors);
        py::array distances = new_array(tv.dtype, {shape[0], shape[1]});
        py::array indices = new_array(DType::int64, {shape[0], shape[1]});
        const TensorView dv = view(distances, "distances", on), iv = view(indices, "indices", on);
        {
          py::gil_scoped_release release;
          knn_search(tv, qv, n_neighbors, dv, iv);
        }
        return py::make_tuple(distances, indices);
      },
      py::arg("train"), py::arg("query"), py::arg("n_neighbors"), py::arg("device") = "cpu");
}

}  // namespace cvcore::bindings
