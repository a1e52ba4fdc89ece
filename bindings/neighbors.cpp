#include "cvcore/neighbors.hpp"

#include "common.hpp"

namespace cvcore::bindings {

void register_neighbors(py::module_& m) {
  // The estimator's methods name themselves and their arrays (op, train, query) in messages.
  m.def(
      "knn_search",
      [](py::handle train, py::handle query, int64_t n_neighbors, const std::string& device, const std::string& op,
         const std::string& train_name, const std::string& query_name) {
        const KnnNames names{op.c_str(), train_name.c_str(), query_name.c_str()};
        const Device on = parse_device(device, names.op);
        const TensorView tv = view(train, names.op, names.train, on), qv = view(query, names.op, names.query, on);
        const std::array<int64_t, 2> shape = knn_search_output_shape(tv, qv, n_neighbors, names);
        py::array distances = new_array(names.op, "the distances", tv.dtype, {shape[0], shape[1]});
        py::array indices = new_array(names.op, "the indices", DType::int64, {shape[0], shape[1]});
        const TensorView dv = view(distances, names.op, "distances", on), iv = view(indices, names.op, "indices", on);
        {
          py::gil_scoped_release release;
          knn_search(tv, qv, n_neighbors, dv, iv, names);
        }
        return py::make_tuple(distances, indices);
      },
      py::arg("train"), py::arg("query"), py::arg("n_neighbors"), py::arg("device") = "cpu",
      py::arg("op") = "knn_search", py::arg("train_name") = "train", py::arg("query_name") = "query");
}

}  // namespace cvcore::bindings
