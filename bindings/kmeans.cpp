#include "cvcore/kmeans.hpp"

#include <tuple>

#include "common.hpp"
#include "cvcore/error.hpp"

namespace cvcore::bindings {
namespace {

KMeansMetric parse_metric(const std::string& name) {
  if (name == "euclidean") return KMeansMetric::euclidean;
  if (name == "iou") return KMeansMetric::iou;
  throw ValueError("metric must be 'euclidean' or 'iou', got '" + name + "'");
}

KMeansInit parse_init(const std::string& name) {
  if (name == "k-means++") return KMeansInit::kmeans_plusplus;
  if (name == "random") return KMeansInit::random;
  if (name == "array") return KMeansInit::array;
  throw ValueError("init must be 'k-means++', 'random' or an array, got '" + name + "'");
}

TensorView optional_real_view(py::handle obj, const py::array& a) { return obj.is_none() ? TensorView{} : real_view(a); }

}  // namespace

void register_kmeans(py::module_& m) {
  m.def(
      "kmeans",
      [](py::handle x, int64_t n_clusters, py::handle sample_weight, const std::string& init, py::handle init_array,
         int64_t n_init, int64_t max_iter, double tol, const std::string& metric, bool median, uint64_t seed,
         int64_t n_local_trials) {
        const py::array xa = real_array(x, "X");
        const py::array wa = real_array_as(sample_weight, xa.dtype(), "sample_weight");
        const py::array ia = real_array_as(init_array, xa.dtype(), "init");
        KMeansOptions opt;
        opt.n_clusters = n_clusters;
        opt.init = parse_init(init);
        opt.n_init = n_init;
        opt.max_iter = max_iter;
        opt.tol = tol;
        opt.metric = parse_metric(metric);
        opt.median = median;
        opt.seed = seed;
        opt.n_local_trials = n_local_trials;
        const TensorView xv = real_view(xa), wv = optional_real_view(sample_weight, wa),
                         iv = optional_real_view(init_array, ia);
        check(xv.ndim == 2, "kmeans: X must have 2 dimensions (n_samples, n_features), got ", xv.ndim, " (shape ",
              xv.shape_text(), ")");
        py::array centers = new_real(xa.dtype(), {n_clusters > 0 ? n_clusters : 0, xv.shape[1]});
        Int32Array labels = new_int32({xv.shape[0]});
        const TensorView cv = real_view(centers), lv = view(labels);
        KMeansResult r;
        {
          py::gil_scoped_release release;
          r = kmeans(xv, wv, iv, opt, cv, lv);
        }
        return py::make_tuple(centers, labels, r.inertia, r.n_iter);
      },
      py::arg("X"), py::arg("n_clusters"), py::arg("sample_weight"), py::arg("init"), py::arg("init_array"),
      py::arg("n_init"), py::arg("max_iter"), py::arg("tol"), py::arg("metric"), py::arg("median"), py::arg("seed"),
      py::arg("n_local_trials"));

  m.def(
      "kmeans_plusplus",
      [](py::handle x, int64_t n_clusters, py::handle sample_weight, uint64_t seed, int64_t n_local_trials,
         const std::string& metric) {
        const py::array xa = real_array(x, "X");
        const py::array wa = real_array_as(sample_weight, xa.dtype(), "sample_weight");
        const TensorView xv = real_view(xa), wv = optional_real_view(sample_weight, wa);
        check(xv.ndim == 2, "kmeans_plusplus: X must have 2 dimensions (n_samples, n_features), got ", xv.ndim);
        py::array centers = new_real(xa.dtype(), {n_clusters > 0 ? n_clusters : 0, xv.shape[1]});
        Int64Array indices = new_int64({n_clusters > 0 ? n_clusters : 0});
        const TensorView cv = real_view(centers), idx = view(indices);
        const KMeansMetric met = parse_metric(metric);
        {
          py::gil_scoped_release release;
          kmeans_plusplus(xv, wv, n_clusters, seed, n_local_trials, met, cv, idx);
        }
        return py::make_tuple(centers, indices);
      },
      py::arg("X"), py::arg("n_clusters"), py::arg("sample_weight"), py::arg("seed"), py::arg("n_local_trials"),
      py::arg("metric"));

  m.def(
      "kmeans_assign",
      [](py::handle x, py::handle centers, py::handle sample_weight, const std::string& metric) {
        const py::array ca = real_array(centers, "centers");
        const py::array xa = real_array_as(x, ca.dtype(), "X");
        const py::array wa = real_array_as(sample_weight, ca.dtype(), "sample_weight");
        const TensorView xv = real_view(xa), cv = real_view(ca), wv = optional_real_view(sample_weight, wa);
        check(xv.ndim == 2, "kmeans_assign: X must have 2 dimensions (n_samples, n_features), got ", xv.ndim);
        Int32Array labels = new_int32({xv.shape[0]});
        py::array mind = new_real(ca.dtype(), {xv.shape[0]});
        const TensorView lv = view(labels), mv = real_view(mind);
        const KMeansMetric met = parse_metric(metric);
        double inertia;
        {
          py::gil_scoped_release release;
          inertia = kmeans_assign(xv, wv, cv, met, lv, mv);
        }
        return py::make_tuple(labels, mind, inertia);
      },
      py::arg("X"), py::arg("centers"), py::arg("sample_weight"), py::arg("metric"));

  m.def(
      "kmeans_transform",
      [](py::handle x, py::handle centers, const std::string& metric) {
        const py::array ca = real_array(centers, "centers");
        const py::array xa = real_array_as(x, ca.dtype(), "X");
        const TensorView xv = real_view(xa), cv = real_view(ca);
        check(xv.ndim == 2, "kmeans_transform: X must have 2 dimensions (n_samples, n_features), got ", xv.ndim);
        check(cv.ndim == 2, "kmeans_transform: centers must have 2 dimensions, got ", cv.ndim);
        py::array out = new_real(ca.dtype(), {xv.shape[0], cv.shape[0]});
        const TensorView ov = real_view(out);
        const KMeansMetric met = parse_metric(metric);
        {
          py::gil_scoped_release release;
          kmeans_transform(xv, cv, met, ov);
        }
        return out;
      },
      py::arg("X"), py::arg("centers"), py::arg("metric"));
}

}  // namespace cvcore::bindings
