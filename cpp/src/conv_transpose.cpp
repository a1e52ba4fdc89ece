// conv_transpose2d frontend: validates every argument once, then dispatches to the CPU backend
// (cpu/conv_transpose.cpp).
#include "cvcore/conv_transpose.hpp"

#include "checks.hpp"
#include "cpu/conv_transpose.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

constexpr const char* kOp = "conv_transpose2d";

// The output size along an axis: (size - 1) * stride + dilation * (kernel - 1) + output_padding + 1 less
// the padding, every step checked against overflow.
int64_t output_size(int64_t size, int64_t kernel, int64_t stride, int64_t dilation, int64_t output_padding,
                    int64_t pad_begin, int64_t pad_end) {
  const int64_t span = checked_mul(stride, size - 1, kOp);
  const int64_t reach = checked_mul(dilation, kernel - 1, kOp);
  const int64_t full = detail::checked_add(detail::checked_add(span, reach, kOp), output_padding + 1, kOp);
  // Negative when the padding removes the whole output (no overflow: both terms are in [0, 2^63)).
  return pad_begin > full ? -1 : full - pad_begin - pad_end;
}

}  // namespace

std::array<int64_t, 4> conv_transpose2d_output_shape(const TensorView& x, const TensorView& weight,
                                                     const TensorView& bias, const ConvTranspose2dParams& p) {
  detail::check_array(x, kOp, "input", DType::float32, 4);
  detail::check_array(weight, kOp, "weight", DType::float32, 4);
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t kh = weight.shape[2], kw = weight.shape[3];
  check(C >= 1, kOp, ": input must have at least one channel, got shape ", x.shape_text());
  check(H >= 1 && W >= 1, kOp, ": input must have non-empty spatial dimensions, got shape ", x.shape_text());
  check(p.groups >= 1, kOp, ": groups must be >= 1, got ", p.groups);
  check(C % p.groups == 0, kOp, ": groups (", p.groups, ") must divide the input channels (", C, ")");
  check(weight.shape[0] == C, kOp, ": weight.shape[0] must be the input channels (", C, "), got ", weight.shape[0],
        " (weight shape ", weight.shape_text(), ", input shape ", x.shape_text(), ")");
  check(kh >= 1 && kw >= 1, kOp, ": kernel_size (weight.shape[2:]) must be >= 1, got (", kh, ", ", kw, ")");
  const auto &s = p.stride, &d = p.dilation, &op = p.output_padding;
  for (int i = 0; i < 2; ++i) {
    check(s[i] >= 1, kOp, ": stride must be >= 1, got (", s[0], ", ", s[1], ")");
    check(d[i] >= 1, kOp, ": dilation must be >= 1, got (", d[0], ", ", d[1], ")");
    check(op[i] >= 0, kOp, ": output_padding must be >= 0, got (", op[0], ", ", op[1], ")");
    check(op[i] < s[i] || op[i] < d[i], kOp, ": output_padding must be smaller than either stride or dilation, got ",
          "output_padding=(", op[0], ", ", op[1], ") with stride=(", s[0], ", ", s[1], ") and dilation=(", d[0], ", ",
          d[1], ")");
  }
  for (int64_t pad : p.padding)
    check(pad >= 0, kOp, ": padding must be >= 0, got (", p.padding[0], ", ", p.padding[1], ", ", p.padding[2], ", ",
          p.padding[3], ")");
  check(p.activation == Epilogue::none || p.activation == Epilogue::relu || p.activation == Epilogue::relu6, kOp,
        ": activation must be 'none', 'relu' or 'relu6', got '", epilogue_name(p.activation), "'");
  const int64_t O = checked_mul(weight.shape[1], p.groups, kOp);
  detail::check_optional_vector(bias, kOp, "bias", DType::float32, O);
  const int64_t Ho = output_size(H, kh, p.stride[0], p.dilation[0], p.output_padding[0], p.padding[0], p.padding[2]);
  const int64_t Wo = output_size(W, kw, p.stride[1], p.dilation[1], p.output_padding[1], p.padding[1], p.padding[3]);
  check(Ho >= 1 && Wo >= 1, kOp, ": output size (", Ho, ", ", Wo, ") is too small: padding (", p.padding[0], ", ",
        p.padding[1], ", ", p.padding[2], ", ", p.padding[3], ") removes the whole output of an input ", x.shape_text(),
        " with kernel (", kh, ", ", kw, ")");
  detail::checked_output_numel(kOp, {N, O, Ho, Wo}, sizeof(float));
  return {N, O, Ho, Wo};
}

void conv_transpose2d(const TensorView& x, const TensorView& weight, const TensorView& bias,
                      const ConvTranspose2dParams& p, const TensorView& out) {
  detail::require_cpu(kOp, {{"input", x}, {"weight", weight}, {"bias", bias}, {"out", out}});
  const std::array<int64_t, 4> shape = conv_transpose2d_output_shape(x, weight, bias, p);
  detail::check_output(out, kOp, shape.data(), 4, DType::float32);
  if (out.numel() == 0) return;
  const cpu::ConvTransposeGeometry g{x.shape[0], x.shape[1],    x.shape[2],    x.shape[3],  shape[1],
                                     shape[2],   shape[3],      weight.shape[2], weight.shape[3], p.stride[0],
                                     p.stride[1], p.dilation[0], p.dilation[1], p.padding[0], p.padding[1],
                                     p.groups};
  const float* b = bias.empty() ? nullptr : bias.ptr<float>();
  detail::naming_memory_errors(kOp, [&] {
    cpu::conv_transpose2d(g, x.ptr<float>(), weight.ptr<float>(), b, p.activation, out.ptr<float>(),
                          get_num_threads());
  });
}

}  // namespace cvcore
