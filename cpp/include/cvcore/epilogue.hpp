// Activations that GEMM-based ops (conv2d, linear) can apply while storing their output, saving a
// pass over memory. NaN inputs stay NaN, as in PyTorch.
#pragma once

namespace cvcore {

enum class Epilogue { none, relu, relu6 };

}  // namespace cvcore
