// Activation and softmax frontends: validate every argument once, then dispatch to the CPU kernels.
#include "cvcore/activation.hpp"

#include <cmath>

#include "checks.hpp"
#include "cpu/activation.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

constexpr detail::Named<Activation> kActivations[] = {
    {"relu", Activation::relu},         {"relu6", Activation::relu6},     {"leaky_relu", Activation::leaky_relu},
    {"elu", Activation::elu},           {"selu", Activation::selu},       {"sigmoid", Activation::sigmoid},
    {"tanh", Activation::tanh},         {"gelu", Activation::gelu},       {"gelu_tanh", Activation::gelu_tanh},
    {"silu", Activation::silu},         {"hardswish", Activation::hardswish}, {"mish", Activation::mish},
    {"softplus", Activation::softplus}, {"hardsigmoid", Activation::hardsigmoid}, {"clip", Activation::clip}};

// gelu's `approximate` argument (PyTorch's names).
constexpr detail::Named<Activation> kGeluApproximations[] = {{"none", Activation::gelu},
                                                             {"tanh", Activation::gelu_tanh}};

void check_finite(bool ok, const char* op, const char* name, double value) {
  check(ok, op, ": ", name, " must be finite, got ", value);
}

// A parameter the kernels use as a float32 constant: finite there too.
void check_finite_float(const char* op, const char* name, double value) {
  check(std::isfinite(value) && std::isfinite(static_cast<float>(value)), op, ": ", name,
        " must be finite (also in float32), got ", value);
}

// An input of any rank, float32 and C-contiguous.
void check_input(const TensorView& x, const char* op) { detail::check_array(x, op, "input", DType::float32, x.ndim); }

}  // namespace

const char* activation_name(Activation kind) { return detail::name_of(kActivations, kind); }

Activation parse_activation(const std::string& name, const char* op) {
  return detail::parse_named(kActivations, name, op, "kind");
}

Activation parse_gelu_approximate(const std::string& approximate) {
  return detail::parse_named(kGeluApproximations, approximate, "gelu", "approximate");
}

void check_activation(const TensorView& x, Activation kind, const ActivationParams& p) {
  const char* op = activation_name(kind);
  check_input(x, op);
  if (kind == Activation::leaky_relu) check_finite(std::isfinite(p.negative_slope), op, "negative_slope", p.negative_slope);
  if (kind == Activation::elu) check_finite_float(op, "alpha", p.alpha);
  if (kind == Activation::softplus) {
    check_finite_float(op, "beta", p.beta);
    check(static_cast<float>(p.beta) != 0, op, ": beta must be non-zero (also in float32), got ", p.beta);
    check(!std::isnan(p.threshold), op, ": threshold must not be NaN");
  }
  if (kind == Activation::hardsigmoid) {
    check_finite(std::isfinite(p.hardsigmoid_alpha), op, "alpha", p.hardsigmoid_alpha);
    check_finite(std::isfinite(p.hardsigmoid_beta), op, "beta", p.hardsigmoid_beta);
  }
  if (kind == Activation::clip) {
    check(!std::isnan(p.clip_min), op, ": min must not be NaN");
    check(!std::isnan(p.clip_max), op, ": max must not be NaN");
  }
}

void activation(const TensorView& x, Activation kind, const ActivationParams& params, const TensorView& out) {
  detail::require_cpu(activation_name(kind), {{"input", x}, {"out", out}});
  check_activation(x, kind, params);
  detail::check_output(out, activation_name(kind), x.shape.data(), x.ndim, DType::float32);
  const int64_t n = x.numel();
  if (n == 0) return;
  cpu::activation(n, x.ptr<float>(), out.ptr<float>(), kind, params, get_num_threads());
}

void check_prelu(const TensorView& x, const TensorView& weight) {
  constexpr const char* op = "prelu";
  check_input(x, op);
  check(!weight.empty(), op, ": weight is missing");
  detail::check_array(weight, op, "weight", DType::float32, 1);
  const int64_t channels = x.ndim >= 2 ? x.shape[1] : 1;
  check(weight.shape[0] == 1 || weight.shape[0] == channels, op, ": weight must have 1 element or one per channel (",
        channels, ", axis 1 of input shape ", x.shape_text(), "), got ", weight.shape[0]);
}

void prelu(const TensorView& x, const TensorView& weight, const TensorView& out) {
  detail::require_cpu("prelu", {{"input", x}, {"weight", weight}, {"out", out}});
  check_prelu(x, weight);
  detail::check_output(out, "prelu", x.shape.data(), x.ndim, DType::float32);
  const int64_t n = x.numel();
  if (n == 0) return;
  const int64_t channels = weight.shape[0];
  int64_t inner = 1;
  for (int d = 2; d < x.ndim && channels > 1; ++d) inner *= x.shape[d];
  cpu::prelu(n, channels, channels > 1 ? inner : n, x.ptr<float>(), weight.ptr<float>(), out.ptr<float>(),
             get_num_threads());
}

int check_softmax(const TensorView& x, int64_t axis, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  check(x.ndim >= 1, op, ": input must have at least 1 dimension, got a scalar");
  check_input(x, op);
  check(axis >= -x.ndim && axis < x.ndim, op, ": axis must be in [", -x.ndim, ", ", x.ndim - 1, "] for input shape ",
        x.shape_text(), ", got ", axis);
  return static_cast<int>(axis < 0 ? axis + x.ndim : axis);
}

void softmax(const TensorView& x, int64_t axis, bool log, const TensorView& out) {
  detail::require_cpu(log ? "log_softmax" : "softmax", {{"input", x}, {"out", out}});
  const int a = check_softmax(x, axis, log);
  detail::check_output(out, log ? "log_softmax" : "softmax", x.shape.data(), x.ndim, DType::float32);
  if (x.numel() == 0) return;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < a; ++d) outer *= x.shape[d];
  for (int d = a + 1; d < x.ndim; ++d) inner *= x.shape[d];
  cpu::softmax(outer, x.shape[a], inner, x.ptr<float>(), out.ptr<float>(), log, get_num_threads());
}

}  // namespace cvcore
