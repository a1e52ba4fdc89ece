// Activation and softmax kernels: plain loops over contiguous chunks, every element computed in
// double with the C library's functions and rounded once, in formulations that stay accurate in
// the tails (no 1 + erf(x) or 1 + tanh(x) cancellation, no exp overflow). Each element (each
// softmax slice) is computed by the same code in the same order whatever the thread count.
#include "activation.hpp"

#include <cmath>
#include <limits>

#include "parallel.hpp"

namespace cvcore::cpu {
namespace {

constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSqrtHalf = 0.70710678118654752440084436210485;  // 1 / sqrt(2)
constexpr double kSqrt2OverPi = 0.79788456080286535587989211986876;

// 1 / (1 + exp(-x)) without overflow.
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// log(1 + exp(x)) without overflow or cancellation.
inline double softplus(double x) { return (x > 0 ? x : 0.0) + std::log1p(std::exp(-std::fabs(x))); }

// x * gate for a gate in [0, 1] that tends to 0 as x -> -inf: the limit -0.0 at x = -inf
// instead of -inf * 0 = NaN.
inline double gated(double x, double gate) { return x == -std::numeric_limits<double>::infinity() ? -0.0 : x * gate; }

inline double elu(double x, double alpha) { return x > 0 ? x : alpha * std::expm1(x); }

template <typename F>
void map(int64_t n, const float* x, float* y, int threads, F f) {
  parallel_chunks(n, threads, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = static_cast<float>(f(static_cast<double>(x[i])));
  });
}

}  // namespace

void activation(int64_t n, const float* x, float* y, Activation kind, const ActivationParams& p, int threads) {
  switch (kind) {
    case Activation::relu:
      return map(n, x, y, threads, [](double v) { return v < 0 ? 0.0 : v; });
    case Activation::relu6:
      return map(n, x, y, threads, [](double v) { return v < 0 ? 0.0 : (v > 6 ? 6.0 : v); });
    case Activation::leaky_relu: {
      const double slope = p.negative_slope;
      return map(n, x, y, threads, [slope](double v) { return v > 0 ? v : v * slope; });
    }
    case Activation::elu: {
      const double alpha = p.alpha;
      return map(n, x, y, threads, [alpha](double v) { return elu(v, alpha); });
    }
    case Activation::selu:
      return map(n, x, y, threads, [](double v) { return kSeluScale * elu(v, kSeluAlpha); });
    case Activation::sigmoid:
      return map(n, x, y, threads, [](double v) { return sigmoid(v); });
    case Activation::tanh:
      return map(n, x, y, threads, [](double v) { return std::tanh(v); });
    case Activation::gelu:
      return map(n, x, y, threads, [](double v) { return gated(v, 0.5 * std::erfc(-v * kSqrtHalf)); });
    case Activation::gelu_tanh:
      // (1 + tanh(u)) / 2 = sigmoid(2u)
      return map(n, x, y, threads, [](double v) {
        return gated(v, sigmoid(2.0 * kSqrt2OverPi * (v + 0.044715 * v * v * v)));
      });
    case Activation::silu:
      return map(n, x, y, threads, [](double v) { return gated(v, sigmoid(v)); });
    case Activation::hardswish:
      return map(n, x, y, threads, [](double v) {
        const double r = v + 3 < 0 ? 0.0 : (v + 3 > 6 ? 6.0 : v + 3);
        return gated(v, r / 6);
      });
    case Activation::mish:
      return map(n, x, y, threads, [](double v) { return gated(v, std::tanh(softplus(v))); });
    case Activation::softplus: {
      const double beta = p.beta, threshold = p.threshold;
      return map(n, x, y, threads, [beta, threshold](double v) {
        const double z = v * beta;
        return z > threshold ? v : softplus(z) / beta;
      });
    }
  }
}

void prelu(int64_t n, int64_t channels, int64_t inner, const float* x, const float* weight, float* y, int threads) {
  parallel_channel_segments(n, channels, inner, threads, [&](int64_t begin, int64_t end, int64_t c) {
    const double slope = weight[c];
    for (int64_t i = begin; i < end; ++i) {
      const double v = x[i];
      y[i] = static_cast<float>(v > 0 ? v : v * slope);
    }
  });
}

void softmax(int64_t outer, int64_t axis, int64_t inner, const float* x, float* y, bool log, int threads) {
  // Work items: (outer index, block of up to kLanes adjacent inner positions). Each lane reduces
  // its slice in axis order, so the sums do not depend on the partition.
  constexpr int64_t kLanes = 64;
  const int64_t blocks = ceil_div(inner, kLanes);
  parallel_for(outer * blocks, threads, [&](int64_t item) {
    const int64_t o = item / blocks, l0 = (item % blocks) * kLanes, lanes = min64(kLanes, inner - l0);
    const float* xs = x + o * axis * inner + l0;
    float* ys = y + o * axis * inner + l0;
    double mx[kLanes], sum[kLanes];
    for (int64_t l = 0; l < lanes; ++l) {
      mx[l] = -std::numeric_limits<double>::infinity();
      sum[l] = 0.0;
    }
    for (int64_t k = 0; k < axis; ++k)
      for (int64_t l = 0; l < lanes; ++l) {
        const double v = xs[k * inner + l];
        if (v > mx[l] || std::isnan(v)) mx[l] = v;  // a NaN sticks: NaN > m and m > NaN are false
      }
    for (int64_t k = 0; k < axis; ++k)
      for (int64_t l = 0; l < lanes; ++l) sum[l] += std::exp(double(xs[k * inner + l]) - mx[l]);
    if (log) {
      for (int64_t l = 0; l < lanes; ++l) sum[l] = std::log(sum[l]);
      for (int64_t k = 0; k < axis; ++k)
        for (int64_t l = 0; l < lanes; ++l)
          ys[k * inner + l] = static_cast<float>((double(xs[k * inner + l]) - mx[l]) - sum[l]);
    } else {
      for (int64_t k = 0; k < axis; ++k)
        for (int64_t l = 0; l < lanes; ++l)
          ys[k * inner + l] = static_cast<float>(std::exp(double(xs[k * inner + l]) - mx[l]) / sum[l]);
    }
  });
}

}  // namespace cvcore::cpu
