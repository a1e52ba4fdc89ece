// batch_norm / fold_batch_norm frontends: validate every argument once, compute the per-channel
// constants in double, then run the float32 kernel (batch_norm) or fold in double (fold_batch_norm).
#include "cvcore/norm.hpp"

#include <cmath>
#include <vector>

#include "checks.hpp"
#include "cpu/norm.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

// Validates the batch-norm parameters for `channels` channels and returns the per-channel
// scale = weight / sqrt(running_var + eps) in double (absent weight: 1).
std::vector<double> batch_norm_scale(const char* op, int64_t channels, const TensorView& running_mean,
                                     const TensorView& running_var, const TensorView& weight, const TensorView& bias,
                                     double eps) {
  check_batch_norm_eps(op, eps);
  check(!running_mean.empty(), op, ": running_mean is missing");
  check(!running_var.empty(), op, ": running_var is missing");
  detail::check_optional_vector(running_mean, op, "running_mean", DType::float32, channels);
  detail::check_optional_vector(running_var, op, "running_var", DType::float32, channels);
  detail::check_optional_vector(weight, op, "weight", DType::float32, channels);
  detail::check_optional_vector(bias, op, "bias", DType::float32, channels);
  const float* var = running_var.ptr<float>();
  const float* w = weight.empty() ? nullptr : weight.ptr<float>();
  std::vector<double> scale(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    check(!(var[c] < 0), op, ": running_var must be >= 0, got ", var[c], " for channel ", c);
    scale[c] = (w ? double(w[c]) : 1.0) / std::sqrt(double(var[c]) + eps);
  }
  return scale;
}

double bias_or_zero(const TensorView& bias, int64_t c) { return bias.empty() ? 0.0 : double(bias.ptr<float>()[c]); }

// batch_norm's input: float32, C-contiguous, (N, C, ...).
void check_batch_norm_input(const TensorView& x) {
  constexpr const char* op = "batch_norm";
  check(x.ndim >= 2, op, ": input must have at least 2 dimensions (N, C, ...), got ", x.ndim, " (shape ",
        x.shape_text(), ")");
  detail::check_array(x, op, "input", DType::float32, x.ndim);
}

// fold_batch_norm's checks; returns the per-channel scale.
std::vector<double> fold_batch_norm_scale(const TensorView& conv_weight, const TensorView& conv_bias,
                                          const TensorView& running_mean, const TensorView& running_var,
                                          const TensorView& weight, const TensorView& bias, double eps) {
  constexpr const char* op = "fold_batch_norm";
  check(conv_weight.ndim >= 2, op, ": conv_weight must have at least 2 dimensions (out_channels, ...), got ",
        conv_weight.ndim, " (shape ", conv_weight.shape_text(), ")");
  detail::check_array(conv_weight, op, "conv_weight", DType::float32, conv_weight.ndim);
  const int64_t channels = conv_weight.shape[0];
  detail::check_optional_vector(conv_bias, op, "conv_bias", DType::float32, channels);
  return batch_norm_scale(op, channels, running_mean, running_var, weight, bias, eps);
}

}  // namespace

void check_batch_norm_eps(const char* op, double eps) {
  check(std::isfinite(eps) && eps >= 0, op, ": eps must be finite and >= 0, got ", eps);
}

void check_batch_norm(const TensorView& x, const TensorView& running_mean, const TensorView& running_var,
                      const TensorView& weight, const TensorView& bias, double eps) {
  detail::require_cpu("batch_norm", {{"input", x},
                                     {"running_mean", running_mean},
                                     {"running_var", running_var},
                                     {"weight", weight},
                                     {"bias", bias}});
  check_batch_norm_input(x);
  batch_norm_scale("batch_norm", x.shape[1], running_mean, running_var, weight, bias, eps);
}

void batch_norm(const TensorView& x, const TensorView& running_mean, const TensorView& running_var,
                const TensorView& weight, const TensorView& bias, double eps, const TensorView& out) {
  constexpr const char* op = "batch_norm";
  detail::require_cpu(op, {{"input", x},
                           {"running_mean", running_mean},
                           {"running_var", running_var},
                           {"weight", weight},
                           {"bias", bias},
                           {"out", out}});
  check_batch_norm_input(x);
  const int64_t channels = x.shape[1];
  const std::vector<double> scale = batch_norm_scale(op, channels, running_mean, running_var, weight, bias, eps);
  detail::check_output(out, op, x.shape.data(), x.ndim, DType::float32);
  std::vector<float> scale_f(scale.begin(), scale.end()), shift(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) shift[c] = static_cast<float>(bias_or_zero(bias, c));
  int64_t inner = 1;
  for (int d = 2; d < x.ndim; ++d) inner *= x.shape[d];
  const int64_t n = x.numel();
  if (n == 0) return;
  cpu::batch_norm(n, channels, inner, x.ptr<float>(), running_mean.ptr<float>(), scale_f.data(), shift.data(),
                  out.ptr<float>(), get_num_threads());
}

void check_fold_batch_norm(const TensorView& conv_weight, const TensorView& conv_bias, const TensorView& running_mean,
                           const TensorView& running_var, const TensorView& weight, const TensorView& bias,
                           double eps) {
  detail::require_cpu("fold_batch_norm", {{"conv_weight", conv_weight},
                                          {"conv_bias", conv_bias},
                                          {"running_mean", running_mean},
                                          {"running_var", running_var},
                                          {"weight", weight},
                                          {"bias", bias}});
  fold_batch_norm_scale(conv_weight, conv_bias, running_mean, running_var, weight, bias, eps);
}

void fold_batch_norm(const TensorView& conv_weight, const TensorView& conv_bias, const TensorView& running_mean,
                     const TensorView& running_var, const TensorView& weight, const TensorView& bias, double eps,
                     const TensorView& folded_weight, const TensorView& folded_bias) {
  constexpr const char* op = "fold_batch_norm";
  detail::require_cpu(op, {{"conv_weight", conv_weight},
                           {"conv_bias", conv_bias},
                           {"running_mean", running_mean},
                           {"running_var", running_var},
                           {"weight", weight},
                           {"bias", bias},
                           {"folded_weight", folded_weight},
                           {"folded_bias", folded_bias}});
  const std::vector<double> scale =
      fold_batch_norm_scale(conv_weight, conv_bias, running_mean, running_var, weight, bias, eps);
  const int64_t channels = conv_weight.shape[0];
  detail::check_output(folded_weight, op, conv_weight.shape.data(), conv_weight.ndim, DType::float32);
  detail::check_output(folded_bias, op, &channels, 1, DType::float32);
  if (channels == 0) return;
  const int64_t per_channel = conv_weight.numel() / channels;
  const float* w = conv_weight.ptr<float>();
  const float* mean = running_mean.ptr<float>();
  float* fw = folded_weight.ptr<float>();
  float* fb = folded_bias.ptr<float>();
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t i = c * per_channel; i < (c + 1) * per_channel; ++i) fw[i] = static_cast<float>(double(w[i]) * scale[c]);
    fb[c] = static_cast<float>((bias_or_zero(conv_bias, c) - double(mean[c])) * scale[c] + bias_or_zero(bias, c));
  }
}

}  // namespace cvcore
