#include "cvcore/window.hpp"

#include <cstdint>

#include "checks.hpp"

namespace cvcore {

int64_t window_output_size(const char* op, int64_t size, int64_t kernel, int64_t stride, int64_t pad_begin,
                           int64_t pad_end, int64_t dilation, bool ceil_mode) {
  check(size >= 0, op, ": size must be >= 0, got ", size);
  check(kernel >= 1, op, ": kernel_size must be >= 1, got ", kernel);
  check(stride >= 1, op, ": stride must be >= 1, got ", stride);
  check(dilation >= 1, op, ": dilation must be >= 1, got ", dilation);
  check(pad_begin >= 0 && pad_end >= 0, op, ": padding must be >= 0, got (", pad_begin, ", ", pad_end, ")");
  constexpr int64_t kMax = INT64_MAX;
  check(pad_begin <= kMax - size && pad_end <= kMax - size - pad_begin, op, ": padding (", pad_begin, ", ", pad_end,
        ") around a size of ", size, " overflows 64 bits");
  check(kernel - 1 <= (kMax - 1) / dilation, op, ": dilation ", dilation, " with kernel_size ", kernel,
        " spans more than 2^63 - 1 values");
  const int64_t padded = size + pad_begin + pad_end, span = dilation * (kernel - 1) + 1;
  // PyTorch: floor((room + (ceil_mode ? stride - 1 : 0)) / stride) + 1, with floor division,
  // written so that no intermediate can overflow (room >= -INT64_MAX, and room + stride - 1 is
  // formed only when room < 0).
  const int64_t room = padded - span;
  int64_t out;
  if (room >= 0) {
    out = room / stride + (ceil_mode && room % stride != 0 ? 1 : 0) + 1;
  } else {
    const int64_t r = room + (ceil_mode ? stride - 1 : 0);
    out = (r >= 0 ? r / stride : -((-r) / stride + ((-r) % stride != 0 ? 1 : 0))) + 1;
  }
  // With ceil_mode the last window must start inside the input or the begin padding:
  // (out - 1) * stride < size + pad_begin, compared without forming the product.
  const int64_t starts = size + pad_begin;
  if (ceil_mode && out > 0 && out - 1 >= starts / stride + (starts % stride != 0 ? 1 : 0)) --out;
  return out;
}

int64_t conv_output_size(int64_t size, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                         int64_t dilation, bool ceil_mode) {
  return window_output_size("conv_output_size", size, kernel, stride, pad_begin, pad_end, dilation, ceil_mode);
}

}  // namespace cvcore
