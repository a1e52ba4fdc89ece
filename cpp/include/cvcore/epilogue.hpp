// Activations that GEMM-based ops (conv2d, linear) can apply while storing their output, saving a
// pass over memory. NaN inputs stay NaN, as in PyTorch. prelu is x > 0 ? x : slope * x with one
// slope per output channel (conv2d) or output feature (linear), given with the op's arguments.
#pragma once

namespace cvcore {

enum class Epilogue { none, relu, relu6, prelu };

}  // namespace cvcore
