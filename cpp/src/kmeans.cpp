// k-means frontend: argument checks, then the float32 or float64 kernels.
#include "cvcore/kmeans.hpp"

#include <cmath>
#include <cstdint>

#include "checks.hpp"
#include "cpu/kmeans.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

// The iou metric needs (w, h) pairs with positive sizes.
template <typename T>
bool all_positive(const T* p, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (!(p[i] > 0)) return false;
  return true;
}

void check_metric_domain(const TensorView& t, KMeansMetric metric, const char* op, const char* name) {
  if (metric != KMeansMetric::iou) return;
  check(t.shape[1] == 2, op, ": metric 'iou' needs (w, h) pairs, so ", name, " must have 2 columns, got shape ",
        t.shape_text());
  const bool pos = t.dtype == DType::float32 ? all_positive(t.ptr<float>(), t.numel())
                                             : all_positive(t.ptr<double>(), t.numel());
  check(pos, op, ": metric 'iou' needs box sizes > 0, but ", name, " has a width or height <= 0");
}

// Optional weights: empty, or (n,) of x's dtype, finite, >= 0, with a positive sum.
void check_weights(const TensorView& w, const TensorView& x, const char* op) {
  if (w.empty() && w.ndim == 0) return;
  detail::check_optional_vector(w, op, "sample_weight", x.dtype, x.shape[0]);
  detail::check_finite_values(w, op, "sample_weight");
  double sum = 0;
  bool nonneg = true;
  for (int64_t i = 0; i < w.numel(); ++i) {
    const double v = w.dtype == DType::float32 ? double(w.ptr<float>()[i]) : w.ptr<double>()[i];
    nonneg = nonneg && v >= 0;
    sum += v;
  }
  check(nonneg, op, ": sample_weight must be >= 0, got a negative weight");
  check(sum > 0, op, ": sample_weight must have a positive sum, got ", sum);
}

// centres (k, d) of x's dtype with k >= 1 (shapes only).
void check_centers_shape(const TensorView& c, const TensorView& x, const char* op, const char* name) {
  detail::check_array(c, op, name, x.dtype, 2);
  check(c.shape[1] == x.shape[1], op, ": X and ", name, " must have the same number of features, got shapes ",
        x.shape_text(), " and ", c.shape_text());
  check(c.shape[0] >= 1, op, ": ", name, " must have at least one row, got shape ", c.shape_text());
}

// The values of data or centres: finite, in the metric's domain.
void check_values(const TensorView& t, KMeansMetric metric, const char* op, const char* name) {
  detail::check_finite_values(t, op, name);
  check_metric_domain(t, metric, op, name);
}

// n_local_trials: 0 (the default) or a number of candidates drawn among the n samples.
void check_local_trials(int64_t trials, int64_t n, const char* op) {
  check(trials >= 0 && trials <= n, op, ": n_local_trials must be in [1, n_samples = ", n, "], got ", trials);
}

template <typename T>
const T* optional_ptr(const TensorView& t) {
  return t.empty() ? nullptr : t.ptr<T>();
}

}  // namespace

KMeansMetric parse_kmeans_metric(const std::string& name, const char* op) {
  static constexpr detail::Named<KMeansMetric> metrics[] = {{"euclidean", KMeansMetric::euclidean},
                                                            {"iou", KMeansMetric::iou}};
  return detail::parse_named(metrics, name, op, "metric");
}

KMeansInit parse_kmeans_init(const std::string& name, const char* op) {
  static constexpr detail::Named<KMeansInit> inits[] = {{"k-means++", KMeansInit::kmeans_plusplus},
                                                        {"random", KMeansInit::random}};
  return detail::parse_named(inits, name, op, "init", "an array");
}

bool parse_kmeans_median(const std::string& update, const char* op) {
  static constexpr detail::Named<bool> updates[] = {{"mean", false}, {"median", true}};
  return detail::parse_named(updates, update, op, "update");
}

std::array<int64_t, 2> kmeans_centers_shape(const TensorView& x, int64_t n_clusters, const char* op) {
  detail::check_real_matrix(x, op, "X");
  const int64_t n = x.shape[0];
  check(n_clusters >= 1, op, ": n_clusters must be >= 1, got ", n_clusters);
  check(n_clusters <= n, op, ": n_clusters must be <= the number of samples (", n, "), got ", n_clusters);
  check(n_clusters <= INT32_MAX, op, ": n_clusters must be < 2^31 (labels are int32), got ", n_clusters);
  return {n_clusters, x.shape[1]};
}

std::array<int64_t, 2> kmeans_distances_shape(const TensorView& x, const TensorView& centers, const char* op) {
  detail::check_real_matrix(x, op, "X");
  check_centers_shape(centers, x, op, "centers");
  detail::checked_output_numel(op, {x.shape[0], centers.shape[0]}, sizeof(double));
  return {x.shape[0], centers.shape[0]};
}

KMeansResult kmeans(const TensorView& x, const TensorView& sample_weight, const TensorView& init,
                    const KMeansOptions& opt, const TensorView& centers, const TensorView& labels) {
  constexpr const char* op = "kmeans";
  detail::require_cpu(op, {{"X", x}, {"sample_weight", sample_weight}, {"init", init}, {"centers", centers},
                           {"labels", labels}});
  const std::array<int64_t, 2> cshape = kmeans_centers_shape(x, opt.n_clusters, op);
  check_values(x, opt.metric, op, "X");
  const int64_t n = x.shape[0], d = x.shape[1], k = opt.n_clusters;
  check(opt.n_init >= 1 && opt.n_init <= kMaxKMeansRuns, op, ": n_init must be in [1, ", kMaxKMeansRuns, "], got ",
        opt.n_init);
  check(opt.max_iter >= 1 && opt.max_iter <= kMaxKMeansIterations, op, ": max_iter must be in [1, ",
        kMaxKMeansIterations, "], got ", opt.max_iter);
  check(std::isfinite(opt.tol) && opt.tol >= 0, op, ": tol must be a finite number >= 0, got ", opt.tol);
  check(!opt.median || opt.metric == KMeansMetric::iou, op, ": update 'median' is only for metric 'iou'");
  check_local_trials(opt.n_local_trials, n, op);
  check_weights(sample_weight, x, op);
  if (opt.init == KMeansInit::array) {
    check_centers_shape(init, x, op, "init");
    check(init.shape[0] == k, op, ": init must have n_clusters = ", k, " rows, got shape ", init.shape_text());
    check_values(init, opt.metric, op, "init");
  }
  detail::check_output(centers, op, cshape.data(), 2, x.dtype, "centers");
  detail::check_output(labels, op, &x.shape[0], 1, DType::int32, "labels");
  const int threads = get_num_threads();
  return detail::naming_memory_errors(op, [&] {
    if (x.dtype == DType::float32)
      return cpu::kmeans_fit(x.ptr<float>(), n, d, optional_ptr<float>(sample_weight), optional_ptr<float>(init), opt,
                             centers.ptr<float>(), labels.ptr<int32_t>(), threads);
    return cpu::kmeans_fit(x.ptr<double>(), n, d, optional_ptr<double>(sample_weight), optional_ptr<double>(init),
                           opt, centers.ptr<double>(), labels.ptr<int32_t>(), threads);
  });
}

void kmeans_plusplus(const TensorView& x, const TensorView& sample_weight, int64_t n_clusters, uint64_t seed,
                     int64_t n_local_trials, KMeansMetric metric, const TensorView& centers,
                     const TensorView& indices) {
  constexpr const char* op = "kmeans_plusplus";
  detail::require_cpu(op, {{"X", x}, {"sample_weight", sample_weight}, {"centers", centers}, {"indices", indices}});
  const std::array<int64_t, 2> cshape = kmeans_centers_shape(x, n_clusters, op);
  check_values(x, metric, op, "X");
  const int64_t n = x.shape[0], d = x.shape[1];
  check_local_trials(n_local_trials, n, op);
  check_weights(sample_weight, x, op);
  detail::check_output(centers, op, cshape.data(), 2, x.dtype, "centers");
  if (!indices.empty()) detail::check_output(indices, op, &n_clusters, 1, DType::int64, "indices");
  int64_t* idx = indices.empty() ? nullptr : indices.ptr<int64_t>();
  const int threads = get_num_threads();
  detail::naming_memory_errors(op, [&] {
    if (x.dtype == DType::float32)
      cpu::kmeans_plusplus(x.ptr<float>(), n, d, optional_ptr<float>(sample_weight), n_clusters, seed,
                           n_local_trials, metric, centers.ptr<float>(), idx, threads);
    else
      cpu::kmeans_plusplus(x.ptr<double>(), n, d, optional_ptr<double>(sample_weight), n_clusters, seed,
                           n_local_trials, metric, centers.ptr<double>(), idx, threads);
  });
}

double kmeans_assign(const TensorView& x, const TensorView& sample_weight, const TensorView& centers,
                     KMeansMetric metric, const TensorView& labels, const TensorView& min_distances,
                     const char* op) {
  detail::require_cpu(op, {{"X", x}, {"sample_weight", sample_weight}, {"centers", centers}, {"labels", labels},
                           {"min_distances", min_distances}});
  const int64_t k = kmeans_distances_shape(x, centers, op)[1];
  check_values(x, metric, op, "X");
  check_values(centers, metric, op, "centers");
  check_weights(sample_weight, x, op);
  const int64_t n = x.shape[0], d = x.shape[1];
  detail::check_output(labels, op, &n, 1, DType::int32, "labels");
  if (!min_distances.empty()) detail::check_output(min_distances, op, &n, 1, x.dtype, "min_distances");
  const int threads = get_num_threads();
  return detail::naming_memory_errors(op, [&] {
    if (x.dtype == DType::float32)
      return cpu::kmeans_assign(x.ptr<float>(), n, d, optional_ptr<float>(sample_weight), centers.ptr<float>(), k,
                                metric, labels.ptr<int32_t>(),
                                min_distances.empty() ? nullptr : min_distances.ptr<float>(), threads);
    return cpu::kmeans_assign(x.ptr<double>(), n, d, optional_ptr<double>(sample_weight), centers.ptr<double>(), k,
                              metric, labels.ptr<int32_t>(),
                              min_distances.empty() ? nullptr : min_distances.ptr<double>(), threads);
  });
}

void kmeans_transform(const TensorView& x, const TensorView& centers, KMeansMetric metric, const TensorView& out,
                      const char* op) {
  detail::require_cpu(op, {{"X", x}, {"centers", centers}, {"out", out}});
  const std::array<int64_t, 2> oshape = kmeans_distances_shape(x, centers, op);
  check_values(x, metric, op, "X");
  check_values(centers, metric, op, "centers");
  detail::check_output(out, op, oshape.data(), 2, x.dtype);
  const int64_t n = x.shape[0], d = x.shape[1], k = oshape[1];
  const int threads = get_num_threads();
  detail::naming_memory_errors(op, [&] {
    if (x.dtype == DType::float32)
      cpu::kmeans_transform(x.ptr<float>(), n, d, centers.ptr<float>(), k, metric, out.ptr<float>(), threads);
    else
      cpu::kmeans_transform(x.ptr<double>(), n, d, centers.ptr<double>(), k, metric, out.ptr<double>(), threads);
  });
}

}  // namespace cvcore
