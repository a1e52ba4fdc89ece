// The sliding-window size rule shared by convolution and pooling (PyTorch's).
#pragma once

#include <cstdint>

namespace cvcore {

// Number of outputs of a sliding window along one axis:
//   floor((size + pad_begin + pad_end - dilation * (kernel - 1) - 1) / stride) + 1,
// rounded up instead when ceil_mode, in which case a last window that would start inside the end
// padding is dropped (PyTorch's pooling rule). Throws ValueError for non-positive kernel, stride or
// dilation, negative size or padding, or overflow. The result may be < 1; callers decide.
int64_t conv_output_size(int64_t size, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                         int64_t dilation, bool ceil_mode);

// The same for the op `op` (conv2d, max_pool2d, ...), which its messages name.
int64_t window_output_size(const char* op, int64_t size, int64_t kernel, int64_t stride, int64_t pad_begin,
                           int64_t pad_end, int64_t dilation, bool ceil_mode);

}  // namespace cvcore
