// linear frontend: validates every argument once, then dispatches to the CPU backend (cpu/linear.cpp).
#include "cvcore/linear.hpp"

#include "checks.hpp"
#include "cpu/linear.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {

std::vector<int64_t> linear_output_shape(const TensorView& x, const TensorView& weight, const TensorView& bias) {
  constexpr const char* op = "linear";
  check(x.ndim >= 1, op, ": input must have at least 1 dimension, got a scalar");
  detail::check_array(x, op, "input", DType::float32, x.ndim);
  detail::check_array(weight, op, "weight", DType::float32, 2);
  const int64_t in = x.shape[x.ndim - 1];
  check(weight.shape[1] == in, op, ": weight.shape[1] must equal the input's last dimension (", in, "), got ",
        weight.shape[1], " (weight shape ", weight.shape_text(), ")");
  detail::check_optional_vector(bias, op, "bias", DType::float32, weight.shape[0]);
  std::vector<int64_t> shape(x.shape.begin(), x.shape.begin() + x.ndim);
  shape.back() = weight.shape[0];
  int64_t n = sizeof(float);  // the output's bytes must be addressable
  for (int64_t d : shape) n = checked_mul(n, d, op);
  return shape;
}

void linear(const TensorView& x, const TensorView& weight, const TensorView& bias, const TensorView& out,
            Epilogue activation, const TensorView& prelu_weight) {
  detail::require_cpu("linear",
                      {{"input", x}, {"weight", weight}, {"bias", bias}, {"prelu_weight", prelu_weight}, {"out", out}});
  const std::vector<int64_t> shape = linear_output_shape(x, weight, bias);
  check_epilogue("linear", activation, prelu_weight, weight.shape[0]);
  detail::check_output(out, "linear", shape.data(), static_cast<int>(shape.size()), DType::float32);
  const int64_t features = weight.shape[0];
  if (out.numel() == 0) return;
  const int64_t rows = out.numel() / features;
  float* y = out.ptr<float>();
  const float* b = bias.empty() ? nullptr : bias.ptr<float>();
  const std::vector<float> slopes = detail::prelu_slopes(prelu_weight, features);
  detail::naming_memory_errors("linear", [&] {
    cpu::linear(rows, weight.shape[1], features, x.ptr<float>(), weight.ptr<float>(), b, y,
                {activation, slopes.empty() ? nullptr : slopes.data()}, get_num_threads());
  });
}

}  // namespace cvcore
