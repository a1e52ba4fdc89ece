// k-means: Lloyd iterations, greedy k-means++, and the "iou" metric for box shapes.
//
// Distances are computed a block at a time (cpu/distances.hpp); Lloyd's assignment for d <= 4
// uses the fused per-ISA kernel (simd/kmeans.inl).
//
// Reproducibility: the points are cut into blocks that depend only on n (never on the thread
// count); each block sums its weighted points into its own float64 accumulators, and the blocks
// are reduced in index order. Random draws come from a splitmix64 stream seeded by the caller.
#include "cpu/kmeans.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "cpu/distances.hpp"
#include "cpu/linear.hpp"
#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"
#include "cpu/simd/kernels.hpp"

namespace cvcore::cpu {
namespace {

constexpr int64_t kMaxBlocks = 32;  // accumulation blocks

// splitmix64: a small, fast generator whose stream depends only on the seed.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

uint64_t stream_seed(uint64_t seed, uint64_t stream) {
  Rng r{seed ^ (0xD1B54A32D192ED03ull * (stream + 1))};
  return r.next();
}

// The fixed partition of n points into accumulation blocks (a function of n and the accumulator
// size only), each a whole number of chunks.
struct Blocks {
  int64_t n, count;
  Range operator[](int64_t b) const { return split_range(n, count, b, kChunk); }
  // The cost of a block whose points each cost `per_point`.
  UnitCost cost(UnitCost per_point) const { return {per_point.ns * double(n) / double(count)}; }
};

Blocks make_blocks(int64_t n, int64_t accum_per_block) {
  int64_t count = min64(kMaxBlocks, max64(1, ceil_div(n, 16 * kChunk)));
  count = min64(count, max64(1, (int64_t(1) << 22) / max64(1, accum_per_block)));  // <= 32 MB of sums
  return {n, count};
}

template <typename T>
double exact_distance(const T* x, const T* c, int64_t d, KMeansMetric metric) {
  if (metric == KMeansMetric::iou) {
    const double iw = std::min<double>(x[0], c[0]), ih = std::min<double>(x[1], c[1]);
    const double inter = iw * ih;
    return 1.0 - inter / (double(x[0]) * x[1] + double(c[0]) * c[1] - inter);
  }
  double s = 0;
  for (int64_t t = 0; t < d; ++t) {
    const double diff = double(x[t]) - double(c[t]);
    s += diff * diff;
  }
  return s;
}

// labels[i] / mind[i] for points r0 .. r0 + rows of the nearest of all C.m centres.
template <typename T>
void nearest_chunk(const Points<T>& P, int64_t r0, int64_t rows, const Centers<T>& C, int32_t* labels, T* mind) {
  const int64_t k = C.m;
  if (P.metric == KMeansMetric::euclidean && P.d <= kDirectMaxD) {
    if constexpr (std::is_same<T, float>::value)
      active_kernels().nearest_lowd_f32(P.x + r0 * P.d, rows, P.d, C.c, k, labels, mind);
    else
      active_kernels().nearest_lowd_f64(P.x + r0 * P.d, rows, P.d, C.c, k, labels, mind);
    return;
  }
  T* dist = scratch_array<T>(ScratchSlot::distances, static_cast<size_t>(k * kChunk));
  if constexpr (std::is_same<T, float>::value) {
    if (P.gemm) {  // argmin_j ||c_j||^2 - 2 x.c_j in one pass over the GEMM output, then add ||x||^2
      linear(k, P.d, rows, C.cc.data(), P.xc.data() + r0 * P.d, nullptr, dist, OutputAct{}, 1);
      active_kernels().argmin_dots(dist, rows, k, C.cn.data(), labels, mind);
      for (int64_t i = 0; i < rows; ++i) {
        const float v = P.xn[r0 + i] + mind[i];
        mind[i] = v > 0.f ? v : 0.f;
      }
      return;
    }
  }
  block_distances(P, r0, rows, C, 0, k, dist);
  for (int64_t i = 0; i < rows; ++i) {
    mind[i] = dist[i];
    labels[i] = 0;
  }
  for (int64_t j = 1; j < k; ++j) {
    const T* dj = dist + j * rows;
    const int32_t jj = static_cast<int32_t>(j);
    for (int64_t i = 0; i < rows; ++i) {
      const bool lt = dj[i] < mind[i];
      mind[i] = lt ? dj[i] : mind[i];
      labels[i] = lt ? jj : labels[i];
    }
  }
}

// Per-block weighted sums of the points of each cluster (sums[k * d], weights[k]).
struct Accumulators {
  int64_t k, d;
  std::vector<double> sums, weights;
  Accumulators(int64_t blocks, int64_t k_, int64_t d_)
      : k(k_), d(d_), sums(static_cast<size_t>(blocks * k_ * d_)), weights(static_cast<size_t>(blocks * k_)) {}
};

// One assignment pass: labels of every point for the centres C; when acc is given, block b adds
// each point's weighted coordinates to its cluster. Returns the number of labels that changed.
template <typename T>
int64_t assign_pass(const Points<T>& P, const Centers<T>& C, const Blocks& B, int32_t* labels, T* mind_out,
                    Accumulators* acc, int threads) {
  std::vector<int64_t> changed(static_cast<size_t>(B.count), 0);
  const int64_t d = P.d, k = C.m;
  parallel_for(B.count, threads, B.cost(multiply_adds(double(d) * double(k))), [&](int64_t b) {
    const Range r = B[b];
    int32_t* lab = scratch_array<int32_t>(ScratchSlot::kmeans_rows, static_cast<size_t>(kChunk * 3));
    T* mind = reinterpret_cast<T*>(lab + kChunk);
    double* sums = acc ? acc->sums.data() + b * k * d : nullptr;
    double* wsum = acc ? acc->weights.data() + b * k : nullptr;
    if (acc) {
      std::fill(sums, sums + k * d, 0.0);
      std::fill(wsum, wsum + k, 0.0);
    }
    int64_t ch = 0;
    for (int64_t r0 = r.begin; r0 < r.end; r0 += kChunk) {
      const int64_t rows = min64(kChunk, r.end - r0);
      nearest_chunk(P, r0, rows, C, lab, mind);
      for (int64_t i = 0; i < rows; ++i) {
        ch += labels[r0 + i] != lab[i];
        labels[r0 + i] = lab[i];
      }
      if (mind_out)
        for (int64_t i = 0; i < rows; ++i) mind_out[r0 + i] = mind[i];
      if (acc) {
        const T* x = P.x + r0 * d;
        for (int64_t i = 0; i < rows; ++i) {
          const double wi = P.weight(r0 + i);
          double* s = sums + lab[i] * d;
          for (int64_t t = 0; t < d; ++t) s[t] += wi * double(x[i * d + t]);
          wsum[lab[i]] += wi;
        }
      }
    }
    changed[b] = ch;
  });
  int64_t total = 0;
  for (int64_t c : changed) total += c;
  return total;
}

// sum_i w_i * distance(x_i, c[labels_i]) in float64, reduced in block order.
template <typename T>
double inertia_of(const Points<T>& P, const T* c, const int32_t* labels, const Blocks& B, int threads) {
  std::vector<double> part(static_cast<size_t>(B.count), 0.0);
  parallel_for(B.count, threads, B.cost(elements(2.0 * double(P.d))), [&](int64_t b) {
    const Range r = B[b];
    double s = 0;
    for (int64_t i = r.begin; i < r.end; ++i)
      s += P.weight(i) * exact_distance(P.x + i * P.d, c + labels[i] * P.d, P.d, P.metric);
    part[b] = s;
  });
  double total = 0;
  for (double p : part) total += p;
  return total;
}

// The n_far points farthest from their (old) centres, farthest first, ties by lower index; empty
// when every point sits on its centre.
template <typename T>
std::vector<int64_t> farthest_points(const Points<T>& P, const T* c_old, const int32_t* labels, int64_t n_far,
                                     int threads) {
  const int64_t n = P.n;
  std::vector<double> dist(static_cast<size_t>(n));
  parallel_for(ceil_div(n, kChunk), threads, elements(2.0 * double(kChunk * P.d)), [&](int64_t b) {
    for (int64_t i = b * kChunk; i < min64(n, (b + 1) * kChunk); ++i)
      dist[i] = exact_distance(P.x + i * P.d, c_old + labels[i] * P.d, P.d, P.metric);
  });
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[i] = i;
  n_far = min64(n_far, n);
  std::partial_sort(idx.begin(), idx.begin() + n_far, idx.end(), [&](int64_t a, int64_t b) {
    return dist[a] > dist[b] || (dist[a] == dist[b] && a < b);
  });
  if (dist[idx[0]] == 0) return {};
  idx.resize(static_cast<size_t>(n_far));
  return idx;
}

// The weighted (lower) median of values v[i] with weights wt[i]: the smallest value whose
// cumulative weight reaches half the total.
double weighted_median(std::vector<std::pair<double, double>>& vw) {
  std::sort(vw.begin(), vw.end());
  double total = 0;
  for (const auto& p : vw) total += p.second;
  double acc = 0;
  for (const auto& p : vw) {
    acc += p.second;
    if (acc >= 0.5 * total) return p.first;
  }
  return vw.back().first;
}

// The M-step: c_new from the labels. Returns sum_j ||c_new_j - c_old_j||^2.
template <typename T>
double update_centers(const Points<T>& P, const KMeansOptions& opt, const Blocks& B, Accumulators& acc,
                      const T* c_old, const int32_t* labels, T* c_new, int threads) {
  const int64_t k = acc.k, d = acc.d, n = P.n;
  std::vector<double> sums(static_cast<size_t>(k * d), 0.0), wsum(static_cast<size_t>(k), 0.0);
  for (int64_t b = 0; b < B.count; ++b) {
    const double* s = acc.sums.data() + b * k * d;
    const double* w = acc.weights.data() + b * k;
    for (int64_t e = 0; e < k * d; ++e) sums[e] += s[e];
    for (int64_t j = 0; j < k; ++j) wsum[j] += w[j];
  }
  const bool median = opt.median && opt.metric == KMeansMetric::iou;
  std::vector<double> centre(static_cast<size_t>(k * d), 0.0);
  if (median) {
    // Members of each cluster by a counting sort of the labels, then per-coordinate medians.
    std::vector<int64_t> start(static_cast<size_t>(k + 1), 0), order(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) ++start[labels[i] + 1];
    for (int64_t j = 0; j < k; ++j) start[j + 1] += start[j];
    std::vector<int64_t> pos(start.begin(), start.end() - 1);
    for (int64_t i = 0; i < n; ++i) order[pos[labels[i]]++] = i;
    parallel_for(k, threads, scalar_ops(20.0 * double(n) * double(d) / double(k)), [&](int64_t j) {
      if (wsum[j] <= 0) return;
      std::vector<std::pair<double, double>> vw;
      for (int64_t t = 0; t < d; ++t) {
        vw.clear();
        for (int64_t q = start[j]; q < start[j + 1]; ++q) {
          const int64_t i = order[q];
          if (P.weight(i) > 0) vw.emplace_back(double(P.x[i * d + t]), P.weight(i));
        }
        centre[j * d + t] = weighted_median(vw);
      }
    });
  }
  // Empty clusters take the points farthest from their centres (scikit-learn's rule).
  std::vector<int64_t> empty;
  for (int64_t j = 0; j < k; ++j)
    if (wsum[j] == 0) empty.push_back(j);
  if (!empty.empty()) {
    const std::vector<int64_t> far = farthest_points(P, c_old, labels, static_cast<int64_t>(empty.size()), threads);
    for (size_t q = 0; q < far.size(); ++q) {
      const int64_t e = empty[q], f = far[q], o = labels[f];
      const double wf = P.weight(f);
      for (int64_t t = 0; t < d; ++t) {
        const double v = wf * double(P.x[f * d + t]);
        sums[o * d + t] -= v;
        sums[e * d + t] = v;
        if (median) centre[e * d + t] = double(P.x[f * d + t]);
      }
      wsum[o] -= wf;
      wsum[e] = wf;
    }
  }
  int64_t heaviest = 0;
  for (int64_t j = 1; j < k; ++j)
    if (wsum[j] > wsum[heaviest]) heaviest = j;
  if (!median)
    for (int64_t j = 0; j < k; ++j)
      if (wsum[j] > 0)
        for (int64_t t = 0; t < d; ++t) centre[j * d + t] = sums[j * d + t] / wsum[j];
  double shift = 0;
  for (int64_t j = 0; j < k; ++j) {
    const int64_t src = wsum[j] > 0 ? j : heaviest;  // still empty: the heaviest cluster's centre
    for (int64_t t = 0; t < d; ++t) {
      c_new[j * d + t] = static_cast<T>(centre[src * d + t]);
      const double diff = double(c_new[j * d + t]) - double(c_old[j * d + t]);
      shift += diff * diff;
    }
  }
  return shift;
}

// Where r falls in the running sum of w_i * closest_i (block sums first, then inside the block).
template <typename T>
int64_t locate(const Points<T>& P, const Blocks& B, const std::vector<double>& block_pot, const T* closest,
               double r) {
  double acc = 0;
  int64_t last = -1;
  for (int64_t b = 0; b < B.count; ++b) {
    if (block_pot[b] <= 0) continue;
    if (acc + block_pot[b] > r || b == B.count - 1) {
      const Range rg = B[b];
      for (int64_t i = rg.begin; i < rg.end; ++i) {
        const double v = P.weight(i) * double(closest[i]);
        if (v <= 0) continue;
        acc += v;
        last = i;
        if (acc > r) return i;
      }
    } else {
      acc += block_pot[b];
      last = B[b].end - 1;
    }
  }
  return last >= 0 ? last : P.n - 1;
}

// pot[t] += sum_i w_i min(closest_i, distance(x_i, candidate t)) over points r0 .. r0 + rows, and
// the distances are kept: kept[t * n + r0 + i] (the chosen candidate's row updates `closest` next,
// without another pass over the points). With the GEMM, the points are the A operand read in place
// and the few candidates the packed B.
template <typename T>
void candidate_potentials(const Points<T>& P, int64_t r0, int64_t rows, const Centers<T>& C, const T* closest,
                          T* dist, double* pot, T* kept) {
  const int64_t m = C.m, n = P.n;
  if constexpr (std::is_same<T, float>::value) {
    if (P.gemm) {
      linear(rows, P.d, m, P.xc.data() + r0 * P.d, C.cc.data(), nullptr, dist, OutputAct{}, 1);
      for (int64_t t = 0; t < m; ++t) {
        double s = 0;
        float* kt = kept + t * n + r0;
        for (int64_t i = 0; i < rows; ++i) {
          float v = P.xn[r0 + i] + C.cn[t] - 2.f * dist[i * m + t];
          v = v > 0.f ? v : 0.f;
          kt[i] = v;
          s += P.weight(r0 + i) * double(std::min(v, closest[i]));
        }
        pot[t] += s;
      }
      return;
    }
  }
  block_distances(P, r0, rows, C, 0, m, dist);
  for (int64_t t = 0; t < m; ++t) {
    const T* dt = dist + t * rows;
    std::copy(dt, dt + rows, kept + t * n + r0);
    double s = 0;
    for (int64_t i = 0; i < rows; ++i) s += P.weight(r0 + i) * double(std::min(dt[i], closest[i]));
    pot[t] += s;
  }
}

// Greedy k-means++ (scikit-learn's variant): every new centre is the best of `trials` candidates
// drawn with probability w_i * D(x_i)^2, judged by the potential sum_i w_i min(D_i, d(x_i, cand)).
template <typename T>
void plusplus(const Points<T>& P, int64_t k, uint64_t seed, int64_t trials, T* centers, int64_t* indices,
              int threads) {
  const int64_t n = P.n, d = P.d;
  if (trials <= 0) trials = 2 + static_cast<int64_t>(std::log(static_cast<double>(k)));
  Rng rng{seed};
  const Blocks B = make_blocks(n, trials);
  std::vector<T> closest(static_cast<size_t>(n), T(1));
  std::vector<double> block_pot(static_cast<size_t>(B.count), 0.0), part(static_cast<size_t>(B.count * trials));
  auto refresh_block_pot = [&](int64_t b) {
    double s = 0;
    for (int64_t i = B[b].begin; i < B[b].end; ++i) s += P.weight(i) * double(closest[i]);
    block_pot[b] = s;
  };
  for (int64_t b = 0; b < B.count; ++b) refresh_block_pot(b);
  auto total_pot = [&] {
    double s = 0;
    for (double p : block_pot) s += p;
    return s;
  };
  std::vector<T> cand(static_cast<size_t>(trials * d));
  std::vector<int64_t> cand_idx(static_cast<size_t>(trials));
  std::vector<T> cand_dist(static_cast<size_t>(trials * n));  // distances to each candidate, as scikit-learn
  Centers<T> C;
  // The first centre: a point drawn with probability proportional to its weight (closest == 1).
  int64_t chosen = locate(P, B, block_pot, closest.data(), rng.uniform() * total_pot());
  int64_t best = 0;
  for (int64_t c = 0; c < k; ++c) {
    std::copy(P.x + chosen * d, P.x + (chosen + 1) * d, centers + c * d);
    if (indices) indices[c] = chosen;
    if (c + 1 == k) break;
    // closest = min(closest, distance to the new centre): computed for the first centre, then the
    // distances to the chosen candidate, kept from the previous step.
    if (c == 0) prepare_centers(P, centers, 1, C);
    parallel_for(B.count, threads, B.cost(elements(2.0 * double(d))), [&](int64_t b) {
      if (c == 0) {
        T* dist = scratch_array<T>(ScratchSlot::distances, static_cast<size_t>(kChunk));
        for (int64_t r0 = B[b].begin; r0 < B[b].end; r0 += kChunk) {
          const int64_t rows = min64(kChunk, B[b].end - r0);
          block_distances(P, r0, rows, C, 0, 1, dist);
          std::copy(dist, dist + rows, closest.begin() + r0);
        }
      } else {
        const T* kept = cand_dist.data() + best * n;
        for (int64_t i = B[b].begin; i < B[b].end; ++i) closest[i] = kept[i] < closest[i] ? kept[i] : closest[i];
      }
      refresh_block_pot(b);
    });
    // Candidates for the next centre and the potential each would give.
    const double pot = total_pot();
    for (int64_t t = 0; t < trials; ++t) {
      cand_idx[t] = locate(P, B, block_pot, closest.data(), rng.uniform() * pot);
      std::copy(P.x + cand_idx[t] * d, P.x + (cand_idx[t] + 1) * d, cand.data() + t * d);
    }
    prepare_centers(P, cand.data(), trials, C);
    parallel_for(B.count, threads, B.cost(multiply_adds(double(trials) * double(d))), [&](int64_t b) {
      T* dist = scratch_array<T>(ScratchSlot::distances, static_cast<size_t>(trials * kChunk));
      double* pb = part.data() + b * trials;
      std::fill(pb, pb + trials, 0.0);
      for (int64_t r0 = B[b].begin; r0 < B[b].end; r0 += kChunk) {
        const int64_t rows = min64(kChunk, B[b].end - r0);
        candidate_potentials(P, r0, rows, C, closest.data() + r0, dist, pb, cand_dist.data());
      }
    });
    best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    for (int64_t t = 0; t < trials; ++t) {
      double s = 0;
      for (int64_t b = 0; b < B.count; ++b) s += part[b * trials + t];
      if (s < best_pot) {
        best_pot = s;
        best = t;
      }
    }
    chosen = cand_idx[best];
  }
}

// n_clusters points drawn without replacement with probability proportional to their weight
// (exponential keys -log(u) / w: the k smallest; ties by lower index).
template <typename T>
void random_init(const Points<T>& P, int64_t k, uint64_t seed, T* centers) {
  Rng rng{seed};
  const int64_t n = P.n;
  std::vector<double> key(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double u = 1.0 - rng.uniform();  // (0, 1]
    const double w = P.weight(i);
    key[i] = w > 0 ? -std::log(u) / w : std::numeric_limits<double>::infinity();
  }
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[i] = i;
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                    [&](int64_t a, int64_t b) { return key[a] < key[b] || (key[a] == key[b] && a < b); });
  for (int64_t j = 0; j < k; ++j) std::copy(P.x + idx[j] * P.d, P.x + (idx[j] + 1) * P.d, centers + j * P.d);
}

// tol * mean over features of the (population) variance of the data; 0 when tol is 0.
template <typename T>
double absolute_tolerance(const T* x, int64_t n, int64_t d, double tol) {
  if (tol == 0) return 0;
  const std::vector<double> mean = column_mean(x, n, d);
  double var = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < d; ++t) {
      const double diff = double(x[i * d + t]) - mean[t];
      var += diff * diff;
    }
  return tol * var / double(n) / double(d);
}

// One Lloyd run from the centres in `centers`; returns its inertia and iteration count.
template <typename T>
KMeansResult lloyd(const Points<T>& P, const KMeansOptions& opt, double tol_abs, T* centers, int32_t* labels,
                   int threads) {
  const int64_t n = P.n, d = P.d, k = opt.n_clusters;
  const Blocks B = make_blocks(n, k * (d + 1));
  Accumulators acc(B.count, k, d);
  std::vector<T> next(static_cast<size_t>(k * d));
  T* cur = centers;
  T* nxt = next.data();
  std::fill(labels, labels + n, -1);
  Centers<T> C;
  bool strict = false;
  KMeansResult res;
  for (int64_t it = 0; it < opt.max_iter; ++it) {
    prepare_centers(P, cur, k, C);
    const int64_t changed = assign_pass(P, C, B, labels, static_cast<T*>(nullptr), &acc, threads);
    const double shift = update_centers(P, opt, B, acc, cur, labels, nxt, threads);
    std::swap(cur, nxt);
    res.n_iter = it + 1;
    if (changed == 0) {
      strict = true;
      break;
    }
    if (shift <= tol_abs) break;
  }
  if (cur != centers) std::copy(cur, cur + k * d, centers);
  if (!strict) {
    prepare_centers(P, centers, k, C);
    assign_pass(P, C, B, labels, static_cast<T*>(nullptr), nullptr, threads);
  }
  res.inertia = inertia_of(P, centers, labels, B, threads);
  return res;
}

}  // namespace

template <typename T>
KMeansResult kmeans_fit(const T* x, int64_t n, int64_t d, const T* w, const T* init, const KMeansOptions& opt,
                        T* centers, int32_t* labels, int threads) {
  Points<T> P;
  prepare_points(P, x, n, d, w, opt.metric, threads);
  const int64_t k = opt.n_clusters;
  const double tol_abs = absolute_tolerance(x, n, d, opt.tol);
  const int64_t runs = opt.init == KMeansInit::array ? 1 : opt.n_init;
  std::vector<T> c(static_cast<size_t>(k * d));
  std::vector<int32_t> lab(static_cast<size_t>(runs > 1 ? n : 0));
  KMeansResult best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int64_t run = 0; run < runs; ++run) {
    const uint64_t seed = stream_seed(opt.seed, static_cast<uint64_t>(run));
    if (opt.init == KMeansInit::array)
      std::copy(init, init + k * d, c.data());
    else if (opt.init == KMeansInit::random)
      random_init(P, k, seed, c.data());
    else
      plusplus(P, k, seed, opt.n_local_trials, c.data(), static_cast<int64_t*>(nullptr), threads);
    int32_t* run_labels = runs > 1 && run > 0 ? lab.data() : labels;
    const KMeansResult r = lloyd(P, opt, tol_abs, c.data(), run_labels, threads);
    if (run == 0 || r.inertia < best.inertia) {
      best = r;
      std::copy(c.begin(), c.end(), centers);
      if (run_labels != labels) std::copy(run_labels, run_labels + n, labels);
    }
  }
  return best;
}

template <typename T>
void kmeans_plusplus(const T* x, int64_t n, int64_t d, const T* w, int64_t k, uint64_t seed, int64_t n_local_trials,
                     KMeansMetric metric, T* centers, int64_t* indices, int threads) {
  Points<T> P;
  prepare_points(P, x, n, d, w, metric, threads);
  plusplus(P, k, stream_seed(seed, 0), n_local_trials, centers, indices, threads);
}

template <typename T>
double kmeans_assign(const T* x, int64_t n, int64_t d, const T* w, const T* c, int64_t k, KMeansMetric metric,
                     int32_t* labels, T* min_distances, int threads) {
  Points<T> P;
  prepare_points(P, x, n, d, w, metric, threads);
  Centers<T> C;
  prepare_centers(P, c, k, C);
  const Blocks B = make_blocks(n, 1);
  assign_pass(P, C, B, labels, min_distances, nullptr, threads);
  return inertia_of(P, c, labels, B, threads);
}

template <typename T>
void kmeans_transform(const T* x, int64_t n, int64_t d, const T* c, int64_t k, KMeansMetric metric, T* out,
                      int threads) {
  Points<T> P;
  prepare_points(P, x, n, d, static_cast<const T*>(nullptr), metric, threads);
  Centers<T> C;
  prepare_centers(P, c, k, C);
  parallel_for(ceil_div(n, kChunk), threads, multiply_adds(double(kChunk * k) * double(d)), [&](int64_t b) {
    const int64_t r0 = b * kChunk, rows = min64(kChunk, n - r0);
    T* dist = scratch_array<T>(ScratchSlot::distances, static_cast<size_t>(k * kChunk));
    block_distances(P, r0, rows, C, 0, k, dist);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < k; ++j) {
        const T v = dist[j * rows + i];
        out[(r0 + i) * k + j] = metric == KMeansMetric::iou ? v : std::sqrt(v);
      }
  });
}

#define CVCORE_KMEANS_INSTANTIATE(T)                                                                                \
  template KMeansResult kmeans_fit<T>(const T*, int64_t, int64_t, const T*, const T*, const KMeansOptions&, T*,     \
                                      int32_t*, int);                                                               \
  template void kmeans_plusplus<T>(const T*, int64_t, int64_t, const T*, int64_t, uint64_t, int64_t, KMeansMetric, \
                                   T*, int64_t*, int);                                                              \
  template double kmeans_assign<T>(const T*, int64_t, int64_t, const T*, const T*, int64_t, KMeansMetric,         \
                                   int32_t*, T*, int);                                                              \
  template void kmeans_transform<T>(const T*, int64_t, int64_t, const T*, int64_t, KMeansMetric, T*, int);

CVCORE_KMEANS_INSTANTIATE(float)
CVCORE_KMEANS_INSTANTIATE(double)
#undef CVCORE_KMEANS_INSTANTIATE

}  // namespace cvcore::cpu
