#include "cvcore/kmeans.hpp"

#include "common.hpp"

namespace cvcore::bindings {

namespace {

// The centres that kmeans and kmeans_plusplus write: (n_clusters, d) of x's dtype, after the shape checks.
py::array new_centers(const TensorView& x, int64_t n_clusters, const char* op) {
  const std::array<int64_t, 2> shape = kmeans_centers_shape(x, n_clusters, op);
  return new_array(op, "the centers", x.dtype, {shape[0], shape[1]});
}

}  // namespace

void register_kmeans(py::module_& m) {
  m.def(
      "kmeans",
      [](py::handle x, int64_t n_clusters, py::handle sample_weight, py::handle init, int64_t n_init,
         int64_t max_iter, double tol, const std::string& metric, const std::string& update, uint64_t seed,
         int64_t n_local_trials, const std::string& device) {
        constexpr const char* op = "kmeans";
        const Device on = parse_device(device, op);
        KMeansOptions opt;
        opt.n_clusters = n_clusters;
        opt.n_init = n_init;
        opt.max_iter = max_iter;
        opt.tol = tol;
        opt.metric = parse_kmeans_metric(metric, op);
        opt.median = parse_kmeans_median(update, op);
        opt.seed = seed;
        opt.n_local_trials = n_local_trials;
        // init: a name, or the initial centres.
        TensorView iv;
        if (py::isinstance<py::str>(init))
          opt.init = parse_kmeans_init(init.cast<std::string>(), op);
        else {
          opt.init = KMeansInit::array;
          iv = view(init, op, "init", on);
        }
        const TensorView xv = view(x, op, "X", on), wv = optional_view(sample_weight, op, "sample_weight", on);
        py::array centers = new_centers(xv, n_clusters, op);
        py::array labels = new_array(op, "the labels", DType::int32, {xv.shape[0]});
        const TensorView cv = view(centers, op, "centers", on), lv = view(labels, op, "labels", on);
        KMeansResult r;
        {
          py::gil_scoped_release release;
          r = kmeans(xv, wv, iv, opt, cv, lv);
        }
        return py::make_tuple(centers, labels, r.inertia, r.n_iter);
      },
      py::arg("X"), py::arg("n_clusters"), py::arg("sample_weight"), py::arg("init"), py::arg("n_init"),
      py::arg("max_iter"), py::arg("tol"), py::arg("metric"), py::arg("update"), py::arg("seed"),
      py::arg("n_local_trials"), py::arg("device") = "cpu");

  m.def(
      "kmeans_plusplus",
      [](py::handle x, int64_t n_clusters, py::handle sample_weight, uint64_t seed, int64_t n_local_trials,
         const std::string& metric, const std::string& device) {
        constexpr const char* op = "kmeans_plusplus";
        const Device on = parse_device(device, op);
        const KMeansMetric met = parse_kmeans_metric(metric, op);
        const TensorView xv = view(x, op, "X", on), wv = optional_view(sample_weight, op, "sample_weight", on);
        py::array centers = new_centers(xv, n_clusters, op);
        py::array indices = new_array(op, "the indices", DType::int64, {n_clusters});
        const TensorView cv = view(centers, op, "centers", on), idx = view(indices, op, "indices", on);
        {
          py::gil_scoped_release release;
          kmeans_plusplus(xv, wv, n_clusters, seed, n_local_trials, met, cv, idx);
        }
        return py::make_tuple(centers, indices);
      },
      py::arg("X"), py::arg("n_clusters"), py::arg("sample_weight"), py::arg("seed"), py::arg("n_local_trials"),
      py::arg("metric"), py::arg("device") = "cpu");

  // kmeans_assign and kmeans_transform serve the fitted estimators' methods, which `op` names.
  m.def(
      "kmeans_assign",
      [](py::handle x, py::handle centers, py::handle sample_weight, const std::string& metric,
         const std::string& device, const std::string& op_name) {
        const char* op = op_name.c_str();
        const Device on = parse_device(device, op);
        const KMeansMetric met = parse_kmeans_metric(metric, op);
        const TensorView xv = view(x, op, "X", on), cv = view(centers, op, "centers", on),
                         wv = optional_view(sample_weight, op, "sample_weight", on);
        const int64_t n = kmeans_distances_shape(xv, cv, op)[0];
        py::array labels = new_array(op, "the labels", DType::int32, {n});
        py::array min_distances = new_array(op, "the distances", xv.dtype, {n});
        const TensorView lv = view(labels, op, "labels", on), mv = view(min_distances, op, "min_distances", on);
        double inertia;
        {
          py::gil_scoped_release release;
          inertia = kmeans_assign(xv, wv, cv, met, lv, mv, op);
        }
        return py::make_tuple(labels, min_distances, inertia);
      },
      py::arg("X"), py::arg("centers"), py::arg("sample_weight"), py::arg("metric"), py::arg("device") = "cpu",
      py::arg("op") = "kmeans_assign");

  m.def(
      "kmeans_transform",
      [](py::handle x, py::handle centers, const std::string& metric, const std::string& device,
         const std::string& op_name) {
        const char* op = op_name.c_str();
        const Device on = parse_device(device, op);
        const KMeansMetric met = parse_kmeans_metric(metric, op);
        const TensorView xv = view(x, op, "X", on), cv = view(centers, op, "centers", on);
        const std::array<int64_t, 2> shape = kmeans_distances_shape(xv, cv, op);
        py::array out = new_array(op, "the distances", xv.dtype, {shape[0], shape[1]});
        const TensorView ov = view(out, op, "out", on);
        {
          py::gil_scoped_release release;
          kmeans_transform(xv, cv, met, ov, op);
        }
        return out;
      },
      py::arg("X"), py::arg("centers"), py::arg("metric"), py::arg("device") = "cpu",
      py::arg("op") = "kmeans_transform");
}

}  // namespace cvcore::bindings
