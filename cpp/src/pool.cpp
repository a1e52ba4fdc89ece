// Pooling frontends: validate every argument once, compute the output shape, dispatch to the CPU kernels.
#include "cvcore/pool.hpp"

#include <algorithm>
#include <cstdint>

#include "checks.hpp"
#include "cpu/pool.hpp"
#include "cvcore/window.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

using Pair = std::array<int64_t, 2>;

std::string pair_str(const Pair& a) { return detail::concat("(", a[0], ", ", a[1], ")"); }

// a * b + c overflows int64 (a, b, c >= 0).
bool overflows_mul_add(int64_t a, int64_t b, int64_t c) {
  return b != 0 && (a > INT64_MAX / b || a * b > INT64_MAX - c);
}

// x is a C-contiguous float32 (N, C, H, W) array with a non-empty plane (N and C may be 0).
void check_pool_input(const TensorView& x, const char* op, bool uint8_ok = false) {
  detail::check_array(x, op, "input", uint8_ok && x.dtype == DType::uint8 ? DType::uint8 : DType::float32, 4);
  check(x.shape[2] >= 1 && x.shape[3] >= 1, op, ": input must have non-empty spatial dimensions, got shape ",
        x.shape_text());
}

// (N, C, Ho, Wo), whose outputs must be addressable (counted as max pooling's int64 indices, the
// widest output of any pooling op).
std::array<int64_t, 4> checked_shape(const TensorView& x, const Pair& out, const char* op) {
  detail::checked_output_numel(op, {x.shape[0], x.shape[1], out[0], out[1]}, sizeof(int64_t));
  return {x.shape[0], x.shape[1], out[0], out[1]};
}

// The window's checks shared by max and average pooling (PyTorch's pool2d_shape_check).
void check_window(const char* op, const Pair& kernel, const Pair& stride, const Pair& padding, const Pair& dilation) {
  for (int i = 0; i < 2; ++i) {
    check(kernel[i] >= 1, op, ": kernel_size must be >= 1, got ", pair_str(kernel));
    check(stride[i] >= 1, op, ": stride must be >= 1, got ", pair_str(stride));
    check(dilation[i] >= 1, op, ": dilation must be >= 1, got ", pair_str(dilation));
    check(padding[i] >= 0, op, ": padding must be >= 0, got ", pair_str(padding));
    // PyTorch bounds the padding by half the kernel size itself, whatever the dilation.
    check(padding[i] <= kernel[i] / 2, op, ": padding must be at most half the kernel size, got padding=",
          pair_str(padding), " with kernel_size=", pair_str(kernel));
  }
}

// The output shape of max or average pooling of x, whose parameters are checked.
std::array<int64_t, 4> window_output_shape(const TensorView& x, const char* op, const Pair& kernel,
                                           const Pair& stride, const Pair& padding, const Pair& dilation,
                                           bool ceil_mode) {
  const Pair in{x.shape[2], x.shape[3]};
  Pair out;
  for (int i = 0; i < 2; ++i)
    out[i] = window_output_size(op, in[i], kernel[i], stride[i], padding[i], padding[i], dilation[i], ceil_mode);
  check(out[0] >= 1 && out[1] >= 1, op, ": output size ", pair_str(out), " is too small: the input ", pair_str(in),
        " with padding ", pair_str(padding), " is smaller than the dilated kernel ",
        pair_str({dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1}));
  return checked_shape(x, out, op);
}

cpu::PoolGeometry geometry(const TensorView& x, const std::array<int64_t, 4>& shape, const Pair& kernel,
                           const Pair& stride, const Pair& padding, const Pair& dilation) {
  return {x.shape[0] * x.shape[1], x.shape[2], x.shape[3], shape[2],   shape[3],   kernel[0],   kernel[1],
          stride[0],               stride[1],  padding[0], padding[1], dilation[0], dilation[1]};
}

// Checks out (float32) and indices (int64, when present) against shape; false when there is nothing to do.
bool check_outputs(const char* op, const std::array<int64_t, 4>& shape, const TensorView& out,
                   const TensorView& indices) {
  detail::check_output(out, op, shape.data(), 4, DType::float32);
  if (detail::present(indices)) detail::check_output(indices, op, shape.data(), 4, DType::int64, "indices");
  return out.numel() != 0;
}

}  // namespace

void check_max_pool2d_params(const char* op, const MaxPool2dParams& p) {
  check_window(op, p.kernel, p.stride, p.padding, p.dilation);
}

void check_avg_pool2d_params(const char* op, const AvgPool2dParams& p) {
  check(!p.divisor_override || *p.divisor_override != 0, op, ": divisor_override must be non-zero, got 0");
  check_window(op, p.kernel, p.stride, p.padding, {1, 1});
}

void check_adaptive_output_size(const char* op, Pair output_size) {
  check(output_size[0] >= 0 && output_size[1] >= 0, op, ": output_size must be >= 0, got ", pair_str(output_size));
}

std::array<int64_t, 4> max_pool2d_output_shape(const TensorView& x, const MaxPool2dParams& p) {
  constexpr const char* op = "max_pool2d";
  check_pool_input(x, op);
  check_max_pool2d_params(op, p);
  return window_output_shape(x, op, p.kernel, p.stride, p.padding, p.dilation, p.ceil_mode);
}

std::array<int64_t, 4> avg_pool2d_output_shape(const TensorView& x, const AvgPool2dParams& p) {
  constexpr const char* op = "avg_pool2d";
  check_avg_pool2d_params(op, p);
  check_pool_input(x, op);
  return window_output_shape(x, op, p.kernel, p.stride, p.padding, {1, 1}, p.ceil_mode);
}

std::array<int64_t, 4> adaptive_pool2d_output_shape(const TensorView& x, Pair output_size, const char* op) {
  check_pool_input(x, op, /*uint8_ok=*/true);  // adaptive_max_pool2d checks float32 itself
  check_adaptive_output_size(op, output_size);
  // The kernels compute (i + 1) * in + out - 1 for i < out.
  for (int i = 0; i < 2; ++i)
    check(!overflows_mul_add(x.shape[2 + i], output_size[i], output_size[i]), op, ": output_size ",
          pair_str(output_size), " is too large for an input of shape ", x.shape_text(),
          ": its window bounds overflow 64 bits");
  return checked_shape(x, output_size, op);
}

void max_pool2d(const TensorView& x, const MaxPool2dParams& p, const TensorView& out, const TensorView& indices) {
  constexpr const char* op = "max_pool2d";
  detail::require_cpu(op, {{"input", x}, {"out", out}, {"indices", indices}});
  const std::array<int64_t, 4> shape = max_pool2d_output_shape(x, p);
  if (!check_outputs(op, shape, out, indices)) return;
  if (detail::present(indices)) {
    // A window without a tap in the input (it starts in the padding) reports its first tap at or after
    // 0 along each axis, before max(size, dilation): that index must fit too.
    auto last_first_tap = [&](int i) {
      return p.padding[i] > 0 ? std::max(x.shape[2 + i], p.dilation[i]) - 1 : x.shape[2 + i] - 1;
    };
    check(!overflows_mul_add(last_first_tap(0), x.shape[3], last_first_tap(1)), op, ": dilation ",
          pair_str(p.dilation), " is too large for return_indices on an input of shape ", x.shape_text(),
          " with padding ", pair_str(p.padding), ": an empty window's index overflows 64 bits");
  }
  cpu::max_pool2d(geometry(x, shape, p.kernel, p.stride, p.padding, p.dilation), x.ptr<float>(), out.ptr<float>(),
                  detail::present(indices) ? indices.ptr<int64_t>() : nullptr, get_num_threads());
}

void avg_pool2d(const TensorView& x, const AvgPool2dParams& p, const TensorView& out) {
  detail::require_cpu("avg_pool2d", {{"input", x}, {"out", out}});
  const std::array<int64_t, 4> shape = avg_pool2d_output_shape(x, p);
  if (!check_outputs("avg_pool2d", shape, out, TensorView{})) return;
  cpu::avg_pool2d(geometry(x, shape, p.kernel, p.stride, p.padding, {1, 1}), p.count_include_pad,
                  p.divisor_override.value_or(0), x.ptr<float>(), out.ptr<float>(), get_num_threads());
}

void adaptive_avg_pool2d(const TensorView& x, Pair output_size, const TensorView& out) {
  detail::require_cpu("adaptive_avg_pool2d", {{"input", x}, {"out", out}});
  const std::array<int64_t, 4> shape = adaptive_pool2d_output_shape(x, output_size, "adaptive_avg_pool2d");
  if (!check_outputs("adaptive_avg_pool2d", shape, out, TensorView{})) return;
  const cpu::PoolGeometry g = geometry(x, shape, {1, 1}, {1, 1}, {0, 0}, {1, 1});
  if (x.dtype == DType::uint8)
    cpu::adaptive_avg_pool2d(g, x.ptr<uint8_t>(), out.ptr<float>(), get_num_threads());
  else
    cpu::adaptive_avg_pool2d(g, x.ptr<float>(), out.ptr<float>(), get_num_threads());
}

void adaptive_avg_pool2d_levels(const TensorView& x, const std::vector<Pair>& output_sizes,
                                const std::vector<TensorView>& outs) {
  constexpr const char* op = "adaptive_avg_pool2d_levels";
  check(outs.size() == output_sizes.size(), op, ": ", outs.size(), " outputs for ", output_sizes.size(), " sizes");
  for (const TensorView& out : outs) detail::require_cpu(op, {{"input", x}, {"outs", out}});
  std::vector<int64_t> sizes;
  std::vector<float*> ptrs;
  for (size_t i = 0; i < output_sizes.size(); ++i) {
    const std::array<int64_t, 4> shape = adaptive_pool2d_output_shape(x, output_sizes[i], op);
    detail::check_output(outs[i], op, shape.data(), 4, DType::float32);
    sizes.insert(sizes.end(), {shape[2], shape[3]});
    ptrs.push_back(outs[i].numel() ? outs[i].ptr<float>() : nullptr);
  }
  if (x.numel() == 0) return;
  if (x.dtype != DType::uint8) {  // float sums depend on the order: each level as adaptive_avg_pool2d
    for (size_t i = 0; i < outs.size(); ++i) adaptive_avg_pool2d(x, output_sizes[i], outs[i]);
    return;
  }
  cpu::PoolGeometry g = geometry(x, {x.shape[0], x.shape[1], 0, 0}, {1, 1}, {1, 1}, {0, 0}, {1, 1});
  cpu::adaptive_avg_pool2d_levels(g, x.ptr<uint8_t>(), static_cast<int64_t>(outs.size()), sizes.data(), ptrs.data(),
                                  get_num_threads());
}

void adaptive_max_pool2d(const TensorView& x, Pair output_size, const TensorView& out, const TensorView& indices) {
  detail::require_cpu("adaptive_max_pool2d", {{"input", x}, {"out", out}, {"indices", indices}});
  check_pool_input(x, "adaptive_max_pool2d");
  const std::array<int64_t, 4> shape = adaptive_pool2d_output_shape(x, output_size, "adaptive_max_pool2d");
  if (!check_outputs("adaptive_max_pool2d", shape, out, indices)) return;
  cpu::adaptive_max_pool2d(geometry(x, shape, {1, 1}, {1, 1}, {0, 0}, {1, 1}), x.ptr<float>(), out.ptr<float>(),
                           detail::present(indices) ? indices.ptr<int64_t>() : nullptr, get_num_threads());
}

}  // namespace cvcore
