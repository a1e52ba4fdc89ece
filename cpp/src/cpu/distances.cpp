// Blocked distances (see distances.hpp).
#include "cpu/distances.hpp"

#include <algorithm>
#include <type_traits>

#include "cpu/linear.hpp"
#include "cpu/simd/kernels.hpp"

namespace cvcore::cpu {
namespace {

// out[i] = float32(src[i] - mean) and norms[i] = ||out[i]||^2 for rows i < m.
template <typename T>
void shift_rows(const T* src, int64_t m, int64_t d, const std::vector<double>& mean, float* out, float* norms) {
  for (int64_t i = 0; i < m; ++i) {
    float s = 0.f;
    for (int64_t t = 0; t < d; ++t) {
      const float v = static_cast<float>(double(src[i * d + t]) - mean[t]);
      out[i * d + t] = v;
      s += v * v;
    }
    norms[i] = s;
  }
}

}  // namespace

template <typename T>
std::vector<double> column_mean(const T* x, int64_t n, int64_t d) {
  std::vector<double> mean(d, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < d; ++t) mean[t] += x[i * d + t];
  for (double& m : mean) m /= double(n);
  return mean;
}

template <typename T>
void prepare_points(Points<T>& P, const T* x, int64_t n, int64_t d, const T* w, KMeansMetric metric, int threads,
                    const std::vector<double>* mean) {
  P.x = x;
  P.n = n;
  P.d = d;
  P.w = w;
  P.metric = metric;
  P.gemm = std::is_same<T, float>::value && metric == KMeansMetric::euclidean && d > kDirectMaxD;
  if (!P.gemm) return;
  P.mean = mean ? *mean : column_mean(x, n, d);
  P.xc.resize(static_cast<size_t>(n * d));
  P.xn.resize(static_cast<size_t>(n));
  parallel_for(ceil_div(n, kChunk), threads, elements(2.0 * kChunk * d), [&](int64_t b) {
    const int64_t r0 = b * kChunk;
    shift_rows(x + r0 * d, min64(kChunk, n - r0), d, P.mean, P.xc.data() + r0 * d, P.xn.data() + r0);
  });
}

template <typename T>
void prepare_centers(const Points<T>& P, const T* c, int64_t m, Centers<T>& C) {
  C.c = c;
  C.m = m;
  if (!P.gemm) return;
  const int64_t d = P.d;
  C.cc.resize(static_cast<size_t>(m * d));
  C.cn.resize(static_cast<size_t>(m));
  shift_rows(c, m, d, P.mean, C.cc.data(), C.cn.data());
}

template <typename T>
void block_distances(const Points<T>& P, int64_t r0, int64_t rows, const Centers<T>& C, int64_t j0, int64_t m,
                     T* out) {
  const int64_t d = P.d;
  if constexpr (std::is_same<T, float>::value) {
    if (P.gemm) {
      linear(m, d, rows, C.cc.data() + j0 * d, P.xc.data() + r0 * d, nullptr, out, OutputAct{}, 1);
      const float* xn = P.xn.data() + r0;
      for (int64_t j = 0; j < m; ++j) {
        const float cn = C.cn[j0 + j];
        float* o = out + j * rows;
        for (int64_t i = 0; i < rows; ++i) {
          const float v = xn[i] + cn - 2.f * o[i];
          o[i] = v > 0.f ? v : 0.f;
        }
      }
      return;
    }
  }
  const T* x = P.x + r0 * d;
  for (int64_t j = 0; j < m; ++j) {
    const T* c = C.c + (j0 + j) * d;
    T* o = out + j * rows;
    if (P.metric == KMeansMetric::iou) {
      const T area_c = c[0] * c[1];
      for (int64_t i = 0; i < rows; ++i) {
        const T* xi = x + i * 2;
        const T inter = std::min(xi[0], c[0]) * std::min(xi[1], c[1]);
        o[i] = T(1) - inter / (xi[0] * xi[1] + area_c - inter);
      }
    } else {
      for (int64_t i = 0; i < rows; ++i) {
        T s = 0;
        for (int64_t t = 0; t < d; ++t) {
          const T diff = x[i * d + t] - c[t];
          s += diff * diff;
        }
        o[i] = s;
      }
    }
  }
}

#define CVCORE_DISTANCES_INSTANTIATE(T)                                                                            \
  template std::vector<double> column_mean<T>(const T*, int64_t, int64_t);                                         \
  template void prepare_points<T>(Points<T>&, const T*, int64_t, int64_t, const T*, KMeansMetric, int,            \
                                  const std::vector<double>*);                                                     \
  template void prepare_centers<T>(const Points<T>&, const T*, int64_t, Centers<T>&);                              \
  template void block_distances<T>(const Points<T>&, int64_t, int64_t, const Centers<T>&, int64_t, int64_t, T*);

CVCORE_DISTANCES_INSTANTIATE(float)
CVCORE_DISTANCES_INSTANTIATE(double)
#undef CVCORE_DISTANCES_INSTANTIATE

}  // namespace cvcore::cpu
