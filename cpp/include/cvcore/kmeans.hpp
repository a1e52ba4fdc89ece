// k-means (Lloyd, greedy k-means++ seeding) for float32 / float64 data, and the "iou" metric for
// (w, h) box shapes (anchor clustering).
//
// Arrays are C-contiguous; data (n, d) is float32 or float64 and every real output keeps that
// dtype; labels are int32. Results are bit-identical for any thread count and, for a given seed,
// across runs.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "cvcore/tensor.hpp"

namespace cvcore {

enum class KMeansMetric {
  euclidean,  // squared Euclidean distance; centres are weighted means
  iou,        // 1 - IoU of (w, h) boxes aligned at a common corner; d must be 2, sizes > 0
};

enum class KMeansInit {
  kmeans_plusplus,  // greedy k-means++ (n_local_trials candidates per centre, the best kept)
  random,           // n_clusters distinct points drawn with probability proportional to weight
  array,            // the given initial centres
};

// "euclidean" or "iou"; "k-means++" or "random" (KMeansInit::array is chosen by giving the initial
// centres); and the centre update, "mean" or "median" (true: KMeansOptions::median). ValueError
// naming `op`, the argument (metric, init, update), the names and the one received otherwise.
KMeansMetric parse_kmeans_metric(const std::string& name, const char* op);
KMeansInit parse_kmeans_init(const std::string& name, const char* op = "kmeans");
bool parse_kmeans_median(const std::string& update, const char* op = "kmeans");

// Bounds on the arguments that multiply the work, beyond which kmeans raises ValueError: each of the
// n_init runs is a whole k-means, and a run stops as soon as no label changes (Lloyd's iterations
// converge long before kMaxKMeansIterations), so larger values would only let a call run for hours.
constexpr int64_t kMaxKMeansRuns = 1000;
constexpr int64_t kMaxKMeansIterations = 100000;

struct KMeansOptions {
  int64_t n_clusters = 8;  // 1 <= n_clusters <= n_samples, and < 2^31 (labels are int32)
  KMeansInit init = KMeansInit::kmeans_plusplus;
  int64_t n_init = 1;     // restarts, 1 .. kMaxKMeansRuns; the run with the lowest inertia is kept
  int64_t max_iter = 300;  // 1 .. kMaxKMeansIterations
  double tol = 1e-4;      // on sum_j ||c_j(new) - c_j(old)||^2, relative to mean_j var(x[:, j])
  KMeansMetric metric = KMeansMetric::euclidean;
  bool median = false;    // iou metric only: centres are weighted medians of (w, h) instead of means
  uint64_t seed = 0;
  // k-means++ candidates per centre, drawn among the samples: 0 (2 + floor(ln k)) or 1 .. n_samples.
  int64_t n_local_trials = 0;
};

struct KMeansResult {
  double inertia = 0;  // sum_i w_i * distance(x_i, centre of x_i), accumulated in float64
  int64_t n_iter = 0;  // Lloyd iterations of the kept run
};

// Shape checks only (cheap; the calls below also check the values): x is a C-contiguous (n, d) float32
// or float64 array with n, d >= 1, and 1 <= n_clusters <= n. Returns the centres' shape (n_clusters,
// d). `op` names the caller (kmeans or kmeans_plusplus) in messages.
std::array<int64_t, 2> kmeans_centers_shape(const TensorView& x, int64_t n_clusters, const char* op);
// x as above, and centers (k, d) of x's dtype with k >= 1. Returns (n, k), the shape of
// kmeans_transform's output (kmeans_assign's labels are (n,)).
std::array<int64_t, 2> kmeans_distances_shape(const TensorView& x, const TensorView& centers, const char* op);

// Lloyd's k-means. x (n, d); sample_weight (n,) of x's dtype, >= 0, or empty; init (k, d) of x's
// dtype when opt.init is array (else empty). Writes centers (k, d) of x's dtype and labels (n,)
// int32. Iterations stop on identical labels, on centre movement <= the tolerance, or at max_iter;
// after a stop other than identical labels the labels are recomputed for the final centres.
// Empty clusters take the points farthest from their centres.
KMeansResult kmeans(const TensorView& x, const TensorView& sample_weight, const TensorView& init,
                    const KMeansOptions& opt, const TensorView& centers, const TensorView& labels);

// Greedy k-means++ seeding alone: centers (k, d) of x's dtype, indices (k,) int64 (or empty) of
// the chosen points.
void kmeans_plusplus(const TensorView& x, const TensorView& sample_weight, int64_t n_clusters, uint64_t seed,
                     int64_t n_local_trials, KMeansMetric metric, const TensorView& centers,
                     const TensorView& indices);

// Nearest centre of every row: labels (n,) int32 (ties: the lower centre index), min_distances (n,)
// of x's dtype or empty. Returns the inertia sum_i w_i * distance (float64). `op` names the caller
// in messages (KMeans.predict, ...).
double kmeans_assign(const TensorView& x, const TensorView& sample_weight, const TensorView& centers,
                     KMeansMetric metric, const TensorView& labels, const TensorView& min_distances,
                     const char* op = "kmeans_assign");

// out (n, k) of x's dtype: Euclidean distance (not squared) or 1 - IoU from every row to every centre.
void kmeans_transform(const TensorView& x, const TensorView& centers, KMeansMetric metric, const TensorView& out,
                      const char* op = "kmeans_transform");

}  // namespace cvcore
