#include "cvcore/window.hpp"

#include "checks.hpp"

namespace cvcore {

int64_t conv_output_size(int64_t size, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                         int64_t dilation, bool ceil_mode) {
  check(size >= 0, "conv_output_size: size must be >= 0, got ", size);
  check(kernel >= 1, "conv_output_size: kernel_size must be >= 1, got ", kernel);
  check(stride >= 1, "conv_output_size: stride must be >= 1, got ", stride);
  check(dilation >= 1, "conv_output_size: dilation must be >= 1, got ", dilation);
  check(pad_begin >= 0 && pad_end >= 0, "conv_output_size: padding must be >= 0, got (", pad_begin, ", ", pad_end,
        ")");
  const int64_t padded = detail::checked_add(detail::checked_add(size, pad_begin, "conv_output_size"), pad_end,
                                             "conv_output_size");
  const int64_t span = detail::checked_add(checked_mul(dilation, kernel - 1, "conv_output_size"), 1,
                                           "conv_output_size");
  // PyTorch: floor((room + (ceil_mode ? stride - 1 : 0)) / stride) + 1, with floor division,
  // written so that no intermediate can overflow.
  const int64_t room = padded - span;
  int64_t out;
  if (room >= 0) {
    out = room / stride + (ceil_mode && room % stride != 0 ? 1 : 0) + 1;
  } else {
    const int64_t r = room + (ceil_mode ? stride - 1 : 0);
    out = (r >= 0 ? r / stride : -((-r + stride - 1) / stride)) + 1;
  }
  // With ceil_mode the last window must start inside the input or the begin padding.
  if (ceil_mode && out > 0 && (out - 1) * stride >= size + pad_begin) --out;
  return out;
}

}  // namespace cvcore
