// Activation and softmax frontends on validated sizes. The piecewise-linear activations are plain
// loops here; the transcendental ones and softmax run the active ISA's packet kernels
// (simd/activation.inl, simd/math.inl) on fixed chunks (softmax: fixed slices), so each element is
// computed by the same code in the same order whatever the thread count.
#include "activation.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "parallel.hpp"
#include "simd/kernels.hpp"

namespace cvcore::cpu {
namespace {

// Rows up to this length take the transposed (column) softmax kernel.
constexpr int64_t kShortRow = 64;

template <typename F>
void map(int64_t n, const float* x, float* y, int threads, F f) {
  parallel_chunks(n, threads, scalar_ops(20), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = static_cast<float>(f(static_cast<double>(x[i])));
  });
}

// Floats other than NaN as integer keys in their numeric order, and back (the zeros share key 0).
int64_t float_key(float f) {
  int32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b >= 0 ? b : -(b & 0x7fffffff);
}
float key_float(int64_t k) {
  const uint32_t b = k >= 0 ? uint32_t(k) : uint32_t(-k) | 0x80000000u;
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

// softplus is linear where double(x) * beta > threshold: as a function of the float x that set
// is {x > cut} (beta > 0) or {x < cut} (beta < 0); found by bisection over the ordered floats.
// Returns the cut in terms of sign * x > linear_from.
float softplus_linear_from(double beta, double threshold) {
  const double sign = beta > 0 ? 1.0 : -1.0;
  const auto linear = [&](float v) { return double(v) * sign * beta > threshold; };  // of sign * x
  constexpr float kInf = std::numeric_limits<float>::infinity();
  int64_t lo = float_key(-kInf), hi = float_key(kInf);  // linear(-inf) is false
  if (!linear(kInf)) return kInf;
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (linear(key_float(mid)) ? hi : lo) = mid;
  }
  return key_float(lo);
}

ActivationConsts activation_consts(const ActivationParams& p) {
  ActivationConsts c;
  c.alpha = static_cast<float>(p.alpha);
  c.beta_hi = static_cast<float>(p.beta);
  c.beta_lo = static_cast<float>(p.beta - double(c.beta_hi));
  c.beta_sign = p.beta > 0 ? 1.f : -1.f;
  c.linear_from = softplus_linear_from(p.beta, p.threshold);
  return c;
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
    case Activation::hardswish:
      return map(n, x, y, threads, [](double v) {
        const double r = v + 3 < 0 ? 0.0 : (v + 3 > 6 ? 6.0 : v + 3);
        return v == -std::numeric_limits<double>::infinity() ? -0.0 : v * (r / 6);
      });
    case Activation::hardsigmoid: {
      const double alpha = p.hardsigmoid_alpha, beta = p.hardsigmoid_beta;
      return map(n, x, y, threads, [alpha, beta](double v) {
        const double t = alpha * v + beta;
        return t < 0 ? 0.0 : (t > 1 ? 1.0 : t);
      });
    }
    case Activation::clip: {
      const double lo = p.clip_min, hi = p.clip_max;
      return map(n, x, y, threads, [lo, hi](double v) {
        const double t = v < lo ? lo : v;
        return t > hi ? hi : t;
      });
    }
    default:
      break;
  }
  const ActivationConsts c = activation_consts(p);
  const Kernels& k = active_kernels();
  parallel_chunks(n, threads, elements(2), [&](int64_t begin, int64_t end) {
    k.activation(kind, c, x + begin, y + begin, end - begin);
  });
}

void prelu(int64_t n, int64_t channels, int64_t inner, const float* x, const float* weight, float* y, int threads) {
  parallel_channel_segments(n, channels, inner, threads, elements(1), [&](int64_t begin, int64_t end, int64_t c) {
    // float arithmetic gives the same bits as double (a float32 product is the exact double
    // product rounded once), and with -fno-trapping-math (CMakeLists) the select vectorizes: a
    // branch on the sign would mispredict on half of real activations.
    const float slope = weight[c];
    for (int64_t i = begin; i < end; ++i) {
      const float v = x[i];
      y[i] = v > 0 ? v : v * slope;
    }
  });
}

void softmax(int64_t outer, int64_t axis, int64_t inner, const float* x, float* y, bool log, int threads) {
  const Kernels& k = active_kernels();
  if (inner == 1 && axis <= kShortRow) {
    // Short rows (e.g. class scores of many anchors): a block of kSoftmaxLanes rows is transposed so
    // that each row becomes a lane of the column kernel, which amortises the per-slice reductions
    // over a packet. A row's result depends on its length alone, not on its block.
    parallel_for(ceil_div(outer, kSoftmaxLanes), threads, elements(8.0 * axis * kSoftmaxLanes), [&](int64_t b) {
      const int64_t r0 = b * kSoftmaxLanes, lanes = min64(kSoftmaxLanes, outer - r0);
      alignas(64) static thread_local float buf[kShortRow * kSoftmaxLanes];  // 16 KB: off the stack
      for (int64_t i = 0; i < axis; ++i)
        for (int64_t l = 0; l < lanes; ++l) buf[i * lanes + l] = x[(r0 + l) * axis + i];
      k.softmax_lanes(axis, lanes, lanes, buf, buf, log);
      for (int64_t l = 0; l < lanes; ++l)
        for (int64_t i = 0; i < axis; ++i) y[(r0 + l) * axis + i] = buf[i * lanes + l];
    });
    return;
  }
  if (inner == 1) {
    parallel_for(outer, threads, elements(4.0 * axis), [&](int64_t o) { k.softmax_row(axis, x + o * axis, y + o * axis, log); });
    return;
  }
  // Work items: (outer index, block of up to kSoftmaxLanes adjacent inner positions). Each lane
  // reduces its slice in axis order, so the sums do not depend on the partition.
  const int64_t blocks = ceil_div(inner, kSoftmaxLanes);
  parallel_for(outer * blocks, threads, elements(4.0 * axis * kSoftmaxLanes), [&](int64_t item) {
    const int64_t o = item / blocks, l0 = (item % blocks) * kSoftmaxLanes,
                  lanes = min64(kSoftmaxLanes, inner - l0);
    const int64_t offset = o * axis * inner + l0;
    k.softmax_lanes(axis, inner, lanes, x + offset, y + offset, log);
  });
}

}  // namespace cvcore::cpu
