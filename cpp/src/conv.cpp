// conv2d frontend: validates every argument once, then dispatches to the CPU backend (cpu/conv.cpp).
#include "cvcore/conv.hpp"

#include <vector>

#include "checks.hpp"
#include "cpu/conv.hpp"

namespace cvcore {

namespace {

// The convolution's own output shape (before any pooling), after validating everything else.
std::array<int64_t, 4> conv_shape(const TensorView& x, const TensorView& weight, const TensorView& bias,
                                  const Conv2dParams& p) {
  constexpr const char* op = "conv2d";
  detail::check_array(x, op, "input", DType::float32, 4);
  detail::check_array(weight, op, "weight", DType::float32, 4);
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t O = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3];
  check_conv2d_params(op, C, O, {kh, kw}, p);
  check(weight.shape[1] * p.groups == C, op, ": weight.shape[1] must be input channels / groups = ", C / p.groups,
        ", got ", weight.shape[1], " (weight shape ", weight.shape_text(), ", input shape ", x.shape_text(), ")");
  check(C >= 1, op, ": input must have at least one channel, got shape ", x.shape_text());
  detail::check_optional_vector(bias, op, "bias", DType::float32, O);
  check_epilogue(op, p.activation, p.prelu_weight, O);

  const int64_t Ho = window_output_size(op, H, kh, p.stride[0], p.padding[0], p.padding[2], p.dilation[0], false);
  const int64_t Wo = window_output_size(op, W, kw, p.stride[1], p.padding[1], p.padding[3], p.dilation[1], false);
  check(Ho >= 1 && Wo >= 1, op, ": output size (", Ho, ", ", Wo, ") is too small: the input (", H, ", ", W,
        ") with padding is smaller than the dilated kernel (", p.dilation[0] * (kh - 1) + 1, ", ",
        p.dilation[1] * (kw - 1) + 1, ")");
  // The padded image (window_output_size checked the padded sizes) and the output must be addressable.
  check(detail::bytes_fit({C, H + p.padding[0] + p.padding[2], W + p.padding[1] + p.padding[3]}, sizeof(float)), op,
        ": padding (", p.padding[0], ", ", p.padding[1], ", ", p.padding[2], ", ", p.padding[3],
        ") is too large for an input of shape ", x.shape_text(), ": the padded image's size in bytes overflows 64 bits");
  detail::checked_output_numel(op, {N, O, Ho, Wo}, sizeof(float));
  return {N, O, Ho, Wo};
}

bool pooled(const Conv2dParams& p) { return p.pool_kernel[0] != 0 || p.pool_kernel[1] != 0; }
bool pointwise(const Conv2dParams& p) { return detail::present(p.pointwise_weight); }

// The convolution's own output shape and the op's (after the pooling or the 1x1 head), every argument
// validated once.
struct ConvShapes {
  std::array<int64_t, 4> conv, out;
};

ConvShapes conv_shapes(const TensorView& x, const TensorView& weight, const TensorView& bias, const Conv2dParams& p) {
  constexpr const char* op = "conv2d";
  const std::array<int64_t, 4> conv = conv_shape(x, weight, bias, p);
  std::array<int64_t, 4> shape = conv;
  if (detail::present(p.residual)) {
    check(!pooled(p) && !pointwise(p), op, ": a residual cannot be combined with max_pool or pointwise");
    detail::check_output(p.residual, op, conv.data(), 4, DType::float32, "residual");
  }
  if (pointwise(p)) {
    const TensorView& pw = p.pointwise_weight;
    check(!pooled(p), op, ": max_pool and pointwise cannot be combined");
    detail::check_array(pw, op, "pointwise weight", DType::float32, 4);
    check(pw.shape[1] == shape[1] && pw.shape[2] == 1 && pw.shape[3] == 1, op,
          ": pointwise weight must have shape (P, ", shape[1], ", 1, 1), got ", pw.shape_text());
    // As conv2d on a map without channels, a 1x1 convolution of none is refused.
    check(shape[1] >= 1, op, ": pointwise needs at least one channel from the convolution, got weight shape ",
          weight.shape_text());
    detail::check_optional_vector(p.pointwise_bias, op, "pointwise bias", DType::float32, pw.shape[0]);
    shape[1] = pw.shape[0];
    detail::checked_output_numel(op, {shape[0], shape[1], shape[2], shape[3]}, sizeof(float));
    return {conv, shape};
  }
  check(!detail::present(p.pointwise_bias), op, ": pointwise bias given without a pointwise weight");
  if (!pooled(p)) return {conv, shape};
  const auto& k = p.pool_kernel;
  const auto& s = p.pool_stride;
  check(k[0] >= 1 && k[1] >= 1, op, ": max_pool kernel_size must be >= 1, got (", k[0], ", ", k[1], ")");
  check(s[0] >= 1 && s[1] >= 1, op, ": max_pool stride must be >= 1, got (", s[0], ", ", s[1], ")");
  const int64_t Hc = shape[2], Wc = shape[3];
  shape[2] = window_output_size(op, Hc, k[0], s[0], 0, 0, 1, p.pool_ceil_mode);
  shape[3] = window_output_size(op, Wc, k[1], s[1], 0, 0, 1, p.pool_ceil_mode);
  check(shape[2] >= 1 && shape[3] >= 1, op, ": max_pool kernel_size (", k[0], ", ", k[1],
        ") is larger than the convolution's output (", Hc, ", ", Wc, ")");
  return {conv, shape};
}

}  // namespace

void check_conv2d_params(const char* op, int64_t in_channels, int64_t out_channels, std::array<int64_t, 2> kernel_size,
                         const Conv2dParams& p) {
  check(p.groups >= 1, op, ": groups must be >= 1, got ", p.groups);
  check(in_channels % p.groups == 0, op, ": groups (", p.groups, ") must divide the input channels (", in_channels,
        ")");
  check(out_channels % p.groups == 0, op, ": groups (", p.groups, ") must divide the output channels (weight.shape[0] = ",
        out_channels, ")");
  check(kernel_size[0] >= 1 && kernel_size[1] >= 1, op, ": kernel_size (weight.shape[2:]) must be >= 1, got (",
        kernel_size[0], ", ", kernel_size[1], ")");
  for (int i = 0; i < 2; ++i) {
    check(p.stride[i] >= 1, op, ": stride must be >= 1, got (", p.stride[0], ", ", p.stride[1], ")");
    check(p.dilation[i] >= 1, op, ": dilation must be >= 1, got (", p.dilation[0], ", ", p.dilation[1], ")");
  }
  for (int64_t pad : p.padding)
    check(pad >= 0, op, ": padding must be >= 0, got (", p.padding[0], ", ", p.padding[1], ", ", p.padding[2], ", ",
          p.padding[3], ")");
}

std::array<int64_t, 4> conv2d_output_shape(const TensorView& x, const TensorView& weight, const TensorView& bias,
                                           const Conv2dParams& p) {
  return conv_shapes(x, weight, bias, p).out;
}

void conv2d(const TensorView& x, const TensorView& weight, const TensorView& bias, const Conv2dParams& p,
            const TensorView& out) {
  detail::require_cpu("conv2d", {{"input", x},
                                 {"weight", weight},
                                 {"bias", bias},
                                 {"prelu_weight", p.prelu_weight},
                                 {"residual", p.residual},
                                 {"pointwise weight", p.pointwise_weight},
                                 {"pointwise bias", p.pointwise_bias},
                                 {"out", out}});
  const ConvShapes shapes = conv_shapes(x, weight, bias, p);
  const std::array<int64_t, 4>& shape = shapes.conv;  // the convolution's own, before pooling or a head
  detail::check_output(out, "conv2d", shapes.out.data(), 4, DType::float32);
  if (out.numel() == 0) return;
  const float* residual = detail::present(p.residual) ? p.residual.ptr<float>() : nullptr;
  check(!residual || residual + out.numel() <= out.ptr<float>() || out.ptr<float>() + out.numel() <= residual,
        "conv2d: residual must not overlap the output");
  const cpu::ConvGeometry g{x.shape[0],    x.shape[1],    x.shape[2],    x.shape[3],    shape[1],
                            shape[2],      shape[3],      weight.shape[2], weight.shape[3], p.stride[0],
                            p.stride[1],   p.dilation[0], p.dilation[1], p.padding[0],  p.padding[1],
                            p.padding[2],  p.padding[3],  p.groups,        p.winograd};
  const std::vector<float> slopes = detail::prelu_slopes(p.prelu_weight, shape[1]);
  const cpu::OutputAct act{p.activation, slopes.empty() ? nullptr : slopes.data(), residual};
  const float* b = bias.empty() ? nullptr : bias.ptr<float>();
  const cpu::PoolGeometry pool{1, shape[2], shape[3], shapes.out[2], shapes.out[3], p.pool_kernel[0], p.pool_kernel[1],
                               p.pool_stride[0], p.pool_stride[1], 0, 0, 1, 1};
  const cpu::PointwiseHead head{pointwise(p) ? p.pointwise_weight.ptr<float>() : nullptr,
                                p.pointwise_bias.empty() ? nullptr : p.pointwise_bias.ptr<float>(), shapes.out[1]};
  detail::naming_memory_errors("conv2d", [&] {
    cpu::conv2d(g, x.ptr<float>(), weight.ptr<float>(), b, act, pooled(p) ? &pool : nullptr,
                pointwise(p) ? &head : nullptr, out.ptr<float>());
  });
}

}  // namespace cvcore
